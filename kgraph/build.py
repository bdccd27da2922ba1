"""The whole path: articles -> extraction -> resolution -> graph -> exports.

A build never falls over on one bad input: every input gets an :class:`Outcome` (processed, skipped
and why, failed and why) in ``build-report.json``. It holds the output folder's lock for its whole
run, writes every file atomically, and keeps each article's extraction in ``articles.jsonl`` beside
the exports, so that ``--update`` (add or replace articles) and :func:`remove` rebuild the graph from
the stored extractions without parsing anything again: building A then B equals building A and B.
"""
from __future__ import annotations

import contextlib
import gc
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import networkx as nx
from spacy.language import Language

from . import ids
from .errors import ExportError
from .export import EXPORTERS
from .export.atomic import atomic_write, remove_stale_temp_files
from .extract import extract_article, extract_articles
from .graph import build_graph
from .ingest import DEFAULT_MAX_BYTES, Skipped, split_article
from .lock import exclusive
from .nlp import DEFAULT_MODEL
from .types import Article, ArticleExtraction

__all__ = ["BuildResult", "Outcome", "build", "remove", "extract_mentions", "load_extractions", "STORE", "REPORT"]

STORE = "articles.jsonl"  # one extraction per line, sorted by article id: what --update and remove rebuild from
REPORT = "build-report.json"
PIECE_CHARS = 100_000  # longer articles are parsed in pieces (spaCy refuses texts over nlp.max_length, 1,000,000)
_LINE_SUFFIX = re.compile(r"^(.*):(\d+)$")

Status = Literal["processed", "skipped", "failed"]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Outcome:
    """What became of one input (a file, or a line of a JSON Lines file)."""

    input: str
    status: Status
    reason: str | None = None
    article: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in (("input", self.input), ("outcome", self.status), ("reason", self.reason),
                                  ("article", self.article)) if v is not None}


