"""Article extractions -> one NetworkX ``MultiDiGraph`` with provenance on every edge.

Nodes are corpus entities (``name``, ``type``, ``aliases``, ``mentions``,
``articles``, ``roles``); edges are facts keyed by a stable fact id, each with
the ``evidence`` of every sentence that states it. A fact read in two articles
is one edge with two evidence records. ``graph.graph["merges"]`` is the
resolution ledger (see :mod:`kgraph.resolve`).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

import networkx as nx

from . import ids
from .names import name_key
from .resolve import Overrides, Resolution, resolve
from .types import ArticleExtraction, Evidence, RelationMention

__all__ = ["build_graph", "fact_identity", "load_graph", "RELATION_LABELS"]

# The relation classifier's operating point for the graph. Tuned for recall on CoNLL04 (threshold 0.4),
# it also pairs every person with every organization a sentence names; on the sample news below 0.75
# those pairs were mostly wrong ("Stoltenberg works for Islamic State", 0.61), and a wrong fact in a graph
# costs users more than a missed one.
MODEL_MIN_CONFIDENCE = 0.75
MODEL_EXTRACTOR = "classifier"

RELATION_LABELS = {"based_in": "based in", "located_in": "located in", "lives_in": "lives in", "killed": "killed"}


def fact_identity(relation: RelationMention, subject: str, obj: str | None) -> tuple:
    """What makes two relation mentions the same fact."""
    if relation.relation == "works_for":
        return ("works_for", subject, obj, name_key(relation.role or ""))
    if relation.relation == "action":
        return ("action", subject, obj, name_key(relation.predicate or ""))
    return (relation.relation, subject, obj)


def reaches_graph(relation: RelationMention, min_model_confidence: float = MODEL_MIN_CONFIDENCE) -> bool:
    """Whether a relation mention enters the graph: a pattern's always, the statistical classifier's at
    ``min_model_confidence`` or above (``kgraph extract`` and ``kgraph eval`` see them all)."""
    return relation.extractor.split("+")[0] != MODEL_EXTRACTOR or relation.confidence >= min_model_confidence


def build_graph(extractions: Iterable[ArticleExtraction], *, base: str = ids.DEFAULT_BASE,
                resolution: Resolution | None = None, overrides: Overrides | None = None,
                min_model_confidence: float = MODEL_MIN_CONFIDENCE) -> nx.MultiDiGraph:
    """Merge extractions into one graph; deterministic for the same input.

    ``overrides`` are the user's alias and keep-apart decisions; the resolution ledger goes into
    ``graph.graph["merges"]`` for :mod:`kgraph.export.ledger`. With a ``resolution`` of them, the extractions
    must come in article id order, and are read once. Relations that only the statistical
    classifier proposes enter the graph at ``min_model_confidence`` or above (``kgraph extract`` and
    ``kgraph eval`` see them all). A membership with no role joins the membership of the same person and
    organization that has one.
    """
    if resolution is None:
        extractions = sorted(extractions, key=lambda e: e.article.id)
        resolution = resolve(extractions, overrides=overrides)
    graph = nx.MultiDiGraph()
    graph.graph["base"] = base
    graph.graph["articles"] = {}
    graph.graph["merges"] = [entry.to_json() for entry in resolution.ledger]
    for entity in sorted(resolution.entities.values(), key=lambda e: e.id):
        attrs = {"name": entity.name, "type": entity.type, "aliases": entity.aliases, "mentions": entity.mentions,
                 "articles": entity.articles, "iri": ids.iri(entity.id, base), "roles": []}
        if entity.key:
            attrs["key"] = entity.key
        graph.add_node(entity.id, **attrs)

    facts: dict[tuple, dict] = {}
    for extraction in extractions:  # read once, in order: the build hands them over one at a time
        article = extraction.article
        graph.graph["articles"][article.id] = article.metadata
        for relation in extraction.relations:
            if not reaches_graph(relation, min_model_confidence):
                continue
            subject = resolution.members[(article.id, relation.subject_entity)]
            obj = resolution.members[(article.id, relation.object_entity)] if relation.object_entity >= 0 else None
            if subject == obj:
                continue
            identity = fact_identity(relation, subject, obj)
            fact = facts.setdefault(identity, {"relation": relation.relation, "subject": subject, "object": obj,
                                               "roles": Counter(), "predicates": Counter(), "dates": Counter(),
                                               "evidence": []})
            if relation.role:
                fact["roles"][relation.role] += 1
            if relation.predicate:
                fact["predicates"][relation.predicate] += 1
            if relation.date:
                fact["dates"][relation.date] += 1
            fact["evidence"].append(_evidence(article.text, relation))
    _fold_roleless_memberships(facts)

    roles = defaultdict(list)
    for identity in sorted(facts, key=lambda i: tuple("" if x is None else str(x) for x in i)):
        fact = facts[identity]
        evidence = _evidence_records(fact["evidence"])
        articles = sorted({e["article"] for e in evidence})
        attrs = {"relation": fact["relation"], "articles": articles, "evidence": evidence,
                 "confidence": max(e["confidence"] for e in evidence)}
        role = _most_common(fact["roles"])
        predicate = _most_common(fact["predicates"])
        if role:
            attrs["role"] = role
        if predicate:
            attrs["predicate"] = predicate
        if fact["dates"]:
            attrs["date"] = _most_common(fact["dates"])
        attrs["label"] = role or predicate or RELATION_LABELS.get(fact["relation"], "works for")
        key = ids.fact_id(fact["relation"], *identity[1:])
        attrs["iri"] = ids.iri(key, base)
        if fact["relation"] == "works_for":
            roles[fact["subject"]].append({"role": role, "organization": fact["object"], "articles": articles,
                                           "fact": key})
        if fact["object"] is not None:
            graph.add_edge(fact["subject"], fact["object"], key=key, **attrs)
        else:
            graph.nodes[fact["subject"]].setdefault("open_roles", []).append({"key": key, **attrs})
    for node, entries in roles.items():
        graph.nodes[node]["roles"] = entries
    return graph


def _fold_roleless_memberships(facts: dict[tuple, dict]) -> None:
    """("works_for", person, org, "") says less than ("works_for", person, org, "spokesperson"): give its
    evidence to the best-supported membership of the same pair that names a role."""
    with_role: dict[tuple, list[tuple]] = defaultdict(list)
    for identity in facts:
        if identity[0] == "works_for" and identity[2] is not None and identity[3]:
            with_role[identity[1:3]].append(identity)
    for identity in [i for i in facts if i[0] == "works_for" and i[2] is not None and not i[3]]:
        candidates = with_role.get(identity[1:3])
        if candidates:
            target = sorted(candidates, key=lambda i: (-len(facts[i]["evidence"]), i[3]))[0]
            facts[target]["evidence"].extend(facts.pop(identity)["evidence"])


EVIDENCE_KEYS = tuple(sorted(f.name for f in fields(Evidence)))


def _evidence_records(found: list[Evidence]) -> list[dict]:
    """Each record once, in the order of its JSON text, its keys sorted: what reading that JSON back gives,
    without a new string for every key of every record. A fact read once (half of them) needs no JSON text."""
    records = [{key: getattr(evidence, key) for key in EVIDENCE_KEYS} for evidence in found]
    if len(records) == 1:
        return records
    unique = {json.dumps(record): record for record in records}  # the keys are sorted already
    return [unique[text] for text in sorted(unique)]


def _most_common(counter: Counter) -> str | None:
    if not counter:
        return None
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _evidence(text: str, relation: RelationMention) -> Evidence:
    start, end = relation.sentence
    end = start + len(text[start:end].rstrip())
    return Evidence(
        article=relation.doc,
        sentence=text[start:end],
        sentence_start=start,
        sentence_end=end,
        subject_start=relation.subject.start,
        subject_end=relation.subject.end,
        object_start=relation.object.start if relation.object else None,
        object_end=relation.object.end if relation.object else None,
        extractor=relation.extractor,
        confidence=relation.confidence,
    )


def load_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read ``graph.json`` (node-link) from an exports folder or a file path."""
    path = Path(path)
    if path.is_dir():
        path = path / "graph.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
