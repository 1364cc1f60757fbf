"""``python -m sphinx_kwindex``: the same index without a Sphinx project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import (
    SEED_CLASSES,
    SEED_CLASSES_JSON,
    SEED_FUNCTIONS,
    SEED_IMPORTS,
    run_pytest,
    write_suite,
)

from sphinx_kwindex.__main__ import main

SEED = "test/distributed/elastic/rendezvous/etcd_rendezvous_test.py"


@pytest.fixture
def in_seed(rootdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(rootdir / "test-seed")
    return rootdir / "test-seed"


def test_json_gives_the_seed_lists(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([SEED, "--root", ".", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (module,) = data["modules"]
    assert module["path"] == SEED
    names = {
        kind: [k["name"] for k in keywords]
        for kind, keywords in module["keywords"].items()
    }
    assert names == {
        "classes": SEED_CLASSES,
        "functions": SEED_FUNCTIONS,
        "imports": SEED_IMPORTS,
    }
    assert module["keywords"]["classes"] == SEED_CLASSES_JSON


def test_text_with_kinds_shows_node_ids(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([SEED, "--root", ".", "--kinds", "tests,classes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{SEED} (test module, 75 lines, 2,420 bytes)"
    # Tests as the page shows them: grouped by class, in pytest's order (a
    # TestCase's by name, as unittest's loader lists them).
    assert out[1] == "  Tests (3 tests, 3 items)"
    assert out[2] == "    EtcdRendezvousTest (3 tests, 3 items)"
    assert out[3] == (
        f"      test_etcd_rdzv_additional_params — {SEED}::EtcdRendezvousTest::"
        "test_etcd_rdzv_additional_params, line 46"
    )
    assert out[6] == "  Classes (1)"
    assert out[7] == (
        "    EtcdRendezvousTest — line 20: Create rendezvous handlers against a real etcd server."
    )


def test_sort_and_exclude(in_seed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                SEED,
                "--format",
                "json",
                "--kinds",
                "imports",
                "--sort",
                "source",
                "--exclude",
                "^torch",
            ]
        )
        == 0
    )
    (module,) = json.loads(capsys.readouterr().out)["modules"]
    assert [k["name"] for k in module["keywords"]["imports"]] == [
        "os",
        "sys",
        "unittest",
        "uuid",
        "RendezvousParameters",
        "create_rdzv_handler",
        "EtcdServer",
    ]


def test_unindexable_files_warn_and_exit_1(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "../test-bad/bad/syntax_test.py"
    arguments = [bad, "missing_test.py", SEED, "--root", "..", "--format", "json"]
    assert main(arguments) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "syntax error in test-bad/bad/syntax_test.py:4:12: invalid syntax",
        "cannot read test-seed/missing_test.py: no such file",
    ]
    paths = [
        (m["path"], list(m["keywords"])) for m in json.loads(captured.out)["modules"]
    ]
    assert paths == [
        ("test-bad/bad/syntax_test.py", []),
        (f"test-seed/{SEED}", ["classes", "functions", "imports"]),
    ]


def test_unknown_kind_is_a_usage_error(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([SEED, "--kinds", "classes,bogus"])
    assert exit_info.value.code == 2
    assert "unknown kind(s) bogus" in capsys.readouterr().err


def run_module(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx_kwindex ARGUMENTS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx_kwindex", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def test_runs_as_a_module(in_seed: Path) -> None:
    result = run_module(SEED, "--kinds", "classes")
    assert result.returncode == 0
    assert result.stdout.splitlines()[1:] == [
        "  Classes (1)",
        "    EtcdRendezvousTest — line 20: Create rendezvous handlers against a real etcd server.",
    ]


def test_folders_and_globs_name_their_python_files(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = "test/distributed/elastic/rendezvous"
    assert main([folder, "--root", ".", "--format", "json", "--kinds", "classes"]) == 0
    by_folder = [m["path"] for m in json.loads(capsys.readouterr().out)["modules"]]
    assert by_folder == [
        f"{folder}/etcd_rendezvous_test.py",
        f"{folder}/etcd_server_test.py",
    ]
    assert main(["test/**/etcd_s*_test.py", "--root", ".", "--format", "json"]) == 0
    by_glob = [m["path"] for m in json.loads(capsys.readouterr().out)["modules"]]
    assert by_glob == [f"{folder}/etcd_server_test.py"]


def test_a_glob_or_folder_naming_nothing_says_so(
    in_seed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["nothing/**/*.py", SEED, "--kinds", "classes"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "nothing/**/*.py: the glob matches no file"
    ]


def test_root_makes_pytest_style_node_ids(
    in_seed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(in_seed / "test")
    relative = SEED.removeprefix("test/")
    assert main([relative, "--root", "..", "--kinds", "tests", "--format", "json"]) == 0
    (module,) = json.loads(capsys.readouterr().out)["modules"]
    assert module["path"] == SEED


def test_a_bad_regular_expression_is_a_usage_error_not_a_traceback(
    in_seed: Path,
) -> None:
    result = run_module(SEED, "--exclude", "[x")
    assert result.returncode == 2
    assert "argument --exclude: '[x' is not a valid regular expression" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_that_stops_early_gets_no_traceback(in_seed: Path) -> None:
    # Enough output to fill the pipe, read by a consumer that stops at once.
    command = [sys.executable, "-m", "sphinx_kwindex", *[SEED] * 400]
    command += ["--kinds", "functions,imports"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read().decode()
        process.wait()
    assert "Traceback" not in errors
    assert process.returncode == 1


def count_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the command line parses, in this process."""
    import sphinx_kwindex.parsed_store as store

    read: list[str] = []
    original = store.extract_source

    def counting(data: bytes, filename: str, *args: bool):
        read.append(Path(filename).name)
        return original(data, filename, *args)

    monkeypatch.setattr(store, "extract_source", counting)
    return read


