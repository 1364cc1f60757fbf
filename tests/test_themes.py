"""Generated pages in the four common themes, light and dark, in a real
browser: screenshots of a module, a folder and the Keyword Index, and
assertions on layout (nothing wider than the content column, a heading and
its count on one line, the metadata a two-column grid), not on pixels."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sphinx.cmd.build import build_main
from support import RUN_SUITE, project_with_records, serve

pytestmark = pytest.mark.slow

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SHOP = Path(__file__).parent.parent / "docs" / "examples" / "shop"
THEMES = {
    "alabaster": "alabaster",
    "furo": "furo",
    "pydata": "pydata_sphinx_theme",
    "rtd": "sphinx_rtd_theme",
}
PAGES = {
    "module": "kwindex/shop/tests/unit/test_cart.py.html",
    "folder": "kwindex/shop/tests/unit/index.html",
    "index": "kw-index.html",
}
DARK_THEMES = {"furo", "pydata"}
"""The themes with a dark mode that follows the system's."""
SIDEBARS = {
    "alabaster": ["about.html", "navigation.html", "kwindex-indexes.html"],
    "furo": [
        "sidebar/brand.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "kwindex-indexes.html",
        "sidebar/scroll-end.html",
    ],
    "pydata": ["sidebar-nav-bs.html", "kwindex-indexes.html"],
}
"""Each theme's sidebar with the shipped block linking the Keyword Index
(the Read the Docs theme has no ``html_sidebars``)."""

