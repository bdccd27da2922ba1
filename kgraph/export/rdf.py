"""The graph -> RDF per docs/RDF-MODEL.md: Turtle, N-Triples, JSON-LD and TriG.

Entities are ``schema:Person``/``schema:Organization``/``schema:Place`` with one
``rdfs:label`` and their ``skos:altLabel``s; roles are W3C ORG memberships;
actions are SEM events; static facts are plain schema.org triples. Every fact
carries ``kg:evidence`` records (sentence, offsets, extractor, confidence) and
``prov:wasDerivedFrom`` its articles; TriG puts each article's facts in a named
graph of their own.
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .. import ids
from ..ingest import replace_unsafe
from ..names import name_key
from .atomic import atomic_write

__all__ = ["to_dataset", "write_rdf", "RDF_FORMATS", "KG", "SCHEMA", "ORG", "SEM"]

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
KG = Namespace(ids.NS)
TYPE_CLASSES = {"PERSON": SCHEMA.Person, "ORG": SCHEMA.Organization, "PLACE": SCHEMA.Place}
STATIC_PREDICATES = {"based_in": SCHEMA.location, "located_in": SCHEMA.containedInPlace,
                     "lives_in": SCHEMA.homeLocation, "killed": KG.killed}
RDF_FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld", "graph.trig": "trig"}
PREFIXES = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "skos": SKOS, "owl": OWL, "schema": SCHEMA, "org": ORG,
            "sem": SEM, "prov": PROV, "dcterms": DCTERMS, "kg": KG}


def text(value: str) -> Literal:
    r"""A plain string literal, with characters no RDF syntax can carry (control characters, lone
    surrogates, noncharacters) replaced one for one by U+FFFD (:func:`kgraph.ingest.replace_unsafe`).

    >>> text("NATO\x00 \u2028met\ud800") == Literal("NATO\ufffd \u2028met\ufffd")
    True
    """
    return Literal(replace_unsafe(value))


def to_dataset(graph: nx.MultiDiGraph) -> Dataset:
    """Build the RDF dataset: the default graph describes entities and articles, one named graph per article."""
    base = graph.graph.get("base", ids.DEFAULT_BASE)
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    default = dataset.default_graph
    article_iri = {a: URIRef(ids.iri(ids.article_id(a), base)) for a in graph.graph.get("articles", {})}
    named = {a: dataset.graph(iri) for a, iri in sorted(article_iri.items())}

    for article, meta in sorted(graph.graph.get("articles", {}).items()):
        node = article_iri[article]
        default.add((node, RDF.type, SCHEMA.NewsArticle))
        default.add((node, DCTERMS.identifier, text(article)))
        for field, predicate in (("title", SCHEMA.headline), ("date", SCHEMA.datePublished), ("url", SCHEMA.url),
                                 ("source", SCHEMA.publisher)):
            if meta.get(field):
                value = _date_literal(meta[field]) if field == "date" else text(meta[field])
                default.add((node, predicate, value))

    for node_id, data in sorted(graph.nodes(data=True)):
        entity = URIRef(data["iri"])
        default.add((entity, RDF.type, TYPE_CLASSES[data["type"]]))
        default.add((entity, RDFS.label, text(data["name"])))
        for alias in data.get("aliases", []):
            default.add((entity, SKOS.altLabel, text(alias)))
        if str(data.get("key", "")).startswith("iso3166:"):
            default.add((entity, RDF.type, SCHEMA.Country))
            default.add((entity, KG.iso3166, Literal(data["key"].split(":", 1)[1])))
        for article in data.get("articles", []):
            default.add((entity, KG.mentionedIn, article_iri[article]))

    for subject, obj, _key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2]):
        _add_fact(graph, subject, obj, data, base, default, named, article_iri)
    for node_id, data in sorted(graph.nodes(data=True)):
        for fact in data.get("open_roles", []):
            _add_fact(graph, node_id, None, fact, base, default, named, article_iri)
    return dataset


def _add_fact(graph, subject, obj, data, base, default, named, article_iri) -> None:
    """One fact: its triples in the graph of every article that states it, its evidence beside them."""
    person_or_actor = URIRef(graph.nodes[subject]["iri"])
    target = URIRef(graph.nodes[obj]["iri"]) if obj is not None else None
    fact = URIRef(data["iri"])
    relation = data["relation"]
    triples = []
    if relation == "works_for":
        role = data.get("role")
        triples += [(fact, RDF.type, ORG.Membership), (fact, ORG.member, person_or_actor)]
        if role:
            role_node = URIRef(ids.iri(ids.fact_id("role", role), base))
            triples += [(fact, ORG.role, role_node), (role_node, RDF.type, ORG.Role), (role_node, RDFS.label, text(role))]
        if target is not None:
            triples += [(fact, ORG.organization, target), (person_or_actor, ORG.memberOf, target)]
    elif relation == "action":
        triples += [(fact, RDF.type, SEM.Event), (fact, RDFS.label, text(data.get("predicate") or "acts in")),
                    (fact, SEM.hasActor, person_or_actor), (fact, SEM.hasPlace, target)]
    else:
        triples.append((person_or_actor, STATIC_PREDICATES[relation], target))
        triples += [(fact, RDF.type, RDF.Statement), (fact, RDF.subject, person_or_actor),
                    (fact, RDF.predicate, STATIC_PREDICATES[relation]), (fact, RDF.object, target)]
    triples.append((fact, KG.confidence, Literal(round(float(data["confidence"]), 3))))
    for article in data["articles"]:
        triples.append((fact, PROV.wasDerivedFrom, article_iri[article]))
    per_article: dict[str, list] = {}
    for evidence in data["evidence"]:
        node = URIRef(ids.iri(ids.fact_id("evidence", data["iri"], evidence["article"], evidence["sentence_start"],
                                          evidence["subject_start"], evidence["object_start"]), base))
        per_article.setdefault(evidence["article"], []).extend(_evidence_triples(node, fact, evidence, article_iri))
    if relation == "action":
        stamp = _event_time(data, graph.graph.get("articles", {}), data["articles"])
        if stamp is not None:
            triples.append((fact, SEM.hasTimeStamp, stamp))
    for article in data["articles"]:
        for triple in triples + per_article.get(article, []):
            named[article].add(triple)


def _evidence_triples(node, fact, evidence, article_iri) -> list:
    triples = [
        (fact, KG.evidence, node),
        (node, RDF.type, KG.Evidence),
        (node, PROV.wasDerivedFrom, article_iri[evidence["article"]]),
        (node, KG.sentence, text(evidence["sentence"])),
        (node, KG.sentenceStart, Literal(evidence["sentence_start"])),
        (node, KG.sentenceEnd, Literal(evidence["sentence_end"])),
        (node, KG.subjectStart, Literal(evidence["subject_start"])),
        (node, KG.subjectEnd, Literal(evidence["subject_end"])),
        (node, KG.extractor, text(evidence["extractor"])),
        (node, KG.confidence, Literal(round(float(evidence["confidence"]), 3))),
    ]
    if evidence.get("object_start") is not None:
        triples += [(node, KG.objectStart, Literal(evidence["object_start"])),
                    (node, KG.objectEnd, Literal(evidence["object_end"]))]
    return triples


def _date_literal(value: str) -> Literal:
    import re

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    return text(value)


def _event_time(data: dict, articles: dict, sources: list[str]) -> Literal | None:
    """The date the sentence states when it resolves to a day, else the article's date."""
    article_dates = sorted(articles.get(a, {}).get("date") for a in sources if articles.get(a, {}).get("date"))
    stated = data.get("date")
    if stated:
        import dateparser

        settings = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
        if article_dates:
            import datetime as dt

            settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(article_dates[0])
        year_hint = f"{stated} {article_dates[0][:4]}" if article_dates and not any(ch.isdigit() for ch in stated[-4:]) else stated
        parsed = dateparser.parse(year_hint, languages=["en"], settings=settings)
        if parsed is not None:
            return Literal(parsed.date().isoformat(), datatype=XSD.date)
    if article_dates and len(article_dates[0]) == 10:
        return Literal(article_dates[0], datatype=XSD.date)
    return None


