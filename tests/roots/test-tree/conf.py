extensions = ["sphinx_kwindex"]
kwindex_root = "."
kwindex_modules = ["tests/**/test_*.py", "tests/**/*.py", "!tests/helpers.py"]
