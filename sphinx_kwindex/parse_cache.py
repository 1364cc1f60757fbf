"""Parsed files by content: once per build, and not again while unchanged.

A file is known by its path and its content: a stamp (modification time,
size) first, then a digest. The cache lives as long as the application and is
kept from one build to the next in a file beside the environment, not in it:
a parallel read pickles the whole environment once per batch of documents,
and a thousand parsed modules in it made ``-j 2`` slower than ``-j 1``. A
fresh environment (``-E``) starts without it; another version ignores it.

Reading processes hand what they parsed back to the main one through the
environment, per document (``env-merge-info``), as ``viewcode`` does.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx_kwindex import __version__
from sphinx_kwindex.collect import ModuleShape, Resolver, file_resolver
from sphinx_kwindex.extract import ModuleIndex, index_file, index_source

if TYPE_CHECKING:
    from collections.abc import Iterator, Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

CACHE_NAME = "kwindex-parsed.pickle"
CACHE_VERSION = 11
"""Bump whenever :class:`ParsedModule` or what it holds changes shape."""

_HANDOFF = "_kwindex_parsed_while_reading"
"""The environment attribute by which reading processes hand parsed modules
back: ``{docname: {path: ParsedModule}}``."""


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """A module's extraction, with what identifies the file's content:
    ``stamp`` (modification time in ns, size) and a digest."""

    stamp: tuple[int, int]
    digest: bytes
    index: ModuleIndex


class ParseCache:
    """The parsed modules of one application, by absolute path.

    What earlier builds parsed is read from :attr:`file` only when first
    needed: a build that reads no document never loads it.
    """

    def __init__(self, file: Path | None = None) -> None:
        self.file = file
        """Where earlier builds kept their parsed modules, if anywhere."""
        self._parsed: dict[str, ParsedModule] | None = None
        self.changed = False
        """Whether :attr:`parsed` differs from :attr:`file`."""

    @property
    def loaded(self) -> bool:
        """Whether :attr:`file` was read (or there is none to read)."""
        return self._parsed is not None

    @property
    def parsed(self) -> dict[str, ParsedModule]:
        """Every parsed module by path, :attr:`file`'s first."""
        if self._parsed is None:
            self._parsed = self._load()
        return self._parsed

    def load(self) -> None:
        """Read :attr:`file` now, if it was not read yet."""
        if self._parsed is None:
            self._parsed = self._load()

    def parse(self, path: Path) -> tuple[ModuleIndex, ParsedModule | None]:
        """The extraction of the file ``path``, parsed only when its content
        is new; with the cache entry when it was new to this cache."""
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):
                return index_file(path), None
            key, stamp = str(path), (stat.st_mtime_ns, stat.st_size)
            cached = self.parsed.get(key)
            if cached is not None and cached.stamp == stamp:
                return cached.index, None
            data = path.read_bytes()
        except OSError:
            return index_file(path), None
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if cached is None or cached.digest != digest:
            cached = ParsedModule(stamp, digest, index_source(data, key))
        parsed = ParsedModule(stamp, digest, cached.index)
        self.take(key, parsed)
        return parsed.index, parsed

    def take(self, key: str, parsed: ParsedModule) -> None:
        """Keep ``parsed`` for ``key`` unless what is kept is newer."""
        mine = self.parsed.get(key)
        if mine is None or parsed.stamp > mine.stamp:
            self.parsed[key] = parsed
            self.changed = True

    def keep_only(self, keep: Set[str]) -> None:
        """Forget the parsed modules whose path is not in ``keep``."""
        for key in self.parsed.keys() - keep:
            del self.parsed[key]
            self.changed = True

    def _load(self) -> dict[str, ParsedModule]:
        """The parsed modules of :attr:`file`, if this version wrote it."""
        if self.file is None:
            return {}
        return load_pickle(self.file, (__version__, CACHE_VERSION))

    def save(self, path: Path) -> None:
        """Write the cache file ``path`` if anything changed since."""
        if not self.changed or self._parsed is None:
            return
        save_pickle(path, (__version__, CACHE_VERSION), self._parsed)
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


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch of files is parsed.

    What extraction keeps are named tuples, which the collector tracks for
    good (it lets go of plain tuples only): with a thousand modules kept in
    the cache, its passes over them took longer than the parsing (Lib/test:
    7.5 s where parsing and extraction alone take 4.2 s). Parsing makes no
    cycles; the collector runs again as soon as the batch is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_CACHES: WeakKeyDictionary[BuildEnvironment, ParseCache] = WeakKeyDictionary()


def parse_cache(env: BuildEnvironment) -> ParseCache:
    """The cache of ``env``'s application (reading processes fork with it)."""
    cache = _CACHES.get(env)
    if cache is None:
        cache = _CACHES[env] = ParseCache()
    return cache


def parse_module(env: BuildEnvironment, path: Path, docname: str = "") -> ModuleIndex:
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
            env.note_dependency(str(path.resolve()))
        return parse_module(env, path.resolve(), docname).shape

    return file_resolver(root, load)


def _handoff(env: BuildEnvironment) -> dict[str, dict[str, ParsedModule]]:
    handoff: dict[str, dict[str, ParsedModule]] | None = getattr(env, _HANDOFF, None)
    if handoff is None:
        handoff = {}
        setattr(env, _HANDOFF, handoff)
    return handoff


def purge_handoff(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget what reading ``docname`` parsed (``env-purge-doc``)."""
    _handoff(env).pop(docname, None)


def merge_handoff(
    app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
) -> None:
    """Take what a reading process parsed for ``docnames`` (``env-merge-info``)."""
    theirs = _handoff(other)
    mine = _handoff(env)
    for docname in docnames:
        if docname in theirs:
            mine[docname] = theirs[docname]


def keep_parsed(env: BuildEnvironment, keep: Set[str]) -> None:
    """Take in what the documents' reading parsed, then forget the parsed
    modules whose path is not in ``keep`` (nothing to do where no document
    was read)."""
    cache = parse_cache(env)
    handoff = _handoff(env)
    if not cache.loaded and not handoff:
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


def load_before_reading(
    app: Sphinx, env: BuildEnvironment, docnames: list[str]
) -> None:
    """Read the parsed modules of earlier builds once, in the main process,
    before documents are read (``env-before-read-docs``): reading processes
    fork with them."""
    if docnames:
        parse_cache(env).load()


def save_parsed_modules(app: Sphinx, env: BuildEnvironment) -> None:
    """Keep the parsed modules that documents still depend on for the next
    build, if they changed (``env-updated``, once all is read and purged)."""
    keep_parsed(
        env, {str(path) for paths in env.dependencies.values() for path in paths}
    )
    parse_cache(env).save(Path(app.doctreedir, CACHE_NAME))
