"""The atheris harness (fuzz/fuzz_pipeline.py) runs for 60 s over ingest -> extract -> export without a crash.

Part of the normal test run on purpose: it is the check that no input, however malformed, makes a build fall over.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

from adversarial.corpus import write_corpus
from conftest import REPO, SEEDS

SECONDS = 60
SEED_INPUTS = ["plain.txt", "cp1252.txt", "utf16-le.txt", "control-chars.txt", "page.html", "markup-names.md",
               "image.txt", "menus-only.html"]


def test_the_pipeline_survives_sixty_seconds_of_fuzzing(tmp_path):
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for seed in ("000_13ec9c912da2c082.txt", "004_wire_stories.jsonl"):
        shutil.copy(SEEDS / seed, corpus / seed)
    adversarial = write_corpus(tmp_path)
    for name in SEED_INPUTS:
        shutil.copy(adversarial / name, corpus / name)
    artifacts = tmp_path / "crashes"
    artifacts.mkdir()
    run = subprocess.run([sys.executable, str(REPO / "fuzz" / "fuzz_pipeline.py"), str(corpus),
                          f"-max_total_time={SECONDS}", "-max_len=4096", "-rss_limit_mb=3072",
                          f"-artifact_prefix={artifacts}/"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=SECONDS * 5)
    tail = run.stderr[-3000:]
    assert run.returncode == 0, tail
    assert not list(artifacts.iterdir()), tail
    runs = re.search(r"Done (\d+) runs in (\d+) second", run.stderr)
    assert runs, tail
    print(f"fuzzing: {runs.group(1)} executions in {runs.group(2)} s, no crash")
    assert int(runs.group(1)) >= len(SEED_INPUTS)  # at least the seeds themselves ran
