"""SPARQL over the exports: the questions users ask, and the queries kgraph refuses."""
from __future__ import annotations

import socket
import threading

import pytest

from kgraph.errors import QueryError
from kgraph.query import check_query, run_query

ROLES = """
SELECT ?person ?role ?org WHERE {
  ?m a org:Membership ; org:member ?p ; org:role/rdfs:label ?role ; org:organization ?o .
  ?p rdfs:label ?person . ?o rdfs:label ?org .
}"""


def test_pentagon_spokespersons_and_nato_secretary_general(seeds_build):
    rows = {tuple(r) for r in run_query(seeds_build[1], ROLES).rows}
    spokespeople = {p for p, role, org in rows if "spokes" in role.lower() and org == "US Department of Defense"}
    assert {"Jessica L. McNulty", "John Kirby"} <= spokespeople
    assert any(p == "Jens Stoltenberg" and "secretary" in r.lower() and o == "NATO" for p, r, o in rows)


def test_member_of_shortcut(seeds_build):
    rows = run_query(seeds_build[1], 'SELECT ?org WHERE { ?p rdfs:label "John Kirby" ; org:memberOf/rdfs:label ?org }').rows
    assert ["US Department of Defense"] in rows


def test_each_fact_once_though_many_articles_state_it(seeds_build):
    rows = run_query(seeds_build[1], """SELECT ?m WHERE { ?m org:member/rdfs:label "Jens Stoltenberg" ;
        org:organization/rdfs:label "NATO" ; org:role/rdfs:label "Secretary-General" }""").rows
    assert len(rows) == 1


def test_provenance_of_a_fact(seeds_build):
    rows = run_query(seeds_build[1], """SELECT ?sentence ?extractor ?confidence ?start WHERE {
        ?m org:member/rdfs:label "Jessica L. McNulty" ; kg:evidence ?e .
        ?e kg:sentence ?sentence ; kg:extractor ?extractor ; kg:confidence ?confidence ; kg:sentenceStart ?start ;
           prov:wasDerivedFrom ?article . ?article a schema:NewsArticle }""").rows
    assert any("Pentagon spokesperson Cmdr. Jessica L. McNulty" in r[0] for r in rows)


@pytest.mark.parametrize("query, word", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("LOAD <http://127.0.0.1:{port}/data.ttl>", "Updates"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "Updates"),
    ("DELETE WHERE { ?s ?p ?o }", "Updates"),
    ("CLEAR ALL", "Updates"),
])
def test_reaching_outside_is_refused_and_nothing_connects(seeds_build, query, word):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    connected = []
    thread = threading.Thread(target=lambda: _accept(listener, connected))
    thread.start()
    try:
        with pytest.raises(QueryError, match=word):
            run_query(seeds_build[1], query.replace("{port}", str(port)))
    finally:
        thread.join()
        listener.close()
    assert connected == []


def _accept(listener, connected):
    try:
        connected.append(listener.accept())
    except OSError:
        pass


def test_syntax_error_says_so():
    with pytest.raises(QueryError, match="syntax"):
        check_query("SELECT WHERE {")


def test_row_cap(seeds_build):
    with pytest.raises(QueryError, match="more than 5 rows"):
        run_query(seeds_build[1], "SELECT * WHERE { ?s ?p ?o }", limit=5)
