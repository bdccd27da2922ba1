"""The graph -> RDF per docs/RDF-MODEL.md: Turtle, N-Triples, JSON-LD, TriG and N-Quads.

Entities are ``schema:Person``/``schema:Organization``/``schema:Place`` with one
``rdfs:label`` and their ``skos:altLabel``s; roles are W3C ORG memberships;
actions are SEM events; static facts are plain schema.org triples. Every fact
carries ``kg:evidence`` records (sentence, offsets, extractor, confidence) and
``prov:wasDerivedFrom`` its articles; TriG and N-Quads put each article's facts in a
named graph of their own (N-Quads, a line per quad, is what bulk loaders read fastest).

The quads are made straight from the NetworkX graph, a subject or an article's graph at a time
(:class:`_Dataset`), sorted here and written as N-Triples and N-Quads lines; pyoxigraph (Rust) parses those,
checking every term, and writes Turtle, JSON-LD and TriG. The files are byte-identical for the same graph
and the dataset is never in memory whole.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Literal, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from .. import ids
from ..collector import collector_paused
from ..errors import ExportError
from ..ingest import replace_unsafe
from ..types import escape_line_breaks
from .atomic import atomic_file
from .runs import RunIndex, index_path, run_digest, write_view

__all__ = ["write_rdf", "write_rdf_lines", "write_rdf_views", "text", "RDF_FORMATS", "PREFIXES", "KG", "SCHEMA",
           "ORG", "SEM"]

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
KG = Namespace(ids.NS)
TYPE_CLASSES = {"PERSON": SCHEMA.Person, "ORG": SCHEMA.Organization, "PLACE": SCHEMA.Place}
STATIC_PREDICATES = {"based_in": SCHEMA.location, "located_in": SCHEMA.containedInPlace,
                     "lives_in": SCHEMA.homeLocation, "killed": KG.killed}
RDF_FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld", "graph.trig": "trig",
               "graph.nq": "nquads"}
PREFIXES = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "skos": SKOS, "owl": OWL, "schema": SCHEMA, "org": ORG,
            "sem": SEM, "prov": PROV, "dcterms": DCTERMS, "kg": KG}


def text(value: str) -> Literal:
    r"""A plain string literal, with characters no RDF syntax can carry (control characters, lone
    surrogates, noncharacters) replaced one for one by U+FFFD (:func:`kgraph.ingest.replace_unsafe`).

    >>> text("NATO\x00 \u2028met\ud800") == Literal("NATO\ufffd \u2028met\ufffd")
    True
    """
    return Literal(replace_unsafe(value))


def _ref(iri: str) -> str:
    """An IRI in object position, as N-Triples writes it."""
    return f"<{iri}>"


def _text(value: str) -> str:
    """A string literal as N-Triples writes it, U+2028 and U+2029 escaped (``_LINE_BREAKS``): once per literal,
    not over every line written."""
    return escape_line_breaks(str(ox.Literal(replace_unsafe(value))))


@functools.lru_cache(maxsize=4096)
def _number(value: float) -> str:
    return str(ox.Literal(round(float(value), 3)))


@functools.lru_cache(maxsize=65536)
def _integer(value: int) -> str:
    return str(ox.Literal(int(value)))


class _Terms:
    """The vocabulary's IRIs, made once: plain for subjects and predicates, ``<...>`` for objects (``*_ref``)."""

    def __init__(self) -> None:
        n = str
        self.type, self.label, self.alt_label = n(RDF.type), n(RDFS.label), n(SKOS.altLabel)
        self.statement_ref = _ref(RDF.Statement)
        self.subject, self.predicate, self.object = n(RDF.subject), n(RDF.predicate), n(RDF.object)
        self.news_article_ref, self.identifier, self.country_ref = (_ref(SCHEMA.NewsArticle), n(DCTERMS.identifier),
                                                                    _ref(SCHEMA.Country))
        self.article_fields = {"title": n(SCHEMA.headline), "date": n(SCHEMA.datePublished), "url": n(SCHEMA.url),
                               "source": n(SCHEMA.publisher)}
        self.class_refs = {kind: _ref(cls) for kind, cls in TYPE_CLASSES.items()}
        self.static = {relation: n(predicate) for relation, predicate in STATIC_PREDICATES.items()}
        self.iso3166, self.mentioned_in = n(KG.iso3166), n(KG.mentionedIn)
        self.membership_ref, self.member, self.role, self.role_class_ref, self.organization, self.member_of = (
            _ref(ORG.Membership), n(ORG.member), n(ORG.role), _ref(ORG.Role), n(ORG.organization), n(ORG.memberOf))
        self.event_ref, self.actor, self.place, self.time_stamp = (_ref(SEM.Event), n(SEM.hasActor), n(SEM.hasPlace),
                                                                   n(SEM.hasTimeStamp))
        self.confidence, self.derived_from, self.evidence, self.evidence_class_ref = (
            n(KG.confidence), n(PROV.wasDerivedFrom), n(KG.evidence), _ref(KG.Evidence))
        self.sentence, self.extractor = n(KG.sentence), n(KG.extractor)
        self.offsets = {field: n(KG[name]) for field, name in (
            ("sentence_start", "sentenceStart"), ("sentence_end", "sentenceEnd"), ("subject_start", "subjectStart"),
            ("subject_end", "subjectEnd"), ("object_start", "objectStart"), ("object_end", "objectEnd"))}
        self.date = ox.NamedNode(str(XSD.date))


