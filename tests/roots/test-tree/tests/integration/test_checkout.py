import os


def test_pay(): ...
