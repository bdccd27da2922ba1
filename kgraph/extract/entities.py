"""Doc -> entity mentions, grouped into the entities of one article.

Types come from a vote over all of an entity's mentions, so a surname tagged
ORG once still joins its PERSON; within an article a surname or a defined
acronym resolves to the full name.
"""
from __future__ import annotations

import functools
import re
import string
from collections import Counter, defaultdict
from collections.abc import Callable

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span as SpacySpan

from .lexicon import (BASED_WORDS, PLACE_OF_NOUNS, PLACE_PREPOSITIONS, PLACE_VERB_PREPOSITIONS, REPORTING_VERBS,
                      ROLE_MODIFIERS, is_role_word)
from ..nlp import PLAIN_DATELINE, WIRE_DATELINE, news_slug
from ..names import (HONORIFICS, LEGAL_FORM_WORDS, NAME_JOINERS, country, curated_alias, demonym_countries,
                     is_acronym, name_key, normalize_name, strip_titles, us_state)
from ..types import Article, ArticleEntity, EntityMention, Span

__all__ = ["LABEL_TYPES", "entity_mentions", "group_mentions"]

LABEL_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
# Words the small model tags ORG on their own ("the Department", "Secretary of Defense"): fragments, not entities.
GENERIC_WORDS = {
    "department", "defense", "defence", "ministry", "government", "administration", "coalition", "agency", "office",
    "council", "committee", "army", "navy", "military", "embassy", "company", "party", "state", "court", "police",
    "mission", "alliance", "forces", "command", "group", "secretary", "president", "minister", "chief", "spokesperson",
    "spokesman", "spokeswoman", "your", "support", "reply", "comments", "share", "click", "image", "related",
}
TYPE_ORDER = {"PERSON": 0, "ORG": 1, "PLACE": 2}
# The last word of a name that tells its type whatever the recognizer said: "Cameron Parish", "Acme Corp."
HEAD_WORD_LABELS = {
    **dict.fromkeys(("district", "province", "county", "parish", "prefecture", "city", "town", "village", "river",
                     "valley", "island", "islands", "lake", "bay", "sea", "ocean", "mountains", "desert", "peninsula",
                     "street", "avenue", "road", "square", "airport"), "GPE"),
    **dict.fromkeys(("corp", "inc", "co", "ltd", "llc", "plc", "ag", "sa", "s.a", "se", "gmbh", "nv", "n.v", "spa",
                     "s.p.a", "asa", "oyj", "kgaa", "company", "corporation", "university", "college",
                     "institute", "committee", "commission", "party", "association", "union", "council", "agency",
                     "ministry", "department", "foundation", "society", "bank", "church", "court", "army", "navy",
                     "school", "hospital", "group", "federation", "organization", "organisation"), "ORG"),
}
TRAILING_WORDS = {"to", "of", "and", "for", "in", "on", "at", "the", "by", "with", "from"}  # "the Global Coalition to"


COMPANY_ENDINGS = {"corp", "co", "cos", "inc", "ltd", "llc", "plc", "company", "corporation", "industries", "enterprises"}
COMPANY_FORMS = COMPANY_ENDINGS | LEGAL_FORM_WORDS  # the last word of a company's name: "Kroger Co", "Airbus SE"


def split_names_joined_by_of(doc: Doc) -> None:
    """Split an organization span that joins two names with "of": a titled person and where they work ("Dr.
    Alain Farley of McGill University" -> person, organization), or a company and its town ("Eagle-Picher
    Industries of Cincinnati" -> organization, place), as CoNLL04 marks them and as "Keen Corp. of New York"
    is read already. The part after "of" must be capitalized; "University of Iowa" stays whole.

    >>> import spacy
    >>> doc = spacy.blank("en")("He sued Acme Industries of Cincinnati and Ohio Bank of Toledo .")
    >>> doc.ents = [SpacySpan(doc, 2, 6, label="ORG"), SpacySpan(doc, 7, 11, label="ORG")]
    >>> split_names_joined_by_of(doc)
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Acme Industries', 'ORG'), ('Cincinnati', 'GPE'), ('Ohio Bank of Toledo', 'ORG')]
    >>> doc = spacy.blank("en")("said Dr. Alain Farley of McGill University and Dr. Who of the BBC")
    >>> doc.ents = [SpacySpan(doc, 1, 7, label="ORG"), SpacySpan(doc, 8, 13, label="ORG")]
    >>> split_names_joined_by_of(doc)
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Dr. Alain Farley', 'PERSON'), ('McGill University', 'ORG'), ('Dr. Who of the BBC', 'ORG')]
    """
    _split_ents(doc, _names_joined_by_of)
    _split_ents(doc, _companies_joined_by_and)
    _split_ents(doc, _person_and_possession)


def _companies_joined_by_and(ent: SpacySpan) -> list[SpacySpan] | None:
    """"the merger of Kroger Co and Albertsons Cos" read as one organization: two names, each ending in a company's
    legal form, joined by "and" or "&"."""
    last = ent[-2] if len(ent) > 1 and ent[-1].text == "." else ent[-1]  # a full stop the recognizer took in
    if ent.label_ != "ORG" or len(ent) < 5 or last.lower_.rstrip(".") not in COMPANY_FORMS:
        return None
    joins = [t.i for t in ent[2:-2] if t.lower_ in ("and", "&")]
    if len(joins) != 1 or ent.doc[joins[0] - 1].lower_.rstrip(".") not in COMPANY_FORMS:
        return None
    return [SpacySpan(ent.doc, ent.start, joins[0], label="ORG"), SpacySpan(ent.doc, joins[0] + 1, ent.end, label="ORG")]


def _person_and_possession(ent: SpacySpan) -> list[SpacySpan] | None:
    """"Geert Wilders' Party for Freedom" read as one person: no person's name holds a possessive (none of CoNLL04
    train's does), so the person ends there; what follows is the organization or place its words say ("party",
    a country: "Putin's Russia"), else no name the recognizer can be trusted with."""
    if ent.label_ != "PERSON":
        return None
    doc = ent.doc
    inner = [t.i for t in ent[1:-1] if (t.tag_ == "POS" or t.text in ("'", "’") and doc[t.i - 1].lower_.endswith("s"))
             and not doc[t.i - 1].whitespace_ and t.whitespace_]  # "Wilders' Party", not "O 'Brien"
    if len(inner) != 1 or not doc[inner[0] + 1].text[:1].isupper():
        return None
    cut = inner[0]
    after = doc[cut + 1:ent.end]
    labels = {HEAD_WORD_LABELS.get(t.lower_.rstrip(".")) for t in after} - {None}
    label = labels.pop() if len(labels) == 1 else "GPE" if country(after.text) is not None else None
    person = SpacySpan(doc, ent.start, cut, label="PERSON")
    return [person] if label is None else [person, SpacySpan(doc, cut + 1, ent.end, label=label)]


def _names_joined_by_of(ent: SpacySpan) -> list[SpacySpan] | None:
    doc = ent.doc
    ofs = [t.i for t in ent if t.lower_ == "of"] if ent.label_ in ("ORG", "PERSON") else []
    if len(ofs) != 1 or not ent.start + 1 < ofs[0] < ent.end - 1 or not doc[ofs[0] + 1].text[:1].isupper():
        return None
    if ent.label_ == "PERSON":  # "Dr. Alain Farley of McGill University", "Terry Branstad of Iowa" read as one person
        after = doc[ofs[0] + 1:ent.end].text
        if HEAD_WORD_LABELS.get(ent[-1].lower_.rstrip(".")) == "ORG":
            label = "ORG"
        elif country(after) is not None or us_state(after) is not None:
            label = "GPE"
        else:
            return None
        return [SpacySpan(doc, ent.start, ofs[0], label="PERSON"), SpacySpan(doc, ofs[0] + 1, ent.end, label=label)]
    titled = doc[ent.start].lower_.rstrip(".") in HONORIFICS
    if not titled and doc[ofs[0] - 1].lower_.rstrip(".") not in COMPANY_ENDINGS:
        return None
    return [SpacySpan(doc, ent.start, ofs[0], label="PERSON" if titled else "ORG"),
            SpacySpan(doc, ofs[0] + 1, ent.end, label="ORG" if titled else "GPE")]


SERVICE_CODE = re.compile(r"[A-Z]{2}\d{6,}[A-Z]?")  # a wire service's item number: "OW2102114194"


def tag_dateline_organizations(doc: Doc) -> None:
    """Name the newspaper or broadcaster of a wire service's source line, after its town: "PY2604013394 Rio de
    Janeiro O GLOBO in Portuguese 23 Apr 94" - the capitalized words from the town to "in" and a language (or to the
    end of the line after an item number), when the town opens the line (after any item number).
    CoNLL04 marks them as organizations based in the town; the recognizer misses most that are not English."""
    ents = list(doc.ents)
    changed = False
    for k, place in enumerate(ents):
        if place.label_ != "GPE":
            continue
        before = place.start - 1
        coded = before >= 0 and SERVICE_CODE.fullmatch(doc[before].text) is not None
        before -= coded
        if before >= 0 and not (doc[before].is_space and "\n" in doc[before].text or "\n" in doc[before].whitespace_):
            continue
        end = place.end
        while end < len(doc) and end - place.end < 6 and _source_word(doc[end]):
            end += 1
        if end == place.end:
            continue
        closed = (end + 1 < len(doc) and doc[end].lower_ == "in" and doc[end + 1].text[:1].isupper()
                  and doc[end + 1].ent_type_ in ("LANGUAGE", "NORP"))
        if not closed and not (coded and (end == len(doc) or "\n" in doc[end - 1].whitespace_ or doc[end].is_space)):
            continue
        inside = [e for e in ents[k + 1:] if e.start < end]
        orgs = [e for e in inside if e.label_ == "ORG"]
        if orgs and (len(orgs) > 1 or orgs[0].end != end):
            continue  # the recognizer found the name ("Beijing XINHUA Domestic Service")
        ents = ents[:k + 1] + [SpacySpan(doc, place.end, end, label="ORG")] + ents[k + 1 + len(inside):]
        changed = True
    if changed:
        doc.ents = ents


