"""The graph as one self-contained, interactive HTML page.

The page draws the graph with vis-network, the copy that ships inside pyvis
(``pyvis/lib/vis-9.1.2``), inlined with its CSS so the page works offline and
makes no network request. pyvis's own template is not used: it loads Bootstrap
from a CDN and puts data into the page as HTML.

Safety rules the page keeps:

* all graph data goes in once, as JSON in ``<script type="application/json">``,
  with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no name can end the tag;
* node and edge ids in the page are the integers 0..n-1, never entity text;
* the page's script builds every element with ``textContent``, never ``innerHTML``;
* a Content-Security-Policy allows only the page's own two scripts (by hash),
  no network at all, and no HTML sinks (Trusted Types).

Positions are computed here, deterministically, and drawn with physics off:
the same graph gives byte-identical HTML.

Big graphs stay fluid on a 2D canvas: a graph of more than ``focus_limit`` entities opens
on its most connected ones (the user shows a node's neighbours, or everything, from the
page), and above a few thousand visible edges pan and zoom draw the nodes only. Filters
(entity type, relation family, minimum of supporting articles) hide items through vis
DataViews. A WebGL renderer (sigma.js 3) was measured and rejected: in Chromium without a
GPU (SwiftShader) it panned a 5,000-node graph at 4-15 frames a second; this page pans
and zooms it at 45-57 (bench/bench_html.py).
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import os
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse.linalg

from .atomic import atomic_file

__all__ = ["write_html", "render_html"]

TYPE_COLORS: dict[str, str] = {"PERSON": "#0072B2", "ORG": "#E69F00", "PLACE": "#009E73"}
OTHER_COLOR = "#999999"
RELATION_FAMILIES: dict[str, str] = {"works_for": "role", "action": "action"}  # any other relation is "static"
FOCUS_LIMIT = 1000  # a bigger graph opens on its this-many most connected entities; the user expands from there
LABEL_LIMIT = 40  # characters of a name or edge label drawn on the canvas; the panel shows all
SEED = 42
LARGE_GRAPH = 1500  # above this many nodes only small components get the (quadratic) spring layout
SMALL_COMPONENT = 100
# networkx's spring layout is fast (dense numpy) below 500 nodes and ten times slower above:
# 0.2 s for a 300-node component, 11 s for 1,000 nodes. Bigger components get the spectral layout.
SPRING_COMPONENT = 499
MIN_RADIUS, MAX_RADIUS = 8.0, 30.0  # px of the least and the most mentioned entity's dot
NODE_GAP = 4.0  # px kept between two dots of a spring-laid component, so each one can be clicked
PX_PER_SQRT_NODE = 220.0  # a component of n nodes gets a square box this many px * sqrt(n - 1) wide
COMPONENT_GAP = 140.0

VIS_DIR = "lib/vis-9.1.2"
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def render_html(graph: nx.MultiDiGraph, *, focus_limit: int = FOCUS_LIMIT) -> str:
    """The page for ``graph``, as a string.

    A graph of more than ``focus_limit`` entities opens on its ``focus_limit`` most connected
    ones (the canvas stays fluid); the page has a button to show them all and one per entity
    to show its neighbours.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("person/a", name="</script>", type="PERSON", mentions=1)
    >>> page = render_html(g)
    >>> "</script>" in page.split('id="kg-data">')[1].split("</script>")[0]
    False
    >>> page == render_html(g)
    True
    """
    return "".join(_page(graph, focus_limit=focus_limit))


def write_html(graph: nx.MultiDiGraph, path: str | os.PathLike, *, focus_limit: int = FOCUS_LIMIT) -> Path:
    """Write the page for ``graph`` to ``path`` (atomically, UTF-8) and return the path.

    The page is written a piece at a time (:func:`_page`): neither it nor its data is ever in memory whole.

    >>> import tempfile
    >>> out = write_html(nx.MultiDiGraph(), Path(tempfile.mkdtemp()) / "graph.html")
    >>> out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    pieces = _page(graph, focus_limit=focus_limit)
    with atomic_file(path) as handle:
        for piece in pieces:
            handle.write(piece.encode("utf-8"))
    return Path(path)


