"""Every export is written, re-parses, is deterministic, and the committed exports/ match the code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from conftest import REPO

EXPORT_FILES = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.json", "graph.graphml", "graph.html",
                "merges.csv", "articles.jsonl",
                "build-report.json"]
RDF_FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld"}


def test_build_writes_every_export(seeds_build):
    result, out = seeds_build
    for name in EXPORT_FILES:
        assert (out / name).stat().st_size > 0, name
    assert result.articles >= 9 and result.entities > 20 and result.facts > 20


@pytest.mark.parametrize("name", sorted(RDF_FORMATS))
def test_rdf_files_reparse_to_the_same_triples(seeds_build, name):
    out = seeds_build[1]
    graph = Graph().parse(out / name, format=RDF_FORMATS[name])
    reference = Graph().parse(out / "graph.nt", format="nt")
    assert len(graph) == len(reference) > 1000
    assert set(graph) == set(reference)


def test_trig_has_one_named_graph_per_article(seeds_build):
    result, out = seeds_build
    dataset = Dataset()
    dataset.parse(out / "graph.trig", format="trig")
    named = [g for g in dataset.graphs() if "/article/" in str(g.identifier)]
    assert len(named) == result.articles


def test_iris_never_carry_raw_text(seeds_build):
    out = seeds_build[1]
    for s, p, o in Graph().parse(out / "graph.nt", format="nt"):
        for term in (s, p, o):
            if not hasattr(term, "language") and str(term).startswith("https://kgraph.example/id/"):
                assert all(c.isascii() and (c.isalnum() or c in "/:.-_") for c in str(term)), term


def test_committed_exports_match_a_fresh_build(seeds_build):
    """exports/ is the build of seeds/: rebuild it with `kgraph build seeds/ -o exports/` when this fails."""
    out = seeds_build[1]
    for name in EXPORT_FILES:
        committed = REPO / "exports" / name
        assert committed.exists(), f"exports/{name} is missing: run `kgraph build seeds/ -o exports/`"
        assert committed.read_bytes() == (out / name).read_bytes(), \
            f"exports/{name} is stale: run `kgraph build seeds/ -o exports/` and commit it"


def test_builds_are_byte_identical_across_processes(tmp_path):
    """Two builds in fresh interpreters with different hash seeds give the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
        subprocess.run([sys.executable, "-m", "kgraph", "build", str(REPO / "seeds"), "-o", str(out)],
                       check=True, capture_output=True, env={**__import__("os").environ, **env})
        outputs.append(out)
    for name in EXPORT_FILES:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_the_query_store_is_loaded_while_the_exports_after_it_are_written(tmp_path):
    """The store's exporter runs on a thread of its own: here it waits for the exporter after it, which would
    never come if the two ran one after the other. The files come back in the exporters' order."""
    import threading

    from kgraph.export import export_all

    started_later = threading.Event()

    def write_rdf(graph, folder):
        return [folder / "graph.nt"]

    def write_query_store(graph, folder):
        assert started_later.wait(timeout=60), "the exporter after the store did not run while it was loading"
        return [folder / "store"]

    def write_rdf_views(graph, folder):
        started_later.set()
        return [folder / "graph.jsonld"]

    files = export_all(None, tmp_path, (write_rdf, write_query_store, write_rdf_views))
    assert files == [tmp_path / "graph.nt", tmp_path / "store", tmp_path / "graph.jsonld"]


def test_json_ld_and_trig_are_written_while_the_store_loads(seeds_build, tmp_path):
    """The build's own exporters: the store starts once graph.nt and graph.nq are in place, and JSON-LD and
    TriG are written while it loads; every file is the one a build in sequence writes."""
    import threading

    from kgraph.export import EXPORTERS, export_all
    from kgraph.export.store import write_query_store

    graph, out = seeds_build[0].graph, tmp_path / "threaded"
    views_written = threading.Event()
    seen_at_start: dict[str, bool] = {}

    def store_waiting_for_the_views(graph, folder):
        seen_at_start.update({name: (folder / name).exists() for name in ("graph.nt", "graph.nq", "graph.jsonld")})
        assert views_written.wait(timeout=120), "JSON-LD and TriG were not written while the store was loading"
        return write_query_store(graph, folder)
    store_waiting_for_the_views.__name__ = "write_query_store"  # runs on its thread, as the real one

    def signalling(exporter):
        def run(graph, folder):
            files = exporter(graph, folder)
            if {"graph.jsonld", "graph.trig"} <= {path.name for path in files}:
                views_written.set()
            return files
        run.__name__ = exporter.__name__
        return run

    exporters = tuple(store_waiting_for_the_views if e is write_query_store else signalling(e) for e in EXPORTERS)
    export_all(graph, out, exporters)
    assert seen_at_start == {"graph.nt": True, "graph.nq": True, "graph.jsonld": False}
    for name in ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld", "graph.trig", "graph.json", "graph.graphml"):
        assert (out / name).read_bytes() == (seeds_build[1] / name).read_bytes(), name


