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

Bases are looked up in the module, then, through a :class:`Resolver`, in the
other modules of the tree as pytest imports them (:func:`file_resolver`),
which also finds ``conftest.py`` files and plugin modules;
a base from outside brings no tests (a ``TestCase`` from ``unittest`` makes
its subclasses test cases). The rules come from the project's pytest
configuration (:func:`read_rules`), read as text, never run.
"""

from __future__ import annotations

import configparser
import fnmatch
import functools
import posixpath
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from sphinx_kwindex.factories import METACLASS_CALL, Binding, Factory, made_classes
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # as pytest itself reads it there
    import tomli as tomllib

UNITTEST_CASES = frozenset(
    {
        "unittest.TestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.case.TestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
        "unittest.FunctionTestCase",
    }
)
"""The standard ``TestCase`` family: a class deriving from one is a test case
whatever its name, and its methods named ``test*`` are tests."""


@dataclass(frozen=True, slots=True)
class CollectRules:
    """pytest's ``python_files``, ``python_classes``, ``python_functions``
    and ``norecursedirs``."""

    files: tuple[str, ...] = ("test_*.py", "*_test.py")
    classes: tuple[str, ...] = ("Test",)
    functions: tuple[str, ...] = ("test",)
    norecursedirs: tuple[str, ...] = (
        "*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv",
        "{arch}",
    )  # fmt: skip

    def collects_file(self, path: str) -> bool:
        """Whether pytest collects the file at ``path`` (POSIX, relative to the
        root or absolute): it matches ``python_files`` and no folder it is in
        matches ``norecursedirs``."""
        name = path.rpartition("/")[2]
        if name == "conftest.py" or not _fnmatch_ex(path, self.files):
            return False
        return not _skipped_folder(path.rpartition("/")[0], self.norecursedirs)

    def collects_class(self, name: str) -> bool:
        """Whether a (non-``TestCase``) class of this name is collected."""
        return _matches(name, self.classes)

    def collects_function(self, name: str) -> bool:
        """Whether a function or method of this name is collected."""
        return _matches(name, self.functions)


DEFAULT_RULES = CollectRules()

_CONFIG_FILES = (
    ("pytest.ini", "pytest"),
    (".pytest.ini", "pytest"),
    ("pyproject.toml", ""),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
)
"""pytest's configuration files, in the order it looks for them in a folder,
with the section that makes a file pytest's (``pyproject.toml``: the table
``[tool.pytest.ini_options]``)."""


def read_rules(folder: Path) -> tuple[CollectRules, Path | None]:
    """The rules of the pytest configuration at or above ``folder``, as pytest
    finds it (the first folder with a file that configures pytest, the first
    such file there), and that file; the defaults where there is none.

    Nothing is run: ``.ini`` and ``.cfg`` files are read as text, TOML with
    :mod:`tomllib` where Python has it.
    """
    for directory in (folder, *folder.parents):
        for name, section in _CONFIG_FILES:
            path = directory / name
            if not path.is_file():
                continue
            options = _read_options(path, section)
            if options is not None:
                return _rules_from(options), path
    return DEFAULT_RULES, None


def _read_options(path: Path, section: str) -> dict[str, object] | None:
    """The pytest options of one file, or None if it does not configure pytest."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not section:
        return _toml_options(text)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, str(path))
    except configparser.Error:
        return None
    if not parser.has_section(section):
        return {} if path.name in ("pytest.ini", ".pytest.ini") else None
    return dict(parser.items(section))


def _toml_options(text: str) -> dict[str, object] | None:
    try:
        data = tomllib.loads(text)
    except ValueError:
        return None
    table = data.get("tool", {}).get("pytest")
    if not isinstance(table, dict):
        return None
    options = table.get("ini_options", table)
    return options if isinstance(options, dict) else None


def _rules_from(options: Mapping[str, object]) -> CollectRules:
    def values(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = options.get(name)
        if isinstance(value, str):
            return tuple(value.split()) or default
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value) or default
        return default

    return CollectRules(
        values("python_files", DEFAULT_RULES.files),
        values("python_classes", DEFAULT_RULES.classes),
        values("python_functions", DEFAULT_RULES.functions),
        values("norecursedirs", DEFAULT_RULES.norecursedirs),
    )


@functools.lru_cache(maxsize=4096)
def _skipped_folder(folder: str, norecursedirs: tuple[str, ...]) -> bool:
    """Whether ``folder`` or a folder it is in matches ``norecursedirs``
    (asked for every module of a folder: remembered)."""
    while folder:
        if _fnmatch_ex(folder, norecursedirs):
            return True
        folder = folder.rpartition("/")[0]
    return False


