"""Parsed files by content: once per build, and not again while unchanged.

The application's :class:`~sphinx_kwindex.parsed_store.ParseCache` lives as
long as it does and is kept from one build to the next in a database beside
the environment, not in it: a parallel read pickles the whole environment
once per batch of documents, and a thousand parsed modules in it made
``-j 2`` slower than ``-j 1``. A module is read from the database only when a
build needs it, and a build writes only the modules it parsed: editing one
module of a large tree costs one module, not the whole cache. A fresh
environment (``-E``) starts without it; another version ignores it.

Reading processes hand what they parsed back to the main one through the
environment, per document (``env-merge-info``), as ``viewcode`` does.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sphinx_kwindex.domain import get_domain, note_file
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.parsed_store import ParseCache, ParsedModule
from sphinx_kwindex.tree_resolver import file_resolver

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.extract import ModuleExtraction
    from sphinx_kwindex.shapes import ModuleShape, Resolver

CACHE_NAME = "kwindex-parsed.sqlite"


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
