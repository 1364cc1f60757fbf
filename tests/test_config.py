"""Configuration values: defaults, each value's effect, bad values at start-up."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from html_contract import keyword_lists, kwindex_blocks, metadata_fields

from sphinx_kwindex import config
from sphinx_kwindex.config import resolve_root

MODULE = "import os\n\n\nclass TestThing:\n    def test_it(self):\n        pass\n"


def make_project(
    tmp_path: Path, conf: str, marker: str | None = "pyproject.toml"
) -> Path:
    """``tmp_path/project`` with ``tests/thing_test.py`` and Sphinx docs in ``docs/``."""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "docs").mkdir()
    if marker:
        (project / marker).write_text("")
    (project / "tests" / "thing_test.py").write_text(MODULE)
    (project / "docs" / "conf.py").write_text(
        'extensions = ["sphinx_kwindex"]\n' + conf
    )
    (project / "docs" / "index.rst").write_text(
        "Thing\n=====\n\n.. kwindex:: /tests/thing_test.py\n"
    )
    return project


def build(make_app, project: Path):
    app = make_app("html", srcdir=project / "docs")
    app.build()
    return app


def page_block(app):
    (block,) = kwindex_blocks((app.outdir / "index.html").read_text(encoding="utf-8"))
    return block


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.cfg", "setup.py", ".git"])
def test_root_defaults_to_the_nearest_project_folder(
    tmp_path: Path, marker: str
) -> None:
    project = make_project(tmp_path, "", marker)
    assert resolve_root(None, project / "docs") == project.resolve()


def test_root_without_markers_is_the_conf_folder(tmp_path: Path, monkeypatch) -> None:
    # A marker name no folder above tmp_path can hold: the search finds nothing.
    monkeypatch.setattr(config, "_ROOT_MARKERS", (f"no-such-marker-{uuid.uuid4()}",))
    folder = tmp_path / "lonely"
    folder.mkdir()
    assert resolve_root(None, folder) == folder.resolve()
    (tmp_path / config._ROOT_MARKERS[0]).write_text("")
    assert resolve_root(None, folder) == tmp_path.resolve()
    assert resolve_root(".", folder) == folder.resolve()
    assert resolve_root("..", folder) == tmp_path.resolve()


def test_default_root_serves_slash_paths(make_app, tmp_path: Path) -> None:
    app = build(make_app, make_project(tmp_path, ""))
    assert app.warning.getvalue() == ""
    fields = metadata_fields(page_block(app))
    assert fields["Path"] == "tests/thing_test.py (highlighted source)"
    assert fields["Run"] == "python -m pytest tests/thing_test.py"


def test_string_root_is_relative_to_conf(make_app, tmp_path: Path) -> None:
    project = make_project(tmp_path, 'kwindex_root = "../tests"\n')
    (project / "docs" / "index.rst").write_text("T\n=\n\n.. kwindex:: /thing_test.py\n")
    app = build(make_app, project)
    assert app.warning.getvalue() == ""
    assert (
        metadata_fields(page_block(app))["Path"] == "thing_test.py (highlighted source)"
    )


def test_default_kinds_and_run_command(make_app, tmp_path: Path) -> None:
    conf = 'kwindex_default_kinds = ["tests"]\nkwindex_run_command = "tox -e py -- {path}"\n'
    app = build(make_app, make_project(tmp_path, conf))
    block = page_block(app)
    assert keyword_lists(block) == {"tests": ["test_it"]}
    assert metadata_fields(block)["Run"] == "tox -e py -- tests/thing_test.py"


def test_run_command_none_hides_it(make_app, tmp_path: Path) -> None:
    app = build(make_app, make_project(tmp_path, "kwindex_run_command = None\n"))
    assert "Run" not in metadata_fields(page_block(app))


def test_source_pages_off(make_app, tmp_path: Path) -> None:
    app = build(make_app, make_project(tmp_path, "kwindex_source_pages = False\n"))
    assert not (app.outdir / "_kwsource").exists()
    block = page_block(app)
    assert [
        e
        for e in block.iter()
        if e.tag == "a" and "_kwsource" in e.attrs.get("href", "")
    ] == []
    assert metadata_fields(block)["Path"] == "tests/thing_test.py"


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        (
            'kwindex_default_kinds = ["classes", "bogus"]\n',
            "invalid value ['classes', 'bogus'] for kwindex_default_kinds: unknown kinds ['bogus']",
        ),
        ("kwindex_default_kinds = []\n", "invalid value [] for kwindex_default_kinds"),
        (
            'kwindex_run_command = "pytest {file}"\n',
            "invalid value 'pytest {file}' for kwindex_run_command: it must be a format string using only {path}",
        ),
        (
            "kwindex_root = 3\n",
            "invalid value 3 for kwindex_root: expected str or None",
        ),
        (
            "kwindex_modules = [1]\n",
            "invalid value [1] for kwindex_modules: expected a list of strings",
        ),
        (
            'kwindex_output_dir = "../elsewhere"\n',
            "invalid value '../elsewhere' for kwindex_output_dir: it must be a folder inside the source folder; using 'kwindex'",
        ),
        (
            'kwindex_output_dir = "."\n',
            "invalid value '.' for kwindex_output_dir: it must be a folder inside the source folder",
        ),
        (
            'kwindex_source_pages = "yes"\n',
            "invalid value 'yes' for kwindex_source_pages: expected bool",
        ),
        (
            "kwindex_module_part_size = -1\n",
            "invalid value -1 for kwindex_module_part_size: expected a number of bytes, 0 or more; using 1000000",
        ),
        (
            "kwindex_module_part_size = True\n",
            "invalid value True for kwindex_module_part_size: expected a number of bytes, 0 or more",
        ),
    ],
)
def test_bad_values_warn_at_start_up_and_fall_back(
    make_app, tmp_path: Path, conf: str, message: str
) -> None:
    app = build(make_app, make_project(tmp_path, conf))
    warnings = app.warning.getvalue()
    assert f"WARNING: {message}" in warnings
    assert "Traceback" not in warnings
    assert keyword_lists(page_block(app))["classes"] == ["TestThing"]
