"""Tests of widgets."""

import os
import unittest
import uuid

from widgets import Widget, make_widget


class WidgetTest(unittest.TestCase):
    """Widgets keep their names."""

    def test_name(self):
        name = str(uuid.uuid4())
        self.assertEqual(make_widget(name).name, name)

    def test_environment(self):
        self.assertIsInstance(Widget(os.sep), Widget)
