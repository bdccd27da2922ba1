"""DocContext, what every relation pattern reads: each mention's tokens and its entity's type."""
from __future__ import annotations

from kgraph.extract import pattern_relations
from kgraph.ingest import make_article


def test_each_mention_has_its_tokens_and_its_entitys_type_pronouns_theirs_or_their_own(nlp):
    text = ("He served as president of Bank of Montreal. Jens Stoltenberg, the NATO chief, met Kirby in Brussels. "
            "He said NATO would stay in Iraq.")
    article = make_article("a", text)
    doc = nlp(article.clean)
    names, _found = pattern_relations(article, doc, nlp)
    ctx = names.with_pronouns()
    unresolved = [m for m in ctx.antecedents if ctx.antecedents[m] is None]
    resolved = [m for m in ctx.antecedents if ctx.antecedents[m] is not None]
    assert unresolved and resolved  # the first "He" names no one before it; the second is Stoltenberg (or Kirby)
    for index, mention in enumerate(ctx.mentions):
        span = ctx.span(index)
        assert (span.start, span.end) == mention.tokens and span.doc is doc
        assert ctx.span(index) is span  # made once, however often the patterns ask
        if mention.cluster >= 0:
            assert ctx.type_of(index) == ctx.entities[mention.cluster].type
        else:
            assert ctx.type_of(index) == mention.span.type == "PERSON"  # "He": a person, whoever he is
    for pronoun in resolved:
        assert ctx.type_of(pronoun) == ctx.type_of(ctx.antecedents[pronoun]) == "PERSON"
