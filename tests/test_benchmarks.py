"""The benchmark's inputs stay sound: the generated tree parses, and the
static twin builds without warnings and lists what the extension lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from generate_tree import write_tree
from html_contract import keyword_lists, kwindex_blocks
from static_twin import write_twin
from support import own_warnings, write_suite

from sphinx_kwindex.collect import collect_tests
from sphinx_kwindex.extract import extract_file


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "tree"
    return root, write_tree(root, 8)


def test_the_generated_tree_is_valid_python_of_both_styles(tree) -> None:
    root, paths = tree
    assert len(paths) == 8
    indexes = [extract_file(root / path) for path in paths]
    assert [index.problem for index in indexes] == [None] * 8
    imports = {kw.name for index in indexes for kw in index.of_kind("imports")}
    assert {"unittest", "pytest", "assert_close"} <= imports
    assert all(
        collect_tests(path, index.shape)
        for path, index in zip(paths, indexes, strict=True)
    )
    assert write_tree(root, 8) == paths  # same size, same files


def test_the_twin_builds_cleanly_and_lists_the_same_keywords(
    make_app, tmp_path: Path, tree
) -> None:
    root, paths = tree
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "conf.py").write_text("extensions = []\n")
    (twin / "index.rst").write_text("Twin\n====\n\n.. toctree::\n\n   twin/index\n")
    pages = write_twin(root, paths, twin, literalinclude=True)
    app = make_app("html", srcdir=twin)
    app.build()
    assert own_warnings(app) == []
    kwindex = tmp_path / "kwindex"
    kwindex.mkdir()
    (kwindex / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\n'
        f"kwindex_root = {str(root)!r}\n"
        'kwindex_modules = ["test/**/*_test.py"]\n'
    )
    (kwindex / "index.rst").write_text("Kw\n==\n\n.. toctree::\n\n   kwindex/index\n")
    ours = make_app("html", srcdir=kwindex)
    ours.build()
    assert own_warnings(ours) == []
    # The twin's pages, and ours of what no test uses of the tree's package.
    assert "kwindex/untested-api" in ours.env.found_docs
    assert ours.env.found_docs - {"kwindex/untested-api"} == {
        page.replace("twin/", "kwindex/", 1) for page in pages
    } | {"index"}
    path = paths[0]
    (block,) = kwindex_blocks((ours.outdir / f"kwindex/{path}.html").read_text("utf-8"))
    twin_page = (app.outdir / f"twin/{path}.html").read_text("utf-8")
    for names in keyword_lists(block).values():
        for name in names:
            assert f'<span class="pre">{name}</span>' in twin_page, name


@pytest.mark.slow
def test_accuracy_compares_a_suite_with_what_real_pytest_collects(
    tmp_path: Path,
) -> None:
    from accuracy import measure

    suite = tmp_path / "suite"
    write_suite(
        suite,
        {
            "tests/test_one.py": """
                import pytest

                @pytest.fixture
                def ready(tmp_path): ...

                class TestA:
                    @pytest.mark.parametrize("n", [1, 2])
                    def test_n(self, n, ready): ...

                def test_plain(): ...
            """,
            "tests/test_two.py": "def test_other(): ...\n",
            "tests/test_made.py": """
                def make(n):
                    return lambda: None

                for n in range(2):
                    globals()[f"test_made_{n}"] = make(n)
            """,
        },
    )
    result = measure("tiny", suite, ["tests/**/*.py"])
    expected = {
        "tests/test_one.py::TestA::test_n",
        "tests/test_one.py::test_plain",
        "tests/test_two.py::test_other",
    }
    made = {"tests/test_made.py::test_made_0", "tests/test_made.py::test_made_1"}
    assert result.pytest_ids == expected | made
    assert result.our_ids == expected
    # With a record of the collection, the pages list what pytest collects.
    assert result.with_record == expected | made
    assert result.found_by_record == 2
    assert (result.notes_counted, result.notes) == (1, 1)
    assert result.items == 6
    assert (result.counted, result.counts_equal) == (3, 3)
    assert (result.ids_known, result.ids_equal) == (1, 1)
    fixtures = (result.fixtures_compared, result.named_equal, result.closure_equal)
    assert fixtures == (3, 3, 3)
    assert result.wrong == {}
