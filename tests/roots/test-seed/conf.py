extensions = ["sphinx_kwindex"]
kwindex_root = "."
project = "seed"
copyright = "2026, the sphinx-kwindex developers"
version = release = "1.0"
