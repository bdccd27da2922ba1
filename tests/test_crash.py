"""Crashes: a build killed (SIGKILL) at any point of its export leaves every file old or new, whole; the next
build is not blocked and cleans up; a second build on the same folder is refused while one runs."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kgraph import build
from kgraph.build import remove
from kgraph.cli import main
from kgraph.ingest import read_articles

from conftest import SEEDS

A = [SEEDS / "000_13ec9c912da2c082.txt", SEEDS / "001_nato_expands_iraq_mission.txt"]
B = [SEEDS / "004_wire_stories.jsonl"]
FILES = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.json", "graph.graphml", "graph.html",
         "articles.jsonl", "build-report.json"]
RDF_FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld"}
SERVER = Path(__file__).parent / "adversarial" / "crash_server.py"


@pytest.fixture(scope="module")
def versions(tmp_path_factory, nlp):
    """``old``: a build of A and B; ``new``: the same folder after `remove` of B's articles."""
    root = tmp_path_factory.mktemp("crash")
    build(A + B, root / "old")
    shutil.copytree(root / "old", root / "new")
    remove(_b_ids(), root / "new")
    old = {name: (root / "old" / name).read_bytes() for name in FILES}
    new = {name: (root / "new" / name).read_bytes() for name in FILES}
    assert all(old[name] != new[name] for name in FILES)  # else a kill could not tell them apart
    return root, old, new


def _b_ids() -> list[str]:
    return sorted(a.id for a in read_articles(B))


class CrashServer:
    """tests/adversarial/crash_server.py, running: forks instrumented `remove` runs for us to kill."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1)
        assert self.process.stdout.readline().strip() == "ready"

    def run(self, folder: Path, stop_at: tuple[int, str] | None) -> tuple[int, list[str], bool]:
        """Start `remove` of B in ``folder``; return the child's pid, the steps it passed and whether it
        stopped (at ``stop_at``: the given occurrence of a step, waiting to be killed) rather than finished."""
        stop = "-" if stop_at is None else f"{stop_at[0]} {stop_at[1]}"
        self.process.stdin.write("\t".join([str(folder), stop, *_b_ids()]) + "\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline().split()[1])
        steps = []
        while True:
            line = self.process.stdout.readline().strip()
            if line.startswith("exit "):
                assert line == "exit 0", f"the run failed: {line}"
                return pid, steps, False
            steps.append(line.removeprefix("stopped "))
            if line.startswith("stopped "):
                return pid, steps, True

    def reap(self) -> None:
        """Wait for the killed child's exit, past the steps its other thread passed after the stop."""
        while not (line := self.process.stdout.readline()).startswith("exit "):
            assert line, "the fork server ended"

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _assert_old_or_new_and_whole(folder: Path, old: dict, new: dict, where: str) -> str:
    states = []
    for name in FILES:
        content = (folder / name).read_bytes()
        assert content in (old[name], new[name]), f"{name} is neither the old nor the new version after a kill {where}"
        states.append("old" if content == old[name] else "new")
        _parse(folder / name)
    return "".join(s[0] for s in states)


def _parse(path: Path) -> None:
    name = path.name
    if name in RDF_FORMATS:
        assert len(Graph().parse(path, format=RDF_FORMATS[name])) > 100
    elif name == "graph.trig":
        Dataset().parse(path, format="trig")
    elif name == "graph.graphml":
        nx.read_graphml(path)
    elif name == "articles.jsonl":
        assert all(json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line)
    elif name == "graph.html":
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    else:
        json.loads(path.read_text(encoding="utf-8"))


def test_a_killed_build_leaves_every_file_old_or_new_whole(versions, tmp_path):
    root, old, new = versions
    probe = tmp_path / "probe"
    shutil.copytree(root / "old", probe)
    server = CrashServer()
    try:
        _, steps, stopped = server.run(probe, None)
        assert not stopped and (probe / "articles.jsonl").read_bytes() == new["articles.jsonl"]
        assert len(steps) >= 2 * len(FILES)  # a half-written temp file and a rename for each file, and the store's
        assert {"renamed to store", "renamed to old"} <= set(steps)  # the query store's steps are among them
        seen_states: set[str] = set()
        for number, (occurrence, where) in enumerate(_occurrences(steps)):
            folder = tmp_path / f"kill-{number}"
            shutil.copytree(root / "old", folder)
            pid, reported, stopped = server.run(folder, (occurrence, where))
            assert stopped and reported[-1] == where
            os.kill(pid, signal.SIGKILL)
            server.reap()
            _check_after_kill(folder, old, new, where, seen_states)
    finally:
        server.close()
    print(f"{len(steps)} kill points, {len(seen_states)} distinct mixes of old and new files")
    assert len(seen_states) > len(FILES)  # the kills did land all along the export, not in one place


def _occurrences(steps: list[str]) -> list[tuple[int, str]]:
    """Each step as (how many times the same step came before it, the step)."""
    before: Counter[str] = Counter()
    numbered = []
    for step in steps:
        numbered.append((before[step], step))
        before[step] += 1
    return numbered


def _check_after_kill(folder: Path, old: dict, new: dict, where: str, seen_states: set[str]) -> None:
    seen_states.add(_assert_old_or_new_and_whole(folder, old, new, f"at {where}"))
    if (folder / "articles.jsonl").read_bytes() == new["articles.jsonl"]:
        # articles.jsonl is written last: once it is new, everything is.
        assert all((folder / name).read_bytes() == new[name] for name in FILES), where
    else:
        remove(_b_ids(), folder)  # run again: not blocked by the dead run's lock, and it finishes the job
    assert all((folder / name).read_bytes() == new[name] for name in FILES), where
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")], where
    shutil.rmtree(folder)


def test_a_second_build_on_the_same_folder_is_refused_and_a_killed_one_blocks_nothing(versions, tmp_path, nlp):
    root, _, _ = versions
    folder = tmp_path / "busy"
    shutil.copytree(root / "old", folder)
    build_cmd = [sys.executable, "-m", "kgraph", "build", *map(str, B), "-o", str(folder), "--update",
                 "--workers", "1", "--no-cache"]
    first = subprocess.Popen(build_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _locked_by(folder, first.pid):
            assert first.poll() is None and time.monotonic() < deadline, "the build never took the folder's lock"
            time.sleep(0.05)
        second = CliRunner().invoke(main, ["build", *map(str, A), "-o", str(folder), "--workers", "1", "--no-cache"])
        assert second.exit_code == 1
        assert "another kgraph build or remove is writing to it" in second.output
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    result = build(A, folder, update=True)  # the dead build's lock went with it
    assert result.exit_code() == 0
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def _locked_by(folder: Path, pid: int) -> bool:
    """Whether ``pid`` holds an flock on ``folder`` (read from /proc/locks, which takes no lock itself)."""
    inode = os.stat(folder).st_ino
    with open("/proc/locks", encoding="ascii") as locks:
        for line in locks:
            fields = line.split()
            if "FLOCK" in fields and str(pid) in fields and any(f.endswith(f":{inode}") for f in fields):
                return True
    return False
