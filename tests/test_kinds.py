"""The table of kinds against what reads it: extraction, the domain, the roles."""

from __future__ import annotations

import textwrap

from sphinx_kwindex.collect import collect_tests
from sphinx_kwindex.domain import KeywordDomain
from sphinx_kwindex.extract import extract_source
from sphinx_kwindex.kinds import KEYWORD, KINDS

EVERY_KIND = """
import pytest

LIMIT = 3

@pytest.fixture
def cart(): ...

class TestCart:
    @pytest.mark.skip
    def test_empty(self, cart): ...
"""


def test_the_table_covers_exactly_the_kinds_extraction_produces() -> None:
    module = extract_source(textwrap.dedent(EVERY_KIND).encode(), "test_every_kind.py")
    assert list(module.keywords) == list(KINDS)
    produced = {kind for kind, keywords in module.keywords.items() if keywords}
    # Which tests there are, collection says (from what extraction found).
    assert collect_tests("test_every_kind.py", module.shape)
    assert produced == set(KINDS) - {"tests"}


def test_object_types_and_roles_are_the_tables() -> None:
    object_types = [kind.object_type for kind in KINDS.values()]
    assert len(set(object_types)) == len(KINDS)
    assert set(KeywordDomain.object_types) == {*object_types, KEYWORD}
    assert set(KeywordDomain.roles) == {*object_types, KEYWORD}
    for object_type in object_types:
        assert KeywordDomain.object_types[object_type].roles == (object_type, KEYWORD)
