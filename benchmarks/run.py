"""Measure sphinx-kwindex against its floor and its static twin, in one run.

For each size, a synthetic test tree is generated (``generate_tree.py``) and,
on the same files, side by side:

* the floor: reading, decoding and ``ast.parse`` of every file, and the
  extension's own extraction of them;
* Sphinx building the static twin (``static_twin.py``: the same pages with the
  lists written out as plain reST) and building the pages ``kwindex_modules``
  generates, both without source pages (the headline ratio, SPEC §9: at most
  1.15); then both with source pages, the twin including each file with
  ``literalinclude``;
* sphinx-autoapi on the same files (``pip install -e ".[bench]"``);
* ``-j 2`` against ``-j 1``; a rebuild after editing one module and one with
  nothing changed, with how many documents each read;
* the peak memory of each build (each runs in a fresh interpreter).

    python benchmarks/run.py --sizes 100 1000 [--repeat 3] [--markdown]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generate_tree import write_tree
from static_twin import folder_page, include_path, module_page, write_twin

from sphinx_kwindex.extract import (
    SourceDecodeError,
    decode_source,
    extract_file,
    extract_source,
)
from sphinx_kwindex.module_tree import folder_tree

HERE = Path(__file__).parent
PATTERN = "test/**/*_test.py"


@dataclass
class Row:
    what: str
    seconds: float
    against: str = ""
    baseline: float = 0.0
    read: int | None = None
    peak_mb: float | None = None
    warnings: int = 0

    @property
    def ratio(self) -> str:
        return f"{self.seconds / self.baseline:.2f}x" if self.baseline else "1.00x"


def interleaved_times(
    functions: Sequence[Callable[[], object]], rounds: int
) -> list[list[float]]:
    """The times of each of ``functions`` over ``rounds`` rounds, each round
    running every function once in turn: a slow spell of the machine falls
    on every side of a ratio, not on one."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, taken in zip(functions, times, strict=True):
            start = time.perf_counter()
            function()
            taken.append(time.perf_counter() - start)
    return times


def floor(root: Path, paths: list[str]) -> None:
    """Read, decode and parse every file, keeping no tree alive (a real
    suite may hold files that are not valid Python on purpose)."""
    for path in paths:
        with contextlib.suppress(SourceDecodeError, SyntaxError, ValueError):
            ast.parse(decode_source((root / path).read_bytes()))


def extraction(root: Path, paths: list[str]) -> None:
    for path in paths:
        extract_source((root / path).read_bytes(), path)


def write_project(srcdir: Path, conf: str, index: str) -> None:
    srcdir.mkdir(parents=True, exist_ok=True)
    (srcdir / "conf.py").write_text('project = "bench"\n' + conf, encoding="utf-8")
    (srcdir / "index.rst").write_text(f"Bench\n=====\n\n{index}", encoding="utf-8")


def kwindex_project(srcdir: Path, tree: Path, source_pages: bool) -> None:
    conf = (
        'extensions = ["sphinx_kwindex"]\n'
        f"kwindex_root = {str(tree)!r}\n"
        f"kwindex_modules = [{PATTERN!r}]\n"
        f"kwindex_source_pages = {source_pages}\n"
    )
    write_project(srcdir, conf, ".. toctree::\n\n   kwindex/index\n")


def twin_project(srcdir: Path, tree: Path, paths: list[str], include: bool) -> None:
    write_project(srcdir, "extensions = []\n", ".. toctree::\n\n   twin/index\n")
    write_twin(tree, paths, srcdir, literalinclude=include)


def autoapi_project(srcdir: Path, tree: Path) -> None:
    conf = (
        'extensions = ["autoapi.extension"]\n'
        f"autoapi_dirs = [{str(tree / 'test')!r}]\n"
        "autoapi_python_use_implicit_namespaces = True\n"
    )
    # autoapi makes no index page for folders that are not packages: it warns
    # that its module pages are in no toctree, and builds them all the same.
    write_project(srcdir, conf, "See the API reference.\n")


