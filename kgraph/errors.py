"""Errors kgraph raises, each saying what to do about it."""
from __future__ import annotations


class KGraphError(Exception):
    """Base class: the message is shown to the user as it is."""


class IngestError(KGraphError):
    """An input could not be read as an article."""


class ModelError(KGraphError):
    """The spaCy pipeline could not be loaded."""


class QueryError(KGraphError):
    """A SPARQL query was refused or failed."""


class ExportError(KGraphError):
    """An export could not be written or read."""


class EvalError(KGraphError):
    """A gold file could not be read or scored."""
