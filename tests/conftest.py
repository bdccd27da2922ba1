"""Shared fixtures: the spaCy pipeline loads once per session, the sample build runs once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_13ec9c912da2c082.txt"


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
