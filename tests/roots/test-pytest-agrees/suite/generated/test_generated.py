"""Items a conftest's pytest_generate_tests makes."""


def test_generated(number): ...


def test_not_parametrized_by_it(base): ...
