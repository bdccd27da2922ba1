"""The static facts news states in passing: based_in, located_in, lives_in, killed."""
from __future__ import annotations

import re

from ..names import us_state
from ..nlp import PLAIN_DATELINE, news_slug
from ..types import RelationMention
from .context import DocContext
from .lexicon import BASED_WORDS, KILL_VERBS, LIVE_VERBS

__all__ = ["static_relations", "with_the_region"]

BASED_OR_LOCATED = BASED_WORDS | {"located"}


def static_relations(ctx: DocContext) -> list[RelationMention]:
    found: list[RelationMention] = []
    for index in range(len(ctx.mentions)):
        kind = ctx.type_of(index)
        if kind == "ORG":
            found += _based_in(ctx, index)
        elif kind == "PLACE":
            found += _located_in(ctx, index)
        elif kind == "PERSON":
            found += _lives_in(ctx, index) + _killed(ctx, index)
    return found + _dateline_places(ctx)


def _dateline_places(ctx: DocContext) -> list[RelationMention]:
    """"ARLINGTON, Virginia - Boeing said ...": a dateline's town is in the state or country written after it
    (the classifier, which learnt from sentences, gave "WOLFSBURG, Germany -" 0.58)."""
    text = ctx.article.text
    if " - " not in text and "--" not in text and "\u2013" not in text and "\u2014" not in text:
        return []
    starts = {m.span.start: i for i, m in enumerate(ctx.mentions) if ctx.type_of(i) == "PLACE"}
    found = []
    for match in PLAIN_DATELINE.finditer(text):
        place = match.group("place")
        if "," not in place or news_slug(match):
            continue
        region_text = place[place.index(",") + 1:].lstrip()  # "Virginia" of "ARLINGTON, Virginia"
        town, region = starts.get(match.start("place")), starts.get(match.end("place") - len(region_text))
        if town is not None and region is not None and ctx.mentions[town].cluster != ctx.mentions[region].cluster:
            found.append(ctx.relation("located_in", town, region, confidence=0.9, extractor="static:dateline"))
    return found


def _place_after(ctx: DocContext, index: int, preps: set[str]) -> list[int]:
    """Places in a prepositional phrase hanging off the mention's head: "the Embassy in Baghdad"."""
    root = ctx.span(index).root
    places = []
    for prep in root.children:
        if prep.dep_ == "prep" and prep.lower_ in preps:
            places += [m for m in ctx.mentions_in(prep.subtree) if ctx.type_of(m) == "PLACE"][:1]
    return places


def _based_in(ctx: DocContext, org: int) -> list[RelationMention]:
    found = [ctx.relation("based_in", org, place, confidence=0.6, extractor="static:org-prep")
             for place in _place_after(ctx, org, {"in"})]
    span = ctx.span(org)
    doc = ctx.doc
    # "the Austin-based consultancy Capitol Ridge Advisors"
    for i in range(max(span.sent.start, span.start - 5), span.start):
        if doc[i].lower_ in ("based", "-based") and i >= 2:
            place = ctx.mention_at(doc[i - 2]) if doc[i - 1].text == "-" else ctx.mention_at(doc[i - 1])
            if place is not None and ctx.type_of(place) == "PLACE":
                found.append(ctx.relation("based_in", org, place, confidence=0.8, extractor="static:place-based"))
    # "Halvorsen, a company based in Austin"
    for token in span.root.subtree:
        if token.lower_ in BASED_OR_LOCATED and token.i >= span.end:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "out"):
                    places = [m for m in ctx.mentions_in(prep.subtree) if ctx.type_of(m) == "PLACE"]
                    if places:
                        found.append(ctx.relation("based_in", org, places[0], confidence=0.85, extractor="static:based-in"))
    # "Iraq's Ministry of Defense"
    for child in span.root.children:
        owner = ctx.mention_at(child)
        if child.dep_ == "poss" and owner is not None and ctx.type_of(owner) == "PLACE":
            found.append(ctx.relation("based_in", org, owner, confidence=0.6, extractor="static:possessive"))
    return found


