"""Records of real runs on the pages (SPEC §11), the Sphinx side: the files
:confval:`kwindex_results` names are read once all documents are, each
item joined to its test by node id; each test's entry then says how it ran,
per record (a post-transform: every builder). Nothing is run.

A record is read again only when its file changed (size, time); the pages
whose tests' results changed are written again, nothing is read again. A
record that cannot be read gives one ``kwindex.results`` warning, with its
file and line, and says nothing.
"""

from __future__ import annotations

import glob
import heapq
import os
import posixpath
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.domain import get_domain
from sphinx_kwindex.nodes import kwindex_keywords, shown_entries
from sphinx_kwindex.records import (
    Outcome,
    RecordError,
    RunRecord,
    read_run_record,
    tests_only_a_run_shows,
    without_parameters,
)
from sphinx_kwindex.transforms import current_builder, node_id_link, written_in
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_kwindex.view import TestGroup


def record_files(root: Path, patterns: Iterable[str]) -> list[Path]:
    """The files the globs ``patterns`` match under ``root``, in order; a
    pattern that matches none, or files outside ``root``, is warned of
    (nothing outside ``kwindex_root`` is read)."""
    found: set[Path] = set()
    for pattern in patterns:
        matches = [
            Path(match)
            for match in glob.glob(os.path.join(root, pattern), recursive=True)
            if os.path.isfile(match)
        ]
        inside = [m for m in matches if m.resolve().is_relative_to(root)]
        if len(inside) < len(matches):
            message = __("kwindex_results: %r matches files outside %s: not read")
            warn(message, Subtype.PATH, None, pattern, root)
        elif not matches:
            message = __("kwindex_results: %r matches no file under %s")
            warn(message, Subtype.RESULTS, None, pattern, root)
        found.update(inside)
    return sorted(found)