def wire_datelines(doc: Doc) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The wire-service datelines of ``doc`` (:data:`WIRE_DATELINE`): ``((first, end) token range of the town and
    date, (first, end) of the agency)`` for each.

    >>> import spacy
    >>> doc = spacy.blank("en")("MUNICH, March 3 (Reuters) - Siemens said it would cut jobs.")
    >>> [(doc[p[0]:p[1]].text, doc[a[0]:a[1]].text) for p, a in wire_datelines(doc)]
    [('MUNICH, March 3', 'Reuters')]
    """
    found = []
    for match in WIRE_DATELINE.finditer(doc.text):
        place = doc.char_span(*match.span("place"), alignment_mode="expand")
        agency = doc.char_span(*match.span("agency"), alignment_mode="expand")
        if place is not None and agency is not None:
            found.append(((place.start, place.end), (agency.start, agency.end)))
    return found


@functools.lru_cache(maxsize=8)  # asked by the grouping of an article's names, then by its relations
def wire_agencies(text: str) -> frozenset[tuple[int, int]]:
    """The character offsets in ``text`` of the agency of each wire-service dateline (:data:`WIRE_DATELINE`).

    >>> sorted(wire_agencies("DAYTON , Ohio ( AP )\\nWASHINGTON (Reuters) - The Pentagon (DoD) said."))
    [(16, 18), (33, 40)]
    """
    return frozenset(match.span("agency") for match in WIRE_DATELINE.finditer(text)) if "(" in text else frozenset()


def tag_wire_datelines(doc: Doc) -> list[tuple[int, int]]:
    """Type a wire service's dateline as what it is, whatever the recognizer said: the agency an organization
    ("(Reuters)", "(AFP)", named even where the recognizer found nothing), the names before it places ("PARIS
    (AFP)"). The agency reports the story and takes part in none of its facts (:func:`wire_agencies`; CoNLL04
    marks "MILLINOCKET, Maine (AP)" as AP based in Millinocket, kgraph's graph does not say so). Returns the token
    ranges of the datelines' places."""
    datelines = wire_datelines(doc) if "(" in doc.text else []
    if not datelines:
        return []
    ents = []
    for ent in doc.ents:
        if any(agency[0] < ent.end and ent.start < agency[1] for _, agency in datelines):
            continue
        place = next((p for p, _ in datelines if p[0] <= ent.start and ent.end <= p[1]), None)
        if place is not None and ent.label_ in ("PERSON", "ORG", "NORP"):
            ent = SpacySpan(doc, ent.start, ent.end, label="GPE")
        ents.append(ent)
    ents += [SpacySpan(doc, *agency, label="ORG") for _, agency in datelines]
    doc.ents = sorted(ents, key=lambda e: e.start)
    return [place for place, _ in datelines]


def tag_plain_datelines(doc: Doc) -> list[tuple[int, int]]:
    """Keep a dateline with no agency (:data:`PLAIN_DATELINE`) out of the names after it: the recognizer read
    "BRUSSELS - European Union" as one organization. A name running across the dash is cut there, the part
    before it a place; a name before the dash the recognizer called a person or an organization is a place,
    and the town is one where the recognizer found nothing. A slug ("BREAKING - ") is cut off and names nothing.
    Returns the token ranges of the datelines' places."""
    if "-" not in doc.text and "\u2013" not in doc.text and "\u2014" not in doc.text:
        return []
    lines, towns = [], []
    for match in PLAIN_DATELINE.finditer(doc.text):
        place = doc.char_span(*match.span("place"), alignment_mode="expand")
        after = doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
        if place is None or after is None:
            continue
        slug = news_slug(match)  # "BREAKING - Siemens ...": no town, but Siemens all the same
        lines.append((place.start, place.start if slug else place.end, after.start))
        if not slug:
            comma = next((t.i for t in place if t.text == ","), place.end)
            towns.append((place.start, comma))
            if comma + 1 < place.end:  # "ARLINGTON, Virginia -": the state or country too
                towns.append((comma + 1, place.end))
    if not lines:
        return []
    ents = [SpacySpan(doc, start, end, label="GPE") for start, end in towns  # a place the recognizer missed
            if not any(e.start < end and start < e.end for e in doc.ents)]
    for ent in doc.ents:
        line = next(((start, end, body) for start, end, body in lines if start <= ent.start < body), None)
        if line is None:
            ents.append(ent)
            continue
        start, end, body = line
        if ent.start < end:
            label = "GPE" if ent.label_ in ("PERSON", "ORG", "NORP") else ent.label_
            ents.append(SpacySpan(doc, ent.start, min(ent.end, end), label=label))
        if ent.end > body:  # the name the line goes on with: "European Union", "- Volkswagen AG" without its dash
            ents.append(SpacySpan(doc, body, ent.end, label=ent.label_))
    doc.ents = sorted(ents, key=lambda e: e.start)
    return [(start, end) for start, end, _ in lines]


def _source_word(token) -> bool:
    """A word of a newspaper's or broadcaster's name: capitalized ("GLOBO", "Suomen", "Kanal-6"), or "de"."""
    return (token.text[:1].isupper() and not token.is_punct and not token.like_num
            and token.ent_type_ not in ("DATE", "TIME", "CARDINAL", "LANGUAGE"))


CURATED_LABELS = {"ORG": "ORG", "PERSON": "PERSON", "PLACE": "GPE"}


def join_curated_names(doc: Doc) -> None:
    """A name of the curated alias table (``kgraph/data/aliases.json``) the recognizer cut the first word off, or
    missed: "Real" + "Madrid" (a town) of "Real Madrid manager Carlo Ancelotti" is the club, with the table's type."""
    ents, changed = list(doc.ents), False
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    for index, ent in enumerate(ents):
        start = ent.start
        if start == 0 or start - 1 in taken or not doc[start - 1].text[:1].isupper() or doc[start - 1].is_sent_start \
                and doc[start - 1].lower_ in ("the", "a", "an"):
            continue
        found = curated_alias(doc[start - 1:ent.end].text)
        if found is not None:
            ents[index] = SpacySpan(doc, start - 1, ent.end, label=CURATED_LABELS.get(found[1], "ORG"))
            taken.add(start - 1)
            changed = True
    if changed:
        doc.ents = ents


def join_organization_parts(doc: Doc) -> None:
    """Join what the recognizer cut off an organization's name: its nationality adjective ("Chinese" + "Foreign
    Ministry", "Tunis Tunisian" + "Republic Radio Network": CoNLL04 train marks the adjective inside the name 16
    times in 18) and the place after a trailing "of" ("A University of" + "Texas")."""
    ents = list(doc.ents)
    joined, changed, i = [], False, 0
    while i < len(ents):
        ent = ents[i]
        after = ents[i + 1] if i + 1 < len(ents) else None
        if (after is not None and after.start == ent.end and after.label_ == "ORG" and ent.label_ in ("NORP", "GPE")
                and _nationality(ent[-1]) and (ent.label_ == "NORP" or len(ent) > 1)):
            if ent.label_ == "GPE":  # "Tunis Tunisian": the town, then the adjective with the organization
                joined.append(SpacySpan(doc, ent.start, ent.end - 1, label="GPE"))
            joined.append(SpacySpan(doc, ent.end - 1, after.end, label="ORG"))
            changed, i = True, i + 2
            continue
        if (after is not None and after.start == ent.end and ent.label_ == "ORG" and len(ent) > 1
                and ent[-1].lower_ == "of" and after.label_ in ("GPE", "LOC")):
            joined.append(SpacySpan(doc, ent.start, after.end, label="ORG"))
            changed, i = True, i + 2
            continue
        if (len(ent) == 1 and ent[0].lower_.rstrip(".") in LEGAL_FORM_WORDS and joined and joined[-1].end == ent.start
                and joined[-1].label_ in ("ORG", "PERSON")):  # not a place: "Bethesda Game Studios Dallas LLC"
            ent = SpacySpan(doc, joined.pop().start, ent.end, label="ORG")  # "Airbus" + "SE" (read as a person)
            changed = True
        elif len(ent) == 1 and ent.label_ == "ORG" and ent[0].lower_.rstrip(".") in LEGAL_FORM_WORDS:
            first = ent.start  # "Nestle SA" read as "SA" after a dateline: the capitalized words before it
            floor = joined[-1].end if joined else 0
            while first > floor and doc[first - 1].pos_ == "PROPN" and doc[first - 1].text[:1].isupper():
                first -= 1
                if doc[first].is_sent_start:
                    break
            if first < ent.start:
                ent = SpacySpan(doc, first, ent.end, label="ORG")
                changed = True
        joined.append(ent)
        town = _company_town(ent, after)
        if town is not None:
            joined.append(town)
            changed = True
        i += 1
    if changed:
        doc.ents = joined


def _company_town(ent: SpacySpan, after: SpacySpan | None) -> SpacySpan | None:
    """The town the recognizer missed after a company's "of": "Avis Bourg Co. of Folsom" (CoNLL04 train: a
    place all 8 times)."""
    doc = ent.doc
    if ent.label_ != "ORG" or ent[-1].lower_.rstrip(".") not in COMPANY_ENDINGS or ent.end + 1 >= len(doc):
        return None
    if doc[ent.end].lower_ != "of":
        return None
    end = ent.end + 1
    while (end < len(doc) and end - ent.end <= 3 and doc[end].is_alpha and doc[end].text[:1].isupper()
           and not doc[end].ent_type_):
        end += 1
    if end == ent.end + 1 or after is not None and after.start < end:
        return None
    return SpacySpan(doc, ent.end + 1, end, label="GPE")


def _nationality(token) -> bool:
    """A capitalized nationality adjective ("Chinese"), not a country's name."""
    return (token.text[:1].isupper() and not token.text.isupper() and bool(demonym_countries(token.text))
            and country(token.text) is None)


def _split_ents(doc: Doc, split: Callable[[SpacySpan], list[SpacySpan] | None]) -> None:
    """Put in place of each of ``doc``'s entity spans the spans ``split`` makes of it (None: the span stays)."""
    parts, changed = [], False
    for ent in doc.ents:
        pieces = split(ent)
        changed |= pieces is not None
        parts += [ent] if pieces is None else pieces
    if changed:
        doc.ents = parts


def entity_mentions(doc: Doc, article: Article) -> list[EntityMention]:
    """The entity mentions of a parsed article, with offsets in ``article.text``."""
    split_qualified_places(doc)
    tag_dateline_organizations(doc)
    datelines = tag_wire_datelines(doc) + tag_plain_datelines(doc)  # their places: a town in capitals is renamed
    join_organization_parts(doc)
    split_names_joined_by_of(doc)
    join_particle_names(doc)
    join_curated_names(doc)
    add_repeated_names(doc)
    tag_company_title_owners(doc)
    tag_described_organizations(doc)
    retag_named_numbers(doc)
    retag_speaking_surnames(doc)
    retag_places_lived_in(doc)
    ents = doc.ents  # read once: each reading makes every entity's Span anew
    by_start = {ent.start: ent for ent in ents}
    sentences = _Sentences(doc)
    surnames = {ent[-1].text for ent in ents if ent.label_ == "PERSON" and len(ent) > 1}
    mentions = []
    headline_mentions = []
    for ent in ents:
        if ent.label_ not in LABEL_TYPES:
            continue
        sent = sentences.of(ent.start)
        mention = _mention(ent, sent, article, surnames)
        if mention is None:
            continue
        if mention.name.isupper() and any(start <= ent.start and ent.end <= end for start, end in datelines):
            mention.name = string.capwords(mention.name)  # "BRUSSELS -": the town is Brussels
        if _in_place_context(ent, by_start):
            mention.label = "GPE"
            mention.span = Span(mention.span.text, mention.span.start, mention.span.end, "PLACE")
            mention.place_context = True
        (headline_mentions if sentences.headline(sent) else mentions).append(mention)
    if all(sentences.headlines):
        return sorted(mentions + headline_mentions, key=lambda m: m.span.start)  # a text with no body to check against
    # Title Case headlines defeat the tagger ("NATO Agrees to Expand Iraq Training Mission"):
    # keep a headline mention only when the body names the same entity.
    body_keys = {_base_key(m) for m in mentions}
    kept = [m for m in headline_mentions if _base_key(m) in body_keys or _base_key(m).startswith("country:")]
    kept += _body_names_in_headlines(doc, sentences, article, mentions, kept)
    return sorted(mentions + kept, key=lambda m: m.span.start)


class _Sentences:
    """A Doc's sentences, listed once for all its mentions: the one a token is in (what ``Span.sent`` gives for
    a span starting there) and whether each is a headline."""

    def __init__(self, doc: Doc) -> None:
        self.spans = list(doc.sents)
        self.index = [0] * len(doc)  # token -> its sentence
        for number, sent in enumerate(self.spans):
            self.index[sent.start:sent.end] = [number] * len(sent)
        text = doc.text  # made anew from the tokens at each reading
        self.headlines = [is_headline(sent) and _own_line(sent, text) for sent in self.spans]

    def of(self, token: int) -> SpacySpan:
        return self.spans[self.index[token]]

    def headline(self, sent: SpacySpan) -> bool:
        return self.headlines[self.index[sent.start]]


def add_repeated_names(doc: Doc) -> None:
    """Tag again what the recognizer named once and missed later: a person's surname on its own
    ("McNulty" after "Cmdr. Jessica L. McNulty"), a multi-word name written again in full.

    >>> import spacy
    >>> doc = spacy.blank("en")("Jessica McNulty spoke . McNulty left .")
    >>> doc.ents = [SpacySpan(doc, 0, 2, label="PERSON")]
    >>> add_repeated_names(doc)
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Jessica McNulty', 'PERSON'), ('McNulty', 'PERSON')]
    """
    ents = doc.ents  # read once: each reading makes every entity's Span anew
    wanted: dict[tuple[str, ...], str] = {}
    # a one-word place written again before "-based" ("SEATTLE - ... the Seattle-based company"), where the
    # recognizer rarely sees a name; elsewhere a lone word may be anything ("Jordan")
    places = {ent.text.lower(): ent.label_ for ent in ents if ent.label_ in ("GPE", "LOC") and len(ent) == 1}
    for ent in ents:
        if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].is_alpha and ent[-1].text[0].isupper() and len(ent[-1]) > 2:
            wanted.setdefault((ent[-1].text,), "PERSON")
        if ent.label_ in LABEL_TYPES and len(ent) > 1 and all(t.is_alpha or t.is_punct for t in ent):
            wanted.setdefault(tuple(t.text for t in ent), ent.label_)
        if (ent.label_ == "ORG" and len(ent) == 2 and ent[-1].lower_.rstrip(".") in COMPANY_FORMS
                and ent[0].is_alpha and ent[0].text[0].isupper() and len(ent[0]) > 2):
            wanted.setdefault((ent[0].text,), "ORG")  # "Kroger" after "Kroger Co"
    if not wanted and not places:
        return
    strings = doc.vocab.strings
    texts = [strings[orth] for orth in doc.to_array(ORTH).tolist()]  # each token's text, with no Token made
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    found = []
    if places:
        for i, text in enumerate(texts[:-2]):
            if (texts[i + 1] == "-" and texts[i + 2].lower() == "based" and text.lower() in places
                    and text[:1].isupper() and i not in taken):
                taken.add(i)
                found.append(SpacySpan(doc, i, i + 1, label=places[text.lower()]))
    if not wanted and not found:
        return
    by_start = {ent.start: ent for ent in ents}
    first_words = {words[0] for words in wanted}
    starts: dict[str, list[int]] = defaultdict(list)  # where each first word is, so a name is looked for only there
    for i, text in enumerate(texts):
        if text in first_words:
            starts[text].append(i)
    for words, label in sorted(wanted.items(), key=lambda kv: -len(kv[0])):
        size = len(words)
        for i in starts.get(words[0], ()):
            if tuple(texts[i:i + size]) != words or any(j in taken for j in range(i, i + size)):
                continue
            if label == "PERSON" and size == 1 and _in_place_context(doc[i:i + 1], by_start):
                continue  # "Austin, Texas" after "Lloyd Austin"
            taken.update(range(i, i + size))
            found.append(SpacySpan(doc, i, i + size, label=label))
    if found:
        doc.set_ents(sorted([*ents, *found], key=lambda e: e.start), default="unmodified")


