"""The ``:kw:`` role: ``:kw:`name``` and ``:kw:`path::name```."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.roles import XRefRole

if TYPE_CHECKING:
    from docutils.nodes import Node, system_message


class KeywordRole(XRefRole):
    """A reference to a keyword of the ``kw`` domain.

    Registered as the domain's roles (``:kw:class:``, ``:kw:keyword:`` …) and,
    under the bare name ``kw``, as ``:kw:`` for a keyword of any kind.
    """

    def run(self) -> tuple[list[Node], list[system_message]]:
        if ":" not in self.name:
            self.name = "kw:keyword"
        return super().run()
