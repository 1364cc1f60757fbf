"""Test classes a module makes by calling a function: class factories.

A suite that runs the same tests against two implementations often binds
classes that no ``class`` statement defines::

    (Frozen_SpecTests, Source_SpecTests) = util.test_both(SpecTests, util=util)

where ``util.test_both`` (here or in another module of the tree) returns
classes made with ``type(name, bases, namespace)`` or ``types.new_class``
from its arguments, perhaps through further calls. pytest collects them by
the names they are bound to. This module reads both ends without running
anything: :func:`summarize_function` says what a module-level ``def``
returns in terms of its parameters, :func:`module_binding` what a
module-level assignment of a call binds, and :func:`made_classes` follows
the calls, through the tree, to the bases of each class made.

Values are followed only as far as the source states them: a parameter is
what the caller passed (when that is not ``None``), else what the function
assigns to it (``if base is None: base = unittest.TestCase``), else its
default. Anything else (a subscript, a loop, a computed tuple) is unknown,
and a class whose bases are all unknown is not made.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Generic, NamedTuple, Protocol, TypeAlias, TypeGuard, TypeVar

from sphinx_kwindex.syntax import (
    COMPOUND,
    assigned_names,
    attribute_chain,
    nested_blocks,
)

_MAX_DEPTH = 12
"""How deep calls and local names are followed (recursion stops there)."""


class Arg(NamedTuple):
    """A parameter of the function summarized."""

    name: str


class Local(NamedTuple):
    """A name the function summarized assigns (and is not a parameter)."""

    name: str


class Global(NamedTuple):
    """A name of the module, as its imports make it (``unittest.TestCase``)."""

    dotted: str


class Made(NamedTuple):
    """``type(name, bases, ns)`` or ``types.new_class(name, bases)``."""

    bases: Value


class CallOf(NamedTuple):
    """A call of the module-level name ``function``."""

    function: str
    args: tuple[Value, ...]
    keywords: tuple[tuple[str, Value], ...]


class Items(NamedTuple):
    """A tuple or list display."""

    items: tuple[Value, ...]


Value: TypeAlias = Arg | Local | Global | Made | CallOf | Items | None
"""What an expression is, as far as the source says; None: not known."""


class Factory(NamedTuple):
    """What a module-level ``def`` returns, in terms of its parameters."""

    name: str
    parameters: tuple[str, ...]
    """Its parameters that take an argument by name, positional ones first."""
    defaults: tuple[tuple[str, Value], ...]
    assigned: tuple[tuple[str, tuple[Value, ...]], ...]
    """The values it assigns to the names its returns depend on, in source
    order."""
    returns: tuple[Value, ...]


class Binding(NamedTuple):
    """A module-level ``name = f(...)`` or ``(a, b) = f(...)``."""

    names: tuple[str, ...]
    unpacked: bool
    """Whether the call's result is unpacked into :attr:`names`."""
    line: int
    call: CallOf | Made
    base_only: bool = False
    """Whether it is a call in a class's bases list (``class
    TestX(make_base()):``), which binds no name: :attr:`names` holds its
    code, as the class's bases name it."""

    @property
    def maker(self) -> str:
        """The function it calls: ``util.test_both``, ``type``."""
        return self.call.function if isinstance(self.call, CallOf) else "type"

    @property
    def call_text(self) -> str:
        """The call, its arguments elided: ``util.test_both(…)``."""
        return f"{self.maker}(…)"


METACLASS_CALL = Factory(
    "type", ("name", "bases", "namespace"), (), (), (Made(Arg("bases")),)
)
"""What calling a metaclass returns: like ``type(name, bases, namespace)``."""


_MAKERS = {"type": 3, "types.new_class": 2}
"""The calls that make a class, with how many arguments they take at least
to make one (the bases are the second; ``type(x)`` gives ``x``'s type)."""


