"""Configuration values: names, types, defaults and validation at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_kwindex._i18n import __
from sphinx_kwindex.kinds import (
    DEFAULT_INDEX_KINDS,
    DEFAULT_KINDS,
    DEFAULT_OBJECT_KINDS,
    KINDS,
    TEST_KINDS,
)
from sphinx_kwindex.warnings import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

DEFAULT_RUN_COMMAND = "python -m pytest {path}"
TOCTREE_SHAPES = ("top", "folders", "modules")
"""Which generated pages of ``kwindex_modules`` are in toctrees: the top page
only (every other page is linked from its folder's page), the folder pages
(module pages are linked from them), or every page. The first is the
default."""
_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")

CONFIG_VALUES: tuple[tuple[str, Any, tuple[type, ...]], ...] = (
    ("kwindex_root", None, (str, type(None))),
    ("kwindex_default_kinds", list(DEFAULT_KINDS), (list, tuple)),
    ("kwindex_test_kinds", list(TEST_KINDS), (list, tuple)),
    ("kwindex_index_kinds", list(DEFAULT_INDEX_KINDS), (list, tuple)),
    ("kwindex_object_kinds", list(DEFAULT_OBJECT_KINDS), (list, tuple)),
    ("kwindex_run_command", DEFAULT_RUN_COMMAND, (str, type(None))),
    ("kwindex_source_pages", True, (bool,)),
    ("kwindex_modules", [], (list, tuple)),
    ("kwindex_output_dir", "kwindex", (str,)),
    ("kwindex_toctree", TOCTREE_SHAPES[0], (str,)),
    ("kwindex_module_part_size", 1_000_000, (int,)),
    ("kwindex_tested_by", True, (bool,)),
    ("kwindex_tested_packages", [], (list, tuple)),
    ("kwindex_results", [], (list, tuple)),
)
"""``(name, default, accepted types)`` of every configuration value."""


def register(app: Sphinx) -> None:
    """Declare the configuration values and their start-up check."""
    for name, default, types in CONFIG_VALUES:
        app.add_config_value(name, default, "env", types=types)
    app.connect("config-inited", validate_config)


def validate_config(app: Sphinx, config: Config) -> None:
    """Warn about bad values and replace them by their defaults; resolve the root."""
    for name, default, types in CONFIG_VALUES:
        if not isinstance(config[name], types):
            _reject(config, name, default, __("expected %s") % _type_names(types))
    _check_kinds(config, "kwindex_default_kinds", DEFAULT_KINDS, empty=False)
    _check_kinds(config, "kwindex_test_kinds", TEST_KINDS, empty=False)
    _check_kinds(config, "kwindex_index_kinds", DEFAULT_INDEX_KINDS, empty=True)
    _check_kinds(config, "kwindex_object_kinds", DEFAULT_OBJECT_KINDS, empty=True)
    _check_run_command(config)
    _check_string_list(config, "kwindex_modules")
    _check_string_list(config, "kwindex_results")
    _check_output_dir(config, Path(app.srcdir))
    _check_choice(config, "kwindex_toctree", TOCTREE_SHAPES)
    _check_size(config, "kwindex_module_part_size", 1_000_000)
    root = resolve_root(config.kwindex_root, Path(app.confdir))
    if not root.is_dir():
        message = __("kwindex_root %s is not a folder: no module can be read")
        warn(message, Subtype.CONFIG, None, root)
    config.kwindex_root = str(root)


def resolve_root(value: str | None, confdir: Path) -> Path:
    """The absolute, symlink-free ``kwindex_root``.

    A string is relative to ``conf.py``'s folder; ``None`` means the nearest
    folder at or above it holding a project marker, else that folder itself.
    """
    if value is not None:
        return (confdir / value).resolve()
    confdir = confdir.resolve()
    for folder in (confdir, *confdir.parents):
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return confdir


def _check_kinds(
    config: Config, name: str, default: tuple[str, ...], empty: bool
) -> None:
    kinds = config[name]
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not (kinds or empty):
        reason = __("unknown kinds %r; known kinds: %s") % (unknown, ", ".join(KINDS))
        _reject(config, name, list(default), reason)


def _check_run_command(config: Config) -> None:
    command = config.kwindex_run_command
    if command is None:
        return
    try:
        command.format(path="x")
    except (KeyError, IndexError, ValueError) as exc:
        reason = __("it must be a format string using only {path} (%s)") % exc
        _reject(config, "kwindex_run_command", DEFAULT_RUN_COMMAND, reason)


def _check_output_dir(config: Config, srcdir: Path) -> None:
    value = config.kwindex_output_dir
    inside = (srcdir / value).resolve()
    if (
        not value.strip("/. ")
        or Path(value).is_absolute()
        or srcdir.resolve() not in inside.parents
    ):
        reason = __("it must be a folder inside the source folder")
        _reject(config, "kwindex_output_dir", "kwindex", reason)


def _check_choice(config: Config, name: str, choices: tuple[str, ...]) -> None:
    if config[name] not in choices:
        reason = __("expected one of %s") % ", ".join(map(repr, choices))
        _reject(config, name, choices[0], reason)


def _check_size(config: Config, name: str, default: int) -> None:
    value = config[name]
    if isinstance(value, bool) or value < 0:
        _reject(config, name, default, __("expected a number of bytes, 0 or more"))


def _check_string_list(config: Config, name: str) -> None:
    if not all(isinstance(item, str) for item in config[name]):
        _reject(config, name, [], __("expected a list of strings"))


def _reject(config: Config, name: str, default: Any, reason: str) -> None:
    message = __("invalid value %r for %s: %s; using %r")
    warn(message, Subtype.CONFIG, None, config[name], name, reason, default)
    config[name] = default


def _type_names(types: tuple[type, ...]) -> str:
    return " or ".join("None" if t is type(None) else t.__name__ for t in types)
