"""Records of real runs on the pages (``kwindex_results``), measured.

1. Real runs: each real project's suite (from its sdist, in the work
   folder, never committed) is run by pytest writing JUnit XML and a report
   log; the docs are built with both records. Every outcome ``kwindex.json``
   carries must equal the record's, the top page's totals must equal pytest's
   summary line, and every test entry must show the outcome of its item in
   the record (parametrized tests: their counts).
2. Cost: the same build with and without a record of every item of a large
   suite (the interpreter's own ``test`` package by default, its items from
   ``pytest --collect-only -q``, outcomes and times made up from a seeded
   random draw: what is measured is reading, joining and showing), in turn,
   ``--rounds`` times: the median ratio, the largest page.
3. A hostile record of 1 GB made on the fly (100,000 test cases, each with
   10 KB of output): the peak memory of reading it, against reading a
   record of the same test cases without the output.

    python benchmarks/results.py [--sdists python-dateutil toolz] [--rounds 3]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from real_suites import Build, prepare_lib_test, prepare_sdist
from run import build, write_project

from sphinx_kwindex.records import RunRecord, read_run_record

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def run_suite(root: Path, patterns: list[str]) -> tuple[str, list[Path]]:
    """Run the suite under ``root`` (its ``src`` and itself importable) with
    pytest writing JUnit XML and a report log; pytest's summary line, and
    the two records."""
    records = [root / "run-junit.xml", root / "run.jsonl"]
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    command += ["--junitxml", str(records[0]), "--report-log", str(records[1])]
    command += ["--continue-on-collection-errors", "--rootdir", str(root)]
    command += ["-W", "ignore::pytest.PytestUnknownMarkWarning"]
    paths = [str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
    done = subprocess.run(
        [*command, *suite_folders(root, patterns)],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    lines = [line for line in done.stdout.splitlines() if " in " in line]
    summary = lines[-1].strip("= ") if lines else ""
    print(f"   {root.name}: {summary}", flush=True)
    return summary, records


def suite_folders(root: Path, patterns: list[str]) -> list[str]:
    """The test folders the patterns glob (``tests``, ``testing``)."""
    found = set()
    for pattern in patterns:
        name = (
            pattern.split("/")[1]
            if pattern.startswith("**/")
            else pattern.split("/")[0]
        )
        found.update(
            path.relative_to(root).as_posix()
            for path in root.glob(f"**/{name}")
            if path.is_dir() and "site-packages" not in path.parts
        )
    outer = sorted(found)
    return [f for f in outer if not any(f.startswith(o + "/") for o in outer if o != f)]


def summary_counts(summary: str) -> dict[str, int]:
    """pytest's summary line as counts of outcomes."""
    counts = {}
    for number, word in re.findall(r"(\d+) (\w+)", summary.split(" in ")[0]):
        word = {"errors": "error"}.get(word, word)
        if word in OUTCOMES:
            counts[word] = int(number)
    return counts


def agreement(name: str, work: Path) -> dict[str, object] | None:
    """Run one project's suite, build its docs with the records, compare."""
    prepared = prepare_sdist(name, work)
    if prepared is None:
        return None
    root, patterns = prepared
    summary, records = run_suite(root, patterns)
    srcdir = work / "projects" / f"results-{name}"
    shutil.rmtree(srcdir, ignore_errors=True)
    labels = [record.relative_to(root).as_posix() for record in records]
    write_project(
        srcdir,
        'extensions = ["sphinx_kwindex"]\n'
        f"kwindex_root = {str(root)!r}\n"
        f"kwindex_modules = {patterns!r}\n"
        f"kwindex_results = {labels!r}\n",
        ".. toctree::\n\n   kwindex/index\n",
    )
    outdir = work / "out" / f"results-{name}"
    shutil.rmtree(outdir, ignore_errors=True)
    result = build(srcdir, outdir)
    data = json.loads((outdir / "kwindex.json").read_text(encoding="utf-8"))
    said = data.get("results", {})
    row: dict[str, object] = {
        "suite": name,
        "summary": summary,
        "warnings": result.get("warnings"),
    }
    pytest_counts = summary_counts(summary)
    modules = [m["path"] for m in data["modules"]]
    for label, path in zip(labels, records, strict=True):
        record = read_run_record(path, label, modules)
        items = said.get(label, {}).get("items", {})
        equal = sum(
            items.get(node_id) == list(outcome)
            for node_id, outcome in zip(record.node_ids, record.outcomes, strict=True)
        )
        counts: dict[str, int] = {}
        for outcome in record.outcomes:
            counts[outcome[0]] = counts.get(outcome[0], 0) + 1
        row[label] = {
            "items": len(record.node_ids),
            "unmapped": record.unmapped,
            "json equal": equal,
            "counts": counts,
            "counts equal pytest": counts == pytest_counts
            or (
                label.endswith(".xml")
                and junit_counts(counts) == junit_counts(pytest_counts)
            ),
            "entries": entries_agree(outdir, record),
        }
    top = (outdir / "kwindex" / "index.html").read_text(encoding="utf-8")
    row["top totals"] = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split()).split(" in ")[0]
        for p in re.findall(r'<p class="kwindex-run-totals">(.*?)</p>', top, re.S)
    ]
    return row


def junit_counts(counts: dict[str, int]) -> dict[str, int]:
    """Counts as JUnit XML can tell them: it writes an xpass as passed."""
    merged = dict(counts)
    merged["passed"] = merged.get("passed", 0) + merged.pop("xpassed", 0)
    return {k: v for k, v in merged.items() if v}


