"""Entities of single articles -> entities of the corpus, with a ledger of every decision.

Each article entity gets a resolution key, and entities with one key are one node:

==================  =====  ==========================================================================
rule                score  when
==================  =====  ==========================================================================
user-alias          1.00   a name in the user's ``--aliases`` file
country-code        1.00   an ISO 3166 country (pycountry): "U.S.", "USA", "America", "United States"
curated-alias       0.95   a name in ``kgraph/data/aliases.json`` ("Pentagon", "Department of Defense")
state-abbreviation  0.90   a US state's postal code or AP abbreviation written right after a place ("Tampa,
                           Fla.", "Salem, MA"), never elsewhere ("an MA in history")
same-name           0.90   the same full name ("Jens Stoltenberg"), or the same place and qualifier
legal-form          0.90   an organization's name with or without its legal form ("Analog Devices, Inc.")
name-variant        0.85   a person's full name with or without middle names ("Jessica L. McNulty")
acronym             0.85   an acronym one article defines ("the World Health Organization (WHO)"),
                           when the corpus defines it for one name only
institution-short-  0.80   a lone name and the one "<name> University" or "<name> College" of the corpus,
name                       where the words around it speak of study ("graduated from Harvard"), the name is
                           no state or country, and the corpus uses it as no place and no surname
demonym-prefix      0.80   a party's name with a nationality word and without ("British Labour Party",
                           "Labour Party"), kept apart by country like any party
place-context       0.80   a bare place name, when the corpus qualifies that name one way only, by a
                           country, or by a state of a country its article names or of no country
                           its article contradicts ("Austin" and "Austin, Texas"); when the corpus
                           qualifies it several ways in different countries, the one its article names
                           ("London" in a text about Britain, beside "London, England" and "London,
                           Ontario")
unique-surname      0.75   a lone surname, when one person of the corpus bears it and an article of theirs
                           shares another entity with the surname's article
same-article-place  0.70   a lone name tagged as a person where its article names a place so ("Jordan")
same-short-name     0.60   the same one-word name and type, when no full name in the corpus claims it
==================  =====  ==========================================================================

What stays apart is recorded too: homographs of different types ("Austin" the city, "Lloyd Austin" the
man), a surname two people of the corpus bear or that no shared context confirms (each article's lone
"Smith" stays its own node), an acronym defined for two names, a place name qualified two ways
("Washington, D.C.", "Washington state"), a bare place name whose article is about another country than
its one qualified namesake ("London" and "London, Ontario"), a state and a town named after it ("Indiana"
and "Indiana, Pennsylvania": state-or-town), a state that shares its name with a "<name> City" of the
corpus, where the name does not follow another place ("moved to New York": city-or-state, apart from
"Buffalo, New York" and "New York City"), a lone name the corpus gives both to a university and as a
surname ("Stanford": surname-or-institution), parties and colleges of one name in articles about different
countries (the Liberal Party of Canada and of Australia; nationality words count, from
``kgraph/data/demonyms.json``; an article that names no country joins the one country the corpus knows
that name in, else stays apart), and every pair the user's keep-apart list names. Of a name more than six
entities share (a common surname), the ledger lists each entity kept apart from the first of them, not every
pair: one row an entity, where every pair would grow with the square of the corpus.

Ids are minted from the resolution key (not from the order of articles), so the same input gives the
same IRIs on every build.
"""
from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from itertools import combinations
from pathlib import Path

from . import ids
from .errors import KGraphError
from .names import (AP_STATES, acronym_definitions, alias_table, country, curated_alias, demonym_countries, is_acronym, name_key,
                    place_qualifier, qualifier_countries, spells, without_legal_form)
from .types import ArticleEntity, ArticleExtraction, EntityMention

__all__ = ["Entity", "LedgerEntry", "Overrides", "Prepared", "PreparedArticles", "Resolution", "RULE_SCORES",
           "load_overrides", "resolve"]

TYPE_ORDER = {"PERSON": 0, "ORG": 1, "PLACE": 2}
ENTITY_TYPES = tuple(TYPE_ORDER)
RULE_SCORES = {"user-alias": 1.0, "country-code": 1.0, "curated-alias": 0.95, "state-abbreviation": 0.9,
               "same-name": 0.9, "legal-form": 0.9, "name-variant": 0.85, "acronym": 0.85,
               "institution-short-name": 0.8, "demonym-prefix": 0.8, "place-context": 0.8, "unique-surname": 0.75,
               "same-article-place": 0.7, "same-short-name": 0.6}
RENAMING_RULES = {"user-alias", "curated-alias", "country-code", "state-abbreviation", "institution-short-name",
                  "demonym-prefix"}  # rules that give a name to another name's entity, even its first member
EXCERPT = 200  # characters of evidence sentence in the ledger
ALL_PAIRS_UP_TO = 6  # entities sharing a name whose every pair the ledger lists as kept apart
GENERIC_HEADS = {"party", "college", "school", "church", "club", "council", "union", "league", "front", "congress"}
INSTITUTION_HEADS = ("university", "college")
NATIONS_WITHIN = {"English", "Scottish", "Welsh"}  # their parties are their own: Scottish National Party, Welsh Labour
# Words that show a one-word name stands for a university: "graduated from Yale", "Harvard mathematician".
ACADEMIC = re.compile(r"\b(?:graduat\w*|alumn\w*|degrees?|B\.?A|M\.?A|Ph\.?\s?D|professor\w*|lecturer|faculty|"
                      r"students?|studied|educated|taught|teach\w*|fellow(?:ship)?|dean|scholar\w*|research\w*|enrolled|"
                      r"tenure\w*|campus|mathematician|physicist|economist|chemist|biologist|historian)\b", re.IGNORECASE)
AFTER_A_PLACE = re.compile(r"\b[A-Z][\w'’.-]*,[ \t]*$")  # "Tampa, " before "Fla.": the name is a qualifier
IN_A_PLACE = re.compile(r"\b(?:in|near|outside|around)\s+$")  # "in " before "Warsaw": a place, not a university


@dataclass
class Entity:
    """One real-world entity of the corpus: a node of the graph."""

    id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: list[str]
    key: str | None = None  # an external key when one is certain: "iso3166:US"


@dataclass(frozen=True, slots=True)  # a big corpus has a million of them
class LedgerEntry:
    """One resolution decision: a name merged into an entity, or two entities kept apart."""

    decision: str  # "merged" or "kept apart"
    entity: str  # the node id
    label: str  # its canonical name
    type: str
    name: str  # the name that was merged in (or that the two kept-apart entities share)
    article: str  # where the evidence is
    rule: str
    score: float | None  # the rule's confidence; None for the extractor's in-article grouping and kept-apart rows
    other: str  # merged: the name or key it was matched to; kept apart: the other node id
    evidence: str  # the sentence the name was read in

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in LEDGER_FIELDS}


LEDGER_FIELDS = tuple(f.name for f in fields(LedgerEntry))


