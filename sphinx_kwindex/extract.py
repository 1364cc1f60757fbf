"""Static extraction of a Python module's keywords: bytes in, plain data out.

Nothing here imports Sphinx or docutils, and nothing here imports or runs the
module being indexed: the file is decoded as Python decodes source (PEP 263
cookie, UTF-8 BOM), parsed with :mod:`ast` and only its statements are walked.
Problems are returned as data (:class:`Problem`), never raised.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

from sphinx_kwindex.factories import (
    Binding,
    Factory,
    base_binding,
    body_statements,
    module_binding,
    summarize_function,
)
from sphinx_kwindex.fixtures import UsedFixture
from sphinx_kwindex.kinds import KINDS
from sphinx_kwindex.parameters import PARAMETRIZE, fixture_params, parametrize_ids
from sphinx_kwindex.shapes import (
    ClassShape,
    FixtureShape,
    FunctionShape,
    IgnoredPaths,
    MadeAtImport,
    MarkAlias,
    ModuleShape,
    Parameters,
)
from sphinx_kwindex.syntax import (
    COMPOUND,
    assigned_names,
    attribute_chain,
    import_bindings,
    imported_module,
    nested_blocks,
)
from sphinx_kwindex.uses import ModuleUses, ModuleUsesReader

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UPPER_CASE = re.compile(r"_*[A-Z][A-Z0-9_]*\Z")
_UNITTEST_MARKERS = frozenset(
    {
        "unittest.skip",
        "unittest.skipIf",
        "unittest.skipUnless",
        "unittest.expectedFailure",
    }
)
_FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})
_NAMESPACES = frozenset({"globals", "vars", "locals"})
_IGNORE_LISTS = frozenset({"collect_ignore", "collect_ignore_glob"})
_PART_START = re.compile(r"^(?:def |class |async def |@)", re.MULTILINE)
PART_SIZE = 256 * 1024
"""About how many characters of a long module are parsed at once."""
_CODE_WIDTH = 60
"""The longest a statement quoted on a page is."""
_DefNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
_TRY = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
_T = TypeVar("_T")


class Location(NamedTuple):
    """One place where a keyword stands in a module.

    ``qualname`` is the dotted name inside the module for definitions
    (``EtcdRendezvousTest.setUp``), the full dotted path of what an import
    brings in (``os.path``, ``.mod.name``), or ``""`` for the module itself.
    ``line`` is 1-based: the line of ``def``/``class``, not of a decorator.
    ``doc`` is the first line of the docstring, for classes and functions,
    and the reason a ``skip``, ``skipif`` or ``xfail`` marker gives.
    ``path`` is the module that defines it when that is another one (a test
    inherited from a base class elsewhere), else ``""``.

    Locations and keywords are named tuples, not dataclasses: a large
    project's environment holds hundreds of thousands, and tuples unpickle
    three times faster than frozen slotted dataclasses.
    """

    qualname: str
    line: int
    doc: str = ""
    path: str = ""
    items: int | None = 1
    """For a test: how many items pytest makes of it (None: only a run
    knows)."""
    defined_in: str = ""
    """For a test: the class that defines it, where it inherits it."""
    fixtures: tuple[UsedFixture, ...] = ()
    """For a test: the fixtures it uses (``collect.CollectedTest``)."""
    unknown: str = ""
    """For a test whose items or their ids only a run knows: why."""
    deselected: str = ""
    """For a test ``addopts`` deselects: by what (``-m 'not slow'``)."""
    condition: str = ""
    """For a module-level test function defined in ``if`` blocks, when."""


class Keyword(NamedTuple):
    """A unique name of one kind, with every location it stands at."""

    name: str
    locations: tuple[Location, ...]

    @property
    def first_line(self) -> int:
        """The line where the keyword first appears."""
        return min(location.line for location in self.locations)

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line the keyword stands on, ascending, each once."""
        return tuple(sorted({location.line for location in self.locations}))


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a module could not be (fully) indexed.

    ``kind`` is ``"missing"``, ``"encoding"`` or ``"syntax"``; ``line`` and
    ``column`` point into the module itself (0 when unknown).
    """

    kind: str
    message: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class ModuleExtraction:
    """Everything extracted from one module."""

    keywords: Mapping[str, tuple[Keyword, ...]] = field(default_factory=dict)
    """Keywords per kind (every kind of :data:`~sphinx_kwindex.kinds.KINDS`),
    sorted by name; ``tests`` is empty: which tests there are is for
    collection to say (``collect.py``, :func:`test_keywords`)."""
    docstring: str = ""
    """First line of the module docstring."""
    size: int = 0
    """Size of the file in bytes."""
    line_count: int = 0
    problem: Problem | None = None
    shape: ModuleShape = field(default_factory=ModuleShape)
    """What pytest's collection needs of the module (``collect.py``)."""
    uses: ModuleUses | None = None
    """What its functions refer to (``uses.py``), where asked for and the
    module parses (tested by)."""

    def of_kind(self, kind: str) -> tuple[Keyword, ...]:
        """The keywords of ``kind``, sorted by name (empty for an unknown kind)."""
        return self.keywords.get(kind, ())


