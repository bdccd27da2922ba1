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
from kgraph.evaluate_resolution import evaluate_resolution, score_clustering
from kgraph.extract import extract_articles
from kgraph.ingest import make_article, read_articles
from kgraph.names import name_key
from kgraph.resolve import LedgerEntry, ledger_order, load_overrides, resolve
from kgraph.types import ArticleEntity, ArticleExtraction, EntityMention, Span

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


def test_ledger_rows_have_one_order_whatever_order_they_come_in():
    """Two mentions of "Lincoln" in one article, both merged into Lincoln, Nebraska by the same rule, differ only
    in their sentence; resolution gathers rows in a set, whose order differs from process to process (a 10,000
    article build wrote merges.csv with such a pair swapped between its 1-worker and 2-worker runs)."""
    def merged(sentence: str, score: float | None = 0.8) -> LedgerEntry:
        return LedgerEntry("merged", "place/lincoln", "Lincoln", "PLACE", "Lincoln", "006262.txt", "place-context",
                           score, "nebraska", sentence)

    rows = [merged("This is the Garrett place where Booth, assassin of Lincoln, was cornered."),
            merged("Graham married Florence Morris, originally of Lincoln, Nebraska."),
            merged("Graham married Florence Morris, originally of Lincoln, Nebraska.", None),
            LedgerEntry("kept apart", "place/lincoln", "Lincoln", "PLACE", "Lincoln", "006262.txt", "different-type",
                        None, "person/lincoln", "Booth, assassin of Lincoln")]
    orders = {tuple(sorted(ordering, key=ledger_order)) for ordering in (rows, rows[::-1], rows[1:] + rows[:1])}
    assert len(orders) == 1
    assert [row.evidence[:5] for row in orders.pop()] == ["Graha", "Graha", "This ", "Booth"]


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


def test_the_user_overrides_the_name_rules(extractions, resolution, tmp_path):
    """A keep-apart pair beats the rules that merge a short name into another one; an alias group beats them too."""
    (tmp_path / "apart.csv").write_text("Harvard,Harvard University\nFla.,Florida\n", encoding="utf-8")
    (tmp_path / "aliases.csv").write_text("Fla.,Fla,Florida Panhandle\n", encoding="utf-8")
    apart = resolve(extractions, overrides=load_overrides(keep_apart=tmp_path / "apart.csv"))
    for short, full in ((("r27_harvard_short.txt", "Harvard"), ("r26_harvard_university.txt", "Harvard University")),
                        (("r34_florida_abbreviation.txt", "Fla."), ("r35_florida_full.txt", "Florida"))):
        assert nodes_of(extractions, resolution, *short) == nodes_of(extractions, resolution, *full)
        kept = nodes_of(extractions, apart, *short) | nodes_of(extractions, apart, *full)
        assert len(kept) == 2
        assert any(row.rule == "user-keep-apart" and {row.entity, row.other} == kept for row in apart.ledger)
    aliased = resolve(extractions, overrides=load_overrides(aliases=tmp_path / "aliases.csv"))
    fla = nodes_of(extractions, aliased, "r34_florida_abbreviation.txt", "Fla.")
    assert fla != nodes_of(extractions, aliased, "r35_florida_full.txt", "Florida")
    assert [aliased.entities[n].name for n in fla] == ["Fla."]


def test_a_state_abbreviation_needs_a_place_before_it(extractions, resolution):
    """"Tampa, Fla." is Florida; "an MA in art history" is not Massachusetts."""
    rows = [r for r in resolution.ledger if r.rule == "state-abbreviation"]
    assert rows and all(r.label == "Florida" and "Tampa, Fla." in r.evidence for r in rows)
    degree = node(extractions, resolution, "ma-degree")
    assert not any(r.entity == degree and r.rule == "state-abbreviation" for r in resolution.ledger)


def _extraction(article_id: str, text: str, names: list[tuple[str, str, int]]) -> ArticleExtraction:
    """An extraction by hand: (surface, label, in-article entity) for each mention, in text order."""
    article = make_article(article_id, text)
    mentions, position = [], 0
    for surface, label, cluster in names:
        start = text.index(surface, position)
        position = start + len(surface)
        mentions.append(EntityMention(Span(surface, start, position, label), surface, label, (0, len(text)), cluster))
    entities = {}
    for mention in mentions:
        entity = entities.setdefault(mention.cluster, ArticleEntity(mention.name, "PERSON", set(), 0))
        entity.mentions += 1
        entity.aliases.add(mention.name)
    return ArticleExtraction(article, [entities[i] for i in sorted(entities)], mentions, [])


