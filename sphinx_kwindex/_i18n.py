"""Translatable text: ``_`` for what the documentation shows, ``__`` for the console."""

from __future__ import annotations

from sphinx.locale import get_translation

MESSAGE_CATALOG = "sphinx_kwindex"

_ = get_translation(MESSAGE_CATALOG)
__ = get_translation(MESSAGE_CATALOG, "console")
