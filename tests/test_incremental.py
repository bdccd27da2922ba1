"""Re-runs: A then B (--update) equals A and B together, the same input twice changes nothing, and
`kgraph remove` takes out one article's facts and nothing else."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from kgraph import build
from kgraph.build import STORE, load_extractions, remove
from kgraph.cli import main
from kgraph.errors import ExportError
from kgraph.ingest import read_articles

from conftest import SEEDS

A = [SEEDS / "000_13ec9c912da2c082.txt", SEEDS / "001_nato_expands_iraq_mission.txt"]
B = [SEEDS / "004_wire_stories.jsonl"]
GRAPH_FILES = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.json", "graph.graphml", "graph.html",
               STORE]


def snapshot(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in GRAPH_FILES}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, nlp):
    root = tmp_path_factory.mktemp("incremental")
    build(A + B, root / "together")
    build(A, root / "a-only")
    shutil.copytree(root / "a-only", root / "a-then-b")
    build(B, root / "a-then-b", update=True)
    return root


def test_a_then_b_equals_a_and_b_together(builds):
    together, stepwise = snapshot(builds / "together"), snapshot(builds / "a-then-b")
    for name in GRAPH_FILES:
        assert stepwise[name] == together[name], name


def test_provenance_from_both_builds_survives(builds):
    graph = json.loads((builds / "a-then-b" / "graph.json").read_text(encoding="utf-8"))
    a_ids = {a.id for a in read_articles(A)}
    b_ids = {a.id for a in read_articles(B)}
    assert sorted(graph["graph"]["articles"]) == sorted(a_ids | b_ids)
    shared = [n for n in graph["nodes"] if set(n["articles"]) & a_ids and set(n["articles"]) & b_ids]
    assert shared  # an entity both builds saw keeps the articles of both
    evidence = {e["article"] for edge in graph["edges"] for e in edge["evidence"]}
    assert evidence & a_ids and evidence & b_ids


def test_the_same_input_twice_changes_nothing(builds, tmp_path):
    folder = tmp_path / "again"
    shutil.copytree(builds / "a-then-b", folder)
    before = snapshot(folder)
    build(B, folder, update=True)
    build(A, folder, update=True)
    assert snapshot(folder) == before


def test_remove_takes_out_one_article_and_nothing_else(builds, tmp_path):
    folder = tmp_path / "removed"
    shutil.copytree(builds / "together", folder)
    result = remove(sorted(a.id for a in read_articles(B)), folder)
    assert result.removed and result.exit_code() == 0
    assert snapshot(folder) == snapshot(builds / "a-only")
    report = json.loads((folder / "build-report.json").read_text(encoding="utf-8"))
    assert report["removed"] == sorted(a.id for a in read_articles(B))


def test_removing_an_unknown_article_changes_nothing(builds, tmp_path):
    folder = tmp_path / "unknown"
    shutil.copytree(builds / "together", folder)
    before = snapshot(folder)
    with pytest.raises(ExportError, match="no article 'nope'"):
        remove(["nope"], folder)
    assert snapshot(folder) == before


def test_stored_extractions_read_back_equal(builds, nlp):
    from kgraph.extract import extract_articles

    stored = load_extractions(builds / "together")
    fresh = {e.article.id: e for e in extract_articles(list(read_articles(A + B)), nlp)}
    assert sorted(stored) == sorted(fresh)
    for article_id, extraction in fresh.items():
        assert stored[article_id].entities == extraction.entities
        assert stored[article_id].relations == extraction.relations
        assert stored[article_id].mentions == extraction.mentions


def test_update_on_a_folder_from_an_older_kgraph_says_what_to_do(builds, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(builds / "a-only", folder)
    (folder / STORE).unlink()
    with pytest.raises(ExportError, match="without --update once"):
        build(B, folder, update=True)


def test_update_on_an_empty_folder_is_a_build(builds, tmp_path):
    build(A, tmp_path / "fresh", update=True)
    assert snapshot(tmp_path / "fresh") == snapshot(builds / "a-only")


def test_remove_on_the_command_line(builds, tmp_path):
    folder = tmp_path / "cli"
    shutil.copytree(builds / "together", folder)
    result = CliRunner().invoke(main, ["remove", "wire-20210306-mosul-ambush", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert "removed 1 articles" in result.output
    assert "wire-20210306-mosul-ambush" not in json.loads((folder / "graph.json").read_text())["graph"]["articles"]
    result = CliRunner().invoke(main, ["remove", "wire-20210306-mosul-ambush", "-o", str(folder)])
    assert result.exit_code == 1 and "no article" in result.output


def test_update_on_the_command_line(builds, tmp_path):
    folder = tmp_path / "cli-update"
    shutil.copytree(builds / "a-only", folder)
    result = CliRunner().invoke(main, ["build", *map(str, B), "-o", str(folder), "--update", "--workers", "1",
                                       "--no-cache"])
    assert result.exit_code == 0, result.output
    assert snapshot(folder) == snapshot(builds / "together")
