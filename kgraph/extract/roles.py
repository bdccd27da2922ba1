"""Person-role-organization: "NATO Secretary-General Jens Stoltenberg", "X, a spokesman for Y"."""
from __future__ import annotations

from spacy.tokens import Token

from ..names import HONORIFICS
from ..types import RelationMention
from .context import DocContext
from .lexicon import ROLE_MODIFIERS, is_role_noun, is_role_word

__all__ = ["role_relations"]

CHAIN_GLUE = {"-", "'s", "’s", "of", "for", "and"}
NOBLE_TITLES = {"prince", "princess", "king", "queen", "sheikh", "emir", "crown", "lord", "lady", "sir", "dame"}


def role_relations(ctx: DocContext) -> list[RelationMention]:
    """Every role a person is given in the article, with the organization when the text names it."""
    found: list[RelationMention] = []
    for index, mention in enumerate(ctx.mentions):
        if ctx.type_of(index) != "PERSON":
            continue
        found.extend(_title_before_name(ctx, index) or _apposition(ctx, index) or _copula(ctx, index))
        found.extend(_appointed(ctx, index))  # "Acme hired X, the CEO of Beta,": both
        found.extend(_led_by(ctx, index))
    return found


def _title_before_name(ctx: DocContext, person: int) -> list[RelationMention]:
    """"Pentagon spokesperson Cmdr. Jessica L. McNulty": the words before a name, up to a verb or comma."""
    doc = ctx.doc
    span = ctx.span(person)
    sent_start = span.sent.start
    chain: list[Token] = []
    i = span.start - 1
    while i >= sent_start:
        token = doc[i]
        other = ctx.mention_at(token)
        if other is not None and ctx.type_of(other) == "PERSON":
            break
        if not (other is not None or token.pos_ in ("NOUN", "PROPN", "ADJ") or token.lower_ in CHAIN_GLUE
                or token.lower_ in ROLE_MODIFIERS or token.lower_.rstrip(".") in HONORIFICS or token.text == "."
                and i > 0 and doc[i - 1].lower_ in HONORIFICS):
            break
        chain.insert(0, token)
        i -= 1
    while chain and (chain[0].lower_ in CHAIN_GLUE or chain[0].text == "."):
        chain.pop(0)
    while chain and chain[-1].pos_ == "PROPN" and not is_role_word(chain[-1]) and ctx.mention_at(chain[-1]) is None:
        chain.pop()  # a first name the recognizer left out: "Secretary-General Jens [Stoltenberg]"
    while len(chain) > 1 and chain[-1].lower_ in NOBLE_TITLES and any(is_role_noun(t) for t in chain[:-1]):
        chain.pop()  # "Saudi Sports Minister Prince Abdulaziz": the post is minister, the prince is who he is
    return _role_from_words(ctx, person, chain, "role:title")


def _role_from_words(ctx: DocContext, person: int, words: list[Token], extractor: str) -> list[RelationMention]:
    orgs = [m for m in ctx.mentions_in(words) if ctx.type_of(m) == "ORG"]
    role_words = [t for t in words if ctx.mention_at(t) is None or ctx.type_of(ctx.mention_at(t)) != "ORG"]
    role_words = _trim(role_words)
    if not any(is_role_noun(t) for t in role_words):
        return []
    role = _role_text(role_words)
    if not role:
        return []
    if not orgs:
        return [ctx.relation("works_for", person, None, confidence=0.7, extractor=extractor, role=role)]
    return [ctx.relation("works_for", person, org, confidence=0.85, extractor=extractor, role=role) for org in orgs[:1]]


def _trim(words: list[Token]) -> list[Token]:
    """Drop honorifics, articles, possessives and dangling glue at either end."""
    kept = [t for t in words if t.lower_.rstrip(".") not in HONORIFICS or t.lower_ in ("gen", "general")
            and len(words) > 1 and t is not words[-1]]
    kept = [t for t in kept if t.pos_ not in ("DET", "PRON") and t.lower_ not in ("'s", "’s")]
    while kept and (kept[0].lower_ in CHAIN_GLUE or kept[0].is_punct):
        kept.pop(0)
    while kept and (kept[-1].lower_ in CHAIN_GLUE or kept[-1].is_punct):
        kept.pop()
    return kept


def _role_text(words: list[Token]) -> str:
    text = ""
    for token in words:
        glue = "" if token.text == "-" or text.endswith("-") or not text else " "
        text += glue + token.text
    return text.strip()