def extract_file(path: Path) -> ModuleExtraction:
    """Read ``path`` and index it; an unreadable path gives a ``missing`` problem."""
    if path.is_dir():
        return ModuleExtraction(
            problem=Problem("missing", "it is a folder, not a file")
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ModuleExtraction(problem=Problem("missing", "no such file"))
    except OSError as exc:
        return ModuleExtraction(problem=Problem("missing", exc.strerror or str(exc)))
    return extract_source(data, str(path))


def extract_source(
    data: bytes, filename: str = "<unknown>", uses: bool | None = None
) -> ModuleExtraction:
    """Index the Python source ``data``; ``filename`` appears in messages.
    Where ``uses`` is a bool, what its functions refer to as well, their
    bodies read or not (see :func:`~sphinx_kwindex.uses.module_uses`), from
    the same syntax trees (:attr:`ModuleExtraction.uses`)."""
    size, line_count = len(data), len(data.splitlines())
    try:
        text = decode_source(data)
    except SourceDecodeError as exc:
        problem = Problem("encoding", str(exc), exc.line)
        return ModuleExtraction(size=size, line_count=line_count, problem=problem)
    collector = _KeywordFinder()
    reader = None if uses is None else ModuleUsesReader(uses)
    docstring = None
    for statements in parse_in_parts(text, filename, PART_SIZE):
        if isinstance(statements, Problem):
            return ModuleExtraction(
                size=size, line_count=line_count, problem=statements
            )
        if docstring is None:
            docstring = first_docstring_line(ast.Module(statements, []))
        if reader is not None:
            reader.add(statements)
        collector.walk(statements, ())
    return ModuleExtraction(
        keywords=collector.keywords(),
        docstring=docstring or "",
        size=size,
        line_count=line_count,
        shape=collector.shape(),
        uses=None if reader is None else reader.uses(),
    )


class SourceDecodeError(UnicodeError):
    """The source cannot be decoded; ``line`` is 1-based, 0 when unknown."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def decode_source(data: bytes) -> str:
    """Decode ``data`` as Python does: UTF-8 BOM, PEP 263 cookie, else UTF-8.

    Raises :class:`SourceDecodeError` with a readable message when that fails.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # a bad cookie, or no cookie and not UTF-8
        _decode(data, "utf-8")
        raise SourceDecodeError(str(exc), 1) from None
    return _decode(data, encoding)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}"
        raise SourceDecodeError(message, line) from None


def parse_in_parts(
    text: str, filename: str, part_size: int = PART_SIZE
) -> Iterator[list[ast.stmt] | Problem]:
    """The module-level statements of ``text`` in order, a part at a time:
    in parts of about ``part_size`` characters where it is longer (a syntax
    tree takes some hundred times the memory of its source: an 11 MB module
    parsed whole took a gigabyte), else whole; or, last, why it is not valid
    Python.

    A part ends where a line starts with ``def``, ``class`` or ``@`` and
    what comes before it parses on its own: a line inside a string or a
    bracket, or a clause that continues a statement, leaves a part that
    does not. Each part is parsed at its own lines (the lines before it are
    given as blank ones)."""
    start, line, least = 0, 1, part_size
    for end in _part_starts(text, part_size):
        if end - start < least:
            continue
        statements = _parse_part(text[start:end], line, filename)
        if statements is None:
            # Not a statement boundary: the part goes on, twice as long at
            # least (a file that is no valid Python is parsed a few times).
            least = 2 * (end - start)
            continue
        yield statements
        line += text.count("\n", start, end)
        start, least = end, part_size
    found = parse_source(("\n" * (line - 1)) + text[start:], filename)
    yield found if isinstance(found, Problem) else found.body


def _part_starts(text: str, part_size: int) -> Iterator[int]:
    """Where a part of ``text`` may start: a line opening a ``def``,
    ``class`` or decorator, right below no decorator line."""
    for found in _PART_START.finditer(text, part_size):
        offset = found.start()
        above = text.rfind("\n", 0, offset - 1) + 1
        if not text.startswith("@", above):
            yield offset


def _parse_part(text: str, line: int, filename: str) -> list[ast.stmt] | None:
    """The statements of ``text``, standing from line ``line`` on, or None
    where they do not parse on their own."""
    try:
        return ast.parse(("\n" * (line - 1)) + text, filename=filename).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def parse_source(text: str, filename: str) -> ast.Module | Problem:
    """Parse ``text`` into a module, or describe why it is not valid Python."""
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        if exc.lineno:
            return Problem("syntax", exc.msg, exc.lineno, exc.offset or 0)
        return Problem("syntax", exc.msg, *_position_of(text, "\0"))
    except ValueError as exc:  # null bytes, on some Python versions
        return Problem("syntax", str(exc), *_position_of(text, "\0"))
    except (RecursionError, MemoryError):
        return Problem("syntax", "nesting too deep for the Python parser")


def _position_of(text: str, char: str) -> tuple[int, int]:
    offset = text.find(char)
    if offset < 0:
        return 0, 0
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def replace_control_characters(text: str) -> str:
    """``text`` with the control characters that documents may not hold
    (all but tab, newlines and form feed) replaced by U+FFFD."""
    return _CONTROL_CHARACTERS.sub("\ufffd", text)


def first_docstring_line(node: ast.Module | _DefNode) -> str:
    """The summary of ``node``'s docstring, as autosummary makes one: its
    first sentence, else its first paragraph (its lines joined), at most
    :data:`SUMMARY_WIDTH` characters; markup is kept as text."""
    if not node.body:
        return ""
    first = node.body[0]
    if not (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return ""
    return docstring_summary(first.value.value)


SUMMARY_WIDTH = 300
"""The longest summary a page shows."""

_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s|$)")
_LITERAL_SPAN = re.compile(r"``.+?``")


