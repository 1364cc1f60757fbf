"""Bad input: one warning each, with subtype and document:line; the page survives."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from html_contract import keyword_lists, kwindex_blocks, squash

WARNING = re.compile(
    r"^(?P<file>\S+?):(?P<line>\d+): WARNING: (?P<message>.*?)(?: \[kwindex\.\w+\])?$"
)


def warnings_of(app) -> list[tuple[str, int, str]]:
    found = []
    for line in app.warning.getvalue().splitlines():
        match = WARNING.match(line)
        assert match, f"unexpected output: {line}"
        found.append((Path(match["file"]).name, int(match["line"]), match["message"]))
    return found


EXPECTED = [
    (6, "missing", "cannot read no/such_test.py: no such file"),
    (10, "missing", "cannot read bad: it is a folder, not a file"),
    (14, "path", "'../outside_test.py' is outside kwindex_root ("),
    (18, "syntax", "syntax error in bad/syntax_test.py:4:12: invalid syntax"),
    (22, "encoding", "cannot decode bad/latin_test.py:2: cannot decode as utf-8: "),
    (26, "syntax", "syntax error in bad/nul_test.py:2:"),
    (30, "syntax", "syntax error in bad/deep_test.py:2:"),
    (34, "option", ":no-index: takes no value"),
    (34, "option", ":kinds: unknown kind(s) bogus; known kinds: classes, functions,"),
    (34, "option", ":sort: must be one of name, source, not 'random'"),
    (34, "option", ":exclude: '(unclosed' is not a valid regular expression: "),
]


@pytest.mark.sphinx("html", testroot="bad")
def test_each_bad_input_is_one_warning_at_the_directive(app) -> None:
    app.build()
    found = warnings_of(app)
    assert [(name, line) for name, line, _ in found] == [
        ("index.rst", line) for line, _, _ in EXPECTED
    ]
    for (_name, _line, message), (_l, _subtype, expected) in zip(
        found, EXPECTED, strict=True
    ):
        assert message.startswith(expected), (message, expected)
    assert "null bytes" in found[5][2]
    assert "too many nested parentheses" in found[6][2]


@pytest.mark.sphinx(
    "html",
    testroot="bad",
    confoverrides={"suppress_warnings": ["kwindex.syntax", "kwindex.option"]},
)
def test_subtypes_can_be_silenced(app) -> None:
    app.build()
    lines = [line for _name, line, _message in warnings_of(app)]
    assert lines == [
        line for line, subtype, _ in EXPECTED if subtype not in ("syntax", "option")
    ]


@pytest.mark.sphinx(
    "html", testroot="bad", confoverrides={"suppress_warnings": ["kwindex"]}
)
def test_the_type_silences_all(app) -> None:
    app.build()
    assert warnings_of(app) == []


@pytest.mark.sphinx("html", testroot="bad")
def test_the_rest_of_the_page_is_intact(app) -> None:
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    for number in range(1, 10):
        assert f"Marker {number}." in html
    blocks = kwindex_blocks(html)
    assert [b.attrs["id"] for b in blocks] == [
        "kw-bad.syntax_test.py",
        "kw-bad.latin_test.py",
        "kw-bad.nul_test.py",
        "kw-bad.deep_test.py",
        "kw-good.fine_test.py",
    ]
    for block in blocks[:4]:
        assert block.find_all("kwindex-metadata")
        assert squash(block.find("kwindex-problem").text()).startswith(
            "This file could not be indexed:"
        )
    assert keyword_lists(blocks[4]) == {"imports": ["os"]}
    genindex = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    assert "fine_test.py" not in genindex


def test_warnings_as_errors_fail_the_build_without_traceback(
    tmp_path: Path, rootdir: Path
) -> None:
    project = tmp_path / "bad"
    shutil.copytree(rootdir / "test-bad", project)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(project),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # Sphinx 7.4 stops at the first warning (exit 2); 8.1+ finish, then exit 1.
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    assert "cannot read no/such_test.py: no such file" in result.stderr


def _build_with_link(make_app, project: Path, target: Path):
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "link_test.py").symlink_to(target)
    app = make_app("html", srcdir=project)
    app.build()
    return app


LINK_PAGE = {"index.rst": "Links\n=====\n\n.. kwindex:: /link_test.py\n"}


def test_symlink_leaving_the_root_is_not_read(
    make_app, write_project, tmp_path: Path
) -> None:
    outside = tmp_path / "secret_test.py"
    outside.write_text("import secret_module\n")
    project = write_project(LINK_PAGE, kwindex_root="tests")
    app = _build_with_link(make_app, project, outside)
    (name, line, message) = warnings_of(app)[0]
    assert (name, line) == ("index.rst", 4)
    assert message.startswith("'/link_test.py' is outside kwindex_root")
    assert "secret_module" not in (app.outdir / "index.html").read_text(
        encoding="utf-8"
    )
    assert not (app.outdir / "_kwsource").exists()


def test_symlink_inside_the_root_is_followed(make_app, write_project) -> None:
    files = {**LINK_PAGE, "tests/real_test.py": "import inside_module\n"}
    project = write_project(files, kwindex_root="tests")
    app = _build_with_link(make_app, project, project / "tests" / "real_test.py")
    assert warnings_of(app) == []
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text(encoding="utf-8"))
    assert keyword_lists(block)["imports"] == ["inside_module"]
    assert block.attrs["id"] == "kw-real_test.py"


@pytest.mark.sphinx("html", testroot="bad")
def test_unparsable_files_still_get_source_pages(app) -> None:
    app.build()
    for name, lines in [
        ("syntax_test", 5),
        ("latin_test", 2),
        ("nul_test", 2),
        ("deep_test", 2),
    ]:
        page = (app.outdir / "_kwsource" / "bad" / f"{name}.py.html").read_text(
            encoding="utf-8"
        )
        anchors = re.findall(r'id="L(\d+)"', page)
        assert anchors == [str(n) for n in range(1, lines + 1)], name
        assert f'href="../../index.html#kw-bad.{name}.py"' in page
        assert "\x00" not in page
    latin = (app.outdir / "_kwsource" / "bad" / "latin_test.py.html").read_text(
        encoding="utf-8"
    )
    assert "caf\ufffd" in latin
