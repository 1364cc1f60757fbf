import sys

import pytest

if sys.gettrace():  # as pytest's own suite restores a coverage tracer

    @pytest.fixture(autouse=True)
    def only_when_traced(): ...


@pytest.fixture(params=[1, 2, 3])
def Poly(request):
    return request.param


Poly1 = Poly  # pytest finds the fixture under this name too


@pytest.fixture(name="named")
def _named_fixture():
    return 0


also_named = _named_fixture  # registered under its name= only


@pytest.fixture
def base():
    return 1


@pytest.fixture
def derived(base):
    return base
