"""kgraph: a knowledge-graph builder for news.

>>> import kgraph
>>> sorted(kgraph.__all__)
['build', 'extract_article', 'load_graph', 'load_pipeline', 'make_article', 'run_query']
"""
from __future__ import annotations

__version__ = "0.1.0"

from .build import build
from .extract import extract_article
from .graph import load_graph
from .ingest import make_article
from .nlp import load_pipeline
from .query import run_query

__all__ = ["build", "extract_article", "load_graph", "load_pipeline", "make_article", "run_query"]
