"""The parsed modules, kept from one build to the next beside the environment.

A file in the doctree folder, not the environment itself: a parallel read
pickles the whole environment once per batch of documents, and a thousand
parsed modules in it made ``-j 2`` slower than ``-j 1``. A fresh environment
(``-E``) starts without it; another version of the extension ignores it.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx_kwindex.domain import get_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

CACHE_NAME = "kwindex-parsed.pickle"


def cache_version() -> tuple[str, int]:
    """What a cache must have been written by to be read back."""
    from sphinx_kwindex import ENV_VERSION, __version__

    return __version__, ENV_VERSION


def load_parsed_modules(app: Sphinx) -> None:
    """Give the domain the modules parsed by earlier builds (``builder-inited``)."""
    if app.fresh_env_used:
        return
    try:
        with Path(app.doctreedir, CACHE_NAME).open("rb") as file:
            version, parsed = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return
    except (AttributeError, ImportError):  # written by another version
        return
    if version == cache_version() and isinstance(parsed, dict):
        domain = get_domain(app.env)
        domain.parsed.update(parsed)
        domain.parsed_changed = False


def save_parsed_modules(app: Sphinx, env: BuildEnvironment) -> None:
    """Keep the parsed modules for the next build, if they changed
    (``env-updated``, once all is read and purged)."""
    domain = get_domain(env)
    if not domain.parsed_changed:
        return
    path = Path(app.doctreedir, CACHE_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump((cache_version(), domain.parsed), file, pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)
    domain.parsed_changed = False
