"""Records of real runs, read as data: JUnit XML (xunit1, xunit2), report
logs and ``--collect-only -q`` text made by a real pytest run of a small
suite, and hostile records."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from support import (
    RUN_SUITE,
    build_serial_and_parallel,
    own_warnings,
    project_with_records,
    record_read_documents,
    records_docs,
)

from sphinx_kwindex.records import (
    RecordError,
    junit_node_id,
    read_record,
    record_kind,
)

EXPECTED = {
    "tests/test_suite.py::test_passes": ("passed", ""),
    "tests/test_suite.py::test_fails": ("failed", "AssertionError: one is not two"),
    "tests/test_suite.py::test_errors": ("error", "RuntimeError: the fixture broke"),
    "tests/test_suite.py::test_skipped": ("skipped", "not on this machine"),
    "tests/test_suite.py::test_xfails": ("xfailed", "known bug"),
    "tests/test_suite.py::test_numbers[1]": ("passed", ""),
    "tests/test_suite.py::test_numbers[2]": ("failed", "assert 2 != 2"),
    "tests/test_suite.py::test_numbers[3]": ("passed", ""),
    "tests/test_suite.py::TestGroup::test_inside": ("passed", ""),
}
"""What pytest says of each item (xpassed is told apart by the report log
only: JUnit XML writes a non-strict xpass as passed)."""


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    """A real run of the suite: JUnit XML of both families, a report log,
    the text of ``--collect-only -q``."""
    root = tmp_path_factory.mktemp("run")
    (root / "tests").mkdir()
    (root / "tests" / "test_suite.py").write_text(RUN_SUITE)
    # A module pytest cannot import: an error of the run, counted by pytest.
    (root / "tests" / "test_broken.py").write_text("import no_such_module\n")
    (root / "pytest.ini").write_text("[pytest]\n")
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    for family in ("xunit1", "xunit2"):
        ran = subprocess.run(
            [
                *pytest_command,
                "--continue-on-collection-errors",
                f"--junitxml={family}.xml",
                "-o",
                f"junit_family={family}",
                "--report-log=run.jsonl" if family == "xunit2" else "-q",
            ],
            cwd=root,
            capture_output=True,
            check=False,
        )
        (root / f"{family}.out").write_bytes(ran.stdout)
    collected = subprocess.run(
        [*pytest_command, "--collect-only", "-q", "tests/test_suite.py"],
        cwd=root,
        capture_output=True,
        check=True,
    )
    (root / "collected.txt").write_bytes(collected.stdout)
    return root


BROKEN = {"tests/test_broken.py": ("error", "")}
"""The module pytest could not import: one error, as pytest counts it."""


def outcomes(items) -> dict[str, tuple[str, str]]:
    return {item.node_id: (item.outcome, item.message) for item in items}


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_junit_xml_of_a_real_run_says_what_pytest_said(records, family) -> None:
    items = list(read_record(records / f"{family}.xml"))
    modules = ["tests/test_suite.py", "tests/test_broken.py", "tests/other.py"]
    named = {junit_node_id(item, modules): item for item in items}
    assert None not in named
    said = outcomes(item._replace(node_id=node) for node, item in named.items())
    expected = {**EXPECTED, **BROKEN}
    expected["tests/test_suite.py::test_xpasses"] = ("passed", "")
    assert said.keys() == expected.keys()
    for node_id, (outcome, message) in expected.items():
        assert said[node_id][0] == outcome, node_id
        assert message in said[node_id][1], (node_id, said[node_id])
    assert all(item.duration is not None and item.duration >= 0 for item in items)
    # xunit1 names the file; xunit2 only the dotted class name.
    assert {item.file for item in items if item.classname} == (
        {"tests/test_suite.py"} if family == "xunit1" else {""}
    )


def test_a_report_log_of_a_real_run_says_what_pytest_said(records) -> None:
    said = outcomes(read_record(records / "run.jsonl"))
    expected = {
        **EXPECTED,
        **BROKEN,
        "tests/test_suite.py::test_xpasses": ("xpassed", ""),
    }
    assert said.keys() == expected.keys()
    assert said["tests/test_broken.py"][1].startswith("ImportError while importing")
    for node_id, (outcome, message) in expected.items():
        assert said[node_id][0] == outcome, node_id
        assert message in said[node_id][1], (node_id, said[node_id])


def test_collect_only_text_lists_every_node_id_pytest_collects(records) -> None:
    path = records / "collected.txt"
    assert record_kind(path) == "collect"
    items = list(read_record(path))
    assert [item.node_id for item in items] == [
        *list(EXPECTED)[:5],
        "tests/test_suite.py::test_xpasses",
        *list(EXPECTED)[5:],
    ]
    assert {item.outcome for item in items} == {""}


def test_xunit2_names_map_through_the_modules_known() -> None:
    from sphinx_kwindex.records import RecordedItem

    case = RecordedItem(
        "", "passed", classname="tests.unit.test_cart.TestCart", name="test_add[1-2]"
    )
    assert junit_node_id(case, ["tests/unit/test_cart.py"]) == (
        "tests/unit/test_cart.py::TestCart::test_add[1-2]"
    )
    # A module named like a package's folder: the longest prefix that is one.
    assert junit_node_id(case, ["tests/unit.py", "tests/unit/test_cart.py"]) == (
        "tests/unit/test_cart.py::TestCart::test_add[1-2]"
    )
    assert junit_node_id(case, ["tests/other.py"]) is None


HOSTILE = {
    "entity expansion": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<testsuites><testsuite><testcase classname="a" name="&lol2;"/>'
        "</testsuite></testsuites>\n",
        "document type declaration",
        2,
    ),
    "external entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<testsuites><testcase classname="a" name="&secret;"/></testsuites>\n',
        "document type declaration",
        2,
    ),
    "truncated": (
        '<testsuites>\n<testsuite>\n<testcase classname="a" name="b">\n<failure mess',
        "",
        4,
    ),
    "not junit": ("<html><body/></html>", "no JUnit XML", 1),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_xml_is_refused_with_its_line(tmp_path: Path, case: str) -> None:
    text, said, line = HOSTILE[case]
    path = tmp_path / "record.xml"
    path.write_text(text)
    with pytest.raises(RecordError) as raised:
        list(read_record(path))
    assert said in raised.value.message
    assert raised.value.line == line


def test_a_broken_report_log_line_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    good = '{"$report_type": "TestReport", "nodeid": "t.py::a", "when": "call", "outcome": "passed"}'
    path.write_text(good + "\n{not json\n")
    with pytest.raises(RecordError) as raised:
        list(read_record(path))
    assert raised.value.line == 2
    assert raised.value.message.startswith("not a JSON line")


def test_collect_only_text_that_is_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "collected.txt"
    path.write_text("tests/test_a.py::test_a\nhello world\n")
    with pytest.raises(RecordError) as raised:
        list(read_record(path))
    assert raised.value.line == 2


def results_project(records: Path, tmp_path: Path, *patterns: str) -> Path:
    """A Sphinx project indexing the suite of ``records``, reading those
    records (``kwindex_results``)."""
    project = tmp_path / "project"
    shutil.copytree(records, project)
    return records_docs(project, patterns)


def entry_results(html: str) -> dict[str, str]:
    """Per test entry (its id's last part): the text of its results, each
    ``outcome: text``."""
    found = {}
    entries = re.findall(
        r'<li class="kwindex-entry" id="([^"]+)"(.*?)</li>', html, re.S
    )
    for anchor, entry in entries:
        spans = re.findall(
            r'<span class="kwindex-result kwindex-result-(\w+)">'
            r'((?:<span class="kwindex-result-record">[^<]*</span> )?[^<]*)</span>',
            entry,
        )
        found[anchor.rpartition("-")[2]] = " | ".join(
            f"{outcome}: {re.sub(r'<[^>]+>', '', text)}" for outcome, text in spans
        )
    return found


def test_each_entry_says_how_its_test_ran(make_app, records, tmp_path) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    suite = docs.parent / "tests" / "test_suite.py"
    suite.write_text(suite.read_text() + "\n\ndef test_new():\n    pass\n")
    app = make_app("html", srcdir=docs)
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "kwindex" / "tests" / "test_suite.py.html").read_text()
    said = entry_results(html)
    assert said["test_new"] == "missing: not in the run"
    assert said["test_passes"].startswith("passed: passed (")
    assert said["test_fails"].startswith("failed: failed (")
    assert said["test_fails"].endswith("): AssertionError: one is not two")
    assert said["test_errors"].startswith("error: error (")
    assert said["test_skipped"].endswith("): not on this machine")
    assert said["test_xfails"].endswith("): known bug")
    assert said["test_xpasses"].startswith("xpassed: xpassed (")
    # A parametrized test: its items counted, the failing ones named.
    assert said["test_numbers"] == "failed: 1 failed, 2 passed: [2]"


def test_several_records_side_by_side_and_a_broken_one_warned(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "*.xml", "run.jsonl", "broken.xml")
    (docs.parent / "broken.xml").write_text("<testsuites>\n<testsuite>\n<testcase")
    app = make_app("html", srcdir=docs)
    app.build()
    (warning,) = own_warnings(app)
    assert (
        "broken.xml:3: WARNING: kwindex_results: broken.xml cannot be read" in warning
    )
    assert "[kwindex.results]" in warning
    html = (app.outdir / "kwindex" / "tests" / "test_suite.py.html").read_text()
    said = entry_results(html)
    # Each record named; JUnit XML writes a non-strict xpass as passed.
    assert re.fullmatch(
        r"xpassed: run.jsonl xpassed \(.*\) \| passed: xunit1.xml passed \(.*\) \| "
        r"passed: xunit2.xml passed \(.*\)",
        said["test_xpasses"],
    ), said["test_xpasses"]


def test_a_changed_record_writes_its_pages_again_and_reads_nothing(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    make_app("html", srcdir=docs).build()
    log = docs.parent / "run.jsonl"
    log.write_text(
        log.read_text().replace('"outcome": "failed"', '"outcome": "passed"')
    )
    app = make_app("html", srcdir=docs)
    read = record_read_documents(app)
    app.build()
    assert read == []
    html = (app.outdir / "kwindex" / "tests" / "test_suite.py.html").read_text()
    assert entry_results(html)["test_fails"].startswith("passed: passed (")


def test_other_builders_say_how_each_test_ran(make_app, records, tmp_path) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    app = make_app("text", srcdir=docs)
    app.build()
    text = (app.outdir / "kwindex" / "tests" / "test_suite.py.txt").read_text()
    assert re.search(r"failed \(\S+ s\): AssertionError: one is not two", text)
    assert "1 failed, 2 passed: [2]" in text


MADE_AT_IMPORT = """
def test_static():
    pass


for number in range(3):
    globals()[f"test_made_{number}"] = lambda: None


class TestStatic:
    def test_here(self):
        pass


TestMade = type("TestMade", (), {"test_inside": lambda self: None})
"""


def test_tests_only_a_run_shows_are_listed_where_pytest_put_them(
    make_app, tmp_path
) -> None:
    docs, _ran = project_with_records(
        tmp_path / "project",
        {"tests/test_made.py": MADE_AT_IMPORT},
        ["--report-log=run.jsonl"],
        ["run.jsonl"],
    )
    app = make_app("html", srcdir=docs)
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "kwindex" / "tests" / "test_made.py.html").read_text()
    found = html[html.index('<div class="kwindex-run-found">') :]
    found = found[: found.index("</div>\n</div>")]
    text = " ".join(
        unescape(re.sub(r"<[^>]+>", " ", found.replace("<wbr>", ""))).split()
    )
    assert text.startswith(
        "Found by the run (4): tests made when the module is imported"
    )
    # Under the class or module pytest put them in, each with its outcome;
    # the module's own with the code the page names as their maker.
    # A class the page does not list: no maker is named, none being known.
    assert re.search(
        r"TestMade test_inside test passed \(\S+ s\) "
        r"tests/test_made.py::TestMade::test_inside$",
        text,
    ), text
    assert re.search(
        r"test_made.py made by: globals\(\)\[f'test_made_\{number\}'\] = .*"
        r"test_made_0 test passed .* test_made_1 .* test_made_2 ",
        text,
    ), text
    # The page's note of the code that makes tests says how many it made.
    label = html[
        html.index(
            '<p class="kwindex-group-label"><code class="kwindex-group-name">test_made.py'
        ) :
    ]
    label = unescape(re.sub(r"<[^>]+>", "", label[: label.index("</p>")]))
    assert (
        "not listed, by: globals()[f'test_made_{number}'] = lambda: None (line 7)"
        in label
    )
    assert label.endswith("(the run found 3)")
    # Tests the page lists are not listed again.
    assert "test_static " not in text
    assert "test_here" not in text


def test_with_a_collection_record_the_page_lists_what_pytest_collects(
    make_app, tmp_path
) -> None:
    docs, collected = project_with_records(
        tmp_path / "project",
        {"tests/test_made.py": MADE_AT_IMPORT},
        ["--collect-only", "-q", "-k", "not test_here"],
        ["collected.txt"],
    )
    (docs.parent / "collected.txt").write_bytes(collected.stdout)
    pytest_ids = {
        line for line in collected.stdout.decode().splitlines() if "::" in line
    }
    app = make_app("html", srcdir=docs)
    app.build()
    assert own_warnings(app) == []
    html = (app.outdir / "kwindex" / "tests" / "test_made.py.html").read_text()
    listed = {
        re.sub(r"<[^>]+>", "", node_id)
        for node_id in re.findall(r'<code class="kwindex-qualname">(.*?)</code>', html)
    }
    said = entry_results(html)
    # Listed statically, not collected (deselected): said so.
    assert said["test_here"] == "missing: not in the run"
    assert said["test_static"] == ""  # collected, as the page says
    assert listed - {"tests/test_made.py::TestStatic::test_here"} == pytest_ids


def test_module_folder_and_top_pages_total_the_run_and_a_page_lists_failures(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    app = make_app("html", srcdir=docs)
    app.build()
    assert own_warnings(app) == []

    def totals(page: str) -> str:
        html = (app.outdir / page).read_text()
        (said,) = re.findall(r'<p class="kwindex-run-totals">(.*?)</p>', html, re.S)
        return " ".join(unescape(re.sub(r"<[^>]+>", "", said)).split())

    # pytest's own summary line of the run the report log records.
    summary = (records / "xunit2.out").read_text().strip().splitlines()[-1]
    pytest_counts = {
        {"errors": "error"}.get(word, word): int(number)
        for number, word in re.findall(r"(\d+) (\w+)", summary.split(" in ")[0])
        if word != "warnings"
    }
    expected = re.compile(
        r"run.jsonl: (.*) in \d+\.\d\d s\. Slowest: tests/test_suite.py::\S+ "
        r"\(\S+ s\), \S+ \(\S+ s\), \S+ \(\S+ s\)\."
    )
    # The folder's and the top page's are pytest's; the module's, pytest's
    # but the error of the module pytest could not import, whose page says it.
    in_suite = {**pytest_counts, "error": pytest_counts["error"] - 1}
    for page, counted in (
        ("kwindex/tests/test_suite.py.html", in_suite),
        ("kwindex/tests/index.html", pytest_counts),
        ("kwindex/index.html", pytest_counts),
    ):
        said = expected.fullmatch(totals(page))
        assert said is not None, (page, totals(page))
        counts = {
            {"errors": "error"}.get(word, word): int(number)
            for number, word in re.findall(r"(\d+) (\w+)", said.group(1))
        }
        assert counts == counted, (page, summary, said.group(1))
    broken = totals("kwindex/tests/test_broken.py.html")
    assert broken.startswith(
        "run.jsonl: 1 error in 0.00 s. Slowest: tests/test_broken.py"
    )
    top = (app.outdir / "kwindex" / "index.html").read_text()
    assert 'href="failures.html"' in top
    failures = (app.outdir / "kwindex" / "failures.html").read_text()
    body = failures[failures.index('<p class="rubric">') :]
    body = body[: body.index("</ul>")]
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    assert re.fullmatch(
        r"run.jsonl: 4 failed or errored "
        r"tests/test_broken.py — error: ImportError while importing test module .* "
        r"tests/test_suite.py::test_errors — error \(\S+ s\): .*RuntimeError: the fixture broke.* "
        r"tests/test_suite.py::test_fails — failed \(\S+ s\): AssertionError: one is not two "
        r"tests/test_suite.py::test_numbers\[2\] — failed \(\S+ s\): assert 2 != 2",
        text,
    ), text
    # Each links to its test's entry.
    for href in re.findall(r'href="([^"]+)"', body):
        assert href.startswith("tests/test_suite.py.html#")


def test_kwindex_json_and_the_command_line_carry_the_outcomes(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl", "xunit2.xml")
    app = make_app("html", srcdir=docs)
    app.build()
    data = json.loads((app.outdir / "kwindex.json").read_text())
    assert data["version"] == 9
    run = data["results"]["run.jsonl"]
    assert run["unmapped"] == 0
    assert run["items"]["tests/test_suite.py::test_xpasses"][0] == "xpassed"
    outcome, seconds, message = run["items"]["tests/test_suite.py::test_fails"]
    assert (outcome, message) == ("failed", "AssertionError: one is not two")
    assert seconds >= 0
    assert data["results"]["xunit2.xml"]["items"].keys() == run["items"].keys()
    # The command line says the same, and lists the failed items for pytest.
    command = [sys.executable, "-m", "sphinx_kwindex", "tests/test_suite.py"]
    project = docs.parent
    cli = json.loads(
        subprocess.run(
            [*command, "--format", "json", "--no-cache", "--results", "run.jsonl"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert cli["results"] == {"run.jsonl": run}
    failed = subprocess.run(
        [*command, "--results", "xunit2.xml", "run.jsonl", "--failed"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert failed == [
        "tests/test_suite.py::test_errors",
        "tests/test_suite.py::test_fails",
        "tests/test_suite.py::test_numbers[2]",
    ]
    # pytest runs exactly those.
    rerun = (
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *failed],
            cwd=project,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert re.match(r"=* ?2 failed, 1 error in ", rerun), rerun


def test_a_record_the_command_line_cannot_read_is_said(records, tmp_path) -> None:
    (tmp_path / "bad.xml").write_text("<testsuites>\n<oops")
    said = subprocess.run(
        [
            *(sys.executable, "-m", "sphinx_kwindex", str(records / "tests")),
            *("--results", str(tmp_path / "bad.xml"), "--failed", "--no-cache"),
        ],
        capture_output=True,
        text=True,
    )
    assert said.returncode == 1
    assert said.stderr.startswith(f"{tmp_path / 'bad.xml'}:2: cannot read: ")


def test_a_record_older_than_its_module_says_so_on_the_module_page(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    app = make_app("html", srcdir=docs)
    app.build()
    page = app.outdir / "kwindex" / "tests" / "test_suite.py.html"
    assert "kwindex-run-stale" not in page.read_text()
    suite = docs.parent / "tests" / "test_suite.py"
    suite.write_text(suite.read_text() + "\n\ndef test_new():\n    pass\n")
    app = make_app("html", srcdir=docs)
    app.build()
    html = page.read_text()
    (stale,) = re.findall(r'<em class="kwindex-run-stale">(.*?)</em>', html)
    assert stale.startswith("The record is older than the module")
    assert entry_results(html)["test_new"] == "missing: not in the run"


@pytest.mark.slow
def test_parallel_builds_show_the_same_results(make_app, records, tmp_path) -> None:
    docs = results_project(records, tmp_path, "run.jsonl", "*.xml")
    serial, parallel = build_serial_and_parallel(make_app, docs, tmp_path)
    assert "kwindex/failures.html" in serial
    assert serial == parallel


def test_a_record_of_another_version_is_warned_and_an_unchanged_one_costs_nothing(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl")
    log = docs.parent / "run.jsonl"
    gone = log.read_text().replace(
        "tests/test_suite.py::test_passes", "tests/test_gone.py::test_passes"
    )
    log.write_text(gone)
    app = make_app("html", srcdir=docs)
    app.build()
    (warning,) = own_warnings(app)
    assert "WARNING: kwindex_results: run.jsonl names tests of 1 module(s)" in warning
    assert "(tests/test_gone.py): a record of another version" in warning
    # The build goes on: the rest of the record is shown.
    page = app.outdir / "kwindex" / "tests" / "test_suite.py.html"
    assert entry_results(page.read_text())["test_fails"].startswith("failed: failed (")
    # Nothing changed: nothing is read, no page is written again.
    written = page.stat().st_mtime_ns
    app = make_app("html", srcdir=docs)
    read = record_read_documents(app)
    app.build()
    assert read == []
    assert page.stat().st_mtime_ns == written


def test_nested_and_several_suites_of_junit_xml_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "matrix.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<testsuites>\n'
        '<testsuite name="py311"><testsuite name="unit">\n'
        '<testcase classname="tests.test_a" name="test_one" time="0.5"/>\n'
        "</testsuite></testsuite>\n"
        '<testsuite name="py312">\n'
        '<testcase classname="tests.test_a.TestB" name="test_two[1]" time="0.1">'
        "<failure>Traceback\nAssertionError: no</failure></testcase>\n"
        "</testsuite></testsuites>\n"
    )
    items = list(read_record(path))
    named = {junit_node_id(item, ["tests/test_a.py"]): item for item in items}
    assert {node: (i.outcome, i.message) for node, i in named.items()} == {
        "tests/test_a.py::test_one": ("passed", ""),
        # No message attribute: the text's first line.
        "tests/test_a.py::TestB::test_two[1]": ("failed", "Traceback"),
    }


def test_record_globs_that_match_nothing_or_leave_the_root_are_warned(
    make_app, records, tmp_path
) -> None:
    docs = results_project(records, tmp_path, "run.jsonl", "reports/*.xml", "../*")
    (tmp_path / "outside.jsonl").write_text("{not read")
    app = make_app("html", srcdir=docs)
    app.build()
    warnings = own_warnings(app)
    assert len(warnings) == 2
    assert "kwindex_results: 'reports/*.xml' matches no file under" in warnings[0]
    assert "[kwindex.results]" in warnings[0]
    assert "kwindex_results: '../*' matches files outside" in warnings[1]
    assert "[kwindex.path]" in warnings[1]
    # The record inside is read all the same; the one outside is not.
    page = app.outdir / "kwindex" / "tests" / "test_suite.py.html"
    assert entry_results(page.read_text())["test_fails"].startswith("failed: failed (")