def _fnmatch_ex(path: str, patterns: Iterable[str]) -> bool:
    """pytest's ``fnmatch_ex``: a pattern with a ``/`` matches the end of
    ``path``, any other its last name."""
    name = path.rpartition("/")[2]
    whole = "/" + path.lstrip("/")
    return any(
        fnmatch.fnmatch(whole, f"*/{pattern}")
        if "/" in pattern
        else fnmatch.fnmatch(name, pattern)
        for pattern in patterns
    )


def _matches(name: str, options: Iterable[str]) -> bool:
    """pytest's rule: a prefix, or a glob if the option has glob characters."""
    return any(
        name.startswith(option) or fnmatch.fnmatch(name, option) for option in options
    )


class Parameters(NamedTuple):
    """One ``pytest.mark.parametrize``: the ids of its parameter sets as
    pytest makes them, or ``ids`` None where they depend on values only a
    run knows; ``size`` None where even their number does."""

    size: int | None
    ids: tuple[str, ...] | None
    argnames: tuple[str, ...] = ()


class FixtureShape(NamedTuple):
    """What ``@pytest.fixture`` makes of a ``def``."""

    name: str
    """The name tests ask for it by (``name=``, else the function's)."""
    autouse: bool
    scope: str = "function"
    params: Parameters | None = None
    """Its ``params``, None where it has none."""


class FunctionShape(NamedTuple):
    """A ``def`` as collection sees it."""

    name: str
    line: int
    doc: str
    fixture: FixtureShape | None
    parameters: tuple[Parameters, ...] = ()
    """Its ``parametrize`` marks, the one nearest the ``def`` first."""
    arguments: tuple[str, ...] = ()
    """The arguments pytest fills (no default; a method's first left out)."""
    usefixtures: tuple[str, ...] = ()
    """The fixtures its ``usefixtures`` marks name."""
    makes_names: bool = False
    """Whether its body calls ``setattr``, sets ``globals()[…]`` or an
    attribute of its first parameter (a class decorator, or a function
    called at import, that may add tests); noted for module-level functions
    only."""


class ClassShape(NamedTuple):
    """A ``class`` as collection sees it (at module level or in a class)."""

    qualname: str
    line: int
    bases: tuple[str, ...]
    """Dotted names as the module's imports make them (``unittest.TestCase``)."""
    functions: tuple[FunctionShape, ...]
    """The ``def`` statements of its body."""
    others: tuple[str, ...]
    """Other names its body binds (``test_x = None`` hides an inherited test)."""
    test_flag: bool | None
    """A literal ``__test__`` in its body."""
    has_init: bool
    """Whether its body defines ``__init__`` or ``__new__``."""
    parameters: tuple[Parameters, ...] = ()
    """Its ``parametrize`` marks (decorators, ``pytestmark``)."""
    usefixtures: tuple[str, ...] = ()
    """The fixtures its ``usefixtures`` marks name."""
    decorators: tuple[tuple[str, int], ...] = ()
    """Its other decorators (not marks): dotted name, line."""
    metaclass: str = ""
    """Its ``metaclass=``, as a dotted name."""
    condition: str = ""
    """For a module-level class defined in ``if`` blocks, when it is:
    ``sys.platform == 'win32'``, ``not (…) and …`` in an ``else``."""


class MadeAtImport(NamedTuple):
    """A statement that makes names when the module is imported, in a way
    only a run tells (``globals()[name] = …``, ``setattr(TestX, …)``, and
    ``locals()[name] = …`` in a class body)."""

    line: int
    code: str
    """Its first line, shortened."""
    owner: str
    """The class whose namespace it fills, by its dotted name in the
    module; ``""``: the module's."""


class IgnoredPaths(NamedTuple):
    """Paths a ``conftest.py`` tells pytest not to collect, relative to its
    folder: ``collect_ignore`` (a file or folder each) or
    ``collect_ignore_glob`` (patterns), set or extended with literals."""

    paths: tuple[str, ...]
    glob: bool
    line: int
    code: str
    """The statement's first line, shortened."""
    condition: str = ""
    """Where module-level ``if`` statements decide, when they apply."""


