"""Tests at the top."""


def test_root_db(db, flavour): ...
