"""Files -> :class:`~kgraph.types.Article`.

Reads plain text, Markdown, HTML pages and JSON Lines, recursively through
directories. HTML goes through trafilatura (main text only: no menus, scripts
or comments); bytes are decoded with charset-normalizer when they are not
UTF-8. The text the NLP pipeline reads (``Article.clean``) drops site furniture
("Support SouthFront", "Leave a Reply") and splits glued sentences
("the country.Austin announced"); offsets found in it map back to the text as
given with :meth:`Article.to_text_offset`.

Articles are untrusted, and no input stops a build: a file that is not an
article (an image, an archive, binary data, an empty file, one over the size
cap) is *skipped*, one that should be an article but cannot be read (a broken
JSON line, an unreadable file, an unknown encoding) *failed*; both come back
as :class:`Skipped` records with a reason. The size is checked before a file
is read. Characters no export format can carry (control characters, lone
surrogates) are replaced one for one, so every offset still points at the same
place; articles longer than the parser takes are cut by :func:`split_article`.
"""
from __future__ import annotations

import bisect
import codecs
import json
import re
import stat
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .errors import IngestError
from .types import Article

__all__ = ["SUFFIXES", "DEFAULT_MAX_BYTES", "Skipped", "iter_input_files", "read_articles", "make_article",
           "clean_text", "replace_unsafe", "sniff_binary", "decode", "split_article", "input_name"]

SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
            ".jsonl": "jsonl", ".ndjson": "jsonl"}
DEFAULT_MAX_BYTES = 20_000_000  # a news article is rarely over 1 MB; a file over this is a mistake, not an article

# Characters that no export can carry (XML 1.0 refuses them, UTF-8 cannot encode lone surrogates) or that
# mean nothing in text: C0/C1 controls except tab and line breaks, surrogates, U+FFFE and U+FFFF.
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Leading bytes of formats people mistake for articles.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"), (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, or a .docx, .xlsx or .epub"), (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"BZh", "a bzip2 archive"), (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"), (b"\x7fELF", "an executable"),
)
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SNIFF_BYTES = 8192
BINARY_SHARE = 0.05  # NUL or control characters in more than this share of the first bytes: binary, not text

