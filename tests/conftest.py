"""Shared fixtures: the spaCy pipeline loads once per session, the sample build runs once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_13ec9c912da2c082.txt"


ALONE = "KGRAPH_TEST_ALONE"  # set in the fresh process a single_threaded test runs again in


def pytest_configure(config):
    config.addinivalue_line("markers", "single_threaded: needs a process with no thread but the main one (a build "
                                       "forks its exports only then); run again in a fresh process when it has more")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """A ``single_threaded`` test in a process where earlier tests left threads behind (a Dask cluster's client
    keeps its own for the rest of the session) runs again in a fresh Python process, and passes only if it passes
    there."""
    import os
    import subprocess
    import sys
    import threading

    if pyfuncitem.get_closest_marker("single_threaded") is None or threading.active_count() == 1:
        return None
    others = sorted(thread.name for thread in threading.enumerate() if thread is not threading.main_thread())
    if os.environ.get(ALONE):
        pytest.fail(f"a fresh process still runs other threads: {others}", pytrace=False)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", pyfuncitem.nodeid],
                         cwd=pyfuncitem.config.rootpath, env={**os.environ, ALONE: "1"},
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        pytest.fail(f"run again in a fresh process (this one has {others}), it failed:\n"
                    f"{run.stdout[-6000:]}{run.stderr[-2000:]}", pytrace=False)
    return True


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """CLI builds cache extractions; in tests, in a folder of the session's own, never the user's."""
    import os

    os.environ["KGRAPH_CACHE_DIR"] = str(tmp_path_factory.mktemp("kgraph-cache"))
    yield
    os.environ.pop("KGRAPH_CACHE_DIR", None)


@pytest.fixture(scope="session")
def nlp():
    from kgraph.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory, nlp):
    """A build of the one seed article the gold expectations describe."""
    from kgraph import build

    out = tmp_path_factory.mktemp("seed-build")
    return build([SEED_ARTICLE], out), out


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory, nlp):
    """A build of every sample article in seeds/."""
    from kgraph import build

    out = tmp_path_factory.mktemp("seeds-build")
    return build([SEEDS], out), out


@pytest.fixture
def articles_dir(tmp_path):
    """An empty folder to put articles in."""
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


def copy_seeds(target: Path) -> Path:
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def sentence_corpus(tmp_path_factory):
    """70 short articles of CoNLL04 news sentences, three each: enough for several worker chunks."""
    import json

    sentences = [json.loads(line)["text"] for line in
                 (REPO.parent / "shared" / "data" / "conll04" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    folder = tmp_path_factory.mktemp("sentence-corpus")
    for index in range(70):
        text = "\n\n".join(sentences[3 * index:3 * index + 3])
        (folder / f"{index:03d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


class LoopbackListener:
    """A listener on a free loopback port that records whether anything connected to it."""

    def __init__(self) -> None:
        import socket
        import threading

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(1)
        self.socket.settimeout(1.0)
        self.port = self.socket.getsockname()[1]
        self.accepted: list = []
        self.thread = threading.Thread(target=self._accept)
        self.thread.start()

    def _accept(self) -> None:
        try:
            self.accepted.append(self.socket.accept())
        except OSError:
            pass

    def connections(self) -> list:
        """What connected, once the listener has waited its second."""
        self.thread.join()
        return self.accepted


@pytest.fixture
def loopback_listener():
    """A loopback port to point a query at; ``connections()`` tells whether anything reached it."""
    listener = LoopbackListener()
    yield listener
    listener.thread.join()
    listener.socket.close()
