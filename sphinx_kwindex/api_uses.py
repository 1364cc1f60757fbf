"""Which objects of the project under test a test uses, decided statically
across modules (plain data, no Sphinx, nothing imported or run).

A test *uses* an object of the project's packages when code of the test
tree calls it for the test: the test's body, the fixtures its setup runs,
and the helper functions and methods of the test tree they call, followed
as far as they go. A class is used when it is instantiated, a function or
method when it is called, a property when it is read. The chains of
``uses.py`` are followed through imports (absolute, relative, aliased),
re-exports (a package's ``__init__.py`` handing a name on), attribute
chains, bases (a method a class inherits is its base's), a name bound to a
constructor call or to a call whose return is annotated, attributes a class
binds on ``self`` (``setUp``, ``__init__``) and what fixtures return. An
object is named where it is defined (``shop.cart.Cart.add``), whatever the
name it was reached by. What cannot be followed is left out, never guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from sphinx_kwindex.collect import CollectedTest
from sphinx_kwindex.names import pytest_node_id
from sphinx_kwindex.tree_resolver import candidate_parts, module_files
from sphinx_kwindex.uses import (
    ARG,
    CALL,
    CLS,
    IMPORT,
    SELF,
    Call,
    Chain,
    ClassUses,
    FunctionUses,
    ModuleUses,
    module_uses,
)

_DEPTH = 12
"""How deep following goes (chains through names through chains), at most."""
_NESTING = 4
"""How many helpers deep arguments are followed into, at most."""


class Value(NamedTuple):
    """What a chain reaches: a ``module``, a ``class``, a ``function`` or an
    ``instance`` of a class, in the module at ``path`` (``qualname``
    ``""`` for a module)."""

    kind: str
    path: str
    qualname: str = ""


UNKNOWN = Value("unknown", "")
"""What one of several values may be that cannot be followed: with it,
nothing is said of what the value is."""


class Context(NamedTuple):
    """Where a function's chains are read: its module's ``path``, its
    class's qualified name (``""`` at module level), what its parameters
    are (a parameter's name to the values it holds) and what its first
    parameter is, where another class than its own (a test inherited by
    the class collecting it)."""

    path: str
    cls: str = ""
    arguments: Mapping[str, tuple[Value, ...]] = {}
    this: Value | None = None


def _context_key(context: Context) -> tuple[object, ...]:
    """``context`` as a key of a dictionary."""
    return (
        context.path,
        context.cls,
        tuple(sorted(context.arguments.items())),
        context.this,
    )


class ApiUses:
    """Follows chains across the modules ``find`` and ``load`` give.

    ``find(path, dotted)`` is the path of the module a dotted name (relative
    with leading dots) names from the module at ``path``, or None;
    ``load(path)`` the module's references; ``dotted(path)`` the module's
    dotted name, ``None`` for a module outside the project's packages (a
    test module or helper: its functions are followed, not named)."""

    def __init__(
        self,
        find: Callable[[str, str], str | None],
        load: Callable[[str], ModuleUses | None],
        dotted: Callable[[str], str | None],
    ) -> None:
        self.find = find
        self.load = load
        self.dotted = dotted
        self.followed: dict[tuple[object, ...], frozenset[str]] = {}
        self.mros: dict[tuple[str, str], tuple[Value, ...]] = {}
        self.nesting = 0
        """How many helpers deep arguments are being followed now."""

    # What a function uses

    def uses_of(
        self, path: str, qualname: str, context: Context | None = None
    ) -> frozenset[str]:
        """The objects of the packages the function ``qualname`` of the
        module at ``path`` calls, and those its helpers of the test tree
        call, by the names they are defined under."""
        # The same fixture with the same values, for test after test.
        key = (path, qualname, None if context is None else _context_key(context))
        if key in self.followed:
            return self.followed[key]
        self.followed[key] = frozenset()  # recursion stops here
        function = self.function(path, qualname)
        if function is None:
            return frozenset()
        cls = qualname.rpartition(".")[0]
        where = context or Context(path, cls)
        used: set[str] = set()
        for chain in function.chains:
            self.follow(where, chain, used, 0)
        for call in function.calls:
            used |= self.helper_with_arguments(where, call)
        found = frozenset(used)
        self.followed[key] = found
        return found

    def helper_with_arguments(self, where: Context, call: Call) -> frozenset[str]:
        """What a helper of the test tree that ``call`` calls uses with the
        values its arguments give its parameters."""
        callees = self.follow(where, call.callee, set(), 0)
        if len(callees) != 1 or self.nesting >= _NESTING:
            return frozenset()
        (callee,) = callees
        target = self.function(callee.path, callee.qualname)
        if callee.kind != "function" or target is None or self.dotted(callee.path):
            return frozenset()
        owner = callee.qualname.rpartition(".")[0]
        skip = (
            1
            if owner and self.cls(callee.path, owner) and target.kind != "staticmethod"
            else 0
        )
        names = target.parameters[skip : target.positional]
        given = dict(zip(names, call.arguments, strict=False))
        given.update((k, c) for k, c in call.keywords if k in target.parameters)
        bound = {
            name: tuple(
                dict.fromkeys(
                    v for chain in chains for v in self.follow(where, chain, set(), 1)
                )
            )
            for name, chains in given.items()
        }
        bound = {name: values for name, values in bound.items() if values}
        if not bound:
            return frozenset()
        context = Context(callee.path, owner, bound, where.this if skip else None)
        # A helper calling itself stops where uses_of meets the same context.
        self.nesting += 1
        try:
            return self.uses_of(callee.path, callee.qualname, context)
        finally:
            self.nesting -= 1

    def returns_of(self, path: str, qualname: str, depth: int = 0) -> tuple[Value, ...]:
        """What the function ``qualname`` of the module at ``path`` gives
        back, as far as its annotation or its ``return`` tells."""
        function = self.function(path, qualname)
        if function is None or depth > _DEPTH:
            return ()
        where = Context(path, qualname.rpartition(".")[0])
        found: list[Value] = []
        for chain in function.returns:
            values = self.follow(where, chain, set(), depth + 1)
            found += values or [UNKNOWN]
        return tuple(dict.fromkeys(found)) if set(found) != {UNKNOWN} else ()

    def name_of(self, value: Value) -> str | None:
        """The dotted name of a class or function of the packages."""
        module = self.dotted(value.path)
        return None if module is None else f"{module}.{value.qualname}"

    # Following a chain

    def follow(
        self, where: Context, chain: Chain, used: set[str], depth: int
    ) -> list[Value]:
        """What ``chain`` reaches read in ``where``; what it calls of the
        packages (and what the helpers it calls call) goes into ``used``."""
        if depth > _DEPTH:
            return []
        values = list(dict.fromkeys(self.start(where, chain[0], depth)))
        known = True
        for step in chain[1:]:
            # Where a value may be one of several, what it calls is not known,
            # however the rest of the chain narrows them.
            known = known and len(values) == 1
            into = used if known else set()
            values = list(
                dict.fromkeys(
                    v for value in values for v in self.step(value, step, into, depth)
                )
            )
            if not values:
                break
        return values

    def start(self, where: Context, head: str, depth: int) -> Iterator[Value]:
        if head == SELF and where.this is not None:
            yield where.this
        elif head == SELF and where.cls:
            yield Value("instance", where.path, where.cls)
        elif head == CLS and where.cls:
            yield Value("class", where.path, where.cls)
        elif head.startswith(ARG):
            yield from where.arguments.get(head[len(ARG) :], ())
        elif head.startswith(IMPORT):
            yield from self.dotted_value(where.path, head[len(IMPORT) :], depth)
        elif not head.startswith("@"):
            yield from self.name_in(where.path, head, depth)

    def step(self, value: Value, step: str, used: set[str], depth: int) -> list[Value]:
        if step == CALL:
            return self.call(value, used, depth)
        if value.kind == "module":
            found = list(self.name_in(value.path, step, depth))
            module = self.load(value.path)
            if not found and module is not None and "__getattr__" in module.functions:
                self.note(Value("function", value.path, "__getattr__"), used)
            return found
        if value.kind in {"class", "instance"}:
            return self.member(value, step, used, depth)
        return []

    def call(self, value: Value, used: set[str], depth: int) -> list[Value]:
        if value.kind == "class":
            maker = self.metaclass_call(value, depth)
            if maker is not None:
                self.note(maker, used)
            self.note(value, used)
            return [Value("instance", value.path, value.qualname)]
        if value.kind == "function":
            self.note(value, used)
            if self.dotted(value.path) is None:  # a helper of the test tree
                used |= self.uses_of(value.path, value.qualname)
            return list(self.returns_of(value.path, value.qualname, depth))
        if value.kind == "instance":
            called = self.member(value, "__call__", used, depth)
            return [r for v in called for r in self.call(v, used, depth)]
        return []

    def metaclass_call(self, value: Value, depth: int) -> Value | None:
        """The ``__call__`` of the class's metaclass that makes its
        instances, where the project defines one."""
        for owner in self.mro(value.path, value.qualname, depth):
            cls = self.cls(owner.path, owner.qualname)
            if cls is None or cls.metaclass is None:
                continue
            where = Context(owner.path, owner.qualname.rpartition(".")[0])
            makers = self.follow(where, cls.metaclass, set(), depth + 1)
            if len(makers) == 1 and makers[0].kind == "class":
                found = self.member(makers[0], "__call__", set(), depth + 1)
                if len(found) == 1 and found[0].kind == "function":
                    return found[0]
            return None
        return None

    def note(self, value: Value, used: set[str]) -> None:
        name = self.name_of(value)
        if name is not None:
            used.add(name)

    def member(
        self, value: Value, name: str, used: set[str], depth: int
    ) -> list[Value]:
        """An attribute of a class or of an instance, looked up along the
        class's bases: a method (a property read is a call), a nested class,
        a name its body or methods bind."""
        for owner in self.mro(value.path, value.qualname, depth):
            cls = self.cls(owner.path, owner.qualname)
            if cls is None:
                continue
            method = cls.methods.get(name)
            if method is not None:
                found = Value("function", owner.path, f"{owner.qualname}.{name}")
                if method.kind == "property" and value.kind == "instance":
                    return self.call(found, used, depth)
                return [found]
            nested = f"{owner.qualname}.{name}"
            if self.cls(owner.path, nested) is not None:
                return [Value("class", owner.path, nested)]
            if name in cls.attributes:
                where = Context(owner.path, owner.qualname)
                values = [
                    v
                    for chain in cls.attributes[name]
                    for v in self.follow(where, chain, used, depth + 1)
                ]
                return self.through_descriptors(values, used, depth)
        return []

    def through_descriptors(
        self, found: list[Value], used: set[str], depth: int
    ) -> list[Value]:
        """An attribute's value as reading it gives it: a descriptor's
        ``__get__`` (a class of the project's defining one) is called."""
        if len(found) != 1 or found[0].kind != "instance":
            return found
        getter = self.member(
            Value("class", found[0].path, found[0].qualname),
            "__get__",
            set(),
            depth + 1,
        )
        if len(getter) == 1 and getter[0].kind == "function":
            return self.call(getter[0], used, depth)
        return found

    def mro(self, path: str, qualname: str, depth: int) -> tuple[Value, ...]:
        """A class and its bases found in the project, nearest first (left to
        right, depth first, each once)."""
        key = (path, qualname)
        if key in self.mros:
            return self.mros[key]
        self.mros[key] = (Value("class", path, qualname),)  # a cycle stops here
        cls = self.cls(path, qualname)
        order = [Value("class", path, qualname)]
        if cls is not None and depth <= _DEPTH:
            where = Context(path, qualname.rpartition(".")[0])
            for base in cls.bases:
                for found in self.follow(where, base, set(), depth + 1):
                    if found.kind == "class":
                        order += self.mro(found.path, found.qualname, depth + 1)
        self.mros[key] = tuple(dict.fromkeys(order))
        return self.mros[key]

    # Names of modules

    def name_in(
        self, path: str, name: str, depth: int, seen: frozenset[str] = frozenset()
    ) -> Iterator[Value]:
        """What ``name`` is in the namespace of the module at ``path``: a
        class or function it defines, what an import binds (a re-export),
        what a module-level assignment binds, a submodule of a package."""
        module = self.load(path)
        if module is None or depth > _DEPTH or path in seen:
            return
        if name in module.functions:
            yield Value("function", path, name)
        elif name in module.classes:
            yield Value("class", path, name)
        elif name in module.imports:
            yield from self.dotted_value(path, module.imports[name], depth + 1)
        elif name in module.names:
            where = Context(path)
            for chain in module.names[name]:
                yield from self.follow(where, chain, set(), depth + 1)
        else:
            found = (
                self.find(path, f".{name}") if path.endswith("__init__.py") else None
            )
            if found is not None:
                yield Value("module", found)
                return
            for star in module.star:
                source = self.find(path, star)
                exporting = None if source is None else self.load(source)
                if source is not None and exporting and exporting.exports(name):
                    yield from self.name_in(source, name, depth + 1, seen | {path})

    def dotted_value(self, path: str, dotted: str, depth: int) -> Iterator[Value]:
        """What a dotted name (an import's) names from the module at
        ``path``: the longest module it starts with, then names in it."""
        rest = dotted.lstrip(".")
        dots = dotted[: len(dotted) - len(rest)]
        parts = rest.split(".") if rest else []
        for split in range(len(parts), -1, -1):
            if split == 0 and not dots:
                return
            found = self.find(path, dots + ".".join(parts[:split]))
            if found is None:
                continue
            values = [Value("module", found)]
            for name in parts[split:]:
                values = [
                    v
                    for value in values
                    for v in self.step(value, name, set(), depth + 1)
                ]
            yield from values
            return

    # Definitions

    def function(self, path: str, qualname: str) -> FunctionUses | None:
        module = self.load(path)
        if module is None:
            return None
        owner, _, name = qualname.rpartition(".")
        if not owner:
            return module.functions.get(name)
        cls = module.classes.get(owner)
        return None if cls is None else cls.methods.get(name)

    def cls(self, path: str, qualname: str) -> ClassUses | None:
        module = self.load(path)
        return None if module is None else module.classes.get(qualname)


def uses_by_node_id(
    api: ApiUses, path: str, tests: Iterable[CollectedTest]
) -> dict[str, frozenset[str]]:
    """What each of ``tests`` (of the module at ``path``) uses, by node id."""
    return {
        pytest_node_id(path, test.qualname): test_uses(api, path, test)
        for test in tests
    }


def test_uses(api: ApiUses, path: str, test: CollectedTest) -> frozenset[str]:
    """The objects of the packages ``test`` of the module at ``path`` uses:
    its body's calls with its fixtures' values, and those of the fixtures
    its setup runs."""
    fixtures = [f for f in test.fixtures if f.path]
    arguments = {f.name: api.returns_of(f.path, f.qualname) for f in fixtures}
    defined = test.defined_path or path
    this = Value("instance", path, test.qualname.rpartition(".")[0])
    body = Context(defined, test.defined_in, arguments, this if this.qualname else None)
    used = set(api.uses_of(defined, test.definition, body))
    for fixture in fixtures:
        cls = fixture.qualname.rpartition(".")[0]
        where = Context(fixture.path, cls, arguments)
        used |= api.uses_of(fixture.path, fixture.qualname, where)
    return frozenset(used)


TEST_FOLDERS = frozenset(
    {"test", "tests", "testing", "docs", "doc", "benchmarks", "examples"}
)
"""Top-level folders that hold no package under test, whatever they hold."""


def is_test_module(path: str) -> bool:
    """Whether the module at ``path`` is the test tree's, wherever it is
    (``toolz/tests/test_curry.py``): in a folder of :data:`TEST_FOLDERS`'s
    test names, a ``test_*.py`` or ``*_test.py``, a ``conftest.py``."""
    *folders, name = path.split("/")
    return (
        any(folder in {"test", "tests", "testing"} for folder in folders)
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def find_packages(root: Path) -> dict[str, Path]:
    """The packages under test in a project: each folder of ``root`` or of
    ``root/src`` with an ``__init__.py`` (not one of :data:`TEST_FOLDERS`),
    by name, with the folder its imports start from."""
    found: dict[str, Path] = {}
    for base in (root / "src", root):
        if not base.is_dir():
            continue
        for folder in sorted(base.iterdir()):
            name = folder.name
            if (
                name not in found
                and name not in TEST_FOLDERS
                and name.isidentifier()
                and (folder / "__init__.py").is_file()
            ):
                found[name] = base
    return found


def read_module_uses(file: Path, bodies: bool = True) -> ModuleUses | None:
    """The references of the Python file ``file`` (None where it cannot be
    read or parsed); without ``bodies``, a module of the packages under
    test (see :func:`~sphinx_kwindex.uses.module_uses`)."""
    try:
        return module_uses(ast.parse(file.read_bytes()), bodies)
    except (OSError, SyntaxError, ValueError):
        return None


class FileFinder:
    """Where modules are under ``root``: the file a dotted name names from a
    module, and a module's dotted name where it is of ``packages`` (a name
    to the folder its imports start from); test modules import as pytest's
    default, from their ``basedir``. Both remembered: a suite asks the same
    in module after module."""

    def __init__(self, root: Path, packages: Mapping[str, Path]) -> None:
        self.root = root
        self.packages = packages
        self.files: dict[Path, bool] = {}
        self.found: dict[tuple[str, str], str | None] = {}
        self.names: dict[str, str | None] = {}

    def is_file(self, file: Path) -> bool:
        if file not in self.files:
            self.files[file] = file.is_file()
        return self.files[file]

    def find(self, path: str, dotted: str) -> str | None:
        """The module a dotted name (relative with leading dots) names from
        the module at ``path``, or None."""
        key = (path.rpartition("/")[0], dotted)
        if key not in self.found:
            self.found[key] = self._find(path, dotted)
        return self.found[key]

    def _find(self, path: str, dotted: str) -> str | None:
        root = self.root
        if not dotted.strip("."):  # the package a module is in, or above
            folder = PurePosixPath(path).parents[len(dotted) - 1]
            init = folder / "__init__.py"
            return init.as_posix() if self.is_file(root / init) else None
        parts = dotted.lstrip(".").split(".")
        if not dotted.startswith(".") and parts[0] in self.packages:
            base = self.packages[parts[0]]
        else:
            base = root
        for candidate in _candidates(base, root, path, dotted, self.is_file):
            for file in module_files(base, candidate):
                if self.is_file(file):
                    return file.relative_to(root).as_posix()
        return None

    def dotted(self, path: str) -> str | None:
        """The dotted name of the module at ``path``, None for one outside
        the packages (or a test module in them)."""
        if path not in self.names:
            self.names[path] = self._dotted(path)
        return self.names[path]

    def _dotted(self, path: str) -> str | None:
        if is_test_module(path):
            return None
        file = self.root / path
        for name, base in self.packages.items():
            if file.is_relative_to(base / name):
                parts = list(file.relative_to(base).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts.pop()
                return ".".join(parts)
        return None

    def api(self, read: Callable[[Path, bool], ModuleUses | None]) -> ApiUses:
        """An :class:`ApiUses` over these files, each read by ``read`` (once
        per :class:`ApiUses`; with the bodies of its functions where it is
        the test tree's)."""
        loaded: dict[str, ModuleUses | None] = {}

        def load(path: str) -> ModuleUses | None:
            if path not in loaded:
                loaded[path] = read(self.root / path, self.dotted(path) is None)
            return loaded[path]

        return ApiUses(self.find, load, self.dotted)


def file_api(
    root: Path,
    packages: Mapping[str, Path],
    read: Callable[[Path, bool], ModuleUses | None] = read_module_uses,
) -> ApiUses:
    """An :class:`ApiUses` over the Python files under ``root`` (module
    paths POSIX, relative to it), read by ``read``: see :class:`FileFinder`."""
    return FileFinder(root, packages).api(read)


def _candidates(
    base: Path, root: Path, path: str, dotted: str, is_file: Callable[[Path], bool]
) -> Iterator[list[str]]:
    if base == root:
        yield from candidate_parts(root, path, dotted, is_file)
    elif not dotted.startswith("."):
        yield dotted.split(".")


def object_name(api: ApiUses, dotted: str) -> str | None:
    """The name the object ``dotted`` names (as a page documents it,
    ``shop.Cart``, or where it is defined) is defined under
    (``shop.cart.Cart``); a module's own name; None if the packages hold
    no such object."""
    for value in api.dotted_value("", dotted, 0):
        if value.kind in {"class", "function"}:
            return api.name_of(value)
        if value.kind == "module":
            return api.dotted(value.path)
    return None


def object_module(api: ApiUses, defined: str) -> str | None:
    """The module (path) that defines the class or function ``defined``
    names; None if the packages hold no such object."""
    for value in api.dotted_value("", defined, 0):
        if value.kind in {"class", "function"}:
            return value.path
    return None


def reached(used: Iterable[str]) -> set[str]:
    """The objects tests reach, ``used`` naming those they use: those, and
    the classes (or modules) holding them: a class counts as used where a
    test uses one of its methods."""
    names = set(used)
    return names | {name.rpartition(".")[0] for name in names}


def users_of(name: str, uses: Mapping[str, frozenset[str]]) -> list[str]:
    """The tests (node ids, in their order) that use the object ``name``
    (a defined name) or anything it holds (a class's methods, a module's
    objects)."""
    inside = name + "."
    return [
        node
        for node, used in uses.items()
        if name in used or any(u.startswith(inside) for u in used)
    ]


def public_objects(api: ApiUses, path: str) -> list[str]:
    """The public classes, functions and methods the module at ``path``
    defines (no name of theirs starts with ``_``), by defined name, in
    order."""
    module, dotted = api.load(path), api.dotted(path)
    if module is None or dotted is None:
        return []
    found = [f"{dotted}.{name}" for name in module.functions if _public(name)]
    for qualname, cls in module.classes.items():
        if all(_public(part) for part in qualname.split(".")):
            found.append(f"{dotted}.{qualname}")
            found += [f"{dotted}.{qualname}.{m}" for m in cls.methods if _public(m)]
    return found


def _public(name: str) -> bool:
    return not name.startswith("_")


def package_modules(root: Path, packages: Mapping[str, Path]) -> list[str]:
    """The modules of the packages under test (POSIX paths relative to
    ``root``), their tests left out, in order."""
    found = []
    for name, base in sorted(packages.items()):
        for file in sorted((base / name).rglob("*.py")):
            path = file.relative_to(root).as_posix()
            if not is_test_module(path):
                found.append(path)
    return found