def ledger_order(row: LedgerEntry) -> tuple:
    """The ledger's order: by entity, merges before kept-apart pairs, then article, name, rule, other name, and
    last the evidence and score, so that no two rows tie (rows come from a set, whose order varies between runs:
    two mentions of one name in one article, merged by the same rule, differ only in their sentence).
    """
    return (row.entity, row.decision != "merged", row.article, row.name, row.rule, row.other, row.evidence,
            row.score is None, row.score or 0.0, row.label, row.type)


@dataclass
class Resolution:
    entities: dict[str, Entity]
    # (article id, index of the entity in that article) -> corpus entity id
    members: dict[tuple[str, int], str] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Overrides:
    """The user's decisions: names that are one entity, and names that must stay apart.

    ``aliases`` maps a name key to its group's canonical name and type (None: voted as usual);
    ``keep_apart`` holds pairs of name keys, in both orders.
    """

    aliases: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    keep_apart: frozenset[tuple[str, str]] = frozenset()

    def apart(self, names: Iterable[str], others: Iterable[str]) -> bool:
        """True when one of ``names`` and one of ``others`` (name keys) must stay apart."""
        others = set(others)
        return any((a, b) in self.keep_apart for a in names for b in others)


# -- the user's files ---------------------------------------------------------------------------------------------

def load_overrides(*, aliases: str | Path | None = None, keep_apart: str | Path | None = None) -> Overrides:
    """Read an ``--aliases`` file and a ``--keep-apart`` file (either may be None).

    Aliases: JSON in the form of ``kgraph/data/aliases.json`` (``{"groups": [{"type": "ORG", "names":
    ["Pentagon", "DoD"]}]}``, the first name canonical, ``type`` optional) or CSV with one entity a line,
    its names in the cells, the canonical name first. Keep-apart: CSV with the names that must stay apart
    on one line (two or more; every pair of them is kept apart), or JSON ``{"pairs": [["Austin", "Lloyd
    Austin"]]}``. In CSV files blank lines and lines starting with ``#`` are skipped.
    """
    table: dict[str, tuple[str, str | None]] = {}
    if aliases is not None:
        path, data = _read_override_file(aliases, "--aliases")
        if isinstance(data, dict):
            groups = data.get("groups")
            if not isinstance(groups, list):
                raise KGraphError(f"{path}: a JSON alias file needs a \"groups\" list, as in kgraph/data/aliases.json: "
                                  '{"groups": [{"type": "ORG", "names": ["Pentagon", "Department of Defense"]}]}')
            for number, group in enumerate(groups, start=1):
                names = group.get("names") if isinstance(group, dict) else None
                entity_type = group.get("type") if isinstance(group, dict) else None
                if (not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names)
                        or entity_type not in (None, *ENTITY_TYPES)):
                    raise KGraphError(f"{path}: group {number} needs \"names\" (a list of non-empty strings, the "
                                      "canonical name first) and "
                                      f"an optional \"type\" (one of {', '.join(ENTITY_TYPES)})")
            data = {"groups": [{"names": [n.strip() for n in g["names"]], "type": g.get("type")} for g in groups]}
        else:
            rows = _rows(path, data, least=2, what="names of one entity (two or more, the canonical name first)")
            data = {"groups": [{"names": row, "type": None} for row in rows]}
        table = {k: (name, entity_type) for k, (name, entity_type) in alias_table(data).items()}
    pairs: set[tuple[str, str]] = set()
    if keep_apart is not None:
        path, data = _read_override_file(keep_apart, "--keep-apart")
        if isinstance(data, (dict, list)):
            rows = data.get("pairs") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) >= 2 and all(
                    isinstance(n, str) and n.strip() for n in r) for r in rows):
                raise KGraphError(f'{path}: a JSON keep-apart file is {{"pairs": [["Austin", "Lloyd Austin"], ...]}}: '
                                  "each pair a list of two or more names")
        else:
            rows = _rows(path, data, least=2, what="names that must stay apart (two or more)")
        for row in rows:
            for a, b in combinations([name_key(n) for n in row], 2):
                if a != b:
                    pairs.update({(a, b), (b, a)})
    return Overrides(aliases=table, keep_apart=frozenset(pairs))


def _read_override_file(path: str | Path, option: str) -> tuple[Path, object]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise KGraphError(f"{option} {path}: cannot read it ({exc.strerror or exc}); "
                          "give an existing .json or .csv file") from exc
    except UnicodeDecodeError as exc:
        raise KGraphError(f"{option} {path}: not UTF-8 text; save it as UTF-8 .json or .csv") from exc
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            return path, json.loads(text)
        except ValueError as exc:
            raise KGraphError(f"{option} {path}: not valid JSON ({exc}); "
                              "see `kgraph build --help` for the format") from exc
    return path, text


def _rows(path: Path, text: object, *, least: int, what: str) -> list[list[str]]:
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(str(text))), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells or cells[0].startswith("#"):
            continue
        if len(cells) < least:
            raise KGraphError(f"{path}:{number}: a line holds the {what}, separated by commas; found {cells!r}")
        rows.append(cells)
    return rows


# -- resolution ---------------------------------------------------------------------------------------------------

@dataclass(slots=True)  # one per entity of every article: a big corpus has millions
class _Local:
    """An article entity on its way to a corpus entity.

    It keeps what resolution reads of its mentions and its article's text, worked out when it is made
    (:func:`_read_mentions`), not the mentions and the text themselves: those of the whole corpus would
    be held until the end of resolution.
    """

    article: str
    index: int
    entity: ArticleEntity
    names: frozenset[str]  # name keys of its name and aliases
    # (a name its mentions are written with, the ledger's excerpt of the sentence of its first mention so),
    # the earliest first
    quotes: tuple[tuple[str, str], ...] = ()
    surface: str = ""  # the name as its article writes it most (:func:`_surface`)
    after_a_place: bool = False  # a mention of it stands right after a place and a comma: "Tampa, Fla."
    only_after_a_place: bool = False  # it has mentions, and every one does
    academic: bool = False  # the words around a mention of it speak of study: "graduated from Yale"
    key: str = ""  # its own resolution key
    rule: str = ""
    via: str = ""  # what it matched: a canonical name, a code
    canonical: str | None = None  # the alias group's canonical name
    alias_type: str | None = None  # the user alias group's type
    external: str | None = None  # "iso3166:DK"
    qualifier: str | None = None  # a place's qualifier in its article: "texas" for "Austin, Texas"
    context: frozenset[str] = frozenset()  # the countries its article names (ISO 3166 codes)
    corpus_entity: str = ""  # the id of the corpus entity it became


@dataclass
class _Links:
    """Keys redirected to other keys, and the ambiguities that kept a key apart."""

    target: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (key, rule, via)
    names: dict[str, str] = field(default_factory=dict)  # key -> the name of its first article entity
    ambiguous: list[tuple[_Local, str, str, list[str]]] = field(default_factory=list)  # local, rule, name, keys

    def final(self, key: str) -> str:
        seen = {key}
        while key in self.target and self.target[key][0] not in seen:
            key = self.target[key][0]
            seen.add(key)
        return key


