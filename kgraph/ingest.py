"""Files -> :class:`~kgraph.types.Article`.

Reads plain text, Markdown, HTML pages and JSON Lines, recursively through
directories. HTML goes through trafilatura (main text only: no menus, scripts
or comments); bytes are decoded with charset-normalizer when they are not
UTF-8. The text the NLP pipeline reads (``Article.clean``) drops site furniture
("Support SouthFront", "Leave a Reply") and splits glued sentences
("the country.Austin announced"); offsets found in it map back to the text as
given with :meth:`Article.to_text_offset`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestError
from .types import Article

__all__ = ["SUFFIXES", "Skipped", "iter_input_files", "read_articles", "make_article", "clean_text"]

SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
            ".jsonl": "jsonl", ".ndjson": "jsonl"}

# Lines that are site furniture, not reporting. Matched against a whole line, case-insensitively.
FURNITURE = re.compile(
    r"""^(?:support\s+\w+|leave\s+a\s+(?:reply|comment)|click\s+to\s+(?:see|view|enlarge)\b.*|share\s+(?:this|on)\b.*
    |related(?:\s+(?:posts?|articles?|stories))?:?.*|read\s+(?:more|also)\b.*|subscribe\b.*|advertisement|comments?
    |your\s+email\s+address\s+will\s+not\s+be\s+published.*|required\s+fields\s+are\s+marked.*|you\s+may\s+also\s+like\b.*
    |follow\s+us\b.*|sign\s+up\b.*|print|email|tweet|share|your|posted\s+in\b.*|tags?:.*|image:.*|photo:.*
    |(?:©|\(c\)|copyright)\b.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
# "the country.Austin announced": a sentence end glued to the next capitalized word.
GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[A-Z]{2}[.!?])(?=[A-Z][a-z]{2})")
MARKDOWN_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)")
MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


@dataclass(frozen=True)
class Skipped:
    """An input that gave no article, and why."""

    path: str
    reason: str


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Path]]:
    """Yield ``(file, root)`` for every readable article file under ``paths``, sorted.

    ``root`` is the argument the file was found under; article ids are paths relative to it.
    """
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise IngestError(f"{raw}: no such file or directory. Give article files or folders that exist.")
        if root.is_dir():
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                if file.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in file.relative_to(root).parts):
                    yield file, root
        else:
            yield root, root.parent


def read_articles(paths: Iterable[str | Path], *, skipped: list[Skipped] | None = None) -> Iterator[Article]:
    """Read every article under ``paths``. Files that give nothing are reported into ``skipped``."""
    for file, root in iter_input_files(paths):
        article_id = file.relative_to(root).as_posix()
        kind = SUFFIXES.get(file.suffix.lower(), "text")
        try:
            raw = file.read_bytes()
            if kind == "jsonl":
                yield from _read_jsonl(raw, file, skipped)
                continue
            article = _read_document(raw, kind, article_id, str(file))
        except (OSError, IngestError) as exc:
            if skipped is None:
                raise
            skipped.append(Skipped(str(file), str(exc)))
            continue
        if article is None:
            if skipped is not None:
                skipped.append(Skipped(str(file), "no article text found"))
            continue
        yield article


def decode(raw: bytes, where: str) -> str:
    """Bytes -> str: UTF-8 (with or without BOM) first, else charset-normalizer's best guess."""
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{where}: looks like a binary file (NUL bytes), not an article; skipped.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError(f"{where}: could not detect the text encoding; save the file as UTF-8.")
    return str(best)


def _read_document(raw: bytes, kind: str, article_id: str, path: str) -> Article | None:
    text = decode(raw, path)
    title = date = url = source = None
    if kind == "html":
        text, title, date, url, source = _html_to_text(text)
    elif kind == "markdown":
        heading = re.search(r"^\s{0,3}#\s+(.+)$", text, re.MULTILINE)
        title = heading.group(1).strip() if heading else None
    else:
        first = text.strip().split("\n", 1)[0].strip()
        title = first if first and len(first) < 200 and not first.endswith(".") else None
    if not text.strip():
        return None
    return make_article(article_id, text, title=title, date=date, url=url, source=source, path=path,
                        markdown=kind == "markdown")


def _html_to_text(html: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True,
                               deduplicate=False) or ""
    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return text, None, None, None, None
    return text, meta.title, meta.date, meta.url, meta.sitename


def _read_jsonl(raw: bytes, file: Path, skipped: list[Skipped] | None) -> Iterator[Article]:
    text = decode(raw, str(file))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
            article_id = str(record.get("id") or f"{file.name}:{number}")
        except ValueError as exc:
            problem = Skipped(where, f"not a JSON article line ({exc})")
            if skipped is None:
                raise IngestError(f"{problem.path}: {problem.reason}") from exc
            skipped.append(problem)
            continue
        if not record["text"].strip():
            if skipped is not None:
                skipped.append(Skipped(where, "empty text"))
            continue
        yield make_article(article_id, record["text"], title=_opt(record, "title"), date=_opt(record, "date"),
                           url=_opt(record, "url"), source=_opt(record, "source"), path=where)


def _opt(record: dict, key: str) -> str | None:
    value = record.get(key)
    return str(value) if value not in (None, "") else None


def make_article(article_id: str, text: str, *, title: str | None = None, date: str | None = None,
                 url: str | None = None, source: str | None = None, path: str | None = None,
                 markdown: bool = False) -> Article:
    """Build an :class:`Article` from text, computing its clean text and offset map.

    >>> a = make_article("a", "Support SouthFront\\n\\nThe troops left the country.Austin spoke.")
    >>> a.clean
    'The troops left the country. Austin spoke.'
    >>> a.text[a.to_text_offset(a.clean.index("Austin")):][:6]
    'Austin'
    """
    clean, runs = clean_text(text, markdown=markdown)
    return Article(id=article_id, text=text, title=title, date=date, url=url, source=source, path=path,
                   clean=clean, clean_to_text=tuple(runs))


def clean_text(text: str, *, markdown: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """Drop furniture lines, Markdown markup and glued sentence ends; return the clean text and its offset runs."""
    pieces: list[str] = []
    runs: list[tuple[int, int]] = []
    length = 0

    def copy(start: int, end: int) -> None:
        nonlocal length
        if start < end:
            runs.append((length, start))
            pieces.append(text[start:end])
            length += end - start

    def insert(chunk: str) -> None:
        nonlocal length
        pieces.append(chunk)
        length += len(chunk)

    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start, end = offset, offset + len(body)
        offset += len(line)
        stripped = body.strip()
        if not stripped:
            continue
        if FURNITURE.match(stripped):
            continue
        if markdown:
            prefix = MARKDOWN_PREFIX.match(body)
            if prefix:
                start += prefix.end()
        if pieces:
            insert("\n\n" if not pieces[-1].endswith("\n") else "")
        cursor = start
        segment = text[start:end]
        cuts = [m.start() + start for m in GLUED_SENTENCE.finditer(segment)]
        if markdown:
            cuts += [(m.start() + start, m.end() + start) for m in MARKDOWN_EMPHASIS.finditer(segment)]  # type: ignore[misc]
        for cut in sorted(cuts, key=lambda c: c if isinstance(c, int) else c[0]):
            if isinstance(cut, tuple):
                copy(cursor, cut[0])
                cursor = cut[1]
            else:
                copy(cursor, cut)
                insert(" ")
                cursor = cut
        copy(cursor, end)
    return "".join(pieces), runs
