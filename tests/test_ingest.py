"""Reading articles: formats, furniture, glued sentences, offsets back into the text as given."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from kgraph.errors import IngestError
from kgraph.ingest import Skipped, make_article, read_articles

from conftest import SEEDS


def test_reads_every_format_in_seeds():
    articles = list(read_articles([SEEDS]))
    kinds = {a.path.rsplit(".", 1)[-1].split(":")[0] for a in articles}
    assert {"txt", "md", "html", "jsonl"} <= kinds
    assert len({a.id for a in articles}) == len(articles)


def test_html_gives_the_article_not_scripts_menus_or_comments():
    html = next(a for a in read_articles([SEEDS]) if a.id.endswith(".html"))
    assert "Stoltenberg" in html.text
    for furniture in ("Evil Scriptman", "Commented Person", "Subscribe", "Leave a Reply"):
        assert furniture not in html.text
    assert html.title and html.date


def test_furniture_lines_are_not_read():
    article = make_article("a", "Support SouthFront\n\nThe US sent troops.\n\nLeave a Reply\n\nYour\n\n"
                                "Click to see full-size image\n")
    assert article.clean == "The US sent troops."


def test_glued_sentence_is_split_and_offsets_map_back():
    text = "This is a global posture review of the US.Austin announced a review."
    article = make_article("a", text)
    assert "US. Austin" in article.clean
    start = article.clean.index("Austin")
    assert text[article.to_text_offset(start):article.to_text_offset(start) + 6] == "Austin"


@pytest.mark.parametrize("text, clean", [
    ("It left the country.Austin spoke!Then Kabul fell?Yes.", "It left the country. Austin spoke! Then Kabul fell? Yes."),
    ("Troops of the US.Austin said so.", "Troops of the US. Austin said so."),
    ("The U.S.Army, e.g.The unit, NATO.Us and NATO.UN stay glued.", "The U.S.Army, e.g.The unit, NATO.Us and NATO.UN stay glued."),
    ("A.Bc and ab.Cd and AB.Cd", "A.Bc and ab. Cd and AB.Cd"),
])
def test_glued_sentence_ends_are_cut_where_two_lower_case_letters_or_an_acronym_end_a_sentence(text, clean):
    assert make_article("a", text).clean == clean


def test_jsonl_ids_and_metadata(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps({"id": "w1", "text": "NATO met.", "title": "T", "date": "2021-03-05"}) + "\n"
                    + "{broken\n" + json.dumps({"id": "w2", "text": "ISIS left."}) + "\n", encoding="utf-8")
    skipped: list[Skipped] = []
    articles = list(read_articles([path], skipped=skipped))
    assert [a.id for a in articles] == ["w1", "w2"]
    assert articles[0].title == "T" and articles[0].date == "2021-03-05"
    assert len(skipped) == 1 and skipped[0].path.endswith("wire.jsonl:2")


def test_cp1252_is_decoded(tmp_path):
    path = tmp_path / "zurich.txt"
    path.write_bytes("Talks in Zürich ended.".encode("cp1252"))
    assert "Zürich" in next(read_articles([path])).text


def test_binary_file_is_skipped_with_a_reason(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    skipped: list[Skipped] = []
    assert list(read_articles([path], skipped=skipped)) == []
    assert "binary" in skipped[0].reason


def test_a_tar_archive_is_skipped_but_prose_with_ustar_at_byte_257_is_read(tmp_path):
    archive = tmp_path / "bundle.txt"
    with tarfile.open(archive, "w") as tar:
        tar.add(SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0], arcname="a.txt")
    prose = tmp_path / "mustard.txt"
    lead = ("The farm co-op in Dijon said on Monday that its sales rose. " * 5)[:255]
    prose.write_text(lead + " Mustard exports to Canada doubled, the co-op said.\n", encoding="utf-8")
    assert prose.read_bytes()[257:262] == b"ustar"
    skipped: list[Skipped] = []
    read = list(read_articles([archive, prose], skipped=skipped))
    assert [Path(a.path).name for a in read] == ["mustard.txt"]
    assert [s.reason for s in skipped] == ["binary file (a tar archive), not an article"]


def test_missing_path_says_what_to_do():
    with pytest.raises(IngestError, match="no such file"):
        list(read_articles(["does/not/exist"]))


def test_markdown_markup_is_not_text():
    article = make_article("a", "# NATO Grows\n\n*By Staff*\n\n- **Pentagon** spokesperson John Kirby said so.",
                           markdown=True)
    assert "#" not in article.clean and "*" not in article.clean
    start = article.clean.index("Pentagon")
    assert article.text[article.to_text_offset(start):].startswith("Pentagon")


# --- bad input: encodings, binary files, control characters, size, length ---------------------------


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbf" + "Talks in Zürich ended.".encode("utf-8"),
    "Talks in Zürich ended.".encode("utf-16"),  # with its BOM
    b"\xfe\xff" + "Talks in Zürich ended.".encode("utf-16-be"),
    "Talks in Zürich ended.".encode("cp1252"),
])
def test_encodings_are_detected_and_the_bom_is_not_text(tmp_path, raw):
    path = tmp_path / "zurich.txt"
    path.write_bytes(raw)
    assert next(read_articles([path])).text == "Talks in Zürich ended."


def test_the_size_cap_is_checked_before_the_file_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as huge:
        huge.truncate(50_000_001)  # sparse: no disk used
    opened = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    skipped: list[Skipped] = []
    assert list(read_articles([path], skipped=skipped, max_bytes=50_000_000)) == []
    assert "over the size cap of 50,000,000" in skipped[0].reason and opened == []


def test_control_characters_are_replaced_one_for_one_and_offsets_hold():
    text = "NATO\x00 chief\x07 Jens Stoltenberg\ud800 spoke."
    article = make_article("a", text)
    assert len(article.text) == len(text) and "\x00" not in article.text and "\ud800" not in article.text
    assert article.clean == "NATO  chief  Jens Stoltenberg  spoke."
    start = article.clean.index("Jens")
    assert article.text[article.to_text_offset(start):].startswith("Jens Stoltenberg")


def test_runs_no_tokenizer_should_see_are_blanked_for_the_parser_only():
    text = "NATO met.\n\n" + "=" * 10_000 + "\n\nKirby spoke. data:image/png;base64," + "QUJD" * 100
    article = make_article("a", text)
    assert article.text == text
    assert "=" not in article.clean and "QUJD" not in article.clean
    start = article.clean.index("Kirby")
    assert article.text[article.to_text_offset(start):].startswith("Kirby")


def test_a_json_line_may_hold_a_line_separator(tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps({"id": "w", "text": "NATO met.\u2028Kirby spoke."}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    skipped: list[Skipped] = []
    assert [a.text for a in read_articles([path], skipped=skipped)] == ["NATO met.\u2028Kirby spoke."]
    assert skipped == []


def test_bad_inputs_are_skipped_or_failed_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "archive.md").write_bytes(b"PK\x03\x04" + bytes(60))
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    skipped: list[Skipped] = []
    assert list(read_articles([tmp_path], skipped=skipped)) == []
    assert [(s.path.rsplit("/", 1)[-1], s.status) for s in skipped] == [
        ("archive.md", "skipped"), ("empty.txt", "skipped"), ("gone.txt", "failed")]
    assert "ZIP archive" in skipped[0].reason and "cannot be read" in skipped[2].reason


def test_long_articles_are_parsed_in_pieces_with_offsets_into_the_whole_text(nlp):
    from kgraph.extract import extract_all
    from kgraph.ingest import split_article

    text = "\n\n".join(a.text for a in read_articles([SEEDS]) if not a.id.endswith(".html"))
    article = make_article("long", text)
    pieces = split_article(article, 2_000)
    assert len(pieces) > 5 and "".join(p.clean for p in pieces) == article.clean
    assert all(len(p.clean) <= 2_000 for p in pieces)
    for piece in pieces:
        assert text[piece.to_text_offset(0):].startswith(piece.clean.lstrip()[:20].split("\n")[0])
    [(_, extraction, error)] = list(extract_all([article], nlp, piece_chars=2_000))
    assert error is None and extraction.article is article and len(extraction.relations) > 20
    for relation in extraction.relations:
        assert text[relation.subject.start:relation.subject.end] == relation.subject.text
        assert relation.sentence[0] <= relation.subject.start < relation.sentence[1]
        assert 0 <= relation.subject_entity < len(extraction.entities)
    for mention in extraction.mentions:
        assert text[mention.span.start:mention.span.end] == mention.span.text
        assert mention.cluster < len(extraction.entities)
