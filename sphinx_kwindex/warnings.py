"""One way to warn: type ``kwindex``, a subtype from :class:`Subtype`.

Users silence a subtype with ``suppress_warnings = ["kwindex.syntax"]``; the
list in ``docs/usage.rst`` is tested against this enum.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

if TYPE_CHECKING:
    from docutils.nodes import Node

logger = logging.getLogger("sphinx_kwindex")

WARNING_TYPE = "kwindex"


class Subtype(str, Enum):
    """What went wrong, as ``suppress_warnings`` names it (``kwindex.<value>``)."""

    MISSING = "missing"
    """No such file, or a folder; a ``kwindex-folder`` that is no folder of
    ``kwindex_modules``; a ``kwindex-tested-by`` name that is no object of
    the packages under test."""
    PATH = "path"
    """The path leaves ``kwindex_root``."""
    ENCODING = "encoding"
    """The file cannot be decoded."""
    SYNTAX = "syntax"
    """Syntax error, null bytes, nesting too deep."""
    OPTION = "option"
    """A bad option value of a directive."""
    CONFIG = "config"
    """A bad configuration value, a glob of ``kwindex_modules`` matching
    nothing, a ``kwindex_root`` that is no folder."""
    RESULTS = "results"
    """A record of a run (``kwindex_results``) that cannot be read."""
    EXPORT = "export"
    """``kwindex.json`` cannot say what a page says of a module."""


def warn(
    message: str,
    subtype: Subtype | str,
    location: str | tuple[str | None, int | None] | Node | None = None,
    *args: Any,
) -> None:
    """Log one ``kwindex.<subtype>`` warning at ``location``; ``args`` fill
    ``message``'s ``%`` placeholders."""
    logger.warning(
        message,
        *args,
        location=location,
        type=WARNING_TYPE,
        subtype=Subtype(subtype).value,
    )
