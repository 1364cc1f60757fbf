"""Parsed files by content: once per build, and not again while unchanged.

A file is known by its path and its content: a stamp (modification time,
size) first, then a digest. The cache lives as long as the application and is
kept from one build to the next in a database beside the environment, not in
it: a parallel read pickles the whole environment once per batch of
documents, and a thousand parsed modules in it made ``-j 2`` slower than
``-j 1``. A module is read from the database only when a build needs it,
and a build writes only the modules it parsed: editing one module of a
large tree costs one module, not the whole cache. A fresh environment
(``-E``) starts without it; another version ignores it.

Reading processes hand what they parsed back to the main one through the
environment, per document (``env-merge-info``), as ``viewcode`` does.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx_kwindex import __version__
from sphinx_kwindex.domain import get_domain, note_file
from sphinx_kwindex.extract import ModuleExtraction, extract_file, extract_source
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.shapes import ModuleShape, Resolver
from sphinx_kwindex.tree_resolver import file_resolver

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

CACHE_NAME = "kwindex-parsed.sqlite"
CACHE_VERSION = 14
"""Bump whenever :class:`ParsedModule` or what it holds changes shape."""


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """A module's extraction, with what identifies the file's content:
    ``stamp`` (modification time in ns, size) and a digest."""

    stamp: tuple[int, int]
    digest: bytes
    index: ModuleExtraction


class _Store:
    """The database of parsed modules: one row per module, its
    :class:`ParsedModule` pickled; rows of another version are not read."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.valid = False
        self.connection: sqlite3.Connection | None = None
        try:
            connection = sqlite3.connect(file)
            with closing(connection.execute("SELECT version FROM meta")) as rows:
                found = rows.fetchone()
            self.connection = connection
            self.valid = found is not None and found[0] == _version()
        except sqlite3.Error:
            pass

    def fetch(self, key: str) -> ParsedModule | None:
        """The module kept for ``key``, if any."""
        if not self.valid or self.connection is None:
            return None
        try:
            query = "SELECT parsed FROM modules WHERE key = ?"
            with closing(self.connection.execute(query, (key,))) as rows:
                found = rows.fetchone()
            if found is None:
                return None
            with collection_paused():
                parsed = pickle.loads(found[0])
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, ValueError):
            return None
        except (AttributeError, ImportError, TypeError):  # another version's
            return None
        return parsed if isinstance(parsed, ParsedModule) else None

    def keys(self) -> set[str]:
        """The keys of every module kept."""
        if not self.valid or self.connection is None:
            return set()
        try:
            with closing(self.connection.execute("SELECT key FROM modules")) as rows:
                return {key for (key,) in rows}
        except sqlite3.Error:
            return set()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _version() -> str:
    return f"{__version__} {CACHE_VERSION}"


def _write(
    file: Path,
    rows: Iterable[tuple[str, ParsedModule]],
    removed: Iterable[str],
    anew: bool,
) -> None:
    """Keep ``rows`` in the database ``file`` and forget ``removed``; start
    it ``anew`` (every row but those given forgotten) where asked, and
    where it is broken or of another version."""
    try:
        _write_rows(file, rows, removed, anew)
    except sqlite3.DatabaseError:  # not a database: made again
        file.unlink(missing_ok=True)
        _write_rows(file, rows, removed, anew=True)


