"""Entity boundaries from kgraph's own recognizer, merged with the news model's entities.

en_core_web_sm's recognizer was fine-tuned on CoNLL04 news sentences (``python -m kgraph.train``) to
find person, organization and place names with CoNLL04's boundaries: "President Lincoln", "United
States" without "the". Its names replace the overlapping ones of the news model; every other entity
of the news model (dates, nationalities, names it alone found) is kept.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from ..errors import ModelError

__all__ = ["NER_MODEL", "NAME_LABELS", "merge_names", "retag", "retag_doc"]

NER_MODEL = Path(__file__).resolve().parent.parent / "models" / "ner"
NAME_LABELS = {"PERSON", "ORG", "GPE"}  # what the fine-tuned recognizer finds
BATCH_SIZE = 16


@functools.cache
def _recognizer(vocab_owner: Language) -> EntityRecognizer | None:
    if not NER_MODEL.is_dir():
        return None
    try:
        return spacy.load(NER_MODEL, vocab=vocab_owner.vocab).get_pipe("ner")
    except (OSError, ValueError) as exc:
        raise ModelError(f"kgraph's entity model in {NER_MODEL} cannot be loaded ({exc}); "
                         "rebuild it with `python -m kgraph.train --only ner`") from exc


def retag(docs: Iterable[Doc], nlp: Language) -> Iterator[Doc]:
    """Docs parsed by ``nlp`` with their names re-found by kgraph's recognizer, in batches, in order."""
    recognizer = _recognizer(nlp)
    for batch in minibatch(docs, BATCH_SIZE):
        if recognizer is None:
            yield from batch
            continue
        news = [list(doc.ents) for doc in batch]
        for doc in batch:
            doc.set_ents([], default="missing")  # the recognizer keeps entities already set, and "O" too
        for doc, original in zip(recognizer.pipe(batch), news):
            yield merge_names(doc, original)


def retag_doc(doc: Doc, nlp: Language) -> Doc:
    return next(retag([doc], nlp))


def merge_names(doc: Doc, news: list[Span]) -> Doc:
    """Keep the names set on ``doc`` and the news model's entities that do not overlap them."""
    names = [ent for ent in doc.ents if ent.label_ in NAME_LABELS]
    taken = {i for ent in names for i in range(ent.start, ent.end)}
    kept = [ent for ent in news if not any(i in taken for i in range(ent.start, ent.end))]
    names = [_news_label(ent, news) for ent in names]
    doc.set_ents(sorted(names + kept, key=lambda e: e.start), default="outside")
    return doc


def _news_label(ent: Span, news: list[Span]) -> Span:
    """A place keeps the news model's finer label (LOC, FAC) when it found the same words."""
    same = [n for n in news if n.start == ent.start and n.end == ent.end]
    if ent.label_ == "GPE" and same and same[0].label_ in ("LOC", "FAC"):
        return Span(ent.doc, ent.start, ent.end, label=same[0].label_)
    return ent
