"""The embedded query store (``store/``), built from the N-Quads export that :mod:`kgraph.export.rdf` wrote."""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from ..errors import ExportError
from ..store import write_store

__all__ = ["write_query_store"]


def write_query_store(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write ``folder/store`` from ``folder/graph.nq``, its default graph from ``graph.nt`` (the union of the
    dataset's graphs); runs after the RDF exporter, which writes both files."""
    quads, union = Path(folder) / "graph.nq", Path(folder) / "graph.nt"
    for path in (quads, union):
        if not path.exists():
            raise ExportError(f"{path} is missing: the RDF export must run before the store is built.")
    return [write_store(quads, folder, union=union)]
