"""The merge ledger, ``merges.csv``: every resolution decision, for people to review and override.

One row per decision, sorted by entity id:

``decision``  ``merged`` (a name joined this entity) or ``kept apart`` (this entity and ``other`` share a
              name but are two)
``entity``    the node id (the IRI is the build's base followed by it)
``label``     the entity's canonical name; ``type`` PERSON, ORG or PLACE
``name``      the name merged in, or the name the two kept-apart entities share
``article``   the article the evidence comes from; ``evidence`` the sentence the name was read in
``rule``      why (see :mod:`kgraph.resolve`: ``country-code``, ``curated-alias``, ``user-alias``, ``same-name``,
              ``acronym``, ``unique-surname``, ..., ``in-article`` for the extractor's grouping inside one
              article; kept apart: ``different-type``, ``ambiguous-surname``, ``user-keep-apart``, ...)
``score``     the rule's confidence, 0-1 (empty for in-article groupings and kept-apart rows)
``other``     merged: the name or key it matched; kept apart: the other entity's id

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) are written with
a leading apostrophe: article text is untrusted.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import networkx as nx

from .atomic import atomic_file

__all__ = ["LEDGER_COLUMNS", "write_ledger", "ledger_csv"]

LEDGER_COLUMNS = ("decision", "entity", "label", "type", "name", "article", "rule", "score", "other", "evidence")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def ledger_csv(rows: Iterable[dict]) -> str:
    """The ledger rows (``graph.graph["merges"]``) as CSV text.

    >>> row = {"decision": "merged", "entity": "place/x-1", "label": "X", "type": "PLACE", "name": "=X",
    ...        "article": "a", "rule": "same-name", "score": 0.9, "other": "X", "evidence": "In X."}
    >>> print(ledger_csv([row]), end="")
    decision,entity,label,type,name,article,rule,score,other,evidence
    merged,place/x-1,X,PLACE,'=X,a,same-name,0.90,X,In X.
    """
    buffer = io.StringIO()
    _write_rows(buffer, rows)
    return buffer.getvalue()


def _write_rows(output: TextIO, rows: Iterable[dict]) -> None:
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in LEDGER_COLUMNS])


def write_ledger(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write ``merges.csv`` into ``folder``, row by row; returns the files written."""
    path = Path(folder) / "merges.csv"
    with atomic_file(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=False)
        _write_rows(text, graph.graph.get("merges", []))
        text.flush()
        text.detach()  # the atomic file closes the handle itself
    return [path]
