"""Organization-action-place from the dependency parse: "the US will send more troops to Iraq"."""
from __future__ import annotations

from spacy.attrs import POS
from spacy.symbols import VERB
from spacy.tokens import Token

from ..types import RelationMention
from .context import DocContext
from .lexicon import PLACE_OF_NOUNS, PLACE_PREPOSITIONS, REPORTING_VERBS, STATIVE_VERBS

__all__ = ["action_relations"]

PRONOUNS = {"it", "they", "its", "their"}
BASE_VERBS = {"headquartered", "based", "located"}


def action_relations(ctx: DocContext) -> list[RelationMention]:
    """An actor (an organization, or a country acting as one) doing something in or to a place. ``ctx`` holds
    the article's pronouns (:meth:`~kgraph.extract.context.DocContext.with_pronouns`): "Siemens to cut jobs as it
    shifts production to India" is Siemens's action, stated with "it"."""
    found = []
    doc = ctx.doc
    for i, pos in enumerate(doc.to_array(POS).tolist()):  # the verbs, with no Token made for the other words
        if pos != VERB:
            continue
        token = doc[i]
        if token.lemma_ in REPORTING_VERBS or token.lemma_ in STATIVE_VERBS or token.lower_ in BASE_VERBS:
            continue  # "Headquartered in Taizhou City, Jonway Group ...": where it is, not what it does
        actor = _actor(ctx, token)
        if actor is None:
            continue
        for prep, place in _places(ctx, token) + _targets(ctx, token):
            if ctx.mentions[place].cluster == ctx.mentions[actor].cluster:
                continue
            predicate = _predicate(token, prep)
            date = _date(ctx, token)
            found.append(ctx.relation("action", actor, place, confidence=0.7, extractor="action:dependency",
                                      predicate=predicate, date=date))
    return found


def _actor(ctx: DocContext, verb: Token, depth: int = 0) -> int | None:
    """The organization or country doing ``verb``, through control verbs and "it"/"they"."""
    for child in verb.children:
        if child.dep_ == "nsubj":
            mention = ctx.mention_at(child)
            if (mention is None or mention in ctx.antecedents) and child.lower_ in PRONOUNS and depth < 4:
                speaker = _governing_actor(ctx, verb, depth)  # the speaker first, else the pronoun's antecedent
                mention = speaker if speaker is not None else mention
            if mention is None and child.lemma_.lower() in ACTING_FOR:
                mention = _whose(ctx, child)
            if mention is None:
                return None
            return mention if ctx.type_of(mention) == "ORG" or ctx.is_country(mention) else None
    if verb.dep_ == "ROOT":  # headlines: "U.S. Plans To Deploy ...", the actor parsed as a compound
        for child in verb.lefts:
            mention = ctx.mention_at(child)
            if child.dep_ == "compound" and mention is not None and (ctx.is_country(mention) or ctx.type_of(mention) == "ORG"):
                return mention
    if verb.dep_ in ("xcomp", "conj", "advcl", "acomp") and depth < 4:
        return _actor(ctx, verb.head, depth + 1)
    if verb.head.pos_ == "AUX" and verb.dep_ in ("xcomp",) and depth < 4:
        return _actor(ctx, verb.head, depth + 1)
    return None


# Those who act for an organization or a country, named with it: "NATO defence ministers agreed to send", "U.S.
# forces struck", "Russia's army attacked"
ACTING_FOR = {"troops", "force", "forces", "soldier", "army", "military", "navy", "minister", "official", "leader",
              "diplomat", "warplane", "jet", "drone", "warship"}


def _whose(ctx: DocContext, noun: Token) -> int | None:
    """The organization or country a noun of :data:`ACTING_FOR` is named with, right before it: "NATO", "U.S.",
    "Russia's"."""
    for child in noun.lefts:
        mention = ctx.mention_at(child)
        if child.dep_ in ("compound", "poss", "nmod") and mention is not None \
                and (ctx.type_of(mention) == "ORG" or ctx.is_country(mention)):
            return mention
    return None


