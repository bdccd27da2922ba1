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

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Span as SpacySpan, Token

from ..errors import ModelError
from ..names import demonym_countries
from ..types import RelationMention
from .context import DocContext
from .lexicon import ROLE_MODIFIERS, is_role_word

__all__ = ["LABELS", "RELATION_MODEL", "RelationModel", "candidate_pairs", "classified_relations", "classify_pairs",
           "pair_features", "pair_vector", "pattern_hits"]

RELATION_MODEL = Path(__file__).resolve().parent.parent / "models" / "relations.npz"
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
            ids = sorted({self.index[f] for f in features if f in self.index})  # one summing order in every process
            if ids:
                scores[row] += self.weights[ids].sum(axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


@functools.cache
def default_model() -> RelationModel | None:
    return RelationModel.load() if RELATION_MODEL.is_file() else None


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


def _word(token: Token, ctx: DocContext) -> str:
    mention = ctx.mention_at(token)
    if mention is not None and mention not in ctx.antecedents:  # a pronoun between two names reads as a word
        return f"<{ctx.type_of(mention)}>"
    if token.like_num:
        return "<num>"
    return token.lemma_.lower()


def _dependency_path(a: Token, b: Token) -> tuple[list[str], Token | None, list[Token]]:
    """Arcs from ``a`` up to the lowest common head and down to ``b``; the common head; the tokens
    passed on the way (the common head included, ``a`` and ``b`` not)."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    above_b = {t.i for t in down}
    common = next((t for t in up if t.i in above_b), None)
    if common is None:
        return [], None, []
    rise, fall = up[:[t.i for t in up].index(common.i)], down[:[t.i for t in down].index(common.i)]
    steps = [f"^{t.dep_}" for t in rise] + [f"v{t.dep_}" for t in reversed(fall)]
    return steps, common, rise[1:] + fall[1:] + [common]


def pair_features(ctx: DocContext, s: int, o: int, hits: Iterable[str] = ()) -> list[str]:
    """Sparse features of the ordered pair (subject ``s``, object ``o``) of mention indices."""
    doc = ctx.doc
    a, b = ctx.span(s), ctx.span(o)
    kinds = f"{ctx.type_of(s)}>{ctx.type_of(o)}"
    order = "fwd" if a.start < b.start else "rev"
    first, second = (a, b) if a.start < b.start else (b, a)
    between = [t for t in doc[first.end:second.start]]
    words = [_word(t, ctx) for t in between if not t.is_punct or t.text in ",()"]
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
    sent = a.sent
    before = [_word(t, ctx) for t in doc[max(sent.start, first.start - 2):first.start]]
    after = [_word(t, ctx) for t in doc[second.end:min(sent.end, second.end + 2)]]
    features += [f"l{i}={w}|{kinds}" for i, w in enumerate(reversed(before))]
    features += [f"r{i}={w}|{kinds}" for i, w in enumerate(after)]
    for slot, span in (("s", a), ("o", b)):
        features.append(f"{slot}last={span[-1].lower_}|{kinds}")
        # every word of each name, not only the last: "University of Iowa", "Foreign Ministry" (cross-validated
        # on train: +0.008 CoNLL04 strict micro F1, +0.010 relaxed mission F1)
        features.append(f"{slot}first={span[0].lower_}|{kinds}")
        features += [f"{slot}w={t.lower_}|{kinds}" for t in span if not t.is_punct]
        features.append(f"{slot}dep={span.root.dep_}|{span.root.head.lemma_.lower()}")
        if span.start > 0 and is_role_word(doc[span.start - 1]):
            features.append(f"{slot}title")
    features += _nearest_features(ctx, s, o, kinds)
    features += _named_in_features(ctx, s, o, kinds)
    features += _path_features(ctx, a, b, kinds)
    features += [f"rule={hit}" for hit in hits]
    return features


def pair_vector(ctx: DocContext, s: int, o: int) -> np.ndarray:
    """The parser's contextual token vectors (``doc.tensor``) averaged over the subject, the object and the
    words between them, and the vector of their common head; zeros when the pipeline keeps no tensor."""
    doc = ctx.doc
    tensor = doc.tensor
    if tensor is None or len(tensor.shape) != 2 or tensor.shape[0] != len(doc) or not tensor.shape[1]:
        return np.zeros(4 * DENSE_WIDTH, dtype=np.float32)
    a, b = ctx.span(s), ctx.span(o)
    first, second = (a, b) if a.start < b.start else (b, a)
    zeros = np.zeros(tensor.shape[1], dtype=np.float32)
    between = tensor[first.end:second.start].mean(axis=0) if second.start > first.end else zeros
    _steps, common, _passed = _dependency_path(a.root, b.root)
    vector = np.concatenate([tensor[a.start:a.end].mean(axis=0), tensor[b.start:b.end].mean(axis=0), between,
                             tensor[common.i] if common is not None else zeros])
    return (DENSE_SCALE * vector).astype(np.float32)


def _nearest_features(ctx: DocContext, s: int, o: int, kinds: str) -> list[str]:
    """Whether the object is the nearest mention of its type to the subject, and the other way round."""
    features = []
    sentence = ctx.mentions[s].sentence
    for slot, here, there in (("o", s, o), ("s", o, s)):
        kind = ctx.type_of(there)
        start = ctx.mentions[here].tokens[0]
        rivals = [abs(ctx.mentions[m].tokens[0] - start) for m in range(len(ctx.mentions))
                  if m != here and ctx.mentions[m].sentence == sentence and ctx.type_of(m) == kind
                  and ctx.mentions[m].cluster != ctx.mentions[here].cluster and m not in ctx.antecedents]
        if rivals and abs(ctx.mentions[there].tokens[0] - start) <= min(rivals):
            features.append(f"{slot}nearest|{kinds}")
    return features


def _named_in_features(ctx: DocContext, s: int, o: int, kinds: str) -> list[str]:
    """Whether one mention names the other inside its own name: "University of Texas" and "Texas", or by its
    nationality adjective: "Chinese Foreign Ministry" and "China" (``kgraph/data/demonyms.json``)."""
    features = []
    for slot, outer, inner in (("so", s, o), ("os", o, s)):
        outer_span, inner_span = ctx.span(outer), ctx.span(inner)
        if len(inner_span) < len(outer_span) and inner_span.text.lower() in outer_span.text.lower():
            features += [f"{slot}contains|{kinds}", f"{slot}contains"]
        cluster = ctx.mentions[inner].cluster
        key = (ctx.entities[cluster].key or "") if cluster >= 0 else ""
        if key.startswith("iso3166:") and key[len("iso3166:"):] in demonym_countries(outer_span.text):
            features += [f"{slot}demonym|{kinds}", f"{slot}demonym"]
    return features


def _path_features(ctx: DocContext, a: SpacySpan, b: SpacySpan, kinds: str) -> list[str]:
    steps, common, passed = _dependency_path(a.root, b.root)
    if common is None:
        return ["path=none"]
    features = [f"plen={min(len(steps), MAX_PATH + 1)}|{kinds}"]
    if len(steps) <= MAX_PATH:
        bare = " ".join(steps)
        lexical = " ".join(steps[:sum(s.startswith('^') for s in steps)] + [common.lemma_.lower()]
                           + steps[sum(s.startswith('^') for s in steps):])
        features += [f"p={bare}|{kinds}", f"pl={lexical}|{kinds}"]
    path_words = {t.lemma_.lower() for t in passed if not (a.start <= t.i < a.end or b.start <= t.i < b.end)}
    features += [f"pw={w}|{kinds}" for w in path_words]
    features.append(f"top={common.lemma_.lower()}|{kinds}")
    return features


def classify_pairs(ctx: DocContext, hits: dict[tuple[int, int], list[str]],
                   model: RelationModel | None = None) -> list[tuple[int, int, str, float]]:
    """(subject, object, relation, probability) for the pairs the model finds related, one relation a pair."""
    model = model or default_model()
    if model is None:
        return []
    pairs = candidate_pairs(ctx)
    if not pairs:
        return []
    probabilities = model.probabilities([pair_features(ctx, s, o, hits.get((s, o), ())) for s, o in pairs],
                                        np.stack([pair_vector(ctx, s, o) for s, o in pairs]))
    best: dict[frozenset, tuple[int, int, str, float]] = {}
    thresholds = np.broadcast_to(np.asarray(model.threshold, dtype=np.float64), (len(model.labels),))
    none = model.labels.index("none")
    probabilities[:, none] = -1.0
    for (s, o), row in zip(pairs, probabilities):
        if (s in ctx.antecedents or o in ctx.antecedents) and _reported(ctx, s, o):
            continue
        kinds = (ctx.type_of(s), ctx.type_of(o))  # a relation only between the types it joins
        row = np.where([SIGNATURES.get(name) == kinds for name in model.labels], row, -1.0)
        label = int(row.argmax())  # the likeliest relation, taken when likely enough
        if row[label] < thresholds[label]:
            continue
        key = frozenset((s, o))
        if key not in best or row[label] > best[key][3]:
            best[key] = (s, o, model.labels[label], float(row[label]))
    return sorted(best.values())


def _reported(ctx: DocContext, s: int, o: int) -> bool:
    """"She said Iraqi units fighting the Islamic State...": one of the pair sits in a clause the other reports.
    The classifier learnt from names only; with a pronoun such pairs were right half the time on KnowledgeNet
    folds 1-2 (5 of 10), against three in four for the other pronoun pairs."""
    steps, _common, _passed = _dependency_path(ctx.span(s).root, ctx.span(o).root)
    return any(step[1:] == "ccomp" for step in steps)


SCORED = set(LABELS) - {"none"}


def classified_relations(ctx: DocContext, rule_relations: list[RelationMention], *,
                         model: RelationModel | None = None) -> list[RelationMention]:
    """The classifier's relations between name pairs, with the role text the patterns found for the same pair,
    plus what the patterns found that the classifier does not decide (roles with no organization, actions)."""
    model = model or default_model()
    if model is None:
        return rule_relations
    hits, roles, kept = pattern_hits(ctx, rule_relations)
    at = {(m.span.start, m.span.end): i for i, m in enumerate(ctx.mentions)}
    # "Acme's chief executive, Ann Lee": the role the patterns found with no organization, until the classifier finds it
    open_roles = {at[(r.subject.start, r.subject.end)]: r for r in kept
                  if r.relation == "works_for" and r.object is None and r.role}
    placed = set()
    for s, o, label, probability in classify_pairs(ctx, hits, model):
        rule = roles.get((s, o)) or open_roles.get(s) if label == "works_for" else None
        if rule is not None and rule.object is None:
            placed.add(id(rule))
        role = rule.role if rule else _role_between(ctx, s, o) if label == "works_for" else None
        kept.append(ctx.relation(label, s, o, confidence=round(probability, 3), extractor="classifier", role=role))
    return [r for r in kept if id(r) not in placed]


ROLE_GLUE = {"and", "&", ",", "-", "of"}


def _role_between(ctx: DocContext, s: int, o: int) -> str | None:
    """"X serves as CEO and President of Y": the first run of role words between a person and an organization."""
    a, b = ctx.span(s), ctx.span(o)
    first, second = (a, b) if a.start < b.start else (b, a)
    run: list[Token] = []
    for token in ctx.doc[first.end:second.start]:
        if is_role_word(token) or token.lower_ in ROLE_MODIFIERS or run and token.lower_ in ROLE_GLUE:
            run.append(token)
        elif any(is_role_word(t) for t in run):
            break
        else:
            run = []
    while run and (run[-1].lower_ in ROLE_GLUE or not is_role_word(run[-1])):
        run.pop()
    return " ".join(t.text for t in run) or None


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