def _apposition(ctx: DocContext, person: int) -> list[RelationMention]:
    """"Kevin O'Brien, a spokesman for the US Embassy", "Jens Stoltenberg, the NATO chief"."""
    root = ctx.span(person).root
    nouns = [c for c in root.children if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN")]
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        nouns.append(root.head)  # "NATO's chief, Jens Stoltenberg"
    for noun in nouns:
        if ctx.mention_at(noun) is not None and ctx.type_of(ctx.mention_at(noun)) == "PERSON":
            continue
        words = [t for t in noun.subtree if t.i <= noun.i and t.i not in range(*ctx.mentions[person].tokens)]
        orgs = [m for m in ctx.mentions_in(noun.subtree) if ctx.type_of(m) == "ORG"]
        role = _role_text(_trim([t for t in words if ctx.mention_at(t) is None]))
        if not role or not is_role_noun(noun):
            continue
        org = orgs[0] if orgs else None
        return [ctx.relation("works_for", person, org, confidence=0.8 if org is not None else 0.6,
                             extractor="role:apposition", role=role)]
    return []


def _copula(ctx: DocContext, person: int) -> list[RelationMention]:
    """"X is the chief executive of Y", "X works for Y", "X joined Y"."""
    root = ctx.span(person).root
    if root.dep_ not in ("nsubj", "nsubjpass"):
        return []
    verb = root.head
    found = []
    if verb.lemma_ in ("be", "serve", "become", "remain", "work", "join", "lead", "head", "run", "chair"):
        for child in verb.children:
            if child.dep_ in ("attr", "dobj") and child.pos_ in ("NOUN", "PROPN"):
                org_mention = ctx.mention_at(child)
                if org_mention is not None and ctx.type_of(org_mention) == "ORG":  # "X joined Y", "X heads Y"
                    found.append(ctx.relation("works_for", person, org_mention, confidence=0.6,
                                              extractor="role:verb", role=verb.lemma_ if verb.lemma_ != "be" else None))
                    continue
                orgs = [m for m in ctx.mentions_in(child.subtree) if ctx.type_of(m) == "ORG"]
                if orgs and is_role_noun(child):
                    words = [t for t in child.subtree if t.i <= child.i]
                    role = _role_text(_trim([t for t in words if ctx.mention_at(t) is None])) or None
                    found.append(ctx.relation("works_for", person, orgs[0], confidence=0.75,
                                              extractor="role:copula", role=role))
            if child.dep_ == "prep" and child.lower_ in ("for", "at", "with") and verb.lemma_ in ("work", "serve"):
                orgs = [m for m in ctx.mentions_in(child.subtree) if ctx.type_of(m) == "ORG"]
                if orgs:
                    found.append(ctx.relation("works_for", person, orgs[0], confidence=0.7, extractor="role:verb"))
    return found


APPOINT_VERBS = {"appoint", "name", "hire", "promote", "elect", "nominate", "tap", "pick", "choose", "select",
                 "recruit", "reappoint", "designate", "install"}


def _appointed(ctx: DocContext, person: int) -> list[RelationMention]:
    """"Acme appointed X as chief financial officer", "X was named chief executive of Acme", "Acme hired X as its
    CEO": the role, and the organization the role names or else the one that appoints."""
    root = ctx.span(person).root
    verb = root.head
    if root.dep_ not in ("dobj", "oprd", "nsubjpass") or verb.lemma_.lower() not in APPOINT_VERBS:
        return []
    nouns = [c for c in verb.children if c.dep_ in ("oprd", "attr") and c.i > root.i]
    nouns += [g for c in verb.children if c.dep_ == "prep" and c.lower_ == "as" for g in c.children if g.dep_ == "pobj"]
    for noun in nouns:
        if not is_role_noun(noun) or noun.lower_ in ("member", "employee"):
            continue
        # the title with what is coordinated to it ("president and chief operating officer"), not "of Acme"
        words = [t for c in noun.children if c.dep_ not in ("prep", "relcl", "acl", "appos", "poss") for t in c.subtree]
        words = sorted(words + [noun], key=lambda t: t.i)
        words = _trim([t for t in words if ctx.mention_at(t) is None and t.lower_ != "new"])
        role = _role_text(words)
        if not role:
            continue
        orgs = [m for m in ctx.mentions_in(noun.subtree) if ctx.type_of(m) == "ORG"]
        if not orgs:
            orgs = _appointer(ctx, verb)
        if orgs:
            return [ctx.relation("works_for", person, orgs[0], confidence=0.8, extractor="role:appointed", role=role)]
        return [ctx.relation("works_for", person, None, confidence=0.6, extractor="role:appointed", role=role)]
    hirer = _appointer(ctx, verb) if verb.lemma_.lower() in ("hire", "recruit", "poach") else []
    if hirer:  # "OpenAI has hired Fidji Simo ... to run its applications business"
        return [ctx.relation("works_for", person, hirer[0], confidence=0.8, extractor="role:appointed")]
    return []


LEADING_VERBS = {"lead": "leader", "head": "head", "chair": "chair"}


def _led_by(ctx: DocContext, person: int) -> list[RelationMention]:
    """"The Christian Democratic Appeal, led by Henri Bontenbal,", "the Mediterranean Foundation headed by Juan
    Novara": the organization a clause says the person leads, heads or chairs, with that role."""
    root = ctx.span(person).root
    agent = root.head
    if root.dep_ != "pobj" or agent.dep_ != "agent" or agent.head.lemma_.lower() not in LEADING_VERBS:
        return []
    verb = agent.head
    org = ctx.mention_at(verb.head) if verb.dep_ == "acl" else None
    if org is None or ctx.type_of(org) != "ORG":
        return []
    return [ctx.relation("works_for", person, org, confidence=0.8, extractor="role:led-by",
                         role=LEADING_VERBS[verb.lemma_.lower()])]


def _appointer(ctx: DocContext, verb: Token) -> list[int]:
    """The organization that appoints: the verb's subject, or the "by" of its passive."""
    found = [g for c in verb.children if c.dep_ == "nsubj" or c.dep_ == "agent"
             for g in ([c] if c.dep_ == "nsubj" else [g for g in c.children if g.dep_ == "pobj"])]
    return [m for t in found for m in [ctx.mention_at(t)] if m is not None and ctx.type_of(m) == "ORG"]