def _governing_actor(ctx: DocContext, verb: Token, depth: int) -> int | None:
    """"The Department of Defense said that it was willing to ...": "it" is the speaker (whatever the pronoun's
    nearest antecedent: "Siemens, based in Munich, said it would" is Siemens)."""
    head = verb
    while head.dep_ in ("xcomp", "acomp", "conj", "advcl") and head.head is not head:
        head = head.head
    if head.dep_ == "ccomp" and head.head is not head:
        return _actor(ctx, head.head, depth + 1)
    return None


def _places(ctx: DocContext, verb: Token) -> list[tuple[Token, int]]:
    """Places attached to the verb, or to its object, by a spatial preposition; the object's own noun too, after
    "of" ("move part of its production to Pune"), and the site the verb is at or in ("cut 500 jobs at its research
    site in Groton", "invest $11 billion in its plants in Pennsylvania")."""
    holders = [verb] + [c for c in verb.children if c.dep_ in ("dobj", "prt")]
    holders += [noun for obj in holders[1:] for part in obj.children if part.dep_ == "prep" and part.lower_ == "of"
                for noun in part.children if noun.dep_ == "pobj"]
    holders += [noun for head in [verb, *(c for c in verb.children if c.dep_ == "dobj")] for part in head.children
                if part.dep_ == "prep" and part.lower_ in ("at", "in", "into")
                for noun in part.children if noun.dep_ == "pobj" and noun.pos_ == "NOUN"]
    found = []
    for holder in holders:
        for prep in holder.children:
            # "send more warships to the Red Sea": the parser may call that "to" a dative, as in "send it to her"
            if prep.dep_ not in ("prep", "dative") or prep.lower_ not in PLACE_PREPOSITIONS:
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                for target in [obj, *obj.conjuncts]:
                    mention = ctx.mention_at(target)
                    if mention is not None and ctx.type_of(mention) == "PLACE":
                        found.append((prep, mention))
    return found


# Verbs whose object is the place acted on: "Russia attacked Kharkiv", "Israel struck the city of Rafah"
TARGET_VERBS = {"attack", "bomb", "shell", "strike", "invade", "capture", "seize", "raid", "occupy", "blockade",
                "besiege", "storm", "annex", "liberate", "recapture", "retake", "evacuate"}


def _targets(ctx: DocContext, verb: Token) -> list[tuple[None, int]]:
    """The place a verb of attack or conquest (:data:`TARGET_VERBS`) acts on, its object: "attacked Kharkiv",
    "struck the city of Rafah", "seized Kherson and Mariupol"."""
    if verb.lemma_.lower() not in TARGET_VERBS:
        return []
    found = []
    for obj in verb.children:
        if obj.dep_ != "dobj":
            continue
        named = [obj]
        if obj.lemma_.lower() in PLACE_OF_NOUNS and ctx.mention_at(obj) is None:
            named = [noun for part in obj.children if part.dep_ == "prep" and part.lower_ == "of"
                     for noun in part.children if noun.dep_ == "pobj"]
        for target in [t for noun in named for t in (noun, *noun.conjuncts)]:
            mention = ctx.mention_at(target)
            if mention is not None and ctx.type_of(mention) == "PLACE" and mention not in [m for _, m in found]:
                found.append((None, mention))
    return found


def _predicate(verb: Token, prep: Token | None) -> str:
    """"send troops to": the verb, its particle, its object's head noun and the preposition; "attack" alone where
    the place is the object."""
    words = [verb.lemma_.lower()] + [c.lower_ for c in verb.children if c.dep_ == "prt"]
    if prep is None:
        return " ".join(words)
    objects = [c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    if objects:
        words.append(objects[0].lemma_.lower())
    words.append(prep.lower_)
    return " ".join(words)


def _date(ctx: DocContext, verb: Token) -> str | None:
    dates = [e.text for e in verb.sent.ents if e.label_ == "DATE"]
    return dates[0] if dates else None
