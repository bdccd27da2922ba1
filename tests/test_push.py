"""`kgraph push` into a real Oxigraph server (the `oxigraph` package's binary) on loopback, twice."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from kgraph.cli import main
from kgraph.push import descriptions_graph, push
from kgraph.query import PREFIXES_SPARQL, example, run_query

ROLES = """SELECT DISTINCT ?person ?role ?org WHERE {
  ?m a org:Membership ; org:member/rdfs:label ?person ; org:role/rdfs:label ?role ; org:organization/rdfs:label ?org }"""
EVERYTHING = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    assert found, "the Oxigraph server is missing: pip install -e '.[test]' installs it (package `oxigraph`)"
    return found


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh Oxigraph server on a free loopback port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "oxigraph"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the Oxigraph server did not start in 30 s"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)


def remote(url: str, query: str) -> list[dict]:
    request = urllib.request.Request(f"{url}/query?{urlencode({'query': PREFIXES_SPARQL + query})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["results"]["bindings"]


def local(source, query: str) -> list[dict]:
    result = run_query(source, query, limit=None)
    return [{v: t.to_json() for v, t in zip(result.variables, row) if t is not None} for row in result.terms]


def canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_push_round_trips_and_a_second_push_replaces(oxigraph, seeds_build):
    out = seeds_build[1]
    first = push(out, f"{oxigraph}/store")
    count = int(remote(oxigraph, QUADS)[0]["n"]["value"])
    second = push(out, f"{oxigraph}/store")
    assert first == second
    assert int(remote(oxigraph, QUADS)[0]["n"]["value"]) == count == first.triples

    articles = sorted(r[0] for r in run_query(out, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)
    graphs = sorted(r["g"]["value"] for r in remote(oxigraph, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert graphs == sorted(articles + [descriptions_graph(articles)]) and len(articles) == seeds_build[0].articles

    for query in (ROLES, EVERYTHING):
        assert canonical(remote(oxigraph, query)) == canonical(local(out, query))
    corroborated = example("corroborated").text
    assert canonical(remote(oxigraph, corroborated)) == canonical(local(out, corroborated)) != []


def test_a_push_replaces_each_article_graph(oxigraph, seeds_build, tmp_path):
    """A fact gone from an article's graph in the new build is gone from the store after the next push."""
    import pyoxigraph as ox

    out = seeds_build[1]
    push(out, f"{oxigraph}/store")
    dataset = ox.Dataset(ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG))
    dropped = next(q for q in sorted(dataset, key=str) if not isinstance(q.graph_name, ox.DefaultGraph))
    dataset.remove(dropped)
    ox.serialize(dataset, output=str(tmp_path / "graph.trig"), format=ox.RdfFormat.TRIG)
    before = int(remote(oxigraph, QUADS)[0]["n"]["value"])
    push(tmp_path / "graph.trig", f"{oxigraph}/store")
    assert int(remote(oxigraph, QUADS)[0]["n"]["value"]) == before - 1
    gone = f"ASK {{ GRAPH {dropped.graph_name} {{ {dropped.subject} {dropped.predicate} {dropped.object} }} }}"
    request = urllib.request.Request(f"{oxigraph}/query?{urlencode({'query': gone})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert json.loads(response.read())["boolean"] is False


def test_one_article_graph_on_the_server_equals_its_graph_locally(oxigraph, seeds_build):
    out = seeds_build[1]
    push(out, f"{oxigraph}/store")
    article = run_query(out, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1").rows[0][0]
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{article}> {{ ?s ?p ?o }} }}"
    assert canonical(remote(oxigraph, query)) == canonical(local(out, query))


def test_cli_push_reports_and_fails_cleanly_when_nothing_listens(oxigraph, seeds_build):
    result = CliRunner().invoke(main, ["push", str(seeds_build[1]), "--endpoint", f"{oxigraph}/store"])
    assert result.exit_code == 0 and f"pushed {seeds_build[0].articles + 1} graphs" in result.output
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failed = CliRunner().invoke(main, ["push", str(seeds_build[1]), "--endpoint", f"http://127.0.0.1:{port}/store"])
    assert failed.exit_code == 1 and "cannot reach the store" in failed.output
    wrong = CliRunner().invoke(main, ["push", str(seeds_build[1]), "--endpoint", f"{oxigraph}/no-such-path"])
    assert wrong.exit_code == 1 and "refused graph" in wrong.output
