"""Typed records that flow through the pipeline.

Articles come out of :mod:`kgraph.ingest`, entity and relation mentions out of
:mod:`kgraph.extract`, entities out of :mod:`kgraph.resolve`; every fact keeps
its :class:`Evidence` all the way to the exports.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Literal

EntityType = Literal["PERSON", "ORG", "PLACE"]
RelationType = Literal["works_for", "based_in", "located_in", "lives_in", "killed", "action"]


def plain(record) -> dict:
    """A record of this module as a dict of plain values (nested records as dicts, tuples kept): what
    ``dataclasses.asdict`` gives, without its deep copy of every value, a third of a warm rebuild's time.

    Most values are strings, numbers or None, returned as they are before anything else is asked of them:
    every line of the cache and of ``articles.jsonl`` is made through here.

    >>> plain(EntityMention(Span("NATO", 0, 4, "ORG"), "NATO", "ORG", (0, 9), tokens=(0, 1)))["span"]
    {'text': 'NATO', 'start': 0, 'end': 4, 'type': 'ORG'}
    """
    return {name: value if type(value) in _ATOMS else _plain(value)
            for name in _field_names(type(record)) for value in (getattr(record, name),)}


_ATOMS = frozenset({str, int, float, bool, type(None)})  # immutable, nothing to copy


def _plain(value):
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple or kind is list:
        if kind is tuple and all(type(item) in _ATOMS for item in value):
            return value  # a tuple of atoms is its own plain value
        return kind(_plain(item) for item in value)
    if hasattr(kind, "__dataclass_fields__"):
        return plain(value)
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass(frozen=True)
class Article:
    """One news article. ``text`` is the text as given (offsets refer to it);
    ``clean`` is what the NLP pipeline reads, ``clean_to_text`` maps its offsets back."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = None
    clean: str = ""
    clean_to_text: tuple[tuple[int, int], ...] = ()  # (clean_start, text_start) for each run

    def to_text_offset(self, clean_offset: int) -> int:
        """Map an offset in ``clean`` back to ``text``.

        >>> a = Article(id="a", text="x.Y", clean="x. Y", clean_to_text=((0, 0), (3, 2)))
        >>> a.to_text_offset(3)
        2
        """
        best = (0, 0)
        for run in self.clean_to_text:
            if run[0] <= clean_offset:
                best = run
            else:
                break
        return best[1] + clean_offset - best[0]

    @property
    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in (("title", self.title), ("date", self.date), ("url", self.url),
                                  ("source", self.source)) if v}


