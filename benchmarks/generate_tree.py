"""Write a synthetic test tree shaped like a large project's.

Modules sit in nested folders, in unittest and pytest styles, with fixtures,
markers, constants, docstrings and imports shared across modules (the
standard library, a shared helpers package, the project under test, whose
package ``project`` is written beside them, so that "tested by" has work). The
same size, shape and seed always give the same files. Two shapes:

* ``wide`` (the default): a folder per few modules, so the number of folders
  grows with the size (a web framework's ``tests/``, one folder per app);
* ``huge``: a few folders whatever the size, hundreds of modules each
  (PyTorch's ``test/``).

    python benchmarks/generate_tree.py OUT --modules 1000 [--shape huge]
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

AREAS = ["distributed", "nn", "optim", "jit", "cuda", "sparse", "fx", "onnx"]
SUBAREAS = ["elastic", "rpc", "pipeline", "utils", "quantization", "autograd"]
STDLIB = ["os", "sys", "unittest", "uuid", "itertools", "functools", "json", "re"]
WORDS = ["server", "handler", "rendezvous", "tensor", "module", "graph", "store"]


def module_source(number: int, rng: random.Random) -> str:
    """One test module, unittest style for even numbers, pytest style for odd."""
    word = rng.choice(WORDS)
    style = "unittest" if number % 2 == 0 else "pytest"
    stdlib = sorted({*rng.sample(STDLIB, 4), style})
    project = f"project.{rng.choice(AREAS)}.{word}"
    lines = [
        f'"""Tests of the {word} number {number} (generated)."""',
        "",
        *(f"import {name}" for name in stdlib),
        "",
        f"from {project} import {word.title()}Client, make_{word}",
        f"from testing.helpers import assert_close, temp_dir_{number % 50}",
        "",
        f"TIMEOUT_{number % 7} = {rng.randint(1, 60)}",
        f"RETRIES = {rng.randint(1, 5)}",
        "",
    ]
    if number % 2 == 0:
        lines += _unittest_classes(number, word, rng)
    else:
        lines += _pytest_functions(number, word, rng)
    lines += ["", 'if __name__ == "__main__":', "    unittest.main()", ""]
    return "\n".join(lines)


def _unittest_classes(number: int, word: str, rng: random.Random) -> list[str]:
    lines = []
    for cls in range(rng.randint(2, 4)):
        name = f"{word.title()}{number}Case{cls}"
        lines += [
            "",
            f"class {name}(unittest.TestCase):",
            f'    """Checks of {word} behaviour, part {cls}."""',
            "",
            "    def setUp(self):",
            f"        self.client = {word.title()}Client(timeout=RETRIES)",
            "",
        ]
        if rng.random() < 0.3:
            lines.append('    @unittest.skipIf(os.getenv("CI"), "flaky on CI")')
        for test in range(rng.randint(4, 10)):
            lines += [
                f"    def test_{word}_{cls}_{test}(self):",
                f'        """The {word} answers request {test}."""',
                f"        self.assertEqual(make_{word}({test}).value, {test})",
                "",
            ]
    return lines


def _pytest_functions(number: int, word: str, rng: random.Random) -> list[str]:
    lines = [
        "",
        "@pytest.fixture",
        f"def {word}_{number}():",
        f'    """A fresh {word}."""',
        f"    return make_{word}(0)",
        "",
    ]
    for test in range(rng.randint(8, 24)):
        lines.append("")
        if rng.random() < 0.3:
            lines.append('@pytest.mark.parametrize("size", [1, 2, 3])')
            signature = f"{word}_{number}, size"
        else:
            signature = f"{word}_{number}"
        lines += [
            f"def test_{word}_{test}({signature}):",
            textwrap.indent(f"assert_close({word}_{number}.value, {test})", "    "),
            "",
        ]
    return lines


SHAPES = ("wide", "huge")
MODULES_PER_FOLDER = 8
"""In the ``wide`` shape: a tree of N modules has about N / 8 folders."""


def module_path(number: int, rng: random.Random, shape: str = "wide") -> str:
    """Where module ``number`` lives: in ``wide``, the folder of an app (about
    eight modules each) under one of eight areas, some apps with a sub-folder
    of their own; in ``huge``, one of four folders."""
    name = f"{rng.choice(WORDS)}_{number}_test.py"
    if shape == "huge":
        return "/".join(["test", AREAS[number % 4], name])
    app = number // MODULES_PER_FOLDER
    folders = ["test", AREAS[app % len(AREAS)], f"{SUBAREAS[app % 6]}_{app}"]
    if app % 5 == 0 and number % 2:
        folders.append("integration")
    return "/".join([*folders, name])


def package_source(word: str) -> str:
    """A module of the project under test: what the tests of ``word`` use."""
    name = word.title()
    return "\n".join(
        [
            f'"""The {word}s of the project (generated)."""',
            "",
            "",
            f"class {name}:",
            f'    """A {word} and its value."""',
            "",
            "    def __init__(self, value):",
            "        self.value = value",
            "",
            "",
            f"class {name}Client:",
            f'    """Talks to a {word}."""',
            "",
            "    def __init__(self, timeout=1):",
            "        self.timeout = timeout",
            "",
            f"    def request(self, number) -> {name}:",
            f"        return make_{word}(number)",
            "",
            "",
            f"def make_{word}(value) -> {name}:",
            f'    """A new {word}."""',
            f"    return {name}(value)",
            "",
        ]
    )


def write_package(root: Path) -> None:
    """Write the project under test the generated tests import,
    ``project.<area>.<word>`` (the same whatever the tree's size)."""
    package = root / "project"
    for area in AREAS:
        (package / area).mkdir(parents=True, exist_ok=True)
        (package / area / "__init__.py").write_text("", encoding="utf-8")
        for word in WORDS:
            source = package_source(word)
            (package / area / f"{word}.py").write_text(source, encoding="utf-8")
    (package / "__init__.py").write_text('"""The project under test."""\n')


def write_tree(
    root: Path, modules: int, seed: int = 0, shape: str = "wide"
) -> list[str]:
    """Write ``modules`` test modules under ``root`` in ``shape`` (one of
    :data:`SHAPES`), and the package they test; their paths, sorted."""
    write_package(root)
    rng = random.Random(seed)
    paths = []
    for number in range(modules):
        path = module_path(number, rng, shape)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(module_source(number, rng), encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def write_huge_module(path: Path, functions: int = 100_000) -> int:
    """Write one test module of ``functions`` test functions (11 MB for the
    default 100,000), each with a docstring and a fixture; its size."""
    lines = ['"""One very large generated test module."""', "", "import os", ""]
    for number in range(functions):
        lines += [
            "",
            f"def test_case_{number:06}(tmp_path):",
            f'    """Case {number} of the table of cases."""',
            "    assert os.path.isdir(tmp_path)",
        ]
    text = "\n".join([*lines, ""])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", choices=SHAPES, default="wide")
    args = parser.parse_args()
    paths = write_tree(args.out, args.modules, args.seed, args.shape)
    print(f"{len(paths)} modules under {args.out}")


if __name__ == "__main__":
    main()
