"""Measure sphinx-kwindex on real test suites against its static twin.

Suites: the interpreter's own ``test`` package (copied to a temporary
folder), a wide real tree (by default Django's ``tests/``: about 1,900
modules in some 460 folders) and the test folders of smaller projects, all
from source distributions downloaded with ``pip download --no-binary :all:``
into the work folder, never committed. Each build runs in a fresh
interpreter, ``-j 1``, kwindex and its static twin in turn (the twin: the
same pages with every list written out as plain reST, the same theme and
navigation, each module included with ``literalinclude`` where kwindex
writes a source page). Printed side by side, in one run:

* full builds with default settings: in the four common themes for the wide
  tree, in alabaster for the others;
* a rebuild with nothing changed and one after adding a test to one module,
  ``--rebuilds`` rounds of each (the median of the rounds' ratios), with how
  many documents each read;
* bytes written, the largest page, ``genindex.html``, ``searchindex.js``,
  peak memory;
* the growth of a full build from ``--growth`` generated modules (1,000 and
  4,000 by default) in each theme, for a tree whose folders grow with it
  (``wide``) and one of a few huge folders (``huge``): the median of
  ``--growth-rounds`` rounds' ratios;
* the peak memory of building one generated 11 MB module of 100,000 tests.

    python benchmarks/real_suites.py [--repeat 1] [--wide django] [--sdists attrs]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from generate_tree import SHAPES, write_huge_module, write_tree
from run import build, rewrite_twin_pages, sphinx_version, write_project
from static_twin import write_twin

from sphinx_kwindex.module_tree import find_modules, folder_tree

TEST_FOLDERS = ["**/test/**/*.py", "**/tests/**/*.py", "**/testing/**/*.py"]
THEMES = {
    "alabaster": "alabaster",
    "furo": "furo",
    "pydata": "pydata_sphinx_theme",
    "rtd": "sphinx_rtd_theme",
}
NAVIGATION = "top"
"""The ``kwindex_toctree`` of every build here (the default), the twin's too."""


@dataclass
class Build:
    """What one build cost and wrote."""

    seconds: list[float] = field(default_factory=list)
    read: int = 0
    peak_mb: float = 0.0
    written: int = 0
    largest: tuple[int, str] = (0, "")
    genindex: int = 0
    searchindex: int = 0
    warnings: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def add(self, result: dict, outdir: Path) -> None:
        self.seconds.append(result["seconds"])
        self.read = result["read"]
        self.peak_mb = max(self.peak_mb, result["peak_mb"])
        self.warnings = result["warnings"]
        files = [
            p for p in outdir.rglob("*") if p.is_file() and ".doctrees" not in p.parts
        ]
        self.written = sum(p.stat().st_size for p in files)
        pages = [
            (p.stat().st_size, p.relative_to(outdir).as_posix())
            for p in files
            if p.suffix == ".html"
        ]
        self.largest = max(pages)
        self.genindex = _size(outdir / "genindex.html")
        self.searchindex = _size(outdir / "searchindex.js")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@dataclass
class Row:
    suite: str
    what: str
    theme: str
    kwindex: Build
    twin: Build

    @property
    def ratio(self) -> float:
        """The median of the ratios of builds run one after the other (the
        machine's pace drifts: a pair shares it)."""
        pairs = zip(self.kwindex.seconds, self.twin.seconds, strict=True)
        return statistics.median(kw / twin for kw, twin in pairs)


@dataclass
class Suite:
    name: str
    root: Path
    patterns: list[str]
    themes: list[str]

    @property
    def modules(self) -> list[str]:
        return find_modules(self.root, self.patterns).modules


def prepare_lib_test(work: Path) -> tuple[Path, list[str]]:
    """A copy of the interpreter's own ``test`` package."""
    import test

    source = Path(test.__file__).parent
    root = work / "suites" / "cpython-lib-test"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root / "test", ignore=shutil.ignore_patterns("__pycache__"))
    return root, ["test/**/*.py"]


