"""Which fixtures a test gets, decided statically, as pytest decides.

No Sphinx and nothing run. A test sees fixtures in levels, nearest first:
its class and that class's bases (:func:`class_level`), enclosing classes,
its module (imported fixtures too), each ``conftest.py`` up to the root, the
modules ``pytest_plugins`` names (:func:`module_levels`), then pytest's own
(:data:`BUILTIN_FIXTURES`). A fixture that asks for its own name gets the
one it overrides. The fixtures a test needs, in turn, make its closure
(:func:`fixture_closure`), ordered as pytest parametrizes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sphinx_kwindex.shapes import (
        ClassShape,
        FixtureShape,
        FunctionShape,
        ModuleShape,
        Parameters,
        Resolver,
    )

BUILTIN_FIXTURES = frozenset(
    {
        "cache", "capfd", "capfdbinary", "caplog", "capsys", "capsysbinary",
        "capteesys", "doctest_namespace", "monkeypatch", "pytestconfig",
        "pytester", "record_property", "record_testsuite_property",
        "record_xml_attribute", "recwarn", "request", "subtests", "testdir",
        "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory",
    }
)  # fmt: skip
"""pytest's own fixtures: none of them is parametrized."""

BUILTIN_NEEDS = {
    "pytester": ("tmp_path_factory", "monkeypatch"),
    "testdir": ("pytester",),
    "tmp_path": ("tmp_path_factory",),
    "tmpdir": ("tmp_path",),
}
"""What pytest's own fixtures need in turn (the others need none but
``request``), as pytest 8 and 9 define them."""


class UsedFixture(NamedTuple):
    """A fixture a test uses, where pytest finds it: the module ``path``
    (``""`` for one of pytest's own, or one not found in the tree: from a
    plugin) and the ``qualname`` and ``line`` of its ``def`` there."""

    name: str
    path: str = ""
    qualname: str = ""
    line: int = 0
    autouse: bool = False
    """Whether the test uses it because it is ``autouse``, not by asking."""
    defined_as: str = ""
    """Its name in the module defining it, where that is another (imported
    under another name)."""
    through: bool = False
    """Whether the test gets it only because fixtures it uses need it (in
    pytest's closure, not named by the test)."""

    @property
    def entry_name(self) -> str:
        """The name of its entry among the fixtures of ``path``."""
        return self.defined_as or self.name

    @property
    def builtin(self) -> bool:
        """Whether it is one of pytest's own fixtures."""
        return not self.path and self.name in BUILTIN_FIXTURES


class FixtureDef(NamedTuple):
    """A fixture's ``def``: in the module ``path``, as ``qualname`` there;
    ``shape`` is ``function.fixture``."""

    path: str
    qualname: str
    function: FunctionShape
    shape: FixtureShape


FixtureLevel = Mapping[str, FixtureDef]
"""The fixtures one place defines (a class and its bases, a module, a
``conftest.py``), by the name tests ask for."""

_SCOPES = ("function", "class", "module", "package", "session")


def module_levels(
    path: str, shape: ModuleShape, resolve: Resolver | None
) -> list[FixtureLevel]:
    """The fixture levels a module's tests see beyond their classes: the
    module's own (imported fixtures too), each ``conftest.py`` up to the
    root, then the modules of the tree ``pytest_plugins`` names."""
    levels = [_module_level(path, shape, resolve)]
    if resolve is not None:
        conftests = resolve.conftests(path)
        levels += [
            _module_level(conftest, conftest_shape, resolve)
            for conftest, conftest_shape in conftests
        ]
        levels += [
            _module_level(plugin, plugin_shape, resolve)
            for plugin, plugin_shape in _plugins([(path, shape), *conftests], resolve)
        ]
    return levels


def _plugins(
    modules: Sequence[tuple[str, ModuleShape]], resolve: Resolver
) -> Iterator[tuple[str, ModuleShape]]:
    """The modules of the tree that ``pytest_plugins`` of ``modules`` load,
    and those they load in turn, each once (pytest registers them for the
    whole session, after conftests)."""
    seen: set[str] = {path for path, _shape in modules}
    pending = list(modules)
    while pending:
        path, shape = pending.pop(0)
        for dotted in shape.plugins:
            found = resolve.module(path, dotted)
            if found is not None and found[0] not in seen:
                seen.add(found[0])
                pending.append(found)
                yield found


def _module_level(
    path: str, shape: ModuleShape, resolve: Resolver | None
) -> FixtureLevel:
    """The fixtures of a module: its ``def`` statements and the fixtures its
    ``from … import`` brings (pytest finds them in the module's namespace)."""
    level: dict[str, FixtureDef] = {}
    if resolve is not None:
        for name, dotted, _line in shape.imported:
            imported = _imported_fixture(path, name, dotted, resolve)
            if imported is not None:
                level[imported[0]] = imported[1]
    for function in shape.functions:
        if function.fixture:
            level[function.fixture.name] = FixtureDef(
                path, function.name, function, function.fixture
            )
    return level