def entries_agree(outdir: Path, record: RunRecord) -> tuple[int, int]:
    """How many test entries of the module pages show a result, and how
    many of those show the outcome the record gives their test's item(s)."""
    shown = agree = 0
    for page in (outdir / "kwindex").rglob("*.py*.html"):
        text = page.read_text(encoding="utf-8")
        for entry in re.findall(
            r'<li class="kwindex-entry" id="[^"]+">(.*?)</li>', text, re.S
        ):
            result = re.search(
                r'<span class="kwindex-result kwindex-result-(\w+)">', entry
            )
            node = re.findall(r'<code class="kwindex-qualname">(.*?)</code>', entry)
            if result is None or not node:
                continue
            node_id = html.unescape(re.sub(r"<[^>]+>", "", node[-1]))
            items = record.items_of(node_id)
            if not items:
                continue
            shown += 1
            worst = next(
                o
                for o in ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
                if any(outcome[0] == o for _n, outcome in items)
            )
            agree += result.group(1) == worst
    return shown, agree


def synthetic_record(collected: str, path: Path, seed: int = 0) -> int:
    """A report log of every item ``collected`` (the text of ``pytest
    --collect-only -q``) names, outcomes and times drawn from a seeded
    random; how many items."""
    rng = random.Random(seed)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in collected.splitlines():
            if "::" not in line or line.startswith(("=", " ")):
                continue
            draw = rng.random()
            outcome = "passed" if draw < 0.9 else "skipped" if draw < 0.96 else "failed"
            report = {
                "$report_type": "TestReport",
                "nodeid": line.strip(),
                "when": "call",
                "outcome": outcome,
                "duration": round(rng.expovariate(20), 4),
                "longrepr": (
                    {"reprcrash": {"message": "AssertionError: made up"}}
                    if outcome == "failed"
                    else ["x.py", 1, "Skipped: made up"]
                    if outcome == "skipped"
                    else None
                ),
            }
            out.write(json.dumps(report) + "\n")
            count += 1
    return count


def cost(work: Path, rounds: int) -> dict[str, object]:
    """The interpreter's own test package built with and without a record of
    every collected item, in turn."""
    root, patterns = prepare_lib_test(work)
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--continue-on-collection-errors",
            "--rootdir",
            str(root),
            "test",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    ).stdout
    items = synthetic_record(collected, root / "run.jsonl")
    made = {}
    for side, results in (("with", ["run.jsonl"]), ("without", [])):
        srcdir = work / "projects" / f"cost-{side}"
        shutil.rmtree(srcdir, ignore_errors=True)
        write_project(
            srcdir,
            'extensions = ["sphinx_kwindex"]\n'
            f"kwindex_root = {str(root)!r}\n"
            f"kwindex_modules = {patterns!r}\n"
            f"kwindex_results = {results!r}\n",
            ".. toctree::\n\n   kwindex/index\n",
        )
        made[side] = srcdir
    builds = {side: Build() for side in made}
    for _ in range(rounds):
        for side, srcdir in made.items():
            outdir = work / "out" / f"cost-{side}"
            shutil.rmtree(outdir, ignore_errors=True)
            builds[side].add(build(srcdir, outdir), outdir)
    pairs = zip(builds["with"].seconds, builds["without"].seconds, strict=True)
    return {
        "items": items,
        "with": builds["with"],
        "without": builds["without"],
        "ratio": statistics.median(a / b for a, b in pairs),
    }


HOSTILE_READER = """
import resource, sys
from pathlib import Path
from sphinx_kwindex.records import read_run_record
record = read_run_record(Path(sys.argv[1]), "hostile.xml", [])
print(len(record.node_ids) + record.unmapped,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write_junit(path: Path, cases: int, output: int) -> int:
    """A JUnit XML of ``cases`` failed test cases, each with ``output``
    bytes of captured output; its size."""
    filler = "x" * 99 + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<testsuites><testsuite name="pytest">\n')
        for number in range(cases):
            out.write(
                f'<testcase classname="tests.test_big" name="test_{number}" '
                f'time="0.01"><failure message="boom {number}">'
            )
            for _ in range(output // 100):
                out.write(filler)
            out.write("</failure></testcase>\n")
        out.write("</testsuite></testsuites>\n")
    return path.stat().st_size


def hostile(work: Path) -> list[tuple[str, int, int, int]]:
    """Peak memory of reading a 1 GB record, and the same cases small."""
    rows = []
    for label, output in (("1 GB: 10 KB of output each", 10_000), ("no output", 0)):
        path = work / "hostile.xml"
        size = write_junit(path, 100_000, output)
        done = subprocess.run(
            [sys.executable, "-c", HOSTILE_READER, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        cases, peak_mb = map(int, done.stdout.split())
        rows.append((label, size, cases, peak_mb))
        path.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sdists", nargs="*", default=["python-dateutil", "more-itertools", "toolz"]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--no-hostile", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kwindex-results-"))
    print(f"work folder: {work}")
    for name in args.sdists:
        row = agreement(name, work)
        if row is not None:
            print(json.dumps(row, indent=1, default=str), flush=True)
    if not args.no_hostile:
        for label, size, cases, peak in hostile(work):
            print(
                f"hostile record, {label}: {size / 1e9:.2f} GB, {cases:,} cases, "
                f"{peak} MB at peak reading it",
                flush=True,
            )
    if not args.no_cost:
        measured = cost(work, args.rounds)
        w, wo = measured["with"], measured["without"]
        print(
            f"Lib/test with a record of {measured['items']:,} items: "
            f"{w.median:.1f} s against {wo.median:.1f} s without "
            f"(median ratio {measured['ratio']:.2f}x); largest page "
            f"{w.largest[0] / 1e6:.2f} MB ({w.largest[1]}) against "
            f"{wo.largest[0] / 1e6:.2f} MB; peak {w.peak_mb:.0f} / {wo.peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
