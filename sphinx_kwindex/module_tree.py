"""Which files ``kwindex_modules`` names, the folder tree they make, and
where the pages of that tree are (:class:`GeneratedTree`).

No Sphinx here: globs in, sorted POSIX paths and folder listings out.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sphinx_kwindex.names import folder_docname

_GLOB_PART = re.compile(r"\*\*/|\*\*|\*|\?|\[[^]/]*\]|[^*?[]+|\[")


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression matching the POSIX paths ``pattern`` names.

    ``**/`` matches any number of folders (none included), ``*`` and ``?``
    anything but ``/`` within one name, ``[...]`` one character of a set.
    """
    parts = []
    for token in _GLOB_PART.findall(pattern.strip("/")):
        if token == "**/":
            parts.append("(?:[^/]+/)*")
        elif token == "**":
            parts.append(".*")
        elif token == "*":
            parts.append("[^/]*")
        elif token == "?":
            parts.append("[^/]")
        elif token.startswith("[") and len(token) > 1:
            negated = token[1:2] == "!"
            body = token[2:-1] if negated else token[1:-1]
            parts.append(f"[{'^' if negated else ''}{re.escape(body)}]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + r"\Z")


class FoundModules(NamedTuple):
    """What the globs of ``kwindex_modules`` found."""

    modules: list[str]
    """Sorted POSIX paths relative to the root."""
    unmatched: list[str]
    """The patterns (not ``!`` exclusions) that match no file."""


def find_modules(root: Path, patterns: Sequence[str]) -> FoundModules:
    """The files under ``root`` that a pattern names and no ``!pattern``
    excludes, and the patterns that name no file at all.

    Only the folders a pattern can reach are walked, each once however many
    patterns reach it; hidden folders and ``__pycache__`` are skipped, and
    symbolic links are not followed out.
    """
    included = [p for p in patterns if not p.startswith("!")]
    excluded = [glob_regex(p[1:]) for p in patterns if p.startswith("!")]
    files = [
        path
        for start in _outermost({_fixed_prefix(p) for p in included})
        for path in _walk_files(root, start)
    ]
    found: set[str] = set()
    unmatched: list[str] = []
    for pattern in included:
        regex = glob_regex(pattern)
        matched = [path for path in files if regex.match(path)]
        if not matched:
            unmatched.append(pattern)
        found.update(p for p in matched if not any(x.match(p) for x in excluded))
    return FoundModules(sorted(found), unmatched)


def _outermost(folders: Iterable[str]) -> list[str]:
    """``folders`` less those inside another of them (``""`` holds all)."""
    ordered = sorted(folders)
    return [
        folder
        for folder in ordered
        if not any(
            other != folder and (not other or folder.startswith(other + "/"))
            for other in ordered
        )
    ]


def _fixed_prefix(pattern: str) -> str:
    """The folders at the start of ``pattern`` that hold no wildcard."""
    folders = pattern.strip("/").split("/")[:-1]
    fixed = []
    for folder in folders:
        if any(char in folder for char in "*?["):
            break
        fixed.append(folder)
    return "/".join(fixed)


def _walk_files(root: Path, start: str) -> Iterable[str]:
    """Every file below ``root``/``start``, as a POSIX path relative to
    ``root``, folders in name order; symbolic links to folders are not
    followed."""
    top = os.path.join(root, start) if start else str(root)
    pending = [(top, start + "/" if start else "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as entries:
                found = list(entries)
        except OSError:
            continue
        subfolders = []
        for entry in found:
            if not entry.is_dir():
                yield prefix + entry.name
            elif not (
                entry.is_symlink()
                or entry.name.startswith(".")
                or entry.name == "__pycache__"
            ):
                subfolders.append(entry)
        subfolders.sort(key=lambda entry: entry.name, reverse=True)
        pending.extend((entry.path, prefix + entry.name + "/") for entry in subfolders)


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of the tree: its sub-folders and its own modules, sorted."""

    path: str
    """Relative to ``kwindex_root``, POSIX; ``""`` for the top."""
    subfolders: tuple[str, ...]
    modules: tuple[str, ...]


def folder_tree(modules: Iterable[str]) -> dict[str, Folder]:
    """Every folder that holds a module or leads to one, from the top ``""``."""
    subfolders: dict[str, set[str]] = {"": set()}
    own: dict[str, list[str]] = {"": []}
    for module in sorted(modules):
        folder = posixpath.dirname(module)
        own.setdefault(folder, []).append(module)
        while folder:
            parent = posixpath.dirname(folder)
            subfolders.setdefault(folder, set())
            subfolders.setdefault(parent, set()).add(folder)
            own.setdefault(folder, [])
            folder = parent
    return {
        folder: Folder(folder, tuple(sorted(subfolders[folder])), tuple(own[folder]))
        for folder in sorted(subfolders)
    }


def modules_below(tree: dict[str, Folder], folder: str) -> int:
    """How many modules ``folder`` and its sub-folders hold."""
    node = tree[folder]
    return len(node.modules) + sum(modules_below(tree, sub) for sub in node.subfolders)


@dataclass(frozen=True, slots=True)
class GeneratedTree:
    """The folders of ``kwindex_modules`` and where their pages are."""

    output_dir: str = ""
    """In the source folder."""
    folders: dict[str, Folder] = field(default_factory=dict)
    """Every folder by path, ``""`` the top (empty without ``kwindex_modules``)."""
    reread: tuple[str, ...] = ()
    """Folder pages whose listing changed though their text did not."""
    digest: str = ""
    """Of the text of every page, as last written."""

    def holds(self, docname: str) -> bool:
        """Whether ``docname`` is one of the generated pages."""
        return bool(self.folders) and docname.startswith(self.output_dir + "/")

    def folder_page(self, folder: str) -> str | None:
        """The docname of ``folder``'s generated page, if it has one."""
        if folder not in self.folders:
            return None
        return folder_docname(self.output_dir, folder)

    def way_down_to(self, folder: str, top: str) -> list[tuple[str, str]]:
        """``(docname, title)`` of the folder pages from the top page (titled
        ``top``) down to ``folder``'s, both included (none where ``folder``
        has no page)."""
        if folder not in self.folders:
            return []
        steps = [(folder_docname(self.output_dir, ""), top)]
        parts = folder.split("/") if folder else []
        for depth, name in enumerate(parts, 1):
            path = "/".join(parts[:depth])
            steps.append((folder_docname(self.output_dir, path), name))
        return steps
