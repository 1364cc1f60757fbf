"""Real pytest as the oracle: what it collects, item by item.

A small plugin, loaded into ``pytest --collect-only``, writes one JSON
record per item: its node id, its parameter id, the fixtures it names
(pytest's ``initialnames``: autouse, ``usefixtures``, arguments) and its
whole closure (``names_closure``), each fixture with the file defining it;
whether ``addopts`` deselected it. Names that ``parametrize`` fills directly
are no fixture's and are left out, as are pytest's own wrappers of
``setUpClass``, ``setup_method`` and the like.
Used by the tests (each pattern against real pytest) and by
``accuracy.py`` (real suites).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

PLUGIN = r"""
import inspect
import json
import os

_records = []
_deselected = set()
_not_collected = []
_order = {}


def pytest_itemcollected(item):
    _order.setdefault(item.nodeid, len(_order))


def _file_of(fixturedef):
    try:
        return os.path.realpath(inspect.getsourcefile(fixturedef.func) or "")
    except TypeError:
        return ""


def _record(item):
    info = getattr(item, "_fixtureinfo", None)
    callspec = getattr(item, "callspec", None)
    closure = {}
    named = []
    if info is not None:
        for name in info.names_closure:
            if name.startswith(("_xunit_setup_", "_unittest_")):
                continue  # pytest's wrappers of setup methods, not fixtures
            definitions = info.name2fixturedefs.get(name)
            if not definitions:  # request, or a fixture found nowhere
                closure[name] = ""
            elif definitions[-1].func.__name__ != "get_direct_param_fixture_func":
                closure[name] = _file_of(definitions[-1])
        named = [name for name in info.initialnames if name in closure]
    return {
        "nodeid": item.nodeid,
        "id": callspec.id if callspec is not None else None,
        "named": named,
        "closure": closure,
        "deselected": item.nodeid in _deselected,
    }


def pytest_deselected(items):
    for item in items:
        _deselected.add(item.nodeid)
        _records.append(_record(item))


def pytest_collectreport(report):
    # A module pytest could not import, or that skipped itself whole.
    if report.outcome in ("failed", "skipped") and report.nodeid.endswith(".py"):
        _not_collected.append(report.nodeid)


def pytest_collection_finish(session):
    records = [_record(item) for item in session.items] + _records
    # In the order pytest collected them, the deselected ones too.
    records.sort(key=lambda record: _order.get(record["nodeid"], len(_order)))
    with open(os.environ["KWINDEX_ORACLE_OUT"], "w", encoding="utf-8") as out:
        json.dump({"items": records, "not_collected": _not_collected}, out)
"""


class Item(NamedTuple):
    """One item real pytest collected (or ``addopts`` deselected)."""

    nodeid: str
    """With its parameter id (``test_x.py::test_a[1-b]``)."""
    id: str | None
    named: tuple[str, ...]
    """The fixtures it names: autouse, ``usefixtures``, arguments."""
    closure: dict[str, str]
    """Every fixture its setup runs, with the file defining it (absolute;
    ``""`` for ``request`` and for a name no fixture has)."""
    deselected: bool

    @property
    def node(self) -> str:
        """Its node id without the parameter id."""
        if self.id is None:
            return self.nodeid
        return self.nodeid[: -len(self.id) - 2]


class Collected(NamedTuple):
    items: list[Item]
    not_collected: list[str]
    """The modules pytest could not import, or that skipped themselves."""
    text: str = ""
    """What ``pytest --collect-only -q`` printed: a record of the collection
    (``kwindex_results``)."""

    def by_node(self) -> dict[str, list[Item]]:
        """The items of each test, by node id without parameter ids."""
        found: dict[str, list[Item]] = {}
        for item in self.items:
            found.setdefault(item.node, []).append(item)
        return found


def collect(
    root: Path, *paths: str, options: tuple[str, ...] = (), timeout: int = 1800
) -> Collected:
    """What real ``pytest --collect-only`` collects under ``paths`` of
    ``root`` (with its own configuration, ``root`` importable, a ``src``
    layout too)."""
    work = Path(tempfile.mkdtemp(prefix="kwindex-oracle-"))
    try:
        (work / "kwindex_oracle.py").write_text(PLUGIN, encoding="utf-8")
        out = work / "items.json"
        command = [sys.executable, "-m", "pytest", "--collect-only", "-q"]
        command += ["-p", "no:cacheprovider", "--continue-on-collection-errors"]
        command += ["-p", "kwindex_oracle"]
        # A plugin the suite expects may be missing: its marks only warn.
        command += ["-W", "ignore::pytest.PytestUnknownMarkWarning"]
        command += ["--rootdir", str(root), *options, *paths]
        paths_ = [str(work), str(root / "src"), str(root)]
        paths_.append(os.environ.get("PYTHONPATH", ""))
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, paths_)),
            "KWINDEX_ORACLE_OUT": str(out),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        done = subprocess.run(
            command,
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if not out.is_file():
            raise RuntimeError(f"pytest wrote no record:\n{done.stdout}{done.stderr}")
        data = json.loads(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    items = [
        Item(
            r["nodeid"],
            r["id"],
            tuple(r["named"]),
            r["closure"],
            r["deselected"],
        )
        for r in data["items"]
    ]
    return Collected(items, data["not_collected"], done.stdout)


def disagreements(
    items: list[Item],
    count: int | None,
    ids: tuple[str, ...] | None,
    named: set[str],
    closure: set[str],
    root: Path,
    deselected: bool = False,
) -> list[str]:
    """Where what the extension states of one test (its item ``count`` and
    ``ids`` where it states them; the fixtures it lists as ``named`` and
    the ``closure`` it lists) is not what pytest made of it (its
    ``items``; whether it says ``addopts`` ``deselected`` every item). A
    fixture of pytest's closure that the extension leaves out is explained
    where a file outside ``root`` defines it (a plugin's, as what pytest's
    own fixtures need)."""
    found = []
    if deselected and not all(item.deselected for item in items):
        found.append("deselected: stated, pytest selects some items")
    if count is not None and count != len(items):
        found.append(f"count: {count} stated, pytest {len(items)}")
    made = {item.id for item in items}
    if ids is not None and set(ids) != made:
        found.append(f"ids: {sorted(ids)} stated, pytest {sorted(map(str, made))}")
    pytest_named = {name for item in items for name in item.named}
    if named != pytest_named:
        found.append(f"named fixtures: {sorted(named)}, pytest {sorted(pytest_named)}")
    files = {name: file for item in items for name, file in item.closure.items()}
    inside = str(root.resolve()) + os.sep
    if not closure <= set(files):
        found.append(f"closure: {sorted(closure - set(files))} listed, not pytest's")
    missing = {
        name
        for name, file in files.items()
        if name not in closure and (file.startswith(inside) or name in named)
    }
    if missing:
        found.append(f"closure: {sorted(missing)} of pytest's not listed")
    return found