def _imported_fixture(
    path: str, name: str, dotted: str, resolve: Resolver
) -> tuple[str, FixtureDef] | None:
    """The fixture ``from … import`` binds to ``name`` in the module at
    ``path``, if it binds one, and the name tests ask for it by: the
    binding's, unless the fixture has a ``name=``."""
    resolved = resolve(path, dotted)
    if resolved is None:
        return None
    for function in resolved.shape.functions:
        fixture = function.fixture
        if function.name == resolved.qualname and fixture is not None:
            asked = name if fixture.name == function.name else fixture.name
            return asked, FixtureDef(
                resolved.path, resolved.qualname, function, fixture
            )
    return None


def class_level(mro: Iterable[tuple[str, str, ClassShape]]) -> FixtureLevel:
    """The fixtures a class defines or inherits, from ``(module path,
    qualname, shape)`` of each class of its method resolution order: the
    first of each name."""
    level: dict[str, FixtureDef] = {}
    seen: set[str] = set()
    for path, qualname, shape in mro:
        for function in shape.functions:
            if function.name in seen:
                continue
            seen.add(function.name)
            if function.fixture and function.fixture.name not in level:
                level[function.fixture.name] = FixtureDef(
                    path, f"{qualname}.{function.name}", function, function.fixture
                )
    return level


def _definitions(name: str, levels: Sequence[FixtureLevel]) -> Iterator[FixtureDef]:
    """The definitions of fixture ``name`` in sight, nearest first, as far as
    each asks for the next (a fixture that overrides one of its own name by
    taking it as an argument)."""
    for level in levels:
        found = level.get(name)
        if found is None:
            continue
        yield found
        if name not in found.function.arguments:
            return


def used_fixture(
    name: str, levels: Sequence[FixtureLevel], autouse: bool
) -> UsedFixture:
    """The fixture ``name`` as a test seeing ``levels`` gets it; one found
    nowhere is pytest's own or an installed plugin's."""
    found = next(_definitions(name, levels), None)
    if found is None:
        return UsedFixture(name, autouse=autouse)
    defined_as = found.shape.name
    return UsedFixture(
        name,
        found.path,
        found.qualname,
        found.function.line,
        autouse,
        "" if defined_as == name else defined_as,
    )


def autouse_names(levels: Sequence[FixtureLevel]) -> list[str]:
    """The ``autouse`` fixtures in sight, as pytest orders them: the
    outermost level first, each level's by name; one defined under a
    module-level ``if`` is not said to apply (only a run knows)."""
    names: list[str] = []
    for level in reversed(levels):
        for name in sorted(level):
            shape = level[name].shape
            if shape.autouse and not shape.condition and name not in names:
                names.append(name)
    return names


def fixture_closure(
    initial: Sequence[str], direct: set[str], levels: Sequence[FixtureLevel]
) -> dict[str, list[FixtureDef]]:
    """The fixtures a test needs, ``initial`` ones and what they need in
    turn, with the definitions of each that its setup runs, in the order
    pytest parametrizes them: widest scope first, then in the order they
    are needed; a name that ``parametrize`` fills directly is no fixture's."""
    closure = {name: list[FixtureDef]() for name in initial if name not in direct}
    names = list(closure)
    for name in names:  # grows while it is walked
        closure[name] = list(_definitions(name, levels))
        needed = [
            argument
            for definition in closure[name]
            for argument in definition.function.arguments
        ]
        definitions = closure[name]
        if not definitions or name in definitions[-1].function.arguments:
            # pytest's own, or one the tree's last definition overrides.
            needed += BUILTIN_NEEDS.get(name, ())
        for argument in needed:
            if argument not in closure and argument not in direct:
                closure[argument] = []
                names.append(argument)
    ranked = sorted(
        names,
        key=lambda name: (
            _scope_rank(closure[name][0].shape.scope) if closure[name] else 0
        ),
        reverse=True,
    )
    return {name: closure[name] for name in ranked}


def fixture_parameters(closure: Mapping[str, list[FixtureDef]]) -> list[Parameters]:
    """The ``params`` of the fixtures of a ``closure``: per fixture, the
    nearest definition's that has any."""
    found: list[Parameters] = []
    for definitions in closure.values():
        for definition in definitions:
            if definition.shape.params is not None:
                found.append(definition.shape.params)
                break
    return found


def _scope_rank(scope: str) -> int:
    return _SCOPES.index(scope) if scope in _SCOPES else 0
