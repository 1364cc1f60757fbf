"""``python -m sphinx_kwindex FILE...``: the keyword index without a Sphinx project."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import sys
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from sphinx_kwindex import __version__
from sphinx_kwindex.api_uses import (
    ApiUses,
    file_api,
    find_packages,
    object_name,
    package_modules,
    public_objects,
    reached,
    users_of,
    uses_by_node_id,
)
from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.extract import ModuleExtraction
from sphinx_kwindex.kinds import DEFAULT_KINDS, KINDS
from sphinx_kwindex.module_tree import find_modules
from sphinx_kwindex.parsed_store import ParseCache, parse_new
from sphinx_kwindex.present import (
    ENGLISH,
    JSON_VERSION,
    classify_module,
    describe_problem,
    glance_text,
    location_text,
    needed_at_a_glance,
    parse_kinds,
    view_json,
)
from sphinx_kwindex.pytest_config import read_rules
from sphinx_kwindex.records import (
    RecordError,
    RunRecord,
    read_run_record,
    records_json,
)
from sphinx_kwindex.tree_resolver import file_resolver
from sphinx_kwindex.view import (
    SORT_ORDERS,
    KindView,
    ModuleView,
    ViewOptions,
    group_name,
    module_view,
    total_items,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Print the keyword index of each file; 1 when one could not be indexed."""
    args = _parser().parse_args(argv)
    files = list(_expand(args.paths))
    found = [file.resolve() for file, problem in files if not problem]
    args.root = root = (args.root or _rootdir(found)).resolve()
    args.rules, _source = read_rules(root)
    store = None if args.no_cache else _store_file(args.cache_dir, root)
    cache = ParseCache(store)
    args.extract = _extract_once(cache)
    args.resolve = file_resolver(root, lambda file: args.extract(file).shape)
    parse_new(cache, found, args.jobs)
    try:
        status = _print_indexes(args, files)
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = 1
    if store is not None:
        _keep(cache, store)
    return status


def _rootdir(files: Sequence[Path]) -> Path:
    """The folder pytest takes as its rootdir for ``files``: the folder of
    the first configuration file at or above their common folder, else that
    folder (the current one where there are no files)."""
    folders = [file if file.is_dir() else file.parent for file in files]
    common = Path(os.path.commonpath(folders)) if folders else Path.cwd()
    _rules, source = read_rules(common)
    return common if source is None else source.parent


def _store_file(folder: Path, root: Path) -> Path:
    """The database keeping the modules parsed under ``root``, in ``folder``."""
    name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return folder / f"{name}.sqlite"


def _keep(cache: ParseCache, store: Path) -> None:
    """Keep what this run parsed for the next; a cache that cannot be written
    only costs the next run its parsing."""
    try:
        cache.save(store)
    except (OSError, sqlite3.Error) as error:
        print(f"cannot keep parsed modules in {store}: {error}", file=sys.stderr)


def _default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/sphinx-kwindex``, else ``~/.cache/sphinx-kwindex``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sphinx-kwindex"


def _print_indexes(args: argparse.Namespace, files: list[tuple[Path, str]]) -> int:
    failed = False
    modules: list[tuple[str, ModuleExtraction]] = []
    for file, problem in files:
        if problem:
            print(problem, file=sys.stderr)
            failed = True
            continue
        path = _shown_path(file, args.root)
        if path.startswith("../"):
            print(
                f"cannot index {file}: it is outside --root {args.root}",
                file=sys.stderr,
            )
            failed = True
            continue
        if file.suffix not in _PYTHON_SUFFIXES and file.is_file():
            print(f"cannot index {file}: not a Python file", file=sys.stderr)
            failed = True
            continue
        module = args.extract(file)
        if module.problem is not None:
            print(describe_problem(path, module.problem), file=sys.stderr)
            failed = True
            if module.problem.kind == "missing":
                continue
        modules.append((path, module))
    if args.uses or args.untested:
        return _tested_by(args, modules) or int(failed)
    records = _run_records(args, [path for path, _module in modules])
    if records is None:
        return 1
    if args.failed:
        print("\n".join(_failed(records, {path for path, _module in modules})))
        return int(failed)
    if args.format == "json":
        modules_json = [_as_json(m, args) for m in modules]
        document = {"version": JSON_VERSION, "modules": modules_json}
        if records:
            document["results"] = records_json(records)
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif modules:
        totals: list[tuple[int, int | None]] = []
        texts = (_as_text(path, module, args, totals) for path, module in modules)
        print("\n\n".join(texts))
        if len(totals) > 1:
            tests = sum(count for count, _items in totals)
            items = (
                None
                if any(i is None for _c, i in totals)
                else sum(i for _c, i in totals if i is not None)
            )
            count = ENGLISH.test_count(tests, items)
            print(f"\nIn all: {len(modules):,} modules, {count}")
    return 1 if failed else 0


