"""One module per export format; each exporter takes the graph and a folder and returns the files it wrote."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import networkx as nx

from .graphfiles import write_graphml, write_node_link
from .ledger import write_ledger
from .rdf import write_rdf_lines, write_rdf_views
from .store import write_query_store

__all__ = ["EXPORTERS", "IN_BACKGROUND", "export_all"]


def _graph_files(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    return [write_node_link(graph, folder / "graph.json"), write_graphml(graph, folder / "graph.graphml")]


def _html(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    from .html import write_html

    return [write_html(graph, folder / "graph.html")]


EXPORTERS: tuple[Callable[[nx.MultiDiGraph, Path], list[Path]], ...] = (
    write_rdf_lines, write_query_store, write_rdf_views, _graph_files, _html, write_ledger)
# Run on a thread of their own while the exporters after them write their files. The query store's bulk loader
# works in Rust and lets go of the GIL, so the two overlap (the store needs only graph.nq and graph.nt, written
# before it; the others read those files or the graph): JSON-LD, TriG, graph.json, GraphML, HTML and the ledger
# are written while the store loads.
IN_BACKGROUND = frozenset({"write_query_store"})


def export_all(graph: nx.MultiDiGraph, folder: Path,
               exporters: tuple[Callable[[nx.MultiDiGraph, Path], list[Path]], ...] = EXPORTERS) -> list[Path]:
    """Run every exporter on ``graph``, in order, those named in :data:`IN_BACKGROUND` on a thread of their
    own; the files written, in the order of ``exporters``. An exporter's error is raised once every exporter
    running has ended, so none is left writing."""
    results: list = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgraph-export") as background:
        for exporter in exporters:
            if getattr(exporter, "__name__", "") in IN_BACKGROUND:
                results.append(background.submit(exporter, graph, folder))
            else:
                results.append(exporter(graph, folder))
        return [path for result in results for path in (result.result() if isinstance(result, Future) else result)]
