"""A content-keyed cache of extractions, so a rebuild parses only the articles that changed.

An entry is keyed by the article's content (every field but the file path), the spaCy pipeline's
name and version, kgraph's version and a fingerprint of the extraction code and models: edit an
article, change the model, upgrade kgraph or edit ``kgraph/extract`` and the entry is not found.
Entries are files of two lines written atomically: the key, the number of relation mentions and a digest of the
second line; the extraction as a line of ``articles.jsonl``. One that cannot be read, does not match its key or
its digest is ignored (and recomputed), so a corrupt cache costs time, never a wrong graph.

>>> import tempfile
>>> from kgraph.types import Article, ArticleExtraction
>>> cache = ExtractionCache(tempfile.mkdtemp(), pipeline="en_core_web_sm-3.8.0")
>>> article = Article(id="a", text="NATO met.", clean="NATO met.", clean_to_text=((0, 0),))
>>> cache.get(article) is None
True
>>> cache.put(ArticleExtraction(article, [], [], []))
>>> cache.get(article) == ArticleExtraction(article, [], [], [])
True
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

from . import __version__
from .export.atomic import atomic_write
from .types import Article, ArticleExtraction, StoredExtraction, line_digest, plain

__all__ = ["ExtractionCache", "default_cache_dir", "extraction_fingerprint", "source_fingerprint"]

PACKAGE = Path(__file__).resolve().parent
# What decides an article's extraction besides its text and the spaCy pipeline (extract/: long articles in pieces
# too; the build's orchestration, build.py, is not one: a change to it keeps every cached extraction).
EXTRACTION_SOURCES = ("extract", "models", "data", "nlp.py", "names.py", "types.py", "errors.py", "ingest.py")
FORMAT = 3  # 3: a header line (key, relation mentions, digest), then an articles.jsonl line; 2: key, line


def default_cache_dir() -> Path:
    """The user's cache folder for kgraph (``~/.cache/kgraph`` on Linux), ``$KGRAPH_CACHE_DIR`` if set."""
    if os.environ.get("KGRAPH_CACHE_DIR"):
        return Path(os.environ["KGRAPH_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kgraph", appauthor=False))


@functools.cache
def extraction_fingerprint() -> str:
    """A hash of kgraph's version and of every file the extraction reads: code, models, curated data."""
    return source_fingerprint(EXTRACTION_SOURCES, f"cache {FORMAT}")


def source_fingerprint(sources: tuple[str, ...], salt: str = "") -> str:
    """A hash of kgraph's version, ``salt`` and the files or folders ``sources`` of the package."""
    digest = hashlib.sha256(f"kgraph {__version__} {salt}".strip().encode())
    for source in sources:
        root = PACKAGE / source
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            files = [root] if root.exists() else []
        for file in files:
            if file.suffix == ".pyc":
                continue
            digest.update(file.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


class ExtractionCache:
    """Extractions stored under ``folder``, one file per article and pipeline.

    ``pipeline`` names the spaCy pipeline and its version (see :func:`kgraph.nlp.pipeline_version`).
    """

    def __init__(self, folder: str | os.PathLike, *, pipeline: str) -> None:
        self.namespace = hashlib.sha256(f"{extraction_fingerprint()}\0{pipeline}".encode()).hexdigest()
        # One subfolder per code and pipeline version: a stale generation can be deleted whole.
        self.folder = Path(folder) / "extractions" / self.namespace[:16]

    def key(self, article: Article) -> str:
        return self._key(_content(article))

    def _key(self, content: dict) -> str:
        text = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self.namespace}\0{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.entry"

    def holds(self, article: Article, key: str | None = None) -> bool:
        """Whether there is an entry for ``article`` (:meth:`get` may still find it unreadable); ``key``:
        its :meth:`key`, when the caller has it already."""
        return self._path(key or self.key(article)).is_file()

    def get(self, article: Article, key: str | None = None) -> ArticleExtraction | None:
        """The stored extraction of ``article``, or None when there is none or it cannot be trusted;
        ``key``: its :meth:`key`, when the caller has it already."""
        entry = self._read(key or self.key(article))
        return self._parsed(article, entry[1]) if entry is not None else None

    def stored(self, article: Article, key: str | None = None) -> StoredExtraction | None:
        """What :meth:`get` gives, as its line, not read: what a build stores. Only an entry made from another
        file with the same content (whose line names that file) is read, to be written again."""
        entry = self._read(key or self.key(article))
        if entry is None:
            return None
        relations, line = entry
        if line.startswith(ArticleExtraction.line_start(article)):
            return StoredExtraction(article, line, relations)
        extraction = self._parsed(article, line)
        return StoredExtraction(article, extraction.json_line(), relations) if extraction is not None else None

    def _read(self, key: str) -> tuple[int, bytes] | None:
        """An entry's relation count and line, where its header holds ``key`` and the line's digest."""
        try:
            header, _, line = self._path(key).read_bytes().partition(b"\n")
            stored_key, relations, digest = header.split(b" ")
            if stored_key != key.encode() or digest != line_digest(line).encode():
                return None
            return int(relations), line
        except (OSError, ValueError):
            return None

    @staticmethod
    def _parsed(article: Article, line: bytes) -> ArticleExtraction | None:
        try:
            extraction = ArticleExtraction.from_line(line)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if extraction.article == article:
            return extraction  # its line too, as the build stores it
        if _content(extraction.article) != _content(article):
            return None
        return replace(extraction, article=article)  # the same content from another file: a line of its own

    def put(self, extraction: ArticleExtraction, key: str | None = None) -> None:
        """Store ``extraction`` atomically; a cache that cannot be written is skipped, the build goes on.

        An entry is a header line (its key, the number of relation mentions, a digest of the next line), then the
        extraction as a line of ``articles.jsonl`` (:meth:`ArticleExtraction.json_line`, made once for the cache
        and the build's store).
        """
        key = key or self.key(extraction.article)
        line = extraction.json_line()
        header = f"{key} {len(extraction.relations)} {line_digest(line)}\n".encode()
        try:
            # Not fsynced: an entry lost in a power cut is computed again; a reader never sees half of one.
            atomic_write(self._path(key), header + line, durable=False)
        except OSError:
            pass


def _content(article: Article) -> dict:
    """What the extraction of an article depends on: all of it but where the file happened to be."""
    content = plain(article)
    del content["path"]
    content["clean_to_text"] = [list(run) for run in article.clean_to_text]
    return content