# "Ursula von der Leyen", "Alexander Van der Bellen" (written so too), "Ludwig van Beethoven": a particle, then perhaps
# an article; not "de" ("Rio de Janeiro"), nor an article alone ("Das Lied der Deutschen")
NAME_PARTICLES = {"von", "van", "vom", "zu", "ter"}
PARTICLE_ARTICLES = {"der", "den", "dem"}


def join_particle_names(doc: Doc) -> None:
    """A person's name with a Dutch or German particle is one name: the recognizer cut "Ursula von der Leyen" into
    two places, "Ursula" and "Leyen". Capitalized words before and after a particle written in lower case
    (:data:`NAME_PARTICLES`, then perhaps "der"), at least one of them a name the recognizer found, become one
    person; a country after them ("von Germany") does not, nor a town after "an der" ("Frankfurt an der Oder":
    "an" is no particle)."""
    ents = list(doc.ents)
    by_token = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    joined = []
    i = 1
    while i < len(doc) - 1:
        end = i + 1 if doc[i].text in NAME_PARTICLES else i
        if end > i and end < len(doc) and doc[end].text in PARTICLE_ARTICLES:
            end += 1
        if end == i or end >= len(doc):
            i += 1
            continue
        before, after = doc[i - 1], doc[end]
        if (before.is_alpha and after.is_alpha and before.text[:1].isupper() and after.text[:1].isupper()
                and (before.i in by_token or after.i in by_token) and not country(after.text)):
            start = by_token[before.i].start if before.i in by_token else before.i
            stop = by_token[after.i].end if after.i in by_token else after.i + 1
            joined.append(SpacySpan(doc, start, stop, label="PERSON"))
        i = end
    if joined:
        covered = {i for span in joined for i in range(span.start, span.end)}
        kept = [ent for ent in ents if not any(i in covered for i in range(ent.start, ent.end))]
        doc.set_ents(sorted([*kept, *joined], key=lambda e: e.start), default="unmodified")


def tag_company_title_owners(doc: Doc) -> None:
    """The name right before a title only a company gives (:data:`COMPANY_TITLES`) is an organization's: one the
    recognizer missed ("Gary Steele, Splunk's chief executive, will join Cisco", where the classifier then gave
    Steele's job to Cisco; "Ford chief executive Jim Farley", with a person's name after the title), and a one-word
    name, wherever the article names it ("Lufthansa agreed to buy ... Carsten Spohr, Lufthansa's chief
    executive": a person twice to the recognizer, an organization once, so the article's Lufthansa was a person). Not a country,
    nor a surname of a person the article names in full."""
    ents = doc.ents
    taken = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    persons = {ent.start for ent in ents if ent.label_ == "PERSON"}
    surnames = {ent[-1].text for ent in ents if ent.label_ == "PERSON" and len(ent) > 1}
    found, owners = [], set()
    for i in range(1, len(doc)):
        title = _company_title_at(doc, i)
        if title is None:
            continue
        possessive = doc[i - 1].tag_ == "POS"
        end = i - 1 if possessive else i
        if not possessive and title[1] not in persons:  # "Ford chief executive Jim Farley": a person right after
            continue
        if end - 1 in taken:
            ent = taken[end - 1]
            if (ent.end == end and len(ent) == 1 and ent.label_ in ("PERSON", "GPE", "LOC", "ORG")
                    and ent.text not in surnames and not country(ent.text)):
                owners.add(ent.text)
            continue
        start = _name_start(doc, end, taken)
        if start < end:
            found.append(SpacySpan(doc, start, end, label="ORG"))
            taken.update(dict.fromkeys(range(start, end), found[-1]))
    if owners:
        _relabel(doc, lambda ent: "ORG" if len(ent) == 1 and ent.text in owners else None)
        ents = doc.ents
    if found:
        doc.set_ents(sorted([*ents, *found], key=lambda e: e.start), default="unmodified")


