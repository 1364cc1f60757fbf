"""Finding the modules of ``kwindex_modules`` and their folders: no Sphinx."""

from __future__ import annotations

from pathlib import Path

import pytest

from sphinx_kwindex.module_tree import (
    Folder,
    find_modules,
    folder_tree,
    glob_regex,
    modules_below,
)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("test/**/*_test.py", "test/a_test.py", True),
        ("test/**/*_test.py", "test/x/y/a_test.py", True),
        ("test/**/*_test.py", "test/x/a_test.pyc", False),
        ("test/**/*_test.py", "other/a_test.py", False),
        ("test/*.py", "test/x/a.py", False),
        ("test/?.py", "test/a.py", True),
        ("test/?.py", "test/ab.py", False),
        ("test/[ab].py", "test/b.py", True),
        ("test/[!ab].py", "test/b.py", False),
        ("**", "any/thing.txt", True),
        ("/test/a.py", "test/a.py", True),
        ("a+b.py", "a+b.py", True),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


def make_files(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_find_modules_with_exclusions(tmp_path: Path) -> None:
    make_files(
        tmp_path,
        [
            "test/a_test.py",
            "test/sub/b_test.py",
            "test/sub/helpers.py",
            "test/skip/c_test.py",
            "test/.hidden/d_test.py",
            "test/__pycache__/e_test.py",
            "docs/f_test.py",
        ],
    )
    patterns = ["test/**/*_test.py", "test/**/helpers.py", "!test/skip/**"]
    assert find_modules(tmp_path, patterns).modules == [
        "test/a_test.py",
        "test/sub/b_test.py",
        "test/sub/helpers.py",
    ]
    assert find_modules(tmp_path, ["**/*_test.py"]).modules == [
        "docs/f_test.py",
        "test/a_test.py",
        "test/skip/c_test.py",
        "test/sub/b_test.py",
    ]
    assert find_modules(tmp_path, ["missing/*.py"]) == ([], ["missing/*.py"])


def test_find_modules_walks_no_link_to_a_folder(tmp_path: Path) -> None:
    make_files(tmp_path, ["project/test/a_test.py", "elsewhere/b_test.py"])
    (tmp_path / "project/test/linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "project/test/c_test.py").symlink_to(tmp_path / "elsewhere/b_test.py")
    # A linked file is a file of the tree; a linked folder is neither walked
    # nor taken for a file.
    assert find_modules(tmp_path / "project", ["**/*"]).modules == [
        "test/a_test.py",
        "test/c_test.py",
    ]


def test_folder_tree_holds_every_folder_up_to_the_top() -> None:
    tree = folder_tree(
        ["test/a/x_test.py", "test/a/y_test.py", "test/b/c/z_test.py", "top.py"]
    )
    assert tree == {
        "": Folder("", ("test",), ("top.py",)),
        "test": Folder("test", ("test/a", "test/b"), ()),
        "test/a": Folder("test/a", (), ("test/a/x_test.py", "test/a/y_test.py")),
        "test/b": Folder("test/b", ("test/b/c",), ()),
        "test/b/c": Folder("test/b/c", (), ("test/b/c/z_test.py",)),
    }
    assert modules_below(tree, "") == 4
    assert modules_below(tree, "test/b") == 1
