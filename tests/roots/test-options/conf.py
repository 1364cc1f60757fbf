extensions = ["myst_parser", "sphinx_kwindex"]
kwindex_root = "."
project = "options"
# Every kind these tests look for in the general index.
kwindex_index_kinds = ["classes", "functions", "imports", "tests", "constants"]
