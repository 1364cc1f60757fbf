"""What a page holds does not grow with the project: bounded related links,
generated pages below the top page outside toctrees (so a theme's global
navigation lists neither every module nor every folder on every page), a
way up to the top page on each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from html_contract import kwindex_blocks, metadata_fields, parse_html
from sphinx.cmd.build import build_main
from support import own_warnings

pytestmark = pytest.mark.slow

MODULE = '"""Module {n}."""\n\nimport os\n\n\ndef test_{n}():\n    pass\n'
INDEX = "Project\n=======\n\n.. toctree::\n\n   kwindex/index\n"


@pytest.fixture(scope="module")
def big_and_small(tmp_path_factory) -> Path:
    """A folder of 300 modules beside one of 10, built with alabaster's
    default sidebars (which show the global navigation)."""
    project = tmp_path_factory.mktemp("scale") / "project"
    for folder, count in (("big", 300), ("sml", 10)):
        for n in range(count):
            path = project / folder / f"test_m{n:03}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(MODULE.format(n=n), encoding="utf-8")
    (project / "index.rst").write_text(INDEX, encoding="utf-8")
    (project / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_root = "."\n'
        'kwindex_modules = ["big/*.py", "sml/*.py"]\n',
        encoding="utf-8",
    )
    outdir, warnings = project.parent / "html", project.parent / "warnings.txt"
    status = build_main(
        ["-q", "-b", "html", "-w", str(warnings), str(project), str(outdir)]
    )
    assert status == 0
    assert warnings.read_text(encoding="utf-8") == ""
    return outdir


def module_page(outdir: Path, folder: str, n: int) -> str:
    return (outdir / f"kwindex/{folder}/test_m{n:03}.py.html").read_text("utf-8")


def related_links(page: str) -> list[str]:
    (block,) = kwindex_blocks(page)
    metadata = block.find("kwindex-metadata")
    field = next(
        body
        for name, body in zip(
            (n for n in metadata.iter() if n.tag == "dt"),
            (b for b in metadata.iter() if b.tag == "dd"),
            strict=True,
        )
        if name.text().startswith("Related")
    )
    return [a.text() for a in field.iter() if a.tag == "a"]


def test_related_modules_are_a_bounded_selection_nearest_by_name(
    big_and_small,
) -> None:
    page = module_page(big_and_small, "big", 150)
    links = related_links(page)
    assert links == [
        *(f"test_m{n:03}.py" for n in range(146, 155) if n != 150),
        "and 291 more",
    ]
    (block,) = kwindex_blocks(page)
    assert metadata_fields(block)["Related"].endswith("and 291 more")
    # At the start of the folder, the neighbours are all after it.
    first = related_links(module_page(big_and_small, "big", 0))
    assert first[:-1] == [f"test_m{n:03}.py" for n in range(1, 9)]
    # A small folder lists every other module and says no more.
    small = [f"test_m{n:03}.py" for n in range(9) if n != 4]
    assert related_links(module_page(big_and_small, "sml", 4)) == [
        *small,
        "and 1 more",
    ]


def test_the_more_link_leads_to_the_folder_page(big_and_small) -> None:
    page = parse_html(module_page(big_and_small, "big", 150))
    (more,) = [a for a in page.iter() if a.tag == "a" and a.text() == "and 291 more"]
    assert more.attrs["href"] == "index.html"


def test_a_module_page_weighs_the_same_in_a_folder_of_300_as_of_10(
    big_and_small,
) -> None:
    big = module_page(big_and_small, "big", 5)
    small = module_page(big_and_small, "sml", 5)
    assert len(re.findall("<a ", big)) == len(re.findall("<a ", small))
    # What differs is a folder name of the same length and the count "291"/"1".
    assert abs(len(big.encode()) - len(small.encode())) <= 8


def test_module_pages_are_outside_toctrees_by_default(big_and_small) -> None:
    page = module_page(big_and_small, "big", 5)
    # The global navigation lists folders, never the 300 modules.
    assert "test_m006.py.html" in page  # a related link
    assert page.count(".py.html") < 20
    top = (big_and_small / "kwindex/index.html").read_text("utf-8")
    assert top.count(".py.html") == 0


def test_every_module_in_toctrees_when_asked(make_app, write_project) -> None:
    project = write_project({"index.rst": INDEX, "t/test_a.py": "", "t/test_b.py": ""})
    with (project / "conf.py").open("a") as conf:
        conf.write('kwindex_modules = ["t/*.py"]\nkwindex_toctree = "modules"\n')
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    folder = (project / "kwindex/t/index.rst").read_text("utf-8")
    assert folder.endswith(".. toctree::\n   :hidden:\n\n   test_a.py\n   test_b.py\n")
    assert ":orphan:" not in (project / "kwindex/t/test_a.py.rst").read_text("utf-8")
    # The global navigation of alabaster's sidebar now lists both modules.
    page = (Path(app.outdir) / "kwindex/t/index.html").read_text("utf-8")
    assert 'href="test_a.py.html"' in page
    assert 'href="test_b.py.html"' in page


def wide_project(root: Path, folders: int, theme: str) -> Path:
    """A project of ``folders`` folders of one test module each, in ``theme``."""
    project = root / f"{theme}-{folders}"
    for number in range(folders):
        path = project / f"tests/app{number:03}/test_views.py"
        path.parent.mkdir(parents=True)
        path.write_text(MODULE.format(n=number), encoding="utf-8")
    (project / "index.rst").write_text(INDEX, encoding="utf-8")
    (project / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\nkwindex_root = "."\n'
        'kwindex_modules = ["tests/**/*.py"]\nkwindex_source_pages = False\n'
        f"html_theme = {theme!r}\n",
        encoding="utf-8",
    )
    status = build_main(
        [
            "-q",
            "-j",
            "2",
            "-b",
            "html",
            str(project),
            str(root / f"html-{theme}-{folders}"),
        ]
    )
    assert status == 0
    return root / f"html-{theme}-{folders}"


@pytest.mark.parametrize("theme", ["furo", "pydata_sphinx_theme"])
def test_a_module_page_weighs_the_same_among_10_folders_as_among_200(
    tmp_path, theme: str
) -> None:
    pytest.importorskip(theme)
    pages = [
        (
            wide_project(tmp_path, folders, theme)
            / "kwindex/tests/app000/test_views.py.html"
        ).read_bytes()
        for folders in (10, 200)
    ]
    assert pages[0] == pages[1]
    # The theme's navigation holds the top page, not the 200 folders; the
    # page's own way up links the folders above it.
    page = pages[1].decode()
    assert "app001" not in page
    trail = parse_html(page).find("kwindex-trail")
    assert [(a.text(), a.attrs["href"]) for a in trail.iter() if a.tag == "a"] == [
        ("Indexed modules", "../../index.html"),
        ("tests", "../index.html"),
        ("app000", "index.html"),
    ]