def resolve(extractions: Iterable[ArticleExtraction | Prepared], *, overrides: Overrides | None = None,
            prepared: PreparedArticles | None = None) -> Resolution:
    """Merge the entities of every article into corpus entities with stable ids, and record every decision.

    ``extractions`` are read once, one at a time, in any order; none is kept (:class:`_Local`), so an
    iterator that reads them from disk keeps one extraction in memory at a time. With ``prepared`` (open),
    they may include the articles it kept from the last build (:meth:`PreparedArticles.get`), and it keeps
    every article for the next.
    """
    overrides = overrides or Overrides()
    locals_, definitions = _locals(extractions, overrides, prepared)
    links = _Links()
    for local in locals_:
        links.names.setdefault(local.key, local.entity.name)
    _link_name_variants(locals_, links)
    _link_in_article_places(locals_)
    _link_short_names(locals_, links, definitions, overrides)
    _link_institutions(locals_, links)
    _link_places(locals_, links)

    groups: dict[str, list[_Local]] = defaultdict(list)
    for local in locals_:
        groups[links.final(local.key)].append(local)
    splits: list[tuple[_Local, str, str]] = []
    clusters = _split(groups, _fits_context, "different-context", splits)
    # without keep-apart pairs, every entity fits: no need to gather the names of every part for each
    clusters = _split(clusters, lambda local, part, _: not (overrides.keep_apart
                                                            and overrides.apart(local.names, _names(part))),
                      "user-keep-apart", splits)

    resolution = Resolution(entities={})
    for key in sorted(clusters):
        members = clusters[key]
        entity = _merge(key, members)
        resolution.entities[entity.id] = entity
        for local in members:
            resolution.members[(local.article, local.index)] = entity.id
            local.corpus_entity = entity.id
    resolution.ledger = _ledger(resolution, clusters, links, splits, overrides)
    return resolution


def _names(part: list[_Local]) -> set[str]:
    return {name for member in part for name in member.names}


def _locals(extractions: Iterable[ArticleExtraction | Prepared], overrides: Overrides,
            prepared: PreparedArticles | None = None) -> tuple[list[_Local], list[tuple[str, str]]]:
    """The entities of every article, by article id, and the acronym definitions of all the texts, sorted.
    With ``prepared``, an article it kept from the last build comes as a :class:`Prepared`, and every article's
    entities go to it for the next build."""
    by_article: list[tuple[str, list[_Local]]] = []
    definitions: set[tuple[str, str]] = set()
    shared = prepared.shared if prepared is not None else _Shared()
    for item in extractions:
        if isinstance(item, Prepared):
            article_id, article, own_definitions = item.article, item.locals, item.definitions
        else:
            article_id = item.article.id
            article, own_definitions = _article_locals(item, overrides, shared)
        if prepared is not None:
            prepared.keep(item, article, own_definitions)
        definitions.update(own_definitions)
        by_article.append((article_id, article))
    by_article.sort(key=lambda pair: pair[0])  # stable: articles of one id keep the order they came in
    return [local for _, article in by_article for local in article], sorted(definitions)


@dataclass
class _Shared:
    """One record, one list of names and one set of name keys for the many equal entities of the corpus ("US"
    in a thousand articles), each worked out once, and one string for each name, key and sentence the corpus
    repeats: resolution only reads them."""

    entities: dict[tuple, tuple[ArticleEntity, list[str], frozenset[str]]] = field(default_factory=dict)
    name_sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)

    def entity(self, entity: ArticleEntity) -> tuple[ArticleEntity, list[str], frozenset[str]]:
        identity = (entity.name, entity.type, frozenset(entity.aliases), entity.mentions, entity.key)
        if identity not in self.entities:
            names = [entity.name, *sorted(entity.aliases)]
            keys = frozenset(name_key(n) for n in names)
            self.entities[identity] = (entity, names, self.name_sets.setdefault(keys, keys))
        return self.entities[identity]

    def string(self, text: str) -> str:
        return self.strings.setdefault(text, text)


def _article_locals(extraction: ArticleExtraction, overrides: Overrides, shared: _Shared
                    ) -> tuple[list[_Local], set[tuple[str, str]]]:
    """What resolution works out from one article alone: its entities with their own keys and what their
    mentions say (:func:`_own_key`, :func:`_read_mentions`), the countries it names, its acronym definitions."""
    text = extraction.article.text
    by_cluster: dict[int, list[EntityMention]] = defaultdict(list)
    for mention in extraction.mentions:
        by_cluster[mention.cluster].append(mention)
    article = []
    for index, entity in enumerate(extraction.entities):
        entity, names, keys = shared.entity(entity)
        mentions = by_cluster.get(index, [])
        local = _Local(extraction.article.id, index, entity, keys)
        _own_key(local, names, overrides, mentions, text)
        local.key = shared.string(local.key)
        _read_mentions(local, mentions, text, shared.strings)
        article.append(local)
    context = frozenset(m.external.split(":", 1)[1] for m in article if m.external)
    context |= {c for m in article if m.qualifier for c in qualifier_countries(m.qualifier)}
    context |= demonym_countries(text)
    for local in article:
        local.context = context
    return article, set(acronym_definitions(text))


def _read_mentions(local: _Local, mentions: list[EntityMention], text: str, strings: dict[str, str]) -> None:
    """Keep on ``local`` what resolution asks of its mentions once its article is gone (see :class:`_Local`);
    ``strings`` gives one string object for equal ones. Its own key must be known (:func:`_own_key`): the words
    around its mentions are read only where :func:`_link_institutions` may ask about them."""
    first: dict[str, tuple[int, int, EntityMention]] = {}  # name -> its earliest mention (start, position, mention)
    for position, mention in enumerate(mentions):
        if mention.name not in first or mention.span.start < first[mention.name][0]:
            first[mention.name] = (mention.span.start, position, mention)
    quotes = []
    for name, (_, _, mention) in sorted(first.items(), key=lambda item: item[1][:2]):
        quote = _excerpt(text, mention)
        quotes.append((strings.setdefault(name, name), strings.setdefault(quote, quote)))
    local.quotes = tuple(quotes)
    surface = _surface(local.entity, mentions)
    local.surface = strings.setdefault(surface, surface)
    if local.entity.type == "PLACE":  # where the two are asked
        placed = [_after_a_place(text, m) for m in mentions]
        local.after_a_place, local.only_after_a_place = any(placed), bool(placed) and all(placed)
    if _may_name_an_institution(local):
        local.academic = any(_academic(text, m) for m in mentions)


def _may_name_an_institution(local: _Local) -> bool:
    """Whether :func:`_link_institutions` may ask if the words around the mentions of ``local`` speak of study.

    It asks for capitalized names whose key is then a lone word of a type ("ORG:yale"); only such keys
    change before it does (a person's lone name becomes a place, a surname its owner), so a lone word's key
    is one from the start.
    """
    return local.entity.name[:1].isupper() and local.key.partition(":")[0] in ENTITY_TYPES


