"""``kgraph push``: load the graph into a triple store through the SPARQL 1.1 Graph Store Protocol.

Each article's named graph of ``graph.trig`` is sent with ``PUT ENDPOINT?graph=<article>``, which replaces
that graph on the server: pushing again, after a rebuild or not, never duplicates a triple. The
description of entities and articles (the TriG default graph) goes into a named graph of its own,
``<base>graph/descriptions``, also replaced on each push; kgraph never writes the server's default graph,
which may hold other data. Queried with the union of all graphs as the default graph (Fuseki's
``unionDefaultGraph``, Oxigraph's ``--union-default-graph``, GraphDB and Virtuoso by default), the
store answers as ``kgraph query`` does. Graphs of articles no longer in the build stay on the server
until removed there.

Only the standard protocol is spoken, so any store that implements it works: Oxigraph
(``http://HOST:7878/store``), Apache Jena Fuseki (``http://HOST:3030/DATASET/data``), GraphDB
(``http://HOST:7200/repositories/REPO/rdf-graphs/service``), Virtuoso (``http://HOST:8890/sparql-graph-crud``).
"""
from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from . import ids
from .errors import ExportError

__all__ = ["PushResult", "push", "descriptions_graph"]

ARTICLE_KIND = "article/"


@dataclass
class PushResult:
    graphs: int
    triples: int


def descriptions_graph(article_graphs: list[str]) -> str:
    """The named graph for entity and article descriptions, under the base the build minted its IRIs with.

    >>> descriptions_graph(["https://example.org/kg/article/a-1"])
    'https://example.org/kg/graph/descriptions'
    >>> descriptions_graph([])
    'https://kgraph.example/id/graph/descriptions'
    """
    bases = {iri.rsplit(ARTICLE_KIND, 1)[0] for iri in article_graphs if ARTICLE_KIND in iri}
    base = bases.pop() if len(bases) == 1 else ids.DEFAULT_BASE
    return ids.iri("graph/descriptions", base)


def _trig_file(source: Path) -> Path:
    path = source / "graph.trig" if source.is_dir() else source
    if not path.exists():
        raise ExportError(f"{path}: not found; push reads the TriG export (run `kgraph build ... -o {source}` first).")
    if path.suffix.lower() not in (".trig", ".nq"):
        raise ExportError(f"{path}: push needs the named graphs of a .trig (or .nq) file.")
    return path


def push(source: str | Path, endpoint: str, *, user: str | None = None, password: str | None = None,
         timeout: float = 60.0, progress: Callable[[int, int], None] | None = None) -> PushResult:
    """PUT every graph of the export at ``source`` (an exports folder or a .trig file) to a Graph Store endpoint."""
    import pyoxigraph as ox

    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise ExportError(f"{endpoint}: give the http(s) URL of the store's Graph Store Protocol endpoint, "
                          "e.g. http://127.0.0.1:7878/store for Oxigraph.")
    trig = _trig_file(Path(source))
    store = ox.Store()
    try:
        store.load(path=str(trig), format=ox.RdfFormat.TRIG if trig.suffix.lower() == ".trig" else ox.RdfFormat.N_QUADS)
    except (SyntaxError, OSError) as exc:
        raise ExportError(f"{trig}: cannot be read as RDF ({exc}).") from exc
    articles = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    graphs = [(descriptions_graph(articles), ox.DefaultGraph())] + [(g, ox.NamedNode(g)) for g in articles]
    headers = {"Content-Type": "text/turtle; charset=utf-8"}
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    triples = 0
    for done, (iri, graph) in enumerate(graphs, start=1):
        body = store.dump(format=ox.RdfFormat.TURTLE, from_graph=graph)
        _put(endpoint, iri, body, headers, timeout)
        triples += len(list(store.quads_for_pattern(None, None, None, graph)))
        if progress:
            progress(done, len(graphs))
    return PushResult(graphs=len(graphs), triples=triples)


def _put(endpoint: str, graph: str, body: bytes, headers: dict, timeout: float) -> None:
    url = endpoint + ("&" if "?" in endpoint else "?") + urlencode({"graph": graph})
    request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", errors="replace").strip()
        raise ExportError(f"{endpoint}: the store refused graph <{graph}> with {exc.code} {exc.reason}"
                          f"{': ' + detail if detail else ''}. Check that the URL is the store's Graph Store "
                          "endpoint and that writes are allowed (--user, KGRAPH_PUSH_PASSWORD).") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ExportError(f"{endpoint}: cannot reach the store ({reason}); is it running?") from exc
