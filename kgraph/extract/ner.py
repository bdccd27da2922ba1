"""kgraph's entity recognizer: en_core_web_sm's, fine-tuned to name people, organizations and places
with CoNLL04's boundaries ("President Lincoln", "United States" without "the").

``python -m kgraph.train`` fine-tunes it on the CoNLL04 train split, rehearsing the news model's own
entities (dates, nationalities, numbers, today's names) so that it keeps them. It has the news model's
architecture, so putting it in that model's place costs no parse time.
"""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from ..errors import ModelError

__all__ = ["NER_MODEL", "use_kgraph_recognizer"]

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
