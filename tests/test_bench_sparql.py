"""The SPARQL benchmark runs (a smoke test at a small size: the benchmark's figures are not a test)."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_bench_sparql_runs_and_the_engines_agree():
    result = subprocess.run([sys.executable, str(REPO / "bench" / "bench_sparql.py"), "--triples", "20000",
                             "--repeat", "1"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "20,0" in result.stdout and "label lookup" in result.stdout and "ratios rdflib / oxigraph" in result.stdout
    assert "https://kgraph.example/id/person/42" in result.stdout
