from .base import Base


class Cart(Base):
    """A cart of items."""

    def __init__(self, catalogue=None):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return self

    @property
    def total(self):
        return len(self.items)

    def receipt(self) -> "Receipt":
        return Receipt()

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]


class Receipt:
    def __init__(self):
        self.lines = []

    def printed(self):
        return "\n".join(self.lines)


def make_cart() -> Cart:
    return Cart()


def either(flag):
    if flag:
        return Cart()
    return Receipt()
