"""Tested by (SPEC §10), the Sphinx side: what each listed test uses of the
project under test, recorded as its page is read; on every object the
Python domain documents (autodoc, autodoc2, sphinx-autoapi, hand-written
``py:`` directives), how many tests use it and the nearest of them, linked
to their entries (a post-transform: every builder, links in HTML).

The packages under test are :confval:`kwindex_tested_packages`, else each
folder of :confval:`kwindex_root` (or of its ``src``) with an
``__init__.py``, but tests, docs and the like. Their modules are read like
the tests, never imported; a test page depends on every module its tests'
resolution read, and an API page is written again when the tests shown on
it change.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_kwindex.api_links import python_reference
from sphinx_kwindex.api_uses import (
    ApiUses,
    FileFinder,
    find_packages,
    object_name,
    read_module_uses,
    uses_by_node_id,
)
from sphinx_kwindex.domain import changed_keys, get_domain, note_file
from sphinx_kwindex.garbage_collection import collection_paused
from sphinx_kwindex.names import pytest_node_id, tested_by_page_name
from sphinx_kwindex.nodes import TestUses, kwindex_keywords, labels, shown_entries
from sphinx_kwindex.outputs import writes_tested_by_pages
from sphinx_kwindex.parse_cache import parse_cache
from sphinx_kwindex.project_rules import collect_rules
from sphinx_kwindex.transforms import current_builder, node_id_link, written_in

if TYPE_CHECKING:
    from collections.abc import Iterable, Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.collect import CollectedTest
    from sphinx_kwindex.domain import KeywordDomain
    from sphinx_kwindex.uses import ModuleUses

TESTED_BY_SHOWN = 5
"""How many tests an object's "Tested by" names, and how many objects a
test's "uses" names; the others are counted."""

_read: dict[tuple[str, int, int, bool], ModuleUses | None] = {}
"""The modules read in this process, by path and stamp."""
_project: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)
"""Per environment, in this process: the packages under test, and the
defined name of each documented name asked for."""


def packages_under_test(env: BuildEnvironment) -> dict[str, Path]:
    """The packages under test, each with the folder imports start from
    (looked for once per build)."""
    project = _project.setdefault(env, {})
    if "packages" not in project:
        config = env.config
        found = find_packages(Path(config.kwindex_root))
        named = config.kwindex_tested_packages
        project["packages"] = (
            {name: found[name] for name in named if name in found} if named else found
        )
    packages: dict[str, Path] = project["packages"]
    return packages


def read_stamped(file: Path, bodies: bool) -> ModuleUses | None:
    """A module's references, read once per process while it is unchanged."""
    try:
        stat = file.stat()
    except OSError:
        return None
    key = (os.fspath(file), stat.st_mtime_ns, stat.st_size, bodies)
    if key not in _read:
        _read[key] = read_module_uses(file, bodies)
    return _read[key]


def file_finder(env: BuildEnvironment) -> FileFinder:
    """Where the modules of the project are, looked up once per build."""
    project = _project.setdefault(env, {})
    if "finder" not in project:
        root = Path(env.config.kwindex_root)
        project["finder"] = FileFinder(root, packages_under_test(env))
    finder: FileFinder = project["finder"]
    return finder


def reading_api(env: BuildEnvironment) -> ApiUses:
    """Resolution for the document being read: every module it reads is
    noted, so that the document is read again when one changes (the
    project's root is free of symbolic links: ``kwindex_root`` is
    resolved). A module extraction parsed with its uses gives them
    (:func:`parse_with_uses`): it is not parsed again."""
    cache = parse_cache(env)

    def read(file: Path, bodies: bool) -> ModuleUses | None:
        note_file(env, file)
        if (held := cache.uses(file, bodies)) is not None:
            return held[0]
        return read_stamped(file, bodies)

    return file_finder(env).api(read)