def summarize_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    statements: list[ast.stmt],
    canonical: Callable[[str], str],
) -> Factory | None:
    """What the module-level ``node`` (whose :func:`body_statements` are
    ``statements``) returns, if it may return a class made of its arguments
    (a made class or a call, perhaps in a tuple); None for any other
    function. ``canonical`` maps a module-level dotted name through the
    module's imports."""
    if isinstance(node, ast.AsyncFunctionDef):
        return None
    arguments = node.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    parameters = (*positional, *(a.arg for a in arguments.kwonlyargs))
    classes = {s.name for s in statements if isinstance(s, ast.ClassDef)}
    local = {
        name
        for statement in statements
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        for name in assigned_names(target)
    } | classes
    local -= set(parameters)
    reader = _Reader(frozenset(parameters), frozenset(local), canonical)
    returns = tuple(
        reader.value(s.value)
        for s in statements
        if isinstance(s, ast.Return) and s.value is not None
    )
    if not any(_may_make(value) for value in returns):
        return None
    assigned: dict[str, list[Value]] = {}
    for statement in statements:
        if isinstance(statement, ast.ClassDef):
            # The class its body defines, by its qualified name in the module.
            qualname = Global(f"{node.name}.{statement.name}")
            assigned.setdefault(statement.name, []).append(qualname)
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                assigned.setdefault(target.id, []).append(reader.value(statement.value))
    needed = _needed_names(returns, assigned)
    defaults = zip(reversed(positional), reversed(arguments.defaults), strict=False)
    keyword_defaults = zip(
        (a.arg for a in arguments.kwonlyargs), arguments.kw_defaults, strict=True
    )
    return Factory(
        node.name,
        parameters,
        tuple(
            (name, reader.value(default))
            for name, default in (*defaults, *keyword_defaults)
            if default is not None and name in needed
        ),
        tuple((name, tuple(assigned[name])) for name in assigned if name in needed),
        returns,
    )


def base_binding(
    base: ast.Call, code: str, canonical: Callable[[str], str]
) -> Binding | None:
    """A call in a module-level class's bases list, as a binding of its
    ``code`` (the name the class's bases give it), if it calls a name."""
    call = _Reader(frozenset(), frozenset(), canonical).value(base)
    if not isinstance(call, CallOf | Made):
        return None
    return Binding((code,), False, base.lineno, call, base_only=True)


def module_binding(node: ast.Assign, canonical: Callable[[str], str]) -> Binding | None:
    """What a module-level assignment of a call to names binds, else None."""
    if len(node.targets) != 1 or not isinstance(node.value, ast.Call):
        return None
    call = _Reader(frozenset(), frozenset(), canonical).value(node.value)
    if not isinstance(call, CallOf | Made):
        return None
    target = node.targets[0]
    if isinstance(target, ast.Name):
        return Binding((target.id,), False, node.lineno, call)
    if isinstance(target, ast.Tuple | ast.List) and all(
        isinstance(item, ast.Name) for item in target.elts
    ):
        names = tuple(item.id for item in target.elts if isinstance(item, ast.Name))
        return Binding(names, True, node.lineno, call)
    return None


