"""A relation classifier over the candidate entity pairs of a sentence.

Every ordered pair of person, organization and place mentions in one sentence is described by sparse
features (entity types, the words of each mention and the words between them, the dependency path joining
them, whether each is the other's nearest mention of its type, whether one names the other inside its own
name - "University of Texas", "Chinese Foreign Ministry" -, what the rule patterns said about them) and the
parser's contextual token vectors, and scored by a multinomial logistic regression trained by
``python -m kgraph.train`` on CoNLL04 train and KnowledgeNet folds 1-2. The weights ship in
``kgraph/models/relations.npz`` and need numpy only.
"""
from __future__ import annotations

import contextlib
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.tokens import Token

from ..errors import ModelError
from ..names import demonym_countries
from ..types import RelationMention
from .context import DocContext
from .coref import NOMINALS
from .lexicon import (HONORIFICS, PERFORM_VERBS, QUALIFYING_ROLE_WORDS, REPORTING_VERBS, ROLE_MODIFIERS,
                      TITLE_QUALIFIERS, VISIT_VERBS, is_role_word)

__all__ = ["LABELS", "RELATION_MODEL", "RelationModel", "candidate_pairs", "classified_relations", "classify_pairs",
           "pair_features", "pair_vector", "pattern_hits"]

RELATION_MODEL = Path(__file__).resolve().parent.parent / "models" / "relations.npz"
# The model of the pairs with a pronoun argument ("He is CEO of Acme"), when there is one: trained on the same rows
# and KnowledgeNet's pronoun pairs, which the name model leaves out (they cost it CoNLL04 mission F1).
PRONOUN_MODEL = RELATION_MODEL.with_name("relations_pronouns.npz")
# Possessives ("his NATO counterparts") and nominals ("the company") read like the names they stand for: the name
# model's (see kgraph.train's PRONOUN_THRESHOLD for the measurements).
POSSESSIVES = {"his", "her", "its", "their", "my", "our", "whose"}
NAME_LIKE = NOMINALS | POSSESSIVES
LABELS = ("none", "works_for", "based_in", "located_in", "lives_in", "killed")
NAME_TYPES = {"PERSON", "ORG", "PLACE"}
SIGNATURES = {"works_for": ("PERSON", "ORG"), "based_in": ("ORG", "PLACE"), "located_in": ("PLACE", "PLACE"),
              "lives_in": ("PERSON", "PLACE"), "killed": ("PERSON", "PERSON")}  # subject and object types
MAX_PATH = 6
DENSE_WIDTH = 96  # en_core_web_sm's tok2vec width
DENSE_SCALE = 0.2  # keeps the dense part from swamping the sparse features under one regularization (cross-validated)


