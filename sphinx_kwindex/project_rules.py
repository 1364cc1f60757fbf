"""pytest's rules for a Sphinx project: read once per application from the
project's configuration, noted as a dependency of the pages that list tests,
and the kinds the generated page of a module shows under them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sphinx.config import Config

from sphinx_kwindex.domain import note_file
from sphinx_kwindex.pytest_config import CollectRules, read_rules
from sphinx_kwindex.view import test_module_kinds

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.environment import BuildEnvironment


_RULES: WeakKeyDictionary[Config, tuple[CollectRules, Path | None]]
_RULES = WeakKeyDictionary()
"""The rules of each application's project, and the file that sets them."""


def collect_rules(config: Config) -> tuple[CollectRules, Path | None]:
    """pytest's collection rules of the project (its configuration at or
    above ``kwindex_root``) and the file that sets them, read once per
    application."""
    found = _RULES.get(config)
    if found is None:
        found = _RULES[config] = read_rules(Path(config.kwindex_root))
    return found


def noted_rules(env: BuildEnvironment) -> CollectRules:
    """The project's collection rules, for the document being read, which
    is read again when the file setting them changes."""
    rules, source = collect_rules(env.config)
    if source is not None:
        note_file(env, source)
    return rules


def rules_for_page(env: BuildEnvironment, kinds: Iterable[str]) -> CollectRules:
    """The project's collection rules, for a page that shows ``kinds``; a
    page that shows tests is read again when the file setting them changes."""
    if "tests" in kinds:
        return noted_rules(env)
    return collect_rules(env.config)[0]


def generated_test_kinds(config: Config, path: str) -> tuple[str, ...] | None:
    """The kinds the generated page of the module at ``path`` shows under
    the project's rules and ``kwindex_test_kinds``, if it is a test module
    or a ``conftest.py`` (``view.test_module_kinds``)."""
    rules = collect_rules(config)[0]
    return test_module_kinds(path, rules, config.kwindex_test_kinds)