@functools.cache
def _terms() -> _Terms:
    return _Terms()


class _Dataset:
    """The RDF dataset of a graph, made piece by piece in the files' order and never held whole.

    The default graph (entities and articles) comes first, then one named graph per article, in IRI order;
    within a graph, triples are sorted by subject, predicate and object. The union of all the graphs (what
    Turtle, N-Triples and JSON-LD hold) is sorted the same way, each triple once.

    What is kept is an index: every subject's IRI with the places its triples come from (an article, an
    entity, a fact, one evidence record), and the facts each article states. The triples of one subject,
    or of one article's graph, are made when a writer reaches them, sorted, written and dropped. A triple is
    three strings: the subject's and the predicate's IRI and the object as N-Triples writes it (``<iri>`` or
    a literal), so that a tuple's own order is the files' order and an N-Triples line is a join.
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self.t = _terms()
        self.base = graph.graph.get("base", ids.DEFAULT_BASE)
        self.articles = graph.graph.get("articles", {})
        self.article_iri = {a: ids.iri(ids.article_id(a), self.base) for a in self.articles}
        self.article_ref = {a: _ref(iri) for a, iri in self.article_iri.items()}
        # (subject node, object node or None, the fact's attributes): edges, then roles with no organization
        self.facts = [(u, v, data) for u, v, data in graph.edges(data=True)]
        self.facts += [(node, None, fact) for node, data in graph.nodes(data=True) for fact in data.get("open_roles", [])]
        self.stamps: dict[int, str | None] = {}  # an event's date, worked out once (dateparser is slow)
        self.stated_in: dict[str, list[int]] = {a: [] for a in self.articles}
        self.sources: dict[str, list[tuple]] = {}  # subject IRI -> where its triples come from
        self.default_subjects = list(self.article_iri.values())
        for article, iri in self.article_iri.items():
            self.sources.setdefault(iri, []).append(("article", article))
        for node_id, data in graph.nodes(data=True):
            self.default_subjects.append(data["iri"])
            self.sources.setdefault(data["iri"], []).append(("entity", node_id))
        # each evidence record's node IRI, by fact and number: a digest, asked for five times per record
        self.evidence_nodes = [[self._evidence_iri(data, evidence) for evidence in data["evidence"]]
                               for _, _, data in self.facts]
        for index, (_, _, data) in enumerate(self.facts):
            for article in data["articles"]:
                self.stated_in[article].append(index)
            for subject in dict.fromkeys(triple[0] for triple in self._head(index)):
                self.sources.setdefault(subject, []).append(("head", index))
            if data["evidence"]:
                self.sources[data["iri"]].append(("links", index))
            for number, node in enumerate(self.evidence_nodes[index]):
                self.sources.setdefault(node, []).append(("evidence", index, number))
        self.default_subjects.sort()
        self.salt = _lines_salt(self.base)
        # each source's digest once worked out (:meth:`_source`): by fact, by evidence record, by node, by article
        self._heads: list[bytes | None] = [None] * len(self.facts)
        self._links: list[bytes | None] = [None] * len(self.facts)
        self._evidence_sources: list[list[bytes | None]] = [[None] * len(nodes) for nodes in self.evidence_nodes]
        self._others: dict[str, bytes] = {}  # "entity" or "article" and the id, joined by a NUL

    # -- what each run is made from (see :meth:`signed_subject_groups`) ------------------------------------------

    def signed_subject_groups(self) -> Iterator[tuple[None, bytes, Callable[[], list[tuple]]]]:
        """:meth:`subject_groups` as ``(None, source, make)``: ``make()`` gives the subject's triples, ``source`` a
        digest of everything they are made from (:meth:`_source`), so that a writer can copy the lines of a run
        whose source the last build's file has instead of making them (:func:`_write_lines`)."""
        for subject in sorted(self.sources):
            yield None, self._subject_source(subject, _ALL_KINDS), functools.partial(self._subject_triples, subject)

    def signed_graph_groups(self) -> Iterator[tuple[str | None, bytes, Callable[[], list[tuple]]]]:
        """:meth:`graph_groups` as ``(graph IRI or None, source, make)`` (see :meth:`signed_subject_groups`)."""
        for subject in self.default_subjects:
            yield (None, self._subject_source(subject, _DEFAULT_KINDS),
                   functools.partial(self._subject_triples, subject, kinds=_DEFAULT_KINDS))
        for article, name in sorted(self.article_iri.items(), key=lambda kv: kv[1]):
            parts = [self.salt, b"graph", name.encode()]
            for index in self.stated_in[article]:
                parts.append(self._source(("head", index)))
                parts += [self._source(("evidence", index, number))
                          for number, evidence in enumerate(self.facts[index][2]["evidence"])
                          if evidence["article"] == article]
            yield name, _digest(b"".join(parts)), functools.partial(self.article_graph, article)

    def _subject_source(self, subject: str, kinds: tuple[str, ...]) -> bytes:
        parts = [self.salt, "/".join(kinds).encode(), subject.encode()]
        parts += [self._source(source) for source in self.sources[subject] if source[0] in kinds]
        return _digest(b"".join(parts))

    def _source(self, source: tuple) -> bytes:
        """A digest of everything the triples of one source (:attr:`sources`) are made from, worked out once: the
        graph's data they read, whole, and the IRIs of the nodes they name. The base and the code that makes
        lines are in :attr:`salt`."""
        kind = source[0]
        if kind == "evidence":
            found = self._evidence_sources[source[1]][source[2]]
        elif kind == "head":
            found = self._heads[source[1]]
        elif kind == "links":
            found = self._links[source[1]]
        else:
            found = self._others.get(f"{kind}\0{source[1]}")
        if found is None:
            if kind == "article":
                article = source[1]
                made_from = (article, sorted(self.articles[article].items()))
            elif kind == "entity":
                made_from = sorted(self.graph.nodes[source[1]].items())
            elif kind == "head":
                subject, obj, data = self.facts[source[1]]
                nodes = self.graph.nodes
                made_from = (nodes[subject]["iri"], nodes[obj]["iri"] if obj is not None else None,
                             sorted((key, value) for key, value in data.items() if key != "evidence"))
                if data["relation"] == "action":  # its time stamp: the date stated, or its articles' dates
                    dates = [self.articles.get(a, {}).get("date") for a in data["articles"]]
                    # with neither a date of an article nor a year, dateparser reads the date from today's
                    undated = data.get("date") and not any(dates)
                    made_from += (dates, dt.date.today().isoformat() if undated else None)
            elif kind == "links":
                made_from = (self.facts[source[1]][2]["iri"], self.evidence_nodes[source[1]])
            else:
                index, number = source[1], source[2]
                made_from = (self.evidence_nodes[index][number],
                             sorted(self.facts[index][2]["evidence"][number].items()))
            # repr, not pickle: equal values give equal text whichever objects hold them (pickle notes shared ones)
            found = _digest(repr((kind, made_from)).encode("utf-8", "surrogatepass"))
            if kind == "evidence":
                self._evidence_sources[source[1]][source[2]] = found
            elif kind == "head":
                self._heads[source[1]] = found
            elif kind == "links":
                self._links[source[1]] = found
            else:
                self._others[f"{kind}\0{source[1]}"] = found
        return found

    def quads(self) -> Iterator[tuple]:
        """``(graph IRI or None, (subject, predicate, object))``: the default graph, then each article's graph."""
        for name, triples in self.graph_groups():
            for triple in triples:
                yield name, triple

    def triples(self) -> Iterator[tuple]:
        """Every triple of the dataset once, whichever graphs hold it, sorted."""
        for triples in self.subject_groups():
            yield from triples

    def graph_groups(self) -> Iterator[tuple[str | None, list[tuple]]]:
        """:meth:`quads` a run at a time: ``(graph IRI or None, sorted triples)``, a default-graph subject's
        triples or an article's whole graph."""
        for subject in self.default_subjects:
            yield None, self._subject_triples(subject, kinds=("article", "entity"))
        for article, name in sorted(self.article_iri.items(), key=lambda kv: kv[1]):
            yield name, self.article_graph(article)

    def subject_groups(self) -> Iterator[list[tuple]]:
        """:meth:`triples` a subject at a time."""
        for subject in sorted(self.sources):
            yield self._subject_triples(subject)

    def article_graph(self, article: str) -> list[tuple]:
        """The triples of one article's named graph, sorted: the facts it states, with its own evidence."""
        triples: set[tuple] = set()
        for index in self.stated_in[article]:
            triples.update(self._head(index))
            for number, evidence in enumerate(self.facts[index][2]["evidence"]):
                if evidence["article"] == article:
                    triples.add(self._link(index, number))
                    triples.update(self._evidence(index, number))
        return _sorted(triples)

    def _subject_triples(self, subject: str, kinds: tuple[str, ...] = ("article", "entity", "head", "links", "evidence")
                         ) -> list[tuple]:
        triples: set[tuple] = set()
        for source in self.sources[subject]:
            kind = source[0]
            if kind not in kinds:
                continue
            if kind == "head":  # a fact's head has several subjects: the fact, its role, its person
                triples.update(triple for triple in self._head(source[1]) if triple[0] == subject)
            elif kind == "article":
                triples.update(self._article(source[1]))
            elif kind == "entity":
                triples.update(self._entity(source[1]))
            elif kind == "links":
                triples.update(self._link(source[1], number) for number in range(len(self.facts[source[1]][2]["evidence"])))
            else:
                triples.update(self._evidence(source[1], source[2]))
        return _sorted(triples)

    def _article(self, article: str) -> list[tuple]:
        t, node, meta = self.t, self.article_iri[article], self.articles[article]
        triples = [(node, t.type, t.news_article_ref), (node, t.identifier, _text(article))]
        for field, predicate in t.article_fields.items():
            if meta.get(field):
                value = _date_literal(meta[field]) if field == "date" else _text(meta[field])
                triples.append((node, predicate, value))
        return triples

    def _entity(self, node_id: str) -> list[tuple]:
        t, data = self.t, self.graph.nodes[node_id]
        entity = data["iri"]
        triples = [(entity, t.type, t.class_refs[data["type"]]), (entity, t.label, _text(data["name"]))]
        triples += [(entity, t.alt_label, _text(alias)) for alias in data.get("aliases", [])]
        if str(data.get("key", "")).startswith("iso3166:"):
            triples += [(entity, t.type, t.country_ref), (entity, t.iso3166, _text(data["key"].split(":", 1)[1]))]
        triples += [(entity, t.mentioned_in, self.article_ref[article]) for article in data.get("articles", [])]
        return triples

    def _head(self, index: int) -> list[tuple]:
        """A fact's triples that the graph of every article stating it holds: all but the evidence."""
        subject, obj, data = self.facts[index]
        t, nodes = self.t, self.graph.nodes
        person_or_actor = nodes[subject]["iri"]
        target = _ref(nodes[obj]["iri"]) if obj is not None else None
        fact = data["iri"]
        relation = data["relation"]
        triples = []
        if relation == "works_for":
            role = data.get("role")
            triples += [(fact, t.type, t.membership_ref), (fact, t.member, _ref(person_or_actor))]
            if role:
                role_node = ids.iri(ids.fact_id("role", role), self.base)
                triples += [(fact, t.role, _ref(role_node)), (role_node, t.type, t.role_class_ref),
                            (role_node, t.label, _text(role))]
            if target is not None:
                triples += [(fact, t.organization, target), (person_or_actor, t.member_of, target)]
        elif relation == "action":
            triples += [(fact, t.type, t.event_ref), (fact, t.label, _text(data.get("predicate") or "acts in")),
                        (fact, t.actor, _ref(person_or_actor))]
            if target is not None:
                triples.append((fact, t.place, target))
        else:
            predicate = t.static[relation]
            triples.append((person_or_actor, predicate, target))
            triples += [(fact, t.type, t.statement_ref), (fact, t.subject, _ref(person_or_actor)),
                        (fact, t.predicate, _ref(predicate)), (fact, t.object, target)]
        triples.append((fact, t.confidence, _number(data["confidence"])))
        triples += [(fact, t.derived_from, self.article_ref[article]) for article in data["articles"]]
        if relation == "action":
            if index not in self.stamps:
                self.stamps[index] = _event_time(data, self.articles, data["articles"])
            if self.stamps[index] is not None:
                triples.append((fact, t.time_stamp, self.stamps[index]))
        return triples

    def _evidence_iri(self, data: dict, evidence: dict) -> str:
        return ids.iri(ids.fact_id("evidence", data["iri"], evidence["article"], evidence["sentence_start"],
                                   evidence["subject_start"], evidence["object_start"]), self.base)

    def _link(self, index: int, number: int) -> tuple:
        """A fact's link to one of its evidence records."""
        return self.facts[index][2]["iri"], self.t.evidence, _ref(self.evidence_nodes[index][number])

    def _evidence(self, index: int, number: int) -> list[tuple]:
        """The triples of one evidence record of a fact (its node is their subject)."""
        t, data = self.t, self.facts[index][2]
        evidence, node = data["evidence"][number], self.evidence_nodes[index][number]
        triples = [
            (node, t.type, t.evidence_class_ref),
            (node, t.derived_from, self.article_ref[evidence["article"]]),
            (node, t.sentence, _text(evidence["sentence"])),
            (node, t.extractor, _text(evidence["extractor"])),
            (node, t.confidence, _number(evidence["confidence"])),
        ]
        for field in ("sentence_start", "sentence_end", "subject_start", "subject_end"):
            triples.append((node, t.offsets[field], _integer(evidence[field])))
        if evidence.get("object_start") is not None:
            triples += [(node, t.offsets["object_start"], _integer(evidence["object_start"])),
                        (node, t.offsets["object_end"], _integer(evidence["object_end"]))]
        return triples


