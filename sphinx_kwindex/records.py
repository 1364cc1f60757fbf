"""Records of real runs (SPEC §11), read as data, never run: JUnit XML
(pytest's xunit1 and xunit2, any nesting of ``<testsuite>``), pytest's
``--report-log`` JSON lines, and the text ``pytest --collect-only -q``
prints. Pure: no Sphinx; a record becomes plain :class:`RecordedItem`\\ s.

Records are untrusted input. XML is read by expat a block at a time with
every document type declaration refused (so no entity is declared, expanded
or fetched: nothing is ever fetched), and only one test case is held at a
time: memory stays bounded whatever the file's size. A malformed record
raises :class:`RecordError` with the line where reading stopped; what was
read before it is lost with it, so that a half-read record says nothing.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, NamedTuple
from xml.parsers import expat

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
"""What a run says of an item."""

_RANK = {"passed": 0, "xpassed": 1, "skipped": 2, "xfailed": 2, "error": 3, "failed": 4}
"""Where phases of one item say different things, the highest tells: a
failed call over a teardown's error, either over a skip."""

BLOCK = 1 << 16
"""How much of a record is read at a time."""

MESSAGE_LIMIT = 300
"""How much of a failure's or skip's message is kept: its first line, cut."""


class RecordError(Exception):
    """A record that cannot be read: why, and the line where reading stopped
    (0 where no line applies)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class RecordedItem(NamedTuple):
    """One item of a run as its record names it: a node id, or for JUnit
    XML without one, the ``classname`` and ``name`` of its test case (and
    the ``file`` xunit1 gives)."""

    node_id: str
    """The item's node id where the record gives it (``""`` for JUnit XML)."""
    outcome: str
    """One of :data:`OUTCOMES`, or ``""``: collected, not run."""
    duration: float | None = None
    message: str = ""
    """For a failure, an error or a skip: the first line of its message."""
    classname: str = ""
    name: str = ""
    file: str = ""


def first_line(text: object) -> str:
    """The first non-blank line of ``text``, cut to :data:`MESSAGE_LIMIT`."""
    for line in str(text or "").splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= MESSAGE_LIMIT else line[:MESSAGE_LIMIT] + "…"
    return ""


def record_kind(path: Path) -> str:
    """``junit``, ``reportlog`` or ``collect``: by the file's suffix, else by
    its first characters."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "junit"
    if suffix in {".jsonl", ".json"}:
        return "reportlog"
    with path.open("rb") as stream:
        start = stream.read(512).lstrip()
    if start.startswith(b"<"):
        return "junit"
    if start.startswith(b"{"):
        return "reportlog"
    return "collect"


def read_record(path: Path) -> Iterator[RecordedItem]:
    """The items of the record at ``path``, of the kind :func:`record_kind`
    tells, one at a time (:class:`RecordError` where it is malformed)."""
    readers: dict[str, Callable[[IO[bytes]], Iterator[RecordedItem]]] = {
        "junit": read_junit,
        "reportlog": read_report_log,
        "collect": read_collect_only,
    }
    reader = readers[record_kind(path)]
    with path.open("rb") as stream:
        yield from reader(stream)


Outcome = tuple[str, float | None, str]
"""``(outcome, duration, message)`` of one item in one record."""


class RunRecord(NamedTuple):
    """One record as read: its label (its path under the root), the stamp
    of its file, its items by node id (sorted), how many of its test cases
    could not be joined to a test, and whether it is of a run (not of a
    collection only: every entry asks, so it is known once)."""

    label: str
    stamp: tuple[int, int]
    node_ids: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    unmapped: int
    ran: bool

    def holds_module(self, path: str) -> bool:
        """Whether the record holds an item of the module at ``path``, or
        the module itself (that pytest could not collect)."""
        return bool(self.items_under(path + "::", 1))

    def items_under(
        self, prefix: str, limit: int | None = None
    ) -> list[tuple[str, Outcome]]:
        """The items whose node ids start with ``prefix`` (at most
        ``limit``); for a module's ``path::``, the module itself first,
        where the record names it (pytest could not collect it)."""
        found: list[tuple[str, Outcome]] = []
        if prefix.endswith("::"):
            module = prefix.removesuffix("::")
            index = bisect.bisect_left(self.node_ids, module)
            if index < len(self.node_ids) and self.node_ids[index] == module:
                found.append((module, self.outcomes[index]))
        start = end = bisect.bisect_left(self.node_ids, prefix)
        room = len(self.node_ids) if limit is None else limit - len(found)
        while (
            end < len(self.node_ids)
            and end - start < room
            and self.node_ids[end].startswith(prefix)
        ):
            end += 1
        found += zip(self.node_ids[start:end], self.outcomes[start:end], strict=True)
        return found

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


def tests_only_a_run_shows(
    path: str, listed: set[str], records: Sequence[RunRecord]
) -> dict[str, dict[str, str]]:
    """The tests of the module at ``path`` that records name but the pages do
    not list, by their group (a class's node path, dotted, ``""`` for the
    module's own), each by name with its node id; parametrized items are
    their test's."""
    found: dict[str, dict[str, str]] = {}
    for record in records:
        start = bisect.bisect_left(record.node_ids, path + "::")
        for node_id in record.node_ids[start:]:
            if not node_id.startswith(path + "::"):
                break
            test = without_parameters(node_id)
            if test in listed:
                continue
            *classes, name = test[len(path) + 2 :].split("::")
            found.setdefault(".".join(classes), {})[name] = test
    return found


def without_parameters(node_id: str) -> str:
    """The node id of the test an item belongs to: ``t.py::test_a[1-2]`` is
    ``t.py::test_a``; a module's node id is its own."""
    if "::" not in node_id:
        return node_id
    head, _sep, last = node_id.rpartition("::")
    return f"{head}::{last.partition('[')[0]}"


def read_run_record(path: Path, label: str, modules: Sequence[str]) -> RunRecord:
    """The record at ``path`` joined to node ids (JUnit XML's names through
    ``modules``, the paths the pages know); :class:`RecordError` where it
    cannot be read."""
    stat = path.stat()
    known = frozenset(modules)
    found: dict[str, Outcome] = {}
    unmapped = 0
    for item in read_record(path):
        node_id = item.node_id or junit_node_id(item, known)
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
        any(outcome[0] for outcome in found.values()),
    )


