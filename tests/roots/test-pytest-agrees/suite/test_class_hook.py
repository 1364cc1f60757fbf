"""A class's own pytest_generate_tests."""


class TestHookInClass:
    def pytest_generate_tests(self, metafunc):
        metafunc.parametrize("letter", ["a", "b"])

    def test_lettered(self, letter): ...


def test_outside_the_class(): ...