_ALL_KINDS = ("article", "entity", "head", "links", "evidence")
_DEFAULT_KINDS = ("article", "entity")  # the default graph of the N-Quads file: the articles and the entities


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@functools.cache
def _lines_salt(base: str) -> bytes:
    """What every run's source digest starts with: the base and what the code that makes the lines is, so that
    lines made by other code, or for another base, are made again."""
    from importlib.metadata import version

    from ..cache import source_fingerprint

    code = source_fingerprint(("export/rdf.py", "ids.py", "ingest.py", "types.py"),
                              f"lines {ox.__version__} {version('rdflib')} {version('dateparser')}")
    return _digest(f"{code}\0{base}".encode())


def _sorted(triples) -> list[tuple]:
    """Triples by subject, predicate and object (a tuple's own order): a subject's triples come together."""
    return sorted(triples)


def _date_literal(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return str(ox.Literal(value, datatype=_terms().date))
    return _text(value)


def _event_time(data: dict, articles: dict, sources: list[str]) -> str | None:
    """The date the sentence states when it resolves to a day, else the article's date."""
    article_dates = sorted(articles.get(a, {}).get("date") for a in sources if articles.get(a, {}).get("date"))
    stated = data.get("date")
    if stated:
        import dateparser

        settings = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]}
        if article_dates:
            import datetime as dt

            settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(article_dates[0])
        year_hint = f"{stated} {article_dates[0][:4]}" if article_dates and not any(ch.isdigit() for ch in stated[-4:]) else stated
        parsed = dateparser.parse(year_hint, languages=["en"], settings=settings)
        if parsed is not None:
            return str(ox.Literal(parsed.date().isoformat(), datatype=_terms().date))
    if article_dates and len(article_dates[0]) == 10:
        return str(ox.Literal(article_dates[0], datatype=_terms().date))
    return None


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG}
_PREFIX_LINES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())).encode()
# A line separator is legal inside an RDF literal, but readers that split lines as Python's str.splitlines
# does would cut the line there; the escape means the same character in every one of the four syntaxes.
_LINE_BREAKS = {b"\xe2\x80\xa8": b"\\u2028", b"\xe2\x80\xa9": b"\\u2029"}


