extensions = ["sphinx_kwindex"]
kwindex_root = "."
project = "bad"