def test_the_knowledgenet_score_counts_names_and_pronouns_apart(tmp_path):
    """Gold IRIs spelt two ways are one entity; a gold name is never matched to an extracted pronoun, and gold
    pronouns the extractor links to a name get a row of their own, leaving the named figures as they were."""
    first = "Ada Byron met Charles Babbage. She wrote the notes."
    second = "Charles Babbage designed the engine."
    facts = [
        {"fold": 1, "documentId": "a", "passageStart": 0, "passageText": first, "facts": [
            {"subjectStart": 0, "subjectEnd": 9, "subjectText": "Ada Byron", "subjectUri": "http://www.wikidata.org/entity/Q7259",
             "objectStart": 14, "objectEnd": 29, "objectText": "Charles Babbage", "objectUri": "wikidata.org/entity/Q46633"},
            {"subjectStart": 31, "subjectEnd": 34, "subjectText": "She", "subjectUri": "http://www.wikidata.org/entity/Q7259",
             "objectStart": 0, "objectEnd": 9, "objectText": "Ada Byron", "objectUri": "http://www.wikidata.org/entity/Q7259"}]},
        {"fold": 1, "documentId": "b", "passageStart": 0, "passageText": second, "facts": [
            {"subjectStart": 0, "subjectEnd": 15, "subjectText": "Charles Babbage",
             "subjectUri": "http://www.wikidata.org/entity/Q46633"}]}]
    gold = tmp_path / "kn.jsonl"
    gold.write_text("\n".join(json.dumps(f) for f in facts), encoding="utf-8")
    names_only = [_extraction("kn-1-a", first, [("Ada Byron", "PERSON", 0), ("Charles Babbage", "PERSON", 1)]),
                  _extraction("kn-1-b", second, [("Charles Babbage", "PERSON", 0)])]
    with_pronoun = [_extraction("kn-1-a", first, [("Ada Byron", "PERSON", 0), ("Charles Babbage", "PERSON", 1),
                                                   ("She", "PERSON", 0)]), names_only[1]]
    before = evaluate_resolution(gold, folds=[1], nlp=None, extractions=names_only)
    after = evaluate_resolution(gold, folds=[1], nlp=None, extractions=with_pronoun)
    assert before.gold_entities == 2  # Q46633 with and without "http://www."
    assert (before.matched_mentions.mentions, before.matched_mentions.pairwise.recall) == (3, 1.0)
    assert (before.pronouns_matched, before.with_pronouns, before.unmatched) == (0, None, 1)
    assert after.matched_mentions == before.matched_mentions
    assert (after.pronouns_matched, after.with_pronouns.mentions, after.unmatched) == (1, 4, 0)
    assert after.with_pronouns.pairwise.precision == after.with_pronouns.pairwise.recall == 1.0


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


def test_a_surname_many_people_share_gives_a_ledger_row_per_person_not_per_pair():
    """Three Smiths: every pair is listed kept apart. Ten Smiths: each against the first, 9 rows, not 45:
    on a large corpus every pair would grow with the square of the corpus."""
    def kept_apart(firsts: list[str]) -> list[tuple[str, str]]:
        articles = [_extraction(f"a{i}", f"{first} Smith spoke.", [(f"{first} Smith", "PERSON", 0)])
                    for i, first in enumerate(firsts)]
        result = resolve(articles)
        assert len(result.entities) == len(firsts)
        return [(row.entity, row.other) for row in result.ledger if row.decision == "kept apart"]

    few = kept_apart(["Anna", "Bela", "Cora"])
    assert len(few) == 3 and len({frozenset(pair) for pair in few}) == 3
    many = kept_apart(["Anna", "Bela", "Cora", "Dana", "Emil", "Fred", "Gina", "Hugo", "Ivan", "Jorg"])
    assert len(many) == 9
    first = min(a for pair in many for a in pair)
    assert all(first in pair for pair in many)
    assert len({b for pair in many for b in pair} - {first}) == 9  # every other Smith once
