"""A build's memory stays flat as the corpus grows: nothing is held whole that can be streamed.

The extractions wait on disk and come back one at a time; the RDF writers get the triples of one
subject, or of one article's graph, at a time; GraphML, merges.csv and articles.jsonl are written row by
row; the query store is bulk-loaded in chunks. Each of these gives the same bytes as before.
"""
from __future__ import annotations

import io
import itertools
import json
import weakref

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph import build, ids
from kgraph.build import StoredExtractions, load_extractions, write_extractions
from kgraph.errors import ExportError
from kgraph.export import rdf
from kgraph.export.graphfiles import _printable, _scalars, write_graphml
from kgraph.export.ledger import ledger_csv, write_ledger
from kgraph.names import _definitions_in, acronym_definitions
from kgraph.resolve import resolve
from kgraph.store import BULK_CHUNK, StoreLocation, _bulk_extend, open_store, write_store

from test_properties import tiny_graph


def corpus_graph(articles: int) -> nx.MultiDiGraph:
    """``articles`` articles of three people and a shared organization each, every person working for it."""
    graph = nx.MultiDiGraph(base=ids.DEFAULT_BASE, articles={f"a{n:03d}": {"title": f"Story {n}"}
                                                             for n in range(articles)})
    org = ids.entity_id("ORG", "name:acme", "Acme")
    graph.add_node(org, name="Acme", type="ORG", aliases=[], mentions=articles, articles=sorted(graph.graph["articles"]),
                   iri=ids.iri(org), roles=[])
    for n in range(articles):
        article = f"a{n:03d}"
        for person in range(3):
            name = f"Person {n} {person}"
            node = ids.entity_id("PERSON", f"name:{name}", name)
            graph.add_node(node, name=name, type="PERSON", aliases=[], mentions=1, articles=[article],
                           iri=ids.iri(node), roles=[])
            key = ids.fact_id("works_for", node, org, "engineer")
            sentence = f"{name} is an engineer at Acme."
            evidence = {"article": article, "sentence": sentence, "sentence_start": 0, "sentence_end": len(sentence),
                        "subject_start": 0, "subject_end": len(name), "object_start": len(sentence) - 5,
                        "object_end": len(sentence) - 1, "extractor": "rules", "confidence": 0.9}
            graph.add_edge(node, org, key=key, relation="works_for", role="engineer", label="engineer",
                           articles=[article], evidence=[evidence], confidence=0.9, iri=ids.iri(key))
    return graph


def largest_sort(graph: nx.MultiDiGraph, folder, monkeypatch) -> int:
    """The most triples the RDF writer sorted at once while it wrote the four files."""
    sizes = []
    real = rdf._sorted

    def sorted_and_counted(triples):
        triples = list(triples)
        sizes.append(len(triples))
        return real(triples)

    monkeypatch.setattr(rdf, "_sorted", sorted_and_counted)
    rdf.write_rdf(graph, folder)
    monkeypatch.setattr(rdf, "_sorted", real)
    return max(sizes)


def test_the_rdf_writer_holds_one_subject_or_one_article_at_a_time(tmp_path, monkeypatch):
    small, large = corpus_graph(10), corpus_graph(60)
    quads = sum(1 for _ in ox.parse(path=str(_written(large, tmp_path / "whole")), format=ox.RdfFormat.TRIG))
    assert quads > 2000
    # Sixty articles, six times the triples: the writer never holds more at once than for ten (Acme is
    # the largest subject: a few triples per article that mentions it).
    assert largest_sort(large, tmp_path / "large", monkeypatch) <= 70
    assert largest_sort(small, tmp_path / "small", monkeypatch) <= 70


def _written(graph: nx.MultiDiGraph, folder):
    rdf.write_rdf(graph, folder)
    return folder / "graph.trig"


def order(triple) -> tuple[str, str, str]:
    return triple.subject.value, triple.predicate.value, str(triple.object)


