"""The adversarial corpus: every kind of bad input kgraph must survive, written into a folder at test time.

Each :class:`Case` is one file (or a few lines of one JSON Lines file) with the outcome the build
must give it and, for a bad input, words its reason must contain; ``GOOD_ARTICLES`` are the article
ids that must end up in the graph, ``NEVER_IN_GRAPH`` names that must not (they hide in a page's
scripts, styles, menus and comments). Big files (the 5 MB article, the file over the size cap) and
binary files (a real PNG, gzip and ZIP archives) are generated here rather than committed.
"""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

FOLDER = "corpus"
MAX_BYTES = 20_000_000  # the build's default cap: the 5 MB article is under it, huge.txt over it

LEAD = "NATO Secretary-General Jens Stoltenberg said ISIS still operates in Iraq.\n\n"
TAIL = "\n\nPentagon spokesperson John Kirby spoke in Washington on Monday.\n"


@dataclass(frozen=True)
class Case:
    input: str  # as build-report.json names it: corpus/<path>[:line]
    outcome: str  # processed, skipped or failed
    reason: str = ""  # words the reason must contain (lower case)
    article: str | None = None  # the article id a processed input gives


CASES: tuple[Case, ...] = (
    Case("corpus/plain.txt", "processed", article="plain.txt"),
    Case("corpus/bom-utf8.txt", "processed", article="bom-utf8.txt"),
    Case("corpus/utf16-le.txt", "processed", article="utf16-le.txt"),
    Case("corpus/utf16-be.md", "processed", article="utf16-be.md"),
    Case("corpus/cp1252.txt", "processed", article="cp1252.txt"),
    Case("corpus/control-chars.txt", "processed", article="control-chars.txt"),
    Case("corpus/page.html", "processed", article="page.html"),
    Case("corpus/markup-names.md", "processed", article="markup-names.md"),
    Case("corpus/big-5mb.md", "processed", article="big-5mb.md"),
    Case("corpus/equals-rule.txt", "processed", article="equals-rule.txt"),
    Case("corpus/wire.jsonl:1", "processed", article="wire-good-1"),
    Case("corpus/wire.jsonl:2", "failed", "not a json article line"),
    Case("corpus/wire.jsonl:3", "processed", article="wire-surrogate"),
    Case("corpus/wire.jsonl:4", "processed", article="wire-nul-u2028"),
    Case("corpus/wire.jsonl:5", "skipped", "empty text"),
    Case("corpus/wire.jsonl:6", "failed", "already used"),
    Case("corpus/wire.jsonl:7", "failed", "not a json article line"),
    Case("corpus/wire.jsonl:8", "failed", "not a json article line"),
    Case("corpus/wire.jsonl:9", "processed", article="wire-good-2"),
    Case("corpus/long.jsonl:1", "processed", article="long-over-a-million-chars"),
    Case("corpus/image.txt", "skipped", "png image"),
    Case("corpus/archive.md", "skipped", "gzip archive"),
    Case("corpus/bundle.html", "skipped", "zip archive"),
    Case("corpus/noise.txt", "skipped", "binary"),
    Case("corpus/menus-only.html", "skipped", "no article text"),
    Case("corpus/empty.txt", "skipped", "empty file"),
    Case("corpus/blank.md", "skipped", "no article text"),
    Case("corpus/huge.txt", "skipped", "size cap"),
    Case("corpus/pipe.txt", "skipped", "not a regular file"),
    Case("corpus/unreadable/dangling.txt", "failed", "cannot be read"),
    Case("corpus/unreadable/loop.txt", "failed", "cannot be read"),
)
GOOD_ARTICLES = sorted(c.article for c in CASES if c.article)
BAD_INPUTS = sorted(c.input for c in CASES if c.outcome != "processed")
# Names that hide in the page's scripts, styles, menus and comments, and in the markup of a Markdown file.
NEVER_IN_GRAPH = ("Evil Scriptman", "Stylish Stylename", "Navigation Navman", "Commented Person", "Hidden Hiddenman",
                  "Footer Footerman", "Menu Menuperson", "Jsonld Jsonman")
# Names each processed article must give, wherever in the text they are (the 5 MB article's last
# sentence starts past character 4,900,000; the long JSON article's past 1,000,000).
MUST_FIND = {"cp1252.txt": "Zürich", "utf16-le.txt": "Zürich", "utf16-be.md": "Zürich", "big-5mb.md": "John Kirby",
             "long-over-a-million-chars": "John Kirby", "page.html": "John Kirby", "control-chars.txt": "John Kirby"}

HTML_PAGE = """<!DOCTYPE html><html><head><title>Talks in Geneva</title>
<style>.byline:before { content: "Stylish Stylename"; }</style>
<script>var who = "Evil Scriptman"; document.write("<p>Evil Scriptman met Hidden Hiddenman</p>");</script>
</head><body>
<nav><ul><li><a href="/">Navigation Navman</a></li><li>Menu Menuperson</li></ul></nav>
<!-- Commented Person met Hidden Hiddenman in Paris -->
<article><h1>Talks in Geneva</h1>
<p>Pentagon spokesperson John Kirby said on Monday that the talks in Geneva would go on for a week.</p>
<p>NATO Secretary-General Jens Stoltenberg said the alliance would keep its mission in Iraq.</p>
</article>
<footer>Footer Footerman &copy; 2021</footer>
<script type="application/ld+json">{"author": "Jsonld Jsonman"}</script>
</body></html>"""
MENUS_ONLY = """<html><head><script>var who = "Evil Scriptman";</script>
<style>p:after { content: "Stylish Stylename"; }</style></head>
<body><nav>Navigation Navman</nav><header>Menu Menuperson</header><!-- Commented Person -->
<footer>Footer Footerman</footer></body></html>"""


