"""Graphs for the HTML export tests, built by hand with the schema kgraph.graph produces.

``hand_graph()`` is a small, friendly news graph; ``hostile_graph()`` puts markup, script,
quotes, bidi controls and a very long name into every field the page shows.
"""
from __future__ import annotations

import networkx as nx

STOLTENBERG = "person/jens-stoltenberg-3f2a9c1d"
NATO = "org/nato-0b1c2d3e"
BRUSSELS = "place/brussels-9a8b7c6d"
IRAQ = "place/iraq-11223344"
MCNULTY = "person/jessica-l-mcnulty-55667788"
PENTAGON = "org/pentagon-99aabbcc"

WORKS_FOR_SENTENCE = "NATO Secretary General Jens Stoltenberg said the alliance would expand its mission."

HOSTILE = [
    "</script><script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(2)">',
    'Bob href="javascript:window.__pwned=1;alert(3)"',
    "\"double\" 'single' `back` & ampersand",
    "evil\u202egpj.exe",
    "<!-- <script> ]]> \u2028\u2029",
    "<svg onload=\"window.__pwned=1\">" + "A" * 5000,
]


def evidence(article: str, sentence: str, sentence_start: int, subject: str, obj: str | None,
             *, extractor: str = "rules", confidence: float = 0.9) -> dict:
    """An evidence record whose offsets point into an article where ``sentence`` starts at ``sentence_start``."""
    subject_start = sentence_start + sentence.index(subject)
    record = {"article": article, "sentence": sentence, "sentence_start": sentence_start,
              "sentence_end": sentence_start + len(sentence),
              "subject_start": subject_start, "subject_end": subject_start + len(subject),
              "object_start": None, "object_end": None, "extractor": extractor, "confidence": confidence}
    if obj is not None:
        object_start = sentence_start + sentence.index(obj)
        record.update(object_start=object_start, object_end=object_start + len(obj))
    return record


def add_entity(graph: nx.MultiDiGraph, node: str, name: str, entity_type: str, *, aliases: list[str] = (),
               mentions: int = 1, articles: list[str] = ("a1",), roles: list[dict] | None = None) -> None:
    graph.add_node(node, name=name, type=entity_type, aliases=sorted({name, *aliases}), mentions=mentions,
                   articles=sorted(articles), iri=f"https://example.org/kg/{node}")
    if roles is not None:
        graph.nodes[node]["roles"] = roles


def add_fact(graph: nx.MultiDiGraph, subject: str, obj: str, key: str, relation: str, label: str,
             evidences: list[dict], **extra: str) -> None:
    graph.add_edge(subject, obj, key=key, relation=relation, label=label, iri=f"https://example.org/kg/fact/{key}",
                   articles=sorted({e["article"] for e in evidences}),
                   confidence=max(e["confidence"] for e in evidences), evidence=evidences, **extra)


def hand_graph() -> nx.MultiDiGraph:
    """Six entities from two articles, with a role, an action, two facts between the same pair."""
    graph = nx.MultiDiGraph()
    graph.graph["articles"] = {
        "a1": {"title": "NATO expands Iraq mission", "date": "2021-02-18", "url": "https://news.example/nato",
               "source": "Example News"},
        "a2": {"title": "Pentagon briefing", "date": "2021-03-01", "source": "Defense Wire"},
    }
    add_entity(graph, STOLTENBERG, "Jens Stoltenberg", "PERSON", aliases=["Stoltenberg"], mentions=5,
               articles=["a1", "a2"],
               roles=[{"role": "Secretary General", "organization": NATO, "articles": ["a1"]}])
    add_entity(graph, NATO, "NATO", "ORG", aliases=["North Atlantic Treaty Organization"], mentions=9,
               articles=["a1", "a2"])
    add_entity(graph, BRUSSELS, "Brussels", "PLACE", mentions=2)
    add_entity(graph, IRAQ, "Iraq", "PLACE", mentions=4, articles=["a1", "a2"])
    add_entity(graph, MCNULTY, "Jessica L. McNulty", "PERSON", aliases=["McNulty"], mentions=2, articles=["a2"],
               roles=[{"role": "spokeswoman", "organization": PENTAGON, "articles": ["a2"]}])
    add_entity(graph, PENTAGON, "Pentagon", "ORG", aliases=["the Pentagon"], mentions=3, articles=["a2"])

    add_fact(graph, STOLTENBERG, NATO, "fact-works-1", "works_for", "Secretary General",
             [evidence("a1", WORKS_FOR_SENTENCE, 120, "Jens Stoltenberg", "NATO", confidence=0.95)],
             role="Secretary General")
    add_fact(graph, NATO, IRAQ, "fact-action-1", "action", "expand mission in",
             [evidence("a1", "NATO will expand its training mission in Iraq.", 300, "NATO", "Iraq"),
              evidence("a2", "NATO agreed to expand the mission in Iraq, officials said.", 40, "NATO", "Iraq",
                       extractor="dependency", confidence=0.7)],
             predicate="expand mission in")
    add_fact(graph, NATO, BRUSSELS, "fact-based-1", "based_in", "based_in",
             [evidence("a1", "NATO, based in Brussels, met on Thursday.", 500, "NATO", "Brussels")])
    add_fact(graph, NATO, BRUSSELS, "fact-located-1", "located_in", "located_in",
             [evidence("a1", "The NATO headquarters in Brussels hosted the talks.", 700, "NATO", "Brussels",
                       confidence=0.6)])
    add_fact(graph, MCNULTY, PENTAGON, "fact-works-2", "works_for", "spokeswoman",
             [evidence("a2", "Pentagon spokeswoman Jessica L. McNulty said the review continues.", 10,
                       "Jessica L. McNulty", "Pentagon")],
             role="spokeswoman")
    add_fact(graph, PENTAGON, IRAQ, "fact-action-2", "action", "review",
             [evidence("a2", "The Pentagon is reviewing its Iraq posture.", 200, "Pentagon", "Iraq",
                       confidence=0.55)],
             predicate="review")
    return graph


def hostile_graph() -> nx.MultiDiGraph:
    """Every shown field carries a hostile string: names, aliases, roles, types, labels, sentences, articles."""
    graph = nx.MultiDiGraph()
    graph.graph["articles"] = {
        text: {"title": text, "date": text, "url": "javascript:window.__pwned=1", "source": text}
        for text in HOSTILE
    }
    nodes = [f"person/{text}" for text in HOSTILE]  # node ids carry markup too; the page must never show them
    for index, (node, text) in enumerate(zip(nodes, HOSTILE)):
        entity_type = ["PERSON", "ORG", "PLACE", text][index % 4]
        add_entity(graph, node, text, entity_type, aliases=HOSTILE[:3], mentions=index + 1, articles=[text],
                   roles=[{"role": text, "organization": nodes[0], "articles": [text]},
                          {"role": text, "organization": None, "articles": []}])
    for index, (node, text) in enumerate(zip(nodes, HOSTILE)):
        target = nodes[(index + 1) % len(nodes)]
        sentence = f"{text} met {HOSTILE[(index + 1) % len(HOSTILE)]} in {text}."
        subject = text
        obj = HOSTILE[(index + 1) % len(HOSTILE)]
        add_fact(graph, node, target, text, "action", text,
                 [evidence(text, sentence, 7, subject, obj, extractor=text),
                  {**evidence(text, sentence, 0, subject, None), "subject_start": -5, "subject_end": 10**6}],
                 predicate=text)
    return graph