_PYTHON_SUFFIXES = frozenset({".py", ".pyw", ".pyi"})


def _tested_by(
    args: argparse.Namespace, modules: list[tuple[str, ModuleExtraction]]
) -> int:
    """Answer ``--uses`` and ``--untested`` for the tests of ``modules``: 1
    where a name names nothing of the packages under test, or none is found."""
    packages = _packages_under_test(args)
    if packages is None:
        return 1
    if not packages:
        print(
            f"no package under test found in {args.root} (a folder with an "
            "__init__.py, or in src/): name them with --packages",
            file=sys.stderr,
        )
        return 1
    api = _project_api(args)
    assert api is not None
    uses = {
        node_id: used
        for path, module in modules
        if module.problem is None
        for node_id, used in uses_by_node_id(
            api,
            path,
            collect_module(path, module.shape, args.rules, args.resolve).tests,
        ).items()
    }
    failed = False
    answers: dict[str, Any] = {}
    for name in args.uses or ():
        defined = object_name(api, name)
        if defined is None:
            print(
                f"{name}: no such object in the packages under test "
                f"({', '.join(sorted(packages))})",
                file=sys.stderr,
            )
            failed = True
            continue
        answers[name] = {"object": defined, "tests": users_of(defined, uses)}
    untested = _untested(api, args.root, packages, uses) if args.untested else None
    if args.format == "json":
        document: dict[str, Any] = {"version": JSON_VERSION}
        if args.uses:
            document["uses"] = answers
        if untested is not None:
            document["untested"] = untested
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for answer in answers.values():
            print("\n".join(answer["tests"]))
        if untested is not None:
            print(_untested_text(untested))
    return 1 if failed else 0


def _run_records(
    args: argparse.Namespace, modules: list[str]
) -> list[RunRecord] | None:
    """The records ``--results`` names, joined to the node ids of
    ``modules``; None, said, where one cannot be read."""
    records = []
    for file in args.results or ():
        label = _shown_path(file, args.root)
        try:
            records.append(read_run_record(file, label, modules))
        except RecordError as error:
            where = f"{file}:{error.line}" if error.line else str(file)
            print(f"{where}: cannot read: {error.message}", file=sys.stderr)
            return None
        except OSError as error:
            print(f"{file}: cannot read: {error.strerror}", file=sys.stderr)
            return None
    return records


def _failed(records: list[RunRecord], modules: set[str]) -> list[str]:
    """The node ids of the items of ``modules`` that failed or errored in
    any of ``records``, in order, each once."""
    found = {
        node_id: None
        for record in records
        for node_id, (outcome, _seconds, _message) in record.items_under("")
        if outcome in {"failed", "error"} and node_id.partition("::")[0] in modules
    }
    return list(found)


def _packages_under_test(args: argparse.Namespace) -> dict[str, Path] | None:
    """The packages under test (``--packages``, else found under the root);
    None, said, where ``--packages`` names one that is not there."""
    packages = find_packages(args.root)
    if not args.packages:
        return packages
    missing = [name for name in args.packages if name not in packages]
    if missing:
        print(
            f"--packages: no package {', '.join(missing)} in {args.root} or its src/",
            file=sys.stderr,
        )
        return None
    return {name: packages[name] for name in args.packages}


def _project_api(args: argparse.Namespace) -> ApiUses | None:
    """Resolution over the packages under test, made once a run; None where
    there are none."""
    if not hasattr(args, "api"):
        packages = _packages_under_test(args)
        args.api = file_api(args.root, packages) if packages else None
    api: ApiUses | None = args.api
    return api


