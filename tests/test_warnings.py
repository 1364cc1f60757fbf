"""The warning subtypes users can silence are the ones the docs list."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx_kwindex.warnings import Subtype

USAGE = Path(__file__).parent.parent / "docs" / "usage.rst"


def test_the_docs_list_every_subtype_and_no_other() -> None:
    text = USAGE.read_text(encoding="utf-8")
    table = text[text.index("Problems, and how to silence them") :]
    listed = re.findall(r"^``kwindex\.(\w+)``", table, flags=re.MULTILINE)
    assert listed == [subtype.value for subtype in Subtype]
