"""A rebuild converts to Turtle, JSON-LD and TriG only the runs of lines that changed, and copies the rest from
the last build's files: the same bytes as converting everything."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kgraph import build
from kgraph.export import rdf, runs
from kgraph.export.atomic import atomic_file

from conftest import SEEDS

CORPUS = sorted(SEEDS.iterdir())
# an article about people and places none of the sample articles names: few runs change
NEW = "Acme Robotics chief executive Maria Lindqvist said on Monday that the company will open a plant in Tampere.\n"
VIEWS = ("graph.ttl", "graph.jsonld", "graph.trig")
# literals that look like the places where units meet, in each syntax
TRICKY = ['a line\n<https://x.example/s> ends .', 'json ]},{"@id":"https://x.example/s"} ]', "plain", "caf\u00e9 \u2028"]


def lines_of(subjects: dict[str, list[str]], graph: str | None = None) -> tuple[bytes, list[tuple[bytes, int]]]:
    """N-Triples lines of each subject's literals, sorted, with their runs; with ``graph``, N-Quads: the default
    graph's lines, then each subject's in a named graph of its own (``graph`` and the subject), as an article's."""
    output = io.BytesIO()
    groups = [(None, sorted((f"https://x.example/{s}", "https://x.example/p", str(ox.Literal(v))) for v in values))
              for s, values in sorted(subjects.items())]
    if graph:
        groups += [(f"{graph}/{s}", triples) for (_, triples), s in zip(groups, sorted(subjects))]
    found, _ = rdf._write_lines(((name, repr(triples).encode(), lambda t=triples: t) for name, triples in groups),
                                output)
    return output.getvalue(), found


def converted(lines: bytes, found: list, fmt: str, target, source_format) -> bytes:
    with atomic_file(target.with_suffix(".lines")) as handle:
        handle.write(lines)
    with open(target.with_suffix(".lines"), "rb") as source:
        runs.write_view(source, found, fmt, target,
                        lambda src, out: rdf._convert(src, source_format, fmt, out))
    return target.read_bytes()


@pytest.mark.parametrize("fmt, source_format, graph", [
    ("turtle", ox.RdfFormat.N_TRIPLES, None),
    ("json-ld", ox.RdfFormat.N_TRIPLES, None),
    ("trig", ox.RdfFormat.N_QUADS, "https://x.example/g"),
])
def test_a_view_made_from_the_last_one_is_the_view_made_whole(tmp_path, fmt, source_format, graph, monkeypatch):
    before = {f"s{i:02d}": [TRICKY[i % len(TRICKY)], f"value {i}"] for i in range(40)}
    after = {**before, "s02": ["changed", TRICKY[0]], "s99": TRICKY}  # a few of the lines' bytes changed
    del after["s04"]
    lines, found = lines_of(before, graph)
    converted(lines, found, fmt, tmp_path / "view", source_format)
    assert runs.RunIndex.load(tmp_path / "view") is not None  # one unit per run: indexed

    sizes = []
    real = rdf._convert
    monkeypatch.setattr(rdf, "_convert", lambda src, *a, **k: (sizes.append(len(src.getvalue())), real(src, *a, **k)))
    lines, found = lines_of(after, graph)
    spliced = converted(lines, found, fmt, tmp_path / "view", source_format)
    monkeypatch.setattr(rdf, "_convert", real)
    whole = converted(lines, found, fmt, tmp_path / "whole", source_format)

    assert spliced == whole
    changed = lines_of({"s02": after["s02"], "s99": after["s99"]}, graph)[0]
    assert sizes == [len(changed)]  # only the runs of s02 and s99 were converted


@pytest.mark.parametrize("fmt, source_format, graph", [
    ("turtle", ox.RdfFormat.N_TRIPLES, None),
    ("json-ld", ox.RdfFormat.N_TRIPLES, None),
    ("trig", ox.RdfFormat.N_QUADS, "https://x.example/g"),
])
def test_many_changed_runs_are_converted_through_temporary_files_to_the_same_view(tmp_path, fmt, source_format,
                                                                                  graph, monkeypatch):
    monkeypatch.setattr(runs, "_IN_MEMORY", 0)  # every splice streamed, as one of many megabytes is
    before = {f"s{i:02d}": [TRICKY[i % len(TRICKY)], f"value {i}"] for i in range(40)}
    after = {**before, "s00": ["first"], "s02": ["changed", TRICKY[0]], "s99": TRICKY}
    del after["s04"]
    lines, found = lines_of(before, graph)
    converted(lines, found, fmt, tmp_path / "view", source_format)
    streamed = []
    real = rdf._convert
    monkeypatch.setattr(rdf, "_convert", lambda src, *a, **k: (streamed.append(not isinstance(src, io.BytesIO)
                                                                               and src.seek(0, 2)), src.seek(0),
                                                               real(src, *a, **k)))
    lines, found = lines_of(after, graph)
    spliced = converted(lines, found, fmt, tmp_path / "view", source_format)
    monkeypatch.setattr(rdf, "_convert", real)
    assert spliced == converted(lines, found, fmt, tmp_path / "whole", source_format)
    assert streamed == [len(lines_of({s: after[s] for s in ("s00", "s02", "s99")}, graph)[0])]  # the changed runs
    assert runs.RunIndex.load(tmp_path / "view") is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["view", "view.lines", "whole", "whole.lines", runs.RUNS_DIR])


