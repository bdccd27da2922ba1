"""Fuzz the whole pipeline with atheris: any bytes, as any kind of article file, through ingest -> extract ->
resolve -> graph -> every export, which must then parse back. Any exception is a crash.

    python fuzz/fuzz_pipeline.py CORPUS_DIR -max_total_time=60

CORPUS_DIR holds seed inputs (tests/test_fuzz.py fills one from seeds/ and the adversarial corpus); the
first byte of each input picks the file's suffix, the rest is the file.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["kgraph"]):
    from kgraph.build import build
    from kgraph.nlp import load_pipeline

import networkx as nx
from rdflib import Graph

SUFFIXES = (".txt", ".md", ".html", ".jsonl")
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None  # fsync is free there; the writes are not under test


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    suffix = SUFFIXES[provider.ConsumeIntInRange(0, len(SUFFIXES) - 1)]
    body = provider.ConsumeBytes(provider.remaining_bytes())
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        source = Path(folder) / f"article{suffix}"
        source.write_bytes(body)
        out = Path(folder) / "out"
        result = build([source], out, workers=1)
        assert result.outcomes, "every input gets an outcome"
        assert len(Graph().parse(out / "graph.nt", format="nt")) >= 0
        Graph().parse(out / "graph.ttl", format="turtle")
        Graph().parse(out / "graph.jsonld", format="json-ld")
        nx.read_graphml(out / "graph.graphml")
        json.loads((out / "graph.json").read_text(encoding="utf-8"))
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        assert sum(report["counts"][k] for k in ("processed", "skipped", "failed")) == len(report["inputs"])


def main() -> None:
    load_pipeline()  # once, before fuzzing starts
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
