"""Tested by on hand-written and generated pages: ``kwindex-tested-by``, the
complete list of the tests that use one object, and ``kwindex-untested``,
per module of the packages under test the documented public objects no test
uses and the share of the documented API that tests reach.

Both are placeholders while reading (what tests use is known once every
page is read) and become their lists in a post-transform, in every builder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.api_links import python_reference
from sphinx_kwindex.api_uses import object_module, object_name, public_objects, reached
from sphinx_kwindex.domain import get_domain
from sphinx_kwindex.nodes import labels
from sphinx_kwindex.tested_by import (
    documented_names,
    file_finder,
    packages_under_test,
    read_stamped,
    reading_api,
    tested_by_shown,
)
from sphinx_kwindex.transforms import current_builder, node_id_link
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.domain import KeywordDomain


class kwindex_tested_by_list(nodes.General, nodes.Element):
    """Placeholder for every test that uses the object defined as ``name``."""


class kwindex_untested(nodes.General, nodes.Element):
    """Placeholder for the documented objects no test uses, per module."""


class TestedByDirective(SphinxDirective):
    """``.. kwindex-tested-by:: shop.Cart``: every test that uses the object,
    each linked to its entry."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = False

    def run(self) -> list[nodes.Node]:
        if not tested_by_shown(self.env):
            return []
        name = self.arguments[0].strip()
        module = self.env.ref_context.get("py:module")
        candidates = [name, *([f"{module}.{name}"] if module else [])]
        api = reading_api(self.env)
        defined = next(filter(None, (object_name(api, c) for c in candidates)), None)
        if defined is None:
            message = __("kwindex-tested-by: %r is no object of the packages %s")
            packages = ", ".join(sorted(packages_under_test(self.env)))
            warn(message, Subtype.MISSING, self.get_location(), name, packages)
            return []
        lists = get_domain(self.env).data.setdefault("tested_lists", {})
        lists.setdefault(self.env.docname, set()).add(defined)
        return [kwindex_tested_by_list(name=defined)]


