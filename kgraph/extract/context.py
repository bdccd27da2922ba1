"""What every relation pattern needs to know about one parsed article."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span as SpacySpan, Token

from ..types import Article, ArticleEntity, EntityMention, RelationMention


@dataclass
class DocContext:
    """A parsed article with its entity mentions indexed by token."""

    article: Article
    doc: Doc
    mentions: list[EntityMention]
    entities: list[ArticleEntity]
    by_token: dict[int, int] = field(default_factory=dict)
    antecedents: dict[int, int | None] = field(default_factory=dict)  # pronoun mention -> its antecedent mention

    # each mention's type (its entity's, fixed once the mentions are grouped, as they are before a context is made)
    types: list[str] = field(init=False, repr=False, compare=False)
    spans: list[SpacySpan | None] = field(init=False, repr=False, compare=False)  # made when first asked for
    # what a module works out once per context and reuses, under the module's name (the relation classifier's
    # words, dependency paths and mention facts, shared by all the pairs of the context)
    memos: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for index, mention in enumerate(self.mentions):
            for i in range(*mention.tokens):
                self.by_token[i] = index
        # The patterns and the classifier ask for these many times a mention: a Span is made anew by each doc[a:b].
        self.types = [self.entities[m.cluster].type if m.cluster >= 0 else m.span.type for m in self.mentions]
        self.spans = [None] * len(self.mentions)

    def mention_at(self, token: Token | None) -> int | None:
        """The mention covering ``token``, if any."""
        return None if token is None else self.by_token.get(token.i)

    def type_of(self, mention: int) -> str:
        """The mention's type: its entity's, or its own when it belongs to none (a pronoun with no antecedent)."""
        return self.types[mention]

    def is_country(self, mention: int) -> bool:
        cluster = self.mentions[mention].cluster
        return cluster >= 0 and (self.entities[cluster].key or "").startswith("iso3166:")

    def with_pronouns(self) -> DocContext:
        """This context with the article's pronouns added after its names (see :mod:`kgraph.extract.coref`),
        for the relation classifier; ``antecedents`` maps each pronoun's index to its antecedent's."""
        from .coref import pronoun_mentions

        found = pronoun_mentions(self)
        ctx = DocContext(self.article, self.doc, self.mentions + [m for m, _ in found], self.entities)
        ctx.antecedents = {len(self.mentions) + k: a for k, (_m, a) in enumerate(found)}
        return ctx

    def span(self, mention: int) -> SpacySpan:
        span = self.spans[mention]
        if span is None:
            start, end = self.mentions[mention].tokens
            span = self.spans[mention] = self.doc[start:end]
        return span

    def mentions_in(self, tokens) -> list[int]:
        """Mentions touched by the given tokens, in order, each once."""
        seen: list[int] = []
        for token in tokens:
            index = self.by_token.get(token.i)
            if index is not None and index not in seen:
                seen.append(index)
        return seen

    def relation(self, relation: str, subject: int, obj: int | None, *, confidence: float, extractor: str,
                 role: str | None = None, predicate: str | None = None, date: str | None = None) -> RelationMention:
        subject_mention = self.mentions[subject]
        object_mention = self.mentions[obj] if obj is not None else None
        provenance = {}
        for slot, index in (("subject_antecedent", subject), ("object_antecedent", obj)):
            antecedent = self.antecedents.get(index) if index is not None else None
            if antecedent is not None:
                provenance[slot] = self.mentions[antecedent].span
        return RelationMention(
            doc=self.article.id,
            relation=relation,
            subject=subject_mention.span,
            object=object_mention.span if object_mention else None,
            sentence=subject_mention.sentence,
            confidence=confidence,
            extractor=extractor,
            role=role,
            predicate=predicate,
            date=date,
            subject_entity=subject_mention.cluster,
            object_entity=object_mention.cluster if object_mention else -1,
            **provenance,
        )