class ModuleShape(NamedTuple):
    """What collection needs of a module."""

    classes: tuple[ClassShape, ...] = ()
    functions: tuple[FunctionShape, ...] = ()
    """Module-level ``def`` statements."""
    test_flag: bool | None = None
    """A literal module-level ``__test__``."""
    not_tests: frozenset[str] = frozenset()
    """Names given ``name.__test__ = False`` at module level."""
    imported: tuple[tuple[str, str, int], ...] = ()
    """``(name, dotted path, line)`` of what module-level ``from … import``
    binds."""
    parameters: tuple[Parameters, ...] = ()
    """The module's ``parametrize`` marks (``pytestmark``)."""
    usefixtures: tuple[str, ...] = ()
    """The fixtures its ``usefixtures`` marks (``pytestmark``) name."""
    plugins: tuple[str, ...] = ()
    """The modules its ``pytest_plugins`` names."""
    factories: tuple[Factory, ...] = ()
    """What its functions that may return made classes return."""
    bindings: tuple[Binding, ...] = ()
    """Its module-level assignments of calls (which may bind made classes)."""
    made_at_import: tuple[MadeAtImport, ...] = ()
    collect_ignore: tuple[IgnoredPaths, ...] = ()
    """What it adds to ``collect_ignore`` and ``collect_ignore_glob``."""

    @property
    def foreign_bases(self) -> bool:
        """Whether a class may come from another module: an imported name, a
        class a call makes, or a base from elsewhere (but ``unittest``)."""
        local = {cls.qualname for cls in self.classes}
        return bool(self.imported or self.bindings) or any(
            base not in local and base not in UNITTEST_CASES
            for cls in self.classes
            for base in cls.bases
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
    fixtures: tuple[UsedFixture, ...] = ()
    """The fixtures it asks for by argument, then the ``autouse`` ones."""
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


class ResolvedClass(NamedTuple):
    """A base class found in another module: that module's path (as the
    caller names modules), the class's qualified name there, its shape."""

    path: str
    qualname: str
    shape: ModuleShape


class Resolver(Protocol):
    """Finds what a module takes from the rest of the tree."""

    def __call__(self, path: str, dotted: str) -> ResolvedClass | None:
        """The class (or module-level function) a dotted name of the module
        at ``path`` names."""

    def conftests(self, path: str) -> Sequence[tuple[str, ModuleShape]]:
        """The ``conftest.py`` files whose fixtures the module at ``path``
        sees, nearest first, as ``(path, shape)``."""

    def module(self, path: str, dotted: str) -> tuple[str, ModuleShape] | None:
        """The module of the tree a dotted module name of the module at
        ``path`` names (a ``pytest_plugins`` entry), as ``(path, shape)``."""


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


class Collection(NamedTuple):
    """What pytest collects from a module: its tests, and the classes that
    collect them (those collecting none too), each in pytest's order; what
    may make further tests when the module is imported; the
    ``collect_ignore`` entries naming it (one made always: nothing is
    collected)."""

    tests: list[CollectedTest]
    classes: list[CollectedClass]
    made_at_import: tuple[ImportTimeNote, ...] = ()
    ignored: tuple[Ignored, ...] = ()


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
    if not rules.collects_file(path) or shape.test_flag is False:
        return Collection([], [])
    ignored = tuple(_ignored_by(path, resolve))
    if any(not entry.condition for entry in ignored):
        return Collection([], [], (), ignored)
    classes = _Classes(path, shape, resolve)
    levels = module_levels(path, shape, resolve)
    module_scope = _scope(shape.parameters, shape.usefixtures, levels)
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
        found += _collect_class(ref, classes, rules, name, levels, alias)
    own = {cls.qualname for cls in shape.classes}
    notes = tuple(
        ImportTimeNote(made.code, path, made.line)
        for made in shape.made_at_import
        if made.owner not in own
    )
    return Collection(found, classes.collected, notes, ignored)


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
        self.module_parameters = shape.parameters
        self.module_usefixtures = shape.usefixtures
        self.resolve = resolve
        self.shapes: dict[ClassRef, ClassShape] = {}
        self.modules: dict[str, ModuleShape] = {}
        self.bases_of: dict[ClassRef, tuple[list[ClassRef], list[str]]] = {}
        self.collected: list[CollectedClass] = []
        """The classes collected so far, in order."""
        self.add_module(path, shape)

    def add_module(self, path: str, shape: ModuleShape) -> None:
        if path not in self.modules:
            self.modules[path] = shape
            self.shapes.update(((path, cls.qualname), cls) for cls in shape.classes)

    def add_made(self) -> list[tuple[int, str]]:
        """Add the classes the collected module's assignments make with
        calls (:mod:`~sphinx_kwindex.factories`), as ``(line, name)``; none
        without a resolver."""
        if self.resolve is None:
            return []
        added = []
        bindings = self.modules[self.path].bindings
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
            added.append((made.line, made.name))
        return added

    def lookup(self, path: str, dotted: str) -> ResolvedClass | None:
        """The class or function ``dotted`` names in the module at ``path``
        (one already seen), else in the tree."""
        shape = self.modules[path]
        if any(cls.qualname == dotted for cls in shape.classes) or any(
            function.name == dotted for function in shape.functions
        ):
            return ResolvedClass(path, dotted, shape)
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
                f"{base} = {made_by[base].call_text}", path, made_by[base].line
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
    used = (
        *(u for each in mro for u in classes.shapes[each].usefixtures),
        *classes.module_usefixtures,
    )
    line = classes.shapes[ref].line if ref[0] == classes.path else 0
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
        scope = _scope(None, used, levels)
        tests = list(_methods(mro, classes, node, _unittest_name, scope))
        # A case with no test* method runs its runTest, as unittest does.
        return tests or list(_methods(mro, classes, node, _RUN_TEST.__eq__, scope))
    if not rules.collects_class(name or ref[1].rpartition(".")[2]):
        return []
    if any(classes.shapes[each].has_init for each in mro):
        return []  # pytest warns that it cannot collect it, and skips it
    classes.collected.append(collected)
    marks = (
        *(p for each in mro for p in classes.shapes[each].parameters),
        *classes.module_parameters,
    )
    scope = _scope(marks, used, levels)
    found = list(_methods(mro, classes, node, rules.collects_function, scope))
    for nested in _nested_classes(mro, classes):
        inner = f"{node}.{nested[1].rpartition('.')[2]}"
        found += _collect_class(nested, classes, rules, inner, levels)
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


def _scope(
    marks: tuple[Parameters, ...] | None,
    usefixtures: tuple[str, ...],
    levels: Sequence[FixtureLevel],
) -> _Scope:
    return _Scope(marks, usefixtures, levels, tuple(autouse_names(levels)))


def _methods(
    mro: list[ClassRef],
    classes: _Classes,
    node: str,
    collects: Callable[[str], bool],
    scope: _Scope,
) -> Iterator[CollectedTest]:
    """The test methods of a class with method resolution order ``mro``: the
    first definition of each name wins, whatever it is."""
    seen: set[str] = set()
    for path, qualname in mro:
        shape = classes.shapes[path, qualname]
        for function in shape.functions:
            if function.name in seen:
                continue
            seen.add(function.name)
            if collects(function.name) and not function.fixture:
                yield _collected(
                    function,
                    f"{node}.{function.name}",
                    qualname,
                    "" if path == classes.path else path,
                    scope,
                )
        seen.update(shape.others)


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
    own = () if marks is None else function.parameters
    direct = {name for mark in (*own, *(marks or ())) for name in mark.argnames}
    named = (*function.usefixtures, *scope.usefixtures, *arguments)
    asked = [name for name in dict.fromkeys(named) if name not in direct]
    autouse = [name for name in scope.autouse if name not in asked]
    fixtures = (
        *(used_fixture(name, levels, False) for name in asked),
        *(used_fixture(name, levels, True) for name in autouse),
    )
    closure = fixture_closure([*autouse, *asked], direct, levels)
    items, ids = _items((*fixture_parameters(closure), *own, *(marks or ())))
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
        items,
        ids,
        fixtures,
        needs,
    )


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


