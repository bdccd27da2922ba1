"""One module per export format; each exporter takes the graph and a folder and returns the files it wrote."""
from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import networkx as nx

from ..errors import ExportError
from .graphfiles import write_graphml, write_node_link
from .ledger import write_ledger
from .rdf import write_rdf_lines, write_rdf_views
from .store import write_query_store

__all__ = ["EXPORTERS", "IN_BACKGROUND", "IN_CHILD", "export_all"]

Exporter = Callable[[nx.MultiDiGraph, Path], list[Path]]


def _graph_files(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    return [write_node_link(graph, folder / "graph.json"), write_graphml(graph, folder / "graph.graphml")]


def _html(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    from .html import write_html

    return [write_html(graph, folder / "graph.html")]


EXPORTERS: tuple[Exporter, ...] = (
    write_rdf_lines, write_query_store, write_rdf_views, _graph_files, _html, write_ledger)
# Run on a thread of their own while the exporters after them write their files. The query store's bulk loader
# works in Rust and lets go of the GIL, so the two overlap (the store needs only graph.nq and graph.nt, written
# before it; the others read those files or the graph): JSON-LD, TriG, graph.json, GraphML, HTML and the ledger
# are written while the store loads.
IN_BACKGROUND = frozenset({"write_query_store"})
# Run in a process of their own, forked from the build's once the graph is made, while this one writes the RDF
# files: they read the graph only, no file another exporter writes, and they are Python, which one process runs
# on one core at a time. Only for a build given more than one worker (--workers 1 is one process throughout), and
# where a fork is safe (Linux, no other thread running, whose locks the child would inherit held); else they run
# here after the others.
IN_CHILD = frozenset({"_graph_files", "_html", "write_ledger"})


def export_all(graph: nx.MultiDiGraph, folder: Path, exporters: tuple[Exporter, ...] = EXPORTERS, *,
               fork: bool = False, seconds: dict[str, float] | None = None,
               meanwhile: Callable[[], object] | None = None) -> list[Path]:
    """Run every exporter on ``graph``: with ``fork``, those named in :data:`IN_CHILD` in a forked process, where
    one can be forked safely (:func:`can_fork`), those named in :data:`IN_BACKGROUND` on a thread of their own,
    the rest in order; the files written, in the order of ``exporters``. An exporter's error is raised once every
    exporter running has ended, so none is left writing. ``seconds``, when given, gets the time each exporter
    took in the forked process, by name (a caller timing exporters sees the others run). ``meanwhile``, when
    given, is called here once this process's exporters are done, while the store loads and the forked process
    writes."""
    forked = [e for e in exporters if _name(e) in IN_CHILD] if fork and can_fork() else []
    child = _Forked(forked, graph, folder) if forked else None  # before the store's thread starts
    results: dict[int, list[Path] | Future] = {}
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgraph-export") as background:
            for index, exporter in enumerate(exporters):
                if exporter in forked:
                    continue
                if _name(exporter) in IN_BACKGROUND:
                    results[index] = background.submit(exporter, graph, folder)
                else:
                    results[index] = exporter(graph, folder)
            if meanwhile is not None:
                meanwhile()
            for index, result in results.items():
                if isinstance(result, Future):
                    results[index] = result.result()
    except BaseException:
        if child is not None:  # waited for, so that nothing is left writing; the error here is the one raised
            with contextlib.suppress(Exception):
                child.result()
        raise
    for exporter, (files, took) in zip(forked, child.result() if child is not None else []):
        results[exporters.index(exporter)] = files
        if seconds is not None:
            seconds[_name(exporter)] = seconds.get(_name(exporter), 0.0) + took
    return [path for index in sorted(results) for path in results[index]]


def can_fork() -> bool:
    """Whether this process may fork a child to write exports: on Linux, with no other thread running (a forked
    child inherits every lock as it was, held by threads that do not exist in it)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _name(exporter: Exporter) -> str:
    return getattr(exporter, "__name__", "")


class _Forked:
    """Exporters running in a forked child; :meth:`result` waits for it and gives, for each exporter, the files it
    wrote and its seconds, or raises the first exporter's error. The child writes through the same atomic files
    (a killed child leaves the earlier files whole, and temp files the next build removes)."""

    def __init__(self, exporters: list[Exporter], graph: nx.MultiDiGraph, folder: Path) -> None:
        read, write = os.pipe()
        sys.stdout.flush()  # the child leaves through os._exit and flushes nothing; nothing buffered is written twice
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: run the exporters, send back what came of them, leave without cleanups
            os.close(read)
            status = 0
            try:
                report = _run(exporters, graph, folder)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(report)
            except BaseException:  # noqa: BLE001 - nothing may escape a forked child but its exit status
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self.read = read

    def result(self) -> list[tuple[list[Path], float]]:
        with os.fdopen(self.read, "rb") as pipe:
            report = pipe.read()  # read before waiting: a report larger than the pipe holds would block the child
        _, status = os.waitpid(self.pid, 0)
        if not report:
            raise ExportError(f"the process writing graph.json, GraphML, HTML and the ledger ended without a report "
                              f"(exit status {os.waitstatus_to_exitcode(status)}); run the build again.")
        outcome, value, text = pickle.loads(report)
        if outcome == "error":
            try:
                error = pickle.loads(value)
            except Exception:  # noqa: BLE001 - an exception that does not unpickle: its text then
                error = ExportError(f"an exporter failed: {text}")
            raise error
        return value


def _run(exporters: list[Exporter], graph: nx.MultiDiGraph, folder: Path) -> bytes:
    """What the child sends back: ``("done", [(files, seconds)...], "")`` or ``("error", pickled exception, its
    text)``."""
    try:
        done = []
        for exporter in exporters:
            started = time.perf_counter()
            files = exporter(graph, folder)
            done.append((files, time.perf_counter() - started))
        return pickle.dumps(("done", done, ""))
    except Exception as exc:  # noqa: BLE001 - raised again in the build's process
        text = "".join(traceback.format_exception_only(exc)).strip()
        try:
            value = pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that does not pickle: its text only
            value = b""
        return pickle.dumps(("error", value, text))