@dataclass(frozen=True)
class Span:
    """A stretch of an article's text: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int
    type: str

    def to_json(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "type": self.type}


@dataclass
class EntityMention:
    """One entity mention in one article, with the name it resolves to in that article."""

    span: Span
    name: str  # normalized surface form ("Middle East", not "the Middle East")
    label: str  # the NER label (PERSON, ORG, GPE, LOC, FAC, NORP)
    sentence: tuple[int, int]
    cluster: int = -1  # index of the in-article entity this mention belongs to
    tokens: tuple[int, int] = (0, 0)  # token range in the parsed Doc
    place_context: bool = False  # "Austin, Texas": a place here, whatever the tagger said


@dataclass(slots=True)  # resolution holds one per entity of every article
class ArticleEntity:
    """An entity as seen within one article: all its mentions, a voted type, a canonical name."""

    name: str
    type: EntityType
    aliases: set[str] = field(default_factory=set)
    mentions: int = 0
    key: str | None = None  # an external key when one is certain (ISO 3166 alpha-2 for countries)


@dataclass(frozen=True)
class RelationMention:
    """One relation as stated in one sentence; the unit of ``kgraph extract``."""

    doc: str
    relation: RelationType
    subject: Span
    object: Span | None
    sentence: tuple[int, int]
    confidence: float
    extractor: str
    role: str | None = None
    predicate: str | None = None
    date: str | None = None
    subject_entity: int = -1  # index into the article's entities
    object_entity: int = -1
    # when an argument is a pronoun ("He is CEO of Acme"), its span above and the name it refers to here
    subject_antecedent: Span | None = None
    object_antecedent: Span | None = None

    def to_json(self) -> dict:
        return {
            "doc": self.doc,
            "relation": self.relation,
            "subject": self.subject.to_json(),
            "object": self.object.to_json() if self.object else None,
            "role": self.role,
            "predicate": self.predicate,
            "sentence": {"start": self.sentence[0], "end": self.sentence[1]},
            "confidence": self.confidence,
            "extractor": self.extractor,
        }


@dataclass
class ArticleExtraction:
    """Everything extracted from one article, before merging across articles."""

    article: Article
    entities: list[ArticleEntity]
    mentions: list[EntityMention]
    relations: list[RelationMention]
    # its json_line() once made (the cache and the build's store both write it); made anew by replace()
    _line: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def json_line(self) -> bytes:
        r"""The record as one line of ``articles.jsonl`` (compact JSON, keys sorted, newline-terminated), made
        once: the cache and the build's store write the same bytes. U+2028 and U+2029 are escaped: readers
        that split lines the way Python's ``str.splitlines`` does would otherwise cut a line in two.

        Do not change a record after asking for its line; make a new one (``dataclasses.replace``).

        >>> a = Article(id="a", text="NATO\u2028met.", clean="NATO met.", clean_to_text=((0, 0),))
        >>> line = ArticleExtraction(a, [], [], []).json_line()
        >>> line.count(b"\n"), b"\\u2028" in line, ArticleExtraction.from_json(json.loads(line)).article == a
        (1, True, True)
        """
        if self._line is None:
            text = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            self._line = (escape_line_breaks(text) + "\n").encode("utf-8")
        return self._line

    @staticmethod
    def line_start(article: Article) -> bytes:
        """How :meth:`json_line` begins for an extraction of ``article``: its article, up to the entities.

        >>> a = Article(id="a", text="NATO met.", clean="NATO met.", clean_to_text=((0, 0),))
        >>> ArticleExtraction(a, [], [], []).json_line().startswith(ArticleExtraction.line_start(a))
        True
        """
        text = json.dumps(plain(article), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return ('{"article":' + escape_line_breaks(text) + ',"entities":[').encode("utf-8")

    def to_json(self) -> dict:
        """Everything in the record as JSON-ready data, deterministic: :meth:`from_json` gives it back equal.

        >>> a = Article(id="a", text="NATO met.", clean="NATO met.", clean_to_text=((0, 0),))
        >>> e = ArticleExtraction(a, [ArticleEntity("NATO", "ORG", {"Nato"}, 1)], [], [])
        >>> ArticleExtraction.from_json(e.to_json()) == e
        True
        """
        return {
            "article": plain(self.article),
            "entities": [{**plain(e), "aliases": sorted(e.aliases)} for e in self.entities],
            "mentions": [plain(m) for m in self.mentions],
            "relations": [plain(r) for r in self.relations],
        }

    @classmethod
    def from_line(cls, line: bytes) -> ArticleExtraction:
        """The record a :meth:`json_line` holds, with that line kept as its own (not made again when asked for).

        >>> a = Article(id="a", text="NATO met.", clean="NATO met.", clean_to_text=((0, 0),))
        >>> line = ArticleExtraction(a, [], [], []).json_line()
        >>> again = ArticleExtraction.from_line(line)
        >>> again == ArticleExtraction(a, [], [], []) and again.json_line() is line
        True
        """
        extraction = cls.from_json(json.loads(line))
        extraction._line = line
        return extraction

    @classmethod
    def from_json(cls, data: dict) -> ArticleExtraction:
        article = dict(data["article"])
        article["clean_to_text"] = tuple(tuple(run) for run in article["clean_to_text"])
        mentions = [EntityMention(**{**m, "span": Span(**m["span"]), "sentence": tuple(m["sentence"]),
                                     "tokens": tuple(m["tokens"])}) for m in data["mentions"]]
        relations = [RelationMention(**{**r, "subject": Span(**r["subject"]),
                                        "object": Span(**r["object"]) if r["object"] else None,
                                        "sentence": tuple(r["sentence"]),
                                        **{k: Span(**r[k]) for k in ("subject_antecedent", "object_antecedent")
                                           if r.get(k)}}) for r in data["relations"]]
        entities = [ArticleEntity(**{**e, "aliases": set(e["aliases"])}) for e in data["entities"]]
        return cls(article=Article(**article), entities=entities, mentions=mentions, relations=relations)


def escape_line_breaks(text: str) -> str:
    r"""``text`` with U+2028 and U+2029 written as the escapes ``\u2028`` and ``\u2029``, which mean the same
    character in a JSON string and in an RDF literal: readers that split lines as Python's ``str.splitlines`` does
    would cut a line at the character itself.

    >>> escape_line_breaks("a\u2028b\u2029c") == "a\\u2028b\\u2029c"
    True
    """
    if "\u2028" in text or "\u2029" in text:
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


def line_digest(line: bytes) -> str:
    """A digest of a line of ``articles.jsonl`` (equal digests, equal lines): what the build's store and the
    extraction cache check a line by."""
    return hashlib.blake2b(line, digest_size=16).hexdigest()


@dataclass(frozen=True)
class StoredExtraction:
    """An extraction as its line of ``articles.jsonl``, not read: what a build keeps of an article the cache
    had (:meth:`kgraph.cache.ExtractionCache.stored`), written on as it is and read when resolution and the
    graph come to it. ``relations``: how many relation mentions the line holds."""

    article: Article
    line: bytes
    relations: int

    def json_line(self) -> bytes:
        return self.line


@dataclass(frozen=True, slots=True)  # the graph is built from one per relation mention
class Evidence:
    """Where a fact was read: the provenance every edge and RDF fact carries."""

    article: str
    sentence: str
    sentence_start: int
    sentence_end: int
    subject_start: int
    subject_end: int
    object_start: int | None
    object_end: int | None
    extractor: str
    confidence: float

    def to_json(self) -> dict:
        return plain(self)
