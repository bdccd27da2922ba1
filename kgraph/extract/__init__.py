"""Doc -> entities and relation mentions, one module per relation family.

>>> from kgraph.ingest import make_article
>>> from kgraph.nlp import load_pipeline
>>> result = extract_article(make_article("a", "Pentagon spokesperson John Kirby said the US will send more troops to Iraq."),
...                          load_pipeline())
>>> sorted((r.relation, r.subject.text, r.object.text if r.object else None, r.role) for r in result.relations)
[('action', 'US', 'Iraq', None), ('works_for', 'John Kirby', 'Pentagon', 'spokesperson')]
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from ..ingest import split_article
from ..nlp import parse
from ..types import Article, ArticleExtraction, RelationMention
from .actions import action_relations
from .classifier import classified_relations
from .context import DocContext
from .entities import entity_mentions, group_mentions, wire_agencies
from .roles import role_relations
from .static import static_relations, with_the_region

__all__ = ["PIECE_CHARS", "extract_all", "extract_article", "extract_articles", "extract_doc", "pattern_relations"]

PIECE_CHARS = 100_000  # longer articles are parsed in pieces (spaCy refuses texts over nlp.max_length, 1,000,000)
Progress = Callable[[int, int], None]  # told (pieces done, pieces in all)
EXTRACTORS = (role_relations, static_relations)  # on names only: what they find, the relation classifier weighs


def pattern_relations(article: Article, doc: Doc, nlp: Language | None = None) -> tuple[DocContext, list[RelationMention]]:
    """The article's mentions and entities, and the relations the rule patterns find among them."""
    mentions = entity_mentions(doc, article)
    entities = group_mentions(mentions, article.text, nlp)
    ctx = DocContext(article, doc, mentions, entities)
    return ctx, [relation for extractor in EXTRACTORS for relation in extractor(ctx)]


def extract_doc(article: Article, doc: Doc, nlp: Language | None = None, *,
                as_annotated: bool = False) -> ArticleExtraction:
    """Entities and relations of one article already parsed into ``doc`` (from ``article.clean``).

    A relation whose argument is a pronoun ("He is CEO of Acme") names the pronoun's entity, the name it
    refers to. Two kinds of relation stay out of the graph, and ``as_annotated`` keeps them, as gold data
    annotates them (what ``kgraph eval`` scores unless ``--graph-only``): one with a pronoun whose antecedent the
    article does not name (entity index -1), and one with the agency of a wire service's dateline ("MILLINOCKET,
    Maine (AP) -": CoNLL04 marks AP based in Millinocket; AP only reported the story from there).
    """
    ctx, found = pattern_relations(article, doc, nlp)
    relations: list[RelationMention] = []
    seen = set()
    with_pronouns = ctx.with_pronouns()
    agencies = frozenset() if as_annotated else wire_agencies(article.text)
    bystanders = frozenset(i for i, m in enumerate(with_pronouns.mentions) if (m.span.start, m.span.end) in agencies)
    classified = classified_relations(with_pronouns, found + action_relations(with_pronouns), bystanders=bystanders)
    for relation in classified + with_the_region(with_pronouns, classified):
        if not as_annotated and (relation.subject_entity < 0 or relation.object is not None and relation.object_entity < 0):
            continue  # a pronoun whose antecedent the article does not name
        if agencies and ((relation.subject.start, relation.subject.end) in agencies
                         or relation.object is not None and (relation.object.start, relation.object.end) in agencies):
            continue  # "MUNICH (Reuters) -": the agency reports the story, it is no party to its facts
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
                     as_annotated: bool = False) -> Iterator[ArticleExtraction]:
    """Parse and extract articles in batches; yields one :class:`ArticleExtraction` per article, in order."""
    articles = list(articles)
    for article, doc in zip(articles, parse(nlp, (a.clean for a in articles), n_process=n_process)):
        yield extract_doc(article, doc, nlp, as_annotated=as_annotated)


def extract_all(articles: Sequence[Article], nlp: Language, *, workers: int = 1, progress: Progress | None = None,
                piece_chars: int = PIECE_CHARS) -> Iterator[tuple[Article, ArticleExtraction | None, str | None]]:
    """Extract every article; yields ``(article, extraction, None)`` or ``(article, None, error)``, in order.

    Long articles are parsed in pieces (:func:`kgraph.ingest.split_article`) whose results are joined
    back into one extraction. The pieces run in batches; when a batch fails, the rest run one by one so
    that only the article at fault fails.
    """
    limit = min(piece_chars, nlp.max_length)
    pieces = [(index, piece) for index, article in enumerate(articles) for piece in split_article(article, limit)]
    found: dict[int, list[ArticleExtraction]] = defaultdict(list)
    errors: dict[int, str] = {}
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(pieces))

    try:
        for (index, _), extraction in zip(pieces, extract_articles([p for _, p in pieces], nlp, n_process=workers)):
            found[index].append(extraction)
            advance()
    except Exception:  # noqa: BLE001 - find the article at fault below, one piece at a time
        for index, piece in pieces[done:]:
            if index not in errors:
                try:
                    found[index].append(extract_article(piece, nlp))
                except Exception as exc:  # noqa: BLE001 - one hostile article must not stop the build
                    errors[index] = f"{type(exc).__name__}: {exc}"
            advance()
    for index, article in enumerate(articles):
        if index in errors:
            yield article, None, errors[index]
        else:
            yield article, _join_pieces(article, found[index]), None


def _join_pieces(article: Article, parts: list[ArticleExtraction]) -> ArticleExtraction:
    """One article's extraction from those of its pieces: entity indexes shifted, offsets already in the text."""
    if len(parts) == 1:
        return replace(parts[0], article=article)
    entities, mentions, relations = [], [], []
    for part in parts:
        shift = len(entities)
        entities += part.entities
        mentions += [replace(m, cluster=m.cluster + shift if m.cluster >= 0 else m.cluster) for m in part.mentions]
        relations += [replace(r, subject_entity=r.subject_entity + shift if r.subject_entity >= 0 else -1,
                              object_entity=r.object_entity + shift if r.object_entity >= 0 else -1)
                      for r in part.relations]
    return ArticleExtraction(article=article, entities=entities, mentions=mentions, relations=relations)