def test_a_failing_store_fails_the_export_once_the_others_have_ended(tmp_path):
    from kgraph.errors import ExportError
    from kgraph.export import export_all

    ran = []

    def write_query_store(graph, folder):
        raise ExportError("the store could not be built")

    def write_rdf_views(graph, folder):
        ran.append("views")
        return [folder / "graph.jsonld"]

    with pytest.raises(ExportError, match="store could not be built"):
        export_all(None, tmp_path, (write_query_store, write_rdf_views))
    assert ran == ["views"]


# --- the exports written in a forked process -----------------------------------------------------------------

_on_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="exports fork a process on Linux only")


def needs_fork(test):
    """Linux only, and in a process with no other thread (:func:`kgraph.export.can_fork`)."""
    return _on_linux(pytest.mark.single_threaded(test))


def _pid_writer(name: str, file: str):
    """An exporter called ``name`` that writes the id of the process it runs in to ``file``."""
    import os

    def exporter(graph, folder):
        (folder / file).write_text(str(os.getpid()))
        return [folder / file]
    exporter.__name__ = name
    return exporter


@needs_fork
def test_graph_files_html_and_ledger_are_written_by_another_process_while_rdf_is_written_here(tmp_path):
    """They run in a forked child while this process writes the RDF files; the files come back in the exporters'
    order, with the seconds each took in the child."""
    import os

    from kgraph.export import export_all

    exporters = (_pid_writer("write_rdf_lines", "rdf"), _pid_writer("_graph_files", "json"),
                 _pid_writer("_html", "html"), _pid_writer("write_ledger", "ledger"))
    seconds: dict[str, float] = {}
    files = export_all(None, tmp_path, exporters, fork=True, seconds=seconds)
    assert files == [tmp_path / name for name in ("rdf", "json", "html", "ledger")]
    pids = {name: int((tmp_path / name).read_text()) for name in ("rdf", "json", "html", "ledger")}
    assert pids["rdf"] == os.getpid()
    assert pids["json"] == pids["html"] == pids["ledger"] != os.getpid()
    assert set(seconds) == {"_graph_files", "_html", "write_ledger"} and all(s >= 0 for s in seconds.values())


@needs_fork
def test_what_the_build_does_meanwhile_runs_here_while_the_forked_exports_are_written(tmp_path):
    """``meanwhile`` (the build writes its stored extractions so) runs in this process after its own exporters
    and before the forked ones end: here the forked exporter waits for the file it writes, and gives up after
    a minute, failing the export, if it only came afterwards."""
    import os
    import time

    from kgraph.export import export_all

    def _html(graph, folder):
        deadline = time.monotonic() + 60
        while not (folder / "meanwhile").exists():
            if time.monotonic() > deadline:
                raise RuntimeError("meanwhile did not run while this exporter ran")
            time.sleep(0.01)
        (folder / "html").write_text(str(os.getpid()))
        return [folder / "html"]

    order = []
    files = export_all(None, tmp_path, (_pid_writer("write_rdf_lines", "rdf"), _html), fork=True,
                       meanwhile=lambda: order.append((tmp_path / "rdf").exists())
                       or (tmp_path / "meanwhile").write_text(str(os.getpid())))
    assert files == [tmp_path / "rdf", tmp_path / "html"]
    assert order == [True]  # after this process's exporters
    assert int((tmp_path / "meanwhile").read_text()) == os.getpid() != int((tmp_path / "html").read_text())


