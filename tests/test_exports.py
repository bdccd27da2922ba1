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

    def write_ledger(graph, folder):
        started_later.set()
        return [folder / "merges.csv"]

    files = export_all(None, tmp_path, (write_rdf, write_query_store, write_ledger))
    assert files == [tmp_path / "graph.nt", tmp_path / "store", tmp_path / "merges.csv"]


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

    def write_ledger(graph, folder):
        ran.append("ledger")
        return [folder / "merges.csv"]

    with pytest.raises(ExportError, match="store could not be built"):
        export_all(None, tmp_path, (write_query_store, write_ledger))
    assert ran == ["ledger"]