def build(srcdir: Path, outdir: Path, parallel: int = 1, fresh: bool = True) -> dict:
    command = [
        sys.executable,
        str(HERE / "_build_once.py"),
        str(srcdir),
        str(outdir),
        "--parallel",
        str(parallel),
    ]
    if fresh:
        shutil.rmtree(outdir, ignore_errors=True)
        command.append("--fresh")
    # As installed: compiled modules are cached (not everywhere by default).
    environment = {
        k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"
    }
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env=environment
    )
    if done.returncode != 0:
        raise SystemExit(f"build of {srcdir} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def best_build(srcdir: Path, outdir: Path, repeat: int, parallel: int = 1) -> dict:
    results = [build(srcdir, outdir, parallel) for _ in range(repeat)]
    return min(results, key=lambda result: result["seconds"])


def row(what: str, result: dict, against: str = "", baseline: float = 0.0) -> Row:
    return Row(
        what,
        result["seconds"],
        against,
        baseline,
        result["read"],
        result["peak_mb"],
        result["warnings"],
    )


def edit_one_module(tree: Path, paths: list[str]) -> str:
    """Change the docstring and add a test to one module; its path."""
    path = paths[len(paths) // 2]
    module = tree / path
    text = module.read_text(encoding="utf-8").replace("(generated)", "(edited)", 1)
    module.write_text(
        text + "\n\ndef test_added_later():\n    pass\n", encoding="utf-8"
    )
    return path


def measure(size: int, work: Path, repeat: int, with_autoapi: bool) -> list[Row]:
    shutil.rmtree(work, ignore_errors=True)
    tree = work / "tree"
    paths = write_tree(tree, size)
    rows = []
    parse, extract = map(
        min,
        interleaved_times(
            [lambda: floor(tree, paths), lambda: extraction(tree, paths)], repeat
        ),
    )
    rows.append(Row("ast.parse of every file (the floor)", parse))
    rows.append(Row("kwindex extraction of every file", extract, "the floor", parse))

    projects = work / "projects"
    out = work / "out"
    twin_project(projects / "twin", tree, paths, include=False)
    kwindex_project(projects / "kwindex", tree, source_pages=False)
    twin = best_build(projects / "twin", out / "twin", repeat)
    rows.append(row("static twin, full build", twin))
    kw = best_build(projects / "kwindex", out / "kwindex", repeat)
    rows.append(row("kwindex, full build", kw, "static twin", twin["seconds"]))

    twin_project(projects / "twin-src", tree, paths, include=True)
    kwindex_project(projects / "kwindex-src", tree, source_pages=True)
    twin_src = best_build(projects / "twin-src", out / "twin-src", repeat)
    rows.append(row("static twin + literalinclude of each file", twin_src))
    kw_src = best_build(projects / "kwindex-src", out / "kwindex-src", repeat)
    rows.append(
        row(
            "kwindex with source pages",
            kw_src,
            "twin + literalinclude",
            twin_src["seconds"],
        )
    )
    if with_autoapi:
        autoapi_project(projects / "autoapi", tree)
        autoapi = best_build(projects / "autoapi", out / "autoapi", repeat)
        rows.append(
            row(
                "sphinx-autoapi on the same files",
                autoapi,
                "static twin",
                twin["seconds"],
            )
        )

    twin_j2 = best_build(projects / "twin", out / "twin-j2", repeat, parallel=2)
    rows.append(row("static twin, -j 2", twin_j2, "twin -j 1", twin["seconds"]))
    kw_j2 = best_build(projects / "kwindex", out / "kwindex-j2", repeat, parallel=2)
    rows.append(row("kwindex, -j 2", kw_j2, "kwindex -j 1", kw["seconds"]))

    build(projects / "kwindex", out / "kwindex")
    build(projects / "twin", out / "twin")
    unchanged = build(projects / "kwindex", out / "kwindex", fresh=False)
    rows.append(
        row(
            "kwindex, rebuild, nothing changed",
            unchanged,
            "kwindex full",
            kw["seconds"],
        )
    )
    edited = edit_one_module(tree, paths)
    rewrite_twin_pages(tree, paths, edited, projects / "twin")
    twin_again = build(projects / "twin", out / "twin", fresh=False)
    rows.append(
        row(
            "static twin, rebuild after editing one module",
            twin_again,
            "twin full",
            twin["seconds"],
        )
    )
    kw_again = build(projects / "kwindex", out / "kwindex", fresh=False)
    rows.append(
        row(
            "kwindex, rebuild after editing one module",
            kw_again,
            "kwindex full",
            kw["seconds"],
        )
    )
    return rows


def rewrite_twin_pages(
    tree: Path, paths: list[str], edited: str, srcdir: Path, include: bool = False
) -> None:
    """What the twin's author would rewrite: the module's page and its folder's."""
    folders = folder_tree(paths)
    folder = folders[edited.rpartition("/")[0]]
    indexes = {path: extract_file(tree / path) for path in folder.modules}
    included = include_path(tree, edited, srcdir, include)
    page = module_page(edited, indexes[edited], folders, included)
    (srcdir / "twin" / f"{edited}.rst").write_text(page, encoding="utf-8")
    listing = folder_page(folder, folders, indexes)
    (srcdir / "twin" / folder.path / "index.rst").write_text(listing, encoding="utf-8")


def print_table(size: int, rows: list[Row], markdown: bool) -> None:
    header = ["", "seconds", "ratio", "against", "docs read", "peak MB"]
    cells = [
        [
            r.what,
            f"{r.seconds:.2f}",
            r.ratio if r.against else "",
            r.against,
            "" if r.read is None else str(r.read),
            "" if r.peak_mb is None else f"{r.peak_mb:.0f}",
        ]
        for r in rows
    ]
    print(f"\n{size} modules ({sys.version.split()[0]}, {sphinx_version()})\n")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * 2 + ["---"] + ["---:"] * 2) + "|")
        for line in cells:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [
            max(len(line[i]) for line in [header, *cells]) for i in range(len(header))
        ]
        for line in [header, *cells]:
            print(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                )
            )
    for r in rows:
        if r.warnings:
            print(f"\n{r.warnings} warnings in: {r.what}")


def sphinx_version() -> str:
    import sphinx

    return f"Sphinx {sphinx.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="best of N (default 1)")
    parser.add_argument("--work", type=Path, default=HERE / "_work")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--no-autoapi", action="store_true")
    args = parser.parse_args()
    with_autoapi = (
        not args.no_autoapi and importlib.util.find_spec("autoapi") is not None
    )
    if not with_autoapi and not args.no_autoapi:
        print(
            "sphinx-autoapi is not installed (pip install -e '.[bench]'): no row for it"
        )
    for size in args.sizes:
        rows = measure(size, args.work / f"n{size}", args.repeat, with_autoapi)
        print_table(size, rows, args.markdown)


if __name__ == "__main__":
    main()
