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

import bisect
import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_kwindex._i18n import _, __
from sphinx_kwindex.domain import get_domain
from sphinx_kwindex.nodes import kwindex_keywords, shown_entries
from sphinx_kwindex.records import RecordError, junit_node_id, read_record
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

Outcome = tuple[str, float | None, str]
"""``(outcome, duration, message)`` of one item in one record."""


class RunRecord(NamedTuple):
    """One record as read: its label (its path under the root), the stamp
    of its file, its items by node id (sorted), and how many of its test
    cases could not be joined to a test."""

    label: str
    stamp: tuple[int, int]
    node_ids: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    unmapped: int

    @property
    def ran(self) -> bool:
        """Whether the record is of a run (not of a collection only)."""
        return any(outcome[0] for outcome in self.outcomes)

    def items_of(self, node_id: str) -> list[tuple[str, Outcome]]:
        """The items of the test ``node_id``: itself, or its parametrized
        items (``node_id[…]``)."""
        start = bisect.bisect_left(self.node_ids, node_id)
        found = []
        for index in range(start, len(self.node_ids)):
            name = self.node_ids[index]
            if name != node_id and not name.startswith(node_id + "["):
                break
            found.append((name, self.outcomes[index]))
        return found


def record_files(root: Path, patterns: Iterable[str]) -> list[Path]:
    """The files the globs ``patterns`` match under ``root``, in order."""
    found = {
        Path(match)
        for pattern in patterns
        for match in glob.glob(os.path.join(root, pattern), recursive=True)
        if os.path.isfile(match)
    }
    return sorted(found)


def read_run_record(path: Path, label: str, modules: Sequence[str]) -> RunRecord:
    """The record at ``path`` joined to node ids (JUnit XML's names through
    ``modules``, the paths the pages know); :class:`RecordError` where it
    cannot be read."""
    stat = path.stat()
    found: dict[str, Outcome] = {}
    unmapped = 0
    for item in read_record(path):
        node_id = item.node_id or junit_node_id(item, modules)
        if node_id is None:
            unmapped += 1
            continue
        found[node_id] = (item.outcome, item.duration, item.message)
    ordered = sorted(found)
    return RunRecord(
        label,
        (stat.st_mtime_ns, stat.st_size),
        tuple(ordered),
        tuple(found[name] for name in ordered),
        unmapped,
    )


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
    return sorted(
        {
            record.docname
            for record in domain.records()
            if any(_has_module(run, record.path) for run in changed)
        }
    )


def cannot_read(path: Path, label: str, why: str, line: int) -> None:
    """The one warning of a record that cannot be read, at its line."""
    message = __("kwindex_results: %s cannot be read: %s")
    where = f"{path}:{line}" if line else str(path)
    warn(message, Subtype.RESULTS, where, label, why)


def _has_module(run: RunRecord, path: str) -> bool:
    """Whether ``run`` holds an item of the module at ``path``."""
    start = bisect.bisect_left(run.node_ids, path)
    return start < len(run.node_ids) and run.node_ids[start].startswith(path + "::")


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


def item_text(outcome: Outcome) -> str:
    """``failed (0.12 s): AssertionError: …`` of one item."""
    said, seconds, message = outcome
    text = outcome_word(said)
    if duration_text(seconds):
        text += f" ({duration_text(seconds)})"
    return f"{text}: {message}" if message else text


WORST_FIRST = ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
"""The order outcomes are counted in, and which colours a summary."""


def items_text(node_id: str, items: Sequence[tuple[str, Outcome]]) -> str:
    """``3 passed, 1 failed: [2]`` of a parametrized test's items."""
    counts: dict[str, int] = {}
    for _name, (said, _seconds, _message) in items:
        counts[said] = counts.get(said, 0) + 1
    text = ", ".join(
        f"{counts[said]} {outcome_word(said)}" for said in WORST_FIRST if said in counts
    )
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
        if not record.ran or not _has_module(record, path):
            continue  # a collection's record, or one of other modules
        label = record.label if len(records) > 1 else ""
        items = record.items_of(node_id)
        if not items:
            found.append((label, "missing", str(_("not in the run"))))
        elif len(items) == 1 and items[0][0] == node_id:
            outcome = items[0][1]
            found.append((label, outcome[0], item_text(outcome)))
        else:
            worst = next(s for s in WORST_FIRST if any(o[0] == s for _n, o in items))
            found.append((label, worst, items_text(node_id, items)))
    return tuple(found)


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
            if not any(_has_module(record, path) for record in records):
                continue
            keywords["results"] = tuple(
                test_results(entry.locations[0].shown, path, records) or None
                for entry in shown_entries(keywords)
            )


def register(app: Sphinx) -> None:
    """Reading the records, and showing them on the entries."""
    app.add_post_transform(TestResults)
    app.connect("env-updated", read_records)
