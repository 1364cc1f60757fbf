"""What each function of a module refers to: the references it makes, read
statically from its syntax tree (plain data, no Sphinx, nothing run).

A reference is a *chain*: a name and the steps taken from it, an attribute
name or ``()`` for a call: ``Cart(catalogue).add(item)`` is ``("Cart",
"()", "add", "()")``. A chain starts at a name of the module's namespace,
at ``@self`` (a method's first parameter), at ``@cls`` (a classmethod's) or
at ``@arg:NAME`` (another parameter: a fixture, for a test) or at
``@import:DOTTED`` (what an import inside the function binds). A name bound
in the function to a chain (``cart = Cart()``, ``with Cart() as cart``,
``cart: Cart = make()``) is replaced by what it is bound to, the way a
reader follows it. What the chains reach is decided elsewhere
(``api_uses.py``), across modules.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from sphinx_kwindex.syntax import import_bindings, imported_module

Chain = tuple[str, ...]
CALL = "()"
SELF = "@self"
CLS = "@cls"
ARG = "@arg:"
IMPORT = "@import:"

_DEPTH = 4
"""How many times a local name is replaced by what it is bound to, at most
(a name bound to itself, or two names bound to each other, stop there)."""


class FunctionUses(NamedTuple):
    """What a ``def`` refers to and gives back."""

    chains: tuple[Chain, ...]
    """The chains its body (nested functions included) refers to."""
    returns: tuple[Chain, ...]
    """What it returns or yields: its return annotation as an instance
    (``-> Cart`` is ``("Cart", "()")``), else the chains of its ``return``
    and ``yield`` values."""
    kind: str = "function"
    """``function``, ``property``, ``classmethod`` or ``staticmethod``."""
    line: int = 0
    sets: tuple[tuple[str, Chain], ...] = ()
    """For a method: what it binds to attributes of its first parameter
    (``self.cart = Cart()``), each attribute with a chain."""
    parameters: tuple[str, ...] = ()
    """Its parameters' names, the positional ones first, in order."""
    positional: int = 0
    """How many of :attr:`parameters` may be given by position."""
    calls: tuple[Call, ...] = ()
    """Its calls that pass chains as arguments: what a called helper of the
    test tree gets."""


class Call(NamedTuple):
    """A call passing chains: the chain called, the chains each positional
    argument may be (none where it is no chain), each keyword's."""

    callee: Chain
    arguments: tuple[tuple[Chain, ...], ...]
    keywords: tuple[tuple[str, tuple[Chain, ...]], ...] = ()


class ClassUses(NamedTuple):
    """A ``class``: its bases (chains), its methods by name, and what its
    methods bind to attributes of ``self`` (and its body to names), each
    name to the chains it is bound to."""

    bases: tuple[Chain, ...]
    methods: dict[str, FunctionUses]
    attributes: dict[str, tuple[Chain, ...]]
    line: int = 0
    metaclass: Chain | None = None


class ModuleUses(NamedTuple):
    """A module's references: what its imports bind (a name to a dotted
    path, relative ones with their leading dots), its functions and classes
    (by qualified name), the chains its module-level names are bound to,
    and the modules it imports everything from."""

    imports: dict[str, str]
    functions: dict[str, FunctionUses]
    classes: dict[str, ClassUses]
    names: dict[str, tuple[Chain, ...]]
    star: tuple[str, ...] = ()
    exported: tuple[str, ...] | None = None
    """Its ``__all__``, where a literal list or tuple of strings."""
    bodies: bool = True
    """Whether the bodies of its functions were read (see
    :func:`module_uses`)."""

    def exports(self, name: str) -> bool:
        """Whether ``from module import *`` binds ``name``."""
        if self.exported is not None:
            return name in self.exported
        return not name.startswith("_")


def module_uses(tree: ast.Module, bodies: bool = True) -> ModuleUses:
    """The references of the module whose syntax tree is ``tree``; without
    ``bodies``, of its functions only what they bind and return (no one
    follows what a function of the packages under test calls)."""
    reader = ModuleUsesReader(bodies)
    reader.add(tree.body)
    return reader.uses()


