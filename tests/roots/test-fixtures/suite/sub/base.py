"""A mixin of tests."""


class Checks:
    """Checks every store passes."""

    def test_saves(self, db):
        """Saving keeps the row."""