def test_rdf_files_are_sorted_and_trig_holds_what_the_others_hold(seeds_build, tmp_path):
    """What the streamed writer must keep: N-Triples sorted by subject, predicate and object, each triple
    once; TriG the default graph first, then the named graphs in IRI order, each sorted; their union is the
    N-Triples file."""
    rdf.write_rdf(seeds_build[0].graph, tmp_path)
    triples = [q.triple for q in ox.parse(path=str(tmp_path / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)]
    assert len(triples) > 500
    assert triples == sorted(set(triples), key=order)
    quads = list(ox.parse(path=str(tmp_path / "graph.trig"), format=ox.RdfFormat.TRIG))
    graphs = [name for name, _ in itertools.groupby(q.graph_name for q in quads)]
    assert graphs[0] == ox.DefaultGraph() and graphs.count(ox.DefaultGraph()) == 1
    assert graphs[1:] == sorted(graphs[1:], key=lambda g: g.value) and len(set(graphs)) == len(graphs) > 5
    for _, group in itertools.groupby(quads, key=lambda q: q.graph_name):
        members = [q.triple for q in group]
        assert members == sorted(set(members), key=order)
    assert {q.triple for q in quads} == set(triples)


def test_a_build_reads_its_extractions_back_one_at_a_time(articles_dir, tmp_path, monkeypatch, nlp):
    for n, city in enumerate(["Paris", "Berlin", "Madrid", "Rome", "Vienna"]):
        (articles_dir / f"{n}.txt").write_text(f"Anna Schmidt{n} works for Acme Corp in {city}. "
                                               f"Acme Corp is based in {city}.\n", encoding="utf-8")
    alive: list[weakref.ref] = []
    most = []
    real_get = StoredExtractions.get

    def get(self, article_id, **options):
        extraction = real_get(self, article_id, **options)
        alive.append(weakref.ref(extraction))
        most.append(sum(1 for ref in alive if ref() is not None))
        return extraction

    monkeypatch.setattr(StoredExtractions, "get", get)
    result = build([articles_dir], tmp_path / "out", cache_dir=None)
    assert result.articles == 5 and result.relations > 0
    assert len(most) >= 10  # read back for resolution and for the graph
    assert max(most) == 2  # the one a loop holds and the next it reads: never the five of them
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]  # the spill file is gone


def test_resolution_reads_the_extractions_once_and_keeps_none_of_them(seeds_build):
    out = seeds_build[1]
    alive: list[weakref.ref] = []
    most = []

    def one_at_a_time(stored):
        for extraction in stored.for_resolution():
            alive.append(weakref.ref(extraction))
            most.append(sum(1 for ref in alive if ref() is not None))
            yield extraction

    with StoredExtractions(out) as stored:
        stored.add_file(out / "articles.jsonl")
        streamed = resolve(one_at_a_time(stored))
        assert len(most) == len(stored) > 5 and max(most) == 2  # the one the loop holds and the next it reads
        assert not [ref for ref in alive if ref() is not None]  # no text, no mention kept
        assert streamed == resolve(list(reversed(list(stored.for_resolution()))))  # the same, read in any order


