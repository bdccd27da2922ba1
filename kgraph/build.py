"""The whole path: articles -> extraction -> resolution -> graph -> exports."""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from . import ids
from .export import EXPORTERS
from .export.atomic import atomic_write
from .extract import extract_articles
from .graph import build_graph
from .ingest import Skipped, read_articles
from .nlp import DEFAULT_MODEL, load_pipeline
from .types import ArticleExtraction

__all__ = ["BuildResult", "build", "extract_mentions"]


@dataclass
class BuildResult:
    graph: nx.MultiDiGraph
    articles: int
    relations: int
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def entities(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def facts(self) -> int:
        return self.graph.number_of_edges() + sum(len(d.get("open_roles", [])) for _, d in self.graph.nodes(data=True))


def _extract(paths: Iterable[str | Path], *, model: str, workers: int,
             progress: Callable[[int, int], None] | None) -> tuple[list[ArticleExtraction], list[Skipped]]:
    skipped: list[Skipped] = []
    articles = list(read_articles(paths, skipped=skipped))
    nlp = load_pipeline(model)
    extractions = []
    for done, extraction in enumerate(extract_articles(articles, nlp, n_process=workers), start=1):
        extractions.append(extraction)
        if progress:
            progress(done, len(articles))
    return extractions, skipped


def build(paths: Iterable[str | Path], out: str | Path, *, model: str = DEFAULT_MODEL, workers: int = 1,
          base: str = ids.DEFAULT_BASE, progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths`` and write every export into ``out``.

    Returns what was built; files are written atomically, so an interrupted build leaves the previous exports whole.
    """
    extractions, skipped = _extract(paths, model=model, workers=workers, progress=progress)
    graph = build_graph(extractions, base=base)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = BuildResult(graph=graph, articles=len(extractions), relations=sum(len(e.relations) for e in extractions),
                         skipped=skipped)
    for exporter in EXPORTERS:
        result.files.extend(exporter(graph, out))
    report = {
        "articles": sorted(e.article.id for e in extractions),
        "skipped": [{"path": _relative(s.path), "reason": s.reason} for s in skipped],
        "counts": {"articles": result.articles, "entities": result.entities, "facts": result.facts,
                   "relation_mentions": result.relations},
    }
    result.files.append(atomic_write(out / "build-report.json", json.dumps(report, indent=1, sort_keys=True) + "\n"))
    return result


def _relative(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def extract_mentions(paths: Iterable[str | Path], *, model: str = DEFAULT_MODEL, workers: int = 1,
                     progress: Callable[[int, int], None] | None = None) -> tuple[list[dict], list[Skipped]]:
    """Relation mentions, unmerged, in the ``kgraph extract`` line format."""
    extractions, skipped = _extract(paths, model=model, workers=workers, progress=progress)
    return [r.to_json() for e in extractions for r in e.relations], skipped
