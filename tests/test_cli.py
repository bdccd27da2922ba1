"""The command line as the README shows it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kgraph.cli import main

from conftest import SEED_ARTICLE


@pytest.mark.parametrize("command", [[], ["build"], ["extract"], ["query"]])
def test_help_on_every_command(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_build_prints_a_summary(tmp_path, nlp):
    result = CliRunner().invoke(main, ["build", str(SEED_ARTICLE), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "graph.html" in result.output


def test_a_large_build_names_each_step_after_extraction(tmp_path, nlp, monkeypatch):
    # resolution, the graph and the exports of 10,000 articles take a minute with no bar of their own
    small = CliRunner().invoke(main, ["build", str(SEED_ARTICLE), "-o", str(tmp_path / "small")])
    assert small.exit_code == 0 and "resolving" not in small.stderr  # a small build says nothing of them
    monkeypatch.setattr("kgraph.cli.STAGES_MIN", 1)  # as if the graph held many articles
    large = CliRunner().invoke(main, ["build", str(SEED_ARTICLE), "-o", str(tmp_path / "large")])
    assert large.exit_code == 0, large.output
    steps = [line for line in large.stderr.splitlines() if line.startswith("kgraph: ")]
    assert steps == ["kgraph: resolving entities (1 articles)...", "kgraph: building the graph (1 articles)...",
                     "kgraph: writing the exports (1 articles)..."]
    monkeypatch.setattr("kgraph.cli.STAGES_MIN", 0)
    removed = CliRunner().invoke(main, ["remove", SEED_ARTICLE.name, "-o", str(tmp_path / "large")])
    assert removed.exit_code == 0, removed.output
    assert "kgraph: writing the exports (0 articles)..." in removed.stderr.splitlines()


def test_extract_writes_mentions_in_the_documented_form(tmp_path, nlp):
    out = tmp_path / "mentions.jsonl"
    result = CliRunner().invoke(main, ["extract", str(SEED_ARTICLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines
    for line in lines:
        assert set(line) == {"doc", "relation", "subject", "object", "role", "predicate", "sentence", "confidence",
                             "extractor"}
        assert line["doc"] == SEED_ARTICLE.name
        assert text[line["subject"]["start"]:line["subject"]["end"]] == line["subject"]["text"]
        if line["object"]:
            assert text[line["object"]["start"]:line["object"]["end"]] == line["object"]["text"]
        assert line["sentence"]["start"] <= line["subject"]["start"] < line["sentence"]["end"]
    assert any(l["relation"] == "works_for" and l["role"] == "spokesperson" and
               l["subject"]["text"] == "Jessica L. McNulty" for l in lines)


def test_unknown_model_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SEED_ARTICLE), "-o", str(tmp_path), "--model", "no_such_model"])
    assert result.exit_code == 1
    assert "not installed" in result.output and "--model" in result.output


def test_missing_input_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_query_formats(seeds_build):
    out = seeds_build[1]
    query = 'SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name LIMIT 3'
    for fmt, probe in (("csv", "name\n"), ("tsv", "name\n"), ("json", '"vars"'), ("table", "(3 rows)")):
        result = CliRunner().invoke(main, ["query", str(out), query, "--format", fmt])
        assert result.exit_code == 0 and probe in result.output, result.output


def test_refused_query_exits_non_zero(seeds_build):
    result = CliRunner().invoke(main, ["query", str(seeds_build[1]), "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"])
    assert result.exit_code == 1 and "SERVICE is refused" in result.output
