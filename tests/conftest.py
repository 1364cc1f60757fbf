from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("sphinx.testing.fixtures",)
collect_ignore = ["roots"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return Path(__file__).parent.resolve() / "roots"


@pytest.fixture
def build_root(make_app, rootdir: Path, tmp_path: Path):
    """Build ``tests/roots/test-<root>`` with any builder into ``tmp_path``."""

    def build(buildername: str, root: str, **kwargs):
        srcdir = rootdir / f"test-{root}"
        builddir = tmp_path / buildername
        app = make_app(buildername, srcdir=srcdir, builddir=builddir, **kwargs)
        app.build()
        return app

    return build
