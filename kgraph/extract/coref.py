"""Pronouns as relation arguments: "He is a professor at Boston University", "Acme, which is based in Ohio".

Rule-based coreference on the dependency parse, within one article:

- a relative pronoun (who, whom, whose, which, that) refers to the noun its clause hangs off, or to the
  name that noun describes ("Luke Howarth is a politician who...", "Age Wave, a firm that...");
- he, him, his, she, her refer to the nearest person named before them in the same sentence, else to the
  subject (or first named person) of the closest earlier sentence that names one, at most
  :data:`LOOKBACK` sentences back;
- it and its refer to an organization or place found the same way; they, them and their to an
  organization of the same or the previous sentence;
- "the company's", "the firm's", "the bank's" (:data:`NOMINALS`, with "the" or "this" and nothing else
  before the noun), a possessive ("the company's chief executive"), refer to the organization found the
  same way; "the parent company's", "the group of investors" and the other uses ("Acme bought the company",
  "the company has 7,000 employees") are left alone, as they name another organization too often.

- I, me and my are a person, we, us and our an organization, with no antecedent (the speaker or writer,
  whom the text rarely names): their relations are scored, as KnowledgeNet annotates "I am a partner at
  Acme" and "we are based in Sydney", but reach no graph. Measured on KnowledgeNet fold 2 (models trained on
  fold 1 and CoNLL04 train less its last 200 sentences): span F1 0.523 -> 0.547 (I), 0.556 -> 0.565 (we);
  those 200 CoNLL04 sentences unchanged.
- "where" opening a clause about a job ("Acme, a firm where he served as CEO", "where she was a partner": its
  verb is one of :data:`WORK_VERBS` or it names a role) refers to the organization the clause describes, as
  KnowledgeNet annotates it ("where he was arrested", "Paris, where he worked" are left alone). Measured on
  KnowledgeNet folds 1->2 and 2->1 (a relation model trained on CoNLL04 train and the other fold): span F1
  0.502 -> 0.508; CoNLL04 train in five held-out folds unchanged (strict micro F1 0.561, relaxed mission 0.608);
  with no restriction on the clause, KnowledgeNet gained 0.011 but CoNLL04 lost (the movie house "where Oswald
  was arrested").

Each pronoun (or nominal) becomes an :class:`EntityMention` of the type of what it refers to, with the antecedent's
entity as its cluster; a pronoun with no antecedent in the article keeps cluster -1 (its type then comes
from the word: he/she/who a person, it/which/that an organization). The relation classifier reads these
mentions like names; a relation with a pronoun argument carries the pronoun's span as its mention and the
antecedent's span as provenance (:attr:`RelationMention.subject_antecedent`).
"""
from __future__ import annotations


from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Token

from ..types import EntityMention, Span
from .context import DocContext
from .entities import wire_agencies
from .lexicon import BASED_WORDS, REPORTING_VERBS, is_role_word

__all__ = ["LOOKBACK", "pronoun_mentions"]

PERSONAL = {"he": "PERSON", "him": "PERSON", "his": "PERSON", "she": "PERSON", "her": "PERSON",
            "it": "ORG", "its": "ORG", "they": "ORG", "them": "ORG", "their": "ORG"}
RELATIVE = {"who": "PERSON", "whom": "PERSON", "whose": "PERSON", "which": "ORG", "that": "ORG"}
PLURAL = {"they", "them", "their"}
# The first person, where it can be a relation's argument: "I am a partner at Acme", "my work at Acme", "we are
# based in Sydney" (a company writing of itself). Its antecedent is whoever speaks or writes, which the text
# rarely names (a quote's speaker, a profile's subject, the company of an "about us" page): it keeps none, so
# its relations are scored (KnowledgeNet annotates "I" and "we") but reach no graph.
FIRST_PERSON = {"i": ("nsubj", "nsubjpass"), "me": ("dobj", "pobj", "dative"), "my": ("poss",),
                "we": ("nsubj", "nsubjpass"), "us": ("dobj", "pobj", "dative"), "our": ("poss",)}
