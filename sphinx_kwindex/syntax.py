"""Readers of :mod:`ast` nodes shared by the extraction modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator

COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    getattr(ast, "TryStar", ast.Try),
    ast.Match,
)
"""Statements that hold statement lists (where definitions may hide)."""


def attribute_chain(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or a chain of attributes on one, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def imported_module(node: ast.ImportFrom) -> str:
    """The module a ``from … import`` names, a relative one with its leading
    dots (``..helpers``, ``.``)."""
    return "." * node.level + (node.module or "")


def import_bindings(
    node: ast.Import | ast.ImportFrom,
) -> Iterator[tuple[str, str, ast.alias]]:
    """What an import statement binds: ``(name, dotted path, alias)``;
    ``import a.b`` binds ``a`` to ``a``, ``import a.b as c`` binds ``c`` to
    ``a.b``, ``from .m import x`` binds ``x`` to ``.m.x``. A ``*`` binds
    nothing it names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.name.partition(".")[0]
            yield (
                (alias.asname, alias.name, alias) if alias.asname else (top, top, alias)
            )
        return
    module = imported_module(node)
    prefix = module if module.endswith(".") else module + "."
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name, prefix + alias.name, alias


def nested_blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists inside a compound statement (if, for, try, with, match)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list):
            yield block
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def assigned_names(target: ast.expr) -> Iterator[str]:
    """The names an assignment to ``target`` binds (``a, (b, *c)``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from assigned_names(element)
    elif isinstance(target, ast.Starred):
        yield from assigned_names(target.value)