def _located_in(ctx: DocContext, place: int) -> list[RelationMention]:
    span = ctx.span(place)
    doc = ctx.doc
    found = []
    # "Austin, Texas", "Baghdad, Iraq"
    if span.end + 1 < len(doc) and doc[span.end].text == ",":
        larger = ctx.mention_at(doc[span.end + 1])
        if (larger is not None and ctx.type_of(larger) == "PLACE" and ctx.span(larger).start == span.end + 1
                and not ctx.is_country(place) and _is_region(ctx, larger)):
            found.append(ctx.relation("located_in", place, larger, confidence=0.8, extractor="static:place-comma"))
    # "Erbil, a city in northern Iraq", "Mosul, in Nineveh province", "Mosul in Nineveh"
    root = span.root
    heads = [root] + [c for c in root.children if c.dep_ == "appos"]
    for head in heads:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "of"):
                places = [m for m in ctx.mentions_in(prep.subtree) if ctx.type_of(m) == "PLACE" and m != place]
                if places:
                    found.append(ctx.relation("located_in", place, places[0], confidence=0.65, extractor="static:place-in"))
    return found


def _is_region(ctx: DocContext, place: int) -> bool:
    """A country or a US state: what follows a comma in "Austin, Texas" rather than a list of places."""
    return ctx.is_country(place) or us_state(ctx.entities[ctx.mentions[place].cluster].name) is not None


def _lives_in(ctx: DocContext, person: int) -> list[RelationMention]:
    root = ctx.span(person).root
    found = []
    verbs = [root.head] if root.dep_ == "nsubj" else []
    verbs += [c for c in root.children if c.dep_ == "relcl"]
    # "Zhao, a Canadian citizen who lives in Dubai": the clause on the noun in apposition to the name
    verbs += [c for noun in root.children if noun.dep_ == "appos" for c in noun.children if c.dep_ == "relcl"
              and any(s.dep_ == "nsubj" and s.lower_ in ("who", "that") for s in c.children)]
    for verb in verbs:
        if verb.lemma_ in LIVE_VERBS:
            for prep in verb.children:
                if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near"):
                    places = [m for m in ctx.mentions_in(prep.subtree) if ctx.type_of(m) == "PLACE"]
                    if places:
                        found.append(ctx.relation("lives_in", person, places[0], confidence=0.85, extractor="static:lives-in"))
    # "Smith of Dallas"
    found += [ctx.relation("lives_in", person, place, confidence=0.5, extractor="static:person-of")
              for place in _place_after(ctx, person, {"of", "from"})]
    return found


def _killed(ctx: DocContext, person: int) -> list[RelationMention]:
    root = ctx.span(person).root
    verb = root.head
    if verb.lemma_ not in KILL_VERBS:
        return []
    found = []
    if root.dep_ == "nsubj":
        for child in verb.children:
            victim = ctx.mention_at(child)
            if child.dep_ == "dobj" and victim is not None and ctx.type_of(victim) == "PERSON":
                found.append(ctx.relation("killed", person, victim, confidence=0.8, extractor="static:kill-verb"))
    if root.dep_ == "nsubjpass":
        for agent in (c for c in verb.children if c.dep_ == "agent"):
            killers = [m for m in ctx.mentions_in(agent.subtree) if ctx.type_of(m) == "PERSON"]
            if killers:
                found.append(ctx.relation("killed", killers[0], person, confidence=0.8, extractor="static:kill-passive"))
    return found


REGION_GLUE = re.compile(r"\s*,\s*")


def with_the_region(ctx: DocContext, relations: list[RelationMention]) -> list[RelationMention]:
    """A based_in or lives_in to a town written with its state or country ("Owens-Corning Fiberglass of Toledo,
    Ohio") holds for the state too: the relation to it, when none was found, with the town's confidence and its
    extractor + "+region" (so "classifier+region" meets the graph's bar for the classifier). CoNLL04 train marks it
    so 30 times in 33."""
    at = {(m.span.start, m.span.end): i for i, m in enumerate(ctx.mentions)}
    starts = {m.span.start: i for i, m in enumerate(ctx.mentions) if ctx.type_of(i) == "PLACE"}
    have = {(r.relation, r.subject.start, r.object.start) for r in relations if r.object is not None}
    added = []
    for r in relations:
        if r.relation not in ("based_in", "lives_in") or r.object is None:
            continue
        glue = REGION_GLUE.match(ctx.article.text, r.object.end)
        region = starts.get(glue.end()) if glue and glue.end() > r.object.end else None
        subject = at.get((r.subject.start, r.subject.end))
        if region is None or subject is None or ctx.mentions[region].cluster == ctx.mentions[at[(r.object.start, r.object.end)]].cluster:
            continue
        key = (r.relation, r.subject.start, ctx.mentions[region].span.start)
        if key not in have:
            have.add(key)
            added.append(ctx.relation(r.relation, subject, region, confidence=r.confidence,
                                      extractor=f"{r.extractor}+region"))
    return added