# What a name in apposition to is, or is said to be, that makes it a company, not a place: "Northvolt, the Swedish
# battery maker". Narrower than ORG_NOUNS: "the Andes, a mountain chain"; "Kenya, a major tea producer" is a country.
COMPANY_NOUNS = {"company", "firm", "corporation", "manufacturer", "maker", "carmaker", "automaker", "planemaker",
                 "chipmaker", "drugmaker", "bank", "retailer", "airline", "startup", "start-up", "insurer", "lender",
                 "conglomerate", "subsidiary", "broadcaster", "publisher", "newspaper", "exchange", "lab", "laboratory",
                 "giant", "developer", "operator", "supplier", "provider", "agency", "regulator"}


def tag_described_organizations(doc: Doc) -> None:
    """A name the text describes as a company is an organization's, wherever the article names it: based or
    headquartered somewhere ("Amazon, based in Seattle,", "Nvidia, which is based in Santa Clara,", "Spotify, the
    Stockholm-based streaming service,"), or in apposition to a company's noun ("Northvolt, the Swedish battery
    maker": :data:`COMPANY_NOUNS`). The recognizer, which learnt from 1990s news, had all four places, and found no
    name in "Apple, based in Cupertino,". The parse must hang the description on the name: "based"/"headquartered"
    in a clause on it (its subject "which" or "that", where it has one) with "in" or "at" after it, "the X-based
    <noun>" in apposition, or the noun phrase (:func:`_apposed_company`); or a company's title is of it ("chief
    executive of Nvidia": :func:`_company_title_of`). A name it typed a place (no country, no US state) becomes an
    organization; one it missed, the capitalized words ending at the word the description hangs on, is added. So
    does a name it typed a person that a company's noun or title describes ("chief executive of Binance"); a person
    based somewhere stays a person ("Jane Doe, based in London,": a reporter is based somewhere too).

    So is a name the recognizer missed that says what "it" will do ("Google said on Monday it would open a data
    center in Finland": :func:`_speaks_of_itself_as_it`); a name it typed a place is left as it is there, since
    "Beijing said it would retaliate" is a government speaking."""
    based = any(token.lower_ in BASED_WORDS or token.lower_.endswith("-based") for token in doc)
    ents = doc.ents
    names = {ent.text for ent in ents if ent.label_ in ("GPE", "LOC", "PERSON") and not country(ent.text)
             and not us_state(ent.text) and not _before_its_region(ent)
             and (ent.label_ != "PERSON" and based and _described_as_based(ent[-1]) or _apposed_company(ent)
                  or _company_title_of(ent) or len(ent) == 1 and _hires_as_its(ent) or _after_company_noun(ent)
                  or _club_title(ent))}
    taken = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    found = []
    for token in doc:
        if token.i in taken or token.pos_ != "PROPN" or not token.is_alpha or not token.text[:1].isupper():
            continue
        name = doc[_name_start(doc, token.i, taken):token.i + 1]
        if (name.start > 0 and doc[name.start - 1].text in ("-", "&")
                or len(name) == 1 and token.lower_ in GENERIC_WORDS):
            continue  # "Twenty-One Company": the name runs on before its first capitalized word, or is no name
        if (based and _described_as_based(token) or _apposed_company(name) or _company_title_of(name)
                or _after_company_noun(name) or token.dep_ == "nsubj" and _speaks_of_itself_as_it(name)):
            found.append(SpacySpan(doc, name.start, name.end, label="ORG"))
            taken.update(dict.fromkeys(range(name.start, name.end), found[-1]))
    names.update(span.text for span in found)
    if names:
        surnames = {ent[-1].text for ent in ents if ent.label_ == "PERSON" and len(ent) > 1}
        _relabel(doc, lambda ent: "ORG" if ent.text in names and ent.label_ in ("GPE", "LOC", "PERSON")
                 and ent.text not in surnames else None)
    if found:
        doc.set_ents(sorted([*doc.ents, *found], key=lambda e: e.start), default="unmodified")


def _apposed_company(ent: SpacySpan) -> bool:
    """A noun phrase right after the name and a comma, opening with "a", "an" or "the", in apposition to it, whose
    noun is a company's (:data:`COMPANY_NOUNS`): "Bollore, a French corporation". Not after "in": "a manager in
    Zwijndrecht, a subsidiary of RAG" describes what is in the town."""
    root = ent.root
    if ent.end >= len(ent.doc) or ent.doc[ent.end].text != "," or root.dep_ == "pobj" and root.head.lower_ == "in":
        return False
    return any(child.dep_ == "appos" and child.lemma_.lower() in COMPANY_NOUNS and child.pos_ == "NOUN"
               and child.left_edge.i == ent.end + 1 and child.left_edge.lower_ in ("a", "an", "the")
               for child in root.children)


# A player's or coach's title after a club's name: "Barcelona coach Hansi Flick", "Liverpool striker Mohamed Salah"
# (not a governor's: CoNLL04 has "Texas Gov. X" living in Texas)
SPORTS_ROLES = {"coach", "manager", "striker", "midfielder", "defender", "goalkeeper", "winger", "forward",
                "captain", "quarterback", "pitcher", "playmaker", "keeper"}


def _club_title(ent: SpacySpan) -> bool:
    """A town's name right before a player's or coach's title (:data:`SPORTS_ROLES`, perhaps after "head" or
    "assistant") and a person's name: the club ("Real Madrid manager Carlo Ancelotti"), not the town. Not a
    country's (its national team is named as the country is)."""
    doc, i = ent.doc, ent.end
    while i < len(doc) and doc[i].lower_ in ("head", "assistant", "new", "former", "interim", "caretaker"):
        i += 1
    return (i + 1 < len(doc) and doc[i].lower_ in SPORTS_ROLES and doc[i + 1].ent_type_ == "PERSON"
            and doc[i + 1].ent_iob_ == "B")


NAMING_NOUNS = COMPANY_NOUNS | {"fund"}  # right before a company's name: "the hedge fund Citadel"
EVENT_WORDS = {"meeting", "conference", "summit", "forum", "festival", "award", "awards", "prize", "day", "week"}


def _after_company_noun(name: SpacySpan) -> bool:
    """A name the recognizer missed right after a company's noun that "the" or "a" opens ("the collapsed
    cryptocurrency exchange FTX", "the hedge fund Citadel"), and ending the noun phrase."""
    doc = name.doc
    if name.start < 2 or name[-1].lower_ in EVENT_WORDS or name.end < len(doc) and (
            doc[name.end].pos_ in ("NOUN", "PROPN") or doc[name.end].text in ("-", "&")):
        return False  # "the company Annual General Meeting", "the family company Uhl-Bonaventure"
    noun = doc[name.start - 1]
    if not noun.is_lower or noun.lemma_.lower() not in NAMING_NOUNS:  # "exchange": a PROPN to the tagger
        return False
    for i in range(name.start - 2, max(-1, name.start - 6), -1):  # back to "the", over words that describe
        if doc[i].lower_ in ("the", "a", "an"):
            return True
        if doc[i].pos_ not in ("ADJ", "NOUN", "VERB") or doc[i].is_punct:
            return False
    return False


def _before_its_region(ent: SpacySpan) -> bool:
    """A place's name after a comma right after the name: "CEO of Montvale, New Jersey's A&P" names a town."""
    doc, i = ent.doc, ent.end
    return i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].ent_type_ in ("GPE", "LOC") \
        and doc[i + 1].ent_iob_ == "B"


def _company_title_of(ent: SpacySpan) -> bool:
    """The name whose title only a company gives ("the founder and chief executive of Nvidia", "CEO of Klarna"):
    a company, unlike what a mayor or a president is "of"."""
    root = ent.root
    if root.dep_ != "pobj" or root.head.lower_ != "of":
        return False
    of = root.head.i
    titles = (_company_title_at(ent.doc, start) for start in range(max(0, of - 3), of))
    return any(title is not None and title[1] == of for title in titles)  # the title ends right before "of"


def _name_start(doc: Doc, end: int, taken: dict) -> int:
    """Where the capitalized words that no entity holds, running back from token ``end - 1``, begin ("Deutsche" of
    "Deutsche Bank" said, for ``end`` at "Bank"); ``end`` when there is none."""
    start = end
    while start > 0 and start - 1 not in taken and _capitalized_name_word(doc[start - 1]):
        start -= 1
    return start


def _described_as_based(token) -> bool:
    """``token`` (a name's last word) has "based in ..." or "headquartered in ..." hanging on it, set off by a comma,
    or a noun phrase in apposition right after the comma, "the"/"a" and "X-based" before its noun
    (:func:`tag_described_organizations`)."""
    doc = token.doc
    if token.i + 1 >= len(doc) or doc[token.i + 1].text != ",":
        return False
    for child in token.children:
        if child.i <= token.i:
            continue
        if child.lower_ in BASED_WORDS and child.dep_ in ("acl", "relcl"):
            subjects = [c for c in child.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects and subjects[0].lower_ not in ("which", "that"):
                continue
            if any(c.dep_ == "prep" and c.lower_ in ("in", "at") for c in child.children):
                return True
        elif child.dep_ in ("appos", "npadvmod") and child.pos_ == "NOUN" and child.left_edge.i == token.i + 2 \
                and child.left_edge.lower_ in ("the", "a", "an"):
            if any(c.lower_ == "based" or c.lower_.endswith("-based") for c in child.children
                   if c.i < child.i and c.dep_ == "amod"):
                return True
    return False


def _capitalized_name_word(token) -> bool:
    """A capitalized word the tagger calls a proper noun, or a common noun in mid-sentence ("Splunk's")."""
    return (token.is_alpha and token.text[:1].isupper()
            and (token.pos_ == "PROPN" or token.pos_ == "NOUN" and not token.is_sent_start))


def retag_named_numbers(doc: Doc) -> None:
    """A capitalized word after "in", "at", "near" ... that the recognizer called a number ("based in Stavanger":
    ORDINAL) is a place."""
    if any(ent.label_ in ("ORDINAL", "CARDINAL") for ent in doc.ents):
        _relabel(doc, lambda ent: "GPE" if (
            ent.label_ in ("ORDINAL", "CARDINAL") and all(t.is_alpha and t.text[:1].isupper() and not t.like_num
                                                          for t in ent)
            and ent.root.dep_ == "pobj" and ent.root.head.lower_ in PLACE_PREPOSITIONS) else None)


def retag_speaking_surnames(doc: Doc) -> None:
    """A person's surname the recognizer called a place or a nationality where it says something: "Scholz said
    Germany would deploy a brigade" after "German Chancellor Olaf Scholz" (the recognizer, trained on CoNLL04,
    took Scholz for a place in both the headline and the body). Only as the subject of a verb of saying, and no
    country: "Austin" in "based in Austin" stays a town beside "Lloyd Austin"."""
    surnames = {ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].is_alpha}
    if surnames:
        _relabel(doc, lambda ent: "PERSON" if (
            len(ent) == 1 and ent.label_ in ("GPE", "LOC", "NORP") and ent[0].text in surnames
            and ent[0].dep_ == "nsubj" and ent[0].head.lemma_.lower() in REPORTING_VERBS
            and not country(ent[0].text)) else None)


