"""Measure sphinx-kwindex on real test suites against its static twin.

Suites: the interpreter's own ``test`` package (copied to a temporary folder)
and the test folders of real projects' source distributions (downloaded with
``pip download --no-binary :all:`` into the work folder, never committed).
For each suite, side by side in one run, medians of ``--repeat`` builds run
alternately, ``-j 1``, each in a fresh interpreter:

* full builds with lean sidebars, with alabaster's default sidebars, and with
  source pages (against the twin plus ``literalinclude`` of each file);
* a rebuild with nothing changed and one after editing one module, with how
  many documents each read;
* bytes written, the largest page, ``searchindex.js``, peak memory.

Then the growth of a full build from ``--growth`` generated modules (1,000
and 4,000 by default) in alabaster, furo, pydata-sphinx-theme and
sphinx-rtd-theme.

    python benchmarks/real_suites.py [--repeat 3] [--sdists attrs python-dateutil]
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

from generate_tree import write_tree
from run import build, rewrite_twin_pages, sphinx_version, write_project
from static_twin import write_twin

from sphinx_kwindex.module_tree import find_modules

TEST_FOLDERS = ["**/test/**/*.py", "**/tests/**/*.py", "**/testing/**/*.py"]
LEAN_SIDEBARS = 'html_sidebars = {"**": ["relations.html", "searchbox.html"]}\n'
THEMES = {
    "alabaster": "alabaster",
    "furo": "furo",
    "pydata": "pydata_sphinx_theme",
    "rtd": "sphinx_rtd_theme",
}


@dataclass
class Build:
    """What one build cost and wrote."""

    seconds: list[float] = field(default_factory=list)
    read: int = 0
    peak_mb: float = 0.0
    written: int = 0
    largest: tuple[int, str] = (0, "")
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
        index = outdir / "searchindex.js"
        self.searchindex = index.stat().st_size if index.exists() else 0


@dataclass
class Row:
    suite: str
    what: str
    kwindex: Build
    twin: Build


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
    work: Path, lib_test: bool, sdists: list[str]
) -> list[tuple[str, Path, list[str]]]:
    """``(name, root, globs of its test modules)`` of every suite asked for."""
    suites = [("CPython Lib/test", *prepare_lib_test(work))] if lib_test else []
    for name in sdists:
        prepared = prepare_sdist(name, work)
        if prepared is not None:
            suites.append((name, *prepared))
    return suites


def kwindex_conf(root: Path, patterns: list[str], extra: str) -> str:
    return (
        'extensions = ["sphinx_kwindex"]\n'
        f"kwindex_root = {str(root)!r}\n"
        f"kwindex_modules = {patterns!r}\n" + extra
    )


def projects(
    work: Path, root: Path, patterns: list[str], modules: list[str]
) -> dict[str, Path]:
    """The kwindex and twin projects of every variant of one suite."""
    made = {}
    variants = {
        "lean": LEAN_SIDEBARS + "kwindex_source_pages = False\n",
        "alabaster": "kwindex_source_pages = False\n",
        "sources": "",
    }
    for variant, extra in variants.items():
        srcdir = work / "projects" / f"kwindex-{variant}"
        shutil.rmtree(srcdir, ignore_errors=True)
        write_project(
            srcdir,
            kwindex_conf(root, patterns, extra),
            ".. toctree::\n\n   kwindex/index\n",
        )
        made[f"kwindex-{variant}"] = srcdir
        srcdir = work / "projects" / f"twin-{variant}"
        shutil.rmtree(srcdir, ignore_errors=True)
        sidebars = LEAN_SIDEBARS if variant == "lean" else ""
        write_project(srcdir, sidebars, ".. toctree::\n\n   twin/index\n")
        write_twin(root, modules, srcdir, literalinclude=variant == "sources")
        made[f"twin-{variant}"] = srcdir
    return made


def measure_suite(
    name: str, root: Path, patterns: list[str], work: Path, repeat: int
) -> list[Row]:
    modules = find_modules(root, patterns).modules
    print(f"\n== {name}: {len(modules)} modules", flush=True)
    made = projects(work, root, patterns, modules)
    out = work / "out"
    rows = []
    for variant in ("lean", "alabaster", "sources"):
        kw, twin = Build(), Build()
        for _ in range(repeat):
            for result, key in ((kw, "kwindex"), (twin, "twin")):
                outdir = out / f"{key}-{variant}"
                result.add(build(made[f"{key}-{variant}"], outdir), outdir)
        label = {
            "lean": "full build, lean sidebars",
            "alabaster": "full build, alabaster's default sidebars",
            "sources": "full build with source pages (twin + literalinclude)",
        }[variant]
        rows.append(Row(name, label, kw, twin))
        print(f"   {label}: {kw.median:.1f} s against {twin.median:.1f} s", flush=True)
    # Rebuilds, on the default sidebars and source pages.
    kw_unchanged, twin_unchanged = Build(), Build()
    for result, key in ((kw_unchanged, "kwindex"), (twin_unchanged, "twin")):
        outdir = out / f"{key}-sources"
        result.add(build(made[f"{key}-sources"], outdir, fresh=False), outdir)
    rows.append(Row(name, "rebuild, nothing changed", kw_unchanged, twin_unchanged))
    edited = edit_module(root, modules)
    rewrite_twin_pages(root, modules, edited, made["twin-sources"], include=True)
    kw_touched, twin_touched = Build(), Build()
    for result, key in ((kw_touched, "kwindex"), (twin_touched, "twin")):
        outdir = out / f"{key}-sources"
        result.add(build(made[f"{key}-sources"], outdir, fresh=False), outdir)
    rows.append(Row(name, f"rebuild after editing {edited}", kw_touched, twin_touched))
    return rows


def edit_module(root: Path, modules: list[str]) -> str:
    """Add a test to the largest test module of the suite's biggest folder."""
    folders: dict[str, list[str]] = {}
    for module in modules:
        folders.setdefault(module.rpartition("/")[0], []).append(module)
    biggest = max(folders.values(), key=len)
    path = max(biggest, key=lambda m: (root / m).stat().st_size)
    with (root / path).open("a", encoding="utf-8") as file:
        file.write("\n\ndef test_added_by_the_benchmark():\n    pass\n")
    return path


