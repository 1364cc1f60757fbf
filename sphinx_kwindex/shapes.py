"""What extraction finds of a module that collection needs: its shape.

Plain data, no logic: extraction (``extract.py``) makes a
:class:`ModuleShape` of each module; collection (``collect.py``) and
fixture resolution (``fixtures.py``) read it, and reach the shapes of other
modules of the tree through a :class:`Resolver`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from sphinx_kwindex.factories import Binding, Factory

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


class Parameters(NamedTuple):
    """One ``pytest.mark.parametrize``: the ids of its parameter sets as
    pytest makes them, or ``ids`` None where they depend on values only a
    run knows; ``size`` None where even their number does."""

    size: int | None
    ids: tuple[str, ...] | None
    argnames: tuple[str, ...] = ()
    unknown: str = ""
    """Where ``size`` or ``ids`` is None, why: what only a run can tell."""
    legacy_ids: tuple[str, ...] | None = None
    """Where a string value is longer than pytest's 100 characters, the ids
    spelled whole (pytest before 9.2, ``parametrize_long_str_id_strategy =
    legacy``); ``ids`` then spell such a value as the argument's name and
    the set's index, as newer pytest does by default."""
    imported: str = ""
    """For a decorator or ``pytestmark`` entry that is a name imported from
    elsewhere (``helpers.params``, as a dotted path), in its place among
    the marks: collection looks it up in the tree (a mark there, perhaps a
    parametrize, or no mark)."""


class MarkAlias(NamedTuple):
    """A mark a module binds to a name (``params =
    pytest.mark.parametrize(…)``), which other modules may import: its
    name as pytest gives it (``parametrize``), a parametrize's items, a
    usefixtures' fixtures."""

    mark: str
    parameters: Parameters | None = None
    usefixtures: tuple[str, ...] = ()


class FixtureShape(NamedTuple):
    """What ``@pytest.fixture`` makes of a ``def``."""

    name: str
    """The name tests ask for it by (``name=``, else the function's)."""
    autouse: bool
    scope: str = "function"
    params: Parameters | None = None
    """Its ``params``, None where it has none."""
    condition: str = ""
    """Where module-level ``if`` statements decide whether it is defined,
    when it is."""


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
    marks: tuple[str, ...] = ()
    """The names of the pytest marks its decorators apply (``slow``)."""
    other_decorators: bool = False
    """Whether it has decorators that are not marks (which may give it
    attributes ``-k`` matches)."""
    condition: str = ""
    """For a module-level ``def`` in ``if`` blocks, when it is defined."""
    decorators: tuple[tuple[str, bool], ...] = ()
    """Its decorators that are neither marks nor pytest's, outermost
    first: dotted name, whether it is called (``@deco(…)``)."""
    wrappers: tuple[tuple[str, ...] | None, tuple[str, ...] | None] = (None, None)
    """For a module-level function used as a decorator (``@deco``, then
    ``@deco(…)``): the arguments pytest would fill of the function it
    returns, where that one does not keep the decorated function's
    signature (no ``functools.wraps``); None where it does, or where that
    is not known."""


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
    marks: tuple[str, ...] = ()
    """The names of the pytest marks on it: decorators, ``pytestmark``."""


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
    marks: tuple[str, ...] = ()
    """The names of the pytest marks its ``pytestmark`` applies."""
    mark_aliases: tuple[tuple[str, MarkAlias], ...] = ()
    """The marks it binds to module-level names, by name."""

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