def _own_key(local: _Local, names: list[str], overrides: Overrides, mentions: list[EntityMention], text: str) -> None:
    entity = local.entity
    full = _full_name(entity)
    if full:
        names = [full]  # "International Cricket Council (ICC)": the alias lists speak of the full name
    user = next((overrides.aliases[name_key(n)] for n in names if name_key(n) in overrides.aliases), None)
    curated = next((curated_alias(n) for n in names if curated_alias(n)), None)
    key = name_key(entity.name)
    qualifier = _qualifier(entity, mentions, text) if entity.type == "PLACE" else None
    if user:
        local.key, local.rule, local.via, local.canonical, local.alias_type = (
            f"alias:{name_key(user[0])}", "user-alias", user[0], user[0], user[1])
    elif state := _state_abbreviation(mentions, text):
        state_key = name_key(state)
        local.key = f"name:{state_key}" if " " in state_key else f"PLACE:{state_key}"
        local.rule, local.via = "state-abbreviation", state
    elif entity.key or entity.type == "PLACE" and country(entity.name) and _country_qualifier(qualifier):
        # a place named exactly as a country is that country, unless a state follows it ("Belgium, Wisconsin")
        local.external = entity.key or f"iso3166:{country(entity.name)[0]}"
        local.key, local.rule, local.via = local.external, "country-code", local.external
    elif curated:
        local.key, local.rule, local.via, local.canonical = (f"alias:{name_key(curated[0])}", "curated-alias",
                                                             curated[0], curated[0])
    elif full:
        # "Michie" or "ICC" in an article that also says "Jonathan Michie", "International Criminal Court (ICC)"
        local.key, local.rule, local.via = f"name:{name_key(full)}", "same-name", full
    elif entity.type == "PLACE":
        local.qualifier = qualifier
        local.key = f"name:{key}" if " " in key else f"PLACE:{key}"
        local.rule, local.via = ("same-name" if " " in key else "same-short-name"), entity.name
    elif entity.type == "ORG" and without_legal_form(entity.name) != entity.name:
        short = name_key(without_legal_form(entity.name))
        local.key = f"name:{short}" if " " in short else f"ORG:{short}"
        local.rule, local.via = "legal-form", without_legal_form(entity.name)  # "Analog Devices, Inc."
    elif entity.type == "ORG" and (national := _without_demonym(entity.name)):
        # "British Labour Party" is the Labour Party of an article about Britain (kept apart by country below)
        local.key, local.rule, local.via = f"name:{name_key(national)}", "demonym-prefix", national
    elif " " in key:
        # a full name is one entity whatever one article's tagger called it
        local.key, local.rule, local.via = f"name:{key}", "same-name", entity.name
    else:
        local.key, local.rule, local.via = f"{entity.type}:{key}", "same-short-name", entity.name


@functools.cache
def _state_abbreviations() -> dict[str, str]:
    """US state abbreviations as written -> the state: "CA", "Calif.", "Calif" -> "California"."""
    import pycountry

    table = {s.code.split("-")[1]: s.name for s in pycountry.subdivisions.get(country_code="US") if s.type == "State"}
    for written, state in AP_STATES.items():
        table[written] = table[written.rstrip(".")] = state  # "Chicago, Ill in 1958"
    return table


def _state_abbreviation(mentions: list[EntityMention], text: str) -> str | None:
    """The US state a name abbreviates, where its article writes it right after a place ("Tampa, Fla.", "Salem, MA"):
    elsewhere "MA" is as likely a degree and "CA" a job title."""
    table = _state_abbreviations()
    for mention in mentions:
        written = text[mention.span.start:mention.span.end].strip()
        if text[mention.span.end:mention.span.end + 1] == ".":
            written += "."  # "Fla" read without its dot
        state = table.get(written) or table.get(written.rstrip("."))
        if state and _after_a_place(text, mention):
            return state
    return None


def _without_demonym(name: str) -> str | None:
    """A party's name without the nationality word before it: "British Labour Party" -> "Labour Party".

    >>> _without_demonym("British Labour Party"), _without_demonym("British Airways"), _without_demonym("Labour Party")
    ('Labour Party', None, None)
    >>> _without_demonym("Scottish National Party") is None
    True
    """
    first, _, rest = name.partition(" ")
    if (" " in rest and name_key(rest).split()[-1] == "party" and demonym_countries(first)
            and first not in NATIONS_WITHIN):
        return rest
    return None


def _country_qualifier(qualifier: str | None) -> bool:
    """No qualifier, or a country ("Denmark, Spain and Turkey" reads no qualifier at all)."""
    return qualifier is None or qualifier in qualifier_countries(qualifier)


def _full_name(entity: ArticleEntity) -> str | None:
    """The longer name a one-word entity carries from its article: a person's full name, an acronym's expansion."""
    if " " in entity.name.strip():
        return None
    word = name_key(entity.name)
    longs = sorted((a for a in entity.aliases if " " in a.strip() and not is_acronym(a)), key=lambda a: (-len(a), a))
    if is_acronym(entity.name):
        return next((a for a in longs if spells(entity.name, a.split())), None)
    if entity.type == "PERSON":
        return next((a for a in longs if name_key(a).split()[-1] == word), None)
    return None


def _qualifier(entity: ArticleEntity, mentions: list[EntityMention], text: str) -> str | None:
    """The place a place name is qualified with in its article: "Austin, Texas" -> "texas".

    A state's name before other states of its country starts a list, not a qualifier ("offices in New York,
    Maryland, New Jersey"), but a town may be named after a state ("Indiana, Pennsylvania").
    """
    own = qualifier_countries(name_key(entity.name))
    found = set()
    for mention in mentions:
        following = text[mention.span.end:mention.span.end + 60]
        qualifier = place_qualifier(following)
        if qualifier and not (own & qualifier_countries(qualifier) and _starts_a_list(own, following)):
            found.add(qualifier)
    return found.pop() if len(found) == 1 else None


def _starts_a_list(countries: frozenset[str], following: str) -> bool:
    """Whether the text after a place goes on with two states of ``countries``: ", Maryland, New Jersey, ...".

    >>> _starts_a_list(frozenset({"US"}), ", Maryland, New Jersey, Pennsylvania")
    True
    >>> _starts_a_list(frozenset({"US"}), ", Pennsylvania, Jacob graduated"), _starts_a_list(frozenset({"US"}), ", Ohio.")
    (False, False)
    """
    items = following.split(",")[1:3]
    if len(items) < 2:
        return False
    for item in items:
        words = re.sub(r"^\s*(?:and|or)\s+", "", item).split()
        if not any(countries & qualifier_countries(name_key(" ".join(words[:size]))) for size in (1, 2, 3)):
            return False
    return True


def _person_words(local: _Local) -> list[str]:
    return name_key(local.entity.name).split() if local.entity.type == "PERSON" and local.rule == "same-name" else []