def records_json(records: Iterable[RunRecord]) -> dict[str, object]:
    """What records of runs say, as ``kwindex.json`` and the command line
    give it: per record (by label), each item's ``[outcome, duration,
    message]`` by node id (outcome ``""``: collected, not run), and how
    many of its test cases could not be joined to a test."""
    return {
        record.label: {
            "items": {
                node_id: list(outcome)
                for node_id, outcome in zip(
                    record.node_ids, record.outcomes, strict=True
                )
            },
            "unmapped": record.unmapped,
        }
        for record in records
    }


# JUnit XML ------------------------------------------------------------------


class _JUnitReader:
    """Expat handlers that turn ``<testcase>`` elements into items, with any
    document type declaration (and so any entity) refused."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self.refuse_doctype
        self.parser.EntityDeclHandler = self.refuse_entity
        self.parser.ExternalEntityRefHandler = self.refuse_external
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.case: dict[str, str] | None = None
        self.outcome = ""
        self.message = ""
        self.detail: list[str] | None = None
        self.done: list[RecordedItem] = []
        self.root_seen = False

    def refuse_doctype(self, *args: object) -> None:
        raise RecordError("a document type declaration (refused: no entities)")

    def refuse_entity(self, *args: object) -> None:
        raise RecordError("an entity declaration (refused)")

    def refuse_external(self, *args: object) -> int:
        raise RecordError("an external entity (refused: nothing is fetched)")

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if not self.root_seen:
            self.root_seen = True
            if tag not in {"testsuites", "testsuite"}:
                raise RecordError(f"<{tag}> is no JUnit XML (<testsuites>)")
        if tag == "testcase":
            self.case = attributes
            self.outcome, self.message = "passed", ""
        elif self.case is not None and tag in {"failure", "error", "skipped"}:
            if tag == "skipped":
                xfail = attributes.get("type") == "pytest.xfail"
                outcome = "xfailed" if xfail else "skipped"
            else:
                outcome = "failed" if tag == "failure" else "error"
            if _RANK[outcome] > _RANK[self.outcome]:
                self.outcome = outcome
                self.message = first_line(attributes.get("message", ""))
                self.detail = [] if not self.message else None

    def text(self, data: str) -> None:
        if self.detail is not None and sum(map(len, self.detail)) < MESSAGE_LIMIT:
            self.detail.append(data)

    def end(self, tag: str) -> None:
        if tag in {"failure", "error", "skipped"} and self.detail is not None:
            self.message = self.message or first_line("".join(self.detail))
            self.detail = None
        if tag != "testcase" or self.case is None:
            return
        case = self.case
        try:
            duration: float | None = float(case.get("time", ""))
        except ValueError:
            duration = None
        self.done.append(
            RecordedItem(
                "",
                self.outcome,
                duration,
                self.message,
                case.get("classname", ""),
                case.get("name", ""),
                case.get("file", ""),
            )
        )
        self.case = None


def read_junit(stream: IO[bytes]) -> Iterator[RecordedItem]:
    """The test cases of a JUnit XML stream, a block at a time."""
    reader = _JUnitReader()
    while True:
        block = stream.read(BLOCK)
        try:
            reader.parser.Parse(block, not block)
        except expat.ExpatError as error:
            raise RecordError(expat.errors.messages[error.code], error.lineno) from None
        except RecordError as error:
            raise RecordError(error.message, reader.parser.CurrentLineNumber) from None
        yield from reader.done
        reader.done.clear()
        if not block:
            return


# pytest's report log --------------------------------------------------------


def read_report_log(stream: IO[bytes]) -> Iterator[RecordedItem]:
    """The items of a ``--report-log`` JSON lines stream: its ``TestReport``
    lines of one node id (setup, call, teardown) merged into one item."""
    reports: list[dict[str, object]] = []
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            report = json.loads(raw)
        except json.JSONDecodeError as error:
            raise RecordError(f"not a JSON line: {error.msg}", number) from None
        except UnicodeDecodeError:
            raise RecordError("not UTF-8 text", number) from None
        if not isinstance(report, dict):
            raise RecordError("not a JSON object", number)
        if report.get("$report_type") == "CollectReport":
            said = {"failed": "error", "skipped": "skipped"}.get(
                str(report.get("outcome"))
            )
            if said and report.get("nodeid"):  # pytest counts it so
                yield RecordedItem(
                    str(report["nodeid"]), said, None, report_message(report)
                )
            continue
        if report.get("$report_type") != "TestReport":
            continue
        node_id = report.get("nodeid")
        if not isinstance(node_id, str) or not node_id:
            raise RecordError("a TestReport without a nodeid", number)
        if reports and reports[0]["nodeid"] != node_id:
            yield merged_report(reports)
            reports = []
        reports.append(report)
    if reports:
        yield merged_report(reports)


def merged_report(reports: list[dict[str, object]]) -> RecordedItem:
    """One item from the reports of its phases: the outcome the highest in
    rank (:func:`phase_outcome`), the time of all."""
    outcome, message, duration = "passed", "", 0.0
    for report in reports:
        value = report.get("duration")
        if isinstance(value, int | float):
            duration += float(value)
        said = phase_outcome(report)
        if _RANK[said] > _RANK[outcome]:
            outcome, message = said, report_message(report)
    return RecordedItem(str(reports[0]["nodeid"]), outcome, duration, message)


def phase_outcome(report: dict[str, object]) -> str:
    """What one phase's report says of its item: a failed setup or teardown
    is an error, a failed call a failure; ``wasxfail`` makes a skip xfailed
    and a passed call xpassed."""
    said, xfail = report.get("outcome"), "wasxfail" in report
    if said == "failed":
        return "failed" if report.get("when") == "call" else "error"
    if said == "skipped":
        return "xfailed" if xfail else "skipped"
    return "xpassed" if xfail and report.get("when") == "call" else "passed"


def report_message(report: dict[str, object]) -> str:
    """The first line of what a phase's report says of its failure or skip."""
    longrepr = report.get("longrepr")
    if report.get("wasxfail") and report.get("outcome") == "skipped":
        return first_line(report["wasxfail"])  # the reason the mark gives
    if isinstance(longrepr, list) and len(longrepr) == 3:  # a skip: path, line, why
        return first_line(str(longrepr[2]).removeprefix("Skipped: "))
    if isinstance(longrepr, dict):
        crash = longrepr.get("reprcrash")
        if isinstance(crash, dict) and crash.get("message"):
            return first_line(crash["message"])
        return first_line(longrepr.get("longrepr", ""))
    return first_line(longrepr)