def parse_with_uses(app: Sphinx) -> None:
    """Have extraction read modules' uses with their keywords, from the
    same syntax trees, where tests' uses are found (``builder-inited``,
    before any module is parsed): those of the modules pytest collects and
    of ``conftest.py`` files, and those of the packages' modules it parses
    (where base classes are), without their functions' bodies, as
    resolution reads them. The parse cache keeps them, and resolution takes
    them there. Other modules of the test tree (helpers, models) are read
    only where resolution reaches them: most are not."""
    env = app.env
    root = Path(env.config.kwindex_root)
    rules = collect_rules(env.config)[0]
    known: dict[str, bool | None] = {}

    def bodies(path: Path) -> bool | None:
        if not path.is_relative_to(root):
            return None
        relative = path.relative_to(root).as_posix()
        if file_finder(env).dotted(relative) is not None:
            return False
        if path.name == "conftest.py" or rules.collects_file(relative):
            return True
        return None

    def with_uses(key: str) -> bool | None:
        if key not in known:
            known[key] = bodies(Path(key)) if tested_by_shown(env) else None
        return known[key]

    parse_cache(env).with_uses = with_uses


def tested_by_shown(env: BuildEnvironment) -> bool:
    """Whether tests' uses are found: the setting is on and the project has
    packages under test."""
    return bool(env.config.kwindex_tested_by and packages_under_test(env))


