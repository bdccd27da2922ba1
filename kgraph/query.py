"""SPARQL over the exports, safely.

Queries run in the embedded Oxigraph store (:mod:`kgraph.store`): every article's named graph, and as the
default graph their union, each triple once. Before a query runs, it is parsed and refused if it reaches
outside or changes anything: ``SERVICE``, ``FROM`` / ``FROM NAMED`` and every update (``LOAD``, ``INSERT``, ...).
User values enter a query only as bindings of its variables (``params``), never pasted into its text.
The query runs in a separate process that is killed at the time limit, and stops at the row cap.
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import QueryError
from .store import StoreLocation, locate, open_store

__all__ = ["QueryResult", "QueryTimeout", "Term", "Example", "check_query", "run_query", "run_example", "evaluate",
           "format_result", "examples", "example",
           "PREFIXES_SPARQL", "DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS"]

DEFAULT_TIMEOUT = 30.0  # seconds
DEFAULT_MAX_ROWS = 10_000
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
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped."""


@dataclass(frozen=True)
class Term:
    """One RDF term of a result: ``kind`` is ``uri``, ``literal``, ``bnode`` or ``triple`` (as in SPARQL JSON)."""

    kind: str
    value: str
    datatype: str | None = None  # literals other than plain strings
    lang: str | None = None

    def to_json(self) -> dict:
        """The term as in SPARQL 1.1 Query Results JSON.

        >>> Term("literal", "3", datatype="http://www.w3.org/2001/XMLSchema#integer").to_json()
        {'type': 'literal', 'value': '3', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}
        """
        term = {"type": self.kind, "value": self.value}
        if self.lang:
            term["xml:lang"] = self.lang
        elif self.datatype:
            term["datatype"] = self.datatype
        return term

    def to_ntriples(self) -> str:
        """The term as N-Triples writes it (the SPARQL TSV results encoding).

        >>> Term("literal", 'say "hi"', lang="en").to_ntriples()
        '"say \\\\"hi\\\\""@en'
        """
        import pyoxigraph as ox

        if self.kind == "uri":
            return str(ox.NamedNode(self.value))
        if self.kind == "bnode":
            return str(ox.BlankNode(self.value))
        if self.kind == "literal":
            datatype = ox.NamedNode(self.datatype) if self.datatype else None
            return str(ox.Literal(self.value, language=self.lang, datatype=datatype))
        return self.value


@dataclass
class QueryResult:
    """What a SELECT returns (``variables`` and rows of terms), an ASK's ``boolean``, or the ``triples`` of a
    CONSTRUCT or DESCRIBE (N-Triples lines)."""

    variables: list[str]
    terms: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[str] | None = None

    @property
    def rows(self) -> list[list[str | None]]:
        """The rows as plain values (an ASK gives one row: ``true`` or ``false``)."""
        if self.boolean is not None:
            return [["true" if self.boolean else "false"]]
        return [[None if t is None else t.value for t in row] for row in self.terms]


@dataclass(frozen=True)
class Example:
    """A named query shipped with kgraph (``kgraph/queries/NAME.rq``); ``params`` maps each variable to bind to its help."""

    name: str
    description: str
    params: dict[str, str]
    text: str


