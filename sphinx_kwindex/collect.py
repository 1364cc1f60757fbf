"""Which tests pytest collects from a module, decided statically.

No Sphinx and no imports of the module: extraction (``extract.py``) gives the
module's shape — its classes with their bases and bodies, its functions —
and this module applies pytest's rules to it: ``python_files`` and
``norecursedirs``, ``python_classes`` and ``python_functions`` (prefixes or
globs), ``unittest.TestCase`` subclasses of any name through any chain of
bases, ``__test__``, no class with an ``__init__`` (or ``__new__``),
fixtures never tests, and test methods inherited in Python's method
resolution order, an override hiding what it overrides; each test's
fixtures (``fixtures.py``) and the items its ``parametrize`` marks and
parametrized fixtures make.

Bases are looked up in the module, then, through a
:class:`~sphinx_kwindex.shapes.Resolver`, in the other modules of the tree
as pytest imports them (``tree_resolver.py``), which also finds
``conftest.py`` files and plugin modules; a base from outside brings no
tests (a ``TestCase`` from ``unittest`` makes its subclasses test cases).
The rules come from the project's pytest configuration
(``pytest_config.py``), read as text, never run.
"""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from sphinx_kwindex.factories import METACLASS_CALL, Factory, made_classes
from sphinx_kwindex.fixtures import (
    FixtureLevel,
    UsedFixture,
    autouse_names,
    class_level,
    fixture_closure,
    fixture_parameters,
    module_levels,
    used_fixture,
)
from sphinx_kwindex.pytest_config import DEFAULT_RULES, LONG_STRING_IDS, CollectRules
from sphinx_kwindex.selection import evaluate, keyword_matcher, mark_matcher
from sphinx_kwindex.shapes import (
    UNITTEST_CASES,
    ClassShape,
    FunctionShape,
    IgnoredPaths,
    MarkAlias,
    ModuleShape,
    Parameters,
    ResolvedClass,
    Resolver,
)


class CollectedTest(NamedTuple):
    """A test pytest collects: ``qualname`` is its node id's path inside the
    module (``TestCart.test_empty``); ``line`` and ``doc`` are where it is
    defined: in the class ``defined_in`` (``""`` at module level) of the
    module ``defined_path`` (``""``: the module collected)."""

    name: str
    qualname: str
    line: int
    doc: str
    defined_in: str
    defined_path: str = ""
    items: int | None = 1
    """How many items pytest makes of it (parametrized), None if only a run
    can tell."""
    item_ids: tuple[str, ...] | None = None
    """The ids of its items (``[a-1]`` without brackets) where it is
    parametrized and they are known."""
    unknown: str = ""
    """Where :attr:`items` or :attr:`item_ids` is None, why."""
    deselected: str = ""
    """Where the configuration's ``addopts`` deselects it, by what
    (``-m 'not slow'``)."""
    condition: str = ""
    """For a module-level function defined in ``if`` blocks, when it is
    (pytest collects it only where that holds)."""
    fixtures: tuple[UsedFixture, ...] = ()
    """The fixtures it asks for by argument, then the ``autouse`` ones, then
    those they need in turn (``through``), as far as the tree tells."""
    needs: tuple[tuple[str, str], ...] = ()
    """``(module, name)`` of every fixture definition of the tree its setup
    runs: those of :attr:`fixtures`, what they need in turn, the ones
    they override."""

    @property
    def definition(self) -> str:
        """The qualified name of its ``def`` in the module defining it."""
        return f"{self.defined_in}.{self.name}" if self.defined_in else self.name

    @property
    def inherited_from(self) -> str:
        """The class defining it where that is not the class collecting it."""
        collecting = self.qualname.rpartition(".")[0]
        return "" if self.defined_in == collecting else self.defined_in


ClassRef = tuple[str, str]
"""A class as ``(module path, qualname)``."""


class ImportTimeNote(NamedTuple):
    """Code that may make tests when its module is imported, which only a
    run can list: a decorator that sets attributes, a metaclass of the tree,
    ``globals()[…] = …``, a base a call makes; where it is."""

    code: str
    path: str
    line: int


