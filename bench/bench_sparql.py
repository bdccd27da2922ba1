"""SPARQL at scale: plain rdflib against kgraph's embedded Oxigraph store, measured in one run.

Generates a synthetic graph in kgraph's RDF model (people, organizations, places, memberships and events,
each fact with its evidence record), written directly as N-Triples, then times, from that one file and with
the same query texts: rdflib's parse and kgraph's in-memory load of it, the on-disk store's build and opening,
then a label lookup and two two-hop joins with a count on rdflib, the on-disk store and the in-memory one
(results checked equal), and prints each time and the ratio.

    python bench/bench_sparql.py                    # 1,000,000 triples (a few minutes, about 2 GB of memory)
    python bench/bench_sparql.py --triples 20000    # a quick look

Times are the best of ``--repeat`` runs for the queries; the load runs once.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

BASE = "https://kgraph.example/id/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
PROV = "http://www.w3.org/ns/prov#"
KG = "https://kgraph.example/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ROLES = 50

LABEL_QUERY = 'SELECT ?entity WHERE { ?entity rdfs:label "Person 42" }'
# Both engines run the same text. Oxigraph joins the triple patterns in the order written when its estimates
# tie, so the smaller side comes first (organizations with a location, then their members); rdflib reorders
# the patterns itself and takes the same time in either order (measured).
TWO_HOP_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?org schema:location ?place . ?person org:memberOf ?org }"
# The same question through the membership records, as most kgraph queries ask it.
FACT_HOP_QUERY = """SELECT (COUNT(*) AS ?n) WHERE {
  ?org schema:location ?place . ?membership org:organization ?org ; org:member ?person }"""


def generate(path: Path, triples: int) -> int:
    """Write at least ``triples`` N-Triples in kgraph's model; returns how many were written."""
    people, orgs, places, articles = max(triples // 60, 10), max(triples // 600, 5), max(triples // 2000, 5), max(triples // 400, 5)
    written = 0

    def iri(kind: str, n: int) -> str:
        return f"<{BASE}{kind}/{n}>"

    with path.open("w", encoding="utf-8") as out:
        def emit(s: str, p: str, o: str) -> None:
            nonlocal written
            out.write(f"{s} {p} {o} .\n")
            written += 1

        for n in range(articles):
            emit(iri("article", n), RDF_TYPE, f"<{SCHEMA}NewsArticle>")
            emit(iri("article", n), f"<{SCHEMA}headline>", f'"Headline {n}"')
            emit(iri("article", n), f"<{DCTERMS}identifier>", f'"article-{n}.txt"')
        for n in range(ROLES):
            emit(iri("role", n), LABEL, f'"Role {n}"')
        for kind, cls, count in (("person", "Person", people), ("org", "Organization", orgs), ("place", "Place", places)):
            for n in range(count):
                emit(iri(kind, n), RDF_TYPE, f"<{SCHEMA}{cls}>")
                emit(iri(kind, n), LABEL, f'"{cls} {n}"')
                emit(iri(kind, n), f"<{KG}mentionedIn>", iri("article", n % articles))
        for n in range(orgs):
            emit(iri("org", n), f"<{SCHEMA}location>", iri("place", (n * 7) % places))
            emit(iri("org", n), f"<{SKOS}altLabel>", f'"ORG{n}"')
        fact = 0
        while written < triples:
            person, org, place, article = fact % people, (fact * 31) % orgs, (fact * 17) % places, fact % articles
            node = iri("fact", fact)
            if fact % 2 == 0:
                emit(node, RDF_TYPE, f"<{ORG}Membership>")
                emit(node, f"<{ORG}member>", iri("person", person))
                emit(node, f"<{ORG}organization>", iri("org", org))
                emit(node, f"<{ORG}role>", iri("role", fact % ROLES))
                emit(iri("person", person), f"<{ORG}memberOf>", iri("org", org))
            else:
                emit(node, RDF_TYPE, f"<{SEM}Event>")
                emit(node, LABEL, f'"action {fact % 40}"')
                emit(node, f"<{SEM}hasActor>", iri("org", org))
                emit(node, f"<{SEM}hasPlace>", iri("place", place))
            emit(node, f"<{PROV}wasDerivedFrom>", iri("article", article))
            evidence = iri("evidence", fact)
            emit(node, f"<{KG}evidence>", evidence)
            emit(evidence, RDF_TYPE, f"<{KG}Evidence>")
            emit(evidence, f"<{PROV}wasDerivedFrom>", iri("article", article))
            emit(evidence, f"<{KG}sentence>", f'"Sentence {fact} says that something happened."')
            emit(evidence, f"<{KG}sentenceStart>", f'"{fact % 5000}"^^<{XSD}integer>')
            emit(evidence, f"<{KG}extractor>", '"dependency"')
            emit(evidence, f"<{KG}confidence>", f'"0.{fact % 1000:03d}"^^<{XSD}double>')
            fact += 1
    return written


def timed(action, repeat: int = 1):
    """(best seconds, result) over ``repeat`` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query; the best counts (default 3)")
    args = parser.parse_args(argv)

    import pyoxigraph as ox
    from rdflib import Graph

    from kgraph.query import PREFIXES_SPARQL, run_query
    from kgraph.store import locate, open_store, write_store

    folder = Path(tempfile.mkdtemp(prefix="kgraph-bench-"))
    try:
        nt = folder / "graph.nt"
        count = generate(nt, args.triples)
        print(f"{count:,} triples ({nt.stat().st_size / 1e6:.0f} MB of N-Triples), pyoxigraph {ox.__version__}")

        # rdflib's best plain setup: a Graph on its default in-memory store (faster to fill than SimpleMemory).
        rdflib_load, graph = timed(lambda: Graph().parse(nt, format="nt"))
        # kgraph's own paths, from the same file: without a store beside it, graph.nt is loaded in memory...
        memory_load, memory = timed(lambda: open_store(locate(folder)))
        # ... which `kgraph build` avoids by writing the on-disk store that queries then open read-only.
        store_build, _ = timed(lambda: write_store(nt, folder))
        store_open, store = timed(lambda: open_store(locate(folder)))
        assert locate(folder).persistent

        def rdflib_query(query):
            return [tuple(str(v) for v in row) for row in graph.query(PREFIXES_SPARQL + query)]

        def oxigraph_query(engine):
            def run(query):
                solutions = engine.query(PREFIXES_SPARQL + query)
                variables = solutions.variables
                return [tuple(s[v].value for v in variables) for s in solutions]
            return run

        rows = []
        for name, query in (("label lookup", LABEL_QUERY), ("two-hop join, count", TWO_HOP_QUERY),
                            ("two hops via memberships, count", FACT_HOP_QUERY)):
            slow, expected = timed(lambda: rdflib_query(query), args.repeat)
            fast, got = timed(lambda: oxigraph_query(store)(query), args.repeat)
            in_memory, from_memory = timed(lambda: oxigraph_query(memory)(query), args.repeat)
            end_to_end, result = timed(lambda: run_query(folder, query).rows, args.repeat)
            if not sorted(expected) == sorted(got) == sorted(from_memory) == sorted(map(tuple, result)):
                print(f"  {name}: the engines disagree: {expected[:3]} vs {got[:3]}", file=sys.stderr)
                return 1
            rows.append((name, slow, fast, in_memory, end_to_end, got))

        print(f"\n{'':34}{'rdflib':>10}{'on disk':>10}{'ratio':>8}{'in memory':>11}{'ratio':>8}")
        print(f"{'load (rdflib parse / store load)':34}{rdflib_load:>9.2f}s{'':18}{memory_load:>10.2f}s"
              f"{rdflib_load / memory_load:>7.1f}x")
        print(f"{'build the on-disk store':34}{rdflib_load:>9.2f}s{store_build:>9.2f}s"
              f"{rdflib_load / store_build:>7.1f}x")
        print(f"{'ready to query (parse / open)':34}{rdflib_load:>9.2f}s{store_open:>9.3f}s"
              f"{rdflib_load / store_open:>7.0f}x")
        for name, slow, fast, in_memory, _e, got in rows:
            print(f"{name:34}{slow:>9.4f}s{fast:>9.4f}s{slow / fast:>7.0f}x{in_memory:>10.4f}s{slow / in_memory:>7.0f}x"
                  f"   (result {got[0] if got else '-'})")
        print("\nkgraph query end to end (worker process, store opened read-only, query):")
        for name, slow, _fast, _m, end_to_end, _got in rows:
            print(f"  {name}: {end_to_end:.3f}s; rdflib needs {rdflib_load + slow:.1f}s (parse + query): "
                  f"{(rdflib_load + slow) / end_to_end:.0f}x")
        queries = ", ".join(f"{name} {slow / fast:.0f}x" for name, slow, fast, _m, _e, _g in rows)
        print(f"\nratios rdflib / oxigraph: load into memory {rdflib_load / memory_load:.1f}x, "
              f"on-disk store build {rdflib_load / store_build:.1f}x (opening it: {rdflib_load / store_open:.0f}x), "
              f"queries on the on-disk store: {queries} (goal: 10x or better on each)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
