"""Which tests pytest collects from a module, decided statically.

No Sphinx and no imports of the module: extraction (``extract.py``) gives the
module's shape — its classes with their bases and bodies, its functions —
and this module applies pytest's rules to it: ``python_files``,
``python_classes`` and ``python_functions`` (prefixes or globs),
``unittest.TestCase`` subclasses of any name through any chain of bases,
``__test__``, no class with an ``__init__`` (or ``__new__``), fixtures never
tests, and test methods inherited in Python's method resolution order, an
override hiding what it overrides.

Bases are resolved within the module; a base from elsewhere brings no tests
(a ``TestCase`` from ``unittest`` makes its subclasses test cases).
"""

from __future__ import annotations

import configparser
import fnmatch
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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
    """pytest's ``python_files``, ``python_classes`` and ``python_functions``."""

    files: tuple[str, ...] = ("test_*.py", "*_test.py")
    classes: tuple[str, ...] = ("Test",)
    functions: tuple[str, ...] = ("test",)

    def collects_file(self, path: str) -> bool:
        """Whether pytest collects the file at ``path`` (POSIX, relative to the
        root or absolute): a pattern with a ``/`` matches the path's end, any
        other the file's name, as pytest's ``fnmatch_ex`` does."""
        name = path.rpartition("/")[2]
        if name == "conftest.py":
            return False
        whole = "/" + path.lstrip("/")
        return any(
            fnmatch.fnmatch(whole, f"*/{pattern}")
            if "/" in pattern
            else fnmatch.fnmatch(name, pattern)
            for pattern in self.files
        )

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
    )


def _matches(name: str, options: Iterable[str]) -> bool:
    """pytest's rule: a prefix, or a glob if the option has glob characters."""
    return any(
        name.startswith(option) or fnmatch.fnmatch(name, option) for option in options
    )


class FunctionShape(NamedTuple):
    """A ``def`` as collection sees it."""

    name: str
    line: int
    doc: str
    fixture: bool


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


class ModuleShape(NamedTuple):
    """What collection needs of a module."""

    classes: tuple[ClassShape, ...] = ()
    functions: tuple[FunctionShape, ...] = ()
    """Module-level ``def`` statements."""
    test_flag: bool | None = None
    """A literal module-level ``__test__``."""
    not_tests: frozenset[str] = frozenset()
    """Names given ``name.__test__ = False`` at module level."""


class CollectedTest(NamedTuple):
    """A test pytest collects: ``qualname`` is its node id's path inside the
    module (``TestCart.test_empty``); ``line`` and ``doc`` are where it is
    defined, ``defined_in`` the class that defines it (``""`` at module level)."""

    name: str
    qualname: str
    line: int
    doc: str
    defined_in: str


def collect_tests(
    path: str, shape: ModuleShape, rules: CollectRules = DEFAULT_RULES
) -> list[CollectedTest]:
    """The tests pytest collects from the module at ``path`` of ``shape``."""
    if not rules.collects_file(path) or shape.test_flag is False:
        return []
    found = [
        CollectedTest(f.name, f.name, f.line, f.doc, "")
        for f in shape.functions
        if rules.collects_function(f.name)
        and not f.fixture
        and f.name not in shape.not_tests
    ]
    classes = {cls.qualname: cls for cls in shape.classes}
    for cls in shape.classes:
        if "." not in cls.qualname and cls.qualname not in shape.not_tests:
            found += _collect_class(cls, classes, rules, cls.qualname)
    return found


def _collect_class(
    cls: ClassShape,
    classes: Mapping[str, ClassShape],
    rules: CollectRules,
    node: str,
) -> list[CollectedTest]:
    """The tests of ``cls`` collected under the node path ``node``."""
    mro = _mro(cls, classes)
    if _inherited_flag(mro) is False:
        return []
    unittest_case = _is_test_case(mro, classes)
    if unittest_case:
        return list(_methods(mro, node, lambda name: name.startswith("test")))
    if not rules.collects_class(cls.qualname.rpartition(".")[2]):
        return []
    if any(shape.has_init for shape in mro):
        return []  # pytest warns that it cannot collect it, and skips it
    found = list(_methods(mro, node, rules.collects_function))
    for nested in _nested_classes(mro, classes):
        inner = f"{node}.{nested.qualname.rpartition('.')[2]}"
        found += _collect_class(nested, classes, rules, inner)
    return found


def _nested_classes(
    mro: list[ClassShape], classes: Mapping[str, ClassShape]
) -> Iterator[ClassShape]:
    """The classes defined in the bodies of a class's ``mro``, inherited ones
    too, the first of each name."""
    seen: set[str] = set()
    for shape in mro:
        for nested in classes.values():
            owner, _, name = nested.qualname.rpartition(".")
            if owner == shape.qualname and name not in seen:
                seen.add(name)
                yield nested


def _methods(
    mro: list[ClassShape], node: str, collects: Callable[[str], bool]
) -> Iterator[CollectedTest]:
    """The test methods of a class with method resolution order ``mro``: the
    first definition of each name wins, whatever it is."""
    seen: set[str] = set()
    for shape in mro:
        for function in shape.functions:
            if function.name in seen:
                continue
            seen.add(function.name)
            if collects(function.name) and not function.fixture:
                yield CollectedTest(
                    function.name,
                    f"{node}.{function.name}",
                    function.line,
                    function.doc,
                    shape.qualname,
                )
        seen.update(shape.others)


def _mro(cls: ClassShape, classes: Mapping[str, ClassShape]) -> list[ClassShape]:
    """``cls`` and its bases of the same module in C3 order (bases from
    elsewhere left out); a hierarchy Python would refuse falls back to
    depth-first order."""
    try:
        return _c3(cls, classes, set())
    except ValueError:
        return list(_depth_first(cls, classes, set()))


def _c3(
    cls: ClassShape, classes: Mapping[str, ClassShape], seen: set[str]
) -> list[ClassShape]:
    if cls.qualname in seen:
        raise ValueError("a class that is its own base")
    seen = seen | {cls.qualname}
    parents = [classes[base] for base in _local_bases(cls, classes)]
    sequences = [_c3(parent, classes, seen) for parent in parents] + [parents]
    merged: list[ClassShape] = [cls]
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
    cls: ClassShape, classes: Mapping[str, ClassShape], seen: set[str]
) -> Iterator[ClassShape]:
    if cls.qualname in seen:
        return
    seen.add(cls.qualname)
    yield cls
    for base in _local_bases(cls, classes):
        yield from _depth_first(classes[base], classes, seen)


def _local_bases(cls: ClassShape, classes: Mapping[str, ClassShape]) -> list[str]:
    """The bases of ``cls`` defined in the same module (Python looks a base
    up in the module, so its dotted name there is its qualname)."""
    return [base for base in cls.bases if base in classes and base != cls.qualname]


def _inherited_flag(mro: list[ClassShape]) -> bool | None:
    """``__test__`` as the class would have it, where a literal sets it."""
    for shape in mro:
        if shape.test_flag is not None:
            return shape.test_flag
    return None


def _is_test_case(mro: list[ClassShape], classes: Mapping[str, ClassShape]) -> bool:
    """Whether a class of this ``mro`` derives from the ``TestCase`` family."""
    return any(
        base in UNITTEST_CASES
        or (base not in classes and base.rpartition(".")[2].endswith("TestCase"))
        for shape in mro
        for base in shape.bases
    )