FIRST_PERSON_PLURAL = {"we", "us", "our"}
ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "poss", "attr", "dative", "appos", "conj"}
LOOKBACK = 3  # sentences
NOMINAL_LOOKBACK = 8  # sentences back to the subject a nominal ("the company") names
NOMINALS = {"company", "firm", "group", "bank", "corporation", "organization", "organisation", "agency", "airline",
            "business", "retailer", "startup", "manufacturer", "publisher", "studio", "newspaper", "charity",
            "conglomerate", "insurer", "lender", "carrier", "automaker", "chain", "brand", "maker", "carmaker",
            "chipmaker", "drugmaker", "giant", "body", "bloc", "alliance", "planemaker", "steelmaker", "shipbuilder",
            "miner", "broadcaster", "operator"}
# Words before a company noun that make it another company than the one the story is about: "the parent company"
OTHER_COMPANY = {"parent", "rival", "sister", "subsidiary", "acquired", "acquiring", "target", "other", "another",
                 "former", "merged", "partner", "competing", "new", "combined", "holding"}
# The words pronoun_mentions looks at, as the ids of their lower-case forms: the other tokens are skipped on the
# Doc's array of those ids, with no Token made for them.
WATCHED = {get_string_id(word) for word in ("where", *FIRST_PERSON, *PERSONAL, *RELATIVE, *NOMINALS)}


def pronoun_mentions(ctx: DocContext) -> list[tuple[EntityMention, int | None]]:
    """Each pronoun of the article that can be a relation argument, with the index of its antecedent
    mention in ``ctx.mentions`` (None when the article names none)."""
    found = []
    doc = ctx.doc
    sentences = list(doc.sents)
    for i, lower in enumerate(doc.to_array(LOWER).tolist()):
        if lower not in WATCHED:
            continue
        token = doc[i]
        word = token.lower_
        if word == "where":
            if ctx.mention_at(token) is None and token.dep_ == "advmod" and token.head.dep_ == "relcl" and _working(token.head):
                antecedent = _described(ctx, token.head.head)  # "Acme, a firm where he served as CEO"
                if antecedent is not None and ctx.type_of(antecedent) == "ORG":
                    found.append((_mention(ctx, token, "ORG", antecedent), antecedent))
            continue
        if word in FIRST_PERSON:
            if ctx.mention_at(token) is None and token.dep_ in FIRST_PERSON[word] and token.pos_ == "PRON":
                found.append((_mention(ctx, token, "ORG" if word in FIRST_PERSON_PLURAL else "PERSON", None), None))
            continue
        if ctx.mention_at(token) is not None or (word not in PERSONAL and word not in RELATIVE):
            if word in NOMINALS and ctx.mention_at(token) is None and _nominal(token):
                if token.dep_ == "poss":  # "the company's"
                    antecedent = _personal_antecedent(ctx, token, "ORG", sentences)
                else:  # "The Redmond-based software maker said ..."
                    antecedent = _nominal_antecedent(ctx, token, sentences)
                if antecedent is not None:
                    found.append((_mention(ctx, token, "ORG", antecedent, first=next(token.lefts).i), antecedent))
            continue
        if word in RELATIVE:
            clause = token.head if word != "whose" else token.head.head
            if clause.dep_ != "relcl" or word == "that" and token.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj"):
                continue
            antecedent = _described(ctx, clause.head)
            if antecedent is not None and (ctx.type_of(antecedent) == "PERSON") != (RELATIVE[word] == "PERSON"):
                continue  # "Acme, whose chief..." is not a person; "Ann Lee, which..." is a misparse
        elif token.dep_ not in ARGUMENT_DEPS and not (word == "her" and token.tag_ == "PRP$") or _expletive(token):
            continue  # "it" in "it is likely that", "it" in fixed phrases
        else:
            antecedent = _personal_antecedent(ctx, token, PERSONAL[word], sentences)
            if antecedent is None and word in PLURAL:
                continue
        found.append((_mention(ctx, token, RELATIVE.get(word) or PERSONAL[word], antecedent), antecedent))
    return found


