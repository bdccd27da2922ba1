"""``kgraph serve``: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1, for YASGUI, Protégé or any client.

``GET /sparql?query=...``, ``POST`` with ``application/sparql-query`` or a form (``query=...``). Results are
SPARQL 1.1 JSON, or CSV / TSV when the ``Accept`` header asks for them; CONSTRUCT and DESCRIBE give
N-Triples. The same refusals as ``kgraph query`` apply (``SERVICE``, ``FROM``, ``default-graph-uri``, every
update), and the same time limit and row cap. Every answer carries ``Access-Control-Allow-Origin: *`` so
that a SPARQL editor in a browser can use it.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import QueryError
from .query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, PREFIXES_SPARQL, QueryTimeout, check_query, evaluate, format_result
from .store import StoreLocation, locate, write_store

__all__ = ["SparqlServer", "make_server", "HOST"]

HOST = "127.0.0.1"
PATHS = ("/", "/sparql")
MAX_BODY = 1_000_000  # bytes: far more than any hand-written query
WORKERS = 2  # queries evaluated at the same time; the others wait their turn
MEDIA_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}
ACCEPTED = {"application/sparql-results+json": "json", "application/json": "json", "text/csv": "csv",
            "text/tab-separated-values": "tsv"}


class SparqlServer(ThreadingHTTPServer):
    """The endpoint over one exports folder; ``url`` is where clients send queries."""

    daemon_threads = True

    def __init__(self, location: StoreLocation, *, port: int, timeout: float, max_rows: int, quiet: bool,
                 scratch: Path | None) -> None:
        super().__init__((HOST, port), _Handler)
        self.location, self.query_timeout, self.max_rows, self.quiet = location, timeout, max_rows, quiet
        self.scratch = scratch
        self.slots = threading.BoundedSemaphore(WORKERS)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/sparql"

    def server_close(self) -> None:
        super().server_close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def make_server(source: str | Path, *, port: int = 7878, timeout: float = DEFAULT_TIMEOUT,
                max_rows: int = DEFAULT_MAX_ROWS, quiet: bool = False) -> SparqlServer:
    """An endpoint for an exports folder or RDF file (port 0 picks a free port); call ``serve_forever()``.

    Without an up-to-date ``store/`` beside the RDF files, one is built in a temporary folder first, so that
    no request has to parse the RDF again.
    """
    location = locate(source)
    scratch = None
    if not location.persistent:
        scratch = Path(tempfile.mkdtemp(prefix="kgraph-serve-"))
        location = StoreLocation(write_store(location.path, scratch, lenient=location.lenient), persistent=True)
    try:
        return SparqlServer(location, port=port, timeout=timeout, max_rows=max_rows, quiet=quiet, scratch=scratch)
    except OSError as exc:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise QueryError(f"cannot listen on {HOST}:{port} ({exc}); choose another --port.") from exc


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kgraph-sparql"

    def do_OPTIONS(self) -> None:  # noqa: N802 - the CORS preflight of a browser client
        self._send(HTTPStatus.NO_CONTENT, b"", None, extra={"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                                            "Access-Control-Allow-Headers": "Content-Type, Accept",
                                                            "Access-Control-Max-Age": "86400"})

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path not in PATHS:
            return self._error(HTTPStatus.NOT_FOUND, f"no such path; send queries to {self.server.url}")
        form = parse_qs(url.query, keep_blank_values=True)
        if not form:
            return self._send(HTTPStatus.OK, _usage(self.server.url).encode(), "text/plain; charset=utf-8")
        self._answer(form)

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path not in PATHS:
            return self._error(HTTPStatus.NOT_FOUND, f"no such path; send queries to {self.server.url}")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request is larger than {MAX_BODY} bytes.")
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media_type == "application/sparql-update":
            return self._error(HTTPStatus.FORBIDDEN, "updates are refused: this endpoint is read-only.")
        if media_type == "application/sparql-query":
            form = {"query": [body]}
            form.update(parse_qs(urlsplit(self.path).query, keep_blank_values=True))
        elif media_type == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
        else:
            return self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                               "send application/sparql-query or a form (application/x-www-form-urlencoded).")
        self._answer(form)

    def _answer(self, form: dict[str, list[str]]) -> None:
        if "update" in form:
            return self._error(HTTPStatus.FORBIDDEN, "updates are refused: this endpoint is read-only.")
        if "default-graph-uri" in form or "named-graph-uri" in form:
            return self._error(HTTPStatus.BAD_REQUEST, "default-graph-uri and named-graph-uri are refused, like "
                                                       "FROM: the endpoint answers over the whole local graph.")
        if len(form.get("query", [])) != 1:
            return self._error(HTTPStatus.BAD_REQUEST, "give exactly one query parameter.")
        full = PREFIXES_SPARQL + form["query"][0]
        fmt = _negotiate(self.headers.get("Accept", ""))
        try:
            check_query(full)
            with self.server.slots:
                result = evaluate(self.server.location, full, limit=self.server.max_rows,
                                  timeout=self.server.query_timeout)
        except QueryTimeout as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        except QueryError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        media_type = MEDIA_TYPES[fmt] if result.triples is None else _graph_media_type(self.headers.get("Accept", ""))
        self._send(HTTPStatus.OK, format_result(result, fmt).encode("utf-8"), f"{media_type}; charset=utf-8")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str | None, *, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the signature http.server calls
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


def _negotiate(accept: str) -> str:
    """The results format the ``Accept`` header prefers among those served; JSON when it names none.

    >>> _negotiate("text/csv;q=0.5, application/sparql-results+json")
    'json'
    >>> _negotiate("text/tab-separated-values")
    'tsv'
    >>> _negotiate("application/sparql-results+xml, */*;q=0.1")
    'json'
    """
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media_type, *parameters = [part.strip() for part in item.split(";")]
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type.lower() in ACCEPTED and quality > 0:
            ranked.append((-quality, position, ACCEPTED[media_type.lower()]))
    return min(ranked)[2] if ranked else "json"


def _graph_media_type(accept: str) -> str:
    """CONSTRUCT and DESCRIBE answer N-Triples, which is also Turtle: labelled as the client asks."""
    return "text/turtle" if "text/turtle" in accept.lower() else "application/n-triples"


def _usage(url: str) -> str:
    return (f"kgraph SPARQL endpoint (read-only)\n\nSend SPARQL 1.1 queries to {url}:\n"
            f"  GET {url}?query=...\n  POST {url} with Content-Type application/sparql-query, or a form with query=...\n"
            "Results: application/sparql-results+json (default), text/csv or text/tab-separated-values (Accept);\n"
            "CONSTRUCT and DESCRIBE: application/n-triples, or text/turtle when asked.\n"
            "Predeclared prefixes: rdf rdfs xsd skos schema org sem prov dcterms kg.\n")
