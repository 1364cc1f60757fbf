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
from typing import NamedTuple

from sphinx_kwindex.shapes import Parameters

PARAMETRIZE = "pytest.mark.parametrize"

_PRINTABLE = {
    **{i: f"\\x{i:02x}" for i in range(128) if i not in range(32, 127)},
    ord("\t"): "\\t",
    ord("\r"): "\\r",
    ord("\n"): "\\n",
}
"""pytest's table for what ``unicode_escape`` leaves unprintable."""

LONG_STRING = 100
"""pytest (9.2 and later) spells a string or bytes value longer than this
as its argument's name and its set's index (``short``)."""


class _Unknown(Exception):
    """An id only a run could tell; the message says why."""


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
    names = _argnames(argnames)
    if names is None:
        return Parameters(
            None, None, (), _said("argument names given by code", argnames)
        )
    if not isinstance(argvalues, ast.List | ast.Tuple) or any(
        isinstance(element, ast.Starred) for element in argvalues.elts
    ):
        return Parameters(
            None, None, tuple(names), _said("values given by code", argvalues)
        )
    size = len(argvalues.elts)
    explicit = _explicit_ids(ids)
    if not size:
        return Parameters(None, None, tuple(names), "no values")
    if ids is not None and explicit is None:
        return Parameters(size, None, tuple(names), _said("ids given by code", ids))
    # A string of names makes a one-name set of each value; a list or tuple
    # of names takes each value as the set (pytest's ``force_tuple``).
    whole = isinstance(argnames, ast.Constant)
    try:
        sets = [_parameter_set(e, names, whole, name_of) for e in argvalues.elts]
        made = [
            _set_id(each, index, names, explicit, LONG_STRING)
            for index, each in enumerate(sets)
        ]
        legacy = [
            _set_id(each, index, names, explicit, None)
            for index, each in enumerate(sets)
        ]
    except _Unknown as unknown:
        return Parameters(size, None, tuple(names), str(unknown))
    return Parameters(
        size,
        tuple(unique_ids(made)),
        tuple(names),
        "",
        None if legacy == made else tuple(unique_ids(legacy)),
    )


def _said(what: str, node: ast.expr | None) -> str:
    """Why a mark's items are not known: ``values given by code:
    list(range(3))``."""
    code = "none" if node is None else ast.unparse(node)
    if len(code) > 60:
        code = code[:57] + "..."
    return f"{what}: {code}"


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


class _ParameterSet(NamedTuple):
    values: Sequence[ast.expr]
    id: str | None
    """A ``pytest.param(id=...)``'s id."""


def _parameter_set(
    element: ast.expr,
    names: Sequence[str],
    whole: bool,
    name_of: Callable[[ast.expr], str | None],
) -> _ParameterSet:
    """One element of a mark's values as pytest's ``ParameterSet`` takes
    it: a ``pytest.param``'s values and id; with one name given as a
    string, the value itself; else the values of a literal list or tuple."""
    if isinstance(element, ast.Call) and name_of(element.func) == "pytest.param":
        given: str | None = None
        for keyword in element.keywords:
            if keyword.arg == "id":
                value = keyword.value
                if not isinstance(value, ast.Constant) or not (
                    value.value is None or isinstance(value.value, str)
                ):
                    raise _Unknown(_said("an id given by code", value))
                given = value.value
        values: Sequence[ast.expr] = element.args
    elif len(names) == 1 and whole:
        values, given = [element], None
    elif isinstance(element, ast.List | ast.Tuple):
        values, given = element.elts, None
    else:
        raise _Unknown(_said("a parameter set given by code", element))
    if len(values) != len(names):
        raise _Unknown(f"a set of {len(values)} values for {len(names)} names")
    return _ParameterSet(values, given)


def _set_id(
    each: _ParameterSet,
    index: int,
    names: Sequence[str],
    explicit: Sequence[str | None] | None,
    longest: int | None,
) -> str:
    """The id of one parameter set, as pytest's ``IdMaker`` resolves it: a
    ``pytest.param(id=...)``, else ``ids[index]``, else its values' ids,
    a string longer than ``longest`` (None: no limit) by its argument's
    name and the set's index."""
    if each.id is not None:
        return ascii_escaped(each.id)
    if explicit is not None and index < len(explicit) and explicit[index] is not None:
        return ascii_escaped(str(explicit[index]))
    return "-".join(
        _value_id(value, name, index, longest)
        for value, name in zip(each.values, names, strict=True)
    )


def _value_id(node: ast.expr, argname: str, index: int, longest: int | None) -> str:
    """pytest's id of one literal value: strings escaped to ASCII (one
    longer than ``longest`` as a container's), numbers, booleans and None
    as ``str`` gives them; a container (which has no ``__name__``) as the
    argument's name and the set's index. A name, call or attribute may be
    a class, function or enum member: unknown."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str | bytes):
            if longest is not None and len(value) > longest:
                return f"{argname}{index}"
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
    raise _Unknown(_said("a value whose id only a run knows", node))


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
