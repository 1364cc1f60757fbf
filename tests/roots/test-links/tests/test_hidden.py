import os


def test_hidden():
    assert os
