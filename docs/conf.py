"""Sphinx configuration of sphinx-kwindex's own documentation.

The documentation is built with the extension itself: it indexes the example
test tree under ``examples/`` and the project's own ``tests/``.
"""

from sphinx_kwindex import __version__

project = "sphinx-kwindex"
author = "The sphinx-kwindex developers"
copyright = "2026, The sphinx-kwindex developers"
version = release = __version__

extensions = ["myst_parser", "sphinx_kwindex"]
exclude_patterns = ["_build", "examples"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

# kwindex_root stays at its default: the repository root (it holds pyproject.toml),
# so "/tests/test_extract.py" names the project's own tests.
kwindex_run_command = "python -m pytest {path}"

html_theme = "alabaster"
html_theme_options = {
    "description": "A static keyword index of Python test modules",
    "fixed_sidebar": True,
}
