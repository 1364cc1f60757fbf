"""Links from keyword names to their API documentation: the Python domain of
this project, then (for imports and markers) intersphinx or any other
``missing-reference`` handler. An unresolved name stays plain, silently."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import NoUri

from sphinx_kwindex.kinds import KINDS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


def resolve_api_reference(
    env: BuildEnvironment,
    builder: Builder,
    docname: str,
    kind: str,
    name: str,
    targets: Iterable[str],
) -> nodes.reference | None:
    """A reference, around the keyword ``name`` as code, to the first of
    ``targets`` (dotted Python names) that the Python domain, or for names
    used but not defined here (imports, markers) intersphinx, can resolve."""
    python = env.get_domain("py")
    # The Python domain finds an exact name in its objects or nothing: asking
    # only for names it holds spares a node per candidate.
    documented = python.data.get("objects", {})
    external = KINDS[kind].link_rule.external
    for target in targets:
        if not external and target not in documented:
            continue
        contnode = nodes.literal(name, name, classes=["kwindex-name"])
        found = python_reference(env, builder, docname, target, contnode, external)
        if found is not None:
            return found
    return None


def python_reference(
    env: BuildEnvironment,
    builder: Builder,
    docname: str,
    target: str,
    contnode: nodes.TextElement,
    external: bool = False,
) -> nodes.reference | None:
    """A reference from ``docname``, around ``contnode``, to the Python
    object ``target``: documented here, or (``external``) by intersphinx or
    any other ``missing-reference`` handler; None where none is or the
    builder has no page for it."""
    xref = addnodes.pending_xref(
        "",
        refdomain="py",
        reftype="obj",
        reftarget=target,
        refdoc=docname,
        refexplicit=False,
        refwarn=False,
    )
    python = env.get_domain("py")
    try:
        found = python.resolve_xref(
            env, docname, builder, "obj", target, xref, contnode
        )
        if found is None and external:
            found = env.events.emit_firstresult(
                "missing-reference", env, xref, contnode, allowed_exceptions=(NoUri,)
            )
    except NoUri:  # the builder has no page for it (a LaTeX build, say)
        return None
    return found if isinstance(found, nodes.reference) else None


def reference_href(reference: nodes.reference) -> str:
    """Where an HTML ``reference`` points to."""
    if "refuri" not in reference:
        return "#" + str(reference["refid"])
    return single_page_href(str(reference["refuri"]))


def entry_href(builder: Builder, fromdocname: str, docname: str, anchor: str) -> str:
    """Where a link from ``fromdocname`` to ``anchor`` in ``docname`` points."""
    uri = builder.get_relative_uri(fromdocname, docname)
    return single_page_href(f"{uri}#{anchor}")


def single_page_href(uri: str) -> str:
    """``uri`` as an HTML page holds it: a single-page build gives
    ``index.html#document-x#anchor`` to what lies in the one page, which is
    ``#anchor`` (as Sphinx's ``fix_refuris`` does)."""
    head, hash_mark, anchor = uri.rpartition("#")
    return hash_mark + anchor if "#" in head else uri