def _untested(
    api: ApiUses,
    root: Path,
    packages: dict[str, Path],
    uses: dict[str, frozenset[str]],
) -> list[dict[str, Any]]:
    """Per module of the packages, its public objects and those no test
    uses (a class counts as used where a test uses it or a method of it)."""
    tested = reached(name for used in uses.values() for name in used)
    found = []
    for path in package_modules(root, packages):
        public = public_objects(api, path)
        if public:
            found.append(
                {
                    "module": api.dotted(path),
                    "path": path,
                    "public": len(public),
                    "unused": [name for name in public if name not in tested],
                }
            )
    return found


def _untested_text(untested: list[dict[str, Any]]) -> str:
    lines = []
    for module in untested:
        used = module["public"] - len(module["unused"])
        lines.append(
            f"{module['path']} ({module['module']}): {used} of {module['public']} "
            "public objects used by a test"
        )
        lines += [f"  {name}" for name in module["unused"]]
    public = sum(module["public"] for module in untested)
    used = public - sum(len(module["unused"]) for module in untested)
    share = f" ({used / public:.0%})" if public else ""
    lines.append(f"\nIn all: {used} of {public} public objects used by a test{share}")
    return "\n".join(lines)


def _extract_once(cache: ParseCache) -> Callable[[Path], ModuleExtraction]:
    """Extraction that reads each file once per run, however many modules
    take bases, fixtures or plugins from it (SPEC §9), and not at all where
    ``cache`` holds its content."""
    done: dict[Path, ModuleExtraction] = {}

    def extract(file: Path) -> ModuleExtraction:
        key = file.resolve()
        if key not in done:
            done[key] = cache.parse(key)[0]
        return done[key]

    return extract


_GLOB_CHARACTERS = frozenset("*?[")


def _expand(arguments: Sequence[str]) -> Iterator[tuple[Path, str]]:
    """Each file the arguments name: a file as it is, a folder's Python files
    below it, a glob's matches; with a message where an argument names none."""
    for argument in arguments:
        path = Path(argument)
        if _GLOB_CHARACTERS & set(argument):
            found = find_modules(Path.cwd(), [PurePath(argument).as_posix()]).modules
            if not found:
                yield path, f"{argument}: the glob matches no file"
            yield from ((Path(module), "") for module in found)
        elif path.is_dir():
            found = find_modules(path, ["**/*.py"]).modules
            if not found:
                yield path, f"{argument}: the folder holds no Python file"
            yield from ((path / module, "") for module in found)
        else:
            yield path, ""


def _shown_path(file: Path, root: Path) -> str:
    """The path as shown and used in node ids: relative to ``root``."""
    return Path(os.path.relpath(file.resolve(), root)).as_posix()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sphinx_kwindex",
        description="Print the keyword index of Python files, read statically "
        "(never imported or run).",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="Python files, folders (every .py file below) or globs "
        "('tests/**/test_*.py', relative to the current folder)",
    )
    parser.add_argument(
        "--root",
        type=_folder,
        help="show paths, and so node ids, relative to this folder "
        "(default: pytest's rootdir for the paths: the folder of the first "
        "pytest configuration at or above them, else their common folder)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=DEFAULT_KINDS,
        help=f"comma-separated, in order; from {', '.join(KINDS)} "
        f"(default: {', '.join(DEFAULT_KINDS)})",
    )
    parser.add_argument("--sort", choices=SORT_ORDERS, default="name")
    parser.add_argument("--exclude", type=_regex, metavar="REGEX")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=_default_cache_dir(),
        metavar="DIR",
        help="where parsed modules are kept for the next run, by content "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="keep nothing: parse every file"
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes parsing new files, where there are many "
        "(default: %(default)s, the processors)",
    )
    parser.add_argument(
        "--uses",
        action="append",
        metavar="NAME",
        help="print, one per line, the node ids of the tests among PATH that "
        "use the object NAME of the packages under test (shop.Cart, "
        "shop.cart.Cart.add; a class or module: anything in it), ready for "
        "'pytest $(...)'; may be given several times",
    )
    parser.add_argument(
        "--untested",
        action="store_true",
        help="print, per module of the packages under test, the public "
        "classes, functions and methods no test among PATH uses",
    )
    parser.add_argument(
        "--packages",
        type=_packages,
        metavar="NAMES",
        help="comma-separated: the packages under test, found from --root "
        "(default: each folder of it, or of its src/, with an __init__.py, "
        "but tests, docs and the like)",
    )
    parser.add_argument(
        "--results",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="records of real runs (JUnit XML, pytest --report-log JSON lines, "
        "pytest --collect-only -q text): their outcomes join the JSON output",
    )
    parser.add_argument(
        "--failed",
        action="store_true",
        help="with --results: print, one per line, the node ids of the items "
        "among PATH that failed or errored, ready for 'pytest $(...)'",
    )
    parser.add_argument("--version", action="version", version=__version__)
    return parser