WORK_VERBS = {"serve", "work", "be", "become", "hold", "teach", "remain", "spend", "rise", "retire", "lead", "head",
              "manage", "run", "chair", "direct", "oversee", "join", "employ"}


ROLE_DEPS = {"attr", "pobj", "dobj", "oprd", "conj", "appos"}  # a role word as an argument, not a title ("President Kennedy")


def _working(clause: Token) -> bool:
    """"Where he served as CEO", "where she was a partner": a clause about someone's job (not "where he was
    arrested", "where he studied")."""
    return clause.lemma_.lower() in WORK_VERBS or any(is_role_word(t) and t.dep_ in ROLE_DEPS for t in clause.subtree)


def _expletive(token: Token) -> bool:
    """"It is likely that...", "it seems to...": an "it" that stands for a clause, not for a name."""
    return token.lower_ == "it" and token.dep_ in ("nsubj", "expl") and any(
        c.dep_ in ("ccomp", "xcomp") and c.i > token.i for c in token.head.children)


def _nominal(token: Token) -> bool:
    """"The company's", a possessive with no other word before the noun; "The Redmond-based software maker said",
    a subject of "the", words that describe it (no name: "the Microsoft team" is a team; none that makes it
    another company: "the parent company") and the noun."""
    if token.pos_ != "NOUN" or token.i == 0:
        return False
    if token.dep_ == "poss":
        det = token.doc[token.i - 1]
        return (det.lower_ in ("the", "this") and det.head.i == token.i
                and all(c.i == det.i or c.dep_ in ("case", "punct", "relcl", "acl") for c in token.children))
    lefts = list(token.lefts)
    if token.dep_ not in ("nsubj", "nsubjpass") and not any(c.lower_ in BASED_WORDS for c in lefts):
        return False  # but "an investment by the Seattle-based company" says where the company is
    return (bool(lefts) and lefts[0].dep_ == "det" and lefts[0].lower_ in ("the", "this")
            and all(c.dep_ in ("amod", "compound", "punct") and c.pos_ != "PROPN" and c.lower_ not in OTHER_COMPANY
                    for c in lefts[1:]))


def _speaker(token: Token) -> Token | None:
    """The subject that says what an "it" or "its" does: "The company said it would ...", "Rheinmetall, the
    Dusseldorf-based arms maker, said it would ..."."""
    if token.lower_ not in ("it", "its"):
        return None
    verb = token.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.dep_ != "ccomp" or verb.head.lemma_.lower() not in REPORTING_VERBS:
        return None
    speakers = [c for c in verb.head.children if c.dep_ == "nsubj"]
    return speakers[0] if speakers else None


def _speakers_organization(ctx: DocContext, token: Token) -> int | None:
    """The organization in the title of the person who says what "the agency" or "the company" does: "Federal
    Aviation Administration chief Mike Whitaker said the agency would keep its inspectors at Boeing's factory" (not
    the supplier named as the sentence before's subject)."""
    verb = token.head
    if token.dep_ != "nsubj" or verb.dep_ != "ccomp" or verb.head.lemma_.lower() not in REPORTING_VERBS:
        return None
    speakers = [c for c in verb.head.children if c.dep_ == "nsubj"]
    person = ctx.mention_at(speakers[0]) if speakers else None
    if person is None or ctx.type_of(person) != "PERSON":
        return None
    titles = [m for m in ctx.mentions_in(speakers[0].subtree) if m != person and ctx.type_of(m) == "ORG"
              and m not in ctx.antecedents]
    return titles[-1] if titles else None


def _sentence_index(sentences: list, token: Token) -> int:
    """The index in ``sentences`` (the Doc's, in order) of the sentence ``token`` is in."""
    return next(i for i, s in enumerate(sentences) if s.start <= token.i < s.end)


