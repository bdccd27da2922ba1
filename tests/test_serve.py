"""`kgraph serve`: a read-only SPARQL 1.1 Protocol endpoint on loopback, as a SPARQL client sees it."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from rdflib import Graph

from kgraph.query import run_query
from kgraph.serve import make_server

NAMES = 'SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name'
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@contextmanager
def running(server):
    """The server answering in a thread while the block runs, then stopped and closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def endpoint(seeds_build):
    with running(make_server(seeds_build[1], port=0, timeout=2, quiet=True)) as server:
        yield server


def request(url, *, data=None, headers=None, method=None):
    """(status, headers, body) of one HTTP exchange, errors included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}, method=method),
                                    timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def local_json(seeds_build, query):
    return [{v: t.to_json() for v, t in zip(r.variables, row) if t is not None}
            for r in [run_query(seeds_build[1], query)] for row in r.terms]


def test_listens_on_loopback_only(endpoint):
    assert endpoint.server_address[0] == "127.0.0.1" and endpoint.url.startswith("http://127.0.0.1:")


def test_get_answers_like_kgraph_query(endpoint, seeds_build):
    status, headers, body = request(f"{endpoint.url}?{urlencode({'query': NAMES})}")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body)["results"]["bindings"] == local_json(seeds_build, NAMES)


def test_post_query_and_post_form_give_the_same_answer(endpoint):
    direct = request(endpoint.url, data=NAMES.encode(), headers={"Content-Type": "application/sparql-query"})
    form = request(endpoint.url, data=urlencode({"query": NAMES}).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert direct[0] == form[0] == 200 and direct[2] == form[2] and "John Kirby" in direct[2]


@pytest.mark.parametrize("accept, media_type, first_line", [
    ("text/csv", "text/csv", "name"),
    ("text/tab-separated-values", "text/tab-separated-values", "?name"),
])
def test_csv_and_tsv_by_accept(endpoint, accept, media_type, first_line):
    status, headers, body = request(f"{endpoint.url}?{urlencode({'query': NAMES})}", headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(media_type)
    lines = body.splitlines()
    assert lines[0] == first_line and any("John Kirby" in line for line in lines[1:])


def test_ask(endpoint):
    status, _headers, body = request(f"{endpoint.url}?{urlencode({'query': 'ASK { ?s a org:Membership }'})}")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


@pytest.mark.parametrize("how", ["form", "update-media-type", "get"])
def test_updates_are_forbidden(endpoint, seeds_build, how):
    update = "DELETE WHERE { ?s ?p ?o }"
    if how == "form":
        status, _h, body = request(endpoint.url, data=urlencode({"update": update}).encode(),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "update-media-type":
        status, _h, body = request(endpoint.url, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    else:
        status, _h, body = request(f"{endpoint.url}?{urlencode({'update': update})}")
    assert status == 403 and "read-only" in body
    assert run_query(seeds_build[1], "ASK { ?s ?p ?o }").rows == [["true"]]


def test_an_update_sent_as_a_query_is_refused(endpoint):
    status, _h, body = request(f"{endpoint.url}?{urlencode({'query': 'CLEAR ALL'})}")
    assert status == 400 and "Updates" in body


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE { ?s ?p ?o }",
])
def test_reaching_outside_is_refused_and_nothing_connects(endpoint, loopback_listener, query):
    query = query.replace("{port}", str(loopback_listener.port))
    status, _h, body = request(f"{endpoint.url}?{urlencode({'query': query})}")
    assert status == 400 and "refused" in body
    assert loopback_listener.connections() == []


def test_dataset_parameters_are_refused(endpoint):
    status, _h, body = request(f"{endpoint.url}?{urlencode({'query': NAMES, 'default-graph-uri': 'file:///etc/passwd'})}")
    assert status == 400 and "refused" in body


def test_cors_preflight(endpoint):
    status, headers, _body = request(endpoint.url, method="OPTIONS",
                                     headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "*" and "POST" in headers["Access-Control-Allow-Methods"]


def test_a_runaway_query_answers_503(endpoint):
    status, _h, body = request(f"{endpoint.url}?{urlencode({'query': CROSS_JOIN})}")
    assert status == 503 and "time limit" in body


def test_a_syntax_error_answers_400(endpoint):
    status, _h, body = request(f"{endpoint.url}?{urlencode({'query': 'SELECT WHERE {'})}")
    assert status == 400 and "syntax" in body


def test_serving_an_rdf_file_builds_a_scratch_store_and_removes_it(seeds_build):
    server = make_server(seeds_build[1] / "graph.nt", port=0, quiet=True)
    with running(server):
        status, _h, body = request(f"{server.url}?{urlencode({'query': NAMES})}")
    assert status == 200 and "John Kirby" in body
    assert server.scratch is not None and not server.scratch.exists()


def test_construct_answers_n_triples(endpoint):
    query = 'CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a schema:Person ; rdfs:label ?name }'
    status, headers, body = request(f"{endpoint.url}?{urlencode({'query': query})}")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert "John Kirby" in {str(o) for o in Graph().parse(data=body, format="nt").objects()}
