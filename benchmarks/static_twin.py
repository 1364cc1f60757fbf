"""The "static twin": the pages ``kwindex_modules`` generates, with every list
written out as plain reST, for Sphinx to build without the extension.

Each module page holds what the extension shows (index entries, the
metadata fields with the folder and related links, a rubric and a bullet
list per kind, each entry with its kind, locations and docstring line); each
folder page its sub-folders and a table of modules with summaries and
counts. What the twin lacks is what the extension adds on top: ``kw``
objects and references, the Keyword Index, links to API docs, kwindex.json.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from sphinx.util.rst import escape

from sphinx_kwindex.collect import collect_module
from sphinx_kwindex.extract import ModuleExtraction, extract_file
from sphinx_kwindex.kinds import DEFAULT_INDEX_KINDS, DEFAULT_KINDS, KINDS, TEST_KINDS
from sphinx_kwindex.module_tree import Folder, folder_tree, modules_below
from sphinx_kwindex.present import (
    RELATED_LIMIT,
    classify_module,
    location_text,
    nearest_by_name,
)
from sphinx_kwindex.pytest_config import DEFAULT_RULES
from sphinx_kwindex.view import (
    ViewOptions,
    is_local,
    kind_sizes,
    kinds_by_default,
    module_view,
    test_module_kinds,
)


def page_kinds(module: str, index: ModuleExtraction) -> tuple[str, ...]:
    """The kinds the extension's generated page of ``module`` shows."""
    return test_module_kinds(module, DEFAULT_RULES, TEST_KINDS) or kinds_by_default(
        DEFAULT_KINDS, index
    )


def write_twin(
    root: Path,
    modules: list[str],
    srcdir: Path,
    literalinclude: bool = False,
    shape: str = "top",
) -> list[str]:
    """Write the twin's pages of ``modules`` under ``srcdir/twin``, in the
    toctree ``shape`` of ``kwindex_toctree``; with ``literalinclude``, each
    module page also includes the file with line numbers (the twin of source
    pages). Returns the pages written."""
    tree = folder_tree(modules)
    indexes = {module: extract_file(root / module) for module in modules}
    pages = {
        **{
            f"twin/{module}": module_page(
                module,
                indexes[module],
                tree,
                include_path(root, module, srcdir, literalinclude),
                shape,
            )
            for module in modules
        },
        **{
            posixpath.join("twin", folder.path, "index"): folder_page(
                folder, tree, indexes, shape
            )
            for folder in tree.values()
        },
    }
    for name, text in pages.items():
        path = srcdir / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(pages)


def include_path(root: Path, module: str, srcdir: Path, wanted: bool) -> str:
    """The path a twin page includes its module by, or "" for none."""
    page_folder = (srcdir / "twin" / module).parent
    return os.path.relpath(root / module, page_folder) if wanted else ""


def title(text: str) -> list[str]:
    text = escape(text)
    return [text, "=" * max(len(text), 4), ""]


def trail(folder: str) -> list[str]:
    """The way up to the top page, as the extension's generated pages show it."""
    parts = folder.split("/") if folder else []
    links = [":doc:`Indexed modules </twin/index>`"] + [
        f":doc:`{escape(name)} </twin/{'/'.join(parts[: depth + 1])}/index>`"
        for depth, name in enumerate(parts)
    ]
    return [" » ".join(links), ""]