def uses_of_tests(
    env: BuildEnvironment, path: str, tests: Iterable[CollectedTest], shown: Set[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(node id, objects)`` of each test of ``tests`` (of the module at
    ``path``) the page shows (``shown``, node ids) that uses objects of the
    packages under test, by defined name."""
    if not tested_by_shown(env):
        return ()
    listed = (t for t in tests if pytest_node_id(path, t.qualname) in shown)
    # Resolution makes values by the hundred thousand, held only until the
    # page's tests are done, in no cycle: a collection would scan and keep
    # them, and bring on more passes over the whole heap.
    with collection_paused():
        found = uses_by_node_id(reading_api(env), path, listed)
    return tuple(
        (node_id, tuple(sorted(used))) for node_id, used in found.items() if used
    )


def defined_name(env: BuildEnvironment, documented: str) -> str | None:
    """The name the object a page documents as ``documented`` is defined
    under in the packages under test (``shop.Cart`` is ``shop.cart.Cart``),
    None where it is none of theirs."""
    names: dict[str, str | None] = _project.setdefault(env, {}).setdefault("names", {})
    if documented not in names:
        packages = packages_under_test(env)
        if documented.partition(".")[0] not in packages:
            names[documented] = None
        else:
            api = file_finder(env).api(read_stamped)
            names[documented] = object_name(api, documented)
    return names[documented]


def documented_names(env: BuildEnvironment) -> dict[str, str]:
    """The name each object of the packages under test that the Python
    domain documents is documented under, by the name it is defined under
    (the shortest where several document it); found once per build."""
    project = _project.setdefault(env, {})
    if "documented" not in project:
        found: dict[str, str] = {}
        objects = env.get_domain("py").data.get("objects", {})
        for name in sorted(objects, key=lambda name: (len(name), name)):
            defined = defined_name(env, name)
            if defined is not None:
                found.setdefault(defined, name)
        project["documented"] = found
    documented: dict[str, str] = project["documented"]
    return documented


def test_uses_shown(
    builder: Builder, fromdocname: str, used: Iterable[str]
) -> TestUses:
    """What a test uses (``used``, defined names) as its entry shows it:
    the documented objects first, each linked to its documentation."""
    documented = documented_names(builder.env)
    named = sorted(
        (documented.get(name) is None, documented.get(name, name)) for name in used
    )
    shown = []
    for undocumented, name in named[:TESTED_BY_SHOWN]:
        reference = None
        if not undocumented:
            code = nodes.literal(name, name, classes=["kwindex-uses-name"])
            reference = python_reference(builder.env, builder, fromdocname, name, code)
        shown.append((name, reference))
    return len(named), tuple(shown)


class TestUsesLinks(SphinxPostTransform):
    """On each test's entry, what it uses of the project under test, linked
    to the documentation of what is documented (before the lists are
    finished: :class:`~sphinx_kwindex.transforms.FinishKeywordIndexes`)."""

    default_priority = 19

    def run(self, **kwargs: Any) -> None:
        if not tested_by_shown(self.env):
            return
        builder = current_builder(self)
        domain = get_domain(self.env)
        for keywords in self.document.findall(kwindex_keywords):
            if keywords["kind"] != "tests":
                continue
            fromdocname = written_in(keywords, self.env.docname)
            uses = {
                node_id: used
                for record in domain.modules.get(fromdocname, ())
                if record.path == keywords["path"]
                for node_id, used in record.uses
            }
            if not uses:
                continue
            keywords["api_uses"] = tuple(
                test_uses_shown(builder, fromdocname, uses[node_id])
                if (node_id := entry.locations[0].shown) in uses
                else None
                for entry in shown_entries(keywords)
            )


class TestedByLists(SphinxPostTransform):
    """On every object the Python domain documents, the tests that use it."""

    default_priority = 21  # after the keyword lists' own (20)

    def run(self, **kwargs: Any) -> None:
        if not tested_by_shown(self.env):  # no page of the project is looked over
            return
        domain = get_domain(self.env)
        builder = current_builder(self)
        for desc in list(self.document.findall(addnodes.desc)):
            if desc.get("domain") != "py":
                continue
            signature = next(iter(desc.findall(addnodes.desc_signature)), None)
            content = next(iter(desc.findall(addnodes.desc_content)), None)
            if signature is None or content is None or not signature.get("fullname"):
                continue
            module, fullname = signature.get("module"), signature["fullname"]
            documented = f"{module}.{fullname}" if module else fullname
            defined = defined_name(self.env, documented)
            if defined and domain.tested_by(defined):
                fromdocname = self.env.docname
                content.insert(
                    0, tested_by_paragraph(builder, fromdocname, domain, defined)
                )


def tested_by_paragraph(
    builder: Builder, fromdocname: str, domain: KeywordDomain, defined: str
) -> nodes.paragraph:
    """ "Tested by N tests: a, b, … and M more." of the object ``defined``
    (the node ids linked to the tests' entries in HTML, "and M more" to the
    complete list where the builder writes it)."""
    tests = domain.tested_by(defined)
    count = len(tests)
    words = labels()
    paragraph = nodes.paragraph("", "", classes=["kwindex-tested-by"])
    paragraph += nodes.Text(words.tested_by % words.tests_text(count) + ": ")
    for number, node_id in enumerate(tests[:TESTED_BY_SHOWN]):
        if number:
            paragraph += nodes.Text(", ")
        paragraph += node_id_link(builder, fromdocname, node_id)
    if count > TESTED_BY_SHOWN:
        paragraph += nodes.Text(" ")
        more = nodes.Text(words.more % (count - TESTED_BY_SHOWN))
        if writes_tested_by_pages(builder):  # the complete list
            page = tested_by_page_name(defined, 1)
            uri = builder.get_relative_uri(fromdocname, page)
            paragraph += nodes.reference("", "", more, refuri=uri, internal=True)
        else:
            paragraph += more
    paragraph += nodes.Text(".")
    return paragraph


def api_pages_to_write(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read: the documents of Python objects whose tests, as
    their "Tested by" shows them, changed (``env-updated``)."""
    domain = get_domain(env)
    if not domain.changed or not env.config.kwindex_tested_by:
        return []
    shown = {
        name: (len(tests), tests[:TESTED_BY_SHOWN])
        for name, tests in domain.derived.tested_by.items()
    }
    before: dict[str, Any] = domain.data.get("tested_by_shown", {})
    domain.data["tested_by_shown"] = shown
    changed = changed_keys(shown, before)
    if not changed:
        return []
    objects = env.get_domain("py").data.get("objects", {})
    return sorted(
        {
            entry[0]
            for documented, entry in objects.items()
            if defined_name(env, documented) in changed
        }
    )


def forget_read_modules(app: Sphinx, *args: object) -> None:
    """Drop the modules read for resolution (``env-updated``, once all is
    read; ``build-finished``): writing asks for few of them again; and at
    the end of a build, which objects were documented."""
    _read.clear()
    _project.get(app.env, {}).pop("documented", None)


def register(app: Sphinx) -> None:
    """The post-transforms, the rewriting of API pages, uses read with
    extraction, and forgetting."""
    app.add_post_transform(TestUsesLinks)
    app.add_post_transform(TestedByLists)
    app.connect("builder-inited", parse_with_uses, priority=400)
    app.connect("env-updated", api_pages_to_write)
    app.connect("env-updated", forget_read_modules, priority=900)
    app.connect("build-finished", forget_read_modules)
