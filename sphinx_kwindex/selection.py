"""pytest's ``-m`` and ``-k`` expressions, evaluated on what static reading
knows of a test.

The grammar is pytest's (``_pytest/mark/expression.py``): ``or``, ``and``,
``not``, parentheses and identifiers. An identifier is asked of a matcher
that answers True, False or None (not known: a mark or a name only a run
gives), and the expression is evaluated in three-valued logic: a test is
said to be deselected only where every answer pytest could get deselects
it. An expression this module cannot read (marks with arguments, a syntax
error) is not known either.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Matcher = Callable[[str], bool | None]
"""Whether an identifier matches the test: True, False, or None (not known)."""

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([\w:+\-.\[\]\\/]+))")


class _Unreadable(Exception):
    """An expression this module does not evaluate."""


def evaluate(expression: str, matches: Matcher) -> bool | None:
    """What ``expression`` gives for a test that ``matches`` describes; None
    where that is not known."""
    tokens = _tokens(expression)
    if tokens is None:
        return None
    try:
        value, rest = _or(tokens, matches)
    except _Unreadable:
        return None
    return value if not rest else None


def _tokens(expression: str) -> list[str] | None:
    found: list[str] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        found.append(match.group(0).strip())
        position = match.end()
    return found


def _or(tokens: list[str], matches: Matcher) -> tuple[bool | None, list[str]]:
    value, tokens = _and(tokens, matches)
    while tokens and tokens[0] == "or":
        right, tokens = _and(tokens[1:], matches)
        value = True if value or right else (None if None in (value, right) else False)
    return value, tokens


def _and(tokens: list[str], matches: Matcher) -> tuple[bool | None, list[str]]:
    value, tokens = _not(tokens, matches)
    while tokens and tokens[0] == "and":
        right, tokens = _not(tokens[1:], matches)
        falsy = value is False or right is False
        value = False if falsy else (None if None in (value, right) else True)
    return value, tokens


def _not(tokens: list[str], matches: Matcher) -> tuple[bool | None, list[str]]:
    if not tokens:
        raise _Unreadable
    head, rest = tokens[0], tokens[1:]
    if head == "not":
        value, rest = _not(rest, matches)
        return (None if value is None else not value), rest
    if head == "(":
        value, rest = _or(rest, matches)
        if not rest or rest[0] != ")":
            raise _Unreadable
        return value, rest[1:]
    if head in (")", "and", "or") or (rest and rest[0] == "("):
        raise _Unreadable  # a mark with arguments, or a syntax error
    return matches(head), rest


def mark_matcher(marks: frozenset[str], complete: bool) -> Matcher:
    """``-m``: whether the test has a mark of that name; a name it lacks is
    not known where its marks are not all known."""

    def matches(name: str) -> bool | None:
        return True if name in marks else (False if complete else None)

    return matches


def keyword_matcher(names: frozenset[str], complete: bool) -> Matcher:
    """``-k``: whether a name of the test, of a node above it, or of a mark
    on it holds the identifier, case aside; where not all of them are
    known (parameter ids, marks from elsewhere), a miss is not known."""
    lowered = [name.lower() for name in names]

    def matches(word: str) -> bool | None:
        found = any(word.lower() in name for name in lowered)
        return True if found else (False if complete else None)

    return matches