class _TreeResolver:
    """A :class:`Resolver` over the modules under a root folder."""

    def __init__(self, root: Path, load: Callable[[Path], ModuleShape | None]):
        self.root = root
        self.load = load
        self.files: dict[Path, bool] = {}
        self.by_parts: dict[tuple[str, ...], ResolvedClass | None] = {}
        self.conftests_in: dict[str, tuple[str, ModuleShape] | None] = {}
        self.modules: dict[tuple[str, str], tuple[str, ModuleShape] | None] = {}

    def is_file(self, path: Path) -> bool:
        if path not in self.files:
            self.files[path] = path.is_file()
        return self.files[path]

    def __call__(self, path: str, dotted: str) -> ResolvedClass | None:
        for parts in _candidate_parts(self.root, path, dotted, self.is_file):
            key = tuple(parts)
            if key not in self.by_parts:
                self.by_parts[key] = _resolve(self.root, self.load, parts, self.is_file)
            if self.by_parts[key] is not None:
                return self.by_parts[key]
        return None

    def conftests(self, path: str) -> list[tuple[str, ModuleShape]]:
        found = []
        folder = path
        while folder:
            folder = folder.rpartition("/")[0]
            conftest = self.conftest_in(folder)
            if conftest is not None:
                found.append(conftest)
        return found

    def module(self, path: str, dotted: str) -> tuple[str, ModuleShape] | None:
        key = (path.rpartition("/")[0], dotted)  # where it is looked up from
        if key not in self.modules:
            self.modules[key] = self.find_module(path, dotted)
        return self.modules[key]

    def find_module(self, path: str, dotted: str) -> tuple[str, ModuleShape] | None:
        for parts in _candidate_parts(self.root, path, dotted, self.is_file):
            for file in _module_files(self.root, parts):
                if self.is_file(file) and (shape := self.load(file)) is not None:
                    return file.relative_to(self.root).as_posix(), shape
        return None

    def conftest_in(self, folder: str) -> tuple[str, ModuleShape] | None:
        if folder not in self.conftests_in:
            relative = f"{folder}/conftest.py" if folder else "conftest.py"
            file = self.root / relative
            shape = self.load(file) if self.is_file(file) else None
            self.conftests_in[folder] = None if shape is None else (relative, shape)
        return self.conftests_in[folder]


