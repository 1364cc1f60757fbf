"""Sphinx configuration of sphinx-kwindex's own documentation.

The documentation is built with the extension itself: it indexes the example
test tree under ``examples/`` and the project's own ``tests/``.
"""

from sphinx_kwindex import __version__

project = "sphinx-kwindex"
author = "The sphinx-kwindex developers"
copyright = "2026, The sphinx-kwindex developers"
version = release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx_kwindex",
]
exclude_patterns = ["_build", "examples", "_inventories"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}

# kwindex_root stays at its default: the repository root (it holds pyproject.toml),
# so "/tests/test_extract.py" names the project's own tests.
kwindex_run_command = "python -m pytest {path}"

# The whole trees: the project's own tests and the example shop, a page per
# module and per folder under tree/ (generated at build time; git ignores it).
kwindex_modules = ["tests/*.py", "docs/examples/shop/tests/**/*.py"]
kwindex_output_dir = "tree"
kwindex_default_kinds = ["tests", "fixtures", "classes", "functions", "imports"]

# The build must work offline (CI has no network): instead of fetching the
# Python docs' inventory, a hand-written excerpt in Sphinx's plain-text
# inventory format lists the standard modules the tests and examples import.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", "_inventories/python.inv"),
}

html_theme = "alabaster"
html_theme_options = {
    "description": "A static keyword index of Python test modules",
    "fixed_sidebar": True,
}
html_sidebars = {
    "**": [
        "about.html",
        "navigation.html",
        "kwindex-indexes.html",
        "relations.html",
        "searchbox.html",
    ]
}