class CollectedClass(NamedTuple):
    """A class pytest collects, by its node path in the module
    (``TestCart``, ``TestCart.TestEmpty``)."""

    node: str
    unseen_bases: tuple[str, ...] = ()
    """The dotted names of the bases, its own and its bases', found nowhere
    in the tree (``object`` and ``TestCase`` classes left out): what tests
    they bring is not known."""
    made_at_import: tuple[ImportTimeNote, ...] = ()
    """What may add tests to it, its bases' too, when the module is
    imported."""
    line: int = 0
    """Where the module defines it (or binds it to what a call makes); 0
    for a class from another module."""
    condition: str = ""
    """When it is defined, where an ``if`` decides (pytest collects it only
    where that holds)."""


class Ignored(NamedTuple):
    """A ``collect_ignore`` (or ``collect_ignore_glob``) of a ``conftest.py``
    that names a module: the statement, where it is, and the condition it
    is made under (``""``: always)."""

    code: str
    path: str
    line: int
    condition: str


class NotCollected(NamedTuple):
    """The rule that keeps pytest from collecting a module, and its value:
    ``conftest`` (a ``conftest.py``), ``python_files`` (the patterns its
    name matches none of), ``norecursedirs`` (the folder that matches),
    ``__test__`` (the module sets it false)."""

    rule: str
    value: str


