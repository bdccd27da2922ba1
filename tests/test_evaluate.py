"""`kgraph eval`: how gold and predicted relations are matched and counted, and one small real run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgraph.errors import EvalError
from kgraph.evaluate import (Fact, add_groups, conll04_errors, error_reasons, evaluate, format_errors, format_report,
                             knowledgenet_facts, score)
from kgraph.types import RelationMention, Span

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CONLL04_DEV = DATA / "conll04" / "dev.jsonl"
KNOWLEDGENET = DATA / "knowledgenet_folds1-3.jsonl"


def fact(kind: str, subject: tuple[int, int], obj: tuple[int, int], doc: str = "s") -> Fact:
    return Fact(doc, kind, subject, obj)


def counts(table, kind):
    c = table[kind]
    return c.tp, c.fp, c.fn


def test_strict_needs_both_spans_exact_and_the_type():
    gold = [fact("Work_For", (0, 10), (20, 30)), fact("Live_In", (0, 10), (40, 45))]
    pred = [fact("Work_For", (0, 10), (20, 30)),  # exact: a hit
            fact("Work_For", (0, 10), (40, 45)),  # right spans of another relation, wrong type
            fact("Live_In", (0, 9), (40, 45))]  # subject one character short
    table = score([(gold, pred)], ["Work_For", "Live_In"], match="strict")
    assert counts(table, "Work_For") == (1, 1, 0)
    assert counts(table, "Live_In") == (0, 1, 1)


def test_relaxed_accepts_overlapping_spans_each_counted_once():
    gold = [fact("Live_In", (0, 10), (40, 45)), fact("Live_In", (0, 10), (50, 55))]
    pred = [fact("Live_In", (0, 9), (40, 45)),  # overlaps the first gold relation
            fact("Live_In", (5, 12), (41, 44)),  # overlaps it too: a second hit on one gold relation is wrong
            fact("Live_In", (10, 14), (50, 55))]  # touches the subject's end only: no overlap
    table = score([(gold, pred)], ["Live_In"], match="relaxed")
    assert counts(table, "Live_In") == (1, 2, 1)
    assert counts(score([(gold, pred)], ["Live_In"], match="strict"), "Live_In") == (0, 3, 2)


def test_relaxed_matching_is_one_to_one_at_its_best():
    # The first prediction overlaps both gold relations, the second only the first one:
    # a greedy match would pair the first prediction with the first gold relation and score 1.
    gold = [fact("Kill", (0, 10), (20, 30)), fact("Kill", (0, 10), (32, 40))]
    pred = [fact("Kill", (0, 10), (25, 35)), fact("Kill", (0, 10), (20, 24))]
    assert counts(score([(gold, pred)], ["Kill"], match="relaxed"), "Kill") == (2, 0, 0)


def test_overlap_counts_as_knowledgenet_does():
    # KnowledgeNet: a gold fact is found when any prediction overlaps it; a prediction overlapping
    # some gold fact is never wrong, even when another prediction found that fact already.
    gold = [fact("HEADQUARTERS", (0, 10), (20, 30)), fact("HEADQUARTERS", (0, 10), (40, 50))]
    pred = [fact("HEADQUARTERS", (0, 4), (22, 25)), fact("HEADQUARTERS", (5, 9), (21, 23)),
            fact("HEADQUARTERS", (60, 70), (20, 30))]
    assert counts(score([(gold, pred)], ["HEADQUARTERS"], match="overlap"), "HEADQUARTERS") == (1, 1, 1)


def test_groups_are_micro_averages():
    gold = [fact("Work_For", (0, 1), (2, 3)), fact("OrgBased_In", (4, 5), (6, 7))]
    pred = [fact("Work_For", (0, 1), (2, 3)), fact("Kill", (0, 1), (2, 3))]
    table = add_groups(score([(gold, pred)], ["Work_For", "OrgBased_In", "Kill"], match="strict"),
                       {"mission": ("Work_For", "OrgBased_In"), "micro": ("Work_For", "OrgBased_In", "Kill")})
    assert counts(table, "mission") == (1, 0, 1)
    assert counts(table, "micro") == (1, 1, 1)
    assert table["micro"].precision == 0.5 and table["micro"].recall == 0.5


def test_ceo_roles_score_as_ceo_with_the_organization_first():
    person, org = Span("Ann Lee", 0, 7, "PERSON"), Span("Acme", 20, 24, "ORG")
    relation = RelationMention(doc="d", relation="works_for", subject=person, object=org, sentence=(0, 30),
                               confidence=0.8, extractor="test", role="chief executive")
    facts = knowledgenet_facts([relation], ["CEO", "EMPLOYEE_OR_MEMBER_OF"])
    assert facts == [Fact("d", "CEO", (20, 24), (0, 7)), Fact("d", "EMPLOYEE_OR_MEMBER_OF", (0, 7), (20, 24))]
    assert knowledgenet_facts([relation], ["HEADQUARTERS"]) == []


def test_format_is_sniffed_and_bad_files_say_what_to_do(tmp_path, nlp):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "text": "Jane Doe, who lives in Paris, spoke.",  # classifier .78
                                "entities": [{"start": 0, "end": 8, "type": "Peop", "text": "Jane Doe"},
                                             {"start": 23, "end": 28, "type": "Loc", "text": "Paris"}],
                                "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}) + "\n")
    report = evaluate(gold, nlp=nlp)
    assert report.format == "conll04" and report.documents == 1
    assert set(report.scores) == {"strict", "relaxed"}
    assert report.to_json()["scores"]["strict"]["Live_In"]["fn"] + report.to_json()["scores"]["strict"]["Live_In"]["tp"] == 1
    other = tmp_path / "other.jsonl"
    other.write_text('{"hello": 1}\n')
    with pytest.raises(EvalError, match="--format"):
        evaluate(other, nlp=nlp)
    with pytest.raises(EvalError, match="does not exist"):
        evaluate(tmp_path / "missing.jsonl", nlp=nlp)


def test_graph_only_scores_what_reaches_the_graph_without_a_datelines_agency(tmp_path, nlp):
    """CoNLL04 marks "DAYTON, Ohio (AP)" as AP based in Dayton: scored as annotated by default; ``--graph-only``
    scores what the graph states, where the agency takes part in no fact."""
    text = "DAYTON, Ohio (AP) - The city council voted on Tuesday."
    entities = [{"start": 0, "end": 6, "type": "Loc", "text": "DAYTON"}, {"start": 8, "end": 12, "type": "Loc", "text": "Ohio"},
                {"start": 14, "end": 16, "type": "Org", "text": "AP"}]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "text": text, "entities": entities,
                                "relations": [{"head": 2, "tail": 0, "type": "OrgBased_In"},
                                              {"head": 0, "tail": 1, "type": "Located_In"}]}) + "\n")
    annotated, graph = evaluate(gold, nlp=nlp), evaluate(gold, nlp=nlp, graph_only=True)
    assert counts(annotated.scores["strict"], "OrgBased_In")[0] == 1
    assert counts(graph.scores["strict"], "OrgBased_In") == (0, 0, 1)
    assert counts(graph.scores["strict"], "Located_In") == counts(annotated.scores["strict"], "Located_In") == (1, 0, 0)
    assert graph.to_json()["graph_only"] and "the graph's relations only" in format_report(graph)
    assert not annotated.to_json()["graph_only"]


def test_graph_only_scores_no_classifier_relation_under_the_graphs_bar(tmp_path, nlp):
    """The classifier finds Mrs. Cicippio living in Beirut at probability 0.43, over its own threshold and under
    the graph's (kgraph.graph.MODEL_MIN_CONFIDENCE): ``kgraph eval`` scores it, ``--graph-only`` does not, as the
    graph does not state it."""
    from kgraph.extract import extract_article
    from kgraph.graph import MODEL_MIN_CONFIDENCE, build_graph
    from kgraph.ingest import make_article

    text = "Mrs. Cicippio, who works at the American Embassy in east Beirut, spoke."
    found = [r for r in extract_article(make_article("x", text), nlp).relations if r.relation == "lives_in"]
    assert [(r.extractor, r.subject.text, r.object.text) for r in found] == [("classifier", "Mrs. Cicippio", "Beirut")]
    assert found[0].confidence < MODEL_MIN_CONFIDENCE
    entities = [{"start": 0, "end": 13, "type": "Peop", "text": "Mrs. Cicippio"},
                {"start": 57, "end": 63, "type": "Loc", "text": "Beirut"}]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "text": text, "entities": entities,
                                "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}) + "\n")
    assert counts(evaluate(gold, nlp=nlp).scores["relaxed"], "Live_In") == (1, 0, 0)
    assert counts(evaluate(gold, nlp=nlp, graph_only=True).scores["relaxed"], "Live_In") == (0, 0, 1)
    graph = build_graph([extract_article(make_article("x", text), nlp)])
    assert not [d for _, _, d in graph.edges(data=True) if d["relation"] == "lives_in"]


@pytest.mark.skipif(not CONLL04_DEV.exists(), reason="the shared CoNLL04 data is not on this machine")
def test_a_small_real_run_prints_every_type_and_group(nlp):
    report = evaluate(CONLL04_DEV, nlp=nlp, limit=20)
    table = format_report(report)
    for row in ("Work_For", "OrgBased_In", "Located_In", "Live_In", "Kill", "micro", "mission"):
        assert row in table
    strict, relaxed = report.scores["strict"]["micro"], report.scores["relaxed"]["micro"]
    assert strict.tp + strict.fn == relaxed.tp + relaxed.fn > 0  # the same gold relations either way
    assert relaxed.tp >= strict.tp


@pytest.mark.skipif(not KNOWLEDGENET.exists(), reason="the shared KnowledgeNet data is not on this machine")
def test_a_small_knowledgenet_run_reads_one_fold(nlp):
    report = evaluate(KNOWLEDGENET, nlp=nlp, fold=3, limit=10)
    assert report.format == "knowledgenet" and report.fold == 3 and report.documents == 10
    assert set(report.scores["overlap"]) >= {"EMPLOYEE_OR_MEMBER_OF", "CEO", "HEADQUARTERS", "works_for", "micro"}


# Floors a little under the scores of the shipped models (see the README): a regression fails here.
CONLL04_DEV_FLOORS = {("strict", "micro"): 0.61, ("relaxed", "micro"): 0.66,
                      ("relaxed", "mission"): 0.64}
KNOWLEDGENET_FOLD3_FLOOR = 0.56


@pytest.mark.skipif(not CONLL04_DEV.exists(), reason="the shared CoNLL04 data is not on this machine")
def test_conll04_dev_scores_stay_above_their_floors(nlp):
    report = evaluate(CONLL04_DEV, nlp=nlp)
    for (match, row), floor in CONLL04_DEV_FLOORS.items():
        assert report.scores[match][row].f1 >= floor, format_report(report)


# What the graph gets (--graph-only): the classifier's relations at its bar, 0.75, precision first
CONLL04_DEV_GRAPH_FLOORS = {("relaxed", "micro"): 0.61, ("relaxed", "mission"): 0.54}
CONLL04_DEV_GRAPH_PRECISION_FLOOR = 0.80  # relaxed micro


@pytest.mark.skipif(not CONLL04_DEV.exists(), reason="the shared CoNLL04 data is not on this machine")
def test_the_graphs_conll04_dev_scores_stay_above_their_floors(nlp):
    report = evaluate(CONLL04_DEV, nlp=nlp, graph_only=True)
    for (match, row), floor in CONLL04_DEV_GRAPH_FLOORS.items():
        assert report.scores[match][row].f1 >= floor, format_report(report)
    assert report.scores["relaxed"]["micro"].precision >= CONLL04_DEV_GRAPH_PRECISION_FLOOR, format_report(report)


@pytest.mark.skipif(not KNOWLEDGENET.exists(), reason="the shared KnowledgeNet data is not on this machine")
def test_knowledgenet_fold3_score_stays_above_its_floor(nlp):
    report = evaluate(KNOWLEDGENET, nlp=nlp, fold=3)
    assert report.scores["overlap"]["micro"].f1 >= KNOWLEDGENET_FOLD3_FLOOR, format_report(report)


def test_error_reasons_tell_a_typing_error_from_a_classifier_miss():
    gold = [Fact("s", "OrgBased_In", (0, 12), (16, 20)), Fact("s", "OrgBased_In", (30, 34), (38, 42)),
            Fact("s", "Work_For", (50, 53), (60, 64))]
    pred = [Fact("s", "Work_For", (50, 53), (38, 42))]
    mentions = [(0, 12, "PLACE"), (16, 20, "PLACE"), (30, 34, "ORG"), (38, 42, "PLACE"), (50, 53, "PERSON")]
    reasons = error_reasons(gold, pred, mentions, ["Work_For", "OrgBased_In"])
    assert reasons == {"miss: typed PLACE>PLACE": 1, "miss: classifier": 1, "miss: no mention": 1,
                       "wrong: no gold relation": 1}


@pytest.mark.skipif(not CONLL04_DEV.exists(), reason="the shared CoNLL04 data is not on this machine")
def test_error_reasons_account_for_the_relaxed_misses_and_false_positives(tmp_path, nlp):
    # `python -m kgraph.train --held-out N --errors` prints these for the held-out train sentences.
    lines = (CONLL04_DEV.parent / "train.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    gold = tmp_path / "train40.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reasons = conll04_errors(gold, nlp=nlp)
    relaxed = evaluate(gold, nlp=nlp).scores["relaxed"]["mission"]
    misses = sum(n for r, n in reasons.items() if r.startswith("miss: "))
    wrong = sum(n for r, n in reasons.items() if r.startswith("wrong: "))
    # a gold relation that some prediction overlaps is no miss here, though one-to-one matching may leave it out
    assert 0 < misses <= relaxed.fn and wrong <= relaxed.fp
    assert relaxed.fn - misses <= 2 and relaxed.fp - wrong <= 2
    assert "relaxed misses" in format_errors(reasons)


def test_kgraph_eval_graph_only_prints_json_that_says_so(tmp_path):
    from click.testing import CliRunner

    from kgraph.cli import main

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "text": "Jane Doe, who lives in Paris, spoke.",  # classifier .78
                                "entities": [{"start": 0, "end": 8, "type": "Peop", "text": "Jane Doe"},
                                             {"start": 23, "end": 28, "type": "Loc", "text": "Paris"}],
                                "relations": [{"head": 0, "tail": 1, "type": "Live_In"}]}) + "\n")
    result = CliRunner().invoke(main, ["eval", str(gold), "--graph-only", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["graph_only"] is True and report["scores"]["strict"]["Live_In"]["tp"] == 1
