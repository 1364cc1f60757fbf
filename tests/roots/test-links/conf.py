import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx", "sphinx_kwindex"]
kwindex_root = "."
project = "links"
# A hand-written excerpt of the Python docs' inventory: builds stay offline.
intersphinx_mapping = {"python": ("https://docs.python.org/3", "python-objects.inv")}