def test_a_view_edited_since_its_index_was_written_is_converted_whole(tmp_path):
    lines, found = lines_of({"a": ["one"], "b": ["two"]})
    converted(lines, found, "turtle", tmp_path / "view", ox.RdfFormat.N_TRIPLES)
    with (tmp_path / "view").open("ab") as handle:
        handle.write(b"# edited\n")
    assert runs.RunIndex.load(tmp_path / "view") is None
    lines, found = lines_of({"a": ["one"], "b": ["three"]})
    assert converted(lines, found, "turtle", tmp_path / "view", ox.RdfFormat.N_TRIPLES) == \
        converted(lines, found, "turtle", tmp_path / "whole", ox.RdfFormat.N_TRIPLES)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, nlp):
    folder = tmp_path_factory.mktemp("runs") / "corpus"
    build(CORPUS, folder)
    return folder


def test_a_rebuild_converts_only_what_changed_and_writes_what_a_whole_conversion_writes(corpus, tmp_path,
                                                                                        monkeypatch):
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    spliced, whole = tmp_path / "spliced", tmp_path / "whole"
    shutil.copytree(corpus, spliced)
    shutil.copytree(corpus, whole)
    shutil.rmtree(whole / runs.RUNS_DIR)  # no index: every view converted whole
    converted_bytes = []
    real = rdf._convert
    monkeypatch.setattr(rdf, "_convert", lambda src, *a, **k: (converted_bytes.append(
        len(src.getvalue()) if isinstance(src, io.BytesIO) else None), real(src, *a, **k))[1])
    build([tmp_path / "new.txt"], spliced, update=True)
    assert len(converted_bytes) == 3 and None not in converted_bytes  # Turtle, JSON-LD, TriG: each spliced
    sources = [(spliced / name).stat().st_size for name in ("graph.nt", "graph.nt", "graph.nq")]
    assert all(size < source / 10 for size, source in zip(converted_bytes, sources)), (converted_bytes, sources)
    converted_bytes.clear()
    build([tmp_path / "new.txt"], whole, update=True)
    assert converted_bytes == [None, None, None]  # converted whole
    for name in VIEWS + ("graph.nt", "graph.nq"):
        assert (spliced / name).read_bytes() == (whole / name).read_bytes(), name


def lines_written(monkeypatch) -> list[tuple[int, int]]:
    """For each N-Triples or N-Quads file the builds write from now on: (runs copied from the last file, runs)."""
    written = []
    real = rdf._write_lines

    def spy(groups, output, last=None):
        found = real(groups, output, last)
        written.append((last.copied if last is not None else 0, len(found[0])))
        return found

    monkeypatch.setattr(rdf, "_write_lines", spy)
    return written


def test_a_rebuild_makes_only_the_lines_whose_sources_changed(corpus, tmp_path, monkeypatch):
    # the lines themselves equal those made whole: test_a_rebuild_converts_only_what_changed_...
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    folder = tmp_path / "copied"
    shutil.copytree(corpus, folder)
    written = lines_written(monkeypatch)
    build([tmp_path / "new.txt"], folder, update=True)
    [(copied, union), (copied_quads, quads)] = written
    assert union - copied < union / 10 and quads - copied_quads < quads / 10, written
    assert union - copied > 0 and quads - copied_quads > 0  # the new article's entities, facts and graph

    written.clear()
    with (folder / "graph.nt").open("ab") as handle:  # edited since its index was written: nothing taken from it
        handle.write(b"<https://x.example/edited> <https://x.example/p> \"edited\" .\n")
    build([tmp_path / "new.txt"], folder, update=True)
    assert written[0][0] == 0 and written[1][0] == quads, written
    assert b"x.example/edited" not in (folder / "graph.nt").read_bytes()


def test_an_article_s_new_date_remakes_the_time_stamps_of_its_events(tmp_path, nlp):
    """An event's time stamp is its article's date where its sentence gives none: the date is one of the sources
    of the event's lines, though neither the fact nor its evidence holds it."""
    def articles(date: str) -> Path:
        path = tmp_path / "articles.jsonl"
        path.write_text(json.dumps({"id": "troops", "text": "The US will send more troops to Iraq.", "date": date})
                        + "\n" + json.dumps({"id": "aid", "text": "Germany will send aid to Ukraine.",
                                             "date": "2024-02-03"}) + "\n", encoding="utf-8")
        return path

    build([articles("2024-01-02")], tmp_path / "rebuilt")
    assert '"2024-01-02"^^' in (tmp_path / "rebuilt" / "graph.nt").read_text(encoding="utf-8")
    build([articles("2025-05-06")], tmp_path / "rebuilt")
    build([articles("2025-05-06")], tmp_path / "whole")
    for name in ("graph.nt", "graph.nq", "graph.ttl"):
        assert (tmp_path / "rebuilt" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert '"2024-01-02"^^' not in (tmp_path / "rebuilt" / "graph.nt").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt, source_format", [("turtle", ox.RdfFormat.N_TRIPLES), ("json-ld", ox.RdfFormat.N_TRIPLES)])
@pytest.mark.parametrize("piece", [1, 2, 3, 7, 11, 4096])
def test_the_blocks_of_a_view_are_found_as_it_is_written_in_pieces_of_any_size(fmt, source_format, piece):
    # a whole conversion's index comes from what passes through the writer, never from reading the file back
    lines, _ = lines_of({f"s{i}": [TRICKY[i % len(TRICKY)], f"value {i}"] for i in range(6)})
    whole = io.BytesIO()
    rdf._convert(io.BytesIO(lines), source_format, fmt, whole)
    data = whole.getvalue()
    noted = runs._Boundaries(io.BytesIO(), fmt)
    for start in range(0, len(data), piece):
        noted.write(data[start:start + piece])
    assert noted.units() == runs._units(data, fmt) and len(noted.units()) == 6