def test_each_file_is_read_once_per_run_however_many_modules_import_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    (tmp_path / "base.py").write_text("class Base:\n    def test_a(self): ...\n")
    for n in range(5):
        (tmp_path / f"test_m{n}.py").write_text(
            f"from base import Base\n\nclass TestM{n}(Base):\n    def test_b(self): ...\n"
        )
    read = count_parsed(monkeypatch)
    arguments = [str(tmp_path), "--root", str(tmp_path), "--kinds", "tests"]
    assert main([*arguments, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # Every module lists the test it inherits from base.py ...
    ids = [
        location["node_id"]
        for module in data["modules"]
        for keyword in module["keywords"]["tests"]
        for location in keyword["locations"]
    ]
    assert "test_m4.py::TestM4::test_a" in ids
    # ... and base.py was read once, like every other file.
    assert sorted(read) == sorted(["base.py", *(f"test_m{n}.py" for n in range(5))])
    # The next run parses nothing but what changed, and prints the same.
    read.clear()
    (tmp_path / "test_m2.py").write_text("def test_changed(): ...\n")
    assert main([*arguments, "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert read == ["test_m2.py"]
    assert again["modules"][0] == data["modules"][0]
    read.clear()
    assert main([*arguments, "--no-cache"]) == 0
    assert len(read) == 6


def test_many_new_files_are_parsed_by_a_pool_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for n in range(80):
        (tmp_path / f"test_m{n:02}.py").write_text(f"def test_{n}(): ...\n")
    read = count_parsed(monkeypatch)  # in this process only
    cache = tmp_path / "cache"
    arguments = [str(tmp_path), "--root", str(tmp_path), "--kinds", "tests"]
    assert main([*arguments, "--cache-dir", str(cache), "-j", "2"]) == 0
    out = capsys.readouterr().out
    assert [f"test_m{n:02}.py::test_{n}" in out for n in range(80)] == [True] * 80
    assert read == []  # the pool's processes parsed them
    (stored,) = cache.iterdir()
    assert stored.suffix == ".sqlite"
    assert main([*arguments, "--cache-dir", str(cache), "-j", "2"]) == 0
    assert capsys.readouterr().out == out
    assert read == []


def test_without_root_paths_are_pytest_s_from_its_rootdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_suite(tmp_path, {"tests/test_a.py": "def test_one(): ...\n"})
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    assert main(["../tests", "--kinds", "tests"]) == 0
    out = capsys.readouterr().out.splitlines()
    # The folder of pytest.ini is the rootdir, as for pytest run from here.
    assert out[0].startswith("tests/test_a.py (test module,")
    assert "tests/test_a.py::test_one" in out[-1]
    assert main(["../tests/test_a.py", "--kinds", "tests"]) == 0
    assert "tests/test_a.py::test_one" in capsys.readouterr().out


def test_a_bad_root_or_a_file_outside_it_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_suite(tmp_path, {"tests/test_a.py": "def test_one(): ...\n"})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["tests", "--root", "no/such/folder"])
    assert exit_info.value.code == 2
    assert "--root: no/such/folder: no such folder" in capsys.readouterr().err
    (tmp_path / "elsewhere").mkdir()
    assert main(["tests/test_a.py", "--root", "elsewhere"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"cannot index tests/test_a.py: it is outside --root {tmp_path / 'elsewhere'}"
    ]


def test_a_file_that_is_not_python_or_is_missing_prints_only_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.rst").write_text("Title\n=====\n\nText — with a dash.\n")
    assert main(["README.rst", "missing.py"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "cannot index README.rst: not a Python file",
        "cannot read missing.py: no such file",
    ]


def test_several_modules_end_with_what_they_hold_in_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_suite(
        tmp_path,
        {
            "tests/test_a.py": "def test_one(): ...\n",
            "tests/test_b.py": "import pytest\n\n"
            "@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_two(n): ...\n\n"
            "def test_three(): ...\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["tests", "--kinds", "tests"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "In all: 2 modules, 3 tests, 5 items"
    )


def test_a_module_pytest_collects_nothing_from_says_which_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_suite(
        tmp_path,
        {
            "tests/conftest.py": "import pytest\n",
            "tests/helpers.py": "def test_like(): ...\n",
            "tests/check_off.py": "__test__ = False\n\ndef test_off(): ...\n",
            "tests/data/check_data.py": "def test_data(): ...\n",
            "tests/check_on.py": "def test_on(): ...\n",
        },
        ini="[pytest]\npython_files = check_*.py\nnorecursedirs = data\n",
    )
    # Real pytest collects the one test the text lists.
    assert "1 test collected" in run_pytest(tmp_path, "--collect-only")
    monkeypatch.chdir(tmp_path)
    assert main(["tests", "--kinds", "tests"]) == 0
    said = [
        line.strip()
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("    ") and "[" in line
    ]
    assert said == [
        "check_off.py (0 tests, 0 items) [pytest collects no tests from this "
        "module: it sets __test__ = False]",
        "conftest.py (0 tests, 0 items) [pytest collects no tests from a "
        "conftest.py: it reads its fixtures and hooks]",
        "check_data.py (0 tests, 0 items) [pytest collects no tests from this "
        "module: its folder data matches norecursedirs]",
        "helpers.py (0 tests, 0 items) [pytest collects no tests from this "
        "module: its name matches no python_files pattern (check_*.py)]",
    ]
    assert main(["tests", "--kinds", "tests", "--format", "json"]) == 0
    modules = json.loads(capsys.readouterr().out)["modules"]
    assert {m["path"]: m["not_collected"] for m in modules} == {
        "tests/check_off.py": {"rule": "__test__", "value": "False"},
        "tests/check_on.py": None,
        "tests/conftest.py": {"rule": "conftest", "value": ""},
        "tests/data/check_data.py": {"rule": "norecursedirs", "value": "data"},
        "tests/helpers.py": {"rule": "python_files", "value": "check_*.py"},
    }
