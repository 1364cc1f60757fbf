"""pytest's -m and -k expressions on what static reading knows: an answer
only where every mark or name a run could add leaves it the same."""

from __future__ import annotations

import pytest

from sphinx_kwindex.pytest_config import addopts_selection
from sphinx_kwindex.selection import evaluate, keyword_matcher, mark_matcher

SLOW = frozenset({"slow"})


@pytest.mark.parametrize(
    ("expression", "complete", "expected"),
    [
        ("not slow", True, False),
        ("not slow", False, False),  # a mark it has: known either way
        ("slow", True, True),
        ("network", True, False),
        ("network", False, None),  # a mark from elsewhere may be there
        ("not network", False, None),
        ("slow or network", False, True),
        ("slow and network", False, None),
        ("not slow and network", False, False),
        ("(slow or network) and not flaky", True, True),
        ("slow(reason='x')", True, None),  # marks with arguments: not read
        ("slow and", True, None),  # pytest refuses it
        ("", True, None),
    ],
)
def test_marks(expression: str, complete: bool, expected: bool | None) -> None:
    assert evaluate(expression, mark_matcher(SLOW, complete)) is expected


def test_keywords_match_parts_of_names_case_aside() -> None:
    names = frozenset({"test_login_fails", "TestAuth", "test_auth.py", "slow"})
    assert evaluate("not login", keyword_matcher(names, True)) is False
    assert evaluate("AUTH and not network", keyword_matcher(names, True)) is True
    assert evaluate("network", keyword_matcher(names, False)) is None


@pytest.mark.parametrize(
    ("addopts", "expected"),
    [
        ("-ra -m 'not slow' --strict-markers", (("-m", "not slow"),)),
        (["-m", "not stress", "-kfoo"], (("-m", "not stress"), ("-k", "foo"))),
        ("-m slow -m 'not slow'", (("-m", "not slow"),)),  # the last wins
        ("-p no:cacheprovider --tb=short", ()),
        ("-m 'unclosed", ()),
        (42, ()),
    ],
)
def test_what_addopts_deselects_by(addopts: object, expected: tuple) -> None:
    assert addopts_selection(addopts) == expected