def _link_name_variants(locals_: list[_Local], links: _Links) -> None:
    """"Jessica McNulty" joins "Jessica L. McNulty" when every full name of that first and last name agrees."""
    by_ends: dict[tuple[str, str], set[str]] = defaultdict(set)
    for local in locals_:
        words = _person_words(local)
        if len(words) >= 2:
            by_ends[(words[0], words[-1])].add(local.key)
    for keys in by_ends.values():
        if len(keys) < 2:
            continue
        middles = {key: key.split(":", 1)[1].split()[1:-1] for key in keys}
        initials = {"".join(w[0] for w in m) for m in middles.values() if m}
        if len(initials) != 1:
            continue  # "George H. W. Bush" and "George W. Bush": two people
        target = sorted(keys, key=lambda k: (-len(middles[k]), -len(k), k))[0]
        for key in sorted(keys - {target}):
            links.target[key] = (target, "name-variant", links.names[target])


def _key_of_name(name: str, overrides: Overrides) -> str:
    """The resolution key an organization of this name gets."""
    if name_key(name) in overrides.aliases:
        return f"alias:{name_key(overrides.aliases[name_key(name)][0])}"
    if curated_alias(name):
        return f"alias:{name_key(curated_alias(name)[0])}"
    return f"name:{name_key(name)}"


def _link_in_article_places(locals_: list[_Local]) -> None:
    """A lone name tagged as a person where its own article names a place so ("King Abdullah said Jordan would
    welcome ...", beside "Jordan reopened its border") is that place, unless the article gives a person that name."""
    by_article: dict[str, list[_Local]] = defaultdict(list)
    for local in locals_:
        by_article[local.article].append(local)
    for members in by_article.values():
        places = {n: m for m in members if m.entity.type == "PLACE" for n in sorted(m.names)}
        surnames = {name_key(m.entity.name).split()[-1] for m in members
                    if m.entity.type == "PERSON" and " " in name_key(m.entity.name)}
        for local in members:
            word = name_key(local.entity.name)
            if local.key == f"PERSON:{word}" and word in places and word not in surnames:
                place = places[word]
                local.key, local.rule, local.via = place.key, "same-article-place", place.entity.name
                local.external = place.external


def _link_short_names(locals_: list[_Local], links: _Links, definitions: list[tuple[str, str]],
                      overrides: Overrides) -> None:
    """A lone surname joins the one person who bears it; a bare acronym joins the one name a text defines it for."""
    surnames: dict[str, set[str]] = defaultdict(set)
    acronyms: dict[str, set[str]] = defaultdict(set)
    for local in locals_:
        words = _person_words(local)
        if len(words) >= 2:
            surnames[words[-1]].add(links.final(local.key))
        if local.entity.key is None and " " in name_key(local.entity.name):
            for short in (n for n in local.entity.aliases if is_acronym(n)):
                # "the Islamic State (ISIS)", grouped by the extractor
                acronyms[name_key(short)].add(links.final(local.key))
    for acronym, name in definitions:
        links.names.setdefault(_key_of_name(name, overrides), name)
        acronyms[name_key(acronym)].add(links.final(_key_of_name(name, overrides)))  # "... Journalists (CPJ)" in a text
    article_keys: dict[str, set[str]] = defaultdict(set)
    for local in locals_:
        article_keys[local.article].add(links.final(local.key))
    owned = _Owned({owner for owners in surnames.values() for owner in owners}, locals_, links)
    for local in locals_:
        kind, _, key = local.key.partition(":")
        if kind not in ENTITY_TYPES or kind == "PLACE" or " " in key:
            continue
        if is_acronym(local.entity.name):
            owners = sorted(acronyms.get(key, set()) - {local.key})
            if len(owners) == 1:
                owned.link(local.key, (owners[0], "acronym", links.names.get(owners[0], owners[0].split(":", 1)[1])))
            elif owners:
                links.ambiguous.append((local, "ambiguous-acronym", local.entity.name, owners))
        elif kind == "PERSON" or local.entity.name[:1].isupper():
            owners = sorted(surnames.get(key, ()))
            if len(owners) == 1 and _share_context(local, owners[0], owned, links, article_keys):
                owned.rekey(local, owners[0])
                local.rule, local.via = "unique-surname", links.names.get(owners[0], owners[0])
            elif owners and kind == "PERSON":
                rule = "ambiguous-surname" if len(owners) > 1 else "unconfirmed-surname"
                links.ambiguous.append((local, rule, local.entity.name, owners))
                owned.rekey(local, f"{local.key}@{local.article}")  # which of them is meant, the corpus cannot tell


def _link_institutions(locals_: list[_Local], links: _Links) -> None:
    """A lone name joins the one university of the corpus named by it ("Yale", "Yale University") where the words
    around it speak of study or teaching ("graduated from Yale", "Harvard mathematician"), unless it names a state
    or country, or the corpus uses it as a place ("Princeton, New Jersey", "New College, Oxford") or as a surname
    ("Leland Stanford": then the lone name stays apart from both, recorded)."""
    institutions: dict[str, set[str]] = defaultdict(set)
    surnames: set[str] = set()
    places: set[str] = set()  # the names of qualified or qualifying places
    for local in locals_:
        words = name_key(local.entity.name).split()
        if local.entity.type == "ORG" and len(words) == 2 and words[1] in INSTITUTION_HEADS:
            institutions[words[0]].add(links.final(local.key))
        if local.entity.type == "PERSON" and len(words) > 1:
            surnames.add(words[-1])
        if local.qualifier or "," in local.entity.name:
            places.add(name_key(local.entity.name.split(",")[0]))
        if local.entity.type == "PLACE" and local.after_a_place:
            places.update(name_key(name) for name, _ in local.quotes)
    for local in locals_:
        kind, _, word = local.key.partition(":")
        owners = sorted(institutions.get(word, ()))
        if (kind not in ENTITY_TYPES or len(owners) != 1 or word in places or not local.entity.name[:1].isupper()
                or country(word) or qualifier_countries(word) or not local.academic):
            continue
        if word in surnames:
            links.ambiguous.append((local, "surname-or-institution", local.entity.name, owners))
        else:
            local.key, local.rule, local.via = owners[0], "institution-short-name", links.names.get(owners[0], owners[0])


def _after_a_place(text: str, mention: EntityMention) -> bool:
    """Whether a mention stands right after a place and a comma: "Tampa, Fla.", "Balliol College, Oxford"."""
    return bool(AFTER_A_PLACE.search(text[max(0, mention.span.start - 40):mention.span.start]))


def _academic(text: str, mention: EntityMention) -> bool:
    """Whether the words right around a mention speak of a university ("from Yale in 1847 in Biology"), and not of
    a place ("in Warsaw")."""
    before = text[max(0, mention.span.start - 40):mention.span.start]
    after = text[mention.span.end:mention.span.end + 25]
    if IN_A_PLACE.search(before):
        return False
    return bool(ACADEMIC.search(before.split("\n")[-1]) or ACADEMIC.search(after.split("\n")[0]))


