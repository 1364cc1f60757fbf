"""The ``kw`` domain: what every document indexed, kept per document."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sphinx.domains import Domain

from sphinx_kwindex.extract import ModuleIndex, index_file

if TYPE_CHECKING:
    from collections.abc import Iterable, Set
    from pathlib import Path

    from docutils.nodes import Element, reference
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    RelatedModule = tuple[str, str, str]
    """``(path, docname, anchor)`` of an indexed module."""


@dataclass(frozen=True, slots=True)
class RecordedKeyword:
    """A keyword as a page shows it: kind, name, the entry's id, its lines."""

    kind: str
    name: str
    entry_id: str
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ModuleRecord:
    """One ``kwindex`` directive's module, as rendered in ``docname``.

    Stored in the pickled environment: a change of fields needs a new
    ``ENV_VERSION`` in ``__init__.py``.
    """

    path: str
    """Relative to ``kwindex_root``, POSIX."""
    docname: str
    anchor: str
    kinds: tuple[str, ...]
    keywords: tuple[RecordedKeyword, ...]
    indexed: bool
    """False under ``:no-index:``."""
    linked_to_source: bool
    """False under ``:no-source:`` or without source pages."""

    @property
    def folder(self) -> str:
        """The module's folder, relative to ``kwindex_root``."""
        return posixpath.dirname(self.path)


class KeywordDomain(Domain):
    """Keywords of indexed Python modules."""

    name = "kw"
    label = "Keyword"
    initial_data: ClassVar[dict[str, Any]] = {"modules": {}, "folders": {}}
    data_version = 1

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # Lives as long as the application; Sphinx never pickles domain objects.
        self._indexed_this_build: dict[tuple[str, int, int], ModuleIndex] = {}

    def index_module(self, path: Path) -> ModuleIndex:
        """The index of ``path``, read and parsed once per build however many
        documents ask for it (keyed by path, modification time and size)."""
        try:
            stat = path.stat()
        except OSError:
            return index_file(path)
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._indexed_this_build:
            self._indexed_this_build[key] = index_file(path)
        return self._indexed_this_build[key]

    def forget_indexed_modules(self) -> None:
        """Free what :meth:`index_module` kept, once all documents are read."""
        self._indexed_this_build.clear()

    @property
    def modules(self) -> dict[str, list[ModuleRecord]]:
        """The modules each document indexes, in document order."""
        modules: dict[str, list[ModuleRecord]] = self.data.setdefault("modules", {})
        return modules

    @property
    def folders(self) -> dict[str, tuple[RelatedModule, ...]]:
        """Indexed modules per folder, derived after every read phase."""
        folders: dict[str, tuple[RelatedModule, ...]]
        folders = self.data.setdefault("folders", {})
        return folders

    def note_module(self, record: ModuleRecord) -> None:
        """Record that ``record.docname`` indexes a module."""
        self.modules.setdefault(record.docname, []).append(record)

    def all_modules(self) -> list[ModuleRecord]:
        """Every module record of the project, in a stable order."""
        records = (record for recs in self.modules.values() for record in recs)
        return sorted(records, key=lambda r: (r.path, r.docname, r.anchor))

    def clear_doc(self, docname: str) -> None:
        self.modules.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["modules"]:
                self.modules[docname] = otherdata["modules"][docname]

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> reference | None:
        return None

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, reference]]:
        return []


def get_domain(env: BuildEnvironment) -> KeywordDomain:
    """The ``kw`` domain of ``env``."""
    domain = env.get_domain(KeywordDomain.name)
    assert isinstance(domain, KeywordDomain)
    return domain


def update_folders(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read: free the parsed modules, derive the folder map, and
    rewrite the pages whose folder changed.

    Connected to ``env-updated``: a module added to or removed from a folder
    changes the "related modules" of every page indexing that folder.
    """
    domain = get_domain(env)
    domain.forget_indexed_modules()
    records = domain.all_modules()
    folders = _group_by_folder(records)
    previous = domain.folders
    changed = {
        f for f in folders.keys() | previous.keys() if folders.get(f) != previous.get(f)
    }
    domain.data["folders"] = folders
    return sorted({r.docname for r in records if r.folder in changed})


def _group_by_folder(
    records: Iterable[ModuleRecord],
) -> dict[str, tuple[RelatedModule, ...]]:
    folders: dict[str, dict[str, RelatedModule]] = {}
    for record in records:
        # The first document (in sorted order) that indexes a path stands for it.
        folder = folders.setdefault(record.folder, {})
        folder.setdefault(record.path, (record.path, record.docname, record.anchor))
    return {name: tuple(paths.values()) for name, paths in sorted(folders.items())}
