"""Helpers shared by the tests: building, reading what a build wrote, the
seed example's lists. (Test modules import from here, never from each other.)"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

from sphinx.util.inventory import InventoryFile

SEED_CLASSES = ["EtcdRendezvousTest"]
SEED_FUNCTIONS = [
    "setUpClass",
    "tearDownClass",
    "test_etcd_rdzv_additional_params",
    "test_etcd_rdzv_basic_params",
    "test_get_backend",
]
SEED_IMPORTS = [
    "EtcdServer",
    "RendezvousParameters",
    "create_rdzv_handler",
    "os",
    "sys",
    "torch.distributed.elastic.rendezvous",
    "torch.distributed.elastic.rendezvous.etcd_rendezvous",
    "torch.distributed.elastic.rendezvous.etcd_server",
    "unittest",
    "uuid",
]

SEED_CLASSES_JSON = [
    {
        "name": "EtcdRendezvousTest",
        "lines": [20],
        "locations": [
            {
                "qualname": "EtcdRendezvousTest",
                "line": 20,
                "doc": "Create rendezvous handlers against a real etcd server.",
            }
        ],
    }
]
"""The seed's class as ``kwindex.json`` and the command line give it."""


def own_warnings(app) -> list[str]:
    """Warnings, less Sphinx's notice that a second app in one process re-registers nodes."""
    lines = app.warning.getvalue().splitlines()
    return [line for line in lines if "is already registered" not in line]


def record_read_documents(app) -> list[str]:
    read: list[str] = []
    app.connect(
        "env-before-read-docs",
        lambda _app, _env, docnames: read.extend(sorted(docnames)),
    )
    return read


def build_serial_and_parallel(
    make_app,
    srcdir: Path,
    tmp_path: Path,
    parallels: tuple[int, int] = (1, 2),
    expected_warnings: int = 0,
) -> list[dict]:
    """Build ``srcdir`` twice from scratch, by default with ``-j 1`` then
    ``-j 2``, each giving ``expected_warnings`` warnings of the extension:
    ``{output file: bytes}`` of each build (every page but the search page,
    kwindex.json, objects.inv)."""
    outputs = []
    for number, parallel in enumerate(parallels):
        app = make_app(
            "html",
            srcdir=srcdir,
            builddir=tmp_path / f"build{number}",
            parallel=parallel,
            freshenv=True,
        )
        app.build()
        assert len(own_warnings(app)) == expected_warnings
        files = sorted(p.relative_to(app.outdir) for p in app.outdir.rglob("*.html"))
        files += [Path("kwindex.json"), Path("objects.inv")]
        outputs.append(
            {
                str(file): (app.outdir / file).read_bytes()
                for file in files
                if file.name != "search.html"
            }
        )
    return outputs


def load_inventory(path: Path) -> dict[str, dict[str, str]]:
    """``{type: {name: uri}}`` of an ``objects.inv``, through Sphinx's reader."""
    with path.open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {
        objtype: {
            name: item.uri if hasattr(item, "uri") else item[2]
            for name, item in items.items()
        }
        for objtype, items in inventory.items()
    }


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, else the one on ``PATH``."""
    candidates = [os.environ.get("CHROMIUM"), "chromium", "chromium-browser"]
    for candidate in filter(None, candidates):
        if found := shutil.which(candidate):
            return found
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(outdir: Path):
    """Serve ``outdir`` on localhost; yields its address."""
    handler = functools.partial(QuietHandler, directory=str(outdir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# Real pytest, the oracle of what tests exist and which fixtures they get.


def write_suite(
    folder: Path, files: dict[str, str], ini: str | None = "[pytest]\n"
) -> None:
    """Write ``files`` (dedented) under ``folder``, and a ``pytest.ini``."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    if ini is not None:
        (folder / "pytest.ini").write_text(ini, encoding="utf-8")


def run_pytest(folder: Path, *options: str) -> str:
    """What real pytest prints run in ``folder`` with ``options`` (it must
    find no error: exit status 0, or 5 for no tests)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr
    return done.stdout


def pytest_items(folder: Path) -> list[str]:
    """The items real pytest collects in ``folder``."""
    output = run_pytest(folder, "--collect-only")
    return [line for line in output.splitlines() if "::" in line]


def pytest_ids(folder: Path) -> set[str]:
    """The node ids real pytest collects in ``folder``, parametrize ids apart."""
    return {re.sub(r"\[.*\]$", "", item) for item in pytest_items(folder)}


def pytest_fixtures_per_test(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Per test name, the ``(fixture, file)`` pairs real pytest says its
    items use (``--fixtures-per-test``: the whole closure, none of pytest's
    own)."""
    used: dict[str, set[tuple[str, str]]] = {}
    test = ""
    for line in run_pytest(folder, "--fixtures-per-test").splitlines():
        if heading := re.search(r"fixtures used by (\w+)", line):
            test = heading[1]
            used.setdefault(test, set())
        elif found := re.match(r"(\w+) -- (\S+):\d+$", line):
            used[test].add((found[1], found[2]))
    return used


def project_with_records(
    root: Path,
    modules: dict[str, str],
    pytest_args: Sequence[str],
    results: Sequence[str],
    conf: str = "",
) -> tuple[Path, subprocess.CompletedProcess[bytes]]:
    """A project at ``root`` holding the test ``modules`` (path to source)
    and a ``pytest.ini``, where real pytest ran with ``pytest_args``; its
    ``docs`` folder indexes ``tests/*.py`` with the records ``results``
    (``kwindex_results``) and ``conf`` besides. The docs folder, and what
    pytest printed."""
    for path, source in modules.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(source)
    (root / "pytest.ini").write_text("[pytest]\n")
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return records_docs(root, results, conf), ran


def records_docs(root: Path, results: Sequence[str], conf: str = "") -> Path:
    """The ``docs`` folder of the project at ``root``: it indexes
    ``tests/*.py`` with the records ``results`` (``kwindex_results``) and
    ``conf`` besides."""
    docs = root / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_root = ".."\n'
        'kwindex_modules = ["tests/*.py"]\n'
        f"kwindex_results = {list(results)!r}\n{conf}"
    )
    (docs / "index.rst").write_text("Run\n===\n\n.. toctree::\n\n   kwindex/index\n")
    return docs


RUN_SUITE = """
import pytest


def test_passes():
    pass


def test_fails():
    assert 1 == 2, "one is not two"


@pytest.fixture
def broken():
    raise RuntimeError("the fixture broke")


def test_errors(broken):
    pass


@pytest.mark.skip(reason="not on this machine")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfails():
    assert False


@pytest.mark.xfail(reason="fixed since")
def test_xpasses():
    pass


@pytest.mark.parametrize("n", [1, 2, 3])
def test_numbers(n):
    assert n != 2


class TestGroup:
    def test_inside(self):
        pass
"""
"""A test module whose real run has every outcome: passed, failed, error,
skipped, xfailed, xpassed, a parametrized test with one failing item, a
test in a class."""
