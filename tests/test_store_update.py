"""A rebuild updates the previous query store with what changed instead of loading every quad again, and the
store it leaves holds exactly what a store loaded from the new files holds."""
from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from kgraph import build, store
from kgraph.build import remove
from kgraph.ingest import read_articles

from conftest import SEEDS

CORPUS = sorted(SEEDS.iterdir())
NEW = "NATO Secretary-General Jens Stoltenberg said on Monday that the alliance will send more trainers to Iraq.\n"


def contents(opened) -> tuple[list[bytes], list[str]]:
    """Every quad of a store as sorted N-Quads lines, and its named graphs."""
    if not isinstance(opened, ox.Store):
        opened = ox.Store.read_only(str(opened))
    lines = sorted(opened.dump(format=ox.RdfFormat.N_QUADS).splitlines())
    return lines, sorted(g.value for g in opened.named_graphs())


def loaded_from_scratch(folder) -> tuple[list[bytes], list[str]]:
    """What a store holds that Oxigraph loads from ``folder``'s graph.nq, and graph.nt into its default graph."""
    fresh = ox.Store()
    fresh.load(path=str(folder / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    fresh.load(path=str(folder / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    return contents(fresh)


@pytest.fixture()
def no_full_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the store was loaded in full")
    monkeypatch.setattr(store, "_load", refuse)


@pytest.fixture()
def full_loads(monkeypatch) -> list:
    """The full loads of a store, recorded as they run."""
    loads = []
    real = store._load
    monkeypatch.setattr(store, "_load", lambda *a, **k: (loads.append(a), real(*a, **k))[1])
    return loads


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, nlp):
    folder = tmp_path_factory.mktemp("store-update") / "corpus"
    build(CORPUS, folder)
    return folder


@pytest.fixture()
def new_article(tmp_path):
    path = tmp_path / "new" / "stoltenberg.txt"
    path.parent.mkdir()
    path.write_text(NEW, encoding="utf-8")
    return path


def test_an_update_adds_a_new_article_to_the_previous_store(corpus, new_article, tmp_path, no_full_load):
    folder = tmp_path / "updated"
    shutil.copytree(corpus, folder)
    before, graphs_before = contents(folder / "store")
    build([new_article], folder, update=True)
    after, graphs = contents(folder / "store")
    assert len(graphs) == len(graphs_before) + 1 and len(after) > len(before)
    assert (after, graphs) == loaded_from_scratch(folder)


def test_removing_an_article_updates_the_store(corpus, tmp_path, no_full_load):
    folder = tmp_path / "removed"
    shutil.copytree(corpus, folder)
    _, graphs_before = contents(folder / "store")
    remove([next(iter(read_articles([SEEDS / "002_pentagon_briefing.md"]))).id], folder)
    after, graphs = contents(folder / "store")
    assert len(graphs) == len(graphs_before) - 1
    assert (after, graphs) == loaded_from_scratch(folder)


def test_the_store_keeps_links_to_the_files_it_holds_not_copies(corpus):
    for name, source in zip(store.SOURCES, ("graph.nq", "graph.nt")):
        assert (corpus / "store" / name).stat().st_ino == (corpus / source).stat().st_ino


def test_a_store_from_other_files_is_loaded_again_in_full(corpus, new_article, tmp_path, full_loads):
    folder = tmp_path / "touched"
    shutil.copytree(corpus, folder)
    (folder / "store" / store.SOURCES[0]).unlink()  # as an older kgraph left it: no link to its files
    build([new_article], folder, update=True)
    assert full_loads
    assert contents(folder / "store") == loaded_from_scratch(folder)


def test_a_build_that_changes_most_lines_loads_in_full(corpus, tmp_path, full_loads):
    folder = tmp_path / "replaced"
    shutil.copytree(corpus, folder)
    build(CORPUS[:2], folder)  # not an update: these articles replace the corpus
    assert full_loads
    assert contents(folder / "store") == loaded_from_scratch(folder)


@pytest.mark.parametrize("line, graph", [
    (b'<urn:s> <urn:p> <urn:o> .\n', b""),
    (b'<urn:s> <urn:p> <urn:o> <urn:g> .\n', b"urn:g"),
    (b'<urn:s> <urn:p> "a \\"<x> <y>\\" b" .\n', b""),
    (b'<urn:s> <urn:p> "a \\"<x> <y>\\" b" <urn:g> .\n', b"urn:g"),
    (b'<urn:s> <urn:p> "0.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n', b""),
    (b'<urn:s> <urn:p> "0.5"^^<http://www.w3.org/2001/XMLSchema#decimal> <urn:g> .\n', b"urn:g"),
    (b'<urn:s> <urn:p> "Irak"@de .\n', b""),
    (b'<urn:s> <urn:p> "Irak"@de <urn:g> .\n', b"urn:g"),
])
def test_the_graph_of_each_kind_of_line(line, graph):
    assert store._graph_name(line) == graph
    parsed = next(ox.parse(input=line, format=ox.RdfFormat.N_QUADS))
    assert (parsed.graph_name.value.encode() if graph else b"") == graph


def test_a_source_file_changed_in_place_is_not_trusted(corpus, new_article, tmp_path, full_loads):
    folder = tmp_path / "edited"
    shutil.copytree(corpus, folder)
    with (folder / "store" / store.SOURCES[1]).open("ab") as union:  # graph.nt edited in place: the same file
        union.write(b"<urn:x> <urn:y> <urn:z> .\n")
    build([new_article], folder, update=True)
    assert full_loads
    assert contents(folder / "store") == loaded_from_scratch(folder)


def test_the_update_runs_in_a_process_of_its_own(corpus, new_article, tmp_path, no_full_load, monkeypatch):
    # its walk over the lines is Python: on the build's thread it would hold the lock the other exporters need
    folder = tmp_path / "apart"
    shutil.copytree(corpus, folder)
    monkeypatch.setattr(store, "_update", lambda *a: pytest.fail("the update ran in the build's process"))
    build([new_article], folder, update=True)
    assert contents(folder / "store") == loaded_from_scratch(folder)


def test_without_a_child_process_the_update_runs_here(corpus, new_article, tmp_path, no_full_load, monkeypatch):
    folder = tmp_path / "here"
    shutil.copytree(corpus, folder)
    monkeypatch.setattr(store.sys, "executable", str(tmp_path / "no-such-python"))
    build([new_article], folder, update=True)
    assert contents(folder / "store") == loaded_from_scratch(folder)


def test_a_first_build_starts_no_process_for_the_store(new_article, tmp_path, monkeypatch, nlp):
    # a child forked from a large build reports the build's memory as its own peak: start one only with a store
    # to update
    monkeypatch.setattr(store.subprocess, "run", lambda *a, **k: pytest.fail("a process was started"))
    build([new_article], tmp_path / "first")
    assert contents(tmp_path / "first" / "store") == loaded_from_scratch(tmp_path / "first")


def test_an_update_that_fails_midway_falls_back_to_a_full_load(corpus, new_article, tmp_path, full_loads,
                                                                 monkeypatch):
    folder = tmp_path / "failed"
    shutil.copytree(corpus, folder)
    monkeypatch.setattr(store.sys, "executable", str(tmp_path / "no-such-python"))  # the update runs here
    # a line the copied store cannot parse, found once the copy is open
    monkeypatch.setattr(store, "_changes_of_runs", lambda *a: ([b"not a line of N-Quads\n"], [], []))
    build([new_article], folder, update=True)
    assert full_loads
    assert contents(folder / "store") == loaded_from_scratch(folder)


def test_the_update_reads_only_the_runs_that_changed(corpus, new_article, tmp_path, no_full_load, monkeypatch):
    # the indexes of graph.nt's and graph.nq's runs say which runs changed: the rest of the lines are never read
    folder = tmp_path / "runs"
    shutil.copytree(corpus, folder)
    monkeypatch.setattr(store.sys, "executable", str(tmp_path / "no-such-python"))  # the update runs here
    monkeypatch.setattr(store, "_changes", lambda *a: pytest.fail("every line was read"))
    read = []
    real = store._read_runs
    monkeypatch.setattr(store, "_read_runs", lambda path, places, key: (read.append((path.name, len(places))),
                                                                        real(path, places, key))[1])
    build([new_article], folder, update=True)
    assert contents(folder / "store") == loaded_from_scratch(folder)
    union_runs = sum(1 for line in (folder / "graph.nt").read_bytes().splitlines()) // 2
    assert read and all(0 < count < union_runs for _, count in read)  # some runs, far from every one


def test_a_store_without_the_indexes_of_its_sources_is_updated_from_their_lines(corpus, new_article, tmp_path,
                                                                                no_full_load, monkeypatch):
    folder = tmp_path / "no-runs"
    shutil.copytree(corpus, folder)
    for name in store.SOURCE_RUNS:  # as a kgraph before the indexes left it
        (folder / "store" / name).unlink()
    monkeypatch.setattr(store.sys, "executable", str(tmp_path / "no-such-python"))  # the update runs here
    monkeypatch.setattr(store, "_read_runs", lambda *a: pytest.fail("an index was used"))
    build([new_article], folder, update=True)
    assert contents(folder / "store") == loaded_from_scratch(folder)