@needs_fork
def test_forked_exports_are_the_files_a_build_in_one_process_writes(seeds_build, tmp_path):
    from kgraph.export import EXPORTERS, export_all

    graph = seeds_build[0].graph
    export_all(graph, tmp_path / "forked", EXPORTERS, fork=True)
    export_all(graph, tmp_path / "here", EXPORTERS)
    for name in ("graph.ttl", "graph.nt", "graph.nq", "graph.jsonld", "graph.trig", "graph.json", "graph.graphml",
                 "graph.html", "merges.csv"):
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


@needs_fork
def test_an_error_in_the_forked_exports_is_raised_here_after_the_rest_are_written(tmp_path):
    from kgraph.errors import ExportError
    from kgraph.export import export_all

    def _html(graph, folder):
        raise ExportError("graph.html: the disk is full")

    with pytest.raises(ExportError, match="the disk is full"):
        export_all(None, tmp_path, (_pid_writer("write_rdf_lines", "rdf"), _html), fork=True)
    assert (tmp_path / "rdf").exists()


@needs_fork
def test_an_error_here_waits_for_the_forked_exports_to_end(tmp_path):
    """Nothing is left writing once the build fails: the child's file is in place when the error comes."""
    import time

    from kgraph.errors import ExportError
    from kgraph.export import export_all

    def write_ledger(graph, folder):
        time.sleep(1)
        (folder / "merges.csv").write_text("done")
        return [folder / "merges.csv"]

    def write_rdf_lines(graph, folder):
        raise ExportError("graph.nt: the disk is full")

    with pytest.raises(ExportError, match="graph.nt: the disk is full"):
        export_all(None, tmp_path, (write_rdf_lines, write_ledger), fork=True)
    assert (tmp_path / "merges.csv").read_text() == "done"


@needs_fork
def test_a_forked_exporter_error_that_cannot_be_sent_back_arrives_as_its_text(tmp_path):
    from kgraph.errors import ExportError
    from kgraph.export import export_all

    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("not this one")

    def write_ledger(graph, folder):
        raise Unpicklable("the ledger broke")

    with pytest.raises(ExportError, match="the ledger broke"):
        export_all(None, tmp_path, (write_ledger,), fork=True)


@needs_fork
def test_a_forked_exporter_that_dies_fails_the_export(tmp_path):
    import os

    from kgraph.errors import ExportError
    from kgraph.export import can_fork, export_all

    def _html(graph, folder):
        os._exit(9)

    assert can_fork()  # else _html would end this process, not a child
    with pytest.raises(ExportError, match="ended without a report .exit status 9"):
        export_all(None, tmp_path, (_html,), fork=True)


@needs_fork
def test_one_worker_is_one_process_and_more_fork_the_exports(seeds_build, tmp_path, monkeypatch):
    """``--workers 1`` writes every export in the build's own process; with more, graph.json, GraphML, the HTML
    and the ledger are written by a second one (here through ``kgraph remove``, which starts no worker pool)."""
    import shutil

    import kgraph.export
    from kgraph import build
    from kgraph.build import remove

    forks = []
    real = kgraph.export._Forked

    def counted(exporters, graph, folder):
        forks.append(sorted(e.__name__ for e in exporters))
        return real(exporters, graph, folder)

    monkeypatch.setattr(kgraph.export, "_Forked", counted)
    build([REPO / "seeds"], tmp_path / "one", workers=1)
    assert forks == []
    out = shutil.copytree(seeds_build[1], tmp_path / "more")
    article = sorted(seeds_build[0].graph.graph["articles"])[0]
    remove([article], out, workers=2)
    assert forks == [["_graph_files", "_html", "write_ledger"]]


def test_no_fork_beside_another_thread(tmp_path):
    """A forked child would inherit the other thread's locks as they were: the exporters run here instead."""
    import os
    import threading

    from kgraph.export import can_fork, export_all

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        export_all(None, tmp_path, (_pid_writer("_html", "html"),), fork=True)
        assert int((tmp_path / "html").read_text()) == os.getpid()
    finally:
        stop.set()
        other.join()


def test_the_progress_bar_starts_no_thread():
    """tqdm's monitor thread would keep the build from forking its exports (:func:`kgraph.export.can_fork`)."""
    import threading

    from kgraph.cli import _Progress

    before = threading.active_count()
    progress = _Progress("extracting")
    for done in range(1, 11):
        progress(done, 10)
    try:
        assert threading.active_count() == before
    finally:
        progress.close()
