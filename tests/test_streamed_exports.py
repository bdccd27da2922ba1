"""The big exports are streamed to disk piece by piece, and give the same bytes as writing them whole.

graph.json is written node by node and edge by edge; the RDF files go from pyoxigraph's writers
through a filter that puts the prefixes in a fixed order and escapes U+2028/U+2029, whatever sizes
of pieces the writer hands it. A half-written stream never replaces the file.
"""
from __future__ import annotations

import gc
import importlib
import json

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgraph import build
from kgraph.export.atomic import atomic_file
from kgraph.export.graphfiles import _printable, write_node_link
from kgraph.export.rdf import _PREFIX_LINES, _Cleaned, _Dataset, _prefixes, write_rdf

from test_properties import NAME_LISTS, tiny_graph


class Sink:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> int:
        self.data += data
        return len(data)


def through_filter(pieces: list[bytes], *, header: bytes | None) -> bytes:
    sink = Sink()
    stream = _Cleaned(sink, header=header)
    for piece in pieces:
        assert stream.write(piece) == len(piece)  # the writer is told every byte was taken
    stream.close()
    return sink.data


DOCUMENT = ("@prefix z: <http://z/> .\n@prefix a: <http://a/> .\n"
            '<http://a/s> <http://a/p> "line\u2028separator \u2029 paragraph \u2014 dash \u20ac" .\n').encode()


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(DOCUMENT)), max_size=12))
def test_the_filter_gives_the_same_bytes_however_the_writer_cuts_them(cuts):
    bounds = [0, *sorted(cuts), len(DOCUMENT)]
    pieces = [DOCUMENT[a:b] for a, b in zip(bounds, bounds[1:])]
    written = through_filter(pieces, header=b"@prefix mine: <http://m/> .\n\n")
    assert written == ('@prefix mine: <http://m/> .\n\n<http://a/s> <http://a/p> '
                       '"line\\u2028separator \\u2029 paragraph \u2014 dash \u20ac" .\n').encode()
    assert through_filter(pieces, header=None) == DOCUMENT.replace("\u2028".encode(), b"\\u2028") \
        .replace("\u2029".encode(), b"\\u2029")


def test_an_empty_document_still_gets_its_prefixes():
    assert through_filter([], header=b"@prefix a: <http://a/> .\n\n") == b"@prefix a: <http://a/> .\n\n"


def test_rdf_files_start_with_every_prefix_in_alphabetical_order(seeds_build, tmp_path):
    result, _ = seeds_build
    write_rdf(result.graph, tmp_path)
    for name in ("graph.ttl", "graph.trig"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(_PREFIX_LINES + b"\n")
        assert data.count(b"@prefix ") == _PREFIX_LINES.count(b"@prefix ") == 11
        names = [line.split()[1] for line in _PREFIX_LINES.decode().splitlines()]
        assert names == sorted(names)
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig"):
        assert "\u2028".encode() not in (tmp_path / name).read_bytes()


def test_a_line_separator_in_a_name_reads_back_from_every_rdf_file(tmp_path):
    graph = tiny_graph(["art\u2028icle", "Line\u2028Separator", "Para\u2029graph"])
    write_rdf(graph, tmp_path)
    formats = {"graph.ttl": ox.RdfFormat.TURTLE, "graph.nt": ox.RdfFormat.N_TRIPLES,
               "graph.jsonld": ox.RdfFormat.JSON_LD, "graph.trig": ox.RdfFormat.TRIG}
    for name, fmt in formats.items():
        labels = {q.object.value for q in ox.parse(path=str(tmp_path / name), format=fmt)
                  if q.predicate.value.endswith("#label")}
        assert {"Line\u2028Separator", "Para\u2029graph"} <= labels, name
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text.splitlines() == text.rstrip("\n").split("\n")  # no reader cuts a line at U+2028


def written_by_pyoxigraph(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """What the RDF export was before it wrote N-Triples and N-Quads lines itself: the same triples, in the
    same order, made into pyoxigraph terms and handed to pyoxigraph's writer."""
    dataset = _Dataset(graph)
    term = lambda nt: ox.parse(f"<urn:s> <urn:p> {nt} .", ox.RdfFormat.N_TRIPLES).__next__().object  # noqa: E731
    if fmt == "nt":
        items = [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o)) for s, p, o in dataset.triples()]
    else:
        items = [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), term(o), ox.NamedNode(g) if g else ox.DefaultGraph())
                 for g, (s, p, o) in dataset.quads()]
    sink = Sink()
    stream = _Cleaned(sink, header=_PREFIX_LINES + b"\n" if fmt == "trig" else None)
    ox.serialize(items, stream, ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TRIG,
                 **({"prefixes": _prefixes()} if fmt == "trig" else {}))
    stream.close()
    return sink.data


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(names=NAME_LISTS)
def test_the_lines_kgraph_writes_give_the_bytes_pyoxigraphs_writer_gives(names, tmp_path_factory):
    """graph.nt is written as text and graph.trig from N-Quads text: both must be what pyoxigraph writes
    from the terms themselves, for any name (quotes, backslashes, control characters, U+2028, ...)."""
    folder = tmp_path_factory.mktemp("lines")
    graph = tiny_graph(names)
    write_rdf(graph, folder)
    assert (folder / "graph.nt").read_bytes() == written_by_pyoxigraph(graph, "nt")
    assert (folder / "graph.trig").read_bytes() == written_by_pyoxigraph(graph, "trig")


