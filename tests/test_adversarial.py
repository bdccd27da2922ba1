"""The adversarial corpus (tests/adversarial/corpus.py) builds: the documented exit code, a report that names
every bad input and why, every good article in the graph, and nothing from scripts, menus or comments."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Namespace
from rdflib.namespace import DCTERMS

from adversarial.corpus import BAD_INPUTS, CASES, GOOD_ARTICLES, LEAD, MUST_FIND, NEVER_IN_GRAPH, write_corpus
from kgraph.cli import main

RDF_FILES = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld"}
ENGINE = ["--workers", "1", "--no-cache"]
SCHEMA = Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory, nlp):
    root = tmp_path_factory.mktemp("adversarial")
    corpus = write_corpus(root)
    out = root / "out"
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(out), *ENGINE])
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    return result, report, out


def test_the_corpus_has_the_cases_the_issue_lists():
    assert len(CASES) >= 15
    assert len(GOOD_ARTICLES) >= 10 and len(BAD_INPUTS) >= 15


def test_a_build_with_failed_inputs_exits_1_and_says_why(corpus_build):
    result, report, out = corpus_build
    assert result.exit_code == 1, result.output
    assert "some inputs failed" in result.output
    assert report["counts"]["failed"] == sum(c.outcome == "failed" for c in CASES)
    assert report["counts"]["skipped"] == sum(c.outcome == "skipped" for c in CASES)
    assert report["counts"]["processed"] == len(GOOD_ARTICLES)


def test_the_report_names_every_input_with_its_outcome_and_reason(corpus_build):
    _, report, _ = corpus_build
    entries = {entry["input"]: entry for entry in report["inputs"]}
    assert sorted(entries) == sorted(c.input for c in CASES)  # hidden files and other suffixes are not inputs
    for case in CASES:
        entry = entries[case.input]
        assert entry["outcome"] == case.outcome, entry
        if case.outcome == "processed":
            assert entry["article"] == case.article and "reason" not in entry
        else:
            assert case.reason in entry["reason"].lower(), entry


def test_the_command_line_names_every_bad_input(corpus_build):
    result, _, _ = corpus_build
    for bad in BAD_INPUTS:
        assert bad in result.output, bad


def test_every_good_article_is_in_the_graph(corpus_build):
    _, report, out = corpus_build
    assert report["articles"] == GOOD_ARTICLES
    graph = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")), edges="edges")
    assert sorted(graph.graph["articles"]) == GOOD_ARTICLES
    rdf = Graph().parse(out / "graph.nt", format="nt")
    identifiers = sorted(str(rdf.value(a, DCTERMS.identifier)) for a in rdf.subjects(RDF.type, SCHEMA.NewsArticle))
    assert identifiers == GOOD_ARTICLES


def test_names_are_found_wherever_they_are_and_decoded_right(corpus_build):
    _, _, out = corpus_build
    graph = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")), edges="edges")
    stored = {json.loads(line)["article"]["id"]: json.loads(line)["article"]
              for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    for article, name in MUST_FIND.items():
        assert name in stored[article]["text"], article
        assert "\ufffd" not in stored[article]["text"] or article == "control-chars.txt"
        if name != "Zürich":
            assert any(data["name"] == name and article in data["articles"] for _, data in graph.nodes(data=True)), \
                (article, name)
    assert len(stored["big-5mb.md"]["text"].encode("utf-8")) > 4_900_000
    assert len(stored["long-over-a-million-chars"]["text"]) > 1_000_000
    assert stored["bom-utf8.txt"]["text"].startswith(LEAD)  # the BOM is not text


def test_offsets_past_a_million_characters_point_at_their_names(corpus_build):
    _, _, out = corpus_build
    graph = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")), edges="edges")
    stored = {json.loads(line)["article"]["id"]: json.loads(line)["article"]["text"]
              for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    far = 0
    for _, _, data in graph.edges(data=True):
        for evidence in data["evidence"]:
            text = stored[evidence["article"]]
            assert text[evidence["sentence_start"]:evidence["sentence_end"]] == evidence["sentence"]
            assert evidence["sentence_start"] <= evidence["subject_start"] < evidence["sentence_end"]
            far += evidence["subject_start"] > 1_000_000
    assert far >= 2  # Kirby in the 5 MB article and in the long JSON one


def test_control_characters_and_surrogates_are_replaced_one_for_one(corpus_build):
    _, _, out = corpus_build
    stored = {json.loads(line)["article"]["id"]: json.loads(line)["article"]
              for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
    assert stored["wire-surrogate"]["text"] == "Pentagon spokesperson John Kirby \ufffd spoke in Washington."
    assert stored["wire-nul-u2028"]["text"].startswith("NATO\ufffd chief Jens Stoltenberg\u2028")
    assert stored["control-chars.txt"]["text"].startswith("NATO\ufffd met\ufffd in Brussels\ufffd[31m.\ufffd")


def test_nothing_from_scripts_styles_menus_or_comments_reaches_any_export(corpus_build):
    _, _, out = corpus_build
    for path in sorted(p for p in out.iterdir() if p.is_file()):
        content = path.read_text(encoding="utf-8")
        for name in NEVER_IN_GRAPH:
            assert name not in content, (path.name, name)


def test_every_export_parses(corpus_build):
    _, _, out = corpus_build
    reference = Graph().parse(out / "graph.nt", format="nt")
    assert len(reference) > 100
    for name, fmt in RDF_FILES.items():
        assert set(Graph().parse(out / name, format=fmt)) == set(reference), name
    nx.read_graphml(out / "graph.graphml")
    json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert (out / "graph.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("strict, code", [(False, 0), (True, 1)])
def test_skips_pass_unless_strict(tmp_path, nlp, strict, code):
    corpus = write_corpus(tmp_path)
    keep = {"plain.txt", "image.txt", "empty.txt"}
    inputs = [str(corpus / name) for name in sorted(keep)]
    result = CliRunner().invoke(main, ["build", *inputs, "-o", str(tmp_path / "out"), *ENGINE]
                                + (["--strict"] if strict else []))
    assert result.exit_code == code, result.output
    assert "2 skipped, 0 failed" in result.output


def test_nothing_read_exits_1(tmp_path, nlp):
    corpus = write_corpus(tmp_path)
    result = CliRunner().invoke(main, ["build", str(corpus / "image.txt"), "-o", str(tmp_path / "out"), *ENGINE])
    assert result.exit_code == 1 and "no article could be read" in result.output


def test_the_size_cap_is_an_option(tmp_path, nlp):
    corpus = write_corpus(tmp_path)
    result = CliRunner().invoke(main, ["build", str(corpus / "plain.txt"), "-o", str(tmp_path / "out"),
                                       "--max-bytes", "100", *ENGINE])
    assert result.exit_code == 1 and "over the size cap of 100" in result.output


def test_an_article_whose_extraction_crashes_fails_alone(tmp_path, nlp, monkeypatch):
    import sys

    build_module = sys.modules["kgraph.build"]  # the package's `build` attribute is the function
    extract_module = sys.modules["kgraph.extract"]  # where the build's extract_all finds the two

    real_batch, real_one = extract_module.extract_articles, extract_module.extract_article

    def boom(article):
        if "BOOM" in article.text:
            raise RuntimeError("the parser fell over")

    def batch(articles, nlp, **kwargs):
        for article in articles:
            boom(article)
        return real_batch(articles, nlp, **kwargs)

    def one(article, nlp):
        boom(article)
        return real_one(article, nlp)

    monkeypatch.setattr(extract_module, "extract_articles", batch)
    monkeypatch.setattr(extract_module, "extract_article", one)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (("a.txt", LEAD), ("b.txt", "BOOM. " + LEAD), ("c.txt", LEAD)):
        (folder / name).write_text(text, encoding="utf-8")
    result = build_module.build([folder], tmp_path / "out", workers=1)
    assert [(o.input, o.status) for o in result.outcomes] == [("in/a.txt", "processed"), ("in/b.txt", "failed"),
                                                              ("in/c.txt", "processed")]
    assert "the parser fell over" in result.outcomes[1].reason
    assert sorted(result.graph.graph["articles"]) == ["a.txt", "c.txt"] and result.exit_code() == 1
