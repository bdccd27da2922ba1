"""kgraph's entity recognizer: en_core_web_sm's, fine-tuned to name people, organizations and places
with CoNLL04's boundaries ("President Lincoln", "United States" without "the").

``python -m kgraph.train`` fine-tunes it on the CoNLL04 train split, rehearsing the news model's own
entities (dates, nationalities, numbers, today's names) so that it keeps them. It has the news model's
architecture, so putting it in that model's place costs no parse time.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from ..errors import ModelError
from ..nlp import PLAIN_DATELINE, news_slug
from .entities import WIRE_DATELINE, recognizer_stands_alone

__all__ = ["NER_MODEL", "DatelineNames", "use_kgraph_recognizer"]

NER_MODEL = Path(__file__).resolve().parent.parent / "models" / "ner"


def use_kgraph_recognizer(nlp: Language, folder: Path = NER_MODEL) -> None:
    """Replace ``nlp``'s ``ner`` by kgraph's recognizer, when it is there (``python -m kgraph.train`` makes it)."""
    if not folder.is_dir() or "ner" not in nlp.pipe_names:
        return
    try:
        trained = spacy.load(folder, vocab=nlp.vocab)
    except (OSError, ValueError) as exc:
        raise ModelError(f"kgraph's entity model in {folder} cannot be loaded ({exc}); "
                         "rebuild it with `python -m kgraph.train --only ner`") from exc
    position = nlp.pipe_names.index("ner")
    nlp.remove_pipe("ner")
    nlp.add_pipe("ner", source=trained, before=nlp.pipe_names[position] if position < len(nlp.pipe_names) else None)
    nlp.meta["kgraph_ner"] = str(folder)


NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
DATELINE_REACH = 16  # tokens of the first sentence after a dateline read again: the name missed opens it
DATELINE_MARGIN = 3  # a name found that close to a cut short of the sentence's end may be cut itself


@Language.factory("kgraph_dateline_names")
def _dateline_names(nlp: Language, name: str) -> DatelineNames:
    return DatelineNames(nlp)


class DatelineNames:
    """The recognizer once more on the sentence after a dateline, without the dateline: a name that opens a wire
    story is the one the recognizer misses most. "LONDON - Siemens said ...", "LONDON (Reuters) - Apple Inc said
    ...": the town and the agency are found, the company is not, though it is in the same words alone. Names found
    this way join the others where they overlap none. It needs a recognizer that tags a Doc alone
    (:func:`~kgraph.extract.entities.recognizer_stands_alone`, as en_core_web_sm's does); with another it does
    nothing."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.alone: bool | None = None

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """The recognizer runs once over the sentences of a whole batch (one call per sentence cost as much as
        a fifth of the parse on short dated stories)."""
        for batch in minibatch(docs, batch_size):
            wanted = [(doc, self._bodies(doc)) for doc in batch]
            alone = [Doc(doc.vocab, words=[t.text for t in doc[body:end]],
                         spaces=[bool(t.whitespace_) for t in doc[body:end]])
                     for doc, bodies in wanted for body, end, _ in bodies]
            tagged = self.nlp.get_pipe("ner").pipe(alone, batch_size=batch_size) if alone else iter(())
            for doc, bodies in wanted:
                ents, added = list(doc.ents), []
                for body, end, sentence_end in bodies:
                    last = end if end == sentence_end else end - DATELINE_MARGIN
                    for ent in next(tagged).ents:
                        span = Span(doc, body + ent.start, body + ent.end, label=ent.label_)
                        if ent.label_ not in NAME_LABELS or span.end > last:
                            continue
                        overlapping = [e for e in ents + added if e.start < span.end and span.start < e.end]
                        if all(span.start <= e.start and e.end <= span.end and len(e) < len(span)
                               and e.label_ in NAME_LABELS for e in overlapping):
                            # none, or names inside it: "MUNICH - Siemens Energy AG said" gave "Energy AG"
                            ents = [e for e in ents if e not in overlapping]
                            added = [e for e in added if e not in overlapping]
                            added.append(span)
                if added:
                    doc.ents = sorted(ents + added, key=lambda e: e.start)
                yield doc

    def _bodies(self, doc: Doc) -> list[tuple[int, int, int]]:
        """For the sentence after each dateline of ``doc``: where it starts, where the part read again ends (its
        first :data:`DATELINE_REACH` tokens), where it ends (the Doc's end in a pipeline that sets no sentences)."""
        starts = [match.end() for match in PLAIN_DATELINE.finditer(doc.text) if not news_slug(match)]
        if "(" in doc.text:
            starts += [match.end() for match in WIRE_DATELINE.finditer(doc.text)]
        if not starts:
            return []
        if self.alone is None:
            self.alone = recognizer_stands_alone(self.nlp)
        if not self.alone:
            return []
        bodies = []
        for start in sorted(set(starts)):
            first = doc.char_span(start, len(doc.text), alignment_mode="expand")
            body = next((t.i for t in first if not t.is_space and not t.is_punct), None) if first is not None else None
            if body is not None:
                sentence_end = doc[body].sent.end if doc.has_annotation("SENT_START") else len(doc)
                bodies.append((body, min(sentence_end, body + DATELINE_REACH), sentence_end))
        return bodies