class _Owned:
    """The article entities that resolve to each of some keys (the ``owners``), kept current while keys are
    given and linked: what :func:`_share_context` asks for each lone surname, without a pass over the corpus."""

    def __init__(self, owners: set[str], locals_: list[_Local], links: _Links) -> None:
        self.owners, self.locals, self.links = owners, locals_, links
        self.members: dict[str, dict[int, _Local]] = defaultdict(dict)
        self._index()

    def _index(self) -> None:
        self.members.clear()
        for local in self.locals:
            final = self.links.final(local.key)
            if final in self.owners:
                self.members[final][id(local)] = local

    def rekey(self, local: _Local, key: str) -> None:
        """``local.key = key``."""
        before = self.links.final(local.key)
        local.key = key
        after = self.links.final(key)
        if before in self.owners:
            self.members[before].pop(id(local), None)
        if after in self.owners:
            self.members[after][id(local)] = local

    def link(self, key: str, target: tuple[str, str, str]) -> None:
        """``links.target[key] = target``: every entity whose key leads through ``key`` may now resolve elsewhere."""
        before = self.links.final(key)
        self.links.target[key] = target
        after = self.links.final(key)
        if before != after and (before in self.owners or after in self.owners):
            self._index()  # rare: an acronym that a person's full name defines ("JFK")


def _share_context(local: _Local, owner: str, owned: _Owned, links: _Links,
                   article_keys: dict[str, set[str]]) -> bool:
    """Whether the article of a lone surname names something else an article of its full-name owner names."""
    mine = article_keys[local.article] - {links.final(local.key), owner}
    return any(mine & (article_keys[other.article] - {owner}) for other in owned.members[owner].values()
               if other.article != local.article)


def _link_places(locals_: list[_Local], links: _Links) -> None:
    """Places of one name are one place unless the corpus qualifies that name two ways ("Washington, D.C.",
    "Washington state"): then each qualified place is its own, and a bare "Washington" stays apart from both."""
    _split_city_states(locals_, links)
    qualifiers: dict[str, set[str]] = defaultdict(set)
    for local in locals_:
        if local.qualifier:
            qualifiers[local.key].add(local.qualifier)
    senses = {key: _senses(found) for key, found in qualifiers.items()}
    for local in locals_:
        sense = senses.get(local.key, {})
        found = sorted(set(sense.values()))
        if len(found) == 1 and _town_named_after_a_state(local.key, found[0]):
            # "Indiana, Pennsylvania" is a town; a bare "Indiana" ("Loogootee, Indiana") is the state
            if local.qualifier:
                local.key = f"{local.key}|{found[0]}"
            else:
                links.ambiguous.append((local, "state-or-town", local.entity.name, [f"{local.key}|{found[0]}"]))
        elif local.qualifier is None and len(found) == 1:
            if (len(local.context) != 1 or found[0] in qualifier_countries(found[0])
                    or qualifier_countries(found[0]) & local.context):
                # "Paris" and "Paris, France"; "Austin" and "Austin, Texas", unless the text names one country only
                # and another one
                local.rule, local.via = "place-context", found[0]
            else:  # "London" in a text about England, and "London, Ontario"
                local.key = f"{local.key}|"
                links.ambiguous.append((local, "ambiguous-place", local.entity.name, [f"{local.key[:-1]}"]))
        elif len(found) > 1:
            countries = [qualifier_countries(q) for q in found]
            fitting = [q for q, where in zip(found, countries) if where & local.context]
            if local.qualifier:
                local.key = f"{local.key}|{sense[local.qualifier]}"
            elif len(fitting) == 1 and all(countries) and sum(map(len, countries)) == len(frozenset().union(*countries)):
                # "London" in a text about Britain, where the corpus knows "London, England" and "London, Ontario"
                local.key, local.rule, local.via = f"{local.key}|{fitting[0]}", "place-context", fitting[0]
            else:
                links.ambiguous.append((local, "ambiguous-place", local.entity.name,
                                        [f"{local.key}|{q}" for q in found]))


def _town_named_after_a_state(key: str, qualifier: str) -> bool:
    """Whether a place key names a state or province and its qualifier another one: "Indiana, Pennsylvania"."""
    name = key.partition(":")[2]
    return bool(qualifier_countries(name)) and bool(qualifier_countries(qualifier)) and qualifier not in qualifier_countries(qualifier)


def _split_city_states(locals_: list[_Local], links: _Links) -> None:
    """A state that shares its name with a city the corpus calls "<name> City" ("New York") is the state where the
    name follows another place ("Buffalo, New York"); elsewhere it may be the city or the state, and stays apart
    from both."""
    cities = {name_key(local.entity.name)[:-len(" city")]: links.final(local.key) for local in locals_
              if local.entity.type == "PLACE" and name_key(local.entity.name).endswith(" city")}
    for local in locals_:
        word = name_key(local.entity.name)
        if (local.entity.type != "PLACE" or word not in cities or local.qualifier
                or local.key not in (f"name:{word}", f"PLACE:{word}") or not qualifier_countries(word)):
            continue
        state = f"{local.key}|state"
        if local.only_after_a_place:
            local.key, local.rule, local.via = state, "place-context", "state"
        else:
            links.ambiguous.append((local, "city-or-state", local.entity.name, [state, cities[word]]))


def _senses(qualifiers: set[str]) -> dict[str, str]:
    """Each qualifier of one place name -> the place it means: "Chicago, US" is "Chicago, Illinois" when
    Illinois is the only US state the corpus qualifies Chicago with.

    >>> _senses({"US", "illinois"}) == {"US": "illinois", "illinois": "illinois"}
    True
    >>> sorted(_senses({"texas", "district of columbia", "US"}).items())
    [('US', 'US'), ('district of columbia', 'district of columbia'), ('texas', 'texas')]
    """
    specific = {q for q in qualifiers if q not in qualifier_countries(q)}
    senses = {}
    for qualifier in qualifiers:
        inside = sorted(s for s in specific if qualifier in qualifier_countries(s))
        senses[qualifier] = qualifier if qualifier in specific or len(inside) != 1 else inside[0]
    return senses


def _split(groups: dict[str, list[_Local]], fits, rule: str, splits: list[tuple[_Local, str, str]]
           ) -> dict[str, list[_Local]]:
    """Split every group into parts whose members ``fits(local, part)``; the first part keeps the group's key.

    ``fits`` also sees the parts made so far. Appends ``(local, key of the part it was kept from, rule)`` to
    ``splits`` for the first member of each new part.
    """
    clusters: dict[str, list[_Local]] = {}
    for key in sorted(groups):
        members = sorted(groups[key],
                         key=lambda m: (m.key != key, m.qualifier is None, not m.context, m.article, m.index))
        parts: list[list[_Local]] = []
        for local in members:
            part = next((part for part in parts if fits(local, part, parts)), None)
            if part is None:
                if parts:
                    splits.append((local, key, rule))
                parts.append([local])
            else:
                part.append(local)
        for number, part in enumerate(parts):
            part_key = key
            if number:
                part_key = f"{key}@{'-'.join(sorted(part[0].context))}" if rule == "different-context" else part[0].key
                if part_key in groups or part_key in clusters:
                    part_key = f"{part[0].key}~{part[0].article}~{part[0].index}"
            clusters[part_key] = part
    return clusters


def _generic(local: _Local) -> bool:
    """An organization named by a kind of institution many countries have: "Liberal Party", "Trinity College"."""
    return (local.entity.type == "ORG" and local.rule in ("same-name", "demonym-prefix")
            and name_key(local.entity.name).split()[-1] in GENERIC_HEADS)


