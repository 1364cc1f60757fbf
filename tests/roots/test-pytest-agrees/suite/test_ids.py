"""Ids pytest spells from literal values."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "short",
        "a string longer than pytest's limit of one hundred characters, which"
        " newer pytest spells as the argument's name and the index",
    ],
)
def test_long_string(text): ...


@pytest.mark.parametrize(["native"], [(True,), (False,)])
def test_one_name_in_a_list(native): ...


@pytest.mark.parametrize(("a", "b"), [(1, 2), [3, 4]])
def test_names_in_a_tuple(a, b): ...


@pytest.mark.parametrize("v", list(range(3)))
def test_values_built_by_code(v): ...


@pytest.mark.parametrize("kind", [int, str])
def test_values_whose_ids_a_run_knows(kind): ...
