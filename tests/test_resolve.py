"""One node per real-world entity: the hand-made corpus in tests/resolution/ resolves as its gold clustering says,
every trap (homographs, shared surnames, acronyms, country variants) is handled and recorded in the merge ledger,
and the user's --aliases and --keep-apart files hold on every build."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import main
from kgraph.errors import KGraphError
from kgraph.evaluate_resolution import score_clustering
from kgraph.extract import extract_articles
from kgraph.ingest import read_articles
from kgraph.names import name_key
from kgraph.resolve import load_overrides, resolve

CORPUS = Path(__file__).parent / "resolution"
ARTICLES = CORPUS / "articles"
GOLD = json.loads((CORPUS / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extractions(nlp):
    return list(extract_articles(list(read_articles([ARTICLES])), nlp))


@pytest.fixture(scope="module")
def resolution(extractions):
    return resolve(extractions)


def nodes_of(extractions, resolution, article: str, surface: str) -> set[str]:
    """The graph nodes the mentions of ``surface`` in ``article`` resolved to."""
    extraction = next(e for e in extractions if e.article.id == article)
    return {resolution.members[(article, m.cluster)] for m in extraction.mentions
            if name_key(surface) in (name_key(m.name), name_key(m.span.text))}


def cluster_nodes(extractions, resolution, cluster: str) -> set[str]:
    found = set()
    for article, surface in GOLD["clusters"][cluster]:
        nodes = nodes_of(extractions, resolution, article, surface)
        assert nodes, f"no mention of {surface!r} was extracted from {article}"
        found |= nodes
    return found


def node(extractions, resolution, cluster: str) -> str:
    found = cluster_nodes(extractions, resolution, cluster)
    assert len(found) == 1, f"{cluster} is split over {sorted(found)}"
    return found.pop()


def test_the_corpus_has_at_least_twenty_articles(extractions):
    assert len(extractions) >= 20
    mentioned = {article for mentions in GOLD["clusters"].values() for article, _ in mentions}
    assert mentioned == {e.article.id for e in extractions}


@pytest.mark.parametrize("trap", GOLD["traps"], ids=lambda t: t["id"])
def test_trap(extractions, resolution, trap):
    ids = {cluster: node(extractions, resolution, cluster) for cluster in trap["clusters"]}
    assert len(set(ids.values())) == len(ids), f"clusters that are different entities share a node: {ids}"
    ledger = resolution.ledger
    for expected in trap["ledger"]:
        if expected["decision"] == "kept apart":
            a, b = (node(extractions, resolution, c) for c in expected["between"])
            assert any(row.decision == "kept apart" and row.rule == expected["rule"]
                       and {row.entity, row.other} == {a, b} for row in ledger), f"no kept-apart row {expected}"
        else:
            entity = node(extractions, resolution, expected["cluster"])
            rows = [row for row in ledger if row.entity == entity and row.decision == "merged"
                    and row.article == expected["article"]]
            assert any(row.rule == expected["rule"] and row.score is not None and row.evidence for row in rows), \
                f"no merged row by {expected['rule']} from {expected['article']}: {rows}"


def test_the_gold_clustering_is_reproduced_exactly(extractions, resolution):
    gold, predicted = {}, {}
    for cluster, mentions in GOLD["clusters"].items():
        for article, surface in mentions:
            mention = f"{article}|{surface}"
            gold[mention] = cluster
            nodes = sorted(nodes_of(extractions, resolution, article, surface))
            predicted[mention] = nodes[0] if len(nodes) == 1 else f"split:{nodes}"
    scores = score_clustering(gold, predicted)
    assert (scores.pairwise.precision, scores.pairwise.recall) == (1.0, 1.0), scores
    assert (scores.bcubed.precision, scores.bcubed.recall) == (1.0, 1.0), scores


def test_lowercase_who_is_never_an_entity(extractions):
    article = next(e for e in extractions if e.article.id == "r17_who_bare.txt")
    assert " who work" in article.article.text
    assert not [m for m in article.mentions if m.span.text == "who"]


def test_external_keys_only_where_certain(extractions, resolution):
    for cluster, key in GOLD["keys"].items():
        assert resolution.entities[node(extractions, resolution, cluster)].key == key, cluster


def test_the_same_input_gives_the_same_ids_and_ledger(extractions, resolution):
    again = resolve(list(reversed(extractions)))
    assert sorted(again.entities) == sorted(resolution.entities)
    assert again.members == resolution.members
    assert again.ledger == resolution.ledger


def test_keep_apart_and_aliases_hold(extractions, resolution, tmp_path):
    (tmp_path / "apart.csv").write_text("# names that are never one entity\nLloyd Austin,Austin\n", encoding="utf-8")
    (tmp_path / "aliases.csv").write_text("International Criminal Court,ICC\n", encoding="utf-8")
    overrides = load_overrides(aliases=tmp_path / "aliases.csv", keep_apart=tmp_path / "apart.csv")
    steered = resolve(extractions, overrides=overrides)

    lloyd = nodes_of(extractions, steered, "r01_austin_pentagon.txt", "Lloyd Austin")
    bare = nodes_of(extractions, steered, "r03_austin_bare.txt", "Austin")
    assert lloyd != bare
    assert any(row.rule == "user-keep-apart" and {row.entity, row.other} == lloyd | bare for row in steered.ledger)
    assert node(extractions, resolution, "lloyd-austin") in lloyd  # the named entity keeps its IRI

    court = nodes_of(extractions, steered, "r20_icc_court.txt", "ICC")
    assert nodes_of(extractions, steered, "r22_icc_bare.txt", "ICC") == court
    assert nodes_of(extractions, steered, "r21_icc_cricket.txt", "ICC") != court
    assert any(row.rule == "user-alias" and row.article == "r22_icc_bare.txt" for row in steered.ledger)
    assert resolve(extractions, overrides=overrides).ledger == steered.ledger


def test_alias_files_in_json_take_the_form_of_the_curated_file(tmp_path):
    curated = Path(__file__).parent.parent / "kgraph" / "data" / "aliases.json"
    overrides = load_overrides(aliases=curated)
    assert overrides.aliases[name_key("Pentagon")] == ("US Department of Defense", "ORG")
    (tmp_path / "apart.json").write_text('{"pairs": [["Jordan", "Michael Jordan"]]}', encoding="utf-8")
    assert load_overrides(keep_apart=tmp_path / "apart.json").apart({"jordan"}, {"michael jordan"})


@pytest.mark.parametrize("option, content, message", [
    ("aliases", "{not json", "not valid JSON"),
    ("aliases", '{"groups": [{"names": []}]}', "a list of non-empty strings"),
    ("aliases", "Pentagon\n", "two or more"),
    ("aliases", '{"groups": [{"names": ["A", "B"], "type": "CITY"}]}', "PERSON, ORG, PLACE"),
    ("keep_apart", "Austin\n", "two or more"),
    ("keep_apart", '{"pairs": [["Austin"]]}', "two or more names"),
])
def test_bad_override_files_say_what_to_fix(tmp_path, option, content, message):
    path = tmp_path / ("file.json" if content.startswith("{") else "file.csv")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KGraphError, match=message):
        load_overrides(**{option: path})


def test_build_writes_the_ledger_and_honours_the_options(tmp_path, nlp):
    articles = [ARTICLES / name for name in ("r01_austin_pentagon.txt", "r02_austin_city.txt", "r03_austin_bare.txt")]
    apart = tmp_path / "apart.csv"
    apart.write_text("Lloyd Austin,Austin\n", encoding="utf-8")
    runs = []
    for out in (tmp_path / "a", tmp_path / "b"):
        result = CliRunner().invoke(main, ["build", *map(str, articles), "-o", str(out), "--keep-apart", str(apart)])
        assert result.exit_code == 0, result.output
        runs.append((out / "merges.csv").read_bytes())
    assert runs[0] == runs[1]
    rows = list(csv.DictReader((tmp_path / "a" / "merges.csv").read_text(encoding="utf-8").splitlines()))
    assert rows and set(rows[0]) == {"decision", "entity", "label", "type", "name", "article", "rule", "score", "other",
                                     "evidence"}
    assert any(r["rule"] == "user-keep-apart" and r["article"] == "r03_austin_bare.txt" for r in rows)
    assert any(r["rule"] == "curated-alias" and r["name"] == "Department of Defense" for r in rows)
    graph_a = json.loads((tmp_path / "a" / "graph.json").read_text(encoding="utf-8"))
    graph_b = json.loads((tmp_path / "b" / "graph.json").read_text(encoding="utf-8"))
    assert [n["iri"] for n in graph_a["nodes"]] == [n["iri"] for n in graph_b["nodes"]]


def test_build_refuses_a_bad_alias_file_with_a_message(tmp_path):
    bad = tmp_path / "aliases.csv"
    bad.write_text("Pentagon\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(ARTICLES / "r01_austin_pentagon.txt"), "-o", str(tmp_path / "out"),
                                       "--aliases", str(bad)])
    assert result.exit_code == 1
    assert "two or more" in result.output
    assert not (tmp_path / "out" / "merges.csv").exists()
