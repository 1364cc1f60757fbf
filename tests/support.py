"""Helpers shared by the tests: building, reading what a build wrote, the
seed example's lists. (Test modules import from here, never from each other.)"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

from sphinx.util.inventory import InventoryFile

SEED_CLASSES = ["EtcdRendezvousTest"]
SEED_FUNCTIONS = [
    "setUpClass",
    "tearDownClass",
    "test_etcd_rdzv_additional_params",
    "test_etcd_rdzv_basic_params",
    "test_get_backend",
]
SEED_IMPORTS = [
    "EtcdServer",
    "RendezvousParameters",
    "create_rdzv_handler",
    "os",
    "sys",
    "torch.distributed.elastic.rendezvous",
    "torch.distributed.elastic.rendezvous.etcd_rendezvous",
    "torch.distributed.elastic.rendezvous.etcd_server",
    "unittest",
    "uuid",
]

SEED_CLASSES_JSON = [
    {
        "name": "EtcdRendezvousTest",
        "lines": [20],
        "locations": [
            {
                "qualname": "EtcdRendezvousTest",
                "line": 20,
                "doc": "Create rendezvous handlers against a real etcd server.",
            }
        ],
    }
]
"""The seed's class as ``kwindex.json`` and the command line give it."""


def own_warnings(app) -> list[str]:
    """Warnings, less Sphinx's notice that a second app in one process re-registers nodes."""
    lines = app.warning.getvalue().splitlines()
    return [line for line in lines if "is already registered" not in line]


def record_read_documents(app) -> list[str]:
    read: list[str] = []
    app.connect(
        "env-before-read-docs",
        lambda _app, _env, docnames: read.extend(sorted(docnames)),
    )
    return read


def build_serial_and_parallel(
    make_app, srcdir: Path, tmp_path: Path, parallels: tuple[int, int] = (1, 2)
) -> list[dict]:
    """Build ``srcdir`` twice from scratch, by default with ``-j 1`` then
    ``-j 2``: ``{output file: bytes}`` of each build (every page but the
    search page, kwindex.json, objects.inv)."""
    outputs = []
    for number, parallel in enumerate(parallels):
        app = make_app(
            "html",
            srcdir=srcdir,
            builddir=tmp_path / f"build{number}",
            parallel=parallel,
            freshenv=True,
        )
        app.build()
        assert own_warnings(app) == []
        files = sorted(p.relative_to(app.outdir) for p in app.outdir.rglob("*.html"))
        files += [Path("kwindex.json"), Path("objects.inv")]
        outputs.append(
            {
                str(file): (app.outdir / file).read_bytes()
                for file in files
                if file.name != "search.html"
            }
        )
    return outputs


def load_inventory(path: Path) -> dict[str, dict[str, str]]:
    """``{type: {name: uri}}`` of an ``objects.inv``, through Sphinx's reader."""
    with path.open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {
        objtype: {
            name: item.uri if hasattr(item, "uri") else item[2]
            for name, item in items.items()
        }
        for objtype, items in inventory.items()
    }


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, else the one on ``PATH``."""
    candidates = [os.environ.get("CHROMIUM"), "chromium", "chromium-browser"]
    for candidate in filter(None, candidates):
        if found := shutil.which(candidate):
            return found
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(outdir: Path):
    """Serve ``outdir`` on localhost; yields its address."""
    handler = functools.partial(QuietHandler, directory=str(outdir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