def read_records(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once all is read (``env-updated``): read the records that changed, and
    the documents whose tests' results changed, to be written again."""
    root = Path(env.config.kwindex_root)
    domain = get_domain(env)
    before: dict[str, RunRecord] = domain.data.get("results", {})
    files = record_files(root, env.config.kwindex_results)
    if not files and not before:
        return []
    modules = sorted({record.path for record in domain.records()})
    records: dict[str, RunRecord] = {}
    for path in files:
        label = path.relative_to(root).as_posix()
        try:
            stat = path.stat()
            kept = before.get(label)
            if kept is not None and kept.stamp == (stat.st_mtime_ns, stat.st_size):
                records[label] = kept
            else:
                records[label] = read_run_record(path, label, modules)
                warn_of_missing_modules(path, records[label], root)
        except RecordError as error:
            cannot_read(path, label, error.message, error.line)
        except OSError as error:
            cannot_read(path, label, str(error.strerror), 0)
    domain.data["results"] = records
    changed = [
        run
        for label in records.keys() | before.keys()
        if records.get(label) != before.get(label)
        for run in (records.get(label), before.get(label))
        if run is not None
    ]
    if not changed:
        return []
    domain.results_changed = True
    touched = [
        r for r in domain.records() if any(run.holds_module(r.path) for run in changed)
    ]
    tree = domain.tree
    folders = {posixpath.dirname(record.path) for record in touched}
    above = {
        "/".join(f.split("/")[:depth])
        for f in folders
        for depth in range(f.count("/") + 2)
    }
    return sorted(
        {
            *(record.docname for record in touched),
            *filter(None, map(tree.folder_page, above | {""})),
            *domain.data.get("failures_pages", ()),
        }
    )


def warn_of_missing_modules(path: Path, record: RunRecord, root: Path) -> None:
    """One warning where ``record`` names items of modules that are not
    under ``root`` at all: a record of another version of the suite."""
    named = {node_id.partition("::")[0] for node_id in record.node_ids}
    missing = sorted(m for m in named if not (root / m).is_file())
    if missing:
        message = __(
            "kwindex_results: %s names tests of %d module(s) not under "
            "kwindex_root (%s): a record of another version of the suite?"
        )
        # No line to point at, and Sphinx takes a bare path for a document's
        # name: the message names the record.
        warn(message, Subtype.RESULTS, None, record.label, len(missing), missing[0])


def cannot_read(path: Path, label: str, why: str, line: int) -> None:
    """The one warning of a record that cannot be read, at its line."""
    message = __("kwindex_results: %s cannot be read: %s")
    where = f"{path}:{line}" if line else None  # the message names the record
    warn(message, Subtype.RESULTS, where, label, why)


FAILING_SHOWN = 3
"""How many failing items of a parametrized test its entry names."""


def duration_text(seconds: float | None) -> str:
    """``0.12 s``; ``""`` where the record gives no time."""
    if seconds is None:
        return ""
    return "<0.01 s" if seconds < 0.005 else f"{seconds:.2f} s"


def outcome_word(outcome: str) -> str:
    """The translated word of an outcome."""
    words = {
        "passed": _("passed"),
        "failed": _("failed"),
        "error": _("error"),
        "skipped": _("skipped"),
        "xfailed": _("xfailed"),
        "xpassed": _("xpassed"),
    }
    return str(words[outcome])


def outcome_count(outcome: str, count: int) -> str:
    """``3 passed``, ``2 errors``: as pytest's summary counts."""
    if outcome == "error":
        return str(_("%d error") if count == 1 else _("%d errors")) % count
    return f"{count} {outcome_word(outcome)}"


def item_text(outcome: Outcome) -> str:
    """``failed (0.12 s): AssertionError: …`` of one item."""
    said, seconds, message = outcome
    text = outcome_word(said)
    if duration_text(seconds):
        text += f" ({duration_text(seconds)})"
    return f"{text}: {message}" if message else text


WORST_FIRST = ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
"""The order outcomes are counted in, and which colours a summary."""


def counts_text(items: Iterable[tuple[str, Outcome]]) -> str:
    """``1 failed, 3 passed``: how many of ``items`` have each outcome,
    worst first."""
    counts = Counter(outcome[0] for _node_id, outcome in items)
    return ", ".join(
        outcome_count(said, counts[said]) for said in WORST_FIRST if said in counts
    )


def items_text(node_id: str, items: Sequence[tuple[str, Outcome]]) -> str:
    """``3 passed, 1 failed: [2]`` of a parametrized test's items."""
    text = counts_text(items)
    failing = [
        name.removeprefix(node_id)
        for name, (said, _s, _m) in items
        if said in {"failed", "error"}
    ]
    if failing:
        text += ": " + ", ".join(failing[:FAILING_SHOWN])
        if len(failing) > FAILING_SHOWN:
            text += " " + _("and %d more") % (len(failing) - FAILING_SHOWN)
    return text


def test_results(
    node_id: str, path: str, records: Sequence[RunRecord]
) -> tuple[tuple[str, str, str], ...]:
    """How the test ``node_id`` (of the module at ``path``) ran, per record
    that ran its module: the record's label where there are several, the
    worst outcome, the text; "not in the run" where a record ran the module
    but not the test."""
    found = []
    for record in records:
        if not record.holds_module(path):
            continue  # the record's run did not reach the module
        label = record.label if len(records) > 1 else ""
        items = record.items_of(node_id)
        if not items:
            found.append((label, "missing", str(_("not in the run"))))
        elif not record.ran:
            continue  # collected, as the page says
        elif len(items) == 1 and items[0][0] == node_id:
            outcome = items[0][1]
            found.append((label, outcome[0], item_text(outcome)))
        else:
            worst = next(s for s in WORST_FIRST if any(o[0] == s for _n, o in items))
            found.append((label, worst, items_text(node_id, items)))
    return tuple(found)


def listed_tests(env: BuildEnvironment, path: str) -> set[str]:
    """The node ids of the tests the pages list of the module at ``path``."""
    return {
        node_id
        for record in get_domain(env).records_of(path)
        for node_id, _entry, _items in record.tests
    }


class TestResults(SphinxPostTransform):
    """On each test's entry, how it ran in each record of a run (before the
    lists are finished)."""

    default_priority = 19

    def run(self, **kwargs: Any) -> None:
        records = tuple(get_domain(self.env).data.get("results", {}).values())
        if not records:
            return
        for keywords in self.document.findall(kwindex_keywords):
            if keywords["kind"] != "tests":
                continue
            path = keywords["path"]
            if not any(record.holds_module(path) for record in records):
                continue
            keywords["results"] = tuple(
                test_results(entry.locations[0].shown, path, records) or None
                for entry in shown_entries(keywords)
            )
            if keywords.get("offset", 0):
                continue  # the tests only a run shows close the list's first part
            only = tests_only_a_run_shows(path, listed_tests(self.env, path), records)
            groups: tuple[TestGroup, ...] = keywords.get("groups", ())
            makers = {
                group.node: tuple(note.code for note in group.made_at_import)
                for group in groups
            }
            keywords["run_found"] = {group: len(tests) for group, tests in only.items()}
            keywords["found_by_run"] = tuple(
                (
                    group,
                    makers.get(group, ()),
                    tuple(
                        (name, node_id, test_results(node_id, path, records))
                        for name, node_id in sorted(tests.items())
                    ),
                )
                for group, tests in sorted(only.items())
            )


class kwindex_run_totals(nodes.General, nodes.Element):
    """Placeholder for what the records say of the tests whose node ids
    start with ``prefix`` (a module's ``path::``, a folder's ``path/``, or
    ``""`` for all): per record, the count of each outcome, the time, the
    slowest tests."""


class kwindex_failures(nodes.General, nodes.Element):
    """Placeholder for every failed item of every record."""


SLOWEST_SHOWN = 3
"""How many of the slowest tests a page's totals name."""


def run_totals_nodes(
    builder: Builder, fromdocname: str, prefix: str, records: Sequence[RunRecord]
) -> list[nodes.Node]:
    """Per record of a run that holds items under ``prefix``: ``run.jsonl:
    12 passed, 1 failed in 3.40 s. Slowest: a (1.20 s), …``, the slowest
    linked to their entries in HTML."""
    shown: list[nodes.Node] = []
    for record in records:
        if not record.ran:
            continue
        items = record.items_under(prefix)
        if not items:
            continue
        seconds = sum(outcome[1] or 0.0 for _node_id, outcome in items)
        said = _("%(record)s: %(counts)s in %(time)s.") % {
            "record": record.label,
            "counts": counts_text(items),
            "time": f"{seconds:.2f} s",
        }
        paragraph = nodes.paragraph("", said, classes=["kwindex-run-totals"])
        if prefix.endswith("::") and older_than_module(
            builder.env, record, prefix[:-2]
        ):
            stale = _(
                "The record is older than the module: tests added since are "
                "not in it, and tests it names may be gone."
            )
            paragraph += nodes.Text(" ")
            paragraph += nodes.emphasis(stale, stale, classes=["kwindex-run-stale"])
        slowest = heapq.nlargest(
            SLOWEST_SHOWN, items, key=lambda item: item[1][1] or 0.0
        )
        if slowest:
            paragraph += nodes.Text(" " + _("Slowest:") + " ")
            for number, (node_id, outcome) in enumerate(slowest):
                if number:
                    paragraph += nodes.Text(", ")
                paragraph += node_id_link(
                    builder, fromdocname, node_id, without_parameters(node_id)
                )
                paragraph += nodes.Text(f" ({duration_text(outcome[1])})")
            paragraph += nodes.Text(".")
        shown.append(paragraph)
    return shown


def older_than_module(env: BuildEnvironment, record: RunRecord, path: str) -> bool:
    """Whether the module at ``path`` changed after ``record`` was written."""
    try:
        changed = (Path(env.config.kwindex_root) / path).stat().st_mtime_ns
    except OSError:
        return False
    return changed > record.stamp[0]


def failures_nodes(
    builder: Builder, fromdocname: str, records: Sequence[RunRecord]
) -> list[nodes.Node]:
    """Per record of a run, every item that failed or errored, with the
    first line of its message; or that none did."""
    shown: list[nodes.Node] = []
    for record in records:
        if not record.ran:
            continue
        failed = [
            (node_id, outcome)
            for node_id, outcome in record.items_under("")
            if outcome[0] in {"failed", "error"}
        ]
        heading = _("%(record)s: %(count)d failed or errored") % {
            "record": record.label,
            "count": len(failed),
        }
        shown.append(nodes.rubric("", heading))
        listed = nodes.bullet_list(classes=["kwindex-failures"])
        for node_id, outcome in failed:
            paragraph = nodes.paragraph(
                "",
                "",
                node_id_link(
                    builder, fromdocname, node_id, without_parameters(node_id)
                ),
            )
            paragraph += nodes.Text(" — " + item_text(outcome))
            listed += nodes.list_item(
                "", paragraph, classes=[f"kwindex-result-{outcome[0]}"]
            )
        if failed:
            shown.append(listed)
    if not shown:
        shown.append(nodes.paragraph("", _("No record of a run is read.")))
    return shown


class FailuresDirective(SphinxDirective):
    """``.. kwindex-failures::``: every failed item of the records."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        pages = get_domain(self.env).data.setdefault("failures_pages", set())
        pages.add(self.env.docname)
        return [kwindex_failures()]


class RunTotals(SphinxPostTransform):
    """The totals' and failures' placeholders become what the records say."""

    default_priority = 19

    def run(self, **kwargs: Any) -> None:
        records = tuple(get_domain(self.env).data.get("results", {}).values())
        builder = current_builder(self)
        for node in list(self.document.findall(kwindex_run_totals)):
            fromdocname = written_in(node, self.env.docname)
            totals = run_totals_nodes(builder, fromdocname, node["prefix"], records)
            node.replace_self(totals)
        for failures in list(self.document.findall(kwindex_failures)):
            failures.replace_self(failures_nodes(builder, self.env.docname, records))


def register(app: Sphinx) -> None:
    """Reading the records, and showing them on the entries and pages."""
    app.add_node(kwindex_run_totals)
    app.add_node(kwindex_failures)
    app.add_directive("kwindex-failures", FailuresDirective)
    app.add_post_transform(TestResults)
    app.add_post_transform(RunTotals)
    app.connect("env-updated", read_records)