# pytest --collect-only -q ----------------------------------------------------

_COLLECTED = re.compile(
    rb"^((\d+/)?\d+|no) tests? (collected|selected|deselected)|^=+ "
)
"""The summary that ends the node ids: ``12 tests collected in 0.1s``,
``5/6 tests collected (1 deselected)``, a ``=== warnings summary ===``."""


def read_collect_only(stream: IO[bytes]) -> Iterator[RecordedItem]:
    """The node ids ``pytest --collect-only -q`` printed, one a line, until
    its summary; each an item collected but not run."""
    for number, raw in enumerate(stream, 1):
        line = raw.strip()
        if not line:
            continue
        if _COLLECTED.match(line):
            return
        try:
            node_id = line.decode("utf-8")
        except UnicodeDecodeError:
            raise RecordError("not UTF-8 text", number) from None
        if "::" not in node_id and not node_id.endswith(".py"):
            raise RecordError(
                f"{first_line(node_id)!r} is no node id (pytest --collect-only -q)",
                number,
            )
        yield RecordedItem(node_id, "")


# From JUnit XML's names to node ids ------------------------------------------


def junit_node_id(item: RecordedItem, known: Container[str]) -> str | None:
    """The node id of a JUnit XML test case, its module among ``known``
    (POSIX paths relative to the root pytest ran in; a set, asked once per
    case): xunit1's ``file`` where given, else the longest dotted prefix of
    ``classname`` that names one (``tests.test_shop.TestState`` is
    ``tests/test_shop.py::TestState``); None where none does."""
    if not item.classname:  # pytest could not collect the module ``name``
        path = item.name.replace(".", "/") + ".py"
        return path if path in known else None
    parts = item.classname.split(".")
    if item.file and item.file in known:
        module_parts = item.file.removesuffix(".py").replace("/", ".").split(".")
        if parts[: len(module_parts)] == module_parts:
            classes = parts[len(module_parts) :]
            return "::".join([item.file, *classes, item.name])
    for end in range(len(parts), 0, -1):
        path = "/".join(parts[:end]) + ".py"
        if path in known:
            return "::".join([path, *parts[end:], item.name])
    return None
