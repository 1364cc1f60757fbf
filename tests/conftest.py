from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.util.console import nocolor
from support import CHROMIUM_FLAGS, find_chromium

pytest_plugins = ("sphinx.testing.fixtures",)
collect_ignore = ["roots"]


def pytest_configure(config: pytest.Config) -> None:
    # Warnings are compared as text: no colour codes, even where the
    # environment asks for them (FORCE_COLOR, a terminal).
    nocolor()


@pytest.fixture(autouse=True, scope="session")
def command_line_cache(tmp_path_factory: pytest.TempPathFactory):
    """The command line keeps parsed modules in a folder of the session's,
    not in the user's ``~/.cache``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


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


@pytest.fixture
def write_project(tmp_path: Path):
    """Write ``tmp_path/project``: a ``conf.py`` enabling the extension with the
    given ``kwindex_root``, and ``files`` (relative path -> text)."""

    def write(files: dict[str, str], kwindex_root: str = ".") -> Path:
        project = tmp_path / "project"
        conf = f'extensions = ["sphinx_kwindex"]\nkwindex_root = {kwindex_root!r}\n'
        for name, text in {"conf.py": conf, **files}.items():
            path = project / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return project

    return write


@pytest.fixture
def parsed_files(monkeypatch) -> list[str]:
    """The names of the files the extension parses during the test, in order."""
    import sphinx_kwindex.parsed_store

    parsed: list[str] = []
    original = sphinx_kwindex.parsed_store.extract_source

    def counting(data, filename, *args):
        parsed.append(Path(filename).name)
        return original(data, filename, *args)

    monkeypatch.setattr(sphinx_kwindex.parsed_store, "extract_source", counting)
    return parsed


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium driven by Playwright (one context for the session);
    the test is skipped, saying why, without either."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    )
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        yield context
        context.close()