class ModuleUsesReader:
    """The references of a module read a part at a time: its module-level
    statements given in order (:func:`module_uses` gives them all at once;
    extraction, as it parses them, in parts)."""

    def __init__(self, bodies: bool = True) -> None:
        self.bodies = bodies
        self.imports: dict[str, str] = {}
        self.functions: dict[str, FunctionUses] = {}
        self.classes: dict[str, ClassUses] = {}
        self.names: dict[str, tuple[Chain, ...]] = {}
        self.star: list[str] = []
        self.exported: tuple[str, ...] | None = None

    def add(self, body: list[ast.stmt]) -> None:
        """Read the next module-level statements."""
        bodies, names = self.bodies, self.names
        for node in _module_level(body):
            if (listed := _all_names(node)) is not None:
                self.exported = listed
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.star.extend(_bind_import(node, self.imports))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = function_uses(node, False, bodies)
            elif isinstance(node, ast.ClassDef):
                _add_class(node, "", self.classes, bodies)
            else:
                for name, chain in _assigned(node):
                    names[name] = (*names.get(name, ()), chain)

    def uses(self) -> ModuleUses:
        """The references of the statements read."""
        return ModuleUses(
            self.imports,
            self.functions,
            self.classes,
            self.names,
            tuple(self.star),
            self.exported,
            self.bodies,
        )


def _all_names(node: ast.stmt) -> tuple[str, ...] | None:
    """The names a literal ``__all__ = [...]`` lists."""
    if not (
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        and isinstance(node.value, ast.List | ast.Tuple)
    ):
        return None
    names = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    return tuple(n for n in names if isinstance(n, str))


def function_uses(
    node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool, bodies: bool = True
) -> FunctionUses:
    """The references of one ``def`` (a method's first parameter is
    ``@self``, or ``@cls`` for a classmethod); without ``bodies``, only what
    it binds and returns."""
    kind = _method_kind(node) if method else "function"
    arguments = [*node.args.posonlyargs, *node.args.args]
    parameters: dict[str, Chain] = {
        a.arg: (ARG + a.arg,) for a in [*arguments, *node.args.kwonlyargs]
    }
    for a in (node.args.vararg, node.args.kwarg):
        if a is not None:
            parameters[a.arg] = ()
    for a in [*arguments, *node.args.kwonlyargs]:
        if (typed := _annotation(a.annotation)) is not None:
            parameters[a.arg] = (*typed, CALL)
    first = arguments[0].arg if method and arguments and kind != "staticmethod" else ""
    if first:
        parameters[first] = (CLS if kind == "classmethod" else SELF,)
    finder = _ChainFinder() if bodies else _BindingFinder()
    for statement in node.body:
        finder.visit(statement)
    local = _Locals(parameters, {k: tuple(v) for k, v in finder.bound.items()})
    chains = _expanded(local, finder.chains)
    annotated = _annotation(node.returns)
    if annotated and annotated[-1] not in _NOT_INSTANCES:
        returns: tuple[Chain, ...] = ((*annotated, CALL),)
    else:
        returns = _expanded(local, finder.returns)
    sets = tuple(
        (attribute, expanded)
        for attribute, chain in finder.attributes.get(first, [])
        for expanded in local.expand(chain)
    )
    calls = tuple(
        Call(
            callee,
            tuple(_expanded(local, given) for given in call.arguments),
            tuple((key, _expanded(local, given)) for key, given in call.keywords),
        )
        for call in finder.calls
        for callee in local.expand(call.callee)
    )
    names = tuple(a.arg for a in [*arguments, *node.args.kwonlyargs])
    return FunctionUses(
        chains, returns, kind, node.lineno, sets, names, len(arguments), calls
    )


_NOT_INSTANCES = frozenset({"None", "Iterator", "Iterable", "Generator", "Any"})
"""Return annotations that name no class whose instance is returned."""


def _expanded(local: _Locals, chains: Iterable[Chain]) -> tuple[Chain, ...]:
    """``chains``, their local names replaced by what they are bound to."""
    return tuple(dict.fromkeys(c for chain in chains for c in local.expand(chain)))