def _escaped(data: bytes) -> bytes:
    """``data`` with U+2028 and U+2029 written as escapes (``_LINE_BREAKS``)."""
    for raw, escaped in _LINE_BREAKS.items():
        data = data.replace(raw, escaped)
    return data


class _LastLines:
    """The last build's N-Triples or N-Quads file, open, with its index (:class:`kgraph.export.runs.RunIndex`):
    what :func:`_write_lines` may copy. ``made_from``: each run's number by its source."""

    def __init__(self, handle: BinaryIO, index: RunIndex) -> None:
        self.handle = handle
        self.runs = index.runs
        self.offsets = index.offsets()
        self.made_from = index.made_from()
        self.copied = 0  # runs copied, for tests and the curious


@contextlib.contextmanager
def _last_lines(path: Path) -> Iterator[_LastLines | None]:
    """The file at ``path`` as :class:`_LastLines`, if its index is for the file as it is now and holds each
    run's source; else None."""
    index = RunIndex.load(path)
    if index is None or not index.sources:
        yield None
        return
    with open(path, "rb") as handle:
        yield _LastLines(handle, index)


def _write_lines(groups: Iterator[tuple[str | None, bytes, Callable[[], list[tuple]]]], output: BinaryIO,
                 last: _LastLines | None = None) -> tuple[list[tuple[bytes, int]], list[bytes]]:
    """Write ``(graph IRI or None, source, make)`` runs as N-Triples or N-Quads lines, a megabyte or so at a
    time: ``make()`` gives the run's triples, unless the ``last`` file has a run made from the same ``source``,
    whose lines are copied (the same source, the same lines). Gives the runs written, in order (each one's digest
    and length, :mod:`kgraph.export.runs`; an empty run is none), and their sources.

    A run's lines are made in one comprehension: a generator per line and a tuple per quad cost as much as the
    formatting. U+2028/U+2029 are escaped already: they can only be in a literal (:func:`_text`); IRIs are minted."""
    runs: list[tuple[bytes, int]] = []
    sources: list[bytes] = []
    chunk: list[bytes] = []
    size = 0
    pending: list[int] = []  # [offset, length] of the last file's bytes to copy next, read when written
    made_from = last.made_from if last is not None else {}

    def flush() -> None:
        if pending:
            chunk.append(os.pread(last.handle.fileno(), pending[1], pending[0]))
            pending.clear()

    for graph_name, source, make in groups:
        number = made_from.get(source)
        if number is not None:
            offset, (digest, length) = last.offsets[number], last.runs[number]
            if pending and pending[0] + pending[1] == offset:  # the next run of the last file too
                pending[1] += length
            else:
                flush()
                pending[:] = [offset, length]
            last.copied += 1
        else:
            triples = make()
            if not triples:
                continue
            end = f" <{graph_name}> .\n" if graph_name else " .\n"
            data = "".join([f"<{s}> <{p}> {o}{end}" for s, p, o in triples]).encode("utf-8")
            digest, length = run_digest(data), len(data)
            flush()
            chunk.append(data)
        runs.append((digest, length))
        sources.append(source)
        size += length
        if size >= _BYTES_AT_ONCE:
            flush()
            output.write(b"".join(chunk))
            chunk, size = [], 0
    flush()
    output.write(b"".join(chunk))
    return runs, sources