def png_image(width: int = 64, height: int = 64) -> bytes:
    """A real PNG (a grey square), made here so no binary file is committed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def big_article() -> str:
    """A 5 MB article: a lead, a chart inlined as a base64 data URI (as scraped Markdown often has), a last line."""
    blob = base64.b64encode(random.Random(5).randbytes(3_700_000)).decode("ascii")
    return "# Alliance steps up\n\n" + LEAD + f"![chart](data:image/png;base64,{blob})" + TAIL


def long_jsonl_text() -> str:
    """Over 1,000,000 characters: paragraphs between rules of '=' (spaCy's tokenizer chokes on long ones)."""
    rule = "\n\n" + "=" * 260_000 + "\n\n"
    return LEAD + rule + "The talks in Geneva went on for a week." + rule * 3 + TAIL


def write_corpus(root: Path) -> Path:
    """Write the corpus into ``root/corpus`` and return that folder."""
    folder = root / FOLDER
    (folder / "unreadable").mkdir(parents=True)
    good = "Talks in Zürich ended on Monday. " + TAIL
    (folder / "plain.txt").write_text(LEAD + "The mission goes on." + TAIL, encoding="utf-8")
    (folder / "bom-utf8.txt").write_bytes(b"\xef\xbb\xbf" + (LEAD + TAIL).encode("utf-8"))
    (folder / "utf16-le.txt").write_bytes(good.encode("utf-16"))  # with its BOM
    (folder / "utf16-be.md").write_bytes(b"\xfe\xff" + ("# Talks\n\n" + good).encode("utf-16-be"))
    (folder / "cp1252.txt").write_bytes(("Talks in Zürich – “close”, said the envoy. " + TAIL).encode("cp1252"))
    (folder / "control-chars.txt").write_text("NATO\x00 met\x07 in Brussels\x1b[31m.\x7f\n\nTalks\x0c went on.\x08"
                                              + TAIL, encoding="utf-8")
    (folder / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "markup-names.md").write_text('# O\'Brien said "<script>alert(1)</script>"\n\n'
                                            "Pentagon spokesperson John O'Brien <b>said</b> \u202eevil\u202c "
                                            "talks with the \"Quote & Co\" group would go on in Paris.\n",
                                            encoding="utf-8")
    (folder / "big-5mb.md").write_text(big_article(), encoding="utf-8")
    (folder / "equals-rule.txt").write_text(LEAD + "=" * 50_000 + TAIL, encoding="utf-8")
    wire = [
        json.dumps({"id": "wire-good-1", "text": LEAD + "The mission goes on.", "date": "2021-03-05"}),
        '{"id": "wire-broken", "text": "NATO met in',
        '{"id": "wire-surrogate", "text": "Pentagon spokesperson John Kirby \\ud800 spoke in Washington."}',
        json.dumps({"id": "wire-nul-u2028", "text": "NATO\u0000 chief Jens Stoltenberg\u2028 spoke in Brussels."},
                   ensure_ascii=False),
        json.dumps({"id": "wire-empty", "text": " \n "}),
        json.dumps({"id": "wire-good-1", "text": "A second article with the id of the first."}),
        json.dumps(["not", "an", "object"]),
        "[" * 100_000 + "]" * 100_000,  # deep enough to exhaust the JSON parser's recursion
        json.dumps({"id": "wire-good-2", "text": "UK trainers arrived in Baghdad.", "title": {"nested": "no"}}),
    ]
    (folder / "wire.jsonl").write_text("\n".join(wire) + "\n", encoding="utf-8")
    (folder / "long.jsonl").write_text(json.dumps({"id": "long-over-a-million-chars", "text": long_jsonl_text()})
                                       + "\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(png_image())
    (folder / "archive.md").write_bytes(gzip.compress(b"NATO met in Brussels. " * 100, mtime=0))
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("story.txt", LEAD)
    (folder / "bundle.html").write_bytes(bundle.getvalue())
    (folder / "noise.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "menus-only.html").write_text(MENUS_ONLY, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("\n   \n\t\n", encoding="utf-8")
    with open(folder / "huge.txt", "wb") as huge:  # sparse: over the cap without using the disk
        huge.truncate(MAX_BYTES + 1)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    (folder / "unreadable" / "dangling.txt").symlink_to(folder / "unreadable" / "gone.txt")
    (folder / "unreadable" / "loop.txt").symlink_to(folder / "unreadable" / "loop.txt")
    (folder / ".hidden.txt").write_text("Hidden files are not inputs.", encoding="utf-8")
    (folder / "notes.csv").write_text("not,an,article\n", encoding="utf-8")
    return folder
