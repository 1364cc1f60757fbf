"""A pytest plugin that records, per test, which functions and methods of
the package under test code of the test tree calls directly: the ground
truth ``tested_by.py`` compares the extension's "uses" with.

A profile hook (``sys.setprofile``) runs while each item's setup and call
run (not its teardown). A call counts when its caller is code of the test
tree (a file under the suite's root outside the packages), or a wrapper a
decorator of the package made (a function defined inside another) that
such code called. A fixture's calls are recorded once, when pytest sets it
up, and count for every test whose closure holds it. A call that a C
function makes (``len()``, ``list()``, ``datetime.astimezone``) is that
function's, not the test's, and does not count. The callee is named
as the extension names it: its module and qualified name; ``__init__``
(a generated one too, as dataclasses and attrs make) as the class of the
object it initialises. Written to ``$KWINDEX_TESTED_BY_OUT`` as JSON:
``{"tests": {nodeid: [names]}, "classes": [names of classes whose
instantiation a profile hook sees]}``.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import json
import os
import sys
import weakref
from pathlib import Path

import pytest

ROOT = Path(os.environ["KWINDEX_TESTED_BY_ROOT"]).resolve()
PACKAGES = tuple(os.environ["KWINDEX_TESTED_BY_PACKAGES"].split(","))
_recorded: dict[str, set[str]] = {}
_fixtures: dict[tuple[str, str], set[str]] = {}
_target: set[str] | None = None
_files: dict[str, bool] = {}


def _in_package(module: str) -> bool:
    """Whether ``module`` is of the packages under test, not of their tests."""
    if module.partition(".")[0] not in PACKAGES:
        return False
    *packages, name = module.split(".")
    return not (
        any(part in {"test", "tests", "testing"} for part in packages)
        or name.startswith("test_")
        or name.endswith("_test")
        or name == "conftest"
    )


def _test_tree(filename: str) -> bool:
    """Whether code of ``filename`` is the test tree's."""
    if filename not in _files:
        path = Path(filename)
        inside = path.is_absolute() and path.resolve().is_relative_to(ROOT)
        _files[filename] = inside and "site-packages" not in path.parts
    return _files[filename]


def _caller_is_test_code(frame) -> bool:
    """Whether test-tree code called ``frame``'s function, itself or
    through wrappers a decorator of the package made: a function defined
    inside another that holds the function it calls."""
    caller, called = frame.f_back, frame.f_code
    for _ in range(3):
        if caller is None:
            return False
        module = caller.f_globals.get("__name__", "")
        if not _in_package(module):
            return _test_tree(caller.f_code.co_filename) and caller not in _in_c_call
        if "<locals>" not in caller.f_code.co_qualname or not _holds(caller, called):
            return False
        caller, called = caller.f_back, caller.f_code
    return False


def _through_metaclass(frame, cls):
    """The frame of a metaclass's ``__call__`` that called ``__init__`` (in
    ``frame``) to make an instance of ``cls``, if one did: the test made
    the instance through it."""
    caller = frame.f_back
    if caller is None or caller.f_code.co_name != "__call__":
        return None
    names = caller.f_code.co_varnames
    made = caller.f_locals.get(names[0]) if names else None
    return caller if isinstance(made, type) and issubclass(cls, made) else None


def _holds(frame, code) -> bool:
    """Whether ``frame`` runs a wrapper ``functools.wraps`` made of the
    function of ``code``."""
    key = (frame.f_code, code)
    if key not in _wrappers:
        _wrappers[key] = any(
            getattr(getattr(f, "__wrapped__", None), "__code__", None) is code
            for f in gc.get_referrers(frame.f_code)
            if inspect.isfunction(f)
        )
    return _wrappers[key]


_wrappers: dict = {}
_in_c_call: dict = {}
"""Frames of the test tree that are calling a C function (``len()``,
``list()``, ``datetime.astimezone``), by how many calls deep: what runs
meanwhile was called by that function, not by the test's code."""


