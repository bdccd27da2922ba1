"""SPARQL over the exports, safely.

Queries run in an embedded Oxigraph store loaded from the TriG export (every
article's named graph, and their union, each triple once, as the default graph). Before a query
runs, it is parsed and refused if it reaches outside: ``SERVICE``, ``FROM`` /
``FROM NAMED`` and every update (``LOAD``, ``INSERT``, ...).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import QueryError

__all__ = ["QueryResult", "check_query", "run_query", "format_result", "PREFIXES_SPARQL"]

PREFIXES_SPARQL = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kg: <https://kgraph.example/ns#>
"""


@dataclass
class QueryResult:
    variables: list[str]
    rows: list[list[str | None]]


def check_query(query: str) -> None:
    """Refuse queries that could reach the network or the file system, or change anything.

    >>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kgraph.errors.QueryError: SERVICE is refused: kgraph queries only the local graph.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(query)
    except ParseException as exc:
        try:
            parseUpdate(query)
        except ParseException:
            raise QueryError(f"SPARQL syntax error: {exc}. Check the query (prefixes kgraph knows are added for you).") from exc
        raise QueryError("Updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused: the graph is read-only; "
                         "rebuild it with `kgraph build` instead.") from None
    if _find(parsed, "datasetClause"):
        raise QueryError("FROM and FROM NAMED are refused: kgraph queries only the local graph "
                         "(use GRAPH <article-iri> { ... } to query one article's named graph).")
    if _find(parsed, "ServiceGraphPattern"):
        raise QueryError("SERVICE is refused: kgraph queries only the local graph.")


def _find(node, name: str) -> bool:
    """True when a parse-tree node of that name (or a key of that name) occurs anywhere."""
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):
        if name in node and node[name]:
            return True
        return any(_find(v, name) for v in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return any(_find(v, name) for v in node)
    return False


def _graph_file(source: Path) -> Path:
    if source.is_dir():
        for name in ("graph.trig", "graph.nt", "graph.ttl"):
            if (source / name).exists():
                return source / name
        raise QueryError(f"{source}: no graph.trig, graph.nt or graph.ttl here; run `kgraph build ... -o {source}` first.")
    if not source.exists():
        raise QueryError(f"{source}: no such file or folder. Give an exports folder or an RDF file.")
    return source


def _store(source: Path):
    import pyoxigraph as ox

    path = _graph_file(source)
    formats = {".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE,
               ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise QueryError(f"{path}: unknown RDF format; use .trig, .nt, .nq, .ttl or .jsonld.")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"{path}: cannot be read as RDF ({exc}).") from exc
    # The default graph is the union of every article's graph, each triple once (a fact stated by five
    # articles must not come back five times); GRAPH ?article { ... } still reaches one article's facts.
    named = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in named)
    return store


def run_query(source: str | Path, query: str, *, limit: int | None = 10_000) -> QueryResult:
    """Run a read-only SPARQL SELECT or ASK query over an exports folder or RDF file."""
    full = PREFIXES_SPARQL + query
    check_query(full)
    import pyoxigraph as ox

    store = _store(Path(source))
    try:
        results = store.query(full)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    if isinstance(results, bool) or isinstance(results, ox.QueryBoolean):
        return QueryResult(["ask"], [["true" if bool(results) else "false"]])
    if isinstance(results, ox.QueryTriples):
        raise QueryError("CONSTRUCT and DESCRIBE are not supported here; use SELECT or ASK.")
    variables = [v.value for v in results.variables]
    rows = []
    for solution in results:
        rows.append([None if solution[v] is None else solution[v].value for v in variables])
        if limit is not None and len(rows) > limit:
            raise QueryError(f"the query returned more than {limit} rows; add a LIMIT or raise --max-rows.")
    return QueryResult(variables, rows)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render results as ``table``, ``csv``, ``tsv`` or ``json`` (SPARQL 1.1 JSON results, values as strings)."""
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return buffer.getvalue()
    if fmt == "json":
        bindings = [{var: {"value": value} for var, value in zip(result.variables, row) if value is not None}
                    for row in result.rows]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)
    widths = [max([len(v)] + [len(r[i] or "") for r in result.rows]) for i, v in enumerate(result.variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(result.variables, widths)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join((c or "").ljust(w) for c, w in zip(row, widths)) for row in result.rows]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"
