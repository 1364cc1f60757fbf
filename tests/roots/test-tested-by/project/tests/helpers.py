from shop.cart import make_cart


def filled():
    """A cart with one item, made by the shop's factory."""
    cart = make_cart()
    cart.add(1)
    return cart


def check_total(cart, expected):
    assert cart.total == expected
