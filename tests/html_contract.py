"""Read a built page the way the HTML contract (SPEC §7) describes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> list[Element]:
        found = [self]
        for child in self.children:
            if isinstance(child, Element):
                found.extend(child.iter())
        return found

    def find_all(self, css_class: str) -> list[Element]:
        return [e for e in self.iter() if css_class in e.classes]

    def find(self, css_class: str) -> Element:
        (element,) = self.find_all(css_class)
        return element


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def keyword_lists(block: Element) -> dict[str, list[str]]:
    """Names per kind inside one ``kwindex`` block, in page order."""
    lists = {}
    for kind_block in block.find_all("kwindex-kind"):
        (kind,) = [
            c[len("kwindex-kind-") :]
            for c in kind_block.classes
            if c.startswith("kwindex-kind-")
        ]
        lists[kind] = [
            entry.find("kwindex-name").text()
            for entry in kind_block.find_all("kwindex-entry")
        ]
    return lists


def kwindex_blocks(html: str) -> list[Element]:
    return parse_html(html).find_all("kwindex")


def squash(text: str) -> str:
    return " ".join(text.split())


def metadata_fields(block: Element) -> dict[str, str]:
    """``{field name: text}`` of a block's metadata field list."""
    items = [e for e in block.find("kwindex-metadata").iter() if e.tag in ("dt", "dd")]
    names = [squash(e.text()).rstrip(":") for e in items if e.tag == "dt"]
    values = [squash(e.text()) for e in items if e.tag == "dd"]
    return dict(zip(names, values, strict=True))