def retag_places_lived_in(doc: Doc) -> None:
    """The place someone lives in, travels or flies to or arrives in is a place, whatever the recognizer said:
    "Djokovic, who lives in Monte Carlo", "von der Leyen travelled to Kyiv" (a person to it)."""
    _relabel(doc, lambda ent: "GPE" if (
        ent.label_ in ("PERSON", "ORG") and ent.root.dep_ == "pobj"
        and ent.root.head.lower_ in PLACE_VERB_PREPOSITIONS.get(ent.root.head.head.lemma_.lower(), ())) else None)


def _relabel(doc: Doc, new_label: Callable[[SpacySpan], str | None]) -> None:
    """Give each entity the label ``new_label`` says, where it says one."""
    found, changed = [], False
    for ent in doc.ents:
        label = new_label(ent)
        found.append(ent if label is None else SpacySpan(doc, ent.start, ent.end, label=label))
        changed = changed or label is not None
    if changed:
        doc.ents = found


UK_NATIONS = {"England", "Scotland", "Wales", "Northern Ireland"}  # countries, though not ISO 3166 ones


def split_qualified_places(doc: Doc) -> None:
    """Split a place the recognizer read as one span with its country after a comma ("Paris, France",
    "Leeds, England") into one place per part, so that the town is found under its own name, the country
    joins the article's other mentions of it, and the pair gets a ``located_in`` relation.

    A town with its state ("Springfield, Ill.") stays one span: CoNLL04, which the recognizer learnt from,
    marks it so as often as not (81 to 129 times in its train split), mostly where the recognizer joins them.

    >>> import spacy
    >>> doc = spacy.blank("en")("He moved from Nimes , France to Springfield , Ill. last year .")
    >>> doc.ents = [SpacySpan(doc, 3, 6, label="GPE"), SpacySpan(doc, 7, 10, label="GPE")]
    >>> split_qualified_places(doc)
    >>> [(e.text, e.label_) for e in doc.ents]
    [('Nimes', 'GPE'), ('France', 'GPE'), ('Springfield , Ill.', 'GPE')]
    """
    def places(ent: SpacySpan) -> list[SpacySpan] | None:
        pieces = _town_and_country(ent) if ent.label_ in ("GPE", "LOC") else None
        return [SpacySpan(doc, start, end, label="GPE") for start, end in pieces] if pieces else None

    _split_ents(doc, places)


def _town_and_country(ent: SpacySpan) -> list[tuple[int, int]] | None:
    """The token ranges of "Town, Country" (or "Town, Region, Country") when the part after the last comma
    is a country and every part starts with a capital; None when the span is one place."""
    commas = [t.i for t in ent if t.text == ","]
    if not commas:
        return None
    bounds = [ent.start, *commas, ent.end]
    pieces = [(start + (start != ent.start), end) for start, end in zip(bounds, bounds[1:])]
    if any(end <= start or not ent.doc[start].text[:1].isupper() for start, end in pieces):
        return None
    last = normalize_name(ent.doc[pieces[-1][0]:pieces[-1][1]].text)
    return pieces if country(last) is not None or last in UK_NATIONS else None


def _body_names_in_headlines(doc: Doc, sentences: _Sentences, article: Article, body: list[EntityMention],
                             kept: list[EntityMention]) -> list[EntityMention]:
    """Names the body uses, found again in Title Case headlines that the tagger missed them in."""
    taken = {i for m in kept for i in range(*m.tokens)}
    by_name = {}
    for mention in body:
        by_name.setdefault(mention.name, mention)
    longest_first = sorted(by_name, key=len, reverse=True)
    found = []
    for sent, headline in zip(sentences.spans, sentences.headlines):
        if not headline:
            continue
        text = sent.text
        for name in longest_first:
            if name not in text:
                continue  # most names are not in a given headline: no pattern to make for them
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                span = doc.char_span(sent.start_char + match.start(), sent.start_char + match.end())
                if span is None or any(i in taken for i in range(span.start, span.end)):
                    continue
                taken.update(range(span.start, span.end))
                template = by_name[name]
                start = article.to_text_offset(span.start_char)
                end = article.to_text_offset(span.end_char - 1) + 1
                sentence = (article.to_text_offset(sent.start_char), article.to_text_offset(sent.end_char - 1) + 1)
                found.append(EntityMention(span=Span(article.text[start:end], start, end, template.span.type),
                                           name=name, label=template.label, sentence=sentence,
                                           tokens=(span.start, span.end), place_context=template.place_context))
    return found


def _own_line(sent: SpacySpan, text: str) -> bool:
    """The sentence is a line of its own, as a headline is: not a Title Case run before more text on its line
    ("JN3003215794 Baghdad BABIL in Arabic 26" before "Mar 94 p 2", "Today 's highlight in history :").
    ``text`` is the Doc's text."""
    start, end = sent.start_char, sent.end_char
    before, after = start, end  # past the spaces and tabs on either side (no copy of the text around it)
    while before and text[before - 1] in " \t":
        before -= 1
    while after < len(text) and text[after] in " \t":
        after += 1
    own = text[start:end]
    return ((not before or text[before - 1] == "\n" or own.lstrip(" \t").startswith("\n"))
            and (after == len(text) or text[after] == "\n" or own.rstrip(" \t").endswith("\n")))


def is_headline(sent: SpacySpan) -> bool:
    """A Title Case line with no full stop: most of its words capitalized."""
    if sent[-1].text == ".":
        return False
    words = [t for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) >= 0.75 * len(words)


def _in_place_context(ent: SpacySpan, entities: dict[int, SpacySpan]) -> bool:
    """"Austin, Texas", "an Austin-based firm": the name is a place here, whatever the tagger said.
    ``entities``: the Doc's entity spans by their first token."""
    doc, end = ent.doc, ent.end
    if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ == "based":
        return True
    if end < len(doc) and doc[end].lower_.startswith("-based"):
        return True
    if end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].ent_type_ == "GPE" and doc[end + 1].ent_iob_ == "B":
        nxt = entities[end + 1]
        if nxt.end < len(doc) and doc[nxt.end].tag_ == "POS":
            return _possessed_place(doc, nxt.end + 1)  # "Fuad Hussein, Iraq's foreign minister"; "Baghdad, Iraq's capital"
        return country(nxt.text) is not None or us_state(nxt.text) is not None
    return False


def _possessed_place(doc: Doc, start: int) -> bool:
    """The noun phrase from token ``start`` (after "Iraq's") names a place: its first noun is a place noun
    (:data:`PLACE_NOUNS`: "capital", "second-largest city"), not a post ("foreign minister")."""
    for token in doc[start:start + 6]:
        if token.is_punct or token.pos_ == "VERB":
            return False
        if token.pos_ in ("NOUN", "PROPN") and (token.i + 1 >= len(doc) or doc[token.i + 1].pos_ not in ("NOUN", "PROPN")):
            return token.lemma_.lower() in PLACE_NOUNS
    return False


# What only an organization is: "X is headquartered in", "X, a software company", "Based in Ohio, X ...".
ORG_VERBS = {"headquarter", "headquartered", "base", "incorporate", "found", "establish"}
ORG_NOUNS = {
    "company", "firm", "corporation", "manufacturer", "bank", "agency", "organization", "organisation", "publisher",
    "retailer", "airline", "university", "college", "network", "brand", "subsidiary", "startup", "provider", "maker",
    "producer", "developer", "conglomerate", "business", "charity", "nonprofit", "magazine", "newspaper", "consultancy",
    "institute", "foundation", "association", "supplier", "distributor", "operator", "chain", "label", "studio",
    "insurer", "lender", "broker", "fund", "group", "broadcaster",
}


def _organization_context(ent: SpacySpan) -> bool:
    """The parse says the name is an organization, whatever the recognizer said: its subject verb is one of
    :data:`ORG_VERBS` in the passive ("is headquartered in", "was founded in"), it is in apposition to, or
    the subject of "be" with, one of :data:`ORG_NOUNS`, an opening "Based in X," hangs off its verb, or it is
    what someone joins, works for or holds a post of (:func:`_employer_context`)."""
    root = ent.root
    verb = root.head
    if root.dep_ == "nsubjpass" and verb.lemma_.lower() in ORG_VERBS:
        return True
    if root.dep_ in ("nsubj", "nsubjpass") and any(c.dep_ in ("advcl", "prep") and c.i < ent.start
                                                   and c.lemma_.lower() in ("base", "headquarter", "headquartered")
                                                   for c in verb.children):
        return True
    return _employer_context(ent) or _described_as(ent, ORG_NOUNS)


NOT_AN_AGENTS_VERBS = {"be", "seem", "appear", "become", "remain", "take"}  # "said it would be hard": "it" is no one


def _speaks_of_itself_as_it(ent: SpacySpan) -> bool:
    """The name says what "it" will do: "Barclays said on Tuesday it would close 50 branches", as only an
    organization speaks of itself (a person says "he", "she" or "I"); "it" must act on something ("close 50
    branches"), not be the "it" of "it would be hard"."""
    root = ent.root
    if root.dep_ != "nsubj" or root.head.lemma_.lower() not in REPORTING_VERBS:
        return False
    for clause in root.head.children:
        if clause.dep_ != "ccomp" or clause.lemma_.lower() in NOT_AN_AGENTS_VERBS:
            continue
        subjects = [c for c in clause.children if c.dep_ == "nsubj"]
        if subjects and subjects[0].lower_ == "it" and any(c.dep_ == "dobj" for c in clause.children):
            return True
    return False