def _add_class(
    node: ast.ClassDef, outer: str, classes: dict[str, ClassUses], bodies: bool
) -> None:
    qualname = f"{outer}.{node.name}" if outer else node.name
    methods: dict[str, FunctionUses] = {}
    attributes: dict[str, tuple[Chain, ...]] = {}
    for statement in _module_level(node.body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            methods[statement.name] = function_uses(statement, True, bodies)
        elif isinstance(statement, ast.ClassDef):
            _add_class(statement, qualname, classes, bodies)
        else:
            for name, chain in _assigned(statement):
                attributes[name] = (*attributes.get(name, ()), chain)
    for method in methods.values():
        for name, chain in method.sets:
            if chain not in attributes.get(name, ()):
                attributes[name] = (*attributes.get(name, ()), chain)
    bases = tuple(found for base in node.bases if (found := _chain(base)))
    metaclass: Chain | None = next(
        (_chain(k.value) for k in node.keywords if k.arg == "metaclass"), None
    )
    classes[qualname] = ClassUses(bases, methods, attributes, node.lineno, metaclass)


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a body, those in ``if``, ``try`` and ``with``
    blocks included (where a module defines things conditionally)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, _TRY):
            yield from _module_level(node.body)
            for handler in node.handlers:
                yield from _module_level(handler.body)
            yield from _module_level(node.orelse)
            yield from _module_level(node.finalbody)
        elif isinstance(node, ast.With):
            yield from _module_level(node.body)
        else:
            yield node


def _bind_import(
    node: ast.Import | ast.ImportFrom, imports: dict[str, str]
) -> list[str]:
    """Bind what an import statement binds into ``imports``; the modules it
    imports everything from."""
    imports.update((name, dotted) for name, dotted, _alias in import_bindings(node))
    if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
        return [imported_module(node)]
    return []


def _assigned(node: ast.stmt) -> Iterator[tuple[str, Chain]]:
    """The names an assignment binds to a chain (``x = Cart()``, ``x: Cart``
    as an instance)."""
    if isinstance(node, ast.Assign):
        chain = _chain(node.value)
        if chain:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield target.id, chain
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        if node.value is not None and (chain := _chain(node.value)):
            yield node.target.id, chain
        elif (typed := _annotation(node.annotation)) is not None:
            yield node.target.id, (*typed, CALL)


def _chain(node: ast.expr | None) -> Chain | None:
    """The chain an expression is (a name, attributes, calls, subscripts as
    calls of ``__getitem__``), else None."""
    # Exact classes, as ast.parse makes them: the test tree's expressions
    # are read by the million.
    steps: list[str] = []
    while True:
        if type(node) is ast.Attribute:
            steps.append(node.attr)
            node = node.value
        elif type(node) is ast.Call:
            steps.append(CALL)
            node = node.func
        elif type(node) is ast.Name:
            steps.append(node.id)
            return tuple(reversed(steps))
        elif type(node) is ast.Subscript:
            steps += [CALL, "__getitem__"]
            node = node.value
        elif type(node) is ast.Await:
            node = node.value
        else:
            return None


def _annotation(node: ast.expr | None) -> Chain | None:
    """The class an annotation names (``Cart``, ``shop.Cart``, ``"Cart"``),
    else None (``list[Cart]``, ``Optional[Cart]``, ``ClassVar[…]``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = node.value.strip().split(".")
        return tuple(parts) if all(p.isidentifier() for p in parts) else None
    chain = _chain(node)
    if chain is None or CALL in chain:
        return None
    return chain


_TYPE_PROTOCOL = {
    "str": "__str__", "bool": "__bool__", "int": "__int__", "float": "__float__",
    "bytes": "__bytes__", "complex": "__complex__",
}  # fmt: skip
"""Built-in types whose call with one argument calls a method of it."""

_ITERATING = {
    "list": 0, "tuple": 0, "set": 0, "frozenset": 0, "dict": 0, "enumerate": 0,
    "zip": 0, "map": 1, "filter": 1,
}  # fmt: skip
"""Built-in types that iterate over their arguments from the one at the
given position (``zip``: every one; ``map``, ``filter``: all but the
function)."""

_OPERATORS = {
    ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__",
    ast.Gt: "__gt__", ast.GtE: "__ge__", ast.Add: "__add__", ast.Sub: "__sub__",
    ast.Mult: "__mul__", ast.MatMult: "__matmul__", ast.Div: "__truediv__",
    ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__", ast.Pow: "__pow__",
    ast.LShift: "__lshift__", ast.RShift: "__rshift__", ast.BitOr: "__or__",
    ast.BitXor: "__xor__", ast.BitAnd: "__and__", ast.USub: "__neg__",
    ast.UAdd: "__pos__", ast.Invert: "__invert__",
}  # fmt: skip
"""The method of its (left) operand an operator calls."""


def _method_call(node: ast.expr, method: str) -> Chain | None:
    """The chain of calling ``method`` of the value of ``node``."""
    chain = _chain(node)
    return None if chain is None else (*chain, method, CALL)


def _method_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    for decorator in node.decorator_list:
        chain = _chain(decorator)
        if not chain:
            continue
        if chain[-1] in {"property", "cached_property"}:
            return "property"
        if chain[-1] in {"classmethod", "staticmethod"}:
            return chain[-1]
    return "function"


_VISITS: dict[tuple[type, type], Callable[[Any, Any], object]] = {}
"""The method of each chain finder's class that visits each class of node."""