# Lines that are site furniture, not reporting. Matched against a whole line, case-insensitively.
FURNITURE = re.compile(
    r"""^(?:support\s+\w+|leave\s+a\s+(?:reply|comment)|click\s+to\s+(?:see|view|enlarge)\b.*|share\s+(?:this|on)\b.*
    |related(?:\s+(?:posts?|articles?|stories))?:?.*|read\s+(?:more|also)\b.*|subscribe\b.*|advertisement|comments?
    |your\s+email\s+address\s+will\s+not\s+be\s+published.*|required\s+fields\s+are\s+marked.*|you\s+may\s+also\s+like\b.*
    |follow\s+us\b.*|sign\s+up\b.*|print|email|tweet|share|your|posted\s+in\b.*|tags?:.*|image:.*|photo:.*
    |(?:©|\(c\)|copyright)\b.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
# Page parts that are never the article. Pruned before trafilatura reads the page, so that its fallback
# extractors cannot take a menu for the article when a page has no article at all.
SITE_FURNITURE_XPATH = ("//nav", "//header", "//footer", "//aside", "//*[@role='navigation']")
# "the country.Austin announced": a sentence end glued to the next capitalized word; the text is cut where
# a match ends. The pattern starts with the stop, not a look-behind, so that re skips to the stops (7x faster).
GLUED_SENTENCE = re.compile(r"[.!?](?:(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[A-Z]{2}[.!?])(?=[A-Z][a-z]{2}))")
MARKDOWN_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)")
MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+")
# A run of this many characters without a space is no word (a base64 blob, a URL, a rule of "===="), and
# spaCy's tokenizer takes time that grows with the cube of some runs' length: 16,000 "=" took 100 s here.
# The NLP text gets spaces in their place.
LONG_RUN = re.compile(r"\S{65,}")


@dataclass(frozen=True)
class Skipped:
    """An input that gave no article, and why: ``skipped`` (not an article) or ``failed`` (an article not read)."""

    path: str
    reason: str
    status: Literal["skipped", "failed"] = "skipped"


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Path]]:
    """Yield ``(file, root)`` for every article file under ``paths``, sorted.

    ``root`` is the argument the file was found under; article ids are paths relative to it. In folders,
    files with an article suffix are listed even when they cannot be read (a broken link), so that
    reading them reports why; hidden files and other suffixes are left out.
    """
    for raw in paths:
        root = Path(raw)
        if not root.exists() and not root.is_symlink():
            raise IngestError(f"{raw}: no such file or directory. Give article files or folders that exist.")
        if root.is_dir():
            for file in sorted(p for p in root.rglob("*") if not p.is_dir()):
                if file.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in file.relative_to(root).parts):
                    yield file, root
        else:
            yield root, root.parent


def input_name(file: Path, root: Path) -> str:
    """How reports name an input: the folder it was found in, then its path from there.

    The same wherever the build runs from: ``seeds/000.txt`` for ``seeds/`` and for ``/abs/seeds/``.

    >>> input_name(Path("/data/seeds/a/b.txt"), Path("/data/seeds"))
    'seeds/a/b.txt'
    """
    folder = root.name or root.resolve().name
    relative = file.relative_to(root).as_posix()
    return f"{folder}/{relative}" if folder else relative


def read_articles(paths: Iterable[str | Path], *, skipped: list[Skipped] | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article]:
    """Read every article under ``paths``.

    Inputs that give no article are reported into ``skipped`` and the reading goes on; without a
    ``skipped`` list the first one raises :class:`IngestError`. Files over ``max_bytes`` are not read.
    """
    for file, root in iter_input_files(paths):
        problems: list[Skipped] = []
        yield from _read_file(file, root, problems, max_bytes)
        if problems and skipped is None:
            raise IngestError(f"{problems[0].path}: {problems[0].reason}")
        if skipped is not None:
            skipped.extend(problems)


def _read_file(file: Path, root: Path, problems: list[Skipped], max_bytes: int) -> Iterator[Article]:
    name = input_name(file, root)
    article_id = file.relative_to(root).as_posix()
    kind = SUFFIXES.get(file.suffix.lower(), "text")
    try:
        info = file.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(Skipped(name, "not a regular file (a device, socket or pipe); skipped"))
            return
        if info.st_size == 0:
            problems.append(Skipped(name, "empty file"))
            return
        if info.st_size > max_bytes:
            problems.append(Skipped(name, _too_big(info.st_size, max_bytes)))
            return
        with file.open("rb") as handle:
            raw = handle.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        problems.append(Skipped(name, f"cannot be read ({exc.strerror or exc}); check that it exists and that "
                                      "you may read it", "failed"))
        return
    if len(raw) > max_bytes:
        problems.append(Skipped(name, _too_big(len(raw), max_bytes)))
        return
    binary = sniff_binary(raw)
    if binary:
        problems.append(Skipped(name, f"binary file ({binary}), not an article"))
        return
    try:
        if kind == "jsonl":
            yield from _read_jsonl(raw, name, problems)
            return
        article = _read_document(raw, kind, article_id, name)
    except IngestError as exc:
        problems.append(Skipped(name, str(exc), "failed"))
        return
    except Exception as exc:  # noqa: BLE001 - a parser choking on one hostile file must not stop the build
        problems.append(Skipped(name, f"could not be read ({type(exc).__name__}: {exc})", "failed"))
        return
    if article is None:
        problems.append(Skipped(name, "no article text found"))
        return
    yield article


def _too_big(size: int, max_bytes: int) -> str:
    return f"{size:,} bytes, over the size cap of {max_bytes:,}; not read (raise --max-bytes to read it)"


CONTROL_BYTES = bytes(byte for byte in range(32) if byte < 9 or 13 < byte)  # NUL ... BS, SO ... US: not in text


def sniff_binary(raw: bytes) -> str | None:
    """What a file is when it is not text, from its first bytes; None for text.

    >>> sniff_binary(b"\\x89PNG\\r\\n\\x1a\\n....")
    'a PNG image'
    >>> sniff_binary("Zürich".encode("utf-16"))
    >>> sniff_binary(bytes(range(256)) * 4)
    'NUL and control bytes'
    """
    if raw.startswith(tuple(bom for bom, _ in BOMS)):
        return None
    for magic, what in MAGIC:
        if raw.startswith(magic):
            return what
    if _is_tar_header(raw[:512]):
        return "a tar archive"
    sample = raw[:SNIFF_BYTES]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))  # counted in C, not a byte at a time
    if controls > BINARY_SHARE * len(sample):
        return "NUL and control bytes"
    return None


def _is_tar_header(block: bytes) -> bool:
    """A tar header, checksum and all: prose that happens to hold "ustar" at byte 257 is not one."""
    if block[257:262] != b"ustar":
        return False
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def decode(raw: bytes, where: str) -> str:
    """Bytes -> str: a BOM says the encoding (UTF-8, UTF-16, UTF-32); else UTF-8, else charset-normalizer's guess.

    >>> decode(codecs.BOM_UTF16_LE + "Zürich".encode("utf-16-le"), "x")
    'Zürich'
    >>> decode("Zürich".encode("cp1252") + b" talks ended.", "x")
    'Zürich talks ended.'
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError(f"{where}: could not detect the text encoding; save the file as UTF-8.")
    return str(best)


def replace_unsafe(text: str, replacement: str = "\ufffd") -> str:
    """Replace, one for one, every character no export format can carry (so offsets stay right).

    >>> replace_unsafe("NATO\\x00 met\\ud800.")
    'NATO\\ufffd met\\ufffd.'
    """
    return UNSAFE_CHARS.sub(replacement, text)


def _read_document(raw: bytes, kind: str, article_id: str, path: str) -> Article | None:
    text = decode(raw, path)
    title = date = url = source = None
    if kind == "html":
        text, title, date, url, source = _html_to_text(replace_unsafe(text, " "))
    elif kind == "markdown":
        heading = re.search(r"^\s{0,3}#\s+(.+)$", text, re.MULTILINE)
        title = heading.group(1).strip() if heading else None
    else:
        first = text.strip().split("\n", 1)[0].strip()
        title = first if first and len(first) < 200 and not first.endswith(".") else None
    if not replace_unsafe(text, " ").strip():
        return None
    return make_article(article_id, text, title=title, date=date, url=url, source=source, path=path,
                        markdown=kind == "markdown")


def _html_to_text(html: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True,
                               deduplicate=False, prune_xpath=list(SITE_FURNITURE_XPATH)) or ""
    meta = trafilatura.extract_metadata(html)
    if meta is None:
        return text, None, None, None, None
    return text, meta.title, meta.date, meta.url, meta.sitename


def _read_jsonl(raw: bytes, name: str, problems: list[Skipped]) -> Iterator[Article]:
    """One article per line; a bad line is reported as ``file:line`` and the other lines are read."""
    text = decode(raw, name)
    found = False
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: JSON strings may hold U+2028
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
        except (ValueError, RecursionError) as exc:
            problems.append(Skipped(where, f"not a JSON article line ({exc}); fix or remove the line", "failed"))
            continue
        found = True
        if not replace_unsafe(record["text"], " ").strip():
            problems.append(Skipped(where, "empty text"))
            continue
        article_id = _opt(record, "id") or f"{Path(name).name}:{number}"
        yield make_article(article_id, record["text"], title=_opt(record, "title"), date=_opt(record, "date"),
                           url=_opt(record, "url"), source=_opt(record, "source"), path=where)
    if not found and not problems:
        problems.append(Skipped(name, "no article text found"))


def _opt(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def make_article(article_id: str, text: str, *, title: str | None = None, date: str | None = None,
                 url: str | None = None, source: str | None = None, path: str | None = None,
                 markdown: bool = False) -> Article:
    """Build an :class:`Article` from text, computing its clean text and offset map.

    Characters no export can carry are replaced one for one (U+FFFD in ``text``, a space in ``clean``),
    in the text and in every field, so offsets into the text as given still hold; runs of over 64
    characters without a space are blanked in ``clean`` (see ``LONG_RUN``).

    >>> a = make_article("a", "Support SouthFront\\n\\nThe troops left the country.Austin spoke.")
    >>> a.clean
    'The troops left the country. Austin spoke.'
    >>> a.text[a.to_text_offset(a.clean.index("Austin")):][:6]
    'Austin'
    >>> make_article("b", "NATO\\x00met in Brussels.").clean
    'NATO met in Brussels.'
    """
    nlp_text = LONG_RUN.sub(lambda run: " " * len(run.group()), replace_unsafe(text, " "))
    clean, runs = clean_text(nlp_text, markdown=markdown)
    title, date, url, source, path = (replace_unsafe(v) if v is not None else None
                                      for v in (title, date, url, source, path))
    return Article(id=replace_unsafe(article_id), text=replace_unsafe(text), title=title, date=date, url=url,
                   source=source, path=path, clean=clean, clean_to_text=tuple(runs))


def split_article(article: Article, max_chars: int) -> list[Article]:
    """Cut an article whose clean text is over ``max_chars`` into pieces the parser takes (spaCy refuses
    texts over ``nlp.max_length``, error E088): at a paragraph break, else a sentence end, else a space.

    Every piece keeps the article's id and whole ``text``; its ``clean`` is a slice of the article's, with
    the offset map cut to match, so offsets found in a piece point into the article's text.

    >>> a = make_article("a", "NATO met.\\n\\nAustin spoke. Kirby left.")
    >>> [p.clean for p in split_article(a, 16)]
    ['NATO met.\\n\\n', 'Austin spoke. ', 'Kirby left.']
    >>> p = split_article(a, 16)[2]
    >>> a.text[p.to_text_offset(0):][:5]
    'Kirby'
    """
    if len(article.clean) <= max_chars:
        return [article]
    pieces = []
    start = 0
    while start < len(article.clean):
        end = _cut(article.clean, start, max_chars)
        pieces.append(replace(article, clean=article.clean[start:end], clean_to_text=_runs_between(article, start, end)))
        start = end
    return pieces


def _cut(clean: str, start: int, max_chars: int) -> int:
    if len(clean) - start <= max_chars:
        return len(clean)
    window_start, limit = start + max_chars // 2, start + max_chars
    for boundary in (re.compile(r"\n\n+"), SENTENCE_END, re.compile(r"\s+")):
        ends = [m.end() for m in boundary.finditer(clean, window_start, limit) if m.end() <= limit]
        if ends:
            return ends[-1]
    return limit


def _runs_between(article: Article, start: int, end: int) -> tuple[tuple[int, int], ...]:
    runs = article.clean_to_text
    first = max(bisect.bisect_right(runs, (start, float("inf"))) - 1, 0)
    shifted = []
    for clean_start, text_start in runs[first:]:
        if clean_start >= end:
            break
        if clean_start <= start:
            shifted.append((0, text_start + start - clean_start))
        else:
            shifted.append((clean_start - start, text_start))
    return tuple(shifted)


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
        cuts = [m.end() + start for m in GLUED_SENTENCE.finditer(segment)]
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