def _described_as(ent: SpacySpan, nouns: set[str]) -> bool:
    """The name is in apposition to, or the subject of "be" with, one of ``nouns``: "Acme, a company that",
    "Taji is a military base"."""
    root = ent.root
    described = [c for c in root.children if c.dep_ == "appos"]
    if root.dep_ == "nsubj" and root.head.lemma_ == "be":
        described += [c for c in root.head.children if c.dep_ == "attr"]
    return any(noun.lemma_.lower() in nouns and noun.pos_ == "NOUN" for noun in described)


JOINING_VERBS = {"join", "found", "co-found", "cofound"}


def _employer_context(ent: SpacySpan) -> bool:
    """What someone joins or founds, works at or for, or holds a post of ("prior to joining Anaeko", "he
    co-founded Mobile Cohesion", "she worked at Openwave", "chairman of Cascade Designs"): an employer, not a
    person."""
    root = ent.root
    head = root.head
    if root.dep_ == "dobj" and head.pos_ == "VERB" and head.lemma_.lower() in JOINING_VERBS:
        return True
    if root.dep_ == "pobj" and head.lower_ == "of" and is_role_word(head.head) and head.head.pos_ in ("NOUN", "PROPN"):
        return True  # "Chairman of Mobile Cohesion"
    return (root.dep_ == "pobj" and head.lower_ in ("at", "for") and head.head.pos_ == "VERB"
            and head.head.lemma_.lower() == "work")


PLACE_NOUNS = {"city", "town", "village", "capital", "base", "camp", "province", "region", "district", "county",
               "state", "country", "island", "port", "suburb", "neighborhood", "neighbourhood", "airport", "airbase"}


BASE_NOUNS = {"base", "airbase", "airfield", "airport"}


def _names_a_base(ent: SpacySpan) -> bool:
    """A name read as a person's, written before "air base" or "airport" ("an attack on Ain al-Asad air base",
    "Ben Gurion airport"): it names the place. Only those nouns: "the Clinton camp" is his campaign."""
    root = ent.root
    return root.dep_ == "compound" and root.head.lemma_.lower() in BASE_NOUNS and root.head.i >= ent.end


def _place_of(ent: SpacySpan) -> bool:
    """The name a place's noun is "of", right after it: "the city of Kharkiv", "the port of Odesa" (a person twice
    to the recognizer). Not "the capital of": a capital's country."""
    doc, root = ent.doc, ent.root
    return (root.dep_ == "pobj" and root.head.lower_ == "of" and ent.start >= 3 and doc[ent.start - 1].lower_ == "of"
            and doc[ent.start - 2].lower_ in PLACE_OF_NOUNS and doc[ent.start - 3].lower_ == "the")


def _town_of_state(ent: SpacySpan) -> bool:
    """A US state after a comma right after the name, and the clause going on or ending after it: "the Becton
    Dickinson Co. of Franklin Lakes, N.J., donates", "Springfield , Ill.": the name is a town."""
    doc, i = ent.doc, ent.end
    if i + 1 >= len(doc) or doc[i].text != ",":
        return False
    state = doc[i + 1]
    if us_state(state.text) is not None:
        after = i + 2
    elif i + 2 < len(doc) and doc[i + 2].text == "." and us_state(f"{state.text}.") is not None:
        after = i + 3  # "Ore" "." as two tokens
    else:
        return False
    return after >= len(doc) or doc[after].is_punct or doc[after].is_sent_start


# Nouns only a person is: "the suspect, Marcus Hale," (the recognizer: an organization)
PERSON_NOUNS = {"suspect", "victim", "man", "woman", "boy", "girl", "driver", "gunman", "shooter", "teenager", "teen",
                "resident", "wife", "husband", "son", "daughter", "father", "mother", "brother", "sister", "widow",
                "friend", "neighbor", "neighbour", "student", "patient", "passenger", "defendant", "inmate",
                "prisoner", "actor", "actress", "singer", "author", "novelist", "poet", "grandmother", "grandfather"}


PARTY_NOUNS = {"party", "movement"}


def _named_as_an_organization(ent: SpacySpan) -> bool:
    """The text names it with an organization's noun: right after "the broadcaster", "the group", "the bank"
    (:data:`ORG_NOUNS`), or right before "party" or "movement" that it qualifies ("whose New Democracy party")."""
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].lower_ in PARTY_NOUNS and ent.root.head.i == ent.end:
        return True
    return (ent.start >= 2 and doc[ent.start - 1].pos_ == "NOUN" and doc[ent.start - 1].lower_ in ORG_NOUNS
            and doc[ent.start - 2].lower_ in ("the", "a", "an"))


def _person_apposition(ent: SpacySpan) -> bool:
    """The name is in apposition to a noun only a person is (:data:`PERSON_NOUNS`): "the suspect, Marcus Hale,",
    "Marcus Hale, a 24-year-old man,". For a name read as an organization only: the parser hangs "the daughter of"
    on the town before it ("born in Jamestown, N.Y., the daughter of an electrician")."""
    doc = ent.doc
    if HEAD_WORD_LABELS.get(ent[-1].lower_.rstrip(".")) == "ORG":
        return False  # "Concord College", whatever the parse hangs on it
    root = ent.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in PERSON_NOUNS and root.head.pos_ == "NOUN":
        return ent.start > 0 and doc[ent.start - 1].text == ","  # set off by commas, as an apposition is
    return ent.end < len(doc) and doc[ent.end].text == "," and _described_as(ent, PERSON_NOUNS)


HIRING_VERBS = {"hire", "appoint", "recruit", "poach"}
APPOINTING_VERBS = HIRING_VERBS | {"name"}  # "as its chief financial officer" after them
# Titles only a company gives, written after its name: "OpenAI chief executive Sam Altman" (a place's come after
# it too: "Ohio Governor Mike DeWine", "Denver Police Chief Ron Thomas")
COMPANY_TITLES = {("chief", "executive"), ("chief", "financial"), ("chief", "operating"), ("chief", "technology"),
                  ("chief", "scientific"), ("chief", "marketing"), ("chief", "commercial"), ("chief", "product"),
                  ("chief", "legal"), ("chief", "risk"), ("chief", "investment"), ("chief", "digital"),
                  ("ceo",), ("cfo",), ("coo",), ("cto",), ("co-founder",), ("cofounder",)}
_COMPANY_TITLE_STARTS = frozenset(title[0] for title in COMPANY_TITLES)


def _hires(ent: SpacySpan) -> bool:
    """The name hires or appoints someone ("OpenAI has hired Fidji Simo", "OpenAI hires former Meta executive"):
    what a company does, where a one-word name is concerned."""
    root = ent.root
    verb = root.head
    if root.dep_ != "nsubj" or verb.lemma_.lower() not in HIRING_VERBS or _as_whose(verb) & {"his", "her"}:
        return False  # "Smith appointed Jones as her deputy"
    return any(c.dep_ in ("dobj", "oprd") and (c.ent_type_ == "PERSON" or c.pos_ == "NOUN" and is_role_word(c))
               for c in verb.children)


def _as_whose(verb) -> set[str]:
    """The possessives of what someone is hired or appointed "as" ("as its chief financial officer": "its"), where
    the parser hangs "as": on the verb, or on a clause after it ("..., the company said")."""
    return {t.lower_ for t in verb.subtree if t.dep_ == "poss" and t.head.head.lower_ == "as"}


def _hires_as_its(ent: SpacySpan) -> bool:
    """The name hires or appoints someone as "its" something ("OpenAI on Tuesday appointed Sarah Friar as its chief
    financial officer"): a company, as a person would appoint someone as "his" or "her" something."""
    root = ent.root
    verb = root.head
    if root.dep_ != "nsubj" or verb.lemma_.lower() not in APPOINTING_VERBS:
        return False
    return any(c.dep_ == "dobj" and c.ent_type_ == "PERSON" for c in verb.children) and _as_whose(verb) == {"its"}


def _before_a_company_title(ent: SpacySpan) -> bool:
    """A one-word name right before a title only a company gives (:data:`COMPANY_TITLES`) and a person's name
    ("OpenAI chief executive Sam Altman"), or owning such a title ("Carsten Spohr, Lufthansa's chief executive")."""
    doc, i = ent.doc, ent.end
    possessive = i < len(doc) and doc[i].tag_ == "POS"
    i += possessive
    title = _company_title_at(doc, i)
    if title is None or i + len(title[0]) >= len(doc):  # a title that ends the text
        return False
    return possessive or (title[1] < len(doc) and doc[title[1]].ent_type_ == "PERSON")


def _company_title_at(doc: Doc, i: int) -> tuple[tuple[str, ...], int] | None:
    """The title only a company gives (:data:`COMPANY_TITLES`) that starts at token ``i``, and the token after it
    ("officer" after "chief executive" is part of it); None where no such title starts there."""
    if i >= len(doc) or doc[i].lower_ not in _COMPANY_TITLE_STARTS:  # most words: no title to try
        return None
    for title in COMPANY_TITLES:
        end = i + len(title)
        if end <= len(doc) and tuple(t.lower_ for t in doc[i:end]) == title:
            return title, end + (1 if len(title) == 2 and end < len(doc) and doc[end].lower_ == "officer" else 0)
    return None


def _who_subject(ent: SpacySpan) -> bool:
    """The subject of its sentence, described by "who" ("Marianne Lake, who runs the bank's consumer business, will
    join", which "Lake" made a place): a person. Not a place after a preposition ("Gov. Gerald Baliles of Virginia,
    who was being replaced": 6 such in CoNLL04 and KnowledgeNet, all the person before)."""
    doc = ent.doc
    return (ent.root.dep_ in ("nsubj", "nsubjpass") and ent.end + 1 < len(doc) and doc[ent.end].text == ","
            and doc[ent.end + 1].lower_ == "who")


def _age_apposition(ent: SpacySpan) -> bool:
    """An age set off by commas right after the name: "Albrecht, 54, is a former professor", as news gives
    a person's age (and never a place's or an organization's)."""
    doc, i = ent.doc, ent.end
    if i + 2 >= len(doc) or doc[i].text != "," or doc[i + 2].text not in (",", ";", "."):
        return False
    age = doc[i + 1].text
    return age.isdigit() and 0 < int(age) < 120