def test_articles_jsonl_from_the_spill_is_what_writing_the_extractions_gives(seeds_build, tmp_path):
    out = seeds_build[1]
    write_extractions(list(load_extractions(out).values()), tmp_path / "articles.jsonl")
    assert (tmp_path / "articles.jsonl").read_bytes() == (out / "articles.jsonl").read_bytes()
    with StoredExtractions(tmp_path / "spill") as stored:
        for extraction in load_extractions(out).values():
            stored.add(extraction)
        stored.write(tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == (out / "articles.jsonl").read_bytes()


def test_a_stored_line_broken_in_any_list_is_reported_by_the_reader_of_that_list(seeds_build, tmp_path):
    """Resolution reads a stored line without its relations and the graph without its entities and mentions;
    whichever list is broken, one of the two readers says so, naming the article."""
    line = json.loads((seeds_build[1] / "articles.jsonl").read_bytes().splitlines()[0])
    assert line["entities"] and line["mentions"] and line["relations"]
    for part, reader in (("entities", "for_resolution"), ("mentions", "for_resolution"), ("relations", "for_graph")):
        broken = {**line, part: [{"not": "a record"}]}
        (tmp_path / part).mkdir()
        (tmp_path / part / "articles.jsonl").write_text(json.dumps(broken, sort_keys=True, separators=(",", ":")) + "\n")
        with StoredExtractions(tmp_path / part) as stored:
            stored.add_file(tmp_path / part / "articles.jsonl")
            with pytest.raises(ExportError, match=f"stored extraction of '{line['article']['id']}' cannot be read"):
                list(getattr(stored, reader)())
            assert len(list(getattr(stored, "for_graph" if reader == "for_resolution" else "for_resolution")())) == 1


def test_graphml_streamed_is_what_networkx_writes_of_the_whole_flat_graph(seeds_build, tmp_path):
    for number, graph in enumerate([seeds_build[0].graph, tiny_graph(["a\x00b", "<x>&", "\ud800", "\u2028"])]):
        flat = nx.MultiDiGraph()
        for node, data in graph.nodes(data=True):
            flat.add_node(_printable(node), **_scalars(data))
        for u, v, key, data in graph.edges(keys=True, data=True):
            flat.add_edge(_printable(u), _printable(v), key=_printable(key), **_scalars(data))
        whole = io.BytesIO()
        nx.write_graphml(flat, whole, encoding="utf-8", prettyprint=True)
        write_graphml(graph, tmp_path / f"{number}.graphml")
        assert (tmp_path / f"{number}.graphml").read_bytes() == whole.getvalue()


def test_merges_csv_streamed_is_the_ledger_as_csv(seeds_build, tmp_path):
    graph = seeds_build[0].graph
    assert len(graph.graph["merges"]) > 50
    write_ledger(graph, tmp_path)
    assert (tmp_path / "merges.csv").read_bytes() == ledger_csv(graph.graph["merges"]).encode("utf-8")


class CountingStore:
    def __init__(self) -> None:
        self.chunks: list[int] = []

    def bulk_extend(self, quads) -> None:
        self.chunks.append(sum(1 for _ in quads))


def test_the_query_store_is_loaded_a_chunk_at_a_time(seeds_build, tmp_path, monkeypatch):
    store = CountingStore()
    _bulk_extend(store, iter(range(2 * BULK_CHUNK + 5)))
    assert store.chunks == [BULK_CHUNK, BULK_CHUNK, 5]
    # small chunks give the same store as one
    monkeypatch.setattr("kgraph.store.BULK_CHUNK", 97)
    (tmp_path / "graph.trig").write_bytes((seeds_build[1] / "graph.trig").read_bytes())
    persistent = open_store(StoreLocation(write_store(tmp_path / "graph.trig", tmp_path), persistent=True))
    in_memory = open_store(StoreLocation(tmp_path / "graph.trig", persistent=False))
    assert len(persistent) == len(in_memory) > 1000
    assert set(persistent) == set(in_memory)



def test_the_build_loads_its_n_quads_into_the_store_a_run_of_lines_at_a_time(seeds_build, tmp_path, monkeypatch):
    """The store a build writes from graph.nq and graph.nt, read in runs of lines far smaller than the files,
    holds what loading graph.trig in memory gives: every article's graph, and their union as the default graph."""
    out = seeds_build[1]
    loads = []
    real = ox.Store.bulk_load
    monkeypatch.setattr("kgraph.store.BULK_BYTES", 4096)
    monkeypatch.setattr(ox.Store, "bulk_load", lambda self, **kw: (loads.append(len(kw["input"])), real(self, **kw)))
    for name in ("graph.nq", "graph.nt"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    persistent = open_store(StoreLocation(write_store(tmp_path / "graph.nq", tmp_path, union=tmp_path / "graph.nt"),
                                          persistent=True))
    monkeypatch.undo()
    assert len(loads) > 20 and max(loads) <= 2 * 4096 and all(size > 0 for size in loads)
    in_memory = open_store(StoreLocation(out / "graph.trig", persistent=False))
    assert len(persistent) == len(in_memory) > 1000
    assert set(persistent) == set(in_memory)

TEXT = st.lists(st.sampled_from(["World", "Health", "Organization", "of", "the", "WHO", "W.H.O.", "(", ")", " ",
                                 "\t", "\n", ",", "-", "Bank", "B", "(the ", "((", "Red Cross", "RC", "é"]),
                max_size=30).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(text=TEXT)
def test_acronyms_read_around_brackets_are_those_of_the_whole_text(text):
    assert acronym_definitions(text) == _definitions_in(text)