_GENERATORS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
_made_by_package: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
"""Generators (and coroutines) the package's own code made and handed on,
by their frame's id: their frames run when a consumer asks, which is no
call by the test."""


def _profile(frame, event, arg):
    if _target is None:
        return
    code = frame.f_code
    module = frame.f_globals.get("__name__", "")
    if event == "return":
        made = inspect.isgenerator(arg) or inspect.iscoroutine(arg)
        if (made or inspect.isasyncgen(arg)) and _in_package(module):
            frame_of = getattr(arg, "gi_frame", None) or getattr(arg, "cr_frame", None)
            frame_of = frame_of or getattr(arg, "ag_frame", None)
            if frame_of is not None:
                _made_by_package[id(frame_of)] = arg
        return
    if event == "c_call":
        _in_c_call[frame] = _in_c_call.get(frame, 0) + 1
        return
    if event in {"c_return", "c_exception"}:
        if _in_c_call.get(frame, 0) > 1:
            _in_c_call[frame] -= 1
        else:
            _in_c_call.pop(frame, None)
        return
    if event != "call":
        return
    if code.co_name == "__init__" and "self" in frame.f_locals:
        cls = type(frame.f_locals["self"])
        made = _through_metaclass(frame, cls) or frame
        if _in_package(cls.__module__) and _caller_is_test_code(made):
            _target.add(f"{cls.__module__}.{cls.__qualname__}")
        return
    if not _in_package(module) or "<" in code.co_qualname:
        return
    if code.co_flags & _GENERATORS and not _first_entry_of_test_s(frame):
        return  # resumed, or made by the package: the call was not the test's
    if _caller_is_test_code(frame):
        _target.add(f"{module}.{code.co_qualname}")


def _first_entry_of_test_s(frame) -> bool:
    """Whether a generator's (or coroutine's) frame runs for the first time
    (it runs only when first asked for a value: its function was called
    before), and was not made by the package's own code."""
    key = (id(frame), frame.f_code)
    if key in _started:
        return False
    _started.add(key)
    made = _made_by_package.get(id(frame))
    frames = (
        getattr(made, name, None) for name in ("gi_frame", "cr_frame", "ag_frame")
    )
    return made is None or all(found is not frame for found in frames)


_started: set = set()


def _record_into(target: set[str]):
    global _target
    previous = _target
    _target = target
    sys.setprofile(_profile)
    return previous


def _stop(previous) -> None:
    global _target
    _target = previous
    sys.setprofile(_profile if previous is not None else None)


@contextlib.contextmanager
def _recording(target: set[str]):
    """Record the calls made meanwhile into ``target``."""
    previous = _record_into(target)
    try:
        yield
    finally:
        _stop(previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with _recording(
        _fixtures.setdefault((fixturedef.baseid, fixturedef.argname), set())
    ):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _recording(_recorded.setdefault(item.nodeid, set())):
        yield


pytest_runtest_call = pytest_runtest_setup
"""A test's call is recorded as its setup is."""


def pytest_runtest_teardown(item):
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return
    calls = _recorded.setdefault(item.nodeid, set())
    for name in info.names_closure:
        for fixturedef in info.name2fixturedefs.get(name, ()):
            calls |= _fixtures.get((fixturedef.baseid, fixturedef.argname), set())


def _observable_classes() -> list[str]:
    """The classes of the packages whose instantiation the hook sees: those
    with an ``__init__`` written in Python."""
    found = []
    for name, module in list(sys.modules.items()):
        if not _in_package(name) or module is None:
            continue
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and value.__module__ == name
                and hasattr(value.__init__, "__code__")
            ):
                found.append(f"{name}.{value.__qualname__}")
    return sorted(set(found))


def pytest_sessionfinish(session):
    out = Path(os.environ["KWINDEX_TESTED_BY_OUT"])
    data = {
        "tests": {node: sorted(calls) for node, calls in _recorded.items()},
        "classes": _observable_classes(),
    }
    out.write_text(json.dumps(data), encoding="utf-8")