def measure_growth(sizes: list[int], work: Path) -> list[tuple[str, dict[int, Build]]]:
    """A full build of each size of generated tree, in each theme."""
    rows = []
    for theme, module in THEMES.items():
        builds = {}
        for size in sizes:
            tree = work / "growth" / f"tree-{size}"
            if not tree.exists():
                write_tree(tree, size)
            srcdir = work / "growth" / f"{theme}-{size}"
            shutil.rmtree(srcdir, ignore_errors=True)
            write_project(
                srcdir,
                kwindex_conf(tree, ["test/**/*_test.py"], f"html_theme = {module!r}\n"),
                ".. toctree::\n\n   kwindex/index\n",
            )
            result = Build()
            outdir = work / "out" / f"growth-{theme}-{size}"
            result.add(build(srcdir, outdir), outdir)
            builds[size] = result
            print(f"   {theme}, {size} modules: {result.median:.1f} s", flush=True)
        rows.append((theme, builds))
    return rows


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f}"


def print_rows(rows: list[Row], repeat: int) -> None:
    print(f"\n{sys.version.split()[0]}, {sphinx_version()}, -j 1, median of {repeat}\n")
    print(
        "| suite | build | kwindex s | twin s | ratio | docs read | written MB | "
        "largest page MB | searchindex.js MB | peak MB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        kw, twin = row.kwindex, row.twin
        print(
            f"| {row.suite} | {row.what} | {kw.median:.1f} | {twin.median:.1f} | "
            f"{kw.median / twin.median:.2f}x | {kw.read} / {twin.read} | "
            f"{megabytes(kw.written)} / {megabytes(twin.written)} | "
            f"{megabytes(kw.largest[0])} / {megabytes(twin.largest[0])} | "
            f"{megabytes(kw.searchindex)} / {megabytes(twin.searchindex)} | "
            f"{round(kw.peak_mb)} / {round(twin.peak_mb)} |"
        )
    print("\n(pairs: kwindex / twin)\n\nLargest pages (kwindex):")
    for row in rows:
        print(f"  {row.suite}, {row.what}: {row.kwindex.largest[1]}")


def print_growth(growth: list[tuple[str, dict[int, Build]]]) -> None:
    sizes = sorted(growth[0][1])
    print(
        "\n| theme | "
        + " | ".join(f"{s} modules, s" for s in sizes)
        + " | growth | largest page MB |"
    )
    print("|---|" + "---:|" * len(sizes) + "---:|---:|")
    for theme, builds in growth:
        first, last = builds[sizes[0]], builds[sizes[-1]]
        times = " | ".join(f"{builds[s].median:.1f}" for s in sizes)
        print(
            f"| {theme} | {times} | {last.median / first.median:.2f}x for "
            f"{sizes[-1] / sizes[0]:.0f}x | "
            + " / ".join(megabytes(builds[s].largest[0]) for s in sizes)
            + " |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sdists", nargs="*", default=["attrs", "python-dateutil", "pytest"]
    )
    parser.add_argument("--no-lib-test", action="store_true")
    parser.add_argument("--growth", type=int, nargs="*", default=[1000, 4000])
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kwindex-bench-"))
    print(f"work folder: {work}")
    suites = prepare_suites(work, not args.no_lib_test, args.sdists)
    rows = []
    for name, root, patterns in suites:
        folder = work / name.replace("/", "-").replace(" ", "-")
        rows += measure_suite(name, root, patterns, folder, args.repeat)
    growth = measure_growth(args.growth, work) if len(args.growth) > 1 else []
    if rows:
        print_rows(rows, args.repeat)
    if growth:
        print_growth(growth)


if __name__ == "__main__":
    main()
