"""pytest's collection rules of a project, read from its configuration.

The first of ``pytest.ini``, ``pyproject.toml`` (``[tool.pytest.ini_options]``),
``tox.ini`` and ``setup.cfg`` at or above a folder that holds pytest's
section, as pytest finds it; read as text, never run: ``python_files``,
``python_classes``, ``python_functions``, ``norecursedirs``, and the globs
pytest matches them with; ``parametrize_long_str_id_strategy``; the
``-m`` and ``-k`` of ``addopts``.
"""

from __future__ import annotations

import configparser
import fnmatch
import functools
import importlib.metadata
import re
import shlex
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # as pytest itself reads it there
    import tomli as tomllib


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
    long_strings: str = "short"
    """pytest's ``parametrize_long_str_id_strategy``: how an id spells a
    string value longer than 100 characters (:func:`long_string_ids`)."""
    selection: tuple[tuple[str, str], ...] = ()
    """What ``addopts`` deselects by: ``("-m", "not slow")``, ``("-k", …)``
    (the last of each, as pytest takes them)."""
    root_nodes: tuple[str, ...] = ()
    """The names of the folders from the configuration file's (pytest's
    rootdir) to the one the rules are read for: ``-k`` matches them too."""

    def collects_file(self, path: str) -> bool:
        """Whether pytest collects the file at ``path`` (POSIX, relative to the
        root or absolute): it matches ``python_files`` and no folder it is in
        matches ``norecursedirs``."""
        return self.rule_against(path) is None

    def rule_against(self, path: str) -> tuple[str, str] | None:
        """The rule that keeps pytest from collecting the file at ``path``,
        with its value: ``("conftest", "")``, ``("python_files", "test_*.py,
        *_test.py")``, ``("norecursedirs", "build")``; None if it collects
        it."""
        name = path.rpartition("/")[2]
        if name == "conftest.py":
            return ("conftest", "")
        if not _fnmatch_ex(path, self.files):
            return ("python_files", ", ".join(self.files))
        folder = _skipped_folder(path.rpartition("/")[0], self.norecursedirs)
        return None if folder is None else ("norecursedirs", folder)

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
                rules = _rules_from(options)
                nodes = (directory.name, *folder.relative_to(directory).parts)
                return replace(rules, root_nodes=nodes), path
    return _rules_from({}), None


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


LONG_STRING_IDS = "parametrize_long_str_id_strategy"

_FIRST_SHORT_IDS = (9, 2)
"""The pytest version that first shortens long strings in ids."""


def long_string_ids(options: Mapping[str, object]) -> str:
    """How pytest spells a string value longer than 100 characters in an
    id: as the configuration's ``parametrize_long_str_id_strategy`` says;
    else as the pytest installed here does (before 9.2: whole, ``legacy``;
    since: ``short``); else as the newest does (``short``). Only the
    installed package's metadata is read."""
    configured = options.get(LONG_STRING_IDS)
    if isinstance(configured, str) and configured.strip():
        return configured.strip()
    try:
        installed = importlib.metadata.version("pytest")
    except importlib.metadata.PackageNotFoundError:
        return "short"
    numbers = tuple(int(part) for part in re.findall(r"\d+", installed)[:2])
    return "short" if numbers >= _FIRST_SHORT_IDS else "legacy"


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
        long_string_ids(options),
        addopts_selection(options.get("addopts")),
    )


_SELECTING = ("-m", "-k")


def addopts_selection(addopts: object) -> tuple[tuple[str, str], ...]:
    """What ``addopts`` (a string, or a TOML list) deselects by: its last
    ``-m`` and ``-k`` expressions, as pytest parses them (``-m expr``,
    ``-mexpr``)."""
    if isinstance(addopts, list):
        words = [str(word) for word in addopts]
    elif isinstance(addopts, str):
        try:
            words = shlex.split(addopts)
        except ValueError:
            return ()
    else:
        return ()
    last: dict[str, str] = {}
    for index, word in enumerate(words):
        option, value = _option_value(word, words[index + 1 : index + 2])
        if option:
            last[option] = value
    return tuple(last.items())


def _option_value(word: str, following: list[str]) -> tuple[str, str]:
    """The selecting option ``word`` gives and its value (the next word's,
    where it does not hold it), else ``("", "")``."""
    for option in _SELECTING:
        if word == option:
            return (option, following[0]) if following else ("", "")
        if word.startswith(option):
            return option, word[len(option) :].lstrip("=")
    return "", ""


@functools.lru_cache(maxsize=4096)
def _skipped_folder(folder: str, norecursedirs: tuple[str, ...]) -> str | None:
    """The name of ``folder``, or of a folder it is in, that matches
    ``norecursedirs``, if any (asked for every module of a folder:
    remembered)."""
    while folder:
        if _fnmatch_ex(folder, norecursedirs):
            return folder.rpartition("/")[2]
        folder = folder.rpartition("/")[0]
    return None


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
