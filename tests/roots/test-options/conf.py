extensions = ["sphinx_kwindex"]
kwindex_root = "."
project = "options"