def _page(graph: nx.MultiDiGraph, *, focus_limit: int) -> Iterator[str]:
    """The page for ``graph`` in pieces: the template's text, and the graph's data a record at a time.

    The checks and the layout run at the call, before the first piece is asked for (and a file opened).
    """
    if focus_limit < 1:
        raise ValueError(f"focus_limit must be at least 1 (the entities a big graph opens on), not {focus_limit}")
    vis_js, vis_css = _vis_assets()
    app_js = _read_resource("html_page.js")
    values = {"csp": _content_security_policy([vis_js, app_js]), "vis_css": vis_css, "vis_js": vis_js,
              "app_js": app_js}
    before, _, after = _read_resource("html_page.html").partition("${data}")
    data = _data_json({**_graph_records(graph), "focusLimit": focus_limit})
    return itertools.chain([Template(before).substitute(values)], data, [Template(after).substitute(values)])


def _graph_data(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data with integer ids.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("org/nato", name="NATO", type="ORG", mentions=3)
    >>> _graph_data(g)["nodes"][0]["name"], _graph_data(g)["nodes"][0]["id"]
    ('NATO', 0)
    """
    return {key: list(records) for key, records in _graph_records(graph).items()}


def _graph_records(graph: nx.MultiDiGraph) -> dict[str, Iterable[dict[str, Any]]]:
    """:func:`_graph_data`, each list made a record at a time as it is read."""
    node_ids = {node: index for index, node in enumerate(sorted(graph.nodes, key=str))}
    article_ids = _article_index(graph)
    positions = _layout(graph)
    radii = _radii(graph)
    edges = _sorted_edges(graph)
    curves = _curves([(node_ids[subject], node_ids[obj]) for subject, obj, _, _ in edges])
    return {
        "articles": (_article_record(graph, article) for article in article_ids),
        "legend": _legend(graph),
        "nodes": (_node_record(graph, node, node_ids, article_ids, positions[node], radii[node]) for node in node_ids),
        "edges": ({**_edge_record(edge, index, node_ids, article_ids), "smooth": smooth}
                  for index, (edge, smooth) in enumerate(zip(edges, curves))),
    }


# --- records ---------------------------------------------------------------------------------------


def _article_index(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Every article the graph knows or refers to, numbered in sorted order."""
    ids = set(graph.graph.get("articles", {}))
    for _, attrs in graph.nodes(data=True):
        ids.update(attrs.get("articles", []))
        for role in attrs.get("roles") or []:
            ids.update(role.get("articles", []))
    for _, _, attrs in graph.edges(data=True):
        ids.update(attrs.get("articles", []))
        ids.update(evidence["article"] for evidence in attrs.get("evidence", []))
    return {article: index for index, article in enumerate(sorted(ids, key=str))}


def _article_record(graph: nx.MultiDiGraph, article: str) -> dict[str, Any]:
    meta = graph.graph.get("articles", {}).get(article, {})
    record = {"id": str(article)}
    for key in ("title", "date", "source", "url"):
        if meta.get(key):
            record[key] = str(meta[key])
    return record


def _node_record(graph: nx.MultiDiGraph, node: Hashable, node_ids: dict[Hashable, int],
                 article_ids: dict[str, int], position: tuple[float, float], radius: float) -> dict[str, Any]:
    attrs = graph.nodes[node]
    name = str(attrs.get("name", ""))
    entity_type = str(attrs.get("type", ""))
    return {
        "id": node_ids[node],
        "name": name,
        "label": _canvas_label(name),
        "type": entity_type,
        "color": TYPE_COLORS.get(entity_type, OTHER_COLOR),
        "aliases": sorted({str(alias) for alias in attrs.get("aliases", [])} - {name}),
        "mentions": int(attrs.get("mentions") or 0),
        "size": radius,
        "articles": _article_refs(attrs.get("articles", []), article_ids),
        "roles": [_role_record(role, node_ids, article_ids) for role in attrs.get("roles") or []],
        "x": position[0],
        "y": position[1],
    }


def _role_record(role: dict[str, Any], node_ids: dict[Hashable, int],
                 article_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "role": str(role.get("role") or ""),
        "organization": node_ids.get(role.get("organization")),
        "articles": _article_refs(role.get("articles", []), article_ids),
    }


def _sorted_edges(graph: nx.MultiDiGraph) -> list[tuple[Hashable, Hashable, Hashable, dict[str, Any]]]:
    return sorted(graph.edges(keys=True, data=True), key=lambda edge: (str(edge[0]), str(edge[1]), str(edge[2])))


def _edge_record(edge: tuple[Hashable, Hashable, Hashable, dict[str, Any]], index: int,
                 node_ids: dict[Hashable, int], article_ids: dict[str, int]) -> dict[str, Any]:
    subject, obj, _, attrs = edge
    label = _edge_label(attrs)
    relation = str(attrs.get("relation", ""))
    return {
        "id": index,
        "from": node_ids[subject],
        "to": node_ids[obj],
        "label": _canvas_label(label),
        "fullLabel": label,
        "relation": relation,
        "family": RELATION_FAMILIES.get(relation, "static"),
        "confidence": _confidence(attrs.get("confidence")),
        "articles": _article_refs(attrs.get("articles", []), article_ids),
        "evidence": [_evidence_record(evidence, article_ids) for evidence in attrs.get("evidence", [])],
    }


def _edge_label(attrs: dict[str, Any]) -> str:
    """The text drawn on an edge: its ``label``, else the role, the action or the relation name.

    >>> _edge_label({"relation": "works_for", "role": "spokesman"})
    'spokesman'
    >>> _edge_label({"relation": "based_in"})
    'based_in'
    """
    fallback = {"works_for": attrs.get("role"), "action": attrs.get("predicate")}.get(attrs.get("relation"))
    return str(attrs.get("label") or fallback or attrs.get("relation") or "")


def _evidence_record(evidence: dict[str, Any], article_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "article": article_ids[evidence["article"]],
        "segments": _sentence_segments(evidence),
        "confidence": _confidence(evidence.get("confidence")),
        "extractor": str(evidence.get("extractor") or ""),
    }


def _sentence_segments(evidence: dict[str, Any]) -> list[list[str | None]]:
    """The evidence sentence cut into ``[text, mark]`` pieces, ``mark`` being "subject", "object" or None.

    The page marks subject and object from these pieces, so it never has to slice by offsets
    (JavaScript counts UTF-16 units, Python counts code points). Spans are article offsets;
    a span outside the sentence, or overlapping one already taken, is left unmarked.

    >>> _sentence_segments({"sentence": "Ann runs Acme.", "sentence_start": 10,
    ...                    "subject_start": 10, "subject_end": 13, "object_start": 19, "object_end": 23})
    [['Ann', 'subject'], [' runs ', None], ['Acme', 'object'], ['.', None]]
    """
    sentence = str(evidence.get("sentence") or "")
    spans = _sentence_spans(evidence, len(sentence))
    segments: list[list[str | None]] = []
    cursor = 0
    for start, end, mark in spans:
        if start > cursor:
            segments.append([sentence[cursor:start], None])
        segments.append([sentence[start:end], mark])
        cursor = end
    if cursor < len(sentence):
        segments.append([sentence[cursor:], None])
    return segments


def _sentence_spans(evidence: dict[str, Any], length: int) -> list[tuple[int, int, str]]:
    """Subject and object spans as offsets in the sentence, sorted, valid and not overlapping."""
    offset = evidence.get("sentence_start")
    if not isinstance(offset, int):
        return []
    spans = []
    for mark in ("subject", "object"):
        start, end = evidence.get(f"{mark}_start"), evidence.get(f"{mark}_end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start - offset < end - offset <= length:
            spans.append((start - offset, end - offset, mark))
    spans.sort()
    if len(spans) == 2 and spans[1][0] < spans[0][1]:
        spans.pop()
    return spans


def _curves(ends: list[tuple[int, int]]) -> Iterator[dict[str, Any]]:
    """How each edge, given by its two nodes, bends: edges that share a pair of nodes by different amounts,
    so each one stays visible.

    >>> [curve["roundness"] for curve in _curves([(0, 1), (2, 3), (1, 0)])]
    [0.2, 0.0, 0.4]
    """
    pairs = [(min(a, b), max(a, b)) for a, b in ends]
    sizes = Counter(pairs)
    ranks: Counter[tuple[int, int]] = Counter()
    for pair in pairs:
        ranks[pair] += 1
        bend = 0.0 if sizes[pair] == 1 else 0.2 * ranks[pair]
        yield {"enabled": bend > 0, "type": "curvedCW", "roundness": round(bend, 2)}


def _legend(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One entry per entity type: the three known ones always, others only when present."""
    counts: dict[str, int] = dict.fromkeys(TYPE_COLORS, 0)
    for _, entity_type in graph.nodes(data="type"):
        counts[str(entity_type or "")] = counts.get(str(entity_type or ""), 0) + 1
    ordered = list(TYPE_COLORS) + sorted(set(counts) - set(TYPE_COLORS))
    return [{"type": entity_type or "(no type)", "color": TYPE_COLORS.get(entity_type, OTHER_COLOR),
             "count": counts[entity_type]} for entity_type in ordered]


def _article_refs(articles: Iterable[str], article_ids: dict[str, int]) -> list[int]:
    return sorted({article_ids[article] for article in articles})


def _canvas_label(text: str) -> str:
    """The text drawn on the canvas: without bidi controls, at most LABEL_LIMIT characters.

    The canvas cannot isolate a name the way ``<bdi>`` does, so a right-to-left override
    could make "evil\u202egpj.exe" read as "evilexe.jpg"; the panel still shows the name whole.

    >>> _canvas_label("evil\u202egpj.exe")
    'evilgpj.exe'
    """
    text = text.translate(_BIDI_CONTROLS)
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "\u2026"


def _confidence(value: Any) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), 3)


# --- layout ----------------------------------------------------------------------------------------


def _layout(graph: nx.MultiDiGraph) -> dict[Hashable, tuple[float, float]]:
    """Pixel positions for every node, the same for the same graph.

    Each connected component is laid out on its own (spring layout below SPRING_COMPONENT
    nodes, or below SMALL_COMPONENT in a graph of more than LARGE_GRAPH nodes; spectral
    otherwise) and the components are packed in rows, biggest first.

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    >>> _layout(g) == _layout(g)
    True
    """
    simple = _undirected_simple(graph)
    spring_limit = SPRING_COMPONENT if len(simple) <= LARGE_GRAPH else SMALL_COMPONENT
    components = sorted((sorted(component, key=str) for component in nx.connected_components(simple)),
                        key=lambda nodes: (-len(nodes), str(nodes[0])))
    boxes = [_component_positions(simple, nodes, spring_limit) for nodes in components]
    return _pack(boxes, _radii(graph))


def _radii(graph: nx.MultiDiGraph) -> dict[Hashable, float]:
    """Each dot's radius in px, from MIN_RADIUS to MAX_RADIUS by mentions."""
    mentions = {node: int(count or 0) for node, count in graph.nodes(data="mentions")}
    low, high = min(mentions.values(), default=0), max(mentions.values(), default=0)
    spread = MAX_RADIUS - MIN_RADIUS
    return {node: round(MIN_RADIUS + (spread * (count - low) / (high - low) if high > low else 0.0), 1)
            for node, count in mentions.items()}


def _separate(points: np.ndarray, radii: np.ndarray, *, iterations: int = 50) -> np.ndarray:
    """Push overlapping dots apart until each pair is NODE_GAP apart (or the iterations run out).

    A dot drawn over another cannot be clicked at any zoom, since vis scales dots with the view.

    >>> _separate(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([8.0, 8.0])).round(1).tolist()
    [[-5.0, 0.0], [15.0, 0.0]]
    """
    needed = radii[:, None] + radii[None, :] + NODE_GAP
    for _ in range(iterations):
        delta = points[:, None, :] - points[None, :, :]
        distance = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(distance, np.inf)
        overlap = np.clip(needed - distance, 0.0, None)
        if not overlap.any():
            break
        direction = delta / np.where(distance > 0, distance, np.inf)[..., None]
        points = points + (direction * (overlap / 2)[..., None]).sum(axis=1)
    return points


def _undirected_simple(graph: nx.MultiDiGraph) -> nx.Graph:
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted(((u, v) for u, v in graph.edges() if u != v), key=lambda e: (str(e[0]), str(e[1]))))
    return simple


def _component_positions(simple: nx.Graph, nodes: list[Hashable],
                         spring_limit: int) -> dict[Hashable, np.ndarray]:
    """Positions in [-1, 1] for one connected component, built in sorted order for determinism."""
    if len(nodes) == 1:  # what spring_layout gives a lone node, without its set-up (most components are lone nodes)
        return {nodes[0]: np.zeros(2)}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    ordered.add_edges_from(sorted(simple.subgraph(nodes).edges(), key=lambda e: (str(e[0]), str(e[1]))))
    if len(nodes) <= spring_limit:
        return nx.spring_layout(ordered, seed=SEED, method="force")
    return _spectral_positions(ordered)


def _spectral_positions(component: nx.Graph) -> dict[Hashable, np.ndarray]:
    """A spectral layout, fast and the same every time.

    Coordinates come from the second and third eigenvectors of the normalized adjacency
    matrix (the random-walk embedding). ARPACK finds these largest eigenvalues in half a
    second at 20,000 nodes, where networkx's ``spectral_layout`` (smallest eigenvalues of the
    Laplacian) took three minutes; a fixed start vector and fixed signs make it deterministic.
    """
    nodes = list(component)
    adjacency = nx.to_scipy_sparse_array(component, nodelist=nodes, weight=None, dtype=float, format="csr")
    inverse_root_degree = 1 / np.sqrt(np.asarray(adjacency.sum(axis=1)).ravel())
    scaling = scipy.sparse.diags(inverse_root_degree)
    start = np.random.default_rng(SEED).random(len(nodes))
    _, vectors = scipy.sparse.linalg.eigsh(scaling @ adjacency @ scaling, k=3, which="LA", v0=start, tol=1e-3)
    coords = vectors[:, [1, 0]] * inverse_root_degree[:, None]  # eigenvalues ascend; the last is the trivial 1
    largest = np.abs(coords).argmax(axis=0)
    coords = coords * np.sign(coords[largest, [0, 1]])
    coords = nx.rescale_layout(coords)
    return dict(zip(nodes, coords))


def _pack(boxes: list[dict[Hashable, np.ndarray]], radii: dict[Hashable, float]) -> dict[Hashable, tuple[float, float]]:
    """Place component layouts left to right in rows, each in a square sized by its node count.

    A lone node gets a box of size zero: the gap around it is room enough. Dots of a component
    small enough for the spring layout are then pushed apart where they overlap.
    """
    sides = [PX_PER_SQRT_NODE * math.sqrt(len(box) - 1) for box in boxes]
    row_limit = max([math.sqrt(sum((side + COMPONENT_GAP) ** 2 for side in sides))] + sides)
    positions: dict[Hashable, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for box, side in zip(boxes, sides):
        if x > 0 and x + side > row_limit:
            x, y, row_height = 0.0, y + row_height + COMPONENT_GAP, 0.0
        nodes = list(box)
        points = (np.array([box[node] for node in nodes]).reshape(-1, 2) + 1) * side / 2 + [x, y]
        if 1 < len(nodes) <= SPRING_COMPONENT:
            points = _separate(points, np.array([radii[node] for node in nodes]))
        for node, (px, py) in zip(nodes, points):
            positions[node] = (round(float(px), 1), round(float(py), 1))
        x += side + COMPONENT_GAP
        row_height = max(row_height, side)
    return positions


# --- page assembly ---------------------------------------------------------------------------------


def _data_json(data: dict[str, Any]) -> Iterator[str]:
    """``_json_for_script(data)`` a piece at a time, where ``data`` holds lists as iterables read item by item.

    >>> "".join(_data_json({"b": iter([1, {"x": "<"}]), "a": 2})) == _json_for_script({"a": 2, "b": [1, {"x": "<"}]})
    True
    """
    for number, key in enumerate(sorted(data)):
        value = data[key]
        yield ("," if number else "{") + _json_for_script(key) + ":"
        if isinstance(value, (str, int, float, dict)) or value is None:
            yield _json_for_script(value)
            continue
        first = True
        for item in value:
            yield ("[" if first else ",") + _json_for_script(item)
            first = False
        yield "[]" if first else "]"
    yield "}" if data else "{}"


def _json_for_script(data: Any) -> str:
    """JSON that is safe between ``<script>`` tags: nothing in it can close or open a tag.

    >>> _json_for_script({"name": "</script>&\\u2028"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def _content_security_policy(scripts: list[str]) -> str:
    """No network, no plugins, no HTML sinks; only the page's own scripts may run."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in scripts)
    return ("default-src 'none'; "
            f"script-src {hashes}; "
            "style-src 'unsafe-inline'; "
            "img-src data:; "
            "base-uri 'none'; form-action 'none'; "
            "require-trusted-types-for 'script'; trusted-types 'none'")


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet from the pyvis package, checked safe to inline."""
    folder = files("pyvis").joinpath(VIS_DIR)
    script = _SOURCE_MAP.sub("", folder.joinpath("vis-network.min.js").read_text(encoding="utf-8"))
    style = folder.joinpath("vis-network.css").read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE) or re.search(r"</style", style, re.IGNORECASE):
        raise RuntimeError(f"pyvis's {VIS_DIR} cannot be inlined safely (it contains a closing tag); "
                           "install pyvis==0.3.2, the version kgraph is tested with.")
    return script, style


@lru_cache(maxsize=None)
def _read_resource(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")
