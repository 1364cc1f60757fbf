"""Integration tests of the inventory, async included."""

import asyncio

import pytest

from shop.inventory import Inventory, restock


@pytest.fixture
async def inventory(catalogue):
    """An inventory with ten of each item."""
    inventory = Inventory(catalogue)
    await inventory.fill(10)
    return inventory


@pytest.mark.asyncio
async def test_restock(inventory):
    await restock(inventory, "apple", 5)
    assert inventory.count("apple") == 15


def test_restock_is_a_coroutine_function():
    assert asyncio.iscoroutinefunction(restock)
