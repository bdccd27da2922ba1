"""Reading articles: formats, furniture, glued sentences, offsets back into the text as given."""
from __future__ import annotations

import json

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


def test_missing_path_says_what_to_do():
    with pytest.raises(IngestError, match="no such file"):
        list(read_articles(["does/not/exist"]))


def test_markdown_markup_is_not_text():
    article = make_article("a", "# NATO Grows\n\n*By Staff*\n\n- **Pentagon** spokesperson John Kirby said so.",
                           markdown=True)
    assert "#" not in article.clean and "*" not in article.clean
    start = article.clean.index("Pentagon")
    assert article.text[article.to_text_offset(start):].startswith("Pentagon")