def file_resolver(root: Path, load: Callable[[Path], ModuleShape | None]) -> Resolver:
    """A :class:`Resolver` over the modules under ``root``, importing as
    pytest does by default: a dotted name from ``root`` or from the module's
    ``basedir`` (the first folder above it without an ``__init__.py``); a
    relative one from the module's package. ``load`` gives a file's shape
    (None for a file that is not Python); module paths are POSIX, relative
    to ``root``. What it looked up it remembers: a suite imports the same
    names in module after module."""
    return _TreeResolver(root, load)


def _resolve(
    root: Path,
    load: Callable[[Path], ModuleShape | None],
    parts: list[str],
    is_file: Callable[[Path], bool],
) -> ResolvedClass | None:
    """The class ``parts`` name under ``root``: the longest module path that
    is a file, the rest the class's qualified name in it."""
    for split in range(len(parts) - 1, 0, -1):
        module, qualname = parts[:split], ".".join(parts[split:])
        for file in _module_files(root, module):
            if not is_file(file):
                continue
            shape = load(file)
            if shape is None:
                return None
            if any(cls.qualname == qualname for cls in shape.classes) or any(
                function.name == qualname for function in shape.functions
            ):
                return ResolvedClass(file.relative_to(root).as_posix(), qualname, shape)
            return None  # the module is there, the class is not (re-exported)
    return None


def _module_files(root: Path, parts: list[str]) -> tuple[Path, Path]:
    """Where the module of dotted ``parts`` may be under ``root``: a file, or
    a package's ``__init__.py``."""
    return (
        root.joinpath(*parts[:-1], parts[-1] + ".py"),
        root.joinpath(*parts, "__init__.py"),
    )


def _candidate_parts(
    root: Path, path: str, dotted: str, is_file: Callable[[Path], bool]
) -> Iterator[list[str]]:
    """The dotted name as path parts from ``root``, where Python could import
    it from."""
    folder = Path(path).parent.parts
    if dotted.startswith("."):
        rest = dotted.lstrip(".")
        up = len(dotted) - len(rest) - 1
        package = list(folder)
        if up > len(package) or not rest:
            return
        yield [*package[: len(package) - up], *rest.split(".")]
        return
    parts = dotted.split(".")
    basedir = list(folder)
    while basedir and is_file(root.joinpath(*basedir, "__init__.py")):
        basedir.pop()
    if basedir:
        yield [*basedir, *parts]
    yield parts


def _items(
    marks: Sequence[Parameters],
) -> tuple[int | None, tuple[str, ...] | None]:
    """How many items ``parametrize`` marks and parametrized fixtures make,
    in the order pytest applies them, and their ids: one item per
    combination, its id the marks' ids joined by ``-`` in that order.
    ``(1, None)`` without any; None where only a run knows."""
    if not marks:
        return 1, None
    count: int | None = 1
    ids: list[str] | None = []
    for mark in marks:
        count = None if count is None or mark.size is None else count * mark.size
        if ids is None or mark.ids is None:
            ids = None
        else:
            ids = [f"{a}-{b}" for a in ids for b in mark.ids] if ids else list(mark.ids)
    return count, tuple(ids) if ids else None