LAYOUT = """() => {
  const main = document.querySelector("[role=main]") || document.body;
  const column = main.getBoundingClientRect();
  const wide = [];
  for (const el of document.querySelectorAll(
      ".kwindex, .kwindex-folder, table.kwindex-folder-modules, dl.kwindex-index")) {
    const box = el.getBoundingClientRect();
    if (box.right > column.right + 1 || box.left < column.left - 1)
      wide.push(el.className);
    const scroller = el.parentElement;
    if (el.tagName === "TABLE" && scroller.scrollWidth > scroller.clientWidth + 1)
      wide.push("clipped " + el.className);
  }
  const broken = [];
  for (const label of document.querySelectorAll(".kwindex-label")) {
    const range = document.createRange();
    range.selectNodeContents(label.firstChild);
    const text = range.getBoundingClientRect();
    const count = label.querySelector(".kwindex-count").getBoundingClientRect();
    if (count.top >= text.bottom || count.bottom <= text.top)
      broken.push(label.textContent);
  }
  const stacked = [];
  for (const dt of document.querySelectorAll(".kwindex-metadata dt")) {
    const dd = dt.nextElementSibling.getBoundingClientRect();
    const name = dt.getBoundingClientRect();
    if (dd.top >= name.bottom || dd.left < name.right) stacked.push(dt.textContent);
  }
  // A test's node id sits on the line of the rest of its entry where it fits
  // there, and never runs past the entry.
  const unpacked = [], packed = [];
  for (const entry of document.querySelectorAll(".kwindex-kind-tests li.kwindex-entry")) {
    const id = entry.querySelector(".kwindex-nodeid") || entry.querySelector("code.kwindex-qualname");
    const rest = [...id.previousElementSibling.getClientRects()].pop();
    const box = id.getBoundingClientRect(), room = entry.getBoundingClientRect();
    if (box.right > room.right + 1) wide.push("node id " + entry.id);
    const fits = rest.right + box.width + 12 <= room.right;
    if (box.top < rest.bottom - 1) packed.push(entry.id);
    else if (fits) unpacked.push(entry.id);
  }
  return {
    wide, broken, stacked, unpacked, packed,
    checked: document.querySelectorAll(".kwindex-label, .kwindex-folder, dl.kwindex-index").length,
    background: getComputedStyle(document.body).backgroundColor,
  };
}"""


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: ``$KWINDEX_SCREENSHOTS``, else the run's
    temporary folder."""
    folder = os.environ.get("KWINDEX_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.getbasetemp()


@contextmanager
def shown_page(browser, url: str, scheme: str, shot: Path) -> Iterator[Any]:
    """A page of ``browser`` at ``url`` in the colour ``scheme``, its
    screenshot saved as ``shot`` before the caller looks at it."""
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.emulate_media(color_scheme=scheme)
        page.goto(url)
        page.screenshot(path=shot, full_page=True)
        yield page
    finally:
        page.close()


@pytest.fixture(scope="module", params=sorted(THEMES))
def themed_site(request, tmp_path_factory):
    """The example shop as a generated tree with all seven kinds, in one theme."""
    theme = request.param
    project = tmp_path_factory.mktemp(theme)
    shutil.copytree(SHOP, project / "shop")
    (project / "pyproject.toml").write_text("")
    (project / "docs").mkdir()
    (project / "docs" / "conf.py").write_text(
        'project = "Shop"\nextensions = ["sphinx_kwindex"]\nkwindex_root = ".."\n'
        'kwindex_modules = ["shop/**/*.py"]\nkwindex_default_kinds = ["classes", '
        '"functions", "imports", "tests", "fixtures", "markers", "constants"]\n'
        f"html_theme = {THEMES[theme]!r}\n"
        + (
            f'html_sidebars = {{"**": {SIDEBARS[theme]!r}}}\n'
            if theme in SIDEBARS
            else ""
        )
    )
    (project / "docs" / "index.rst").write_text(
        "Shop\n====\n\n.. toctree::\n\n   kwindex/index\n"
    )
    outdir = project / "html"
    status = build_main(["-q", "-b", "html", str(project / "docs"), str(outdir)])
    assert status == 0
    for address in serve(outdir):
        yield theme, address


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("what", sorted(PAGES))
def test_pages_fit_the_content_column_of_every_theme(
    browser, themed_site, what: str, scheme: str, screenshots: Path
) -> None:
    theme, address = themed_site
    shot = screenshots / f"{theme}-{what}-{scheme}.png"
    with shown_page(browser, f"{address}/{PAGES[what]}", scheme, shot) as page:
        layout = page.evaluate(LAYOUT)
    assert layout["checked"] > 0
    assert layout["wide"] == []
    assert layout["broken"] == []
    assert layout["stacked"] == []
    assert layout["unpacked"] == []
    if what == "module" and theme != "alabaster":
        # Alabaster's column is too narrow for any of the shop's tests whole.
        assert layout["packed"], "no test fits on one line"
    if theme in DARK_THEMES:
        red = int(layout["background"].split("(")[1].split(",")[0])
        assert (red < 80) == (scheme == "dark"), layout["background"]


def test_a_reader_finds_the_way_up_and_the_keyword_index(browser, themed_site) -> None:
    theme, address = themed_site
    page = browser.new_page()
    try:
        page.goto(f"{address}/{PAGES['module']}")
        # The way up from a module page: its folders, then the top page.
        trail = page.locator(".kwindex-trail a")
        assert trail.first.is_visible()
        assert [trail.nth(i).inner_text() for i in range(trail.count())] == [
            "Indexed modules",
            "shop",
            "tests",
            "unit",
        ]
        if theme in SIDEBARS:
            sidebar = page.locator(
                ".kwindex-sidebar-indexes a", has_text="Keyword Index"
            )
            assert sidebar.is_visible()
        page.goto(f"{address}/kwindex/index.html")
        page.locator(".kwindex-index-link a").click()
        page.wait_for_load_state()
        assert page.url.endswith("/kw-index.html")
        # A small project's index is one page of entries, not a hub.
        assert page.locator("dl.kwindex-index dt").count() > 20
        assert page.locator("nav.kwindex-index-pages").count() == 0
    finally:
        page.close()


TESTED_BY = Path(__file__).parent / "roots" / "test-tested-by"

TESTED_BY_LAYOUT = """() => {
  const main = document.querySelector("[role=main]") || document.body;
  const column = main.getBoundingClientRect();
  const wide = [], seen = [];
  for (const el of document.querySelectorAll(
      "p.kwindex-tested-by, span.kwindex-uses, p.kwindex-tested-by a, span.kwindex-uses a")) {
    for (const box of el.getClientRects())
      if (box.right > column.right + 1 || box.left < column.left - 1)
        wide.push(el.className || el.textContent);
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0")
      wide.push("hidden " + el.className);
    seen.push(el.className);
  }
  return {wide, seen: seen.length,
          tested: document.querySelectorAll("p.kwindex-tested-by").length,
          uses: document.querySelectorAll("span.kwindex-uses").length};
}"""


@pytest.fixture(scope="module", params=sorted(THEMES))
def tested_by_site(request, tmp_path_factory):
    """The root of "tested by" (autodoc, hand-written objects, a test page),
    with a test more of ``Cart`` so that its list says "and 1 more", in one
    theme."""
    theme = request.param
    docs = tmp_path_factory.mktemp(f"tested-{theme}") / "docs"
    shutil.copytree(TESTED_BY, docs)
    module = docs / "project" / "tests" / "test_shop.py"
    module.write_text(module.read_text() + "\n\ndef test_more():\n    Cart().add(2)\n")
    conf = docs / "conf.py"
    conf.write_text(conf.read_text() + f"html_theme = {THEMES[theme]!r}\n")
    outdir = docs / "_build" / "html"
    assert build_main(["-q", "-b", "html", str(docs), str(outdir)]) == 0
    for address in serve(outdir):
        yield theme, address


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "what", ["api.html", "hand.html", "kwindex/tests/test_shop.py.html"]
)
def test_tested_by_and_uses_fit_every_theme(
    browser, tested_by_site, what: str, scheme: str, screenshots: Path
) -> None:
    theme, address = tested_by_site
    name = what.replace("/", "-").removesuffix(".html")
    shot = screenshots / f"{theme}-tested-{name}-{scheme}.png"
    with shown_page(browser, f"{address}/{what}", scheme, shot) as page:
        layout = page.evaluate(TESTED_BY_LAYOUT)
        if what == "api.html":
            # "and 1 more" leads to the complete list, which links every entry.
            page.locator("p.kwindex-tested-by a", has_text="and 1 more").click()
            page.wait_for_load_state()
            assert "/_kwtested/shop.cart.Cart.html" in page.url
            assert page.locator("ul.kwindex-tested-by-list a").count() == 6
    assert layout["wide"] == []
    if what == "kwindex/tests/test_shop.py.html":
        assert layout["uses"] == 10  # every test of the page uses the package
    else:
        assert layout["tested"] >= 2


RESULTS_LAYOUT = """() => {
  const main = document.querySelector("[role=main]") || document.body;
  const column = main.getBoundingClientRect();
  const ground = (el) => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  const found = [];
  for (const el of document.querySelectorAll(".kwindex-result, .kwindex-run-totals")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    found.push({
      outcome: el.className,
      inside: box.right <= column.right + 1 && box.left >= column.left - 1,
      visible: box.width > 0 && style.visibility !== "hidden" && style.opacity !== "0",
      bar: style.borderLeftColor, color: style.color,
      background: ground(el),
    });
  }
  return found;
}"""


def _luminance(rgb: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.fixture(scope="module", params=sorted(THEMES))
def results_site(request, tmp_path_factory):
    """A small suite, a real run's report log, its pages in one theme."""
    theme = request.param
    docs, _ran = project_with_records(
        tmp_path_factory.mktemp(f"results-{theme}"),
        {"tests/test_run.py": RUN_SUITE},
        ["--report-log=run.jsonl"],
        ["run.jsonl"],
        f"html_theme = {THEMES[theme]!r}\n",
    )
    outdir = docs.parent / "html"
    assert build_main(["-q", "-b", "html", str(docs), str(outdir)]) == 0
    for address in serve(outdir):
        yield theme, address


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_results_read_in_every_theme_light_and_dark(
    browser, results_site, scheme: str, screenshots: Path
) -> None:
    theme, address = results_site
    shot = screenshots / f"{theme}-results-{scheme}.png"
    url = f"{address}/kwindex/tests/test_run.py.html"
    with shown_page(browser, url, scheme, shot) as page:
        found = page.evaluate(RESULTS_LAYOUT)
    outcomes = {item["outcome"] for item in found}
    assert "kwindex-result kwindex-result-failed" in outcomes
    assert "kwindex-result kwindex-result-passed" in outcomes
    assert "kwindex-result kwindex-result-skipped" in outcomes
    for item in found:
        assert item["inside"], item
        assert item["visible"], item
        # The text keeps the theme's contrast: light on dark, dark on light.
        text, ground = _luminance(item["color"]), _luminance(item["background"])
        assert abs(text - ground) > 0.4, item
    # A failure's bar is red, a pass's green, whatever the scheme.
    bars = {item["outcome"].rpartition("-")[2]: item["bar"] for item in found}
    assert bars["failed"] == "rgb(211, 47, 47)"
    assert bars["passed"] == "rgb(46, 125, 50)"