def docstring_summary(docstring: str) -> str:
    """The first sentence of ``docstring``'s first paragraph (a full stop in
    an inline literal, or after "e.g.", ends none), else the paragraph."""
    lines: list[str] = []
    for line in docstring.strip().splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    paragraph = replace_control_characters(" ".join(lines))
    literals = [match.span() for match in _LITERAL_SPAN.finditer(paragraph)]
    for end in _SENTENCE_END.finditer(paragraph):
        if not any(start < end.start() < stop for start, stop in literals):
            paragraph = paragraph[: end.end()]
            break
    if len(paragraph) > SUMMARY_WIDTH:
        return paragraph[: SUMMARY_WIDTH - 1].rstrip() + "…"
    return paragraph


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes (calls unwrapped), else None."""
    return attribute_chain(node.func if isinstance(node, ast.Call) else node)


class _KeywordFinder:
    """Walks statement lists (definitions and imports only occur there)."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, list[Location]]] = {k: {} for k in KINDS}
        self.aliases: dict[str, str] = {}
        self.functions: set[str] = set()
        """Qualified names of functions: what is defined in them is local."""
        self.classes: dict[str, _ClassBuilder] = {}
        self.module_functions: dict[str, FunctionShape] = {}
        """The module's ``def`` statements by name, as its namespace binds
        them (a name bound again keeps its place, and takes the new one)."""
        self.module_test_flag: bool | None = None
        self.not_tests: set[str] = set()
        self.imported: list[tuple[str, str, int]] = []
        self.module_parameters: list[Parameters] = []
        self.module_usefixtures: list[str] = []
        self.module_marks: list[str] = []
        self.plugins: list[str] = []
        self.factories: list[Factory] = []
        self.bindings: list[Binding] = []
        self.made_at_import: list[MadeAtImport] = []
        self.collect_ignore: list[IgnoredPaths] = []
        self.conditions: list[str] = []
        """The conditions of the module-level ``if`` statements being walked."""
        self.marks: dict[str, ast.expr] = {}
        """Marks bound to names (``params = pytest.mark.parametrize(…)``), by
        the name's dotted path from the module (``TestX.local`` in a class
        body)."""
        self.mark_helpers: dict[str, tuple[ast.expr, bool]] = {}
        """Module-level functions that return a mark: what they return, and
        whether that depends on their arguments."""
        self.script_only = 0
        """How many ``if __name__ == "__main__":`` blocks are being walked."""

    def shape(self) -> ModuleShape:
        """What pytest's collection needs of the module walked."""
        return ModuleShape(
            tuple(builder.shape() for builder in self.classes.values()),
            tuple(self.module_functions.values()),
            self.module_test_flag,
            frozenset(self.not_tests),
            tuple(self.imported),
            tuple(self.module_parameters),
            tuple(self.module_usefixtures),
            tuple(self.plugins),
            tuple(self.factories),
            tuple(self.bindings),
            tuple(self.made_at_import),
            tuple(self.collect_ignore),
            tuple(self.module_marks),
            tuple(self.mark_aliases()),
        )

    def mark_aliases(self) -> Iterator[tuple[str, MarkAlias]]:
        """The marks bound to module-level names, as other modules may
        import them."""
        for name, mark in self.marks.items():
            if "." in name:
                continue  # a class body's
            marker = self.marker_of(mark)
            if marker is None or not marker.startswith("pytest.mark."):
                continue
            parameters = None
            if marker == PARAMETRIZE and isinstance(mark, ast.Call):
                parameters = self.parameters(mark)
            used = tuple(_used_fixtures(marker, mark))
            yield name, MarkAlias(marker.rpartition(".")[2], parameters, used)

    def keywords(self) -> dict[str, tuple[Keyword, ...]]:
        return {
            kind: tuple(
                Keyword(name, tuple(dict.fromkeys(by_name[name])))
                for name in sorted(by_name)
            )
            for kind, by_name in self.found.items()
        }

    def add(self, kind: str, name: str, location: Location) -> None:
        self.found[kind].setdefault(name, []).append(location)

    def walk(
        self, body: Sequence[ast.stmt], scope: tuple[str, ...], in_def: bool = False
    ) -> None:
        """Visit ``body``; ``scope`` holds the enclosing class/def names,
        ``in_def`` whether the innermost is a function (whose assignments
        make neither constants nor ``pytestmark``)."""
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.visit_function(node, scope)
            elif isinstance(node, ast.ClassDef):
                self.visit_class(node, scope)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                self.visit_import(node)
                if not scope and isinstance(node, ast.ImportFrom):
                    self.note_imported(node)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                if not in_def:
                    self.visit_assignment(node, scope)
                    self.note_made_at_import(node, scope)
                    self.note_collect_ignore(node, scope)
            elif isinstance(node, ast.Expr | ast.AugAssign) and not in_def:
                self.note_made_at_import(node, scope)
                self.note_collect_ignore(node, scope)
            elif isinstance(node, ast.If) and _is_main_guard(node.test):
                # Run as a script only: pytest never sees what it defines.
                self.script_only += 1
                self.walk(node.body, scope, in_def)
                self.script_only -= 1
                self.walk(node.orelse, scope, in_def)
            elif isinstance(node, ast.If) and not scope:
                condition = _short_code(node.test)
                for block, holds in ((node.body, condition), (node.orelse, "")):
                    self.conditions.append(holds or f"not ({condition})")
                    self.walk(block, scope, in_def)
                    self.conditions.pop()
            elif isinstance(node, _TRY):
                # The handlers run only where the body raises: what the body
                # defines is what an import that succeeds leaves bound.
                for handler in node.handlers:
                    self.walk(handler.body, scope, in_def)
                for block in (node.body, node.orelse, node.finalbody):
                    self.walk(block, scope, in_def)
            elif isinstance(node, COMPOUND):
                for block in nested_blocks(node):
                    self.walk(block, scope, in_def)

    def visit_function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: tuple[str, ...]
    ) -> None:
        location = _definition(node, scope)
        self.add("functions", node.name, location)
        decorated = self.visit_decorators(node, location, scope)
        filled = _filled_arguments(node, is_method=bool(scope))
        arguments = _without_given(filled[decorated.patched :], decorated.given)
        module_level = not scope and not self.script_only
        statements = list(body_statements(node.body)) if module_level else []
        shape = FunctionShape(
            node.name,
            location.line,
            location.doc,
            decorated.fixture,
            decorated.parameters,
            arguments,
            decorated.usefixtures,
            any(_makes_names(s, _first_parameter(node)) for s in statements),
            decorated.marks,
            bool(decorated.others or decorated.given or decorated.patched),
            " and ".join(self.conditions) if module_level else "",
            decorated.plain,
            _wrappers(node) if module_level else (None, None),
        )
        owner = ".".join(scope)
        if module_level:
            self.module_functions[shape.name] = shape
            self.note_mark_helper(node)
            factory = summarize_function(node, statements, self.canonical)
            if factory is not None:
                self.factories.append(factory)
        elif owner in self.classes:
            self.classes[owner].functions[shape.name] = shape
        self.functions.add(location.qualname)
        self.walk(node.body, (*scope, node.name), in_def=True)

    def visit_class(self, node: ast.ClassDef, scope: tuple[str, ...]) -> None:
        location = _definition(node, scope)
        self.add("classes", node.name, location)
        decorated = self.visit_decorators(node, location, scope)
        if self.keeps_class(scope):
            self.note_base_calls(node, scope)
            bases = (_base_name(base) for base in node.bases)
            metaclass = next(
                (k.value for k in node.keywords if k.arg == "metaclass"), None
            )
            self.classes[location.qualname] = _ClassBuilder(
                location.qualname,
                location.line,
                tuple(self.canonical(base) for base in bases if base is not None),
                parameters=list(decorated.parameters),
                usefixtures=list(decorated.usefixtures),
                marks=list(decorated.marks),
                decorators=decorated.others,
                metaclass=(metaclass and self.canonical_name(metaclass)) or "",
                condition=" and ".join(self.conditions) if not scope else "",
            )
            if scope and ".".join(scope) in self.classes:
                self.classes[".".join(scope)].others.append(node.name)
        self.walk(node.body, (*scope, node.name))

    def note_base_calls(self, node: ast.ClassDef, scope: tuple[str, ...]) -> None:
        """The calls in a module-level class's bases list, bound as their
        code, for collection to follow as it follows ``X = make_base()``."""
        if scope:
            return
        for base in node.bases:
            if isinstance(base, ast.Call):
                binding = base_binding(base, _short_code(base), self.canonical)
                if binding is not None:
                    self.bindings.append(binding)

    def keeps_class(self, scope: tuple[str, ...]) -> bool:
        """Whether collection needs the shape of a class defined in
        ``scope``: at module level, in a class, or in the body of a
        module-level function (which may return it, a class factory)."""
        if self.script_only:
            return False
        if len(scope) == 1 and scope[0] in self.functions:
            return True
        return not self.is_local(scope)

    def is_local(self, scope: tuple[str, ...]) -> bool:
        """Whether ``scope`` is, or lies in, a function body."""
        return any(
            ".".join(scope[: end + 1]) in self.functions for end in range(len(scope))
        )

    def visit_decorators(
        self, node: _DefNode, location: Location, scope: tuple[str, ...]
    ) -> _Decorated:
        """Record the fixture and markers the decorators make (marks bound
        to names and returned by helpers too), and say what collection
        needs of them."""
        is_function = not isinstance(node, ast.ClassDef)
        fixture = given = None
        parameters: list[Parameters] = []
        used: list[str] = []
        others: list[tuple[str, int]] = []
        patched = 0
        marks: list[str] = []
        plain: list[tuple[str, bool]] = []
        for written in node.decorator_list:
            decorator, unknown = self.mark_of(written, scope)
            name = dotted_name(decorator)
            if name is None:
                continue
            canonical = self.canonical(name)
            if is_function and (name == "fixture" or canonical in _FIXTURE_DECORATORS):
                fixture = self.fixture(decorator, node.name)
                if self.conditions and not location.qualname.count("."):
                    fixture = fixture._replace(condition=" and ".join(self.conditions))
                self.add("fixtures", fixture.name, location)
            elif canonical == "hypothesis.given" and isinstance(decorator, ast.Call):
                given = decorator
            elif is_function and _injects_mock(canonical, decorator):
                patched += 1
            elif marker := _marker_name(canonical):
                reason = _marker_reason(marker, decorator)
                marked = Location(location.qualname, written.lineno, reason)
                self.add("markers", marker, marked)
                marks.extend(_pytest_mark(marker))
                if marker == PARAMETRIZE and isinstance(decorator, ast.Call):
                    parameters.append(self.parameters(decorator, unknown))
                used.extend(_used_fixtures(marker, decorator))
            else:
                others.append((canonical, decorator.lineno))
                plain.append((canonical, isinstance(decorator, ast.Call)))
                if self.is_imported(decorator):
                    parameters.append(Parameters(None, None, imported=canonical))
        return _Decorated(
            fixture,
            tuple(reversed(parameters)),
            tuple(used),
            given,
            tuple(others),
            patched,
            tuple(marks),
            tuple(plain),
        )

    def mark_of(self, node: ast.expr, scope: tuple[str, ...]) -> tuple[ast.expr, str]:
        """The mark ``node`` stands for where a name or a helper's call
        gives it (``@params``, ``@dual()``), else ``node`` itself; and, for
        a helper's mark that depends on the call's arguments, that its
        values are known only to a run."""
        if isinstance(node, ast.Name):
            # A class body sees its own names, then the module's.
            for key in (".".join((*scope, node.id)), node.id):
                if key in self.marks:
                    return self.marks[key], ""
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in self.mark_helpers
        ):
            returned, depends = self.mark_helpers[node.func.id]
            unknown = f"a mark made by code: {_short_code(node)}" if depends else ""
            return returned, unknown
        return node, ""

    def note_mark_helper(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A module-level function whose body returns a mark: ``def dual():
        return pytest.mark.parametrize(…)``; what it returns, if that does
        not depend on its arguments."""
        self.mark_helpers.pop(node.name, None)
        returns = [
            statement.value
            for statement in body_statements(node.body)
            if isinstance(statement, ast.Return) and statement.value is not None
        ]
        marks = [value for value in returns if self.marker_of(value)]
        if not marks:
            return
        arguments = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        used = {n.id for n in ast.walk(marks[0]) if isinstance(n, ast.Name)}
        depends = len(returns) > 1 or bool(used & arguments)
        self.mark_helpers[node.name] = (marks[0], depends)

    def is_imported(self, node: ast.expr) -> bool:
        """Whether ``node`` is a name (not a call) the module imports, or an
        attribute of one: a mark, if the tree binds one to it."""
        name = dotted_name(node) if isinstance(node, ast.Name | ast.Attribute) else None
        return name is not None and name.partition(".")[0] in self.aliases

    def marker_of(self, node: ast.expr) -> str | None:
        """The marker ``node`` writes out (``pytest.mark.slow``, from
        ``pytest.mark.slow`` or ``pytest.mark.slow(…)``), if it is one."""
        name = dotted_name(node)
        return None if name is None else _marker_name(self.canonical(name))

    def note_mark_binding(
        self, names: list[str], value: ast.expr | None, scope: tuple[str, ...]
    ) -> None:
        """A name bound, at module level or in a class body: to a mark (or
        a name or helper call standing for one), or to anything else."""
        for name in names:
            self.marks.pop(".".join((*scope, name)), None)
        if len(names) != 1 or value is None:
            return
        mark, unknown = self.mark_of(value, scope)
        if not unknown and self.marker_of(mark):
            self.marks[".".join((*scope, names[0]))] = mark

    def fixture(self, decorator: ast.expr, name: str) -> FixtureShape:
        """What ``@pytest.fixture(...)`` on the ``def`` ``name`` makes, as far
        as its literal arguments tell (a scope that is not a string counts
        as the default)."""
        if not isinstance(decorator, ast.Call):
            return FixtureShape(name, autouse=False)
        options = {k.arg: k.value for k in decorator.keywords if k.arg}
        name = _literal(options.get("name"), str) or name
        params = options.get("params")
        return FixtureShape(
            name,
            _literal(options.get("autouse"), bool) or False,
            _literal(options.get("scope"), str) or "function",
            None
            if params is None
            else fixture_params(name, params, options.get("ids"), self.canonical_name),
        )

    def parameters(self, call: ast.Call, unknown: str = "") -> Parameters:
        """What ``pytest.mark.parametrize(...)`` makes, as far as its literal
        arguments tell; with ``unknown``, only the names it fills (its
        values depend on what only a run knows)."""
        made = parametrize_ids(call, self.canonical_name)
        return Parameters(None, None, made.argnames, unknown) if unknown else made

    def canonical_name(self, node: ast.expr) -> str | None:
        """What ``node`` names, as the module's imports make it."""
        name = dotted_name(node)
        return None if name is None else self.canonical(name)

    def note_imported(self, node: ast.ImportFrom) -> None:
        """Names a module-level ``from … import`` binds: pytest collects an
        imported test class as one of the module's own."""
        for name, dotted, alias in import_bindings(node):
            self.imported.append((name, dotted, alias.lineno))

    def visit_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = imported_module(node)
            self.add("imports", module, Location(module, node.lineno))
        for name, dotted, alias in import_bindings(node):
            # The line where the name stands, in a parenthesised list too.
            if isinstance(node, ast.Import):
                location = Location(alias.name, alias.lineno)
            else:
                location = Location(dotted, alias.lineno)
            self.add("imports", alias.name, location)
            self.aliases[name] = dotted

    def visit_assignment(
        self, node: ast.Assign | ast.AnnAssign, scope: tuple[str, ...]
    ) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [name for target in targets for name in assigned_names(target)]
        self.note_test_flags(targets, node.value, scope)
        self.note_mark_binding(names, node.value, scope)
        owner = self.classes.get(".".join(scope)) if scope else None
        if owner is not None:
            owner.others.extend(names)
            if isinstance(node, ast.Assign) and len(names) == 1:
                alias = self.function_alias(owner, names[0], node)
                if alias is not None:
                    owner.functions[alias.name] = alias
        if isinstance(node, ast.Assign) and len(names) == 1 and not self.script_only:
            self.note_fixture_alias(names[0], node, scope)
        if not scope:
            for name in names:
                if _UPPER_CASE.match(name):
                    self.add("constants", name, Location(name, node.lineno))
        if "pytestmark" in names and node.value is not None:
            self.visit_pytestmark(node.value, ".".join(scope))
        if not scope and "pytest_plugins" in names and node.value is not None:
            self.plugins.extend(_plugin_names(node.value))
        if (
            not scope
            and not self.script_only
            and isinstance(node, ast.Assign)
            and (binding := module_binding(node, self.canonical)) is not None
        ):
            self.bindings.append(binding)

    def function_alias(
        self, owner: _ClassBuilder, name: str, node: ast.Assign
    ) -> FunctionShape | None:
        """What ``name = …`` in a class body binds, where it is a function:
        a ``lambda``; a ``def`` of the body, wrapped in a call or not
        (``test_x = support.cpython_only(test_y)``), which it copies; a
        test borrowed from another class under its own name
        (``test_x = Other.test_x``)."""
        value = node.value
        if isinstance(value, ast.Lambda):
            return FunctionShape(name, node.lineno, "", None)
        if isinstance(value, ast.Call) and value.args:
            value = value.args[0]
        function = None
        if isinstance(value, ast.Name):
            function = owner.functions.get(value.id)
        elif isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            # ``Other.test_x``: a def of a class of the module, if one.
            other = self.classes.get(value.value.id)
            function = other.functions.get(value.attr) if other else None
        if function is not None:
            return function._replace(name=name, line=node.lineno, fixture=None)
        if isinstance(value, ast.Attribute) and value.attr == name:
            return FunctionShape(name, node.lineno, "", None)
        return None

    def note_fixture_alias(
        self, name: str, node: ast.Assign, scope: tuple[str, ...]
    ) -> None:
        """``Poly1 = Poly``, where ``Poly`` is a fixture of the same body
        named by its function: pytest finds it under the new name too."""
        if not isinstance(node.value, ast.Name):
            return
        owner = self.classes.get(".".join(scope)) if scope else None
        if scope and owner is None:
            return
        functions = owner.functions if owner else self.module_functions
        found = functions.get(node.value.id)
        if found is None or found.fixture is None:
            return
        fixture = found.fixture
        if fixture.name != found.name:
            return  # registered under its ``name=``, which the alias keeps
        params = fixture.params
        renamed = fixture._replace(
            name=name,
            params=None if params is None else params._replace(argnames=(name,)),
        )
        location = Location(".".join((*scope, name)), node.lineno)
        self.add("fixtures", name, location)
        functions[name] = found._replace(name=name, line=node.lineno, fixture=renamed)

    def note_test_flags(
        self,
        targets: Sequence[ast.expr],
        value: ast.expr | None,
        scope: tuple[str, ...],
    ) -> None:
        """Literal ``__test__ = …`` of the module or a class, and
        ``name.__test__ = False`` at module level."""
        if not (isinstance(value, ast.Constant) and isinstance(value.value, bool)):
            return
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "__test__":
                if not scope:
                    self.module_test_flag = value.value
                elif (owner := self.classes.get(".".join(scope))) is not None:
                    owner.test_flag = value.value
            elif (
                not scope
                and isinstance(target, ast.Attribute)
                and target.attr == "__test__"
                and isinstance(target.value, ast.Name)
                and value.value is False
            ):
                self.not_tests.add(target.value.id)

    def visit_pytestmark(self, value: ast.expr, qualname: str) -> None:
        marks = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        scope = tuple(qualname.split(".")) if qualname else ()
        for written in marks:
            mark, unknown = self.mark_of(written, scope)
            name = dotted_name(mark)
            if (
                name is not None
                and self.is_imported(mark)
                and not _marker_name(self.canonical(name))
            ):
                imported = Parameters(None, None, imported=self.canonical(name))
                self.note_marks(qualname, [imported], [], [])
                continue
            if name is not None and (marker := _marker_name(self.canonical(name))):
                reason = _marker_reason(marker, mark)
                self.add("markers", marker, Location(qualname, written.lineno, reason))
                parameters = []
                if marker == PARAMETRIZE and isinstance(mark, ast.Call):
                    parameters.append(self.parameters(mark, unknown))
                used = _used_fixtures(marker, mark)
                self.note_marks(qualname, parameters, used, _pytest_mark(marker))

    def note_marks(
        self,
        qualname: str,
        parameters: list[Parameters],
        used: list[str],
        marks: list[str],
    ) -> None:
        """A ``pytestmark`` mark of the module or a class: its name, and a
        parametrize's or usefixtures' arguments."""
        if not qualname:
            self.module_parameters.extend(parameters)
            self.module_usefixtures.extend(used)
            self.module_marks.extend(marks)
        elif (owner := self.classes.get(qualname)) is not None:
            owner.parameters.extend(parameters)
            owner.usefixtures.extend(used)
            owner.marks.extend(marks)

    def note_made_at_import(
        self,
        node: ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr,
        scope: tuple[str, ...],
    ) -> None:
        """A statement of the module or of a class body that makes names in a
        namespace only a run knows: ``globals()[…] = …`` (``vars()``,
        ``locals()``), or ``setattr(…)``."""
        if self.script_only or (scope and ".".join(scope) not in self.classes):
            return
        owner = ".".join(scope)
        if isinstance(node, ast.Expr):
            call = _setattr_call(node)
            if scope or (
                call is None and not self.calls_name_maker(node) and not _is_exec(node)
            ):
                return
            target = call.args[0] if call is not None and call.args else None
            owner = (target and self.canonical_name(target)) or ""
        else:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(map(_is_namespace_item, targets)):
                return
        self.made_at_import.append(MadeAtImport(node.lineno, _short_code(node), owner))

    def note_collect_ignore(self, node: ast.stmt, scope: tuple[str, ...]) -> None:
        """Literal paths a module-level statement adds to ``collect_ignore``
        or ``collect_ignore_glob`` (``=``, ``+=``, ``.extend``, ``.append``)."""
        if scope or self.script_only:
            return
        found = _ignored_paths(node)
        if found is not None:
            name, paths = found
            self.collect_ignore.append(
                IgnoredPaths(
                    paths,
                    name == "collect_ignore_glob",
                    node.lineno,
                    _short_code(node),
                    " and ".join(self.conditions),
                )
            )

    def calls_name_maker(self, node: ast.Expr) -> bool:
        """Whether ``node`` calls a function of the module (defined above)
        that sets names: ``install_tests()``."""
        call = node.value
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and (made := self.module_functions.get(call.func.id)) is not None
            and made.makes_names
        )

    def canonical(self, name: str) -> str:
        """``name`` with its first part replaced by what it was imported as."""
        head, dot, rest = name.partition(".")
        return self.aliases.get(head, head) + dot + rest