def whole_node_link(graph: nx.MultiDiGraph) -> bytes:
    """What graph.json was before it was streamed: the node-link data dumped at once."""
    return (json.dumps(_printable(nx.node_link_data(graph, edges="edges")), ensure_ascii=False, sort_keys=True,
                       indent=1) + "\n").encode()


def test_graph_json_is_the_same_bytes_as_dumping_it_whole(seeds_build, tmp_path):
    graph = seeds_build[0].graph
    assert graph.number_of_edges() > 20
    write_node_link(graph, tmp_path / "graph.json")
    assert (tmp_path / "graph.json").read_bytes() == whole_node_link(graph)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(names=NAME_LISTS)
def test_graph_json_of_hostile_names_is_the_same_bytes_as_dumping_it_whole(names, tmp_path_factory):
    folder = tmp_path_factory.mktemp("nodelink")
    for graph in (tiny_graph(names), nx.MultiDiGraph()):
        write_node_link(graph, folder / "graph.json")
        assert (folder / "graph.json").read_bytes() == whole_node_link(graph)


def test_a_stream_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "graph.nt"
    path.write_bytes(b"old\n")
    with pytest.raises(RuntimeError):
        with atomic_file(path) as handle:
            handle.write(b"half of the ne")
            raise RuntimeError("killed")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nt"]


def _one_article(tmp_path):
    """A folder of one short article, for the builds below."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Jens Stoltenberg, the NATO Secretary-General, met officials in Baghdad.\n")
    return corpus


def test_a_build_hands_its_objects_back_to_the_garbage_collector(tmp_path, monkeypatch):
    """A build freezes what it keeps (gc.freeze) while it runs and unfreezes it at the end; a caller that
    froze objects itself keeps them frozen."""
    corpus = _one_article(tmp_path)
    froze = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (froze.append(gc.get_freeze_count()), freeze()))
    build([corpus], tmp_path / "out", workers=1, cache_dir=None)
    assert froze and gc.get_freeze_count() == 0
    froze.clear()
    freeze()
    unfrozen = []
    monkeypatch.setattr(gc, "unfreeze", lambda: unfrozen.append(True))
    try:
        build([corpus], tmp_path / "out2", workers=1, cache_dir=None)
        assert froze == [] and unfrozen == []
    finally:
        monkeypatch.undo()
        gc.unfreeze()


def test_a_build_pauses_the_garbage_collector_while_it_resolves_and_builds_the_graph(tmp_path, monkeypatch):
    """Resolution and the graph run with the collector off; the exports with it on again and the graph
    frozen (gc.freeze), so no collection rescans it; after the build the collector is as it was."""
    build_module = importlib.import_module("kgraph.build")  # kgraph.build is also the function
    corpus = _one_article(tmp_path)
    seen = {}

    def watching(name, function):
        def run(*args, **kwargs):
            result = function(*args, **kwargs)
            seen[name] = (gc.isenabled(), gc.get_freeze_count())
            return result
        return run

    for name in ("resolve", "build_graph", "export_all"):
        monkeypatch.setattr(build_module, name, watching(name, getattr(build_module, name)))
    build([corpus], tmp_path / "out", workers=1, cache_dir=None)
    assert seen["resolve"][0] is False and seen["build_graph"][0] is False
    assert seen["export_all"][0] is True
    assert seen["export_all"][1] > seen["build_graph"][1]  # what the graph build made is frozen before the exports
    assert gc.isenabled() and gc.get_freeze_count() == 0
