"""Source pages and the agreement of every output: each entry's line links land
on the line that holds the keyword, and ``kwindex.json`` says what the HTML
shows."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from html_contract import kwindex_blocks, parse_html

from sphinx_kwindex.names import module_anchor


def source_lines(page: str) -> dict[int, str]:
    """``{line number: text}`` of a source page (tags dropped)."""
    lines = {}
    for match in re.finditer(r'id="L(\d+)"><a href="#L\d+">\d+</a></span>(.*)', page):
        lines[int(match.group(1))] = unescape(re.sub(r"<[^>]+>", "", match.group(2)))
    return lines


def entries_with_lines(block):
    """``(kind, name, [(href or None, line)])`` of every entry of a block."""
    for kind_block in block.find_all("kwindex-kind"):
        kind = kind_block.classes[-1].removeprefix("kwindex-kind-")
        for entry in kind_block.find_all("kwindex-entry"):
            lines = [
                (line.attrs.get("href"), int(line.text().split()[-1]))
                for line in entry.find_all("kwindex-line")
            ]
            yield kind, entry.find("kwindex-name").text(), lines


@pytest.mark.sphinx("html", testroot="options")
def test_every_line_link_lands_on_the_line_of_its_keyword(app) -> None:
    app.build()
    outdir = Path(app.outdir)
    checked = 0
    for html_path in sorted(outdir.rglob("*.html")):
        if "_kwsource" in html_path.parts:
            continue
        for block in kwindex_blocks(html_path.read_text(encoding="utf-8")):
            for kind, name, lines in entries_with_lines(block):
                for href, line in lines:
                    if href is None:  # :no-source:
                        continue
                    uri, anchor = href.split("#")
                    assert anchor == f"L{line}"
                    page = (html_path.parent / uri).read_text(encoding="utf-8")
                    text = source_lines(page)[line]
                    # A def/class line names it; an import line names what it
                    # imports; a marker's line is its decorator.
                    wanted = name.rpartition(".")[2] if kind != "tests" else name
                    assert wanted in text, (kind, name, line, text)
                    checked += 1
    assert checked > 50


@pytest.mark.sphinx("html", testroot="seed")
def test_source_page_links_back_and_is_linked_from_the_metadata(app) -> None:
    app.build()
    path = "test/distributed/elastic/rendezvous/etcd_rendezvous_test.py"
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text(encoding="utf-8"))
    links = [a for a in block.find("kwindex-metadata").iter() if a.tag == "a"]
    source_link = next(a for a in links if "kwindex-source-link" in a.classes)
    assert source_link.attrs["href"] == f"_kwsource/{path}.html"
    page = (app.outdir / "_kwsource" / f"{path}.html").read_text(encoding="utf-8")
    back = parse_html(page).find("kwindex-back")
    # Named after where it goes: the keywords of the module, on its page.
    assert back.text() == f"keywords of {path}"
    assert back.attrs["href"] == (
        "../../../../../index.html#kw-test.distributed.elastic.rendezvous."
        "etcd_rendezvous_test.py"
    )
    source = (app.srcdir / path).read_text(encoding="utf-8").splitlines()
    lines = source_lines(page)
    assert sorted(lines) == list(range(1, len(source) + 1))
    assert [lines[n] for n in (1, 20)] == [source[0], source[19]]
    assert 'class="highlight"' in page


@pytest.mark.sphinx("html", testroot="options")
def test_kwindex_json_agrees_with_the_pages(app) -> None:
    app.build()
    outdir = Path(app.outdir)
    data = json.loads((outdir / "kwindex.json").read_text(encoding="utf-8"))
    modules: dict[tuple[str, str], list[dict]] = {}
    for module in data["modules"]:
        keywords = {
            kind: [{"name": k["name"], "lines": k["lines"]} for k in found]
            for kind, found in module["keywords"].items()
        }
        modules.setdefault((module["docname"], module["path"]), []).append(keywords)
    assert len(data["modules"]) >= 8
    for (docname, path), from_json in modules.items():
        html = (outdir / f"{docname}.html").read_text(encoding="utf-8")
        block_id = re.compile(re.escape(module_anchor(path)) + r"(-\d+)?")
        blocks = [b for b in kwindex_blocks(html) if block_id.fullmatch(b.attrs["id"])]
        from_html = []
        for block in blocks:
            lists: dict[str, list] = {
                kind.classes[-1].removeprefix("kwindex-kind-"): []
                for kind in block.find_all("kwindex-kind")
            }
            for kind, name, lines in entries_with_lines(block):
                lists[kind].append({"name": name, "lines": [n for _h, n in lines]})
            from_html.append(lists)
        assert from_html == from_json, (docname, path)


SOURCES = {
    "a_test.py": "import os\n",
    "b_test.py": "import sys\n",
    "c_test.py": "import re\n",
    "index.rst": (
        "Sources\n=======\n\n.. kwindex:: /a_test.py\n\n"
        ".. kwindex:: /b_test.py\n\n.. kwindex:: /c_test.py\n"
    ),
}


def source_page_times(outdir: Path) -> dict[str, int]:
    """``{page: modification time in ns}`` of every source page written."""
    folder = outdir / "_kwsource"
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.glob("*.html"))}


def rebuild(make_app, project: Path, **kwargs):
    app = make_app("html", srcdir=project, **kwargs)
    app.build()
    return app


def test_a_rebuild_with_nothing_changed_writes_no_source_page(
    make_app, write_project
) -> None:
    project = write_project(SOURCES)
    first = rebuild(make_app, project)
    written = source_page_times(Path(first.outdir))
    assert list(written) == ["a_test.py.html", "b_test.py.html", "c_test.py.html"]
    again = rebuild(make_app, project)
    assert source_page_times(Path(again.outdir)) == written
    assert "writing keyword index source pages" not in again.status.getvalue()


def test_an_edited_file_rewrites_exactly_its_source_page(
    make_app, write_project
) -> None:
    project = write_project(SOURCES)
    written = source_page_times(Path(rebuild(make_app, project).outdir))
    (project / "b_test.py").write_text("import sys\nimport json\n")
    # Touched without a change of content: nothing to write again.
    (project / "c_test.py").touch()
    app = rebuild(make_app, project)
    after = source_page_times(Path(app.outdir))
    changed = sorted(name for name in after if after[name] != written[name])
    assert changed == ["b_test.py.html"]
    page = (Path(app.outdir) / "_kwsource" / "b_test.py.html").read_text("utf-8")
    assert "json" in page


def test_a_removed_or_unlinked_file_loses_its_source_page(
    make_app, write_project
) -> None:
    project = write_project(SOURCES)
    rebuild(make_app, project)
    (project / "c_test.py").unlink()
    index = SOURCES["index.rst"].replace(".. kwindex:: /c_test.py\n", "")
    index = index.replace(
        ".. kwindex:: /b_test.py", ".. kwindex:: /b_test.py\n   :no-source:"
    )
    (project / "index.rst").write_text(index)
    app = rebuild(make_app, project)
    assert list(source_page_times(Path(app.outdir))) == ["a_test.py.html"]


def test_what_every_source_page_shares_rewrites_them_all(
    make_app, write_project
) -> None:
    project = write_project(SOURCES)
    written = source_page_times(Path(rebuild(make_app, project).outdir))
    with (project / "conf.py").open("a") as conf:
        conf.write('pygments_style = "friendly"\n')
    after = source_page_times(Path(rebuild(make_app, project).outdir))
    assert all(after[name] != written[name] for name in written)


def test_a_source_page_deleted_from_the_output_is_written_again(
    make_app, write_project
) -> None:
    project = write_project(SOURCES)
    outdir = Path(rebuild(make_app, project).outdir)
    (outdir / "_kwsource" / "a_test.py.html").unlink()
    # A change anywhere makes the builder write (Sphinx 7.4 writes nothing
    # at all when no document is out of date).
    index = project / "index.rst"
    index.write_text(index.read_text() + "\nMore text.\n")
    rebuild(make_app, project)
    assert list(source_page_times(outdir)) == [
        "a_test.py.html",
        "b_test.py.html",
        "c_test.py.html",
    ]


def long_module(lines: int) -> str:
    """A module of ``lines`` lines with a function at 1, 2500 and 4400 where
    it is that long."""
    text = ["x = 0"] * lines
    for line in (1, 2500, 4400):
        if line <= lines:
            text[line - 1] = f"def at_{line}(): pass"
    return "\n".join(text) + "\n"


def test_a_long_file_has_its_source_in_parts_and_entries_link_the_right_one(
    make_app, write_project
) -> None:
    page = "Long\n====\n\n.. kwindex:: /long_test.py\n   :kinds: functions\n"
    project = write_project({"long_test.py": long_module(4500), "index.rst": page})
    app = rebuild(make_app, project)
    outdir = Path(app.outdir)
    assert list(source_page_times(outdir)) == [
        "long_test.py-2.html",
        "long_test.py-3.html",
        "long_test.py.html",
    ]
    (block,) = kwindex_blocks((outdir / "index.html").read_text("utf-8"))
    assert [lines for *_, lines in entries_with_lines(block)] == [
        [("_kwsource/long_test.py.html#L1", 1)],
        [("_kwsource/long_test.py-2.html#L2500", 2500)],
        [("_kwsource/long_test.py-3.html#L4400", 4400)],
    ]
    second = (outdir / "_kwsource" / "long_test.py-2.html").read_text("utf-8")
    assert sorted(source_lines(second)) == list(range(2001, 4001))
    assert source_lines(second)[2500] == "def at_2500(): pass"
    parts = parse_html(second).find("kwindex-source-parts")
    assert [" ".join(li.text().split()) for li in parts.iter() if li.tag == "li"] == [
        "lines 1–2000",
        "lines 2001–4000",
        "lines 4001–4500",
    ]
    # A file that gets shorter loses the parts it no longer has.
    (project / "long_test.py").write_text(long_module(1500))
    app = rebuild(make_app, project)
    assert list(source_page_times(Path(app.outdir))) == ["long_test.py.html"]
    first = (outdir / "_kwsource" / "long_test.py.html").read_text("utf-8")
    assert "kwindex-source-parts" not in first


def test_a_long_file_is_highlighted_as_one_whole(make_app, write_project) -> None:
    # A string across the end of the first part, then lines of other kinds.
    text = long_module(1990).splitlines()
    text += ['TEXT = """', *(f"text {n}" for n in range(20)), '"""', "def f():"]
    text += ["    return 1  # a comment"] * 2100
    module = "\n".join(text) + "\n"
    page = "Long\n====\n\n.. kwindex:: /long_test.py\n   :kinds: functions\n"
    project = write_project({"long_test.py": module, "index.rst": page})
    app = rebuild(make_app, project)
    shown = {}
    for html in (Path(app.outdir) / "_kwsource").glob("long_test.py*.html"):
        for match in re.finditer(HIGHLIGHTED_LINE, html.read_text("utf-8")):
            shown[int(match.group(1))] = match.group(2)
    # Each line as the whole file highlighted at once gives it: line 2001
    # is inside the string that line 1991 opens.
    whole = app.builder.highlighter.highlight_block(module, "python", force=True)
    expected = whole.partition("<pre>")[2].rpartition("</pre>")[0].split("\n")
    expected[0] = expected[0].removeprefix("<span></span>")  # the block's opening
    assert sorted(shown) == list(range(1, len(text) + 1))
    assert [shown[n] for n in sorted(shown)] == expected[: len(text)]
    assert "text 9" in shown[2001]
    assert shown[2001] != "text 9"  # highlighted as a string, not as code


HIGHLIGHTED_LINE = r'id="L(\d+)"><a href="#L\d+">\d+</a></span>(.*)'