def _folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: no such folder")
    return path


def _regex(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as exc:
        message = f"{value!r} is not a valid regular expression: {exc}"
        raise argparse.ArgumentTypeError(message) from None


def _packages(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or not all(name.isidentifier() for name in names):
        raise argparse.ArgumentTypeError(f"{value!r}: not package names")
    return names


def _kinds(value: str) -> tuple[str, ...]:
    kinds, unknown = parse_kinds(value)
    if unknown or not kinds:
        message = f"unknown kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}"
        raise argparse.ArgumentTypeError(message)
    return kinds


def _view(path: str, module: ModuleExtraction, args: argparse.Namespace) -> ModuleView:
    """What a page showing ``args.kinds`` would show of ``module``."""
    collection = None
    if "tests" in args.kinds and module.problem is None:
        collection = collect_module(path, module.shape, args.rules, args.resolve)
    kinds = () if module.problem else args.kinds
    options = ViewOptions(kinds, args.exclude, args.sort)
    return module_view(path, module, options, collection)


def _as_json(entry: tuple[str, ModuleExtraction], args: argparse.Namespace) -> Any:
    path, module = entry
    view = _view(path, module, args)
    uses = None
    if view.collection is not None and (api := _project_api(args)) is not None:
        found = uses_by_node_id(api, path, view.collection.tests)
        uses = {node_id: sorted(used) for node_id, used in found.items()}
    fields = view_json(view, module, uses)
    keywords = {kind: list(found) for kind, found in fields["keywords"].items()}
    return {"path": path, **fields, "keywords": keywords}


def _as_text(
    path: str,
    module: ModuleExtraction,
    args: argparse.Namespace,
    totals: list[tuple[int, int | None]],
) -> str:
    """A module's lists as text; its tests and items added to ``totals``
    where it lists tests."""
    kind = classify_module(path, args.rules)
    facts = f"{kind}, {module.line_count} lines, {module.size:,} bytes"
    lines = [f"{path} ({facts})"]
    if module.problem is not None:
        lines.append(f"  not indexed: {module.problem.message}")
        return "\n".join(lines)
    for listed in _view(path, module, args).lists:
        lines.extend(_list_text(path, listed))
        if listed.kind == "tests":
            totals.append((len(listed.entries), total_items(listed.groups)))
    return "\n".join(lines)


def _list_text(path: str, listed: KindView) -> Iterator[str]:
    """A kind's list as the page shows it: its heading and count, then its
    sections (a test class's, the definitions inside functions), each
    entry with its locations."""
    heading = KINDS[listed.kind].heading
    count = ENGLISH.list_count(listed.kind, len(listed.entries), listed.groups)
    yield f"  {heading} ({count})"
    if listed.kind == "tests" and (
        glance := glance_text(needed_at_a_glance(listed.entries))
    ):
        yield f"    {glance}"
    for start, end, group, local in listed.sections():
        indent = "    "
        if group is not None:
            head = f"    {group_name(group, path)}"
            head += f" ({ENGLISH.group_count(group)})"
            yield head + "".join(f" [{note}]" for note in ENGLISH.group_notes(group))
            indent = "      "
        elif local:
            yield f"    {ENGLISH.local % (end - start)}"
            indent = "      "
        for entry in listed.entries[start:end]:
            located = [location_text(location) for location in entry.locations]
            if len(located) == 1:
                yield f"{indent}{entry.name} — {located[0]}"
            else:
                yield f"{indent}{entry.name}"
                yield from (f"{indent}  {text}" for text in located)


if __name__ == "__main__":
    sys.exit(main())