def examples() -> dict[str, Example]:
    """The example queries, by name.

    >>> sorted(examples())
    ['actions', 'corroborated', 'entity', 'people']
    >>> examples()["people"].params
    {'org': "the organization's name (its label or one of its other names), e.g. NATO"}
    """
    found = {}
    for entry in sorted(resources.files("kgraph").joinpath("queries").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        params = dict(re.fullmatch(r"param (\w+): (.*)", c).groups() for c in comments if c.startswith("param "))
        description = " ".join(c for c in comments if not c.startswith("param "))
        name = entry.name[:-3]
        found[name] = Example(name, description, params, text)
    return found


def example(name: str) -> Example:
    """The example query called ``name``, or an error that lists them all."""
    known = examples()
    if name not in known:
        raise QueryError(f"no example query called {name!r}; the examples are: {', '.join(sorted(known))} "
                         "(`kgraph query --example list` describes them).")
    return known[name]


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


def _bindings(query: str, params: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Check each parameter names a variable of the query; a value in ``<...>`` is an IRI, any other a string.

    >>> _bindings("SELECT ?p WHERE { ?p rdfs:label ?name }", {"name": "Kirby"})
    {'name': ('literal', 'Kirby')}
    >>> _bindings("SELECT ?p WHERE { ?p ?q ?o }", {"nmae": "Kirby"})
    Traceback (most recent call last):
    ...
    kgraph.errors.QueryError: the query has no variable ?nmae to bind; its variables are: ?o, ?p, ?q.
    """
    import pyoxigraph as ox

    variables = set(re.findall(r"[?$](\w+)", query))
    bound = {}
    for name, value in params.items():
        if name not in variables:
            raise QueryError(f"the query has no variable ?{name} to bind; its variables are: "
                             f"{', '.join('?' + v for v in sorted(variables)) or 'none'}.")
        if value.startswith("<") and value.endswith(">"):
            try:
                ox.NamedNode(value[1:-1])
            except ValueError as exc:
                raise QueryError(f"--param {name}: {value} is not a valid IRI ({exc}).") from exc
            bound[name] = ("uri", value[1:-1])
        else:
            bound[name] = ("literal", value)
    return bound


def run_query(source: str | Path, query: str, *, params: Mapping[str, str] | None = None,
              limit: int | None = DEFAULT_MAX_ROWS, timeout: float | None = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) over an exports folder or an RDF file.

    ``params`` binds variables of the query to values (``{"org": "NATO"}`` binds ``?org`` to the string
    ``"NATO"``; ``"<https://...>"`` binds an IRI). A query that runs past ``timeout`` seconds or returns more
    than ``limit`` rows stops with a :class:`QueryError`.
    """
    full = PREFIXES_SPARQL + query
    check_query(full)
    bindings = _bindings(query, params or {})
    return evaluate(locate(source), full, bindings=bindings, limit=limit, timeout=timeout)


def run_example(source: str | Path, name: str, *, params: Mapping[str, str] | None = None,
                limit: int | None = DEFAULT_MAX_ROWS, timeout: float | None = DEFAULT_TIMEOUT) -> QueryResult:
    """Run the example query ``name`` with its parameters."""
    chosen = example(name)
    params = dict(params or {})
    missing = [p for p in chosen.params if p not in params]
    if missing:
        needed = "; ".join(f"--param {p}=... ({chosen.params[p]})" for p in missing)
        raise QueryError(f"the example {name!r} needs {needed}.")
    return run_query(source, chosen.text, params=params, limit=limit, timeout=timeout)


def _context():
    """How the worker starts: a fork of a single-threaded caller (fast, nothing re-imported); beside threads
    (``kgraph serve``) a fork server, since forking a threaded process can deadlock the child."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    return context


def evaluate(location: StoreLocation, query: str, *, bindings: Mapping[str, tuple[str, str]] | None = None,
             limit: int | None = DEFAULT_MAX_ROWS, timeout: float | None = DEFAULT_TIMEOUT) -> QueryResult:
    """Run an already checked query in a worker process; kill it at ``timeout`` seconds."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_evaluate_in_worker, args=(sender, location, query, dict(bindings or {}), limit),
                             daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"the query ran past the time limit of {timeout:g} s and was stopped; narrow it "
                               "(more specific patterns, a LIMIT) or raise the limit (--timeout).")
        status, payload = receiver.recv()
    except EOFError:
        raise QueryError("the query process ended without an answer (out of memory?); narrow the query.") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if status == "error":
        raise QueryError(payload)
    return payload


def _evaluate_in_worker(sender, location: StoreLocation, query: str, bindings: dict, limit: int | None) -> None:
    try:
        sender.send(("ok", _evaluate(open_store(location), query, bindings, limit)))
    except QueryError as exc:
        sender.send(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the worker reports every failure instead of dying silently
        sender.send(("error", f"the query failed: {type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _evaluate(store, query: str, bindings: dict, limit: int | None) -> QueryResult:
    import pyoxigraph as ox

    substitutions = {ox.Variable(name): ox.NamedNode(value) if kind == "uri" else ox.Literal(value)
                     for name, (kind, value) in bindings.items()}
    try:
        results = store.query(query, substitutions=substitutions)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except RuntimeError as exc:
        if "projection" in str(exc):  # a bound variable must be selected (SPARQL SEP-0007)
            raise QueryError(f"{exc}: to bind a variable with --param, select it too "
                             "(SELECT ?name ... or SELECT *).") from exc
        raise
    if isinstance(results, ox.QueryBoolean):
        return QueryResult([], boolean=bool(results))
    if isinstance(results, ox.QueryTriples):
        triples = []
        for triple in results:
            triples.append(f"{triple.subject} {triple.predicate} {triple.object} .")
            if limit is not None and len(triples) > limit:
                raise QueryError(f"the query returned more than {limit} triples; add a LIMIT or raise --max-rows.")
        return QueryResult([], triples=triples)
    variables = [v.value for v in results.variables]
    rows = []
    for solution in results:
        rows.append([_term(solution[v]) for v in variables])
        if limit is not None and len(rows) > limit:
            raise QueryError(f"the query returned more than {limit} rows; add a LIMIT or raise --max-rows.")
    return QueryResult(variables, rows)


def _term(term) -> Term | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return Term("literal", term.value, lang=term.language,
                    datatype=None if datatype in (XSD_STRING, RDF_LANG_STRING) else datatype)
    return Term("triple", str(term))


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render results as ``table``, ``csv``, ``tsv`` or ``json`` (the SPARQL 1.1 results formats for the last three);
    the triples of a CONSTRUCT or DESCRIBE are N-Triples whatever the format.

    >>> print(format_result(QueryResult(["name"], [[Term("literal", "NATO")]]), "csv"), end="")
    name
    NATO
    """
    if result.triples is not None:
        return "".join(line + "\n" for line in result.triples)
    if fmt == "json":
        if result.boolean is not None:
            return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        bindings = [{var: term.to_json() for var, term in zip(result.variables, row) if term is not None}
                    for row in result.terms]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1) + "\n"
    variables = result.variables if result.boolean is None else ["ask"]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return buffer.getvalue()
    if fmt == "tsv":
        if result.boolean is not None:
            return "?ask\n" + result.rows[0][0] + "\n"
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else t.to_ntriples() for t in row) for row in result.terms]
        return "\n".join(lines) + "\n"
    if fmt != "table":
        raise QueryError(f"unknown result format {fmt!r}; use table, csv, tsv or json.")
    cells = [[" ".join((v or "").split()) for v in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(variables, widths)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