def _mention(ent: SpacySpan, sent: SpacySpan, article: Article,
             surnames: set[str] = frozenset()) -> EntityMention | None:
    """The mention of one entity span (in sentence ``sent``): its offsets cover the name as written with any title
    before it ("President Lincoln", as CoNLL04 marks it); its name and tokens leave the title out, for the role
    patterns."""
    raw = ent.text
    if "\n" in raw:
        return None
    name_tokens = _without_titles(ent) if ent.label_ == "PERSON" else ent
    name = _normalized(raw if name_tokens.start == ent.start else name_tokens.text)
    if ent.label_ == "PERSON":
        name, _titles = strip_titles(name)
    if not any(c.isalpha() for c in name) or len(name) > 120:
        return None
    if " " not in name and (name.casefold() in GENERIC_WORDS or name.rstrip(".").casefold() in HONORIFICS):
        return None
    surface = _surface(ent, sent)
    start = article.to_text_offset(surface.start_char)
    end = article.to_text_offset(surface.end_char - 1) + 1
    sentence = (article.to_text_offset(sent.start_char), article.to_text_offset(max(sent.end_char - 1, sent.start_char)) + 1)
    label = HEAD_WORD_LABELS.get(surface[-1].lower_.rstrip("."), ent.label_) if len(surface) > 1 else ent.label_
    if label in ("PERSON", "ORG") and not name.isupper() and name not in surnames and country(name):
        label = "GPE"  # "Denmark", whatever the recognizer said; but "Jordan" after "Michael Jordan" is him
    if label == "ORG" and len(name.split()) > 1 and ent.start > 0 and is_role_word(ent.doc[ent.start - 1]):
        label = "PERSON"  # "spokesperson Piers Cazalet": a title right before a name makes it a person
    if label != "ORG" and _named_as_an_organization(ent):
        label = "ORG"  # "the broadcaster France Info", "whose New Democracy party"
    if label == "PERSON" and (_organization_context(ent) or len(ent) == 1 and ent.text not in surnames
                              and _speaks_of_itself_as_it(ent)):
        label = "ORG"  # "Cole Carbide is headquartered in Warren", "Barclays said it would close 50 branches"
    elif (label in ("GPE", "LOC", "ORG") and _age_apposition(ent) or label == "ORG" and _person_apposition(ent)
          or label in ("GPE", "LOC", "ORG") and _who_subject(ent) and not country(name)):
        label = "PERSON"  # "Winter, 53, a former Yale University law professor", "the suspect, Marcus Hale,",
        # "Kylian Mbappe, who joined Real Madrid" (an organization "which")
    elif label in ("PERSON", "GPE", "LOC") and len(ent) == 1 and ent.text not in surnames and not country(name) \
            and (_hires(ent) or _before_a_company_title(ent)):
        label = "ORG"  # "OpenAI has hired Fidji Simo", "OpenAI chief executive Sam Altman"
    place_context = label in ("PERSON", "ORG") and (_town_of_state(ent) or _described_as(ent, PLACE_NOUNS)
                                                   or _place_of(ent)) \
        or label == "PERSON" and _names_a_base(ent)
    if place_context:
        label = "GPE"  # "Franklin Lakes, N.J.", "Taji, a military base": a place, whatever the recognizer said
    return EntityMention(span=Span(article.text[start:end], start, end, LABEL_TYPES[label]), name=name,
                         label=label, sentence=sentence, tokens=(name_tokens.start, name_tokens.end),
                         place_context=place_context)


@functools.lru_cache(maxsize=65536)
def _normalized(text: str) -> str:
    """:func:`normalize_name`, remembered: news names the same entities again and again."""
    return normalize_name(text)


def _surface(ent: SpacySpan, sent: SpacySpan) -> SpacySpan:
    """The entity's tokens without a leading article or a trailing possessive: "the U.S. Army's" -> "U.S. Army".
    ``sent`` is the entity's sentence.

    A full stop written apart ("Hal Wallis .") is left out, but for the one of a state's abbreviation standing
    alone ("Minn ."; CoNLL04 train: 13 of 16 so, and 0 of 26 after "Town , State"); in pre-tokenized text one
    glued to the name at the end of a sentence ("Boise.") is kept with it, as CoNLL04 marks names.
    """
    doc = ent.doc
    start, end = ent.start, ent.end
    if end - start > 1 and doc[start].lower_ in ("the", "a", "an") and not (doc[start].text == "THE" and ent.text.isupper()):
        start += 1  # but "THE SUNDAY TIMES", a newspaper's name in capitals, as CoNLL04 marks it
    while end - start > 1 and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct and doc[end - 1].text != "."
                               or doc[end - 1].lower_ in TRAILING_WORDS
                               or doc[end - 1].text == "." and (doc[end - 2].whitespace_ or not _pretokenized(sent))):
        end -= 1
    if (end < len(doc) and doc[end].text == "." and not doc[end - 1].whitespace_ and doc[end - 1].is_alpha
            and (end + 1 == len(doc) or doc[end].whitespace_) and _pretokenized(sent)):
        end += 1
    elif end - start == 1 and end < len(doc) and doc[end].text == "." and us_state(f"{doc[start].text}.") is not None:
        end += 1  # "Chisholm , Minn .": the sentence's full stop, split off, was the abbreviation's own
    return doc[start:end]


SET_OFF = {",", ".", ";", ":", "'s", "n't", "?", "!", ")"}  # written against the word before, unless pre-tokenized


def _pretokenized(sent: SpacySpan) -> bool:
    """Text given as tokens joined by spaces ("Boise , Idaho ."), as CoNLL04 is: there a full stop glued to a
    word was left unsplit by the original tokenizer, and belongs to the name."""
    return any(t.text in SET_OFF and t.i > sent.start and sent.doc[t.i - 1].whitespace_ for t in sent)


def _without_titles(ent: SpacySpan) -> SpacySpan:
    """"President John F. Kennedy" -> "John F. Kennedy": the name after any titles the recognizer took in."""
    doc = ent.doc
    start = ent.start
    while start < ent.end - 1 and (is_role_word(doc[start]) or doc[start].lower_ in ROLE_MODIFIERS
                                   or doc[start].text == "." and start > ent.start):
        start += 1
    return doc[start:ent.end]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _base_key(mention: EntityMention, place_names: frozenset[str] = frozenset(),
              person_words: frozenset[str] = frozenset()) -> str:
    """The key that groups an article's mentions before the joining rules. A name the text makes a place
    somewhere ("Goma, the provincial capital") is that place where the recognizer calls it a place, or a person
    with no name of a person around it ("its teams in Goma"; but "Austin" after "Lloyd Austin" is him)."""
    key = name_key(mention.name)
    if mention.place_context or key in place_names and (
            mention.label in ("GPE", "LOC", "FAC")
            or mention.label == "PERSON" and " " not in key and key not in person_words):
        return f"place:{key}"
    if mention.label in ("GPE", "LOC") or mention.label == "ORG" and mention.name.isupper():
        found = country(mention.name)
        if found:
            return f"country:{found[0]}"
    curated = curated_alias(mention.name)
    if curated:
        return f"alias:{name_key(curated[0])}"
    return f"name:{name_key(mention.name)}"


def group_mentions(mentions: list[EntityMention], text: str, nlp: Language | None = None) -> list[ArticleEntity]:
    """Group an article's mentions (offsets into ``text``) into entities; sets ``mention.cluster`` and returns the entities."""
    if not mentions:
        return []
    groups = _UnionFind(len(mentions))
    first_by_key: dict[str, int] = {}
    place_names = frozenset(name_key(m.name) for m in mentions if m.place_context)
    person_words = frozenset(word for m in mentions if m.label == "PERSON" and " " in m.name
                             for word in name_key(m.name).split()) if place_names else frozenset()
    keys = [_base_key(m, place_names, person_words) for m in mentions]
    for i, key in enumerate(keys):
        groups.union(first_by_key.setdefault(key, i), i)
    agencies = wire_agencies(text)
    _join_acronyms(mentions, text, groups, agencies)
    _join_short_person_names(mentions, groups)
    _join_short_organization_names(mentions, groups)
    _join_company_words(mentions, groups)

    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        members[groups.find(i)].append(i)
    entities = []
    for index, (_root, idxs) in enumerate(sorted(members.items())):
        for i in idxs:
            mentions[i].cluster = index
        members = [mentions[i] for i in idxs]
        reporting = any((m.span.start, m.span.end) in agencies for m in members)  # "(Reuters)": an agency
        company = any(_company_word(m.name) for m in members if m.label == "ORG")  # "Amazon.com Inc", "Pfizer Inc"
        entities.append(_entity(members, [keys[i] for i in idxs], nlp, "ORG" if reporting or company else None))
    return entities


GENERATIONS = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "jr", "sr"}  # "Alexander IV" is not "Alexander"
TICKER = re.compile(r"\(\s*(?:NYSE|NASDAQ|Nasdaq|AMEX|TSX|TSXV|LSE|ASX|OTC|NYSE American|NYSE Arca)\s*:")


def _join_acronyms(mentions: list[EntityMention], text: str, groups: _UnionFind,
                   agencies: frozenset[tuple[int, int]] = frozenset()) -> None:
    """"the Islamic State (ISIS)", "Las Vegas Sands Corp. (NYSE: LVS)": an acronym or a stock ticker in
    brackets right after a name is that entity, unless it is a wire service's in a dateline ("DAYTON, Ohio
    (AP)", ``agencies``); so is an acronym that spells the initials of one and only one organization the
    article names in full ("the University of Michigan ... UM")."""
    for i, mention in enumerate(mentions):
        for j in range(i + 1, min(i + 3, len(mentions))):
            other = mentions[j]
            if (other.span.start, other.span.end) in agencies:
                continue
            between = text[mention.span.end:other.span.start]
            if ((between.strip() == "(" or TICKER.fullmatch(between.strip())) and other.name.isupper()
                    and text[other.span.end:other.span.end + 1] == ")"):
                groups.union(i, j)
    initials: dict[str, set[int]] = defaultdict(set)
    for i, mention in enumerate(mentions):
        if mention.label == "ORG" and " " in mention.name:
            initials[_initials(mention.name)].add(i)
            # "the United Nations World Food Programme ... WFP": an agency's initials leave out its parent's name
            parent = UN_PARENT.match(name_key(mention.name))
            if parent and " " in name_key(mention.name)[parent.end():].strip():
                initials[_initials(name_key(mention.name)[parent.end():])].add(i)
    for i, mention in enumerate(mentions):
        if mention.label in LABEL_TYPES and is_acronym(mention.name) and not country(mention.name):
            owners = {groups.find(j) for j in initials.get(name_key(mention.name).replace(" ", ""), ())}
            if len(owners) == 1:
                groups.union(owners.pop(), i)


