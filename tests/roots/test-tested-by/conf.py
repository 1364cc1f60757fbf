import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "project" / "src"))

project = "Tested by"
extensions = ["sphinx.ext.autodoc", "sphinx_kwindex"]
kwindex_root = "project"
kwindex_modules = ["tests/*.py"]
exclude_patterns = ["_build", "project"]
