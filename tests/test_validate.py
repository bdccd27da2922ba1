"""`kgraph validate`: the SHACL shapes of the RDF model accept the sample build and catch what breaks the model."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from kgraph.cli import main
from kgraph.validate import validate

KG = Namespace("https://kgraph.example/ns#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")


def test_the_sample_build_has_no_violation(seeds_build):
    findings = validate(seeds_build[1])
    assert [f for f in findings if f.severity == "Violation"] == []
    result = CliRunner().invoke(main, ["validate", str(seeds_build[1])])
    assert result.exit_code == 0 and "0 violations" in result.output


def label(graph: Graph, name: str) -> URIRef:
    return next(graph.subjects(RDFS.label, Literal(name)))


@pytest.fixture(scope="module")
def broken(seeds_build, tmp_path_factory):
    """The sample graph with one break of each kind, and the violations each must give."""
    graph = Graph().parse(seeds_build[1] / "graph.nt", format="nt")
    kirby, nato, iraq = label(graph, "John Kirby"), label(graph, "NATO"), label(graph, "Iraq")
    membership = next(m for m in graph.subjects(ORG.member, kirby))
    event = next(graph.subjects(RDF.type, SEM.Event))
    evidence = next(graph.objects(membership, KG.evidence))
    graph.add((kirby, RDFS.label, Literal("Kirby, J.")))                         # two labels
    graph.remove((nato, RDFS.label, None))
    graph.add((nato, RDFS.label, Literal("NATO", lang="en")))                    # a language-tagged label
    graph.add((iraq, RDF.type, SCHEMA.Organization))                             # two entity types
    graph.set((evidence, KG.confidence, Literal(1.5)))                           # confidence past 1
    graph.set((evidence, KG.sentenceStart, Literal("12")))                       # an offset as a string
    for e in list(graph.objects(event, KG.evidence)):                            # an event without evidence
        graph.remove((event, KG.evidence, e))
    graph.remove((event, SEM.hasPlace, None))                                    # ... and without a place
    path = tmp_path_factory.mktemp("broken") / "graph.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    expected = {
        (kirby, "rdfs:label", "MaxCountConstraintComponent"),
        (nato, "rdfs:label", "DatatypeConstraintComponent"),
        (iraq, "", "XoneConstraintComponent"),
        (evidence, "kg:confidence", "MaxInclusiveConstraintComponent"),
        (evidence, "kg:sentenceStart", "DatatypeConstraintComponent"),  # and, a string being no number:
        (evidence, "kg:sentenceStart", "MinInclusiveConstraintComponent"),
        (evidence, "kg:sentenceStart", "LessThanConstraintComponent"),
        (event, "kg:evidence", "MinCountConstraintComponent"),
        (event, "sem:hasPlace", "MinCountConstraintComponent"),
    }
    return path, {(f"<{node}>", p, c) for node, p, c in expected}


def test_each_break_gives_its_violation(broken):
    path, expected = broken
    found = {(f.focus, f.path, f.constraint) for f in validate(path) if f.severity == "Violation"}
    assert found == expected


def test_cli_lists_violations_and_exits_non_zero(broken):
    path, expected = broken
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and f"{len(expected)} violations" in result.output
    assert "Violation: " in result.output and "kg:confidence" in result.output