class _Decorated(NamedTuple):
    """What collection needs of a ``def``'s or ``class``'s decorators."""

    fixture: FixtureShape | None
    """The fixture ``@pytest.fixture`` makes of it, if any."""
    parameters: tuple[Parameters, ...]
    """Its ``parametrize`` marks, nearest the ``def`` first (as pytest
    applies them)."""
    usefixtures: tuple[str, ...]
    """The fixtures its ``usefixtures`` marks name."""
    given: ast.Call | None
    """Its ``hypothesis.given``, if any."""
    others: tuple[tuple[str, int], ...]
    """Its other decorators: dotted name, line."""
    patched: int = 0
    """How many arguments its ``mock.patch`` decorators fill (pytest leaves
    them out of what it fills)."""
    marks: tuple[str, ...] = ()
    """The names of the pytest marks it applies."""
    plain: tuple[tuple[str, bool], ...] = ()
    """Its other decorators as ``FunctionShape.decorators`` says them."""


def _without_given(
    arguments: tuple[str, ...], given: ast.Call | None
) -> tuple[str, ...]:
    """``arguments`` but those ``hypothesis.given`` fills: as many of the
    last as it has positional strategies, and those it names (pytest sees
    the signature without them)."""
    if given is None:
        return arguments
    named = {keyword.arg for keyword in given.keywords}
    kept = arguments[: max(len(arguments) - len(given.args), 0)]
    return tuple(argument for argument in kept if argument not in named)


