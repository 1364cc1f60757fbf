"""How the extension behaves across builds: translation, parallel reads, rebuilds."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from html_contract import kwindex_blocks, metadata_fields
from support import build_serial_and_parallel, own_warnings, record_read_documents

from sphinx_kwindex._i18n import MESSAGE_CATALOG
from sphinx_kwindex.module_tree import find_modules


def test_labels_are_translatable(make_app, tmp_path: Path, rootdir: Path) -> None:
    project = tmp_path / "seed"
    shutil.copytree(rootdir / "test-seed", project)
    catalog = Catalog(locale="de")
    for message, translation in [
        ("Classes", "Klassen"),
        ("class", "Klasse"),
        ("line %d", "Zeile %d"),
        ("Path", "Pfad"),
        ("test module", "Testmodul"),
    ]:
        catalog.add(message, translation)
    mo = project / "locales" / "de" / "LC_MESSAGES" / f"{MESSAGE_CATALOG}.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as file:
        write_mo(file, catalog)
    with (project / "conf.py").open("a") as conf:
        conf.write(
            "import os\n"
            "language = 'de'\n"
            "def setup(app):\n"
            "    locales = os.path.join(os.path.dirname(__file__), 'locales')\n"
            f"    app.add_message_catalog({MESSAGE_CATALOG!r}, locales)\n"
        )
    app = make_app("html", srcdir=project)
    app.build()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    labels = [label.text() for label in block.find_all("kwindex-label")]
    assert labels == ["Klassen (1)", "Functions (5)", "Imports (10)"]
    entry = block.find("kwindex-kind-classes").find("kwindex-entry")
    assert entry.find("kwindex-kindname").text() == "Klasse"
    assert entry.find("kwindex-line").text() == "Zeile 20"
    fields = metadata_fields(block)
    assert fields["Type"] == "Testmodul"
    assert "Pfad" in fields


def test_parallel_read_gives_the_same_output(
    make_app, tmp_path: Path, rootdir: Path
) -> None:
    serial, parallel = build_serial_and_parallel(
        make_app, rootdir / "test-options", tmp_path
    )
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name


@pytest.mark.sphinx("html", testroot="seed", srcdir="seed-rebuild")
def test_editing_the_module_rereads_its_documents(app, make_app) -> None:
    app.build()
    module = Path(app.srcdir, "test/distributed/elastic/rendezvous/etcd_server_test.py")
    module.write_text(module.read_text() + "\n\nclass AddedLater:\n    pass\n")
    again = make_app("html", srcdir=app.srcdir)
    read = record_read_documents(again)
    again.build()
    assert read == ["server"]
    html = (again.outdir / "server.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    assert [e.text() for e in block.find_all("kwindex-name")][:2] == [
        "AddedLater",
        "EtcdServerTest",
    ]
    untouched = make_app("html", srcdir=app.srcdir)
    read = record_read_documents(untouched)
    untouched.build()
    assert read == []


@pytest.mark.sphinx("html", testroot="seed", srcdir="seed-related")
def test_a_module_added_to_the_folder_updates_related_links(app, make_app) -> None:
    app.build()
    (Path(app.srcdir) / "utils.rst").write_text(
        "Utils\n=====\n\n.. kwindex:: /test/distributed/elastic/rendezvous/utils_test.py\n"
    )
    Path(app.srcdir, "test/distributed/elastic/rendezvous/utils_test.py").write_text(
        "import os\n"
    )
    with Path(app.srcdir, "index.rst").open("a") as index:
        index.write("\n.. toctree::\n\n   utils\n")
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    html = (again.outdir / "server.html").read_text(encoding="utf-8")
    (block,) = kwindex_blocks(html)
    assert metadata_fields(block)["Related"] == "etcd_rendezvous_test.py, utils_test.py"


def test_a_stale_stylesheet_is_replaced_without_warning(
    make_app, tmp_path: Path, rootdir: Path
) -> None:
    app = make_app("html", srcdir=rootdir / "test-seed", builddir=tmp_path)
    app.build()
    stylesheet = app.outdir / "_static" / "kwindex.css"
    shipped = stylesheet.read_text(encoding="utf-8")
    stylesheet.write_text("/* from an older release */\n", encoding="utf-8")
    again = make_app("html", srcdir=rootdir / "test-seed", builddir=tmp_path)
    again.build()
    assert own_warnings(again) == []
    assert stylesheet.read_text(encoding="utf-8") == shipped
    html = (again.outdir / "index.html").read_text(encoding="utf-8")
    assert 'href="_static/kwindex.css' in html


def test_the_docs_index_every_test_module() -> None:
    project = Path(__file__).parent.parent
    conf = runpy.run_path(str(project / "docs" / "conf.py"))
    indexed = find_modules(project, conf["kwindex_modules"]).modules
    modules = sorted(
        p.relative_to(project).as_posix() for p in (project / "tests").glob("*.py")
    )
    assert set(modules) <= set(indexed)


def test_a_module_indexed_by_many_documents_is_read_once(
    make_app, write_project, parsed_files
) -> None:
    names = [f"page{number}" for number in range(4)]
    twice = ".. kwindex:: /shared_test.py\n\n.. kwindex:: /shared_test.py\n"
    project = write_project(
        {
            "shared_test.py": "import os\n",
            "index.rst": "Pages\n=====\n\n.. toctree::\n\n"
            + "".join(f"   {n}\n" for n in names),
            **{f"{n}.rst": f"{n}\n=====\n\n{twice}" for n in names},
        }
    )
    app = make_app("html", srcdir=project)
    app.build()
    assert own_warnings(app) == []
    assert parsed_files == ["shared_test.py"]
    (first, second) = kwindex_blocks(
        (app.outdir / "page0.html").read_text(encoding="utf-8")
    )
    assert (first.attrs["id"], second.attrs["id"]) == (
        "kw-shared_test.py",
        "kw-shared_test.py-2",
    )


def test_no_source_everywhere_writes_no_source_page(make_app, write_project) -> None:
    page = (
        "Sources\n=======\n\n.. kwindex:: /private_test.py\n   :no-source:\n\n"
        ".. kwindex:: /public_test.py\n"
    )
    project = write_project(
        {
            "private_test.py": "import os\n",
            "public_test.py": "import sys\n",
            "index.rst": page,
        }
    )
    app = make_app("html", srcdir=project)
    app.build()
    pages = sorted(p.name for p in (app.outdir / "_kwsource").iterdir())
    assert pages == ["public_test.py.html"]


@pytest.mark.sphinx("html", testroot="seed", srcdir="seed-env-version")
def test_a_new_env_version_discards_the_old_environment(
    app, make_app, monkeypatch
) -> None:
    from sphinx_kwindex.domain import KeywordDomain

    app.build()
    version = KeywordDomain.data_version + 1
    monkeypatch.setattr(KeywordDomain, "data_version", version)
    again = make_app("html", srcdir=app.srcdir)
    read = record_read_documents(again)
    again.build()
    assert read == ["index", "server"]
