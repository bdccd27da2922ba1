"""Property: any name survives minting and every export format.

Hypothesis generates names from all of Unicode (control characters, lone surrogates, quotes, ``<``,
``>``, spaces, right-to-left marks, U+2028, noncharacters) and puts each into a small graph as an
entity's name, another entity's alias, a role, an evidence sentence, an extractor, an article's id
and all its metadata. Every export is written through the real exporters; each RDF file must parse
back in rdflib and in pyoxigraph to the same triples, with the name as its label, cleaned only of the
characters no RDF syntax can carry; graph.json, graph.graphml and graph.html must read back too.
"""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDFS, XSD, Dataset, Graph, Literal, URIRef

from kgraph import ids
from kgraph.export.graphfiles import _printable, _scalars, write_graphml, write_node_link
from kgraph.export.html import write_html
from kgraph.export.rdf import text, write_rdf
from kgraph.ingest import UNSAFE_CHARS, replace_unsafe

NASTY = ['"', "'", "<", ">", "&", "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x85", "\u202e", "\u200f",
         "\u2066", "\ud800", "\udfff", "\ufffe", "\uffff", "\ufeff", " ", "{", "}", "`", "^", "|", "_:", "#", "%20",
         "\u2028", "\u2029", "\U0001f600", "\u0301", "@context", "]]>", "</script>", "<!--", '"""', "'''", "\\u0000"]
NAME = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY)), min_size=1,
                max_size=16).map("".join)
NAME_LISTS = st.lists(NAME, min_size=2, max_size=6)
TYPES = ("PERSON", "ORG", "PLACE")
RDF_FILES = {"graph.ttl": (ox.RdfFormat.TURTLE, "turtle"), "graph.nt": (ox.RdfFormat.N_TRIPLES, "nt"),
             "graph.jsonld": (ox.RdfFormat.JSON_LD, "json-ld"), "graph.trig": (ox.RdfFormat.TRIG, "trig")}
EXAMPLES = 2000
HTML_EXAMPLES = 200
NUMERIC = {str(XSD.double), str(XSD.decimal), str(XSD.integer), str(XSD.float)}
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None  # fsync is free there: the writes are not what is tested
generated: list[str] = []  # every name fed through, counted at the end


def examples(count: int):
    """Hypothesis settings for a property over ``count`` examples: reproducible, no deadline (writes are slow)."""
    return settings(max_examples=count, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def tiny_graph(names: list[str]) -> nx.MultiDiGraph:
    """One entity per name, each with the next name as its alias, linked in a chain of facts whose roles,
    evidence sentences and extractors are the names too; the first name is the article's id, the second
    all of its metadata."""
    article = names[0]
    graph = nx.MultiDiGraph(base=ids.DEFAULT_BASE, articles={article: dict.fromkeys(("title", "date", "url", "source"),
                                                                                   names[1])})
    nodes = []
    for index, name in enumerate(names):
        entity_type = TYPES[index % len(TYPES)]
        node = ids.entity_id(entity_type, f"name:{name}", name)
        graph.add_node(node, name=name, type=entity_type, aliases=[names[(index + 1) % len(names)]], mentions=1,
                       articles=[article], iri=ids.iri(node), roles=[])
        nodes.append(node)
    for index, (subject, obj) in enumerate(zip(nodes, nodes[1:])):
        name, other = names[index], names[index + 1]
        key = ids.fact_id("works_for", subject, obj, name)
        sentence = f"{name} works for {other}"
        evidence = {"article": article, "sentence": sentence, "sentence_start": 0, "sentence_end": len(sentence),
                    "subject_start": 0, "subject_end": len(name), "object_start": len(sentence) - len(other),
                    "object_end": len(sentence), "extractor": name, "confidence": 0.5}
        graph.add_edge(subject, obj, key=key, relation="works_for", role=name, label=name, articles=[article],
                       evidence=[evidence], confidence=0.5, iri=ids.iri(key))
    return graph


def assert_replaced_one_for_one(name: str, written: str) -> None:
    """The name as written differs from the name only where a character no format can carry was."""
    assert len(written) == len(name)
    for given, kept in zip(name, written):
        assert kept == given or (UNSAFE_CHARS.match(given) and kept == "\ufffd") or \
            (given in "\u2028\u2029" and kept == "\n"), (given, kept)


def rdflib_triples(path: Path, fmt: str) -> set[tuple]:
    if fmt == "trig":
        dataset = Dataset()
        dataset.parse(path, format="trig")
        return {tuple(_rdflib_term(t) for t in (s, p, o)) for s, p, o, _ in dataset.quads()}
    return {tuple(_rdflib_term(t) for t in triple) for triple in Graph().parse(path, format=fmt)}


def oxigraph_triples(path: Path, fmt: ox.RdfFormat) -> set[tuple]:
    return {(_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object)) for q in ox.parse(path=str(path), format=fmt)}


