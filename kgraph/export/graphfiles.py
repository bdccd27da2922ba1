"""The NetworkX graph itself: node-link JSON (``graph.json``) and GraphML for Gephi.

Strings go through :func:`kgraph.ingest.replace_unsafe` on the way out: a lone surrogate cannot be
written as UTF-8 and XML 1.0 has no way to carry a control character, whatever escaping is used.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path

import networkx as nx

from ..ingest import UNSAFE_CHARS, replace_unsafe
from .atomic import atomic_file

__all__ = ["write_node_link", "write_graphml"]

_INDENTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True, indent=1)
_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
# The unsafe characters that JSON escapes: the control characters (\u0000-\u001f, \b, \f). It also finds
# an escaped backslash before "b", "f" or "u00": a false alarm, harmless.
_ESCAPED_CONTROL = re.compile(r"\\(?:u00[01]|[bf])")


def write_node_link(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """``nx.node_link_data(graph, edges="edges")`` as JSON (sorted keys, indent 1), written node by node and
    edge by edge: the same bytes as dumping it whole, without a second copy of the graph in memory."""
    with atomic_file(path) as handle:
        write = handle.write
        write(f'{{\n "directed": {_dump(graph.is_directed(), 1)},\n "edges": '.encode())
        _write_list(write, ({**data, "source": u, "target": v, "key": k}
                            for u, v, k, data in graph.edges(keys=True, data=True)))
        write(b',\n "graph": ')
        _write_dict(write, graph.graph, 1)  # the merge ledger in it is as long as the rest together
        write(f',\n "multigraph": {_dump(graph.is_multigraph(), 1)},\n "nodes": '.encode())
        _write_list(write, ({**graph.nodes[n], "id": n} for n in graph))
        write(b"\n}\n")
    return Path(path)


def _dump(value, level: int) -> str:
    """``value`` as ``json.dumps(..., indent=1)`` writes it ``level`` deep in an enclosing document."""
    # Rarely is there anything to replace: checking the text is cheaper than copying every value first.
    try:
        text = _indented(value, level)
        if not (UNSAFE_CHARS.search(text) or "\\" in text and _ESCAPED_CONTROL.search(text)):
            return text
    except (TypeError, ValueError):  # not JSON as it is; perhaps once made printable (two keys may become one)
        pass
    return _indented(_printable(value), level)


def _indented(value, level: int) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)``, every line after the first ``level``
    spaces deeper.

    Python's json writes indented JSON in pure Python, a generator per list and dict: :func:`_layout` writes
    what a graph holds (dicts with string keys, lists, strings, numbers, booleans, None) in half the time, and
    anything else is left to json.

    >>> value = {"b": [1, 2.5, None], "a": {"x": True, "y": []}, "c": float("nan"), "d": (1,)}
    >>> _indented(value, 2) == json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).replace("\\n", "\\n  ")
    True
    """
    try:
        return _layout(value, " " * level)
    except (TypeError, KeyError, ValueError, RecursionError):  # not one of those values: json says what it makes of it
        return _INDENTED.encode(value).replace("\n", "\n" + " " * level)  # JSON strings hold no raw newline


def _layout(value, indent: str) -> str:
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = indent + " "
        return "{\n" + ",\n".join([inner + encode_basestring(key) + ": " + _layout(item, inner)
                                    for key, item in sorted(value.items())]) + "\n" + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = indent + " "
        return "[\n" + ",\n".join([inner + _layout(item, inner) for item in value]) + "\n" + indent + "]"
    return _SCALARS[kind](value)


def _finite(value: float) -> str:
    text = float.__repr__(value)
    if text in ("nan", "inf", "-inf"):
        raise ValueError(text)  # json writes NaN, Infinity
    return text


_SCALARS = {str: encode_basestring, int: int.__repr__, float: _finite, bool: {True: "true", False: "false"}.get,
            type(None): lambda _: "null"}


def _write_list(write, items, level: int = 1) -> None:
    """A list ``level`` deep, item by item."""
    first = True
    inner = ("\n" + " " * (level + 1)).encode()
    for item in items:
        write((b"[" if first else b",") + inner + _dump(item, level + 1).encode("utf-8"))
        first = False
    write(b"[]" if first else ("\n" + " " * level + "]").encode())


def _write_dict(write, mapping: dict, level: int) -> None:
    """A dict ``level`` deep, value by value; a list or dict in it item by item."""
    entries = sorted({_printable(key): value for key, value in mapping.items()}.items(), key=lambda kv: kv[0])
    for number, (key, value) in enumerate(entries):
        write(f'{"," if number else "{"}\n{" " * (level + 1)}{json.dumps(key, ensure_ascii=False)}: '.encode())
        if isinstance(value, list):
            _write_list(write, value, level + 1)
        elif isinstance(value, dict):
            _write_dict(write, value, level + 1)
        else:
            write(_dump(value, level + 1).encode("utf-8"))
    write(("\n" + " " * level + "}").encode() if entries else b"{}")


def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """GraphML holds only scalars: lists and records are written as JSON strings.

    networkx's lxml writer streams nodes and edges into the file one by one; it reads them from
    :class:`_ScalarView`, which converts each as it is asked for, so no second graph is made.
    """
    with atomic_file(path) as handle:
        nx.write_graphml_lxml(_ScalarView(graph), handle, encoding="utf-8", prettyprint=True)
    return Path(path)


class _ScalarView:
    """The graph as GraphML sees it (strings made writable, lists and records as JSON), made on demand: the
    few methods of a MultiDiGraph that networkx's GraphML writers call."""

    graph: dict = {}

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return True

    def nodes(self, data: bool = True) -> Iterator[tuple]:
        return ((_printable(node), _scalars(attrs)) for node, attrs in self._graph.nodes(data=True))

    def edges(self, keys: bool = True, data: bool = True) -> Iterator[tuple]:
        return ((_printable(u), _printable(v), _printable(key), _scalars(attrs))
                for u, v, key, attrs in self._graph.edges(keys=True, data=True))


def _scalars(data: dict) -> dict:
    return {k: _scalar(v) for k, v in sorted(data.items()) if v is not None}


def _scalar(value):
    if isinstance(value, str):
        return replace_unsafe(value)
    if isinstance(value, (int, float, bool)):
        return value
    return replace_unsafe(_COMPACT.encode(value))


def _printable(value):
    r"""``value`` with every string in it (keys too) made writable: see the module docstring.

    >>> _printable({"name\x00": ["NATO\ud800"]}) == {"name\ufffd": ["NATO\ufffd"]}
    True
    """
    if isinstance(value, str):
        return replace_unsafe(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    return value