def _write_rows(
    file: Path,
    rows: Iterable[tuple[str, ParsedModule]],
    removed: Iterable[str],
    anew: bool,
) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(file)) as connection, connection:
        connection.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT)")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS modules (key TEXT PRIMARY KEY, parsed BLOB)"
        )
        with closing(connection.execute("SELECT version FROM meta")) as found:
            versions = [version for (version,) in found]
        if anew or versions != [_version()]:
            connection.execute("DELETE FROM meta")
            connection.execute("DELETE FROM modules")
            connection.execute("INSERT INTO meta VALUES (?)", (_version(),))
        connection.executemany(
            "DELETE FROM modules WHERE key = ?", ((key,) for key in removed)
        )
        connection.executemany(
            "INSERT OR REPLACE INTO modules VALUES (?, ?)",
            (
                (key, pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
                for key, parsed in rows
            ),
        )


class ParseCache:
    """The parsed modules of one application, by absolute path.

    What earlier builds parsed is read from :attr:`file`, a module at a
    time, only when needed: a build that reads no document never opens it.
    """

    def __init__(self, file: Path | None = None) -> None:
        self.file = file
        """Where earlier builds kept their parsed modules, if anywhere."""
        self._memory: dict[str, ParsedModule] = {}
        self._taken: set[str] = set()
        """Keys parsed or taken in this build: to be written."""
        self._removed: set[str] = set()
        self._store: _Store | None = None
        self._pid = 0
        self.changed = False
        """Whether the modules differ from those kept in :attr:`file`."""

    @property
    def loaded(self) -> bool:
        """Whether :attr:`file` was opened in this build."""
        return self._pid != 0

    def _opened(self) -> _Store | None:
        if self.file is None:
            return None
        if self._store is None or self._pid != os.getpid():
            # A connection is not used across fork: each process opens its own.
            self._store, self._pid = _Store(self.file), os.getpid()
        return self._store

    def get(self, key: str) -> ParsedModule | None:
        """The module kept for ``key``: parsed in this build, or earlier."""
        found = self._memory.get(key)
        if found is None and key not in self._removed:
            store = self._opened()
            found = None if store is None else store.fetch(key)
            if found is not None:
                self._memory[key] = found
        return found

    def parse(self, path: Path) -> tuple[ModuleExtraction, ParsedModule | None]:
        """The extraction of the file ``path``, parsed only when its content
        is new; with the cache entry when it was new to this cache."""
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):
                return extract_file(path), None
            key, stamp = str(path), (stat.st_mtime_ns, stat.st_size)
            cached = self.get(key)
            if cached is not None and cached.stamp == stamp:
                return cached.index, None
            data = path.read_bytes()
        except OSError:
            return extract_file(path), None
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if cached is None or cached.digest != digest:
            cached = ParsedModule(stamp, digest, extract_source(data, key))
        parsed = ParsedModule(stamp, digest, cached.index)
        self.take(key, parsed)
        return parsed.index, parsed

    def take(self, key: str, parsed: ParsedModule) -> None:
        """Keep ``parsed`` for ``key`` unless what is kept is newer."""
        mine = self.get(key)
        if mine is None or parsed.stamp > mine.stamp:
            self._memory[key] = parsed
            self._taken.add(key)
            self._removed.discard(key)
            self.changed = True

    def keep_only(self, keep: Set[str]) -> None:
        """Forget the parsed modules whose path is not in ``keep``."""
        store = self._opened()
        kept = store.keys() if store is not None else set()
        for key in (kept | self._memory.keys()) - keep:
            self._memory.pop(key, None)
            self._taken.discard(key)
            self._removed.add(key)
            self.changed = True

    def forget(self) -> None:
        """Let go of the modules held in memory, once they are saved."""
        if not self.changed:
            self._memory.clear()

    def close(self) -> None:
        """Close :attr:`file` (opened again when needed)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def save(self, path: Path) -> None:
        """Write what changed to the database ``path``: the modules parsed
        in this build, less those forgotten; where it is not :attr:`file`
        (a fresh environment), it starts anew."""
        if not self.changed:
            return
        self.close()
        rows = [(key, self._memory[key]) for key in sorted(self._taken)]
        _write(path, rows, sorted(self._removed), anew=self.file != path)
        self.file = path
        self._taken.clear()
        self._removed.clear()
        self.changed = False


def load_pickle(path: Path, version: tuple[str, int]) -> dict[Any, Any]:
    """The dictionary kept in ``path`` if this ``version`` wrote it, else an
    empty one (no file, a broken one, another version's)."""
    try:
        with path.open("rb") as file, collection_paused():
            written, data = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return {}
    except (AttributeError, ImportError):  # classes of another version
        return {}
    return data if written == version and isinstance(data, dict) else {}


def save_pickle(path: Path, version: tuple[str, int], data: dict[Any, Any]) -> None:
    """Keep ``data`` in ``path`` for :func:`load_pickle`, the file replaced
    whole (a build stopped while writing leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump((version, data), file, pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


_CACHES: WeakKeyDictionary[BuildEnvironment, ParseCache] = WeakKeyDictionary()


def parse_cache(env: BuildEnvironment) -> ParseCache:
    """The cache of ``env``'s application (reading processes fork with it)."""
    cache = _CACHES.get(env)
    if cache is None:
        cache = _CACHES[env] = ParseCache()
    return cache


def parse_module(
    env: BuildEnvironment, path: Path, docname: str = ""
) -> ModuleExtraction:
    """The extraction of the file ``path``, parsed once per build however many
    documents ask, and not at all while it is unchanged. ``docname`` is the
    document being read, if any: a reading process hands it back for it."""
    index, parsed = parse_cache(env).parse(path)
    if parsed is not None and docname:
        _handoff(env).setdefault(docname, {})[str(path)] = parsed
    return index


def module_resolver(env: BuildEnvironment, docname: str = "") -> Resolver:
    """Finds base classes in the modules under ``kwindex_root``, parsed
    through this cache. ``docname`` is the document being read, if any: it
    is read again when a module it took a base class from changes."""
    root = Path(env.config.kwindex_root)

    def load(path: Path) -> ModuleShape:
        if docname:
            note_file(env, path.resolve())
        return parse_module(env, path.resolve(), docname).shape

    return file_resolver(root, load)


def _handoff(env: BuildEnvironment) -> dict[str, dict[str, ParsedModule]]:
    """What reading each document parsed, kept by the ``kw`` domain (which
    merges what reading processes parsed, and forgets a document purged)."""
    return get_domain(env).parsed_while_reading


def keep_parsed(env: BuildEnvironment, keep: Set[str]) -> None:
    """Take in what the documents' reading parsed, then forget the parsed
    modules whose path is not in ``keep`` (nothing to do where no document
    was read)."""
    cache = parse_cache(env)
    handoff = _handoff(env)
    if not cache.loaded and not cache.changed and not handoff:
        return
    for found in handoff.values():
        for key, parsed in found.items():
            cache.take(key, parsed)
    handoff.clear()
    cache.keep_only(keep)


def find_parsed_modules(app: Sphinx) -> None:
    """Say where the modules parsed by earlier builds are (``builder-inited``);
    they are read when first needed."""
    if not app.fresh_env_used:
        parse_cache(app.env).file = Path(app.doctreedir, CACHE_NAME)


def close_before_reading(
    app: Sphinx, env: BuildEnvironment, docnames: list[str]
) -> None:
    """Close the database once the main process parsed what the documents
    about to be read show (``env-before-read-docs``): reading processes fork
    with those modules, and open the database again for any other."""
    parse_cache(env).close()


def save_parsed_modules(app: Sphinx, env: BuildEnvironment) -> None:
    """Keep the parsed modules that documents still depend on for the next
    build, if they changed (``env-updated``, once all is read and purged)."""
    files = get_domain(env).files.values()
    keep_parsed(env, {path for paths in files for path in paths})
    cache = parse_cache(env)
    cache.save(Path(app.doctreedir, CACHE_NAME))
    # Reading is done: what is still asked for (kwindex.json) is read from
    # the database again, a module at a time.
    cache.forget()
