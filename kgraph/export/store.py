"""The embedded query store (``store/``), built from the TriG export that :mod:`kgraph.export.rdf` wrote."""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from ..errors import ExportError
from ..store import write_store

__all__ = ["write_query_store"]


def write_query_store(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write ``folder/store`` from ``folder/graph.trig``, its default graph from ``graph.nt`` (the union of the
    TriG file's graphs); runs after the RDF exporter, which writes both files."""
    trig, union = Path(folder) / "graph.trig", Path(folder) / "graph.nt"
    for path in (trig, union):
        if not path.exists():
            raise ExportError(f"{path} is missing: the RDF export must run before the store is built.")
    return [write_store(trig, folder, union=union)]
