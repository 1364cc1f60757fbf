"""The command line lists what the page lists: for every module of the test
roots and of the bundled example, kind by kind, the same entries in the same
order (text), and the same keywords (JSON)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from html_contract import kwindex_blocks, squash
from sphinx.cmd.build import build_main

from sphinx_kwindex.__main__ import main
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.module_tree import find_modules

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parents[1]
ROOTS = Path(__file__).parent / "roots"
TREES = {
    **{name: ROOTS / name for name in sorted(p.name for p in ROOTS.iterdir())},
    "example": PROJECT / "docs" / "examples" / "shop",
}
HEADINGS = {KINDS[kind].heading: kind for kind in KINDS}
_HEADING = re.compile(r"^  (?P<heading>\S.*?) \((?P<count>[^()]*)\)$")
_ENTRY = re.compile(r"^ {4}(?: {2})?(?P<name>\S+)(?P<located> — .*)?$")


def page_lists(html: str) -> dict[str, tuple[str, list[str]]]:
    """Per kind a page lists: its heading's count, and its entries' names."""
    (block,) = kwindex_blocks(html)
    lists = {}
    for listed in block.find_all("kwindex-kind"):
        (kind,) = [c[13:] for c in listed.classes if c.startswith("kwindex-kind-")]
        label = squash(listed.find("kwindex-label").text())
        count = label[label.index("(") + 1 : -1]
        names = [
            e.find("kwindex-name").text() for e in listed.find_all("kwindex-entry")
        ]
        lists[kind] = (count, names)
    return lists


def text_lists(text: str) -> dict[str, tuple[str, list[str]]]:
    """The same, read from the command line's text."""
    lists: dict[str, tuple[str, list[str]]] = {}
    names: list[str] = []
    lines = text.splitlines()[1:]
    for number, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and heading["heading"] in HEADINGS:
            names = []
            lists[HEADINGS[heading["heading"]]] = (heading["count"], names)
            continue
        entry = _ENTRY.match(line)
        following = lines[number + 1] if number + 1 < len(lines) else ""
        # An entry of several locations has them on the lines below, deeper.
        several = len(following) - len(following.lstrip()) > len(line) - len(
            line.lstrip()
        )
        if entry and (entry["located"] or several):
            names.append(entry["name"])
    return lists


def command_line(root: Path, module: str, kinds: list[str], form: str, capsys) -> str:
    arguments = [str(root / module), "--root", str(root), "--kinds", ",".join(kinds)]
    main([*arguments, "--format", form])
    return capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(TREES))
def test_the_command_line_lists_what_the_page_lists(
    tmp_path: Path, name: str, capsys
) -> None:
    root = tmp_path / "root"
    shutil.copytree(TREES[name], root, ignore=shutil.ignore_patterns("__pycache__"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_root = "../root"\n'
        'kwindex_modules = ["**/*.py"]\n',
        encoding="utf-8",
    )
    (docs / "index.rst").write_text(
        "Tree\n====\n\n.. toctree::\n\n   kwindex/index\n", encoding="utf-8"
    )
    outdir = tmp_path / "html"
    build_main(["-q", "-b", "html", str(docs), str(outdir)])
    modules = find_modules(root, ["**/*.py"]).modules
    compared = 0
    for module in modules:
        html = (outdir / "kwindex" / f"{module}.html").read_text("utf-8")
        if not kwindex_blocks(html)[0].find_all("kwindex-kind"):
            continue  # a module that could not be indexed
        page = page_lists(html)
        kinds = list(page)
        assert text_lists(command_line(root, module, kinds, "text", capsys)) == page
        (found,) = json.loads(command_line(root, module, kinds, "json", capsys))[
            "modules"
        ]
        keywords = {
            kind: [keyword["name"] for keyword in listed]
            for kind, listed in found["keywords"].items()
        }
        # JSON has a keyword per name; the page an entry per test, in
        # pytest's order.
        assert {kind: sorted(set(names)) for kind, names in keywords.items()} == {
            kind: sorted(set(names)) for kind, (_count, names) in page.items()
        }
        for kind, names in keywords.items():
            if kind != "tests":
                assert names == page[kind][1], (module, kind)
        compared += 1
    assert compared, name
