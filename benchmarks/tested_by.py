"""How exactly the extension says what each test uses, on real suites.

For each suite (the test folders of real projects' sdists, downloaded with
``pip download --no-binary :all:`` into a temporary folder), the suite is
run under real pytest with a plugin that records, per test, every function
and method of the package under test that code of the test tree calls
directly (``tested_by_oracle.py``: a profile hook during each item's setup
and call). Those (test, object) pairs are the ground truth; the
extension's static pairs are compared with them for the tests that ran
(parametrized items merged into their test): precision (the share of the
stated pairs the run saw) and recall (the share of the run's pairs stated).
A class counts where the hook can see it made (its ``__init__`` is Python
code); others are left out on both sides.

    python benchmarks/tested_by.py [--sdists python-dateutil cachetools ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from real_suites import prepare_sdist

from sphinx_kwindex.api_uses import file_api, find_packages, uses_by_node_id
from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.extract import extract_file
from sphinx_kwindex.module_tree import find_modules
from sphinx_kwindex.pytest_config import read_rules
from sphinx_kwindex.tree_resolver import file_resolver

HERE = Path(__file__).parent
SDISTS = ["python-dateutil", "cachetools", "more-itertools", "click", "toolz"]


@dataclass
class Result:
    suite: str
    packages: list[str]
    tests_ran: int = 0
    tests_compared: int = 0
    stated: int = 0
    seen: int = 0
    both: int = 0
    missed: Counter = field(default_factory=Counter)
    extra: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.both / self.stated if self.stated else 1.0

    @property
    def recall(self) -> float:
        return self.both / self.seen if self.seen else 1.0


def run_suite(root: Path, folders: list[str], packages: list[str]) -> dict:
    """The oracle's record of a real run of the suite."""
    work = Path(tempfile.mkdtemp(prefix="kwindex-tested-by-"))
    out = work / "uses.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "tested_by_oracle", "--no-header"]
    command += ["--continue-on-collection-errors"]
    command += ["-W", "ignore::pytest.PytestUnknownMarkWarning"]
    command += ["--rootdir", str(root), *folders]
    paths = [str(HERE), str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, paths)),
        "KWINDEX_TESTED_BY_OUT": str(out),
        "KWINDEX_TESTED_BY_ROOT": str(root),
        "KWINDEX_TESTED_BY_PACKAGES": ",".join(packages),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        command, cwd=root, env=environment, capture_output=True, text=True,
        check=False, timeout=3600,
    )  # fmt: skip
    if not out.is_file():
        raise RuntimeError(
            f"pytest wrote no record:\n{done.stdout[-3000:]}{done.stderr}"
        )
    print("   pytest:", (done.stdout.strip().splitlines() or ["?"])[-1])
    return json.loads(out.read_text(encoding="utf-8"))


def static_uses(
    root: Path, modules: list[str], packages: dict[str, Path]
) -> dict[str, frozenset[str]]:
    """What the extension says each test uses, by node id."""
    rules, _source = read_rules(root)
    resolve = file_resolver(root, lambda file: extract_file(file).shape)
    api = file_api(root, packages)
    found: dict[str, frozenset[str]] = {}
    for module in modules:
        shape = extract_file(root / module).shape
        tests = collect_module(module, shape, rules, resolve).tests
        found |= uses_by_node_id(api, module, tests)
    return found


def package_classes(root: Path, packages: dict[str, Path]) -> set[str]:
    """Every class the packages define, by dotted name (read statically)."""
    api = file_api(root, packages)
    found = set()
    for name, base in packages.items():
        for file in (base / name).rglob("*.py"):
            path = file.relative_to(root).as_posix()
            module, dotted = api.load(path), api.dotted(path)
            if module is not None and dotted is not None:
                found |= {f"{dotted}.{qualname}" for qualname in module.classes}
    return found


def measure(name: str, root: Path, patterns: list[str]) -> Result:
    packages = find_packages(root)
    result = Result(name, sorted(packages))
    modules = find_modules(root, patterns).modules
    folders = sorted({module.split("/")[0] for module in modules})
    record = run_suite(root, folders, sorted(packages))
    ran: dict[str, set[str]] = {}
    for node, calls in record["tests"].items():
        ran.setdefault(node.partition("[")[0], set()).update(calls)
    result.tests_ran = len(ran)
    observable = set(record["classes"])
    classes = package_classes(root, packages)
    stated = static_uses(root, modules, packages)
    for node in sorted(set(ran) & set(stated)):
        ours = {o for o in stated[node] if o not in classes or o in observable}
        seen = {o for o in ran[node] if o not in classes or o in observable}
        result.tests_compared += 1
        result.stated += len(ours)
        result.seen += len(seen)
        result.both += len(ours & seen)
        result.missed.update(seen - ours)
        result.extra.update(ours - seen)
    return result


def report(results: list[Result]) -> None:
    print(
        "\n| suite | packages | tests run | compared | pairs stated | pairs seen "
        "| precision | recall |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.suite} | {', '.join(r.packages)} | {r.tests_ran} | "
            f"{r.tests_compared} | {r.stated} | {r.seen} | {r.precision:.3f} | "
            f"{r.recall:.3f} |"
        )
    for r in results:
        print(f"\n{r.suite}: most missed {r.missed.most_common(8)}")
        print(f"{r.suite}: most stated, unseen {r.extra.most_common(8)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdists", nargs="*", default=SDISTS)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kwindex-tested-by-"))
    print(f"work folder: {work}")
    results = []
    for name in args.sdists:
        prepared = prepare_sdist(name, work)
        if prepared is None:
            continue
        print(f"== {name}")
        results.append(measure(name, *prepared))
    report(results)


if __name__ == "__main__":
    main()