class _ChainFinder(ast.NodeVisitor):
    """The chains of a function body, with what its local names are bound to
    and what it returns."""

    def __init__(self) -> None:
        self.chains: list[Chain] = []
        self.returns: list[Chain] = []
        self.bound: dict[str, list[Chain]] = {}
        self.attributes: dict[str, list[tuple[str, Chain]]] = {}
        self.calls: list[Call] = []

    def visit(self, node: ast.AST) -> None:
        """As :class:`ast.NodeVisitor` visits, each class of node's method
        looked up once (a test tree's bodies are millions of nodes)."""
        key = (type(self), type(node))
        method = _VISITS.get(key)
        if method is None:
            name = "visit_" + type(node).__name__
            method = _VISITS[key] = getattr(type(self), name, type(self).generic_visit)
        method(self, node)

    def visit_Constant(self, node: ast.Constant) -> None:
        """A constant holds no node (:class:`ast.NodeVisitor` looks for
        methods of the old names of constants first)."""

    def generic_visit(self, node: ast.AST) -> None:
        """Visit the nodes ``node`` holds, as :class:`ast.NodeVisitor` does."""
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def bind_name(self, name: str, chain: Chain | None = None) -> None:
        """Note that the function binds ``name`` (to ``chain``, where known)."""
        self.bound.setdefault(name, [])
        if chain:
            self.bound[name].append(chain)

    def bind(self, target: ast.expr, chain: Chain | None) -> None:
        if isinstance(target, ast.Name):
            self.bind_name(target.id, chain)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self.bind(element, None)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and chain
        ):
            self.attributes.setdefault(target.value.id, []).append((target.attr, chain))

    def visit_Assign(self, node: ast.Assign) -> None:
        chain = _chain(node.value)
        for target in node.targets:
            self.bind(target, chain)
            if isinstance(target, ast.Subscript):
                self.protocol(target.value, "__setitem__")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        chain = _chain(node.value) if node.value is not None else None
        typed = _annotation(node.annotation)
        self.bind(node.target, (*typed, CALL) if typed else chain)
        if node.value is not None:
            self.visit(node.value)

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self.bind(node.optional_vars, _chain(node.context_expr))
        self.protocol(node.context_expr, "__enter__")
        self.protocol(node.context_expr, "__exit__")
        self.visit(node.context_expr)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.bind(node.target, None)
        self.protocol(node.iter, "__iter__")
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.bind(node.target, None)
        self.protocol(node.iter, "__iter__")
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.bind(node.target, _chain(node.value))
        self.visit(node.value)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind_name(node.name)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        imports: dict[str, str] = {}
        _bind_import(node, imports)
        for name, dotted in imports.items():
            self.bind_name(name, (IMPORT + dotted,))

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A nested function: its name and parameters are local, its name
        bound to what its decorators make of it; its body is part of the
        function's."""
        decorated = [_chain(d) for d in node.decorator_list]
        for decorator in decorated:
            if decorator is not None:
                self.chains.append((*decorator, CALL))
        self.bind_name(
            node.name, (*decorated[0], CALL) if decorated and decorated[0] else None
        )
        arguments = node.args
        for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            self.bind_name(a.arg)
        for outside in (*node.decorator_list, *arguments.defaults):
            self.visit(outside)
        for default in arguments.kw_defaults:
            if default is not None:
                self.visit(default)
        for statement in node.body:
            self.visit(statement)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind_name(node.name)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            self.bind_name(a.arg)
        self.visit(node.body)

    def protocol(self, node: ast.expr, method: str) -> None:
        """Note that ``method`` of the value of ``node`` is called."""
        chain = _method_call(node, method)
        if chain is not None:
            self.chains.append(chain)

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                self.protocol(right, "__contains__")
            elif type(op) in _OPERATORS:
                self.protocol(left, _OPERATORS[type(op)])
            left = right
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) in _OPERATORS:
            self.protocol(node.left, _OPERATORS[type(node.op)])
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if type(node.op) in _OPERATORS:
            self.protocol(node.operand, _OPERATORS[type(node.op)])
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                self.protocol(target.value, "__delitem__")
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and (chain := _chain(node.value)):
            self.returns.append(chain)
        self.generic_visit(node)

    def visit_Yield(self, node: ast.Yield) -> None:
        if node.value is not None and (chain := _chain(node.value)):
            self.returns.append(chain)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.chain_of(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name in _TYPE_PROTOCOL and len(node.args) == 1:
            self.protocol(node.args[0], _TYPE_PROTOCOL[name])
        if name in _ITERATING:
            start = _ITERATING[name]
            first = node.args[start : start + 1] if name != "zip" else node.args
            for argument in first:
                self.protocol(argument, "__iter__")
        self.chain_of(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Load):
            self.chain_of(node)
        else:
            self.generic_visit(node)

    def chain_of(self, node: ast.expr) -> None:
        """Record the chain ``node`` is, and visit what it holds that is not
        part of it (arguments, subscripts)."""
        chain = _chain(node)
        if chain is None or (
            isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)
        ):
            self.generic_visit(node)
            return
        self.chains.append(chain)
        self.note_calls(node)
        for inner in _chain_parts(node):
            self.visit(inner)

    def note_calls(self, node: ast.expr) -> None:
        """Keep the calls along a chain that pass chains as arguments."""
        for call in _along(node):
            if not isinstance(call, ast.Call):
                continue
            callee = _chain(call.func)
            given = [_chain(a) for a in call.args]
            keywords = [(k.arg, _chain(k.value)) for k in call.keywords if k.arg]
            if callee and (any(given) or any(c for _, c in keywords)):
                self.calls.append(
                    Call(
                        callee,
                        tuple((c,) if c else () for c in given),
                        tuple((k, (c,)) for k, c in keywords if c),
                    )
                )


