"""Parsed modules kept by content, in memory and in a database: no Sphinx.

A file is known by its path and its content: a stamp (modification time,
size) first, then a digest. :class:`ParseCache` parses a file only when its
content is new to it, and keeps what it parsed in a database (one row per
module, read only when asked for, written only where it changed). Sphinx
builds keep one beside the environment (``parse_cache.py``); the command
line keeps one per root folder (``__main__.py``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from sphinx_kwindex import __version__
from sphinx_kwindex.extract import ModuleExtraction, extract_file, extract_source
from sphinx_kwindex.garbage_collection import collection_paused

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence, Set

    from sphinx_kwindex.uses import ModuleUses

CACHE_VERSION = 16
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
        for key, parsed in rows:
            _insert(connection, key, parsed)


_STREAMED_FROM = 1_000_000
"""From how large a source file a parsed module is written to the database
a piece at a time."""


def _insert(connection: sqlite3.Connection, key: str, parsed: ParsedModule) -> None:
    """Write one parsed module. A large one (100,000 tests make 14 MB) is
    pickled twice without the pickler's memo, first to know its size, then
    into its row a piece at a time: held whole, its pickle, the memo and
    the database's copy took 90 MB at once."""
    if parsed.stamp[1] < _STREAMED_FROM or not hasattr(connection, "blobopen"):
        data = pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL)
        connection.execute("INSERT OR REPLACE INTO modules VALUES (?, ?)", (key, data))
        return
    size = _Counter()
    _memoless(size).dump(parsed)
    cursor = connection.execute(
        "INSERT OR REPLACE INTO modules VALUES (?, zeroblob(?))", (key, size.written)
    )
    with connection.blobopen("modules", "parsed", cursor.lastrowid) as blob:
        _memoless(blob).dump(parsed)


def _memoless(out: Any) -> pickle.Pickler:
    """A pickler writing to ``out`` without a memo (extractions hold no
    object twice that must stay one)."""
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    return pickler


class _Counter:
    """A file that counts what is written to it."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return len(data)


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
        self.with_uses: Callable[[str], bool | None] | None = None
        """Which modules (by key) are parsed with their uses
        (:attr:`~sphinx_kwindex.extract.ModuleExtraction.uses`), the bodies
        of their functions read (True) or not (False); None for the others."""

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

    def holds(self, path: Path) -> bool:
        """Whether the content of the file ``path`` is the one held (its
        stamp unchanged)."""
        try:
            stamp = _stamp(path.stat())
        except OSError:
            return False
        cached = self.get(str(path))
        return cached is not None and cached.stamp == stamp

    def parse(self, path: Path) -> tuple[ModuleExtraction, ParsedModule | None]:
        """The extraction of the file ``path``, parsed only when its content
        is new (or its uses are asked for and not held); with the cache
        entry when it was new to this cache."""
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):
                return extract_file(path), None
            key, stamp = str(path), _stamp(stat)
            cached = self.get(key)
            if (
                cached is not None
                and cached.stamp == stamp
                and self._complete(key, cached)
            ):
                return cached.index, None
            data = path.read_bytes()
        except OSError:
            return extract_file(path), None
        digest = _digest(data)
        if cached is None or cached.digest != digest or not self._complete(key, cached):
            uses = self._with_uses(key)
            cached = ParsedModule(stamp, digest, extract_source(data, key, uses))
        parsed = ParsedModule(stamp, digest, cached.index)
        self.take(key, parsed)
        return parsed.index, parsed

    def _with_uses(self, key: str) -> bool | None:
        return None if self.with_uses is None else self.with_uses(key)

    def _complete(self, key: str, cached: ParsedModule) -> bool:
        """Whether ``cached`` holds all that is asked for ``key``."""
        bodies = self._with_uses(key)
        return bodies is None or _holds_uses(cached.index, bodies)

    def uses(self, path: Path, bodies: bool) -> tuple[ModuleUses | None] | None:
        """The uses held for the file ``path``, its functions' ``bodies``
        read or not (in a tuple: None where it does not parse), if its
        content is the one held and they were read with it; else None. Only
        what is in memory or in :attr:`file` is looked at: nothing is
        parsed."""
        try:
            stamp = _stamp(path.stat())
        except OSError:
            return None
        cached = self.get(str(path))
        if cached is None or cached.stamp != stamp:
            return None
        index = cached.index
        return (index.uses,) if _holds_uses(index, bodies) else None

    def take(self, key: str, parsed: ParsedModule) -> None:
        """Keep ``parsed`` for ``key`` unless what is kept is newer, or as
        new and ``parsed`` was not read with other uses."""
        mine = self.get(key)
        if (
            mine is None
            or parsed.stamp > mine.stamp
            or (
                parsed.stamp == mine.stamp
                and parsed.index.uses is not None
                and parsed.index.uses != mine.index.uses
            )
        ):
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


def _holds_uses(index: ModuleExtraction, bodies: bool) -> bool:
    """Whether ``index`` was read with its uses, its functions' ``bodies``
    read or not: it holds them, or the module does not parse (none to
    hold)."""
    if index.uses is None:
        return index.problem is not None
    return index.uses.bodies == bodies


def parse_new(cache: ParseCache, paths: Sequence[Path], workers: int) -> None:
    """Parse into ``cache``, in ``workers`` processes, the files of
    ``paths`` whose content it does not hold: a process pool costs its
    start, so few files are left to :meth:`ParseCache.parse`."""
    pending = [path for path in paths if not cache.holds(path)]
    if workers < 2 or len(pending) < _POOL_FROM:
        return
    chunk = max(1, len(pending) // (workers * 8))
    with ProcessPoolExecutor(workers) as pool:
        for found in pool.map(_parse_file, pending, chunksize=chunk):
            if found is not None:
                cache.take(*found)


_POOL_FROM = 64
"""How many new files make a process pool worth its start."""


def _parse_file(path: Path) -> tuple[str, ParsedModule] | None:
    """A file's extraction as a cache entry (in a pool's process)."""
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    index = extract_source(data, str(path))
    return str(path), ParsedModule(_stamp(stat), _digest(data), index)


def _stamp(stat: os.stat_result) -> tuple[int, int]:
    """What tells a file's content first: modification time (ns), size."""
    return stat.st_mtime_ns, stat.st_size


def _digest(data: bytes) -> bytes:
    """What tells a file's content where its stamp changed."""
    return hashlib.blake2b(data, digest_size=16).digest()