UN_PARENT = re.compile(r"^(?:the )?(?:united nations|un) ")


def _initials(name: str) -> str:
    """"Bill & Melinda Gates Foundation" -> "bmgf": the first letters of a name's words but its joiners."""
    return "".join(w[0] for w in name_key(name).split() if w not in NAME_JOINERS and w[0].isalnum())


def _join_short_person_names(mentions: list[EntityMention], groups: _UnionFind) -> None:
    """A shorter personal name joins the full name it is part of: "Stoltenberg" and "Jens Stoltenberg", "Maddy"
    and "Maddy Dychtwald", "Gary Powers" and "Francis Gary Powers", "De Risi" and "Lucio de Risi"; and a full
    name written family name first ("Horikita Maki") is the same person as written the other way round.

    It joins when only one full name has it; a lone surname that several full names of the article end in
    ("Alvares is married to Claude Alvares" after "Norma Alvares") is the person named first, whom the
    article is about: the relatives who share the name are named in full.
    """
    full = [(i, name_key(m.name).split()) for i, m in enumerate(mentions)
            if m.label == "PERSON" and len(m.name.split()) > 1]
    for i, mention in enumerate(mentions):
        if mention.label not in ("PERSON", "ORG") or mention.place_context:
            continue
        words = name_key(mention.name).split()
        surname = [j for j, long in full if len(long) > len(words) and _ends_with(long, words)]
        first_name = [j for j, long in full if len(long) > len(words) and long[:len(words)] == words
                      and long[-1] not in GENERATIONS]
        owners = sorted({groups.find(j) for j in surname})
        if mention.label == "PERSON" and not owners:
            owners = sorted({groups.find(j) for j in first_name})
        if len(owners) == 1 or len(words) == 1 and surname and min(surname) < i and owners:
            groups.union(owners[0], i)
    reordered: dict[tuple[str, ...], int] = {}
    for i, words in full:  # "Maki Horikita" and "Horikita Maki": a family name written first
        groups.union(reordered.setdefault(tuple(sorted(words)), i), i)


def _ends_with(long: list[str], words: list[str]) -> bool:
    """Whether ``words`` are some of ``long``'s words in order, ending with its last: "Gary Powers" in
    "Francis Gary Powers", "Jens Stoltenberg" in "Jens Berg Stoltenberg"."""
    if words[-1] != long[-1]:
        return False
    position = 0
    for word in words[:-1]:
        if word not in long[position:-1]:
            return False
        position = long.index(word, position) + 1
    return True


def _has_org_head(name: str) -> bool:
    return HEAD_WORD_LABELS.get(name_key(name).split()[-1]) == "ORG"


def _join_short_organization_names(mentions: list[EntityMention], groups: _UnionFind) -> None:
    """"MedStar" and "MedStar Health", "Royal Conservatory" and "Royal Conservatory of Music": an
    organization's name that begins one and only one longer organization name of the article is that one; a lone
    head word ("the Commission", "the Army") is the one longer name before it that ends with it."""
    longer = [(i, name_key(m.name).split()) for i, m in enumerate(mentions) if m.label == "ORG"]
    for i, mention in enumerate(mentions):
        if mention.label != "ORG" or is_acronym(mention.name):
            continue
        words = name_key(mention.name).split()
        if _has_org_head(mention.name):  # "Lille University" is a whole name, not the start of "... Business School"
            if len(words) == 1:  # but "the Commission" after "the European Commission" is that commission
                owners = {groups.find(j) for j, long in longer if len(long) > 1 and long[-1] == words[0]
                          and mentions[j].span.start < mention.span.start}
                if len(owners) == 1:
                    groups.union(owners.pop(), i)
            continue
        owners = {groups.find(j) for j, long in longer if len(long) > len(words) and long[:len(words)] == words}
        if len(owners) == 1:
            groups.union(owners.pop(), i)


def _company_word(name: str) -> str | None:
    """The one word a company's name is built on: before ".com" ("Amazon.com Inc": "amazon") or before its legal
    form ("Pfizer Inc": "pfizer", "Airbus SE": "airbus")."""
    words = name.split()
    if not words:
        return None
    first = words[0].lower()
    if first.endswith(".com"):
        return name_key(first[:-4]) or None
    if len(words) == 2 and words[1].lower().rstrip(".") in COMPANY_FORMS:
        return name_key(words[0]) or None
    return None


def _join_company_words(mentions: list[EntityMention], groups: _UnionFind) -> None:
    """"Amazon" and "Amazon.com Inc", "Pfizer" and "Pfizer Inc": a one-word name, whatever the recognizer called it
    (the river; a person in the headline "Pfizer names new research chief"), is the company built on that word,
    when the article names one such company only and no person of that surname."""
    owners: dict[str, set[int]] = defaultdict(set)
    for j, mention in enumerate(mentions):
        word = _company_word(mention.name) if mention.label == "ORG" else None
        if word:
            owners[word].add(groups.find(j))
    if not owners:
        return
    surnames = {name_key(m.name).split()[-1] for m in mentions if m.label == "PERSON" and " " in m.name.strip()}
    for i, mention in enumerate(mentions):
        key = name_key(mention.name) if " " not in mention.name.strip() else None
        found = owners.get(key) if key and key not in surnames else None
        if found and len(found) == 1:
            groups.union(next(iter(found)), i)


def _entity(members: list[EntityMention], keys: list[str], nlp: Language | None,
            known_type: str | None = None) -> ArticleEntity:
    names = Counter(m.name for m in members)
    country_keys = [k for k in keys if k.startswith("country:")]
    alias_keys = [m for m in members if curated_alias(m.name)]
    external = None
    if country_keys:
        code = Counter(country_keys).most_common(1)[0][0].split(":", 1)[1]
        canonical = next(country(m.name)[1] for m in members if country(m.name) and country(m.name)[0] == code)
        entity_type, external = "PLACE", f"iso3166:{code}"
    elif alias_keys:
        canonical, entity_type = curated_alias(alias_keys[0].name)
    else:
        entity_type = known_type or _vote(members, nlp)
        canonical = _canonical(members, entity_type, names)
    aliases = {name for name in names if name != canonical}
    return ArticleEntity(name=canonical, type=entity_type, aliases=aliases, mentions=len(members), key=external)


def _vote(members: list[EntityMention], nlp: Language | None) -> str:
    votes = Counter(m.span.type for m in members)
    if any(m.label == "PERSON" and len(m.name.split()) > 1 for m in members):
        votes["PERSON"] += len(members)  # a full personal name outweighs stray tags of its surname
    if any(m.place_context for m in members):
        votes["PLACE"] += 2 * len(members)  # "Goma, the provincial capital": the text says so, whatever was tagged
    if votes.get("PERSON", 0) == 0 and nlp is not None and _looks_like_surname(members):
        if probe_type(nlp, members[0].name) == "PERSON":
            votes["PERSON"] += len(members) + 1
    return sorted(votes.items(), key=lambda kv: (-kv[1], TYPE_ORDER[kv[0]]))[0][0]


def _looks_like_surname(members: list[EntityMention]) -> bool:
    return all(m.label == "ORG" and len(m.name.split()) == 1 and m.name[:1].isupper() and not m.name.isupper()
               for m in members)


@functools.lru_cache(maxsize=4096)
def _probe(nlp: Language, name: str) -> str | None:
    text = f"I met {name}."
    doc = nlp.get_pipe("ner")(nlp.make_doc(text)) if recognizer_stands_alone(nlp) else nlp(text)
    labels = [ent.label_ for ent in doc.ents if ent.text == name]
    return labels[0] if labels else None


# Components that write nothing the recognizer reads (a token's text, norm, shape, affixes) and no entity
_BLIND_TO_ENTITIES = {"tok2vec", "tagger", "morphologizer", "parser", "senter", "sentencizer", "lemmatizer",
                      "trainable_lemmatizer", "kgraph_paragraphs"}


@functools.lru_cache(maxsize=8)
def recognizer_stands_alone(nlp: Language) -> bool:
    """The pipeline's "ner" can tag a bare Doc alone and give what the whole pipeline gives: it embeds its own token
    vectors (en_core_web_sm's does; a transformer pipeline's listens to a shared layer), and no other component
    sets entities (an entity_ruler) or a norm the recognizer reads (an attribute_ruler may). For en_core_web_sm:
    the same label as the whole pipeline for each of CoNLL04 train's 1,473 capitalized last words, in 40% of the time."""
    if "ner" not in nlp.pipe_names:
        return False
    for name, component in nlp.pipeline:
        if name in ("ner", "kgraph_dateline_names"):  # the latter runs the recognizer alone again, after a dateline
            continue
        if "ner" in getattr(component, "listening_components", ()):
            return False
        factory = nlp.get_pipe_meta(name).factory
        if factory == "attribute_ruler":
            if any(attr in ("NORM", "ENT_TYPE", "ENT_IOB") for p in component.patterns for attr in p["attrs"]):
                return False
        elif factory not in _BLIND_TO_ENTITIES:
            return False
    return True


def probe_type(nlp: Language, name: str) -> str | None:
    """How the pipeline tags a bare name in a neutral sentence: the model's prior for a lone surname.

    "Biden taking office" comes out ORG in context; "I met Biden." comes out PERSON.
    """
    label = _probe(nlp, name)
    return LABEL_TYPES.get(label) if label else None


def _canonical(members: list[EntityMention], entity_type: str, names: Counter) -> str:
    if entity_type == "PERSON":
        people = [m.name for m in members if m.label == "PERSON"] or list(names)
        return sorted(set(people), key=lambda n: (-len(n.split()), -names[n], -len(n), n))[0]
    return sorted(names, key=lambda n: (-names[n], -len(n), n))[0]