_BYTES_AT_ONCE = 1 << 20


def _convert(source: BinaryIO, source_format: ox.RdfFormat, fmt: str, output: BinaryIO, *, checked: bool = False
             ) -> None:
    """Parse N-Triples or N-Quads from ``source`` and write them as ``fmt`` to ``output``, in the same order.

    The parse checks every IRI and literal as pyoxigraph would have when making them, unless ``checked``
    says an earlier parse has checked the same terms: pyoxigraph's lenient parse, which skips the checks,
    takes half the time and reads valid input the same. Turtle and TriG get the prefixes in alphabetical
    order. Both sides stream: the file is never in memory whole.
    """
    prefixed = fmt in ("turtle", "trig")
    stream = _Cleaned(output, header=_PREFIX_LINES + b"\n" if prefixed else None)
    ox.serialize(ox.parse(source, source_format, lenient=checked), stream, _OX_FORMATS[fmt],
                 **({"prefixes": _prefixes()} if prefixed else {}))
    stream.close()


@functools.cache
def _prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


class _Cleaned:
    """A writer in front of ``output``: U+2028 and U+2029 escaped (see ``_LINE_BREAKS``) and, with a
    ``header``, the writer's own ``@prefix`` lines replaced by ``header`` (the same prefixes, in a fixed order).
    """

    def __init__(self, output: BinaryIO, *, header: bytes | None) -> None:
        self.output = output
        self.header = header
        self.pending = b""  # bytes held back: the start of a line that may be a prefix, or of a line break

    def write(self, data: bytes) -> int:
        size = len(data)
        data = self.pending + bytes(data)
        self.pending = b""
        if self.header is not None:
            while data.startswith(b"@prefix "):
                end = data.find(b"\n")
                if end < 0:
                    break
                data = data[end + 1:]
            if data.startswith(b"@prefix ") or (len(data) < 8 and b"@prefix ".startswith(data)):
                self.pending = data
                return size
            self.output.write(self.header)
            self.header = None
        cut = len(data)
        for tail in (2, 1):  # a line break's first bytes at the very end wait for the rest
            if data[-tail:] in (b"\xe2\x80"[:tail], ) and len(data) >= tail:
                cut = len(data) - tail
                break
        data, self.pending = data[:cut], data[cut:]
        self.output.write(_escaped(data))
        return size

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Write what is held back: the header of an empty document, the last bytes."""
        rest, self.pending = self.pending, b""
        if self.header is not None:
            while rest.startswith(b"@prefix ") and b"\n" in rest:
                rest = rest[rest.index(b"\n") + 1:]
            self.output.write(self.header)
            self.header = None
        self.output.write(rest)


def write_rdf(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write graph.ttl, graph.nt, graph.jsonld, graph.trig and graph.nq into ``folder``, each atomically:
    :func:`write_rdf_lines`, then :func:`write_rdf_views`."""
    written = write_rdf_lines(graph, folder) + write_rdf_views(graph, folder)
    return sorted(written, key=[Path(folder) / name for name in RDF_FORMATS].index)


