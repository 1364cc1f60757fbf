"""Widgets: the library the tests exercise."""


class Widget:
    """A widget with a name."""

    def __init__(self, name: str) -> None:
        self.name = name


def make_widget(name: str) -> Widget:
    """Make a widget called ``name``."""
    return Widget(name)