def _rdflib_term(term) -> tuple:
    if isinstance(term, Literal):
        datatype = term.datatype or (None if term.language else XSD.string)
        return _literal(str(term), str(datatype) if datatype else None, term.language)
    assert isinstance(term, URIRef), term  # no blank nodes: every node is minted
    return ("iri", str(term))


def _literal(lexical: str, datatype: str | None, language: str | None) -> tuple:
    """Numbers compare by value: "5e-01" and "0.5" are one xsd:double, however a library writes it."""
    if datatype in NUMERIC:
        return ("literal", float(lexical), datatype, None)
    return ("literal", lexical, datatype, language)


def _ox_term(term) -> tuple:
    if isinstance(term, ox.Literal):
        return _literal(term.value, None if term.language else term.datatype.value, term.language)
    assert isinstance(term, ox.NamedNode), term
    return ("iri", term.value)


@examples(EXAMPLES)
@given(names=NAME_LISTS)
def test_every_name_survives_every_format(names):
    generated.extend(names)
    graph = tiny_graph(names)
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        out = Path(folder)
        write_rdf(graph, out)
        write_node_link(graph, out / "graph.json")
        write_graphml(graph, out / "graph.graphml")

        reference = None
        for file, (ox_format, rdflib_format) in RDF_FILES.items():
            from_rdflib, from_oxigraph = rdflib_triples(out / file, rdflib_format), oxigraph_triples(out / file, ox_format)
            assert from_rdflib == from_oxigraph, file
            reference = reference or from_rdflib
            assert from_rdflib == reference, file
        for _, data in graph.nodes(data=True):
            labels = {o[1] for s, p, o in reference if s == ("iri", data["iri"]) and p == ("iri", str(RDFS.label))}
            assert labels == {str(text(data["name"]))}
            assert_replaced_one_for_one(data["name"], str(text(data["name"])))
        for triple in reference:
            for term in triple:
                if term[0] == "iri":
                    assert re.fullmatch(r"[A-Za-z0-9:/._#-]+", term[1]), term

        expected = {replace_unsafe(data["name"]) for _, data in graph.nodes(data=True)}
        data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
        assert {n["name"] for n in data["nodes"]} == expected
        read = nx.read_graphml(out / "graph.graphml")
        assert {d["name"] for _, d in read.nodes(data=True)} == expected
        assert (out / "graph.graphml").read_bytes() == networkx_graphml(graph, out / "networkx.graphml")


def networkx_graphml(graph: nx.MultiDiGraph, path: Path) -> bytes:
    """What networkx's own GraphML writer makes of the graph with its values made scalar: kgraph's streaming
    writer must give the same bytes."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(_printable(node), **_scalars(data))
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(_printable(u), _printable(v), key=_printable(key), **_scalars(data))
    nx.write_graphml_lxml(flat, path, encoding="utf-8", prettyprint=True)
    return path.read_bytes()


@examples(HTML_EXAMPLES)
@given(names=NAME_LISTS)
def test_every_name_survives_the_html_page(names):
    """The page is slower to write, so fewer examples; its data island must give every name back as it is."""
    generated.extend(names)
    graph = tiny_graph(names)
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        page = write_html(graph, Path(folder) / "graph.html").read_text(encoding="utf-8")
    island = page.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert {n["name"] for n in json.loads(island)["nodes"]} == {d["name"] for _, d in graph.nodes(data=True)}


def test_at_least_two_thousand_names_went_through():
    """Runs after the properties above (pytest keeps file order): the count the issue asks for."""
    assert len(generated) >= 2 * (EXAMPLES + HTML_EXAMPLES), len(generated)
    print(f"{len(generated)} generated names went through minting and every export format")
