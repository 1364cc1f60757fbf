"""Finding a module's bases, ``conftest.py`` files and plugins in the files
of a tree, as pytest imports them (the command line's :class:`Resolver`;
Sphinx builds resolve through the parse cache)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sphinx_kwindex.shapes import ModuleShape, ResolvedClass, Resolver


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
        for parts in candidate_parts(self.root, path, dotted, self.is_file):
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
        for parts in candidate_parts(self.root, path, dotted, self.is_file):
            for file in module_files(self.root, parts):
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
        for file in module_files(root, module):
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


def module_files(root: Path, parts: list[str]) -> tuple[Path, Path]:
    """Where the module of dotted ``parts`` may be under ``root``: a file, or
    a package's ``__init__.py``."""
    return (
        root.joinpath(*parts[:-1], parts[-1] + ".py"),
        root.joinpath(*parts, "__init__.py"),
    )


def candidate_parts(
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