@dataclass
class BuildResult:
    graph: nx.MultiDiGraph
    articles: int  # in the graph, earlier builds' included
    relations: int
    files: list[Path] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def entities(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def facts(self) -> int:
        return self.graph.number_of_edges() + sum(len(d.get("open_roles", [])) for _, d in self.graph.nodes(data=True))

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def skipped(self) -> list[Outcome]:
        """Inputs that gave no article: skipped or failed."""
        return [o for o in self.outcomes if o.status != "processed"]

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when every input was processed (skips allowed unless ``strict``); 1 when any failed or none was read."""
        if self.removed and not self.outcomes:
            return 0
        if self.count("failed") or not self.count("processed") or (strict and self.count("skipped")):
            return 1
        return 0


def build(paths: Iterable[str | Path], out: str | Path, *, model: str = DEFAULT_MODEL, workers: int = 1,
          base: str = ids.DEFAULT_BASE, progress: Progress | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
          update: bool = False, overrides=None, executor: str = "local", scheduler: str | None = None,
          cache_dir: str | Path | None = None) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths`` and write every export into ``out``.

    With ``update``, the articles join those of the build already in ``out`` (an article with the id of
    a stored one replaces it); without it, the graph holds these articles only. Raises
    :class:`~kgraph.errors.ExportError` when another build holds ``out``. Files are written atomically,
    so an interrupted build leaves each earlier export whole. ``executor``, ``scheduler`` and ``cache_dir``
    choose where extraction runs and where it is cached (:mod:`kgraph.executors`).
    """
    check_base(base)
    out = Path(out)
    with exclusive(out), _long_lived_objects() as keep:
        remove_stale_temp_files(out)
        stored = load_extractions(out) if update else {}
        extractions, outcomes = _extract(paths, model=model, workers=workers, progress=progress,
                                         max_bytes=max_bytes, executor=executor, scheduler=scheduler,
                                         cache_dir=cache_dir, keep=keep)
        stored.update((e.article.id, e) for e in extractions)
        keep(collect=True)
        return _write(stored, out, base=base, outcomes=outcomes, overrides=overrides)


def remove(article_ids: Iterable[str], out: str | Path, *, base: str = ids.DEFAULT_BASE,
           overrides=None) -> BuildResult:
    """Take articles out of the build in ``out``: their facts and provenance go, everything else stays.

    Raises :class:`~kgraph.errors.ExportError` (and changes nothing) when an id is not in the build.
    """
    check_base(base)
    out = Path(out)
    article_ids = list(dict.fromkeys(article_ids))
    with exclusive(out), _long_lived_objects() as keep:
        remove_stale_temp_files(out)
        stored = load_extractions(out)
        keep(collect=True)
        unknown = [a for a in article_ids if a not in stored]
        if unknown:
            raise ExportError(f"{out}: no article {', '.join(map(repr, unknown))} in this build; the article ids "
                              f"are listed under \"articles\" in {out / REPORT}.")
        for article_id in article_ids:
            del stored[article_id]
        return _write(stored, out, base=base, outcomes=[], removed=article_ids, overrides=overrides)


def extract_mentions(paths: Iterable[str | Path], *, model: str = DEFAULT_MODEL, workers: int = 1,
                     progress: Progress | None = None, max_bytes: int = DEFAULT_MAX_BYTES, executor: str = "local",
                     scheduler: str | None = None,
                     cache_dir: str | Path | None = None) -> tuple[list[dict], list[Skipped]]:
    """Relation mentions, unmerged, in the ``kgraph extract`` line format, and the inputs that gave none."""
    extractions, outcomes = _extract(paths, model=model, workers=workers, progress=progress, max_bytes=max_bytes,
                                     executor=executor, scheduler=scheduler, cache_dir=cache_dir)
    skipped = [Skipped(o.input, o.reason or "", o.status) for o in outcomes if o.status != "processed"]
    return [r.to_json() for e in extractions for r in e.relations], skipped


KEEP_EVERY = 256  # extractions received between two calls of the ``keep`` below


@contextlib.contextmanager
def _long_lived_objects() -> Iterator[Callable[..., None]]:
    """Yield ``keep(collect=False)``, which tells Python's cyclic garbage collector that every object alive
    now lives until the build ends (:func:`gc.freeze`); the build calls it as extractions pile up, and
    with ``collect`` (a full collection first, so no garbage is kept) once they are all in.

    A build holds millions of objects (the extractions, then the graph) that the collector would
    otherwise rescan, all of them, each time the heap grows by a quarter: up to half of resolution's
    and the exports' time. Frozen objects are still freed when nothing refers to them; at the end they
    are handed back to the collector. A caller that froze objects itself is left alone.
    """
    def keep(collect: bool = False) -> None:
        if collect:
            gc.collect()
        gc.freeze()

    if gc.get_freeze_count():
        yield lambda collect=False: None
        return
    try:
        yield keep
    finally:
        gc.unfreeze()


def check_base(base: str) -> None:
    """Refuse a base IRI that would break the RDF files (a space, a quote, ``<``...)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*", base):
        raise ExportError(f"--base-iri {base!r} is not an absolute IRI that RDF can carry; give one like "
                          f"{ids.DEFAULT_BASE!r} (no spaces, quotes, <, >, braces or backslashes).")


# --- extraction --------------------------------------------------------------------------------------


def _extract(paths: Iterable[str | Path], *, model: str, workers: int, progress: Progress | None,
             max_bytes: int, executor: str = "local", scheduler: str | None = None,
             cache_dir: str | Path | None = None,
             keep: Callable[[], None] = lambda: None) -> tuple[list[ArticleExtraction], list[Outcome]]:
    from .executors import Engine

    elsewhere = workers > 1 or executor != "local"

    engine = Engine(model, workers=workers, executor=executor, scheduler=scheduler, cache_dir=cache_dir)
    try:
        skipped: list[Skipped] = []
        articles = engine.read(paths, skipped=skipped, max_bytes=max_bytes)
        outcomes = [Outcome(s.path, s.status, s.reason) for s in skipped]
        unique: list[Article] = []
        first_input: dict[str, str | None] = {}
        for article in articles:
            if article.id in first_input:
                outcomes.append(Outcome(article.path or article.id, "failed",
                                        f"article id {article.id!r} is already used by {first_input[article.id]}; "
                                        "give every article its own id (in JSON Lines, the \"id\" field)"))
                continue
            first_input[article.id] = article.path
            unique.append(article)
        extractions = []
        for article, extraction, error in engine.extract(unique, progress=progress):
            name = article.path or article.id
            if extraction is None:
                outcomes.append(Outcome(name, "failed", f"extraction failed ({error}); please report it", article.id))
            else:
                outcomes.append(Outcome(name, "processed", None, article.id))
                extractions.append(extraction)
                if elsewhere and len(extractions) % KEEP_EVERY == 0:
                    keep()  # parsed in other processes: no spaCy garbage here that this could keep
    finally:
        engine.close()
    outcomes.sort(key=_input_order)
    return extractions, outcomes


def _input_order(outcome: Outcome) -> tuple[str, int]:
    line = _LINE_SUFFIX.match(outcome.input)
    return (line.group(1), int(line.group(2))) if line else (outcome.input, 0)


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


# --- the stored extractions and the exports ---------------------------------------------------------------


def load_extractions(out: str | Path) -> dict[str, ArticleExtraction]:
    """The extractions a build stored in ``out`` (``articles.jsonl``), by article id; empty for a new folder."""
    out = Path(out)
    path = out / STORE
    if not path.exists():
        if (out / "graph.json").exists():
            raise ExportError(f"{out} holds a graph but no {STORE} (an older kgraph made it); rebuild it from all "
                              "its articles without --update once, and updates work from then on.")
        return {}
    try:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        extractions = [ArticleExtraction.from_json(record) for record in records]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{path} cannot be read ({type(exc).__name__}: {exc}); rebuild {out} from all its "
                          "articles without --update.") from exc
    return {e.article.id: e for e in extractions}


def write_extractions(extractions: Iterable[ArticleExtraction], path: str | Path) -> Path:
    """Write ``articles.jsonl``: one extraction per line, sorted by article id, byte-identical for the same input.

    U+2028 and U+2029 are escaped: readers that split lines the way Python's ``str.splitlines`` does would
    otherwise cut a line in two.
    """
    lines = [json.dumps(e.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
             .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
             for e in sorted(extractions, key=lambda e: e.article.id)]
    return atomic_write(path, "".join(line + "\n" for line in lines))


def _write(extractions: dict[str, ArticleExtraction], out: Path, *, base: str, outcomes: list[Outcome],
           removed: Sequence[str] = (), overrides=None) -> BuildResult:
    ordered = [extractions[key] for key in sorted(extractions)]
    graph = build_graph(ordered, base=base, **({"overrides": overrides} if overrides is not None else {}))
    result = BuildResult(graph=graph, articles=len(ordered), relations=sum(len(e.relations) for e in ordered),
                         outcomes=outcomes, removed=sorted(removed))
    for exporter in EXPORTERS:
        result.files.extend(exporter(graph, out))
    result.files.append(atomic_write(out / REPORT, json.dumps(_report(result), ensure_ascii=False, indent=1,
                                                               sort_keys=True) + "\n"))
    # Last: once the stored extractions are new, every file is; until then the same command can run again.
    result.files.append(write_extractions(ordered, out / STORE))
    return result


def _report(result: BuildResult) -> dict:
    report = {
        "articles": sorted(result.graph.graph.get("articles", {})),
        "counts": {"articles": result.articles, "entities": result.entities, "facts": result.facts,
                   "relation_mentions": result.relations, "processed": result.count("processed"),
                   "skipped": result.count("skipped"), "failed": result.count("failed")},
        "inputs": [o.to_json() for o in result.outcomes],
    }
    if result.removed:
        report["removed"] = result.removed
    return report
