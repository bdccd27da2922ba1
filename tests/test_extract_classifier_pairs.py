"""Which pairs the relation classifier scores: every pair of types a relation joins, and no other."""
from __future__ import annotations

import numpy as np

from kgraph.extract import pattern_relations
from kgraph.extract.classifier import (LABELS, SIGNATURES, RelationModel, candidate_pairs, classify_pairs,
                                       default_model, pair_features, scored_pairs)
from kgraph.ingest import make_article

TEXT = "Ann Lee of Acme Corp met Bob Stone of Globex Inc in Paris, France."  # two names of each type


def context(nlp, text=TEXT):
    article = make_article("t", text)
    ctx, _found = pattern_relations(article, nlp(article.clean), nlp)
    return ctx.with_pronouns()


def kinds(ctx, pair):
    return ctx.type_of(pair[0]), ctx.type_of(pair[1])


def test_the_sentence_has_a_pair_of_every_kind(nlp):
    ctx = context(nlp)
    assert {kinds(ctx, p) for p in candidate_pairs(ctx)} == {(x, y) for x in ("PERSON", "ORG", "PLACE")
                                                             for y in ("PERSON", "ORG", "PLACE")}


def test_every_pair_of_types_a_relation_joins_is_scored_and_no_other(nlp):
    ctx = context(nlp)
    pairs = candidate_pairs(ctx)
    rows = scored_pairs(ctx, pairs, default_model())
    assert {kinds(ctx, pairs[r]) for r in rows} == set(SIGNATURES.values())
    assert [p for r, p in enumerate(pairs) if r not in rows] == \
        [p for p in pairs if kinds(ctx, p) not in SIGNATURES.values()]  # "ORG>PERSON", "PLACE>ORG"...


def test_a_model_sure_of_every_relation_finds_each_between_the_types_it_joins(nlp):
    ctx = context(nlp)
    sure = RelationModel(labels=LABELS, index={}, weights=np.zeros((0, len(LABELS)), dtype=np.float32),
                         bias=np.zeros(len(LABELS), dtype=np.float32), threshold=0.0)
    found = {(*kinds(ctx, (s, o)), label) for s, o, label, _p in classify_pairs(ctx, {}, sure)}
    assert found == {(*signature, label) for label, signature in SIGNATURES.items()}


def test_what_the_classifier_scores_does_not_depend_on_which_pairs_were_read_before(nlp):
    # The features share what one context's pairs have in common, worked out once: read in any order, the same.
    forward, backward = context(nlp), context(nlp)
    pairs = candidate_pairs(forward)
    first = {p: pair_features(forward, *p) for p in pairs}
    assert {p: pair_features(backward, *p) for p in reversed(pairs)} == first
