"""The items a ``pytest.mark.parametrize`` makes, read from its literal
arguments: how many, and their ids as pytest spells them.

Pure ``ast`` reading, nothing run. Where a count or an id depends on a value
only a run knows (a call, a name that may be a class, a list built by code),
it is ``None``: the page says so instead of guessing.
"""

from __future__ import annotations

import ast
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from sphinx_kwindex.shapes import Parameters

PARAMETRIZE = "pytest.mark.parametrize"

_PRINTABLE = {
    **{i: f"\\x{i:02x}" for i in range(128) if i not in range(32, 127)},
    ord("\t"): "\\t",
    ord("\r"): "\\r",
    ord("\n"): "\\n",
}
"""pytest's table for what ``unicode_escape`` leaves unprintable."""

_UNKNOWN = Parameters(None, None)


class _Unknown(Exception):
    """An id only a run could tell."""


def parametrize_ids(
    call: ast.Call, name_of: Callable[[ast.expr], str | None]
) -> Parameters:
    """What the mark ``call`` makes; ``name_of`` spells what an expression
    names as the module's imports make it (``pytest.param``), if it names
    anything."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    args = list(call.args)
    argnames = args[0] if args else keywords.get("argnames")
    argvalues = args[1] if len(args) > 1 else keywords.get("argvalues")
    ids = args[3] if len(args) > 3 else keywords.get("ids")
    if not isinstance(argvalues, ast.List | ast.Tuple) or any(
        isinstance(element, ast.Starred) for element in argvalues.elts
    ):
        return _UNKNOWN
    size = len(argvalues.elts)
    names = _argnames(argnames)
    if names is None:
        return _UNKNOWN  # which arguments it fills is not known either
    explicit = _explicit_ids(ids)
    if not size or (ids is not None and explicit is None):
        return Parameters(size or None, None, tuple(names))
    try:
        made = [
            _set_id(element, index, names, explicit, name_of)
            for index, element in enumerate(argvalues.elts)
        ]
    except _Unknown:
        return Parameters(size, None, tuple(names))
    return Parameters(size, tuple(unique_ids(made)), tuple(names))


def fixture_params(
    name: str,
    params: ast.expr,
    ids: ast.expr | None,
    name_of: Callable[[ast.expr], str | None],
) -> Parameters:
    """What ``@pytest.fixture(params=..., ids=...)`` on the fixture ``name``
    makes: pytest parametrizes its users as ``parametrize(name, params,
    ids=ids)`` would."""
    keywords = [] if ids is None else [ast.keyword("ids", ids)]
    call = ast.Call(ast.Name(PARAMETRIZE), [ast.Constant(name), params], keywords)
    return parametrize_ids(call, name_of)


def _argnames(node: ast.expr | None) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [name.strip() for name in node.value.split(",") if name.strip()]
    if isinstance(node, ast.List | ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _explicit_ids(node: ast.expr | None) -> list[str | None] | None:
    """Literal ``ids=[...]`` (strings or None); None for anything else."""
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    found: list[str | None] = []
    for element in node.elts:
        if not isinstance(element, ast.Constant) or not (
            element.value is None or isinstance(element.value, str)
        ):
            return None
        found.append(element.value)
    return found


def _set_id(
    element: ast.expr,
    index: int,
    names: Sequence[str],
    explicit: Sequence[str | None] | None,
    name_of: Callable[[ast.expr], str | None],
) -> str:
    """The id of one parameter set, as pytest's ``IdMaker`` resolves it: a
    ``pytest.param(id=...)``, else ``ids[index]``, else its values' ids."""
    values: Sequence[ast.expr]
    if isinstance(element, ast.Call) and name_of(element.func) == "pytest.param":
        for keyword in element.keywords:
            if keyword.arg == "id":
                if isinstance(keyword.value, ast.Constant) and (
                    isinstance(keyword.value.value, str) or keyword.value.value is None
                ):
                    if keyword.value.value is not None:
                        return ascii_escaped(keyword.value.value)
                else:
                    raise _Unknown
        values = element.args
    elif len(names) == 1:
        values = [element]
    elif isinstance(element, ast.List | ast.Tuple):
        values = element.elts
    else:
        raise _Unknown
    if len(values) != len(names):
        raise _Unknown  # pytest refuses it at collection
    if explicit is not None and index < len(explicit) and explicit[index] is not None:
        return ascii_escaped(str(explicit[index]))
    return "-".join(
        _value_id(value, name, index) for value, name in zip(values, names, strict=True)
    )


def _value_id(node: ast.expr, argname: str, index: int) -> str:
    """pytest's id of one literal value: strings escaped to ASCII, numbers,
    booleans and None as ``str`` gives them; a container (which has no
    ``__name__``) as the argument's name and the set's index. A name, call
    or attribute may be a class, function or enum member: unknown."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes):
            return ascii_escaped(value)
        if value is None or isinstance(value, bool | int | float | complex):
            return str(value)
        return f"{argname}{index}"  # Ellipsis
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float | complex)
        and not isinstance(node.operand.value, bool)
    ):
        number = node.operand.value
        return str(-number if isinstance(node.op, ast.USub) else +number)
    if isinstance(
        node, ast.List | ast.Tuple | ast.Dict | ast.Set | ast.ListComp | ast.DictComp
    ):
        return f"{argname}{index}"
    raise _Unknown


def ascii_escaped(value: str | bytes) -> str:
    """pytest's ``ascii_escaped``: ids are printable ASCII."""
    if isinstance(value, bytes):
        text = value.decode("ascii", "backslashreplace")
    else:
        text = value.encode("unicode_escape").decode("ascii")
    return "".join(_PRINTABLE.get(ord(c), c) for c in text)


def unique_ids(ids: Sequence[str]) -> list[str]:
    """pytest's rule for ids that repeat: each gets a number, after an ``_``
    where the id ends with a digit."""
    if len(set(ids)) == len(ids):
        return list(ids)
    counts = Counter(ids)
    suffixes: defaultdict[str, int] = defaultdict(int)
    made = list(ids)
    for index, made_id in enumerate(ids):
        if counts[made_id] > 1:
            joint = "_" if made_id and made_id[-1].isdigit() else ""
            new = f"{made_id}{joint}{suffixes[made_id]}"
            while new in set(made):
                suffixes[made_id] += 1
                new = f"{made_id}{joint}{suffixes[made_id]}"
            made[index] = new
            suffixes[made_id] += 1
    return made