def _along(node: ast.expr) -> Iterator[ast.expr]:
    """The expressions a chain is made of, from its end to its name."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Await | ast.Subscript):
        yield node
        node = node.func if isinstance(node, ast.Call) else node.value


def _chain_parts(node: ast.expr) -> Iterator[ast.expr]:
    """What a chain holds that is not part of it: calls' arguments,
    subscripts' indexes."""
    for part in _along(node):
        if isinstance(part, ast.Call):
            yield from part.args
            yield from (keyword.value for keyword in part.keywords)
        elif isinstance(part, ast.Subscript):
            yield part.slice


class _BindingFinder(_ChainFinder):
    """What a function binds and returns, its expressions not looked into
    (but ``yield``): a third of the time of reading the packages under
    test, whose functions' own calls no one follows."""

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.expr) and not isinstance(
            node, ast.Yield | ast.YieldFrom
        ):
            return
        super().visit(node)

    def protocol(self, node: ast.expr, method: str) -> None:
        """Calls are not kept."""


class _Locals:
    """Replaces a chain's first name by what the function binds it to."""

    def __init__(
        self, parameters: Mapping[str, Chain], bound: Mapping[str, tuple[Chain, ...]]
    ) -> None:
        self.parameters = parameters
        self.bound = bound

    def expand(self, chain: Chain, depth: int = 0) -> Iterator[Chain]:
        head, rest = chain[0], chain[1:]
        if head.startswith("@"):
            yield chain
        elif head in self.bound:
            if depth >= _DEPTH:
                return
            for value in self.bound[head]:
                yield from self.expand((*value, *rest), depth + 1)
            if self.parameters.get(head):
                yield (*self.parameters[head], *rest)
        elif head in self.parameters:
            if self.parameters[head]:
                yield (*self.parameters[head], *rest)
        else:
            yield chain