def _named_like(ctx: DocContext, token: Token, first: int) -> int | None:
    """The nearest organization before a nominal ("the bank"), from token ``first`` on, whose name ends in the
    same noun ("the World Bank"), if any."""
    reporters = _reporters(ctx)
    noun = token.lower_
    found = [m for m, mention in enumerate(ctx.mentions) if first <= mention.tokens[0] and mention.tokens[1] <= token.i
             and m not in ctx.antecedents and m not in reporters and ctx.type_of(m) == "ORG"
             and _last_word(ctx, m) == noun]
    return max(found, key=lambda m: ctx.mentions[m].tokens[0]) if found else None


def _last_word(ctx: DocContext, mention: int) -> str:
    cluster = ctx.mentions[mention].cluster
    name = ctx.entities[cluster].name if cluster >= 0 else ctx.mentions[mention].name
    return name.rsplit(None, 1)[-1].lower() if name.strip() else ""


def _reporters(ctx: DocContext) -> frozenset[int]:
    """The mentions of a wire service's dateline agency ("JERUSALEM (Reuters) -"): the agency reports the story,
    so no "it", "the group" or "which" of it stands for the agency."""
    found = ctx.memos.get("coref.reporters")
    if found is None:
        agencies = wire_agencies(ctx.article.text)
        found = ctx.memos["coref.reporters"] = frozenset(
            m for m, mention in enumerate(ctx.mentions) if (mention.span.start, mention.span.end) in agencies)
    return found


def _nominal_antecedent(ctx: DocContext, token: Token, sentences: list) -> int | None:
    """The organization a subject like "the company" or "the software maker" stands for: the last one named as a
    clause's subject in its sentence or the :data:`NOMINAL_LOOKBACK` before (what the story is about), else the
    nearest named in its sentence or the :data:`LOOKBACK` before. Not simply the nearest: in "Microsoft Corp. has
    hired Sarah Lin ... She previously worked at Stanford University. The Redmond-based software maker said ...",
    the maker is Microsoft."""
    position = _sentence_index(sentences, token)
    named_like = _named_like(ctx, token, sentences[max(0, position - NOMINAL_LOOKBACK)].start)
    if named_like is not None:
        return named_like
    titled = _speakers_organization(ctx, token)
    if titled is not None:
        return titled
    reporters = _reporters(ctx)
    named = [m for m in range(len(ctx.mentions)) if ctx.mentions[m].tokens[1] <= token.i and m not in ctx.antecedents
             and ctx.type_of(m) == "ORG" and m not in reporters]
    subjects = [m for m in named if ctx.mentions[m].tokens[0] >= sentences[max(0, position - NOMINAL_LOOKBACK)].start
                and ctx.span(m).root.dep_ in ("nsubj", "nsubjpass")]
    near = subjects or [m for m in named if ctx.mentions[m].tokens[0] >= sentences[max(0, position - LOOKBACK)].start]
    return max(near, key=lambda m: ctx.mentions[m].tokens[0]) if near else None


def _mention(ctx: DocContext, token: Token, default_type: str, antecedent: int | None, *,
             first: int | None = None) -> EntityMention:
    """The mention of a pronoun, or of a nominal's words from token ``first`` ("the company")."""
    article = ctx.article
    opening = ctx.doc[first] if first is not None else token
    start = article.to_text_offset(opening.idx)
    end = article.to_text_offset(token.idx + len(token.text) - 1) + 1
    sent = token.sent
    sentence = (article.to_text_offset(sent.start_char), article.to_text_offset(max(sent.end_char - 1, sent.start_char)) + 1)
    kind = ctx.type_of(antecedent) if antecedent is not None else default_type
    return EntityMention(span=Span(article.text[start:end], start, end, kind), name=token.lower_, label="PRON",
                         sentence=sentence, cluster=ctx.mentions[antecedent].cluster if antecedent is not None else -1,
                         tokens=(opening.i, token.i + 1))