def write_rdf_lines(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write graph.nt, graph.ttl and graph.nq into ``folder``, each atomically: the files the query store is
    loaded from, and Turtle, whose strict parse checks every term before graph.nt or graph.nq is in place.

    The triples are made twice, not five times: once, sorted, for the N-Triples file, which pyoxigraph
    reads back (while it is still a temp file) to write Turtle; once as N-Quads, in the TriG file's order,
    for the N-Quads file (:func:`write_rdf_views` writes JSON-LD and TriG from the two). The same triples in
    the same order give pyoxigraph's writers the same bytes as handing them the terms.

    A run (a subject's triples, an article's graph) whose source, everything it is made from, is that of a run of
    the last build's file (its index in ``.kgraph-runs/`` says, valid for that file as it is) is copied from that
    file, not made: a rebuild after a few articles changed makes the few runs their entities and facts are in.
    """
    folder = Path(folder)
    with collector_paused():  # hundreds of thousands of new tuples: the cyclic GC would rescan the heap over and over
        dataset = _Dataset(graph)
        with _last_lines(folder / "graph.nt") as last, atomic_file(folder / "graph.nt") as nt:
            index_path(folder / "graph.nt").unlink(missing_ok=True)  # it goes with the file it was made for
            union, union_sources = _write_lines(dataset.signed_subject_groups(), nt, last)
            nt.flush()
            with os.fdopen(os.dup(nt.fileno()), "rb") as lines:  # the temp file, read back
                # the Turtle parse of the runs converted checks their terms (the others were, when first converted)
                write_view(lines, union, "turtle", folder / "graph.ttl",
                           lambda lines, output: _convert(lines, ox.RdfFormat.N_TRIPLES, "turtle", output))
        RunIndex(union, sources=union_sources).save(folder / "graph.nt")
        with _last_lines(folder / "graph.nq") as last, atomic_file(folder / "graph.nq") as nq:
            index_path(folder / "graph.nq").unlink(missing_ok=True)
            quads, quad_sources = _write_lines(dataset.signed_graph_groups(), nq, last)  # terms checked in graph.nt
        RunIndex(quads, sources=quad_sources).save(folder / "graph.nq")
    return [folder / "graph.nt", folder / "graph.ttl", folder / "graph.nq"]


def write_rdf_views(graph: nx.MultiDiGraph, folder: str | Path) -> list[Path]:
    """Write graph.jsonld from ``folder/graph.nt`` and graph.trig from ``folder/graph.nq``, each atomically;
    runs after :func:`write_rdf_lines`, whose Turtle pass checked every term (so the parse here is lenient).
    ``graph`` is not read: the lines are."""
    folder = Path(folder)
    for source, source_format, name in ((folder / "graph.nt", ox.RdfFormat.N_TRIPLES, "graph.jsonld"),
                                        (folder / "graph.nq", ox.RdfFormat.N_QUADS, "graph.trig")):
        if not source.exists():
            raise ExportError(f"{source} is missing: write_rdf_lines must run before write_rdf_views.")
        index = RunIndex.load(source)  # none: the view is converted whole
        fmt = RDF_FORMATS[name]
        with open(source, "rb") as lines:
            write_view(lines, index.runs if index is not None else [], fmt, folder / name,
                       lambda lines, output, source_format=source_format, fmt=fmt:
                       _convert(lines, source_format, fmt, output, checked=True))
    return [folder / "graph.jsonld", folder / "graph.trig"]