@dataclass
class RelationModel:
    """Feature weights of a multinomial logistic regression: ``scores = weights[features].sum() + bias``."""

    labels: tuple[str, ...]
    index: dict[str, int]
    weights: np.ndarray  # (features, labels)
    bias: np.ndarray  # (labels,)
    dense: np.ndarray | None = None  # (vector width, labels): weights of :func:`pair_vector`
    threshold: float | np.ndarray = 0.5  # the probability a relation needs to be kept: one, or one per label
    # (chosen by cross-validation on train)

    @classmethod
    def load(cls, path: Path = RELATION_MODEL) -> RelationModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                features = [str(f) for f in data["features"]]
                return cls(labels=tuple(str(x) for x in data["labels"]), index={f: i for i, f in enumerate(features)},
                           weights=data["weights"].astype(np.float32), bias=data["bias"].astype(np.float32),
                           dense=data["dense"].astype(np.float32) if "dense" in data else None,
                           threshold=float(data["threshold"]) if data["threshold"].ndim == 0
                           else data["threshold"].astype(np.float64))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"kgraph's relation model {path} cannot be loaded ({exc}); "
                             "rebuild it with `python -m kgraph.train --only relations`") from exc

    def probabilities(self, feature_lists: list[list[str]], vectors: np.ndarray | None = None) -> np.ndarray:
        """One row of label probabilities per feature list (and row of ``vectors``)."""
        scores = np.tile(self.bias, (len(feature_lists), 1))
        if self.dense is not None and vectors is not None and vectors.shape[1] == self.dense.shape[0]:
            scores += vectors @ self.dense
        for row, features in enumerate(feature_lists):
            if not features:
                continue
            # one summing order in every process
            ids = sorted({i for f in features if (i := self.index.get(f)) is not None})
            if ids:
                scores[row] += self.weights[ids].sum(axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


_MODELS = [RELATION_MODEL.parent]  # where default_model() and default_pronoun_model() read from


@functools.cache
def default_model() -> RelationModel | None:
    path = _MODELS[0] / RELATION_MODEL.name
    return RelationModel.load(path) if path.is_file() else None


@functools.cache
def default_pronoun_model() -> RelationModel | None:
    path = _MODELS[0] / PRONOUN_MODEL.name
    return RelationModel.load(path) if path.is_file() else None


@contextlib.contextmanager
def relation_models_from(folder: Path) -> Iterator[None]:
    """Extract with the relation models in ``folder`` (as ``python -m kgraph.train`` writes them) instead of the
    shipped ones, in this process, until the block ends: how ``kgraph.train --held-out`` scores what it trained."""
    previous, _MODELS[0] = _MODELS[0], Path(folder)
    default_model.cache_clear()
    default_pronoun_model.cache_clear()
    try:
        yield
    finally:
        _MODELS[0] = previous
        default_model.cache_clear()
        default_pronoun_model.cache_clear()


def candidate_pairs(ctx: DocContext) -> list[tuple[int, int]]:
    """Ordered pairs of name (and pronoun) mentions of one sentence that belong to different entities."""
    by_sentence: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, mention in enumerate(ctx.mentions):
        if ctx.type_of(index) in NAME_TYPES:
            by_sentence[mention.sentence].append(index)
    pairs = []
    for members in by_sentence.values():
        for s in members:
            for o in members:
                if s != o and (ctx.mentions[s].cluster != ctx.mentions[o].cluster or ctx.mentions[s].cluster < 0):
                    pairs.append((s, o))  # two pronouns with no antecedent may still be two entities
    return pairs


@dataclass
class _Shared:
    """What the features of one context's pairs share, worked out once a context (``ctx.memos``): a mention takes
    part in many pairs, a token lies between many, and a pair's dependency path is read by its features, its
    vector and :func:`_reported`."""

    words: dict[int, tuple[str, bool]] = field(default_factory=dict)  # token -> its word, whether it counts between
    paths: dict[tuple[int, int], tuple[list[str], int | None, list[int]]] = field(default_factory=dict)
    tree: tuple[list[int], list[str], list[str]] | None = None  # each token's head, arc and lower-case lemma
    mentions: dict[int, _MentionFacts] = field(default_factory=dict)
    means: dict[int, np.ndarray] = field(default_factory=dict)  # mention -> its tokens' mean vector
    nearest: dict[tuple[int, str, object], int | None] = field(default_factory=dict)  # distance to the nearest rival


@dataclass(frozen=True)
class _MentionFacts:
    """What the features read of one mention, whatever the pair."""

    sentence: tuple[int, int]  # the tokens of its sentence
    root: int
    first: str
    last: str
    words: tuple[str, ...]  # its words but punctuation
    dependency: str  # its root's arc and head
    titled: bool  # a role word comes right before it
    text: str  # lower case
    size: int


def _shared(ctx: DocContext) -> _Shared:
    shared = ctx.memos.get(__name__)
    if shared is None:
        shared = ctx.memos[__name__] = _Shared()
    return shared  # type: ignore[return-value]


def _word_at(ctx: DocContext, shared: _Shared, i: int) -> tuple[str, bool]:
    """The word of token ``i`` as the features read it, and whether it counts between a pair (not punctuation)."""
    found = shared.words.get(i)
    if found is None:
        token = ctx.doc[i]
        found = shared.words[i] = (_word(token, ctx), not token.is_punct or token.text in ",()")
    return found


def _facts(ctx: DocContext, shared: _Shared, mention: int) -> _MentionFacts:
    facts = shared.mentions.get(mention)
    if facts is None:
        span = ctx.span(mention)
        sent, root = span.sent, span.root
        facts = shared.mentions[mention] = _MentionFacts(
            sentence=(sent.start, sent.end), root=root.i, first=span[0].lower_, last=span[-1].lower_,
            words=tuple(t.lower_ for t in span if not t.is_punct), dependency=f"{root.dep_}|{root.head.lemma_.lower()}",
            titled=span.start > 0 and is_role_word(ctx.doc[span.start - 1]), text=span.text.lower(), size=len(span))
    return facts


def _tree(ctx: DocContext, shared: _Shared) -> tuple[list[int], list[str], list[str]]:
    """Each token's head, arc and lower-case lemma, read from the Doc's arrays (no Token made)."""
    if shared.tree is None:
        doc = ctx.doc
        strings = doc.vocab.strings
        heads = (np.arange(len(doc), dtype=np.int64) + doc.to_array("HEAD").astype(np.int64)).tolist()
        shared.tree = (heads, [strings[int(x)] for x in doc.to_array("DEP")],
                       [strings[int(x)].lower() for x in doc.to_array("LEMMA")])
    return shared.tree


def _path(ctx: DocContext, shared: _Shared, s: int, o: int) -> tuple[list[str], int | None, list[int]]:
    """:func:`_dependency_path` between the roots of two mentions."""
    key = (_facts(ctx, shared, s).root, _facts(ctx, shared, o).root)
    path = shared.paths.get(key)
    if path is None:
        heads, arcs, _lemmas = _tree(ctx, shared)
        path = shared.paths[key] = _dependency_path(heads, arcs, *key)
    return path


def _word(token: Token, ctx: DocContext) -> str:
    mention = ctx.mention_at(token)
    if mention is not None and mention not in ctx.antecedents:  # a pronoun between two names reads as a word
        return f"<{ctx.type_of(mention)}>"
    if token.like_num:
        return "<num>"
    return token.lemma_.lower()


def _dependency_path(heads: list[int], arcs: list[str], a: int, b: int) -> tuple[list[str], int | None, list[int]]:
    """Arcs from token ``a`` up to the lowest common head and down to token ``b``; the common head; the tokens
    passed on the way (the common head included, ``a`` and ``b`` not). ``heads`` and ``arcs``: each token's."""
    up, down = _ancestry(heads, a), _ancestry(heads, b)
    above_b = set(down)
    common = next((t for t in up if t in above_b), None)
    if common is None:
        return [], None, []
    rise, fall = up[:up.index(common)], down[:down.index(common)]
    steps = [f"^{arcs[t]}" for t in rise] + [f"v{arcs[t]}" for t in reversed(fall)]
    return steps, common, rise[1:] + fall[1:] + [common]


def _ancestry(heads: list[int], i: int) -> list[int]:
    """Token ``i`` and its heads up to its sentence's root, as spaCy's ``Token.ancestors`` walks them (at most
    as many steps as the Doc has tokens)."""
    chain = [i]
    while heads[i] != i and len(chain) <= len(heads):
        i = heads[i]
        chain.append(i)
    return chain


def pair_features(ctx: DocContext, s: int, o: int, hits: Iterable[str] = ()) -> list[str]:
    """Sparse features of the ordered pair (subject ``s``, object ``o``) of mention indices."""
    shared = _shared(ctx)
    a, b = ctx.mentions[s].tokens, ctx.mentions[o].tokens  # (start, end) token indices
    kinds = f"{ctx.type_of(s)}>{ctx.type_of(o)}"
    order = "fwd" if a[0] < b[0] else "rev"
    first, second = (a, b) if a[0] < b[0] else (b, a)
    between = [_word_at(ctx, shared, i) for i in range(first[1], second[0])]
    words = [w for w, counts in between if counts]
    words = [w for i, w in enumerate(words) if not (w.startswith("<") and i and words[i - 1] == w)]
    gap = len(between)
    features = [f"t={kinds}", f"t={kinds}|{order}", f"gap={min(gap, 10) if gap < 10 else '10+' if gap < 20 else '20+'}|{kinds}",
                f"others={sum(w.startswith('<') for w in words)}|{kinds}"]
    features += [f"b={w}|{kinds}" for w in set(words)]
    features += [f"b={w}" for w in set(words)]
    features += [f"bb={x}_{y}|{kinds}" for x, y in zip(words, words[1:])]
    if words:
        features += [f"b1={words[0]}|{kinds}|{order}", f"bl={words[-1]}|{kinds}|{order}"]
    else:
        features.append(f"adjacent|{kinds}|{order}")
    if len(words) <= 4:
        features.append(f"bw={'_'.join(words)}|{kinds}|{order}")
    sent_start, sent_end = _facts(ctx, shared, s).sentence
    before = [_word_at(ctx, shared, i)[0] for i in range(max(sent_start, first[0] - 2), first[0])]
    after = [_word_at(ctx, shared, i)[0] for i in range(second[1], min(sent_end, second[1] + 2))]
    features += [f"l{i}={w}|{kinds}" for i, w in enumerate(reversed(before))]
    features += [f"r{i}={w}|{kinds}" for i, w in enumerate(after)]
    for slot, mention in (("s", s), ("o", o)):
        facts = _facts(ctx, shared, mention)
        features.append(f"{slot}last={facts.last}|{kinds}")
        # every word of each name, not only the last: "University of Iowa", "Foreign Ministry" (cross-validated
        # on train: +0.008 CoNLL04 strict micro F1, +0.010 relaxed mission F1)
        features.append(f"{slot}first={facts.first}|{kinds}")
        features += [f"{slot}w={w}|{kinds}" for w in facts.words]
        features.append(f"{slot}dep={facts.dependency}")
        if facts.titled:
            features.append(f"{slot}title")
    features += _nearest_features(ctx, s, o, kinds)
    features += _named_in_features(ctx, s, o, kinds)
    features += _path_features(ctx, s, o, kinds)
    features += [f"rule={hit}" for hit in hits]
    return features


def pair_vector(ctx: DocContext, s: int, o: int) -> np.ndarray:
    """The parser's contextual token vectors (``doc.tensor``) averaged over the subject, the object and the
    words between them, and the vector of their common head; zeros when the pipeline keeps no tensor."""
    doc = ctx.doc
    tensor = doc.tensor
    if tensor is None or len(tensor.shape) != 2 or tensor.shape[0] != len(doc) or not tensor.shape[1]:
        return np.zeros(4 * DENSE_WIDTH, dtype=np.float32)
    shared = _shared(ctx)
    a, b = ctx.mentions[s].tokens, ctx.mentions[o].tokens
    first, second = (a, b) if a[0] < b[0] else (b, a)
    zeros = np.zeros(tensor.shape[1], dtype=np.float32)
    between = tensor[first[1]:second[0]].mean(axis=0) if second[0] > first[1] else zeros
    _steps, common, _passed = _path(ctx, shared, s, o)
    for mention, (start, end) in ((s, a), (o, b)):
        if mention not in shared.means:
            shared.means[mention] = tensor[start:end].mean(axis=0)
    vector = np.concatenate([shared.means[s], shared.means[o], between,
                             tensor[common] if common is not None else zeros])
    return (DENSE_SCALE * vector).astype(np.float32)


def _nearest_features(ctx: DocContext, s: int, o: int, kinds: str) -> list[str]:
    """Whether the object is the nearest mention of its type to the subject, and the other way round."""
    features = []
    nearest = _shared(ctx).nearest
    sentence = ctx.mentions[s].sentence
    for slot, here, there in (("o", s, o), ("s", o, s)):
        kind = ctx.type_of(there)
        start = ctx.mentions[here].tokens[0]
        key = (here, kind, sentence)
        if key not in nearest:  # the distance to its nearest rival of that type, None when it has none
            rivals = [abs(ctx.mentions[m].tokens[0] - start) for m in range(len(ctx.mentions))
                      if m != here and ctx.mentions[m].sentence == sentence and ctx.type_of(m) == kind
                      and ctx.mentions[m].cluster != ctx.mentions[here].cluster and m not in ctx.antecedents]
            nearest[key] = min(rivals) if rivals else None
        closest = nearest[key]
        if closest is not None and abs(ctx.mentions[there].tokens[0] - start) <= closest:
            features.append(f"{slot}nearest|{kinds}")
    return features


def _named_in_features(ctx: DocContext, s: int, o: int, kinds: str) -> list[str]:
    """Whether one mention names the other inside its own name: "University of Texas" and "Texas", or by its
    nationality adjective: "Chinese Foreign Ministry" and "China" (``kgraph/data/demonyms.json``)."""
    features = []
    shared = _shared(ctx)
    for slot, outer, inner in (("so", s, o), ("os", o, s)):
        outer_facts, inner_facts = _facts(ctx, shared, outer), _facts(ctx, shared, inner)
        if inner_facts.size < outer_facts.size and inner_facts.text in outer_facts.text:
            features += [f"{slot}contains|{kinds}", f"{slot}contains"]
        cluster = ctx.mentions[inner].cluster
        key = (ctx.entities[cluster].key or "") if cluster >= 0 else ""
        # the nationality adjectives are read only when the inner mention is a country
        if key.startswith("iso3166:") and key[len("iso3166:"):] in demonym_countries(ctx.span(outer).text):
            features += [f"{slot}demonym|{kinds}", f"{slot}demonym"]
    return features


def _path_features(ctx: DocContext, s: int, o: int, kinds: str) -> list[str]:
    shared = _shared(ctx)
    steps, common, passed = _path(ctx, shared, s, o)
    lemmas = _tree(ctx, shared)[2]
    a, b = ctx.mentions[s].tokens, ctx.mentions[o].tokens
    if common is None:
        return ["path=none"]
    features = [f"plen={min(len(steps), MAX_PATH + 1)}|{kinds}"]
    if len(steps) <= MAX_PATH:
        bare = " ".join(steps)
        lexical = " ".join(steps[:sum(s.startswith('^') for s in steps)] + [lemmas[common]]
                           + steps[sum(s.startswith('^') for s in steps):])
        features += [f"p={bare}|{kinds}", f"pl={lexical}|{kinds}"]
    path_words = {lemmas[t] for t in passed if not (a[0] <= t < a[1] or b[0] <= t < b[1])}
    features += [f"pw={w}|{kinds}" for w in path_words]
    features.append(f"top={lemmas[common]}|{kinds}")
    return features


def classify_pairs(ctx: DocContext, hits: dict[tuple[int, int], list[str]], model: RelationModel | None = None,
                   pronoun_model: RelationModel | None = None) -> list[tuple[int, int, str, float]]:
    """(subject, object, relation, probability) for the pairs the model finds related, one relation a pair; a pair
    with a pronoun argument (not a nominal: "the company") goes to ``pronoun_model`` (the shipped one with the
    shipped ``model``), if any, and its threshold."""
    if model is None:
        model, pronoun_model = default_model(), default_pronoun_model()
    if model is None:
        return []
    pairs = candidate_pairs(ctx)
    if not pairs:
        return []
    # Only a pair of types some relation joins is scored: any other ("ORG>PERSON") finds every relation masked
    # below. Its row stays in the batch, empty, so the matrix product keeps the shape it has with every pair
    # scored (a BLAS call may round one row differently by the number of rows: gemv for one, gemm for more).
    joined = scored_pairs(ctx, pairs, model)
    if not joined:
        return []
    features: list[list[str]] = [[] for _pair in pairs]
    found = {}
    for row in joined:
        s, o = pairs[row]
        features[row] = pair_features(ctx, s, o, hits.get((s, o), ()))
        found[row] = pair_vector(ctx, s, o)
    vectors = np.zeros((len(pairs), found[joined[0]].shape[0]), dtype=np.float32)
    for row, vector in found.items():
        vectors[row] = vector
    # Each model scores the whole batch (the same shape, see above), its own rows with their features.
    pronoun_rows = {row for row in joined if _pronoun(ctx, pairs[row][0]) or _pronoun(ctx, pairs[row][1])} \
        if pronoun_model is not None else set()
    probabilities = model.probabilities([[] if row in pronoun_rows else f for row, f in enumerate(features)], vectors)
    thresholds = {False: _thresholds(model), True: _thresholds(pronoun_model or model)}
    if pronoun_rows:
        rows = sorted(pronoun_rows)
        probabilities[rows] = pronoun_model.probabilities(
            [f if row in pronoun_rows else [] for row, f in enumerate(features)], vectors)[rows]
    best: dict[frozenset, tuple[int, int, str, float]] = {}
    none = model.labels.index("none")
    probabilities[:, none] = -1.0
    for r in joined:
        (s, o), row = pairs[r], probabilities[r]
        if (s in ctx.antecedents or o in ctx.antecedents) and _reported(ctx, s, o) or _cited(ctx, s, o) \
                or _cited(ctx, o, s) or _in_anothers_apposition(ctx, s, o):
            continue
        kinds = (ctx.type_of(s), ctx.type_of(o))  # a relation only between the types it joins
        row = np.where([SIGNATURES.get(name) == kinds for name in model.labels], row, -1.0)
        label = int(row.argmax())  # the likeliest relation, taken when likely enough
        if row[label] < thresholds[r in pronoun_rows][label]:
            continue
        key = frozenset((s, o))
        if key not in best or row[label] > best[key][3]:
            best[key] = (s, o, model.labels[label], float(row[label]))
    return sorted(best.values())


def _thresholds(model: RelationModel) -> np.ndarray:
    return np.broadcast_to(np.asarray(model.threshold, dtype=np.float64), (len(model.labels),))


def _pronoun(ctx: DocContext, mention: int) -> bool:
    """A pronoun ("he", "which", "where"), not a nominal ("the company", read like a name), stands for a name."""
    return mention in ctx.antecedents and ctx.mentions[mention].name not in NAME_LIKE


def scored_pairs(ctx: DocContext, pairs: list[tuple[int, int]], model: RelationModel) -> list[int]:
    """The positions in ``pairs`` of the pairs whose subject and object types one of the model's relations joins
    (:data:`SIGNATURES`): the only pairs :func:`classify_pairs` may relate."""
    joined = {SIGNATURES[label] for label in model.labels if label in SIGNATURES}
    return [row for row, (s, o) in enumerate(pairs) if (ctx.type_of(s), ctx.type_of(o)) in joined]


def _cited(ctx: DocContext, source: int, other: int) -> bool:
    """The organization a sentence cites for what it says ("Austin spoke with Iraqi Defense Minister Juma Inad
    Saadoun, according to the Pentagon"), paired with a name outside the "according to" phrase: a source, no
    employer or base of it. In CoNLL04 train and KnowledgeNet folds 1-2 no gold relation joins such a pair."""
    if ctx.type_of(source) != "ORG":
        return False
    objects = [t for t in ctx.span(source) if t.dep_ == "pobj" and t.head.lower_ == "to" and t.head.i > 0]
    to = objects[0].head if objects else None  # a token of the name, not its root: "Pentagon." ends a sentence
    if to is None or to.doc[to.i - 1].lower_ != "according":
        return False
    return not to.left_edge.i <= ctx.span(other).root.i <= to.right_edge.i


CLAUSES = {"relcl", "ccomp", "advcl", "acl", "xcomp", "ROOT"}  # where a noun phrase ends, walking up the parse


def _in_anothers_apposition(ctx: DocContext, person: int, org: int) -> bool:
    """An organization in what an apposition says of another person ("Boeing named Kelly Ortberg, a former head of
    Rockwell Collins, as its chief executive, replacing Dave Calhoun"), paired with a person outside it: it is the
    other person's employer, not this one's (the classifier gave Calhoun to Rockwell Collins, 0.93). In CoNLL04
    train, 79 gold Work_For relations join such an organization to the person it is in apposition to, 2 to
    someone else."""
    if ctx.type_of(person) != "PERSON" or ctx.type_of(org) != "ORG":
        return False
    token = ctx.span(org).root
    while token.dep_ not in CLAUSES and token.head is not token:
        if token.dep_ == "appos":
            owner = ctx.mention_at(token.head)
            if owner is None or ctx.type_of(owner) != "PERSON" or owner == person \
                    or ctx.mentions[owner].cluster == ctx.mentions[person].cluster >= 0:
                return False
            return not token.left_edge.i <= ctx.span(person).root.i <= token.right_edge.i
        token = token.head
    return False


def _reported(ctx: DocContext, s: int, o: int) -> bool:
    """"She said Iraqi units fighting the Islamic State...": one of the pair sits in a clause the other reports.
    The classifier learnt from names only; with a pronoun such pairs were right half the time on KnowledgeNet
    folds 1-2 (5 of 10), against three in four for the other pronoun pairs."""
    steps, _common, _passed = _path(ctx, _shared(ctx), s, o)
    return any(step[1:] == "ccomp" for step in steps)


def _in_a_longer_name(ctx: DocContext, place: int) -> bool:
    """A place the recognizer cut out of the end of an organization's name, which says nothing of where anyone
    lives: "Toyota North America chief executive Tetsuo Ogawa" (right after the organization's name). Not a place
    that opens a name ("U.S. Bankruptcy Judge Harold Abramson", "the Texas Department of Agriculture"): CoNLL04
    marks those people living there, 4 of the 5 such pairs in train."""
    doc = ctx.doc
    start = ctx.mentions[place].tokens[0]
    if start == 0 or not doc[start - 1].whitespace_ or not doc[start - 1].is_alpha:
        return False
    before = ctx.mention_at(doc[start - 1])
    return before is not None and ctx.type_of(before) == "ORG"


UNIT_NOUNS = {"unit", "subsidiary", "division", "arm", "affiliate", "branch", "subsidiaries", "units"}


def _owns_a_unit(ctx: DocContext, org: int) -> bool:
    """"The company's North American unit, based in Plano, Texas": the unit is based there, not the company (the
    classifier had Toyota based in Plano, 0.97)."""
    root = ctx.span(org).root
    return root.dep_ == "poss" and root.head.lemma_.lower() in UNIT_NOUNS


BACKING = {"backed", "led", "funded", "allied", "aligned", "sponsored", "supported", "controlled", "owned", "run",
           "brokered", "linked", "affiliated"}


def _backs(ctx: DocContext, place: int) -> bool:
    """"The Iran-backed group": the place backs, leads or funds the organization, which is not based there (the
    classifier had Hezbollah based in Iran, 0.97, from "The Iran-backed group said ...")."""
    doc, end = ctx.doc, ctx.mentions[place].tokens[1]
    return end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in BACKING


def _said_there(ctx: DocContext, subject: int, place: int) -> bool:
    """"Defense Secretary Lloyd Austin said in Bahrain": where someone says something is not where they live, nor
    where an organization is based (the classifier had Austin living in Bahrain, 0.84). The place hangs by a
    preposition on the reporting verb whose subject the person or organization is. (A place inside what is said,
    "Deng Nan said: China has entered a stage", is another matter: CoNLL04 marks the speaker living there.)"""
    root = ctx.span(subject).root
    if root.dep_ not in ("nsubj", "nsubjpass") or root.head.lemma_.lower() not in REPORTING_VERBS:
        return False
    preposition = ctx.span(place).root.head
    return preposition.dep_ == "prep" and preposition.head == root.head


NOT_LIVING_VERBS = VISIT_VERBS | PERFORM_VERBS


def _visited(ctx: DocContext, person: int, place: int) -> bool:
    """"Tim Cook, Apple's CEO, visited a factory in Shenzhen", "Putin met Xi Jinping in Beijing", "Salah scored in
    London": where someone visits, meets, tours, arrives, flies, plays, scores or performs is not where they live
    (the classifier had Cook living in Shenzhen, 0.83). The person is the subject or object of such a verb
    (:data:`~kgraph.extract.lexicon.VISIT_VERBS`, :data:`~kgraph.extract.lexicon.PERFORM_VERBS`), the place its
    object or in a phrase hanging on it. CoNLL04 train has one such pair of each kind, neither Live_In."""
    root = ctx.span(person).root
    if root.dep_ not in ("nsubj", "dobj") or root.head.lemma_.lower() not in NOT_LIVING_VERBS:
        return False
    verb, spot = root.head, ctx.span(place).root
    return spot.head == verb and spot.dep_ == "dobj" or spot.dep_ == "pobj" and verb in spot.ancestors


SCORED = set(LABELS) - {"none"}
# A role the patterns found with no organization ("chief executive Satya Nadella said") gives way to the
# classifier's pair with an organization only where that pair reaches the graph: at the graph's bar for the
# classifier (kgraph.graph.MODEL_MIN_CONFIDENCE; a test keeps the two equal). Under it, the graph kept neither.
ROLE_GIVEN_UP_AT = 0.75
# Patterns whose relations stand where the classifier finds nothing: an appointment ("Acme appointed X as its CFO",
# "X was named publisher of Y") was right in all 6 of CoNLL04 train's and KnowledgeNet folds 1-2's, and the
# classifier, which sees a few such rows, kept under half of them; so is a dateline's town in the state or country
# after it ("ARLINGTON, Virginia -"), a line the classifier never saw in training; and "X lives in Y" ("who lives
# in"), where CoNLL04 train, which taught the classifier, marks 1 of the 5 it says (all 5 true as written: "Copland
# ... lives in upstate New York"), so that it gave "Jane Doe lives in Paris." 0.48, under the graph's bar
SURE_PATTERNS = {"role:appointed", "static:dateline", "static:lives-in"}


def classified_relations(ctx: DocContext, rule_relations: list[RelationMention], *, model: RelationModel | None = None,
                         pronoun_model: RelationModel | None = None,
                         bystanders: frozenset[int] = frozenset()) -> list[RelationMention]:
    """The classifier's relations between name pairs, with the role text the patterns found for the same pair,
    plus what the patterns found that the classifier does not decide (roles with no organization, actions).
    A pair with one of the ``bystanders`` (mention indexes: a dateline's agency) is scored with the others
    but kept out, and leaves a role the patterns found with no organization as it was."""
    if model is None:
        model, pronoun_model = default_model(), default_pronoun_model()
    if model is None:
        return rule_relations
    hits, roles, kept = pattern_hits(ctx, rule_relations)
    at = {(m.span.start, m.span.end): i for i, m in enumerate(ctx.mentions)}
    # "Acme's chief executive, Ann Lee": the role the patterns found with no organization, until the classifier finds it
    open_roles = {at[(r.subject.start, r.subject.end)]: r for r in kept
                  if r.relation == "works_for" and r.object is None and r.role}
    # "NATO will deploy advisers to Baghdad": what an organization does at a place, not where it is based, unless a
    # pattern says so too ("Siemens, based in Munich, will cut jobs in Munich")
    # ("The software maker said it would open an office in Nairobi": the action's "maker", the pair's "it", one entity)
    def entity(mention: int) -> tuple:
        cluster = ctx.mentions[mention].cluster
        return (cluster, ctx.mentions[mention].sentence) if cluster >= 0 else (-1, mention)

    acted = set()
    places = [m for m in range(len(ctx.mentions)) if ctx.type_of(m) == "PLACE"]
    for r in kept:
        if r.relation == "action" and r.object is not None:
            subject, place = at[(r.subject.start, r.subject.end)], at[(r.object.start, r.object.end)]
            acted.add((entity(subject), entity(place)))
            if "based_in" in hits.get((subject, place), ()):
                continue  # "Siemens, based in Munich, will cut jobs in Munich, Germany": its base's region too
            # and the places the parse hangs on it: "an office in Nairobi, Kenya", "in Munich, its third in Germany"
            # (not "in central Ohio, the latest investment by the Seattle-based company", which the parse leaves apart)
            root = ctx.span(place).root
            within = range(root.left_edge.i, root.right_edge.i + 1)
            acted |= {(entity(subject), entity(m)) for m in places if m != place and ctx.mentions[m].tokens[0] in within}
    placed = set()
    decided: dict[tuple, float] = {}  # what the classifier kept, by entity pair and relation: its best probability
    for s, o, label, probability in classify_pairs(ctx, hits, model, pronoun_model):
        if s in bystanders or o in bystanders:
            continue
        if label == "based_in" and (entity(s), entity(o)) in acted and "based_in" not in hits.get((s, o), ()):
            continue
        if label == "lives_in" and _in_a_longer_name(ctx, o):
            continue
        if label == "based_in" and (_owns_a_unit(ctx, s) or _backs(ctx, o)):
            continue
        if label in ("lives_in", "based_in") and _said_there(ctx, s, o) or label == "lives_in" and _visited(ctx, s, o):
            continue
        pair = (entity(s), entity(o), label)
        decided[pair] = max(probability, decided.get(pair, 0.0))
        rule = roles.get((s, o)) or open_roles.get(s) if label == "works_for" else None
        if rule is not None and rule.object is None and probability >= ROLE_GIVEN_UP_AT:
            placed.add(id(rule))
        role = _role(ctx, s, o, rule.role if rule else None) if label == "works_for" else None
        kept.append(ctx.relation(label, s, o, confidence=round(probability, 3), extractor="classifier", role=role))
    for relation in rule_relations:  # "Acme appointed X as CFO": too rare in the training data for the classifier
        if relation.extractor in SURE_PATTERNS and relation.object is not None:
            pair = (at[(relation.subject.start, relation.subject.end)], at[(relation.object.start, relation.object.end)])
            if (decided.get((entity(pair[0]), entity(pair[1]), relation.relation), 0.0) < relation.confidence
                    and not bystanders.intersection(pair)):
                kept.append(relation)
                placed.update(id(r) for r in kept if r.extractor == "classifier" and r.relation == relation.relation
                              and r.subject == relation.subject and r.object == relation.object)
    return [r for r in kept if id(r) not in placed]


def _role(ctx: DocContext, s: int, o: int, found: str | None) -> str | None:
    """The role of a person the classifier found working for an organization: the run of role words next to the
    organization between the two ("X is an economist and the CEO of Y": "CEO"; "Y's chief executive, X"), else the
    role the patterns ``found`` for the pair (an honorific alone is none), else the run in apposition to a person
    named after the organization ("Y is led by X, president and CEO"; "the CEO of Y, X"), else the run after a
    possessive organization ("X, who serves as its CEO"), else the first run between the two.

    Measured on KnowledgeNet (CEO facts are read from the role), a model trained on CoNLL04 train with fold 1 scored
    on fold 2 and the other way round: CEO F1 0.428 -> 0.517, works_for + based_in span F1 0.485 -> 0.502 (taking
    the patterns' role first, then the first run between, as before)."""
    person, org = ctx.span(s), ctx.span(o)
    if person.start < org.start:
        # not another organization's ("Gary Steele, Splunk's chief executive, will join Cisco's team")
        runs = [run for run in _role_runs(ctx, person.end, org.start) if not _owned_by_another(ctx, run, o)]
        if runs and runs[-1][1] >= org.start - ROLE_REACH:
            return _run_text(ctx, runs[-1])
    else:
        runs = _role_runs(ctx, org.end, person.start)
        if runs and runs[0][0] <= org.end + ROLE_REACH:
            return _run_text(ctx, runs[0])
    if found and all(_honorific(w) for w in found.split()):
        found = None
    if org.start < person.start:  # "Acme hired Ann Lee, its president and CEO", "the CEO of Acme, Ann Lee"
        after = [run for run in _role_runs(ctx, person.end, min(len(ctx.doc), person.end + 8))
                 if not _of_another(ctx, run, o)]
        if after and after[0][0] <= person.end + 2 and ctx.doc[person.end].text == ",":
            run = _run_text(ctx, after[0])
            if found is None or found.lower() in run.lower():  # the whole run the patterns took a part of
                return run
        before = _role_runs(ctx, max(0, org.start - 6), org.start)
        if before and before[-1][1] >= org.start - 1 and ctx.doc[org.start - 1].lower_ == "of":
            run = _run_text(ctx, before[-1])
            if found is None or found.lower() in run.lower():
                return run
    if found:
        return found
    if person.start < org.start and (org.root.dep_ == "poss" or org.end < len(ctx.doc) and ctx.doc[org.end].tag_ == "POS"):
        after = _role_runs(ctx, org.end, min(len(ctx.doc), org.end + 6))
        if after and after[0][0] == org.end + (ctx.doc[org.end].tag_ == "POS"):  # "its CEO", "Acme's CEO"
            return _run_text(ctx, after[0])
    runs = [run for run in runs if not _of_another(ctx, run, o)]
    return _run_text(ctx, runs[0]) if runs else None


def _of_another(ctx: DocContext, run: tuple[int, int], org: int) -> bool:
    """A run of role words that another organization is "of": "Kelly Ortberg, a former head of Rockwell Collins," is
    no title of hers at Boeing."""
    doc, end = ctx.doc, run[1]
    if end + 1 >= len(doc) or doc[end].lower_ != "of":
        return False
    name = end + 1 + (doc[end + 1].lower_ == "the")  # "head of the Pentagon"
    owner = ctx.mention_at(doc[name]) if name < len(doc) else None
    return owner is not None and owner != org and ctx.type_of(owner) == "ORG" \
        and ctx.mentions[owner].cluster != ctx.mentions[org].cluster


def _owned_by_another(ctx: DocContext, run: tuple[int, int], org: int) -> bool:
    """A run of role words right after another organization's possessive: "Splunk's chief executive"."""
    start = run[0]
    if start < 2 or ctx.doc[start - 1].tag_ != "POS":
        return False
    owner = ctx.mention_at(ctx.doc[start - 2])
    return owner is not None and owner != org and ctx.type_of(owner) == "ORG"


ROLE_GLUE = {"and", "&", ",", "-", "of"}
ROLE_REACH = 3  # tokens between a run of role words and the organization it names: "CEO of the", "'s"


def _role_runs(ctx: DocContext, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of role words ("president and chief executive officer") among tokens ``start:end``, as token
    ranges, in order."""
    runs: list[tuple[int, int]] = []
    first = None
    for i in range(start, end + 1):
        token = ctx.doc[i] if i < end else None
        if token is not None and (is_role_word(token) or token.lower_ in ROLE_MODIFIERS
                                  or first is not None and (token.lower_ in ROLE_GLUE or token.lower_ in TITLE_QUALIFIERS)
                                  or token.lower_ in TITLE_QUALIFIERS and i + 1 < end and is_role_word(ctx.doc[i + 1])):
            first = i if first is None else first
            continue
        if first is not None:
            last = i
            # no trailing glue, modifier or honorific (the next person's: "spokesperson Cmdr. Ann Lee")
            while last > first and (not is_role_word(ctx.doc[last - 1]) or _honorific(ctx.doc[last - 1].text)
                                    or ctx.doc[last - 1].lower_ in QUALIFYING_ROLE_WORDS):
                last -= 1
            if last > first:
                runs.append((first, last))
        first = None
    return runs


def _honorific(word: str) -> bool:
    return word.lower().rstrip(".") in HONORIFICS


def _run_text(ctx: DocContext, run: tuple[int, int]) -> str:
    return ctx.doc[run[0]:run[1]].text  # as written: "Secretary-General"


def pattern_hits(ctx: DocContext, rule_relations: list[RelationMention]
                 ) -> tuple[dict[tuple[int, int], list[str]], dict[tuple[int, int], RelationMention], list[RelationMention]]:
    """What the patterns said of each mention pair (classifier features), the pairs they gave a role, and
    the relations outside the classifier's scope (roles with no organization, actions)."""
    at = {(m.span.start, m.span.end): i for i, m in enumerate(ctx.mentions)}
    hits: dict[tuple[int, int], list[str]] = defaultdict(list)
    roles: dict[tuple[int, int], RelationMention] = {}
    kept = []
    for relation in rule_relations:
        if relation.relation not in SCORED or relation.object is None:
            kept.append(relation)
            continue
        pair = (at[(relation.subject.start, relation.subject.end)], at[(relation.object.start, relation.object.end)])
        hits[pair] += [relation.extractor, relation.relation]
        if relation.role:
            roles.setdefault(pair, relation)
    return hits, roles, kept