@dataclass(slots=True)
class _ClassBuilder:
    """A class's shape while its body is walked."""

    qualname: str
    line: int
    bases: tuple[str, ...]
    functions: dict[str, FunctionShape] = field(default_factory=dict)
    """The ``def`` statements of its body by name, as its namespace binds
    them."""
    others: list[str] = field(default_factory=list)
    test_flag: bool | None = None
    parameters: list[Parameters] = field(default_factory=list)
    usefixtures: list[str] = field(default_factory=list)
    decorators: tuple[tuple[str, int], ...] = ()
    metaclass: str = ""
    condition: str = ""
    marks: list[str] = field(default_factory=list)

    def shape(self) -> ClassShape:
        return ClassShape(
            self.qualname,
            self.line,
            self.bases,
            tuple(self.functions.values()),
            tuple(self.others),
            self.test_flag,
            bool(self.functions.keys() & {"__init__", "__new__"}),
            tuple(self.parameters),
            tuple(self.usefixtures),
            self.decorators,
            self.metaclass,
            self.condition,
            tuple(self.marks),
        )


def _definition(node: _DefNode, scope: tuple[str, ...]) -> Location:
    return Location(
        ".".join((*scope, node.name)), node.lineno, first_docstring_line(node)
    )


def _filled_arguments(
    node: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool
) -> tuple[str, ...]:
    """The arguments pytest fills with fixtures or parameters: those without
    a default, a method's first (``self``) left out."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    without_default = positional[: len(positional) - len(args.defaults)]
    if is_method and without_default:
        without_default = without_default[1:]
    keyword_only = [
        arg
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    return tuple(arg.arg for arg in (*without_default, *keyword_only))


def _ignored_paths(node: ast.stmt) -> tuple[str, tuple[str, ...]] | None:
    """``(name, paths)`` where ``node`` adds literal paths to
    ``collect_ignore`` or ``collect_ignore_glob``."""
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        value = node.value
    elif (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and isinstance(node.value.func.value, ast.Name)
        and node.value.func.attr in ("extend", "append")
        and len(node.value.args) == 1
    ):
        names = [node.value.func.value.id]
        value = node.value.args[0]
        if node.value.func.attr == "append":
            value = ast.List([value])
    else:
        return None
    name = next((n for n in names if n in _IGNORE_LISTS), None)
    if name is None or not isinstance(value, ast.List | ast.Tuple):
        return None
    paths = [_literal(item, str) for item in value.elts]
    if not paths or not all(paths):
        return None
    return name, tuple(p for p in paths if p)


def _short_code(node: ast.AST) -> str:
    """The first line of ``node``'s code, shortened for a page."""
    code = ast.unparse(node).partition("\n")[0]
    return code if len(code) <= _CODE_WIDTH else code[: _CODE_WIDTH - 1] + "…"


