"""Shared fixtures: the spaCy pipeline loads once per session, the sample build runs once."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_13ec9c912da2c082.txt"


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