def _fits_context(local: _Local, part: list[_Local], parts: list[list[_Local]]) -> bool:
    """A generic organization joins a part unless both articles name countries and none in common; from an
    article that names no country it joins the part of the one country the corpus knows that name in, and
    where the corpus knows it in several, the other articles that name no country."""
    if not all(_generic(m) for m in [*part, local]):
        return True
    seen = set().union(*(m.context for m in part))
    if local.context:
        return not seen or bool(local.context & seen)
    return not seen or sum(1 for p in parts if any(m.context for m in p)) == 1


def _merge(key: str, parts: list[_Local]) -> Entity:
    votes: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for part in parts:
        votes[part.entity.type] += part.entity.mentions
        names[part.via if part.rule == "demonym-prefix" else part.entity.name] += part.entity.mentions
    if any(p.entity.type == "PERSON" and " " in p.entity.name for p in parts):
        votes["PERSON"] += sum(votes.values())  # a full personal name outweighs stray tags
    user_type = next((p.alias_type for p in parts if p.alias_type), None)
    if user_type:
        entity_type = user_type
    elif key.startswith("PERSON:"):
        entity_type = "PERSON"
    else:
        entity_type = min(votes.items(), key=lambda kv: (-kv[1], TYPE_ORDER[kv[0]]))[0]
    external = next((p.external for p in parts if p.external), None)
    canonical = next((p.canonical for p in parts if p.canonical and key.startswith("alias:")), None)
    if canonical:
        name = canonical
    elif entity_type == "PERSON":
        name = min(names, key=lambda n: (-len(n.split()), -names[n], n))
    else:
        name = min(names, key=lambda n: (-names[n], -len(n), n))
    aliases = set(names) | {alias for p in parts for alias in (p.entity.name, *p.entity.aliases)}
    aliases.discard(name)
    return Entity(id=ids.entity_id(entity_type, key, name), name=name, type=entity_type, aliases=sorted(aliases),
                  mentions=sum(p.entity.mentions for p in parts), articles=sorted({p.article for p in parts}),
                  key=external)


# -- the ledger ---------------------------------------------------------------------------------------------------

def _evidence(local: _Local, name: str) -> str:
    """The sentence ``name`` was read in (the entity's first mention when no mention has that name)."""
    for written, quote in local.quotes:  # a loop, not next() over a generator: 300,000 calls at 10,000 articles
        if written == name:
            return quote
    return local.quotes[0][1] if local.quotes else ""


