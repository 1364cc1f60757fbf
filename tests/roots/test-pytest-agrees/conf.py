extensions = ["sphinx_kwindex"]
kwindex_root = "suite"
kwindex_modules = ["**/*.py"]
