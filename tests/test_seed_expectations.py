"""The hand-made expectations for the sample article (tests/data/seed-expectations.json) hold on a build of it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLD = json.loads((Path(__file__).parent / "data" / "seed-expectations.json").read_text(encoding="utf-8"))


def _norm(name: str) -> str:
    return name.strip().casefold()


def _names(data: dict) -> set[str]:
    return {_norm(data["name"])} | {_norm(a) for a in data.get("aliases", [])}


def _nodes_named(graph, names: list[str], entity_type: str | None = None) -> list[str]:
    wanted = {_norm(n) for n in names}
    return [n for n, d in graph.nodes(data=True)
            if _names(d) & wanted and (entity_type is None or d["type"] == entity_type)]


def _facts(graph) -> list[dict]:
    """Every role and action fact as {family, subject, object, role, predicate}."""
    facts = []
    for u, v, d in graph.edges(data=True):
        family = {"works_for": "role", "action": "action"}.get(d["relation"])
        if family:
            facts.append({"family": family, "subject": u, "object": v, "role": d.get("role") or "",
                          "predicate": d.get("predicate") or ""})
    for node, d in graph.nodes(data=True):
        for fact in d.get("open_roles", []):
            facts.append({"family": "role", "subject": node, "object": None, "role": fact.get("role") or "",
                          "predicate": ""})
    return facts


@pytest.mark.parametrize("item", GOLD["entities"]["must"], ids=lambda i: i["names"][0])
def test_entity_must(seed_build, item):
    graph = seed_build[0].graph
    nodes = _nodes_named(graph, item["names"], item["type"])
    assert nodes, f"no {item['type']} node named any of {item['names']}"
    if item["one_node"]:
        for name in item["names"]:
            assert any(_norm(name) in _names(graph.nodes[n]) for n in nodes[:1]), \
                f"{name!r} is not on the same node as {item['names'][0]!r}: {[graph.nodes[n]['name'] for n in nodes]}"


@pytest.mark.parametrize("item", GOLD["entities"]["must_not"], ids=lambda i: i["names"][0])
def test_entity_must_not(seed_build, item):
    graph = seed_build[0].graph
    assert not _nodes_named(graph, item["names"], item.get("type")), item.get("note")


def _matches(graph, fact: dict, item: dict) -> bool:
    if fact["family"] != item["family"]:
        return False
    if _norm(graph.nodes[fact["subject"]]["name"]) not in {_norm(n) for n in item["subject"]} and not (
            _names(graph.nodes[fact["subject"]]) & {_norm(n) for n in item["subject"]}):
        return False
    if item.get("object") is not None:
        if fact["object"] is None or not _names(graph.nodes[fact["object"]]) & {_norm(n) for n in item["object"]}:
            return False
    if "role_contains" in item and _norm(item["role_contains"]) not in _norm(fact["role"]):
        return False
    if "predicate_any" in item and not any(_norm(p) in _norm(fact["predicate"]) for p in item["predicate_any"]):
        return False
    return True


@pytest.mark.parametrize("item", GOLD["relations"]["must"],
                         ids=lambda i: f"{i['family']}-{i['subject'][0]}-{(i.get('object') or ['none'])[0]}")
def test_relation_must(seed_build, item):
    graph = seed_build[0].graph
    assert any(_matches(graph, fact, item) for fact in _facts(graph)), item


@pytest.mark.parametrize("item", GOLD["relations"]["must_not"], ids=lambda i: f"{i['family']}-{i['subject'][0]}")
def test_relation_must_not(seed_build, item):
    graph = seed_build[0].graph
    assert not [f for f in _facts(graph) if _matches(graph, f, item)], item.get("note")