def _described(ctx: DocContext, noun: Token) -> int | None:
    """The name a noun stands for: itself, the name it is in apposition to, or the subject of "X is a N"."""
    for _ in range(3):
        mention = ctx.mention_at(noun)
        if mention is not None:
            return mention
        if noun.dep_ == "appos" or noun.dep_ == "conj" and noun.head.pos_ == "PROPN":
            noun = noun.head
        elif noun.dep_ == "attr":
            subjects = [c for c in noun.head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not subjects:
                return None
            noun = subjects[0]
        elif noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.dep_ == "appos":
            noun = noun.head.head.head  # "Acme, one of the firms that..."
        else:
            return None
    return None


def _clause_subject(ctx: DocContext, token: Token, sentences: list) -> int | None:
    """The named subject of the clause a pronoun is in, through coordinated verbs ("X is ... and will ..."); where
    the parse reaches no verb but a name at the sentence's root, that name."""
    verb = token.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX"):  # "Volkswagen AG on Tuesday named X as its new CFO", parsed with the
        named = ctx.mention_at(verb)     # name as the root and "named" hanging off it
        return named if named is not None and named not in ctx.antecedents else None
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and ctx.mention_at(subjects[0]) is None and subjects[0].lower_ in NOMINALS and _nominal(subjects[0]):
            return _nominal_antecedent(ctx, subjects[0], sentences)  # "The company raised its forecast"
        if subjects:
            return ctx.mention_at(subjects[0]) if ctx.mention_at(subjects[0]) not in ctx.antecedents else None
        if verb.dep_ != "conj":
            return None
        verb = verb.head
    return None


def _personal_antecedent(ctx: DocContext, token: Token, kind: str, sentences: list) -> int | None:
    """The named mention a personal pronoun most likely refers to (see the module's rules)."""
    wanted = {"PERSON"} if kind == "PERSON" else {"ORG"} if token.lower_ in PLURAL | NOMINALS else {"ORG", "PLACE"}
    position = _sentence_index(sentences, token)
    if token.lower_ in NOMINALS:  # "The bank's country director": the World Bank, not the Kenyan Treasury named since
        named = _named_like(ctx, token, sentences[max(0, position - LOOKBACK)].start)
        if named is not None:
            return named
    speaker = _speaker(token) if kind == "ORG" else None
    named = ctx.mention_at(speaker) if speaker is not None else None
    if named is not None:  # "Rheinmetall, the Dusseldorf-based arms maker, said it would": not the town
        if ctx.type_of(named) in wanted and named not in ctx.antecedents and named not in _reporters(ctx):
            return named
    elif speaker is not None and speaker.lower_ in NOMINALS and _nominal(speaker):
        return _nominal_antecedent(ctx, speaker, sentences)  # "The software maker said it would open an office"
    subject = _clause_subject(ctx, token, sentences) if token.dep_ not in ("nsubj", "nsubjpass") else None
    if subject is not None and ctx.type_of(subject) in wanted:
        if token.dep_ == "poss":
            return subject  # "The US ... will contribute its fair share": a possessive is the clause's subject's
        wanted_not = subject  # "Smith praised him": an object pronoun is not its clause's subject
    else:
        wanted_not = None
    reporters = _reporters(ctx)
    before = [m for m in range(len(ctx.mentions)) if ctx.mentions[m].tokens[1] <= token.i and m != wanted_not
              and ctx.mentions[m].tokens[0] >= sentences[position].start and ctx.type_of(m) in wanted
              and m not in reporters]
    if before:
        return max(before, key=lambda m: ctx.mentions[m].tokens[0])  # "Acme's chief said it...": the nearest
    back = LOOKBACK if token.lower_ not in PLURAL else 1
    for earlier in reversed(sentences[max(0, position - back):position]):
        candidates = [m for m in range(len(ctx.mentions)) if earlier.start <= ctx.mentions[m].tokens[0] < earlier.end
                      and ctx.type_of(m) in wanted and m not in reporters]
        if candidates:
            subjects = [m for m in candidates if ctx.span(m).root.dep_ in ("nsubj", "nsubjpass")]
            return min(subjects or candidates, key=lambda m: ctx.mentions[m].tokens[0])
    return None