class Collection(NamedTuple):
    """What pytest collects from a module: its tests, and the classes that
    collect them (those collecting none too), each in pytest's order; what
    may make further tests when the module is imported; the
    ``collect_ignore`` entries naming it (one made always: nothing is
    collected); the rule that keeps pytest from the module, if one does."""

    tests: list[CollectedTest]
    classes: list[CollectedClass]
    made_at_import: tuple[ImportTimeNote, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    not_collected: NotCollected | None = None


def collect_tests(
    path: str,
    shape: ModuleShape,
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> list[CollectedTest]:
    """The tests pytest collects from the module at ``path`` of ``shape``;
    ``resolve`` finds bases and fixtures in other modules and the
    ``conftest.py`` files above (else there are none)."""
    return collect_module(path, shape, rules, resolve).tests


def collect_module(
    path: str,
    shape: ModuleShape,
    rules: CollectRules = DEFAULT_RULES,
    resolve: Resolver | None = None,
) -> Collection:
    """The tests and test classes pytest collects from the module at
    ``path`` of ``shape`` (see :func:`collect_tests`)."""
    against = rules.rule_against(path)
    if against is not None:
        return Collection([], [], not_collected=NotCollected(*against))
    if shape.test_flag is False:
        return Collection([], [], not_collected=NotCollected("__test__", "False"))
    ignored = tuple(_ignored_by(path, resolve))
    if any(not entry.condition for entry in ignored):
        return Collection([], [], (), ignored)
    classes = _Classes(path, shape, resolve)
    levels = module_levels(path, shape, resolve)
    above = _module_marks(path, rules, classes)
    module_scope = _scope(
        classes.module_parameters,
        classes.module_usefixtures,
        levels,
        rules,
        above,
        classes,
    )
    found = [
        _collected(f, f.name, "", "", module_scope)
        for f in shape.functions
        if rules.collects_function(f.name)
        and not f.fixture
        and f.name not in shape.not_tests
    ]
    bound = [
        (cls.line, cls.qualname, (path, cls.qualname), "")
        for cls in shape.classes
        if "." not in cls.qualname and cls.qualname not in shape.not_tests
    ]
    bound += [
        (line, name, (path, name), "")
        for line, name in classes.add_made()
        if name not in shape.not_tests
    ]
    bound += _imported_classes(path, shape, classes)
    # In the order of the module's namespace, where pytest finds them (the
    # names one statement binds in their order).
    for _line, name, ref, alias in sorted(bound, key=lambda bound: bound[0]):
        found += _collect_class(ref, classes, rules, name, levels, above, alias)
    own = {cls.qualname for cls in shape.classes}
    notes = (
        *(
            ImportTimeNote(made.code, path, made.line)
            for made in shape.made_at_import
            if made.owner not in own
        ),
        *_uncollected_decorators(path, shape, classes),
    )
    return Collection(found, classes.collected, notes, ignored)


def _uncollected_decorators(
    path: str, shape: ModuleShape, classes: _Classes
) -> Iterator[ImportTimeNote]:
    """The class decorators of the tree that may make names (``globals()[…]
    = type(…)``) on module-level classes pytest does not collect, whose
    headings do not show: what they make is the module's."""
    collected = {cls.node for cls in classes.collected}
    for cls in shape.classes:
        if "." not in cls.qualname and cls.qualname not in collected:
            for note in classes.notes((path, cls.qualname)):
                if note.code.startswith("@"):
                    yield note


def _ignored_by(path: str, resolve: Resolver | None) -> Iterator[Ignored]:
    """The ``collect_ignore`` entries of the ``conftest.py`` files above the
    module at ``path`` that name it or a folder it is in."""
    if resolve is None:
        return
    for conftest, shape in resolve.conftests(path):
        folder = posixpath.dirname(conftest)
        relative = posixpath.relpath(path, folder or ".").split("/")
        # The module, and each folder between it and the conftest's.
        places = ["/".join(relative[:end]) for end in range(1, len(relative) + 1)]
        for entry in shape.collect_ignore:
            if any(_ignores(entry, ignored, places) for ignored in entry.paths):
                yield Ignored(entry.code, conftest, entry.line, entry.condition)


def _ignores(entry: IgnoredPaths, ignored: str, places: list[str]) -> bool:
    if entry.glob:
        return any(fnmatch.fnmatch(place, ignored) for place in places)
    return posixpath.normpath(ignored) in places


def _imported_classes(
    path: str, shape: ModuleShape, classes: _Classes
) -> Iterator[tuple[int, str, ClassRef, str]]:
    """The classes module-level imports bind: where, under which name, the
    class, the name again (it is not the class's own); the last binding of
    a name wins, a class defined here above all."""
    local = {cls.qualname for cls in shape.classes}
    bound = {name: (dotted, line) for name, dotted, line in shape.imported}
    for name, (dotted, line) in bound.items():
        if name in local or name in shape.not_tests or classes.resolve is None:
            continue
        resolved = classes.resolve(path, dotted)
        if resolved is not None:
            classes.add_module(resolved.path, resolved.shape)
            ref = (resolved.path, resolved.qualname)
            if ref in classes.shapes:
                yield line, name, ref, name


class _Classes:
    """The classes of the module collected, and of the modules its bases
    come from, by :data:`ClassRef`."""

    def __init__(self, path: str, shape: ModuleShape, resolve: Resolver | None):
        self.path = path
        self.resolve = resolve
        module = self.follow(path, shape.parameters)
        self.module_parameters = module.parameters
        self.module_usefixtures = (*shape.usefixtures, *module.usefixtures)
        self.module_marks = (*shape.marks, *module.marks)
        self.hooks = _hooks(path, shape, resolve)
        """The hooks in sight that decide items or marks (:func:`_hooks`)."""
        self.shapes: dict[ClassRef, ClassShape] = {}
        self.modules: dict[str, ModuleShape] = {}
        self.functions: dict[str, dict[str, FunctionShape]] = {}
        """The module-level ``def`` statements of each module seen, by name."""
        self.defined: dict[str, set[str]] = {}
        """What the ``class`` and ``def`` statements of each module seen bind
        (every test asks what its decorators name: a lookup, not a scan)."""
        self.bases_of: dict[ClassRef, tuple[list[ClassRef], list[str]]] = {}
        self.collected: list[CollectedClass] = []
        """The classes collected so far, in order."""
        self.add_module(path, shape)

    def follow(self, path: str, parameters: tuple[Parameters, ...]) -> _Followed:
        """The marks of the module at ``path`` whose ``parameters`` are
        given, where those standing for imported names are followed into
        the tree: a parametrize bound there takes the name's place, another
        mark brings its name and fixtures; a name the tree binds to no
        mark brings nothing."""
        kept: list[Parameters] = []
        marks: list[str] = []
        used: list[str] = []
        for each in parameters:
            if not each.imported:
                kept.append(each)
                continue
            alias = self.imported_mark(path, each.imported)
            if alias is not None:
                marks.append(alias.mark)
                used.extend(alias.usefixtures)
                if alias.parameters is not None:
                    kept.append(alias.parameters)
        return _Followed(tuple(kept), tuple(marks), tuple(used))

    def signature(
        self, path: str, decorators: tuple[tuple[str, bool], ...]
    ) -> tuple[str, ...] | None:
        """The arguments of the function a ``def`` with ``decorators`` (of
        the module at ``path``, outermost first) ends as, where a decorator
        of the tree returns a wrapper that does not keep the signature of
        what it decorates; None where the ``def``'s own stands (a
        decorator found nowhere is taken to keep it)."""
        for dotted, called in decorators:
            found = self.lookup(path, dotted)
            if found is None:
                continue
            function = self.functions[found.path].get(found.qualname)
            if function is not None:
                wrapper = function.wrappers[1 if called else 0]
                if wrapper is not None:
                    return wrapper
        return None

    def imported_mark(self, path: str, dotted: str) -> MarkAlias | None:
        """The mark a module of the tree binds to the name ``dotted`` (as
        the module at ``path`` imports it), if any."""
        module, _dot, name = dotted.rpartition(".")
        if not module or self.resolve is None:
            return None
        found = self.resolve.module(path, module)
        return None if found is None else dict(found[1].mark_aliases).get(name)

    def add_module(self, path: str, shape: ModuleShape) -> None:
        if path not in self.modules:
            self.modules[path] = shape
            self.shapes.update(((path, cls.qualname), cls) for cls in shape.classes)
            self.functions[path] = {f.name: f for f in shape.functions}
            self.defined[path] = {cls.qualname for cls in shape.classes}
            self.defined[path].update(self.functions[path])

    def add_made(self) -> list[tuple[int, str]]:
        """Add the classes the collected module's assignments make with
        calls (:mod:`~sphinx_kwindex.factories`), as ``(line, name)``; none
        without a resolver."""
        if self.resolve is None:
            return []
        added = []
        bindings = self.modules[self.path].bindings
        base_only = {b.names[0] for b in bindings if b.base_only}
        for made in made_classes(self.path, bindings, self.lookup, _factory_of):
            ref = (self.path, made.name)
            if ref in self.shapes:
                continue  # a class statement binds the name too
            found = [b for b in made.bases if isinstance(b, ResolvedClass)]
            classes = [(b.path, b.qualname) for b in found if _defines_class(b)]
            others = [b for b in made.bases if isinstance(b, str)]
            if not classes and not others:
                continue  # what the call returns is a function
            maker = self.lookup(self.path, made.maker)
            metaclass = made.maker if maker and _is_metaclass(maker) else ""
            self.shapes[ref] = ClassShape(
                made.name, made.line, (), (), (), None, False, metaclass=metaclass
            )
            self.bases_of[ref] = (classes, others)
            if made.name not in base_only:
                added.append((made.line, made.name))
        return added

    def lookup(self, path: str, dotted: str) -> ResolvedClass | None:
        """The class or function ``dotted`` names in the module at ``path``
        (one already seen), else in the tree."""
        if dotted in self.defined[path]:
            return ResolvedClass(path, dotted, self.modules[path])
        resolved = None if self.resolve is None else self.resolve(path, dotted)
        if resolved is not None:
            self.add_module(resolved.path, resolved.shape)
        return resolved

    def bases(self, ref: ClassRef) -> tuple[list[ClassRef], list[str]]:
        """The bases of ``ref`` found (in its module or, resolved, another),
        and the dotted names of those that were not."""
        if ref not in self.bases_of:
            found: list[ClassRef] = []
            others: list[str] = []
            path, qualname = ref
            for base in self.shapes[ref].bases:
                if (path, base) in self.shapes and base != qualname:
                    found.append((path, base))
                elif (
                    self.resolve is not None
                    and (resolved := self.resolve(path, base))
                    and _defines_class(resolved)
                ):
                    self.add_module(resolved.path, resolved.shape)
                    found.append((resolved.path, resolved.qualname))
                else:
                    others.append(base)
            self.bases_of[ref] = (found, others)
        return self.bases_of[ref]

    def notes(self, ref: ClassRef) -> Iterator[ImportTimeNote]:
        """What may add tests to ``ref`` when its module is imported: its
        decorators that set attributes, its metaclass if the tree has it,
        ``setattr`` or ``locals()[…] =`` on it, its bases calls make."""
        path, qualname = ref
        shape = self.shapes[ref]
        for decorator, line in shape.decorators:
            found = self.lookup(path, decorator)
            if found is not None and any(
                f.name == found.qualname and f.makes_names
                for f in found.shape.functions
            ):
                yield ImportTimeNote(f"@{decorator}", path, line)
        if shape.metaclass:
            found = self.lookup(path, shape.metaclass)
            if found is not None and _defines_class(found):
                yield ImportTimeNote(f"metaclass={shape.metaclass}", path, shape.line)
        for made in self.modules[path].made_at_import:
            if made.owner == qualname:
                yield ImportTimeNote(made.code, path, made.line)

    def made_bases(self, ref: ClassRef) -> dict[str, ImportTimeNote]:
        """The bases of ``ref`` that calls of its module make and that could
        not be followed, with where."""
        path = ref[0]
        bindings = self.modules[path].bindings
        made_by = {name: binding for binding in bindings for name in binding.names}
        return {
            base: ImportTimeNote(
                base
                if made_by[base].base_only
                else f"{base} = {made_by[base].call_text}",
                path,
                made_by[base].line,
            )
            for base in self.bases(ref)[1]
            if base in made_by
        }

    def nested(self, ref: ClassRef) -> Iterator[ClassRef]:
        """The classes defined directly in the body of ``ref``."""
        path, qualname = ref
        for module, nested in self.shapes:
            if module == path and nested.rpartition(".")[0] == qualname:
                yield module, nested


def _factory_of(found: ResolvedClass) -> Factory | None:
    """The summary of the function found, if it may make classes; for a
    metaclass, what calling it makes."""
    if _is_metaclass(found):
        return METACLASS_CALL
    return next((f for f in found.shape.factories if f.name == found.qualname), None)


def _is_metaclass(found: ResolvedClass) -> bool:
    """Whether ``found`` is a class deriving from ``type`` itself."""
    return any(
        cls.qualname == found.qualname and "type" in cls.bases
        for cls in found.shape.classes
    )


def _defines_class(resolved: ResolvedClass) -> bool:
    return any(cls.qualname == resolved.qualname for cls in resolved.shape.classes)


def _collect_class(
    ref: ClassRef,
    classes: _Classes,
    rules: CollectRules,
    node: str,
    outer: Sequence[FixtureLevel],
    outer_marks: _Marks,
    name: str = "",
) -> list[CollectedTest]:
    """The tests of the class ``ref`` collected under the node path ``node``,
    the fixtures of the ``outer`` levels (enclosing classes, module,
    conftests) in sight; ``name`` is the name it is bound to, if not its
    own."""
    mro = _mro(ref, classes)
    if _inherited_flag(mro, classes) is False:
        return []
    levels = (
        class_level((*ref, classes.shapes[ref]) for ref in mro),
        *outer,
    )
    made = {base: n for each in mro for base, n in classes.made_bases(each).items()}
    notes = (*(n for each in mro for n in classes.notes(each)), *made.values())
    unseen = tuple(
        dict.fromkeys(
            base
            for each in mro
            for base in classes.bases(each)[1]
            if base != "object" and not _is_test_case_name(base) and base not in made
        )
    )
    own = [classes.follow(each[0], classes.shapes[each].parameters) for each in mro]
    used = (
        *(u for each in mro for u in classes.shapes[each].usefixtures),
        *(u for followed in own for u in followed.usefixtures),
        *classes.module_usefixtures,
    )
    line = classes.shapes[ref].line if ref[0] == classes.path else 0
    above = _Marks(
        (
            *outer_marks.names,
            *(m for each in mro for m in classes.shapes[each].marks),
            *(m for followed in own for m in followed.marks),
        ),
        outer_marks.complete and not unseen and not made,
        (*outer_marks.nodes, node.rpartition(".")[2]),
    )
    collected = CollectedClass(
        node,
        unseen,
        tuple(dict.fromkeys(notes)),
        line,
        classes.shapes[ref].condition,
    )
    if _is_test_case(mro, classes):
        classes.collected.append(collected)
        # unittest runs its methods: pytest neither parametrizes them nor
        # fills their arguments, but usefixtures and autouse fixtures apply.
        scope = _scope(None, used, levels, rules, above, classes)
        # unittest's loader lists them by name (``getTestCaseNames``).
        tests = sorted(
            _methods(mro, classes, node, _unittest_name, scope),
            key=lambda test: test.name,
        )
        # A case with no test* method runs its runTest, as unittest does.
        return tests or list(_methods(mro, classes, node, _RUN_TEST.__eq__, scope))
    if not rules.collects_class(name or ref[1].rpartition(".")[2]):
        return []
    if any(classes.shapes[each].has_init for each in mro):
        return []  # pytest warns that it cannot collect it, and skips it
    classes.collected.append(collected)
    marks = (
        *(p for followed in own for p in followed.parameters),
        *classes.module_parameters,
    )
    scope = _scope(marks, used, levels, rules, above, classes)
    hook = next(
        (
            f"{function.name} in {each[1]}, line {function.line}"
            for each in mro
            for function in classes.shapes[each].functions
            if function.name == "pytest_generate_tests"
        ),
        None,
    )
    if hook is not None:
        scope = scope._replace(hooks={**scope.hooks, "pytest_generate_tests": hook})
    found = list(_methods(mro, classes, node, rules.collects_function, scope))
    for nested in _nested_classes(mro, classes):
        inner = f"{node}.{nested[1].rpartition('.')[2]}"
        found += _collect_class(nested, classes, rules, inner, levels, above)
    return found


def _nested_classes(mro: list[ClassRef], classes: _Classes) -> Iterator[ClassRef]:
    """The classes defined in the bodies of a class's ``mro``, inherited ones
    too, the first of each name."""
    seen: set[str] = set()
    for ref in mro:
        for nested in classes.nested(ref):
            name = nested[1].rpartition(".")[2]
            if name not in seen:
                seen.add(name)
                yield nested


_RUN_TEST = "runTest"


def _unittest_name(name: str) -> bool:
    return name.startswith("test")


class _Scope(NamedTuple):
    """What a test gets from where it is collected: the ``parametrize`` marks
    of its class and module (None: a ``TestCase``'s, run by unittest), the
    fixtures their ``usefixtures`` marks name, and the fixture levels in
    sight, nearest first."""

    marks: tuple[Parameters, ...] | None
    usefixtures: tuple[str, ...]
    levels: Sequence[FixtureLevel]
    autouse: tuple[str, ...]
    """The ``autouse`` fixtures of ``levels``, in pytest's order."""
    rules: CollectRules
    above: _Marks
    module: _Classes
    """The module collected, with what it finds in the tree."""
    hooks: dict[str, str]
    """The hooks in sight that decide items, ids or marks, and where."""


class _Followed(NamedTuple):
    """Marks with those imported from the tree followed: the parametrize
    marks, the names of the others, the fixtures their usefixtures name."""

    parameters: tuple[Parameters, ...]
    marks: tuple[str, ...]
    usefixtures: tuple[str, ...]


class _Marks(NamedTuple):
    """What ``-m`` and ``-k`` see of the nodes above a test: the names of
    their marks, whether those are all known, and their names."""

    names: tuple[str, ...]
    complete: bool
    nodes: tuple[str, ...]


_MARKING_HOOKS = frozenset({"pytest_collection_modifyitems", "pytest_itemcollected"})
"""Hooks of a ``conftest.py`` that may add marks to the items collected."""


def _module_marks(path: str, rules: CollectRules, classes: _Classes) -> _Marks:
    """The marks of a module (``pytestmark``); they are all a test gets from
    above its class unless a hook in sight may add some; the names of the
    rootdir, the folders below and its file."""
    hooked = bool(_MARKING_HOOKS & classes.hooks.keys())
    nodes = (*rules.root_nodes, *path.split("/"))
    return _Marks(classes.module_marks, not hooked, nodes)


_ITEM_HOOKS = ("pytest_generate_tests", "pytest_make_parametrize_id")
"""Hooks that make the items of a test, or their ids, in code."""


def _hooks(path: str, shape: ModuleShape, resolve: Resolver | None) -> dict[str, str]:
    """The hooks of the module at ``path`` and of the ``conftest.py`` files
    above it that decide items or marks, by name, each with where the
    nearest is (``pytest_generate_tests in conftest.py, line 4``)."""
    conftests = () if resolve is None else resolve.conftests(path)
    found: dict[str, str] = {}
    for module, module_shape in ((path, shape), *conftests):
        for function in module_shape.functions:
            if function.name in (*_ITEM_HOOKS, *_MARKING_HOOKS):
                where = f"{function.name} in {module}, line {function.line}"
                found.setdefault(function.name, where)
    return found


def _scope(
    marks: tuple[Parameters, ...] | None,
    usefixtures: tuple[str, ...],
    levels: Sequence[FixtureLevel],
    rules: CollectRules,
    above: _Marks,
    classes: _Classes,
) -> _Scope:
    return _Scope(
        marks,
        usefixtures,
        levels,
        tuple(autouse_names(levels)),
        rules,
        above,
        classes,
        classes.hooks,
    )


def _methods(
    mro: list[ClassRef],
    classes: _Classes,
    node: str,
    collects: Callable[[str], bool],
    scope: _Scope,
) -> Iterator[CollectedTest]:
    """The test methods of a class with method resolution order ``mro``: the
    first definition of each name wins, whatever it is; as pytest lists
    them, those its bases define first (the most basic first), each class's
    in the order its body defines them."""
    seen: set[str] = set()
    by_class: list[list[CollectedTest]] = []
    for path, qualname in mro:
        shape = classes.shapes[path, qualname]
        found = []
        for function in shape.functions:
            if function.name in seen:
                continue
            seen.add(function.name)
            if collects(function.name) and not function.fixture:
                defined_path = "" if path == classes.path else path
                name = f"{node}.{function.name}"
                found.append(_collected(function, name, qualname, defined_path, scope))
        seen.update(shape.others)
        by_class.append(found)
    for found in reversed(by_class):
        yield from found


def _collected(
    function: FunctionShape,
    qualname: str,
    defined_in: str,
    defined_path: str,
    scope: _Scope,
) -> CollectedTest:
    """The test ``function`` makes, collected as ``qualname`` in ``scope``:
    the fixtures it asks for by argument or ``usefixtures``, the
    ``autouse`` ones, and the items its marks and their params make."""
    marks, levels = scope.marks, scope.levels
    arguments = () if marks is None else function.arguments
    module = scope.module
    followed = module.follow(defined_path or module.path, function.parameters)
    wrapper = module.signature(defined_path or module.path, function.decorators)
    if wrapper is not None and marks is not None:
        # pytest sees the wrapper a decorator returns, a method's without self.
        arguments = wrapper[1:] if "." in qualname else wrapper
    own = () if marks is None else followed.parameters
    direct = {name for mark in (*own, *(marks or ())) for name in mark.argnames}
    named = (
        *function.usefixtures,
        *followed.usefixtures,
        *scope.usefixtures,
        *arguments,
    )
    asked = [name for name in dict.fromkeys(named) if name not in direct]
    autouse = [name for name in scope.autouse if name not in asked]
    closure = fixture_closure([*autouse, *asked], direct, levels)
    fixtures = (
        *(used_fixture(name, levels, False) for name in asked),
        *(used_fixture(name, levels, True) for name in autouse),
        *(
            used_fixture(name, levels, False)._replace(through=True)
            for name in closure
            if name not in asked and name not in autouse and name != "request"
        ),
    )
    marked = (*fixture_parameters(closure), *own, *(marks or ()))
    items, ids, unknown = _items(marked, scope.rules.long_strings)
    made_by_code = scope.hooks.get("pytest_generate_tests")
    if made_by_code and marks is not None:
        items, ids, unknown = None, None, made_by_code
        # A name found nowhere may be one the hook parametrizes: no
        # plugin's fixture is claimed.
        fixtures = tuple(f for f in fixtures if f.path or f.builtin)
    elif ids is not None and "pytest_make_parametrize_id" in scope.hooks:
        ids, unknown = None, scope.hooks["pytest_make_parametrize_id"]
    deselected = _deselected_by(
        (*function.marks, *followed.marks), function, scope, parametrized=bool(marked)
    )
    needs = tuple(
        (definition.path, definition.shape.name)
        for definitions in closure.values()
        for definition in definitions
    )
    return CollectedTest(
        function.name,
        qualname,
        function.line,
        function.doc,
        defined_in,
        defined_path,
        items=items,
        item_ids=ids,
        unknown=unknown,
        fixtures=fixtures,
        needs=needs,
        deselected=deselected,
        condition=function.condition,
    )


def _deselected_by(
    own: tuple[str, ...], function: FunctionShape, scope: _Scope, parametrized: bool
) -> str:
    """The ``addopts`` option that deselects every item of the test
    ``function`` with the marks ``own`` (``-m 'not slow'``), where it
    certainly does; else ``""``.
    The items of a parametrized test may carry marks and ids of their own:
    only what holds whatever they are is said."""
    above = scope.above
    marks = frozenset((*own, *above.names))
    complete = above.complete and not parametrized
    for option, expression in scope.rules.selection:
        if option == "-m":
            selected = evaluate(expression, mark_matcher(marks, complete))
        else:
            names = frozenset((function.name, *above.nodes, *marks))
            known = complete and not function.other_decorators
            selected = evaluate(expression, keyword_matcher(names, known))
        if selected is False:
            return f"{option} {shlex.quote(expression)}"
    return ""


def _mro(ref: ClassRef, classes: _Classes) -> list[ClassRef]:
    """``ref`` and the bases found, in C3 order; a hierarchy Python would
    refuse falls back to depth-first order."""
    try:
        return _c3(ref, classes, frozenset())
    except ValueError:
        return list(_depth_first(ref, classes, set()))


def _c3(ref: ClassRef, classes: _Classes, seen: frozenset[ClassRef]) -> list[ClassRef]:
    if ref in seen:
        raise ValueError("a class that is its own base")
    parents = classes.bases(ref)[0]
    sequences = [_c3(parent, classes, seen | {ref}) for parent in parents]
    sequences.append(list(parents))
    merged: list[ClassRef] = [ref]
    while any(sequences):
        for sequence in sequences:
            if not sequence:
                continue
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            raise ValueError("no consistent method resolution order")
        merged.append(head)
        sequences = [s[1:] if s and s[0] == head else s for s in sequences]
    return merged


def _depth_first(
    ref: ClassRef, classes: _Classes, seen: set[ClassRef]
) -> Iterator[ClassRef]:
    if ref in seen:
        return
    seen.add(ref)
    yield ref
    for base in classes.bases(ref)[0]:
        yield from _depth_first(base, classes, seen)


def _inherited_flag(mro: list[ClassRef], classes: _Classes) -> bool | None:
    """``__test__`` as the class would have it, where a literal sets it."""
    for ref in mro:
        flag = classes.shapes[ref].test_flag
        if flag is not None:
            return flag
    return None


def _is_test_case(mro: list[ClassRef], classes: _Classes) -> bool:
    """Whether a class of this ``mro`` derives from the ``TestCase`` family
    (a base from elsewhere named ``…TestCase`` is taken for one)."""
    return any(
        _is_test_case_name(base) for ref in mro for base in classes.bases(ref)[1]
    )


def _is_test_case_name(base: str) -> bool:
    """Whether a base from elsewhere is taken for a ``TestCase``."""
    return base in UNITTEST_CASES or base.rpartition(".")[2].endswith("TestCase")


def _items(
    marks: Sequence[Parameters], long_strings: str
) -> tuple[int | None, tuple[str, ...] | None, str]:
    """How many items ``parametrize`` marks and parametrized fixtures make,
    in the order pytest applies them, and their ids: one item per
    combination, its id the marks' ids joined by ``-`` in that order,
    long strings spelled by the ``long_strings`` strategy; where only a
    run knows, None and why. ``(1, None, "")`` without any."""
    if not marks:
        return 1, None, ""
    count: int | None = 1
    ids: list[str] | None = []
    unknown = ""
    for mark in marks:
        count = None if count is None or mark.size is None else count * mark.size
        made = _mark_ids(mark, long_strings)
        if ids is None or made is None:
            ids = None
        else:
            ids = [f"{a}-{b}" for a in ids for b in made] if ids else list(made)
        if made is None and not unknown:
            unknown = mark.unknown or f"{LONG_STRING_IDS} = {long_strings}"
    return count, tuple(ids) if ids else None, unknown


def _mark_ids(mark: Parameters, long_strings: str) -> tuple[str, ...] | None:
    """A mark's ids under the ``parametrize_long_str_id_strategy``
    ``long_strings``: ``short`` and ``legacy`` are known, the others only
    where no value is long."""
    if mark.legacy_ids is None or long_strings == "short":
        return mark.ids
    return mark.legacy_ids if long_strings == "legacy" else None
