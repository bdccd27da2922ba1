"""The NetworkX graph itself: node-link JSON (``graph.json``) and GraphML for Gephi.

Strings go through :func:`kgraph.ingest.replace_unsafe` on the way out: a lone surrogate cannot be
written as UTF-8 and XML 1.0 has no way to carry a control character, whatever escaping is used.
"""
from __future__ import annotations

import json
import re
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
        # a scalar is written where it stands: most values are, and a call per value is half the time
        return "{\n" + ",\n".join([inner + encode_basestring(key) + ": " + (
            _SCALARS[type(item)](item) if type(item) in _SCALARS else _layout(item, inner))
            for key, item in sorted(value.items())]) + "\n" + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = indent + " "
        return "[\n" + inner + (",\n" + inner).join([
            _SCALARS[type(item)](item) if type(item) in _SCALARS else _layout(item, inner)
            for item in value]) + "\n" + indent + "]"
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

    The bytes are those of ``nx.write_graphml_lxml(flat, path, encoding="utf-8", prettyprint=True)`` for
    ``flat``, the graph with every node and edge's attributes made scalar (:func:`_scalars`), written here
    node by node and edge by edge: networkx's writer builds an lxml element per node, edge and value and
    walks the graph three times (the tests compare the two writers byte for byte). The key table comes
    from the value types alone, so each record is turned into JSON once, as it is written.
    """
    nodes, edges = graph.nodes(data=True), graph.edges(keys=True, data=True)
    keys = _GraphMLKeys()
    for _, data in nodes:
        keys.add(data, "node")
    for _, _, _, data in edges:
        keys.add(data, "edge")
    with atomic_file(path) as handle:
        handle.write(f"{_GRAPHML_HEAD}{keys.table()}<graph edgedefault=\"directed\">".encode())
        chunk: list[str] = []
        for node, data in nodes:
            chunk.append(_graphml_element(f'<node id="{_xml_attribute(str(_printable(node)))}"', data, "node", keys))
            if len(chunk) == _ELEMENTS_AT_ONCE:
                handle.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        for u, v, key, data in edges:
            chunk.append(_graphml_element(f'<edge source="{_xml_attribute(str(_printable(u)))}" target="'
                                          f'{_xml_attribute(str(_printable(v)))}" id="{_xml_attribute(str(_printable(key)))}"',
                                          data, "edge", keys))
            if len(chunk) == _ELEMENTS_AT_ONCE:
                handle.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        chunk.append("</graph></graphml>")
        handle.write("".join(chunk).encode("utf-8"))
    return Path(path)


_ELEMENTS_AT_ONCE = 2048
_GRAPHML_HEAD = ("<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org"
                 "/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">")
# GraphML's name for each Python type, as networkx writes it (int is "long", float "double"); TypeError for others
_GRAPHML_TYPES = nx.readwrite.graphml.GraphML()
_GRAPHML_TYPES.construct_types()


class _GraphMLKeys:
    """The ``<key>`` table networkx writes: ids ``d0``, ``d1``, ... in the order (name, type, node or edge)
    is first met, nodes before edges, listed newest first."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str, str], str] = {}
        self.known: dict[tuple[str, type, str], str] = {}  # the same ids by Python type: no lookup of the GraphML name

    def add(self, data: dict, scope: str) -> None:
        for name in sorted(data):  # in the order _scalars lists them
            if data[name] is not None:
                self.id(str(name), _scalar_type(data[name]), scope)

    def id(self, name: str, kind: type, scope: str) -> str:
        known = self.known.get((name, kind, scope))
        if known is None:
            entry = (name, _GRAPHML_TYPES.get_xml_type(kind), scope)
            known = self.known[name, kind, scope] = self.ids.setdefault(entry, f"d{len(self.ids)}")
        return known

    def table(self) -> str:
        return "".join(f'<key id="{key_id}" for="{scope}" attr.name="{_xml_attribute(name)}" attr.type="{xml_type}"/>\n'
                       for (name, xml_type, scope), key_id in reversed(self.ids.items()))


def _graphml_element(opening: str, data: dict, scope: str, keys: _GraphMLKeys) -> str:
    """A node or an edge, ``opening`` being its start tag without the ``>``, as lxml pretty-prints it."""
    values = _scalars(data)
    if not values:
        return opening + "/>\n"
    lines = [opening, ">\n"]
    for name, value in values.items():
        lines += ['  <data key="', keys.id(str(name), type(value), scope), '">', _xml_text(str(value)), "</data>\n"]
    lines.append("</node>\n" if scope == "node" else "</edge>\n")
    return "".join(lines)


def _xml_text(value: str) -> str:
    """Element text escaped as libxml2 escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;",
                                    "\n": "&#10;", "\r": "&#13;"})


def _xml_attribute(value: str) -> str:
    """An attribute value escaped as libxml2 escapes it."""
    return value.translate(_ATTRIBUTE_ESCAPES)


def _scalar_type(value) -> type:
    """The type of ``_scalar(value)``, without making it (a record's JSON is made once, when it is written)."""
    if isinstance(value, (int, float, bool)) and not isinstance(value, str):
        return type(value)
    return str


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
