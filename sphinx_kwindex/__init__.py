"""sphinx-kwindex: a static keyword index of Python (test) modules for Sphinx."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def setup(app: Sphinx) -> ExtensionMetadata:
    """Sphinx's entry point; the registrations are in ``extension.py``."""
    # Imported here so that the command line and the pure modules do not
    # import the Sphinx glue.
    from sphinx_kwindex.extension import setup_extension

    return setup_extension(app)