def prepare_sdist(name: str, work: Path) -> tuple[Path, list[str]] | None:
    """The unpacked source distribution of ``name``, its test folders globbed."""
    downloads = work / "sdists" / name
    shutil.rmtree(downloads, ignore_errors=True)
    downloads.mkdir(parents=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    command += ["--no-binary", ":all:", "--dest", str(downloads), name]
    if subprocess.run(command, check=False).returncode != 0:
        print(f"could not download the sdist of {name}: left out")
        return None
    (archive,) = [p for p in downloads.iterdir() if p.is_file()]
    root = work / "suites" / name
    shutil.rmtree(root, ignore_errors=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as file:
            file.extractall(root)
    else:
        with tarfile.open(archive) as file:
            file.extractall(root, filter="data")
    (top,) = list(root.iterdir())
    patterns = [p for p in TEST_FOLDERS if find_modules(top, [p]).modules]
    return (top, patterns) if patterns else None


def prepare_suites(
    work: Path, lib_test: bool, wide: list[str], sdists: list[str]
) -> list[Suite]:
    """Every suite asked for: the wide ones in every theme, others in alabaster."""
    suites = []
    if lib_test:
        suites.append(Suite("CPython Lib/test", *prepare_lib_test(work), ["alabaster"]))
    for names, themes in ((wide, list(THEMES)), (sdists, ["alabaster"])):
        for name in names:
            prepared = prepare_sdist(name, work)
            if prepared is not None:
                suites.append(Suite(name, *prepared, themes))
    return suites


def kwindex_conf(root: Path, patterns: list[str], theme: str) -> str:
    return (
        'extensions = ["sphinx_kwindex"]\n'
        f"kwindex_root = {str(root)!r}\n"
        f"kwindex_modules = {patterns!r}\n"
        f"kwindex_toctree = {NAVIGATION!r}\n"
        f"html_theme = {THEMES[theme]!r}\n"
    )


def projects(work: Path, suite: Suite, modules: list[str]) -> dict[str, Path]:
    """The kwindex and twin projects of one suite, one of each per theme."""
    made = {}
    for theme in suite.themes:
        srcdir = work / "projects" / f"kwindex-{theme}"
        shutil.rmtree(srcdir, ignore_errors=True)
        write_project(
            srcdir,
            kwindex_conf(suite.root, suite.patterns, theme),
            ".. toctree::\n\n   kwindex/index\n",
        )
        made[f"kwindex-{theme}"] = srcdir
        srcdir = work / "projects" / f"twin-{theme}"
        shutil.rmtree(srcdir, ignore_errors=True)
        write_project(
            srcdir,
            f"html_theme = {THEMES[theme]!r}\n",
            ".. toctree::\n\n   twin/index\n",
        )
        write_twin(suite.root, modules, srcdir, literalinclude=True, shape=NAVIGATION)
        made[f"twin-{theme}"] = srcdir
    return made


def measure_suite(suite: Suite, work: Path, repeat: int, rebuilds: int) -> list[Row]:
    modules = suite.modules
    folders = len(folder_tree(modules))
    print(f"\n== {suite.name}: {len(modules)} modules in {folders} folders", flush=True)
    made = projects(work, suite, modules)
    out = work / "out"
    rows = []
    for theme in suite.themes:
        kw, twin = Build(), Build()
        for _ in range(repeat):
            for result, key in ((kw, "kwindex"), (twin, "twin")):
                outdir = out / f"{key}-{theme}"
                result.add(build(made[f"{key}-{theme}"], outdir), outdir)
        rows.append(Row(suite.name, "full build", theme, kw, twin))
        print(f"   {theme}: {kw.median:.1f} s against {twin.median:.1f} s", flush=True)
    theme = suite.themes[0]
    twin_srcdir = made[f"twin-{theme}"]
    rounds = max(rebuilds, 1)
    unchanged = Row(suite.name, "rebuild, nothing changed", theme, Build(), Build())
    edited = edit_target(suite.root, modules)
    what = f"rebuild after adding a test to {edited}"
    touched = Row(suite.name, what, theme, Build(), Build())
    for number in range(rounds):
        rebuild(unchanged, made, out)
        add_test(suite.root / edited, number)
        rewrite_twin_pages(suite.root, modules, edited, twin_srcdir, include=True)
        rebuild(touched, made, out)
    for row in (unchanged, touched):
        print(f"   {row.what}: {row.ratio:.2f}x (median of {rounds})", flush=True)
    return [*rows, unchanged, touched]


def rebuild(row: Row, made: dict[str, Path], out: Path) -> None:
    """One incremental build of the kwindex and twin projects of the row's
    theme, one after the other."""
    for result, key in ((row.kwindex, "kwindex"), (row.twin, "twin")):
        outdir = out / f"{key}-{row.theme}"
        result.add(build(made[f"{key}-{row.theme}"], outdir, fresh=False), outdir)


def edit_target(root: Path, modules: list[str]) -> str:
    """The largest module of the suite's biggest folder."""
    folders: dict[str, list[str]] = {}
    for module in modules:
        folders.setdefault(module.rpartition("/")[0], []).append(module)
    biggest = max(folders.values(), key=len)
    return max(biggest, key=lambda m: (root / m).stat().st_size)


def add_test(path: Path, number: int) -> None:
    """Add a test to the module at ``path``."""
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n\ndef test_added_by_the_benchmark_{number}():\n    pass\n")


def measure_growth(
    sizes: list[int], shapes: list[str], work: Path, rounds: int
) -> list[tuple[str, str, dict[int, Build]]]:
    """Full builds of each size of generated tree, in each shape and theme,
    the sizes in turn for ``rounds`` rounds."""
    rows = []
    for shape in shapes:
        for theme in THEMES:
            builds = {size: Build() for size in sizes}
            for _ in range(max(rounds, 1)):
                for size in sizes:
                    tree = work / "growth" / f"tree-{shape}-{size}"
                    if not tree.exists():
                        write_tree(tree, size, shape=shape)
                    srcdir = work / "growth" / f"{shape}-{theme}-{size}"
                    shutil.rmtree(srcdir, ignore_errors=True)
                    write_project(
                        srcdir,
                        kwindex_conf(tree, ["test/**/*_test.py"], theme),
                        ".. toctree::\n\n   kwindex/index\n",
                    )
                    outdir = work / "out" / f"growth-{shape}-{theme}-{size}"
                    builds[size].add(build(srcdir, outdir), outdir)
            times = ", ".join(f"{s}: {builds[s].median:.1f} s" for s in sizes)
            print(f"   {shape}, {theme}: {times}", flush=True)
            rows.append((shape, theme, builds))
    return rows


def growth_ratio(builds: dict[int, Build]) -> float:
    """The median of the rounds' ratios of the largest size to the smallest."""
    sizes = sorted(builds)
    pairs = zip(builds[sizes[-1]].seconds, builds[sizes[0]].seconds, strict=True)
    return statistics.median(large / small for large, small in pairs)


def measure_huge_module(work: Path) -> tuple[int, Build]:
    """Build the page of one generated 11 MB module: its size and the build."""
    root = work / "huge"
    size = write_huge_module(root / "test" / "test_huge.py")
    srcdir = work / "projects" / "huge"
    shutil.rmtree(srcdir, ignore_errors=True)
    write_project(
        srcdir,
        kwindex_conf(root, ["test/*.py"], "alabaster"),
        ".. toctree::\n\n   kwindex/index\n",
    )
    result = Build()
    outdir = work / "out" / "huge"
    result.add(build(srcdir, outdir), outdir)
    print(f"   one module of {size / 1e6:.1f} MB: {result.peak_mb:.0f} MB at peak")
    return size, result


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f}"


def print_rows(rows: list[Row], repeat: int) -> None:
    print(f"\n{sys.version.split()[0]}, {sphinx_version()}, -j 1, median of {repeat}")
    print(f'navigation: kwindex_toctree = "{NAVIGATION}", the twin the same\n')
    print(
        "| suite | build | theme | kwindex s | twin s | ratio | docs read | "
        "written MB | largest page MB | genindex MB | searchindex.js MB | peak MB |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        kw, twin = row.kwindex, row.twin
        print(
            f"| {row.suite} | {row.what} | {row.theme} | {kw.median:.2f} | "
            f"{twin.median:.2f} | {row.ratio:.2f}x | "
            f"{kw.read} / {twin.read} | "
            f"{megabytes(kw.written)} / {megabytes(twin.written)} | "
            f"{megabytes(kw.largest[0])} / {megabytes(twin.largest[0])} | "
            f"{megabytes(kw.genindex)} / {megabytes(twin.genindex)} | "
            f"{megabytes(kw.searchindex)} / {megabytes(twin.searchindex)} | "
            f"{round(kw.peak_mb)} / {round(twin.peak_mb)} |"
        )
    print("\n(pairs: kwindex / twin)\n\nLargest pages (kwindex):")
    for row in rows:
        print(f"  {row.suite}, {row.what}, {row.theme}: {row.kwindex.largest[1]}")


def print_growth(growth: list[tuple[str, str, dict[int, Build]]]) -> None:
    sizes = sorted(growth[0][2])
    print(
        "\n| tree | theme | "
        + " | ".join(f"{s} modules, s" for s in sizes)
        + " | growth | largest page MB |"
    )
    print("|---|---|" + "---:|" * len(sizes) + "---:|---:|")
    for shape, theme, builds in growth:
        times = " | ".join(f"{builds[s].median:.1f}" for s in sizes)
        print(
            f"| {shape} | {theme} | {times} | {growth_ratio(builds):.2f}x for "
            f"{sizes[-1] / sizes[0]:.0f}x | "
            + " / ".join(megabytes(builds[s].largest[0]) for s in sizes)
            + " |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--rebuilds", type=int, default=5, help="rounds of each rebuild (median)"
    )
    parser.add_argument("--wide", nargs="*", default=["django"])
    parser.add_argument(
        "--sdists", nargs="*", default=["attrs", "python-dateutil", "pytest"]
    )
    parser.add_argument("--no-lib-test", action="store_true")
    parser.add_argument("--growth", type=int, nargs="*", default=[1000, 4000])
    parser.add_argument("--shapes", nargs="*", choices=SHAPES, default=list(SHAPES))
    parser.add_argument(
        "--growth-rounds", type=int, default=3, help="rounds of growth (median)"
    )
    parser.add_argument("--no-huge-module", action="store_true")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kwindex-bench-"))
    print(f"work folder: {work}")
    suites = prepare_suites(work, not args.no_lib_test, args.wide, args.sdists)
    rows = []
    for suite in suites:
        folder = work / suite.name.replace("/", "-").replace(" ", "-")
        rows += measure_suite(suite, folder, args.repeat, args.rebuilds)
    growth = []
    if len(args.growth) > 1:
        print("\n== growth of generated trees")
        growth = measure_growth(args.growth, args.shapes, work, args.growth_rounds)
    huge = None if args.no_huge_module else measure_huge_module(work)
    if rows:
        print_rows(rows, args.repeat)
    if growth:
        print_growth(growth)
    if huge is not None:
        size, result = huge
        print(
            f"\nOne generated module of {size / 1e6:.1f} MB (100,000 tests), "
            f"alabaster: {result.median:.1f} s, {result.peak_mb:.0f} MB at peak"
        )


if __name__ == "__main__":
    main()
