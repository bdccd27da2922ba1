"""A rebuild reads what resolution worked out from each unchanged article in the last build (its entities' own
keys, the words around their mentions, its countries and acronyms: .kgraph-resolution.jsonl) instead of reading
and working through its extraction again, and resolves exactly as a build from the extractions does: after
articles changed, with other aliases, other code, or a damaged file."""
from __future__ import annotations

import itertools
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kgraph import build, resolve as resolve_module
from kgraph.build import StoredExtractions
from kgraph.extract import extract_articles
from kgraph.ingest import make_article, read_articles
from kgraph.resolve import PREPARED_FILE, Overrides, PreparedArticles, load_overrides, resolve

from conftest import SEEDS

ARTICLES = Path(__file__).parent / "resolution" / "articles"


@pytest.fixture(scope="module")
def extractions(nlp):
    return sorted(extract_articles(list(read_articles([ARTICLES])), nlp), key=lambda e: e.article.id)


def resolve_in(folder: Path, extractions, overrides: Overrides = Overrides()):
    """Resolve ``extractions`` as a build into ``folder`` does; the resolution, how many articles came from the
    last build's file, and how many extractions were read."""
    read = 0
    with StoredExtractions(folder) as stored:
        for extraction in extractions:
            stored.add(extraction)
        real_get = stored.get

        def counting_get(article_id, **kwargs):
            nonlocal read
            read += 1
            return real_get(article_id, **kwargs)

        stored.get = counting_get
        with PreparedArticles(folder, overrides, stored.digests()) as prepared:
            resolution = resolve(stored.for_resolution(prepared), overrides=overrides, prepared=prepared)
    return resolution, prepared.used, read


def test_a_rebuild_reads_every_unchanged_article_from_the_file_and_resolves_the_same(extractions, tmp_path):
    assert len(extractions) >= 20
    first, used, read = resolve_in(tmp_path, extractions)
    assert (used, read) == (0, len(extractions))
    assert first == resolve(extractions)
    kept = (tmp_path / PREPARED_FILE).read_bytes()
    assert kept.count(b"\n") == len(extractions) + 1  # a header, then a line an article

    again, used, read = resolve_in(tmp_path, extractions)
    assert (used, read) == (len(extractions), 0)
    assert again == first  # entities, members and every ledger row
    assert (tmp_path / PREPARED_FILE).read_bytes() == kept


def test_an_article_read_from_the_file_has_every_field_its_extraction_gives(extractions, tmp_path, nlp):
    """Each entity as the file gives it back equals, field by field, the one worked out from the extraction."""
    texas = make_article("texas.txt", "The mayor of Austin, Texas, spoke on Monday. Texas has many large cities.")
    extractions = [*extractions, *extract_articles([texas], nlp)]  # a place after a place only once: Texas
    resolve_in(tmp_path, extractions)
    compared = []
    with StoredExtractions(tmp_path) as stored:
        for extraction in extractions:
            stored.add(extraction)
        with PreparedArticles(tmp_path, Overrides(), stored.digests()) as prepared:
            for extraction in extractions:
                kept = prepared.get(extraction.article.id)
                made, definitions = resolve_module._article_locals(extraction, Overrides(), resolve_module._Shared())
                assert kept is not None and kept.locals == made and kept.definitions == definitions
                compared.extend(made)
    # the articles give each field values to tell apart (a field read into another would show)
    fields = ("after_a_place", "only_after_a_place", "academic", "canonical", "alias_type", "external", "qualifier",
              "key", "via", "surface")
    for one, other in itertools.combinations(fields, 2):
        assert any(getattr(local, one) != getattr(local, other) for local in compared), (one, other)


def test_changed_added_and_removed_articles_are_worked_out_again(extractions, tmp_path):
    resolve_in(tmp_path, extractions)
    changed = [replace(e, entities=e.entities[:-1]) if i == 3 else e for i, e in enumerate(extractions)]
    changed = [e for i, e in enumerate(changed) if i != 5]  # one removed
    changed.append(replace(extractions[0], article=replace(extractions[0].article, id="zz_copy.txt")))  # one added
    resolution, used, read = resolve_in(tmp_path, changed)
    assert (used, read) == (len(extractions) - 2, 2)
    assert resolution == resolve(changed)


def test_other_aliases_or_other_code_use_nothing_from_the_file(extractions, tmp_path, monkeypatch):
    resolve_in(tmp_path, extractions)
    (tmp_path / "aliases.csv").write_text("International Criminal Court,ICC\n", encoding="utf-8")
    aliases = load_overrides(aliases=tmp_path / "aliases.csv")
    steered, used, _ = resolve_in(tmp_path, extractions, aliases)
    assert used == 0
    assert steered == resolve(extractions, overrides=aliases)
    assert any(row.rule == "user-alias" for row in steered.ledger)

    assert resolve_in(tmp_path, extractions, aliases)[1] == len(extractions)
    monkeypatch.setattr(resolve_module, "_resolution_fingerprint", lambda: "another kgraph")
    assert resolve_in(tmp_path, extractions, aliases)[1] == 0


def test_a_damaged_file_costs_time_never_a_wrong_resolution(extractions, tmp_path):
    resolve_in(tmp_path, extractions)
    path = tmp_path / PREPARED_FILE
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][: len(lines[2]) // 2]  # half a record
    lines[4] = b"\xff\xfe not a line"
    lines[6] = lines[6].replace(b'"PERSON"', b'"WEAPON"').replace(b'"ORG"', b'"WEAPON"').replace(b'"PLACE"', b'"WEAPON"')
    path.write_bytes(b"\n".join(lines[:-3]))  # and the end cut off, mid-line
    resolution, used, read = resolve_in(tmp_path, extractions)
    assert resolution == resolve(extractions)
    assert read == len(extractions) - used >= 5
    assert resolve_in(tmp_path, extractions)[1:] == (len(extractions), 0)  # and the file is whole again


def test_a_build_keeps_the_file_and_its_rebuild_writes_the_same_exports(tmp_path, nlp, monkeypatch):
    articles = [SEEDS / "000_13ec9c912da2c082.txt", SEEDS / "001_nato_expands_iraq_mission.txt",
                SEEDS / "004_wire_stories.jsonl"]
    build(articles, tmp_path / "first")
    assert (tmp_path / "first" / PREPARED_FILE).is_file()
    shutil.copytree(tmp_path / "first", tmp_path / "again")
    worked_out = []
    real = resolve_module._article_locals
    monkeypatch.setattr(resolve_module, "_article_locals",
                        lambda extraction, *rest: worked_out.append(extraction.article.id) or real(extraction, *rest))
    build(articles, tmp_path / "again")
    assert worked_out == []
    for path in sorted((tmp_path / "first").iterdir()):
        if path.is_file():
            assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