class _Reader:
    """Reads expressions of one function body (or of module level)."""

    def __init__(
        self,
        parameters: frozenset[str],
        local: frozenset[str],
        canonical: Callable[[str], str],
    ):
        self.parameters = parameters
        self.local = local
        self.canonical = canonical

    def value(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Tuple | ast.List):
            if any(isinstance(item, ast.Starred) for item in node.elts):
                return None
            return Items(tuple(self.value(item) for item in node.elts))
        if isinstance(node, ast.Call):
            return self.call(node)
        dotted = attribute_chain(node)
        if dotted is None:
            return None
        head = dotted.partition(".")[0]
        if head in self.parameters:
            return Arg(dotted) if head == dotted else None
        if head in self.local:
            return Local(dotted) if head == dotted else None
        return Global(self.canonical(dotted))

    def call(self, node: ast.Call) -> Value:
        dotted = attribute_chain(node.func)
        if dotted is None or dotted.partition(".")[0] in self.parameters | self.local:
            return None
        function = self.canonical(dotted)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            return None
        if function in _MAKERS:
            bases = _argument(node, 1, "bases")
            if len(node.args) + len(node.keywords) < _MAKERS[function] or not bases:
                return None
            return Made(self.value(bases))
        return CallOf(
            function,
            tuple(self.value(arg) for arg in node.args),
            tuple((k.arg, self.value(k.value)) for k in node.keywords if k.arg),
        )


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def body_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a function body, those of its compound statements
    too, but not those of the functions and classes it defines."""
    for statement in body:
        yield statement
        if isinstance(statement, COMPOUND):
            for block in nested_blocks(statement):
                yield from body_statements(block)


def _may_make(value: Value) -> bool:
    """Whether a returned value may be a made class: one, a call, a local
    name or an argument standing for one, or a tuple of them."""
    if isinstance(value, Items):
        return any(_may_make(item) for item in value.items)
    return isinstance(value, Made | CallOf | Local)


def _needed_names(
    returns: tuple[Value, ...], assigned: dict[str, list[Value]]
) -> set[str]:
    """The names (locals and parameters) the returned values depend on."""
    needed: set[str] = set()
    pending = list(returns)
    while pending:
        value = pending.pop()
        if isinstance(value, Arg | Local):
            if value.name not in needed:
                needed.add(value.name)
                pending.extend(assigned.get(value.name, ()))
        elif isinstance(value, Items):
            pending.extend(value.items)
        elif isinstance(value, Made):
            pending.append(value.bases)
        elif isinstance(value, CallOf):
            pending.extend(value.args)
            pending.extend(v for _, v in value.keywords)
    return needed


class Found(Protocol):
    """A name found in the tree (a class or a function of a module)."""

    @property
    def path(self) -> str:
        """The module it is found in."""


class MadeClass(NamedTuple):
    """A class a module binds to ``name`` at ``line``; each base is a class
    found in the tree, or the dotted name of one that is not; ``maker`` is
    the function (or metaclass) the binding calls."""

    name: str
    line: int
    bases: tuple[Found | str, ...]
    maker: str


class _Class(NamedTuple):
    bases: tuple[Found | str, ...]


class _Tuple(NamedTuple):
    items: tuple[_Result, ...]


_Result: TypeAlias = Found | str | _Class | _Tuple | None

_F = TypeVar("_F", bound=Found)


def made_classes(
    path: str,
    bindings: tuple[Binding, ...],
    lookup: Callable[[str, str], _F | None],
    factory_of: Callable[[_F], Factory | None],
) -> Iterator[MadeClass]:
    """The classes the ``bindings`` of the module at ``path`` make, following
    calls through the tree: ``lookup`` finds what a dotted name of a module
    names, ``factory_of`` the summary of a function found (None for a class
    or another function)."""
    evaluate = _Evaluator(lookup, factory_of)
    module = _Frame(path, None, {})
    for binding in bindings:
        result = evaluate.value(binding.call, module, 0)
        if not binding.unpacked:
            results: tuple[_Result, ...] = (result,)
        elif isinstance(result, _Tuple) and len(result.items) == len(binding.names):
            results = result.items
        else:
            continue
        for name, made in zip(binding.names, results, strict=True):
            if isinstance(made, _Class):
                yield MadeClass(name, binding.line, made.bases, binding.maker)
            elif made is not None and not isinstance(made, str | _Tuple):
                # A class (or function) of the tree returned as it is: bound
                # here under another name, it is collected under that name.
                yield MadeClass(name, binding.line, (made,), binding.maker)


class _Frame(NamedTuple):
    path: str
    factory: Factory | None
    arguments: dict[str, _Result]


class _Evaluator(Generic[_F]):
    def __init__(
        self,
        lookup: Callable[[str, str], _F | None],
        factory_of: Callable[[_F], Factory | None],
    ):
        self.lookup = lookup
        self.factory_of = factory_of

    def value(self, value: Value, frame: _Frame, depth: int) -> _Result:
        if value is None or depth > _MAX_DEPTH:
            return None
        if isinstance(value, Items):
            return _Tuple(tuple(self.value(v, frame, depth + 1) for v in value.items))
        if isinstance(value, Made):
            bases = self.value(value.bases, frame, depth + 1)
            if not isinstance(bases, _Tuple):
                return None
            known = tuple(b for b in bases.items if _is_class(b))
            return _Class(known) if known else None
        if isinstance(value, CallOf):
            return self.call(value, frame, depth)
        if isinstance(value, Global):
            return self.lookup(frame.path, value.dotted) or value.dotted
        return self.name(value, frame, depth)

    def name(self, value: Arg | Local, frame: _Frame, depth: int) -> _Result:
        """A parameter is what was passed, unless that is None; then (as a
        local name) the first of its assignments known; then its default."""
        if isinstance(value, Arg) and frame.arguments.get(value.name) is not None:
            return frame.arguments[value.name]
        factory = frame.factory
        if factory is None:
            return None
        for name, values in factory.assigned:
            if name == value.name:
                for assigned in values:
                    result = self.value(assigned, frame, depth + 1)
                    if result is not None:
                        return result
        for name, default in factory.defaults:
            if name == value.name:
                return self.value(default, frame, depth + 1)
        return None

    def call(self, call: CallOf, frame: _Frame, depth: int) -> _Result:
        """What ``call``, made in ``frame``, returns when it calls a function
        summarized: its first return value known, its parameters bound to
        the arguments (by position, then by keyword)."""
        found = self.lookup(frame.path, call.function)
        factory = None if found is None else self.factory_of(found)
        if found is None or factory is None:
            return None
        bound = {
            name: self.value(argument, frame, depth + 1)
            for name, argument in zip(factory.parameters, call.args, strict=False)
        }
        bound.update((k, self.value(v, frame, depth + 1)) for k, v in call.keywords)
        called = _Frame(found.path, factory, bound)
        for returned in factory.returns:
            result = self.value(returned, called, depth + 1)
            if result is not None:
                return result
        return None


def _is_class(result: _Result) -> TypeGuard[Found | str]:
    """Whether ``result`` may be a class: one found, or a name from outside
    the tree."""
    return result is not None and not isinstance(result, _Class | _Tuple)