class UntestedDirective(SphinxDirective):
    """``.. kwindex-untested::``: per module of the packages under test, the
    documented public objects no test uses, and the share that tests reach."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        if not tested_by_shown(self.env):
            return []
        pages = get_domain(self.env).data.setdefault("untested_pages", set())
        pages.add(self.env.docname)
        return [kwindex_untested()]


UNTESTED_MEANING = (
    "A test uses an object where code of the test tree calls it directly, as "
    "far as reading the code tells. An object listed here may still run "
    "under a test: called by other code of the packages, or reached in a way "
    "static reading cannot follow."
)
"""What the page of untested objects means by a use, and what it cannot tell."""


class ModuleReach(NamedTuple):
    """The documented public objects of one module and those no test uses,
    each ``(defined name, documented name)``."""

    module: str
    documented: tuple[tuple[str, str], ...]
    untested: tuple[tuple[str, str], ...]


def reach_by_module(env: BuildEnvironment) -> list[ModuleReach]:
    """Per module of the packages under test that defines documented public
    objects, in name order: those objects and the ones no test uses (a class
    is used where a test uses it or one of its methods)."""
    documented = documented_names(env)
    api = file_finder(env).api(read_stamped)
    modules: dict[str, str] = {}
    for defined in documented:
        path = object_module(api, defined)
        if path is not None:
            modules.setdefault(path, api.dotted(path) or path)
    used = reached(get_domain(env).derived.tested_by)
    found = []
    for path, dotted in sorted(modules.items(), key=lambda item: item[1]):
        shown = tuple(
            (name, documented[name])
            for name in public_objects(api, path)
            if name in documented
        )
        if shown:
            untested = tuple(pair for pair in shown if pair[0] not in used)
            found.append(ModuleReach(dotted, shown, untested))
    return found


def share_text(used: int, documented: int) -> str:
    """``3 of 5 documented objects used by tests (60 %)``."""
    share = _("%(used)d of %(all)d documented objects used by tests (%(share)d %%)")
    return share % {
        "used": used,
        "all": documented,
        "share": round(100 * used / documented) if documented else 0,
    }


def untested_block(
    builder: Builder, fromdocname: str, modules: list[ModuleReach]
) -> nodes.container:
    """The share of the documented API tests reach, then per module its
    share and the objects no test uses, linked to their documentation."""
    block = nodes.container(classes=["kwindex-untested"])
    if not modules:
        block += nodes.paragraph(
            "", _("No object of the packages under test is documented.")
        )
        return block
    block += nodes.paragraph("", _(UNTESTED_MEANING), classes=["kwindex-reach-note"])
    documented = sum(len(m.documented) for m in modules)
    untested = sum(len(m.untested) for m in modules)
    total = share_text(documented - untested, documented)
    block += nodes.paragraph("", _("In all: %s.") % total, classes=["kwindex-reach"])
    for module in modules:
        used = len(module.documented) - len(module.untested)
        heading = nodes.paragraph("", "", classes=["kwindex-reach-module"])
        heading += nodes.literal(module.module, module.module)
        heading += nodes.Text(": " + share_text(used, len(module.documented)))
        block += heading
        if not module.untested:
            continue
        listed = nodes.bullet_list(classes=["kwindex-untested-objects"])
        for _defined, name in module.untested:
            code = nodes.literal(name, name)
            reference = python_reference(builder.env, builder, fromdocname, name, code)
            listed += nodes.list_item("", nodes.paragraph("", "", reference or code))
        block += listed
    return block


def tested_by_block(
    builder: Builder, fromdocname: str, domain: KeywordDomain, name: str
) -> nodes.container:
    """Every test that uses the object defined as ``name``, each linked to
    its entry in HTML."""
    tests = domain.tested_by(name)
    words = labels()
    block = nodes.container(classes=["kwindex-tested-by-list"])
    if not tests:
        said = _("No test is found to use %s.")
        block += nodes.paragraph("", said % name)
        return block
    said = words.tested_by % words.tests_text(len(tests)) + ":"
    block += nodes.paragraph("", said)
    listed = nodes.bullet_list()
    for node_id in tests:
        item = node_id_link(builder, fromdocname, node_id)
        listed += nodes.list_item("", nodes.paragraph("", "", item))
    block += listed
    return block


class TestedByDirectiveLists(SphinxPostTransform):
    """The directives' placeholders become their lists."""

    default_priority = 21

    def run(self, **kwargs: Any) -> None:
        builder = current_builder(self)
        domain = get_domain(self.env)
        docname = self.env.docname
        for listed in list(self.document.findall(kwindex_tested_by_list)):
            name = listed["name"]
            listed.replace_self(tested_by_block(builder, docname, domain, name))
        untested = list(self.document.findall(kwindex_untested))
        if untested:
            modules = reach_by_module(self.env)
            for node in untested:
                node.replace_self(untested_block(builder, docname, modules))


def pages_with_lists_to_write(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read (``env-updated``): the pages whose directives' lists
    changed: a ``kwindex-tested-by`` whose object's tests changed, every
    ``kwindex-untested`` once anything was read."""
    domain = get_domain(env)
    if not domain.changed or not tested_by_shown(env):
        return []
    lists: dict[str, set[str]] = domain.data.get("tested_lists", {})
    listed = {name for names in lists.values() for name in names}
    shown = {name: domain.tested_by(name) for name in sorted(listed)}
    before: dict[str, tuple[str, ...]] = domain.data.get("tested_lists_shown", {})
    domain.data["tested_lists_shown"] = shown
    changed = {name for name in shown if shown[name] != before.get(name)}
    return sorted(
        {
            *(doc for doc, names in lists.items() if names & changed),
            *domain.data.get("untested_pages", ()),
        }
    )


def register(app: Sphinx) -> None:
    """The directives, their placeholders, and the rewriting of their pages."""
    app.add_directive("kwindex-tested-by", TestedByDirective)
    app.add_directive("kwindex-untested", UntestedDirective)
    app.add_node(kwindex_tested_by_list)
    app.add_node(kwindex_untested)
    app.add_post_transform(TestedByDirectiveLists)
    app.connect("env-updated", pages_with_lists_to_write)
