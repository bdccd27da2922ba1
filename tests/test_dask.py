"""`--executor dask`: ingest and extraction on a Dask cluster give the graph a local build gives."""
from __future__ import annotations

import networkx as nx
import pytest

from kgraph import build
from kgraph.errors import KGraphError

from conftest import SEEDS
from test_parallel import exported_files

distributed = pytest.importorskip("distributed", reason="the dask extra: pip install 'kgraph[dask]'")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def pipelines_loaded(cluster) -> list[int]:
    """How many times each worker loaded the spaCy pipeline."""

    def loads() -> int:
        import sys

        nlp = sys.modules.get("kgraph.nlp")
        return nlp.load_pipeline.cache_info().misses if nlp else 0

    with distributed.Client(cluster) as client:
        return sorted(client.run(loads).values())


def test_a_build_on_a_cluster_equals_the_local_build(cluster, sentence_corpus, tmp_path):
    local = build([SEEDS, sentence_corpus], tmp_path / "local", workers=1)
    remote = build([SEEDS, sentence_corpus], tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address)
    assert remote.articles == local.articles == 79
    assert nx.utils.graphs_equal(remote.graph, local.graph)
    assert exported_files(tmp_path / "dask") == exported_files(tmp_path / "local")
    assert pipelines_loaded(cluster) == [1, 1]  # both workers extracted, each loading the pipeline once
    build([sentence_corpus], tmp_path / "again", executor="dask", scheduler=cluster.scheduler_address)
    assert pipelines_loaded(cluster) == [1, 1]  # and kept it for the next build


def test_the_workers_report_bad_inputs_as_a_local_build_does(cluster, articles_dir, tmp_path):
    (articles_dir / "good.txt").write_text("NATO chief Jens Stoltenberg visited Baghdad.\n", encoding="utf-8")
    (articles_dir / "empty.txt").write_text("", encoding="utf-8")
    (articles_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (articles_dir / "lines.jsonl").write_text('{"id": "w1", "text": "Iraq and NATO met."}\nnot json\n',
                                              encoding="utf-8")
    local = build([articles_dir], tmp_path / "local", workers=1)
    remote = build([articles_dir], tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address)
    assert [o.to_json() for o in remote.outcomes] == [o.to_json() for o in local.outcomes]
    assert {o.status for o in local.outcomes} == {"processed", "skipped", "failed"}
    assert exported_files(tmp_path / "dask") == exported_files(tmp_path / "local")


def test_dask_without_a_scheduler_says_what_to_give(tmp_path):
    with pytest.raises(KGraphError, match="--scheduler ADDRESS"):
        build([SEEDS], tmp_path / "out", executor="dask")
