"""One module per export format; each exporter takes the graph and a folder and returns the files it wrote."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx

from .graphfiles import write_graphml, write_node_link
from .ledger import write_ledger
from .rdf import write_rdf
from .store import write_query_store

__all__ = ["EXPORTERS"]


def _graph_files(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    return [write_node_link(graph, folder / "graph.json"), write_graphml(graph, folder / "graph.graphml")]


def _html(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    from .html import write_html

    return [write_html(graph, folder / "graph.html")]


EXPORTERS: tuple[Callable[[nx.MultiDiGraph, Path], list[Path]], ...] = (_graph_files, write_rdf, write_query_store,
                                                                         _html, write_ledger)