def module_page(
    module: str,
    index: ModuleExtraction,
    tree: dict[str, Folder],
    include: str,
    shape: str = "top",
) -> str:
    folder = posixpath.dirname(module)
    orphan = [] if shape == "modules" else [":orphan:", ""]
    lines = [*orphan, *title(module), *trail(folder)]
    kinds = page_kinds(module, index)
    collection = collect_module(module, index.shape) if "tests" in kinds else None
    view = module_view(module, index, ViewOptions(kinds), collection)
    named = [
        (listed.kind, k.name)
        for listed in view.lists
        if listed.kind in DEFAULT_INDEX_KINDS and listed.kind != "tests"
        for k in listed.keywords
        if not is_local(listed.kind, k, view.functions)
    ]
    if collection is not None and "tests" in DEFAULT_INDEX_KINDS:
        classes = (test.qualname.rpartition(".")[0] for test in collection.tests)
        named += [("tests", c) for c in dict.fromkeys(classes) if c]
    entries = [
        f"   single: {escape(KINDS[kind].index_text % (name, module))}"
        for kind, name in named
    ]
    if entries:
        lines += [".. index::", *entries]
    related = related_text(module, tree[folder].modules)
    lines += [
        "",
        f":Path: ``{module}``",
        f":Folder: :doc:`{folder} <index>`",
        f":Type: {classify_module(module)}",
        f":Size: {index.size:,} bytes",
        f":Lines: {index.line_count}",
        f":Summary: {escape(index.docstring)}",
        f":Run: ``python -m pytest {module}``",
        f":Related: {related}",
        "",
    ]
    for listed in view.lists:
        heading = KINDS[listed.kind].heading
        lines += [f".. rubric:: {heading} ({len(listed.entries)})", ""]
        for entry in listed.entries:
            located = [escape(location_text(loc)) for loc in entry.locations]
            head = f"* ``{entry.name}`` *{KINDS[listed.kind].label}*"
            if len(located) == 1:
                lines.append(f"{head} — {located[0]}")
            else:
                lines += [head, "", *(f"  * {text}" for text in located), ""]
        lines.append("")
    if include:
        lines += [
            f".. literalinclude:: {include}",
            "   :language: python",
            "   :linenos:",
            "",
        ]
    return "\n".join(lines)


def related_text(module: str, modules: tuple[str, ...]) -> str:
    """The modules of the folder nearest by name, and how many more."""
    position = modules.index(module)
    window = nearest_by_name(len(modules), position, RELATED_LIMIT)
    shown = [modules[i] for i in window if i != position]
    links = ", ".join(
        f":doc:`{posixpath.basename(m)} <{posixpath.basename(m)}>`" for m in shown
    )
    more = len(modules) - 1 - len(shown)
    return f"{links} :doc:`and {more} more <index>`" if more else links


def folder_list(
    folders: tuple[str, ...], tree: dict[str, Folder], nested: bool, depth: int = 0
) -> list[str]:
    """The extension's list of sub-folders; nested, the whole tree below."""
    lines = []
    for sub in folders:
        count = modules_below(tree, sub)
        name = posixpath.basename(sub) if nested else sub
        lines += [
            "  " * depth + f"* :doc:`{escape(name)} </twin/{sub}/index>` "
            f"(modules: {count})",
            "",
        ]
        if nested and tree[sub].subfolders:
            lines += folder_list(tree[sub].subfolders, tree, nested, depth + 1)
    return lines


def folder_page(
    folder: Folder,
    tree: dict[str, Folder],
    indexes: dict[str, ModuleExtraction],
    shape: str = "top",
) -> str:
    lines = [":orphan:", ""] if shape == "top" and folder.path else []
    lines += title(folder.path or "Indexed modules")
    if folder.path:
        lines += trail(posixpath.dirname(folder.path))
    if folder.subfolders:
        lines += [".. rubric:: Folders", ""]
        lines += folder_list(folder.subfolders, tree, nested=not folder.path)
    if folder.modules:
        shown = {
            module: page_kinds(module, indexes[module]) for module in folder.modules
        }
        kinds = [
            kind
            for kind in dict.fromkeys([*TEST_KINDS, *DEFAULT_KINDS, *KINDS])
            if any(kind in page for page in shown.values())
        ]
        lines += [
            ".. rubric:: Modules",
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "",
            "   * - Module",
            "     - Summary",
            *(f"     - {KINDS[kind].heading}" for kind in kinds),
        ]
        for module in folder.modules:
            index = indexes[module]
            name = posixpath.basename(module)
            tests = "tests" in shown[module]
            collection = collect_module(module, index.shape) if tests else None
            sizes = kind_sizes(index, shown[module], collection)
            lines += [
                f"   * - :doc:`{name} <{name}>`",
                f"     - {escape(index.docstring) or '..'}",
                *(f"     - {sizes.get(kind, '..')}" for kind in kinds),
            ]
        lines.append("")
    entries = []
    if shape != "top":
        entries = [f"{posixpath.basename(sub)}/index" for sub in folder.subfolders]
    if shape == "modules":
        entries += [posixpath.basename(module) for module in folder.modules]
    if entries:
        lines += [".. toctree::", "   :hidden:", "", *(f"   {e}" for e in entries)]
    lines.append("")
    return "\n".join(lines)
