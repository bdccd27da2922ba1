"""Doc -> entities and relation mentions, one module per relation family.

>>> from kgraph.ingest import make_article
>>> from kgraph.nlp import load_pipeline
>>> result = extract_article(make_article("a", "Pentagon spokesperson John Kirby said the US will send more troops to Iraq."),
...                          load_pipeline())
>>> sorted((r.relation, r.subject.text, r.object.text if r.object else None, r.role) for r in result.relations)
[('action', 'US', 'Iraq', None), ('works_for', 'John Kirby', 'Pentagon', 'spokesperson')]
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..nlp import parse
from ..types import Article, ArticleExtraction, RelationMention
from .actions import action_relations
from .classifier import classified_relations
from .context import DocContext
from .entities import entity_mentions, group_mentions
from .roles import role_relations
from .static import static_relations, with_the_region

__all__ = ["extract_article", "extract_articles", "extract_doc", "pattern_relations"]

EXTRACTORS = (role_relations, action_relations, static_relations)


def pattern_relations(article: Article, doc: Doc, nlp: Language | None = None) -> tuple[DocContext, list[RelationMention]]:
    """The article's mentions and entities, and the relations the rule patterns find among them."""
    mentions = entity_mentions(doc, article)
    entities = group_mentions(mentions, article.text, nlp)
    ctx = DocContext(article, doc, mentions, entities)
    return ctx, [relation for extractor in EXTRACTORS for relation in extractor(ctx)]


def extract_doc(article: Article, doc: Doc, nlp: Language | None = None, *,
                unresolved: bool = False) -> ArticleExtraction:
    """Entities and relations of one article already parsed into ``doc`` (from ``article.clean``).

    A relation whose argument is a pronoun ("He is CEO of Acme") names the pronoun's entity, the name it
    refers to; with ``unresolved`` it is kept even when the article names no antecedent (entity index -1):
    what ``kgraph eval`` scores, since gold data annotates such pronouns, but nothing the graph can place.
    """
    ctx, found = pattern_relations(article, doc, nlp)
    relations: list[RelationMention] = []
    seen = set()
    with_pronouns = ctx.with_pronouns()
    classified = classified_relations(with_pronouns, found)
    for relation in classified + with_the_region(with_pronouns, classified):
        if not unresolved and (relation.subject_entity < 0 or relation.object is not None and relation.object_entity < 0):
            continue  # a pronoun whose antecedent the article does not name
        key = (relation.relation, relation.subject.start, relation.object.start if relation.object else None,
               relation.role, relation.predicate)
        if key not in seen:
            seen.add(key)
            relations.append(relation)
    relations.sort(key=lambda r: (r.subject.start, r.relation, r.object.start if r.object else -1, r.role or "",
                                  r.predicate or ""))
    return ArticleExtraction(article=article, entities=ctx.entities, mentions=ctx.mentions, relations=relations)


def extract_article(article: Article, nlp: Language) -> ArticleExtraction:
    return extract_doc(article, nlp(article.clean), nlp)


def extract_articles(articles: Iterable[Article], nlp: Language, *, n_process: int = 1,
                     unresolved: bool = False) -> Iterator[ArticleExtraction]:
    """Parse and extract articles in batches; yields one :class:`ArticleExtraction` per article, in order."""
    articles = list(articles)
    for article, doc in zip(articles, parse(nlp, (a.clean for a in articles), n_process=n_process)):
        yield extract_doc(article, doc, nlp, unresolved=unresolved)