def _excerpt(text: str, mention: EntityMention) -> str:
    """The sentence of a mention, for the ledger: ``EXCERPT`` characters around the mention at most."""
    start, end = mention.sentence
    sentence = text[start:end]
    if len(sentence) > EXCERPT:
        middle = (mention.span.start + mention.span.end) // 2 - start
        low = max(0, min(middle - EXCERPT // 2, len(sentence) - EXCERPT))
        high = low + EXCERPT
        sentence = ("…" if low else "") + sentence[low:high] + ("…" if high < len(sentence) else "")
    return " ".join(sentence.split())  # every run of white space one space, none at the ends


def _ledger(resolution: Resolution, clusters: dict[str, list[_Local]], links: _Links,
            splits: list[tuple[_Local, str, str]],
            overrides: Overrides) -> list[LedgerEntry]:
    entities = resolution.entities
    rows: set[LedgerEntry] = set()

    def row(decision: str, entity_id: str, name: str, local: _Local, rule: str, score: float | None,
            other: str) -> None:
        entity = entities[entity_id]
        rows.add(LedgerEntry(decision, entity_id, entity.name, entity.type, name, local.article, rule, score, other,
                             _evidence(local, name)))

    for key, members in clusters.items():
        entity_id = members[0].corpus_entity
        for local in members:
            for alias in sorted(local.entity.aliases - {local.entity.name}):
                row("merged", entity_id, alias, local, "in-article", None, local.entity.name)
        for number, local in enumerate(members):
            rule, via = local.rule, local.via
            if local.key in links.target:
                _, rule, via = links.target[local.key]
            elif number == 0 and (local.entity.name == entities[entity_id].name or local.rule not in RENAMING_RULES):
                continue  # the first of its kind: nothing was merged into anything
            row("merged", entity_id, local.surface, local, rule, RULE_SCORES[rule], via)

    apart: set[frozenset[str]] = set()
    for local, kept_from, rule in splits:
        mine = local.corpus_entity
        other = next((m[0].corpus_entity for k, m in clusters.items() if k == kept_from), None)
        if other and other != mine:
            apart.add(frozenset((mine, other)))
            row("kept apart", mine, local.entity.name, local, rule, None, other)
    key_owner = {key: members[0].corpus_entity for key, members in clusters.items()}
    for local, rule, name, keys in links.ambiguous:
        mine = local.corpus_entity
        for key in keys:
            other = key_owner.get(links.final(key))
            if other and other != mine:
                apart.add(frozenset((mine, other)))
                row("kept apart", mine, name, local, rule, None, other)

    # Homographs: entities that share a name (or a lone name and a surname) and were not merged.
    sharing: dict[str, set[str]] = defaultdict(set)
    first_local: dict[str, _Local] = {}
    for key, members in sorted(clusters.items()):
        entity_id = members[0].corpus_entity
        first_local.setdefault(entity_id, members[0])
        for local in members:
            for name in local.names:
                sharing[name].add(entity_id)
            words = name_key(local.entity.name).split()
            if local.entity.type == "PERSON" and len(words) > 1:
                sharing[words[-1]].add(entity_id)  # "Lloyd Austin" and "Austin"
            if local.entity.type == "PLACE" and "," in local.entity.name:
                sharing[name_key(local.entity.name.split(",")[0])].add(entity_id)  # "Washington, D.C." and "Washington"
    for name, owners in sorted(sharing.items()):
        ordered = sorted(owners)
        # every pair while few share the name; past that, each entity against the first only, so that a
        # surname shared by thousands ("Smith") gives a row per entity, not one per pair
        pairs = combinations(ordered, 2) if len(ordered) <= ALL_PAIRS_UP_TO else ((ordered[0], b) for b in ordered[1:])
        for a, b in pairs:
            if frozenset((a, b)) in apart:
                continue
            apart.add(frozenset((a, b)))
            rule = _apart_reason(entities[a], entities[b], overrides)
            row("kept apart", a, _display(entities[a], name), first_local[a], rule, None, b)
    return sorted(rows, key=ledger_order)


def _surface(entity: ArticleEntity, mentions: list[EntityMention]) -> str:
    """The name as the article wrote it: "Department of Defense", where the extractor's canonical name is
    "US Department of Defense"."""
    written = Counter(m.name for m in mentions)
    if entity.name in written or not written:
        return entity.name
    return sorted(written, key=lambda n: (-written[n], n))[0]


def _display(entity: Entity, key: str) -> str:
    """The surface form of ``key`` among an entity's names."""
    for name in [entity.name, *entity.aliases]:
        if name_key(name) == key:
            return name
    return next((w for w in entity.name.split() if name_key(w) == key), key)


def _apart_reason(a: Entity, b: Entity, overrides: Overrides) -> str:
    names_a = {name_key(n) for n in [a.name, *a.aliases]}
    names_b = {name_key(n) for n in [b.name, *b.aliases]}
    if overrides.apart(names_a, names_b):
        return "user-keep-apart"
    if a.type != b.type:
        return "different-type"
    if a.type == "PERSON":
        return "different-person"
    if a.type == "PLACE":
        return "different-place"
    return "different-entity"


# -- what resolution works out from each article alone, kept for the next build -----------------------------------

PREPARED_FILE = ".kgraph-resolution.jsonl"  # in the build's folder
PREPARED_FORMAT = 1
# What decides an article's :func:`_article_locals` besides its extraction and the user's aliases.
RESOLUTION_SOURCES = ("resolve.py", "names.py", "types.py", "data")
_LOCAL_FIELDS = ("key", "rule", "via", "canonical", "alias_type", "external", "qualifier", "surface",
                 "after_a_place", "only_after_a_place", "academic")  # kept as they are; see _to_record


@dataclass(slots=True)
class Prepared:
    """An article's entities as resolution worked them out in the last build (:class:`PreparedArticles`)."""

    article: str
    line: bytes  # as kept: copied to the next build's file unchanged
    locals: list[_Local]
    definitions: set[tuple[str, str]]


class PreparedArticles:
    """What resolution works out from each article alone (:func:`_article_locals`: its entities' own keys,
    what the words around their mentions say, the countries it names, its acronym definitions), kept in the
    build's folder (``PREPARED_FILE``) for the next build, which reads it for every article whose stored
    extraction is unchanged instead of reading and working through the extraction again.

    A line is an article's id (JSON), the digest of its stored extraction line and the record, tab-separated, in
    the order of the ids; the first line is a hash of the format, the code (``RESOLUTION_SOURCES``) and
    the user's aliases it was made with: a line of other code or aliases, of another extraction, or unreadable is not used,
    and the article is worked out again. The new file is written beside the old one as the build reads it
    and replaces it when resolution is done: a kill leaves the old one, or the new one, whole.

    ``digests``: the digest of each article's stored extraction line (:meth:`kgraph.build.StoredExtractions.digests`).
    """

    def __init__(self, folder: str | Path, overrides: Overrides, digests: Mapping[str, str]) -> None:
        self.path = Path(folder) / PREPARED_FILE
        self.digests = digests
        self.shared = _Shared()
        made_with = {"format": PREPARED_FORMAT, "code": _resolution_fingerprint(),
                     "aliases": sorted((key, list(value)) for key, value in overrides.aliases.items())}
        self.header = hashlib.sha256(json.dumps(made_with, sort_keys=True).encode()).hexdigest().encode() + b"\n"
        self.used = 0  # articles read from the last build's file
        self._stack = contextlib.ExitStack()
        self._old: Iterator[tuple[str, bytes, bytes]] = iter(())
        self._next: tuple[str, bytes, bytes] | None = None

    def __enter__(self) -> PreparedArticles:
        from .export.atomic import atomic_file

        with contextlib.ExitStack() as stack:
            try:
                old = stack.enter_context(self.path.open("rb"))
            except OSError:
                old = None
            self._new = stack.enter_context(atomic_file(self.path, durable=False))
            self._new.write(self.header)
            if old is not None and old.readline() == self.header:
                self._old = _kept_lines(old)
                self._next = next(self._old, None)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc) -> bool | None:
        self.shared = _Shared()  # its strings are the resolution's to keep or let go
        return self._stack.__exit__(*exc)

    def get(self, article_id: str) -> Prepared | None:
        """The article's entities from the last build, or None; asked in the order of the ids."""
        while self._next is not None and self._next[0] < article_id:
            self._next = next(self._old, None)
        if self._next is None or self._next[0] != article_id:
            return None
        _, digest, line = self._next
        if digest != self.digests.get(article_id, "").encode():
            return None
        try:
            prepared = _from_line(article_id, line, self.shared)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None
        self.used += 1
        return prepared

    def keep(self, item: ArticleExtraction | Prepared, locals_: list[_Local],
             definitions: set[tuple[str, str]]) -> None:
        """Write the article's line of the new file: as it was for a :class:`Prepared`, made for an extraction."""
        if isinstance(item, Prepared):
            self._new.write(item.line)
            return
        article_id = item.article.id
        if article_id not in self.digests:
            return
        record = {"context": sorted(locals_[0].context) if locals_ else [], "definitions": sorted(definitions),
                  "entities": [_to_record(local) for local in locals_]}
        self._new.write(b"\t".join([json.dumps(article_id).encode(), self.digests[article_id].encode(),
                                    json.dumps(record, ensure_ascii=False).encode()]) + b"\n")


def _kept_lines(handle) -> Iterator[tuple[str, bytes, bytes]]:
    """(id, digest, line) of each readable line of a kept file."""
    for line in handle:
        try:
            id_part, digest, _ = line.split(b"\t", 2)
            article_id = json.loads(id_part)
        except ValueError:
            continue
        if isinstance(article_id, str) and line.endswith(b"\n"):
            yield article_id, digest, line


def _to_record(local: _Local) -> list:
    entity = local.entity
    return [local.index, entity.name, entity.type, sorted(entity.aliases), entity.mentions, entity.key,
            [list(quote) for quote in local.quotes], *(getattr(local, name) for name in _LOCAL_FIELDS)]


def _from_line(article_id: str, line: bytes, shared: _Shared) -> Prepared:
    record = json.loads(line.split(b"\t", 2)[2])
    context = frozenset(record["context"])
    strings = shared.strings  # one string for each the corpus repeats (_Shared.string, inline: a few million calls)
    locals_ = []
    one = strings.setdefault
    for index, name, type_, aliases, mentions, key, quotes, *rest in record["entities"]:
        if len(rest) != len(_LOCAL_FIELDS) or type_ not in TYPE_ORDER:
            raise ValueError("not a record of this format")
        entity, _, keys = shared.entity(ArticleEntity(name, type_, set(aliases), mentions, key))
        # _LOCAL_FIELDS, by position (keywords cost a third of the time of a few hundred thousand of these)
        own_key, rule, via, canonical, alias_type, external, qualifier, surface, after, only_after, academic = rest
        locals_.append(_Local(article_id, index, entity, keys, tuple([(one(a, a), one(b, b)) for a, b in quotes]),
                              one(surface, surface), after, only_after, academic, one(own_key, own_key),
                              one(rule, rule), one(via, via), canonical and one(canonical, canonical),
                              alias_type and one(alias_type, alias_type), external and one(external, external),
                              qualifier and one(qualifier, qualifier), context))
    return Prepared(article_id, line, locals_, {(a, b) for a, b in record["definitions"]})


@functools.cache
def _resolution_fingerprint() -> str:
    from .cache import source_fingerprint

    return source_fingerprint(RESOLUTION_SOURCES)
