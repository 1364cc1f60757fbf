"""A long module's generated page comes in parts (``kwindex_module_part_size``,
the directive's ``:part:``): each entry on exactly one part, every part
reachable from the others, the module whole in ``kwindex.json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from html_contract import kwindex_blocks, parse_html, squash
from sphinx.cmd.build import build_main
from support import load_inventory, own_warnings

HEAD = '''"""A long module."""

import os

import pytest


@pytest.fixture
def cart():
    return []


'''
CLASS = "class TestAlpha:\n" + "".join(
    f"    def test_a{n:02}(self, cart):\n        assert os.sep\n\n" for n in range(30)
)
FUNCTIONS = "".join(
    f"\ndef test_f{n:02}(cart):\n    assert cart == []\n" for n in range(30)
)
LONG = HEAD + CLASS + FUNCTIONS
PART_SIZE = 700
PARTS = -(-len(LONG.encode()) // PART_SIZE)
TESTS = [f"test_a{n:02}" for n in range(30)] + [f"test_f{n:02}" for n in range(30)]


def tree(part_size: int) -> dict[str, str]:
    return {
        "index.rst": "Long\n====\n\n.. toctree::\n\n   kwindex/index\n",
        "conf.py": 'extensions = ["sphinx_kwindex"]\nkwindex_root = "."\n'
        'project = "long"\nkwindex_modules = ["tests/*.py"]\n'
        f"kwindex_module_part_size = {part_size}\n",
        "tests/test_long.py": LONG,
        "tests/test_short.py": "def test_one(): ...\n",
    }


def write_tree(folder: Path, part_size: int) -> Path:
    project = folder / f"project-{part_size}"
    for name, text in tree(part_size).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    return project


def build(project: Path, buildername: str = "html") -> Path:
    """Build ``project`` with ``buildername``; its output folder (no warning)."""
    outdir = project.parent / f"{project.name}-{buildername}"
    warnings = outdir.with_suffix(".warnings")
    arguments = ["-q", "-b", buildername, "-w", str(warnings)]
    assert build_main([*arguments, str(project), str(outdir)]) == 0
    assert warnings.read_text(encoding="utf-8") == ""
    return outdir


def part_page(outdir: Path, part: int) -> str:
    name = "test_long.py" if part == 1 else f"test_long.py-{part}"
    return (outdir / "kwindex" / "tests" / f"{name}.html").read_text("utf-8")


def entry_ids(html: str) -> list[str]:
    (block,) = kwindex_blocks(html)
    return [entry.attrs["id"] for entry in block.find_all("kwindex-entry")]


@pytest.fixture(scope="module")
def whole_and_parts(tmp_path_factory) -> tuple[Path, Path]:
    """The tree built with every module on one page, and in parts."""
    folder = tmp_path_factory.mktemp("parts")
    return build(write_tree(folder, 0)), build(write_tree(folder, PART_SIZE))


def test_each_entry_is_on_exactly_one_part(whole_and_parts) -> None:
    whole, parts = whole_and_parts
    assert PARTS >= 4
    assert not (whole / "kwindex/tests/test_long.py-2.html").exists()
    assert not (parts / f"kwindex/tests/test_long.py-{PARTS + 1}.html").exists()
    per_part = [entry_ids(part_page(parts, n)) for n in range(1, PARTS + 1)]
    assert all(per_part)
    joined = [entry for ids in per_part for entry in ids]
    assert joined == entry_ids(part_page(whole, 1))
    # Near-equal runs: no part holds twice as many entries as another.
    sizes = [len(ids) for ids in per_part]
    assert max(sizes) <= 2 * min(sizes)
    # The short module is one page whatever the setting.
    assert not (parts / "kwindex/tests/test_short.py-2.html").exists()


def test_every_part_counts_the_whole_list_and_links_the_others(whole_and_parts) -> None:
    _whole, parts = whole_and_parts
    for number in range(1, PARTS + 1):
        page = parse_html(part_page(parts, number))
        (links,) = page.find_all("kwindex-parts")
        assert squash(links.text()).startswith(f"Part {number} of {PARTS}:")
        targets = [a.attrs["href"] for a in links.iter() if a.tag == "a"]
        assert targets == [
            "test_long.py.html" if n == 1 else f"test_long.py-{n}.html"
            for n in range(1, PARTS + 1)
            if n != number
        ]
        (current,) = [e for e in links.iter() if e.tag == "strong"]
        assert current.text() == str(number)
        assert page.find_all("kwindex-trail")
        # The module's facts on its first part only.
        assert bool(page.find_all("kwindex-metadata")) == (number == 1)
        for label in page.find_all("kwindex-label"):
            if label.text().startswith("Tests"):
                assert squash(label.text()) == "Tests (60 tests, 60 items)"


def test_a_class_begun_on_an_earlier_part_keeps_its_heading_not_its_id(
    whole_and_parts,
) -> None:
    _whole, parts = whole_and_parts
    group_id = "kw-tests.test_long.py-group-TestAlpha"
    with_id, without_id = [], []
    for number in range(1, PARTS + 1):
        for group in parse_html(part_page(parts, number)).find_all("kwindex-group"):
            name = group.find("kwindex-group-name").text()
            if name == "TestAlpha":
                has_id = group.attrs.get("id") == group_id
                (with_id if has_id else without_id).append(number)
    assert len(with_id) == 1
    assert without_id, "TestAlpha's 30 tests fit on one part"
    assert min(without_id) > with_id[0]


def test_references_and_kwindex_json_find_entries_on_their_part(
    whole_and_parts,
) -> None:
    whole, parts = whole_and_parts
    inventory = load_inventory(parts / "objects.inv")
    pages = {
        uri.partition("#")[2]: uri.partition("#")[0]
        for objects in inventory.values()
        for uri in objects.values()
    }
    found = set()
    for number in range(1, PARTS + 1):
        page = "test_long.py.html" if number == 1 else f"test_long.py-{number}.html"
        for entry in entry_ids(part_page(parts, number)):
            if entry in pages:
                assert pages[entry] == f"kwindex/tests/{page}"
                found.add(number)
    assert found == set(range(1, PARTS + 1))
    # kwindex.json has the module once, whole, under its first page.
    data = json.loads((parts / "kwindex.json").read_text("utf-8"))
    before = json.loads((whole / "kwindex.json").read_text("utf-8"))
    (long,) = [m for m in data["modules"] if m["path"] == "tests/test_long.py"]
    (was,) = [m for m in before["modules"] if m["path"] == "tests/test_long.py"]
    assert long["docname"] == "kwindex/tests/test_long.py"
    assert sorted(t["name"] for t in long["keywords"]["tests"]) == sorted(TESTS)
    for kind, keywords in was["keywords"].items():
        by_name = sorted(keywords, key=lambda keyword: keyword["name"])
        assert sorted(long["keywords"][kind], key=lambda k: k["name"]) == by_name
    assert {k: v for k, v in long.items() if k != "keywords"} == {
        k: v for k, v in was.items() if k != "keywords"
    }


@pytest.mark.parametrize(
    ("buildername", "output"),
    [("text", "kwindex/tests/test_long.py-2.txt"), ("singlehtml", "index.html")],
)
def test_other_builders_show_every_part(
    tmp_path: Path, buildername: str, output: str
) -> None:
    outdir = build(write_tree(tmp_path, PART_SIZE), buildername)
    text = (outdir / output).read_text("utf-8")
    if buildername == "text":
        numbers = " ".join("**2**" if n == 2 else str(n) for n in range(1, PARTS + 1))
        assert f"Part 2 of {PARTS}: {numbers}" in squash(text)
        names = set(re.findall(r"test_[af]\d\d", text))
        assert names
        assert names < set(TESTS)
    else:  # a single page holds every part
        assert set(re.findall(r"test_[af]\d\d", text)) == set(TESTS)
        for number in range(2, PARTS + 1):
            assert f'id="kw-tests.test_long.py-part-{number}"' in text


def build_part(make_app, write_project, part: str, classes: str):
    """A page showing ``:part: <part>`` of a module of ``classes`` (letters):
    its warnings, and its block."""
    module = "".join(f"class {name}: ...\n" for name in classes)
    page = f"Page\n====\n\n.. kwindex:: mod.py\n   :part: {part}\n"
    project = write_project({"index.rst": page, "mod.py": module})
    app = make_app("html", srcdir=project)
    app.build()
    (block,) = kwindex_blocks((Path(app.outdir) / "index.html").read_text("utf-8"))
    return own_warnings(app), block


def names(block) -> list[str]:
    return [e.find("kwindex-name").text() for e in block.find_all("kwindex-entry")]


def test_a_bad_part_warns_and_shows_every_entry(make_app, write_project) -> None:
    (warning,), block = build_part(make_app, write_project, "4/3", "AB")
    assert (
        "index.rst:4: WARNING: :part: must be K/N with 1 <= K <= N, not '4/3'"
        in warning
    )
    assert warning.endswith("[kwindex.option]")
    assert names(block) == ["A", "B"]


def test_a_part_written_by_hand_shows_its_run(make_app, write_project) -> None:
    warnings, block = build_part(make_app, write_project, "2/2", "ABCD")
    assert warnings == []
    assert names(block) == ["C", "D"]
    (label,) = [e for e in block.find_all("kwindex-label") if "Classes" in e.text()]
    assert squash(label.text()) == "Classes (4)"
