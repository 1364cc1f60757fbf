extensions = ["myst_parser", "sphinx_kwindex"]
kwindex_root = "."
project = "options"
