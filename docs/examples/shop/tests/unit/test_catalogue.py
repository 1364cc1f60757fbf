"""Unit tests of the catalogue."""

import pytest

from shop.catalogue import Catalogue, UnknownItem


def test_lookup(catalogue):
    assert catalogue["apple"].price == 1.0


def test_unknown_item(catalogue):
    with pytest.raises(UnknownItem):
        catalogue["durian"]


@pytest.mark.parametrize(
    ("rows", "size"),
    [([], 0), ([("kiwi", 2.0)], 1)],
)
def test_from_rows(rows, size):
    assert len(Catalogue.from_rows(rows)) == size
