"""The NetworkX graph itself: node-link JSON (``graph.json``) and GraphML for Gephi."""
from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx

from .atomic import atomic_write

__all__ = ["write_node_link", "write_graphml"]


def write_node_link(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    data = nx.node_link_data(graph, edges="edges")
    return atomic_write(path, json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n")


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """GraphML holds only scalars: lists and records are written as JSON strings."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **_scalars(data))
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **_scalars(data))
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
    return atomic_write(path, buffer.getvalue())


def _scalars(data: dict) -> dict:
    return {k: (v if isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False, sort_keys=True))
            for k, v in sorted(data.items()) if v is not None}
