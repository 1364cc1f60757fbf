"""Prices *and* taxes."""

import os
import decimal


def test_round(): ...