def _setattr_call(statement: ast.stmt) -> ast.Call | None:
    """The call, where ``statement`` is a call of ``setattr``."""
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id == "setattr"
    ):
        return statement.value
    return None


def _makes_names(statement: ast.stmt, first: str) -> bool:
    """Whether ``statement`` calls ``setattr``, sets ``globals()[…]``, or
    sets an attribute of ``first`` (its function's first parameter, the
    class a decorator is given)."""
    if isinstance(statement, ast.Assign):
        return any(
            _is_namespace_item(target)
            or (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == first
            )
            for target in statement.targets
        )
    return _setattr_call(statement) is not None or _is_exec(statement)


def _is_exec(statement: ast.stmt) -> bool:
    """Whether ``statement`` calls ``exec`` (which may define anything)."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id == "exec"
    )


_MOCK_PATCHES = {
    "unittest.mock.patch": 1,
    "mock.patch": 1,
    "unittest.mock.patch.object": 2,
    "mock.patch.object": 2,
}
"""``mock.patch`` decorators that may fill an argument, with how many
arguments come before their ``new``."""


def _injects_mock(canonical: str, decorator: ast.expr) -> bool:
    """Whether a ``mock.patch`` decorator passes its mock as an argument: it
    is given no ``new`` (pytest's ``num_mock_patch_args``)."""
    before_new = _MOCK_PATCHES.get(canonical)
    if before_new is None or not isinstance(decorator, ast.Call):
        return False
    given = len(decorator.args) > before_new
    return not given and all(k.arg != "new" for k in decorator.keywords)


def _wrappers(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """What a module-level function returns as a decorator, ``@node`` then
    ``@node(…)``: the arguments of the ``def`` it returns where that one does
    not keep the decorated function's signature (pytest reads the
    signature through ``__wrapped__``, which ``functools.wraps`` sets)."""
    returned = _returned_def(node)
    applied = None if returned is None else _returned_def(returned)
    return _changed_signature(returned), _changed_signature(applied)


def _returned_def(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The ``def`` of ``node``'s body that ``node`` returns, where it returns
    that and nothing else."""
    defined = {
        s.name: s
        for s in node.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    returned = [
        s.value for s in body_statements(node.body) if isinstance(s, ast.Return)
    ]
    if len(returned) == 1 and isinstance(returned[0], ast.Name):
        return defined.get(returned[0].id)
    return None


def _changed_signature(
    wrapper: ast.FunctionDef | ast.AsyncFunctionDef | None,
) -> tuple[str, ...] | None:
    """The arguments pytest fills of ``wrapper``, where nothing in or on it
    mentions ``wraps`` or ``update_wrapper`` (which keep the signature of
    what it wraps)."""
    if wrapper is None:
        return None
    keeping = {"wraps", "update_wrapper"}
    names = (
        n.attr if isinstance(n, ast.Attribute) else n.id
        for n in ast.walk(wrapper)
        if isinstance(n, ast.Name | ast.Attribute)
    )
    if any(name in keeping for name in names):
        return None
    return _filled_arguments(wrapper, is_method=False)


def _base_name(base: ast.expr) -> str | None:
    """How a class's base is named: its dotted name, or for a call
    (``make_base()``) the call's code, which no class of the tree matches."""
    if isinstance(base, ast.Call):
        return _short_code(base)
    return dotted_name(base)


def _first_parameter(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    positional = [*node.args.posonlyargs, *node.args.args]
    return positional[0].arg if positional else ""


def _is_namespace_item(target: ast.expr) -> bool:
    """Whether ``target`` is ``globals()[…]``, ``vars()[…]`` or ``locals()[…]``."""
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Call)
        and isinstance(target.value.func, ast.Name)
        and target.value.func.id in _NAMESPACES
        and not target.value.args
    )


def _is_main_guard(test: ast.expr) -> bool:
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
    ):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    texts = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and texts == ["__main__"]


def _literal(node: ast.expr | None, kind: type[_T]) -> _T | None:
    """The value of a constant ``node`` of type ``kind``, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, kind):
        return node.value
    return None


def _plugin_names(value: ast.expr) -> list[str]:
    """The modules ``pytest_plugins = …`` names by literal strings."""
    elements = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    return [name for element in elements if (name := _literal(element, str))]


def _used_fixtures(marker: str, mark: ast.expr) -> list[str]:
    """The fixtures a ``usefixtures`` mark names by literal strings."""
    if marker != "pytest.mark.usefixtures" or not isinstance(mark, ast.Call):
        return []
    return [name for arg in mark.args if (name := _literal(arg, str))]


_REASON_POSITIONS = {
    "pytest.mark.skip": 0,
    "unittest.skip": 0,
    "unittest.skipIf": 1,
    "unittest.skipUnless": 1,
}
"""Where a marker takes its reason as a positional argument."""


def _marker_reason(marker: str, decorator: ast.expr) -> str:
    """The reason a marker gives (``reason=``, or where the marker takes it
    by position), if it is a plain string; else ``""``."""
    if not isinstance(decorator, ast.Call):
        return ""
    reason = next((k.value for k in decorator.keywords if k.arg == "reason"), None)
    position = _REASON_POSITIONS.get(marker)
    if reason is None and position is not None and len(decorator.args) > position:
        reason = decorator.args[position]
    text = _literal(reason, str)
    return "" if text is None else replace_control_characters(" ".join(text.split()))


def _pytest_mark(marker: str) -> list[str]:
    """The name pytest gives a marker (``slow``), where it is pytest's."""
    head, _dot, name = marker.rpartition(".")
    return [name] if head == "pytest.mark" else []


def _marker_name(canonical: str) -> str | None:
    """The marker a decorator applies (``pytest.mark.skipif``), if it is one."""
    if canonical.startswith("pytest.mark.") and canonical.count(".") >= 2:
        return ".".join(canonical.split(".")[:3])
    return canonical if canonical in _UNITTEST_MARKERS else None