def serialize(dataset: Dataset, fmt: str) -> str:
    """Serialize deterministically: graphs and lines in a fixed order."""
    if fmt == "trig":
        return _trig(dataset)
    union = _bound_graph()
    for s, p, o, _g in sorted(dataset.quads((None, None, None, None))):
        union.add((s, p, o))
    if fmt == "nt":
        lines = union.serialize(format="nt").split("\n")  # not splitlines(): U+2028 may sit inside a literal
        return "\n".join(sorted(set(line for line in lines if line.strip()))) + "\n"
    if fmt == "json-ld":
        return _sorted_json_ld(union.serialize(format="json-ld"))
    return union.serialize(format=fmt)


def _bound_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _turtle_body(graph: Graph) -> str:
    return "\n".join(line for line in graph.serialize(format="turtle").split("\n")
                     if not line.startswith("@prefix")).strip()


def _trig(dataset: Dataset) -> str:
    """TriG with the default graph first and the named graphs in IRI order, each sorted like Turtle.

    rdflib's own TriG writer orders graphs by hash, which changes from run to run.
    """
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    blocks = []
    for context in sorted(dataset.graphs(), key=lambda g: (g.identifier != dataset.default_graph.identifier,
                                                              str(g.identifier))):
        graph = _bound_graph()
        for triple in context:
            graph.add(triple)
        if not len(graph):
            continue
        body = _turtle_body(graph)
        if context.identifier == dataset.default_graph.identifier:
            blocks.append(body)
        else:
            blocks.append(f"<{context.identifier}> {{\n{body}\n}}")
    return prefixes + "\n" + "\n\n".join(blocks) + "\n"


def _sorted_json_ld(document: str) -> str:
    """rdflib's JSON-LD comes out in set order; nodes and value arrays (unordered in JSON-LD) are sorted here."""
    import json

    def canonical(value):
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in value.items()}
        if isinstance(value, list):
            return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return value

    return json.dumps(canonical(json.loads(document)), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_rdf(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write graph.ttl, graph.nt, graph.jsonld and graph.trig into ``folder``, each atomically."""
    dataset = to_dataset(graph)
    return [atomic_write(Path(folder) / name, serialize(dataset, fmt)) for name, fmt in RDF_FORMATS.items()]
