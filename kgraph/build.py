"""The whole path: articles -> extraction -> resolution -> graph -> exports.

A build never falls over on one bad input: every input gets an :class:`Outcome` (processed, skipped
and why, failed and why) in ``build-report.json``. It holds the output folder's lock for its whole
run, writes every file atomically, and keeps each article's extraction in ``articles.jsonl`` beside
the exports, so that ``--update`` (add or replace articles) and :func:`remove` rebuild the graph from
the stored extractions without parsing anything again: building A then B equals building A and B.

While it runs, a build keeps the extractions on disk too (:class:`StoredExtractions`) and reads them back
one at a time: for resolution without their relations, for the graph without their mentions. No list of
every extraction is ever held; resolution keeps the entities, and a few facts about their mentions.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import networkx as nx

from . import ids
from .collector import collector_paused, long_lived_objects
from .errors import ExportError
from .export import EXPORTERS, export_all
from .export.atomic import TEMP_PREFIX, TEMP_SUFFIX, atomic_file, atomic_write, remove_stale_temp_files
from .export.runs import RUNS_DIR
from .extract import extract_all
from .graph import build_graph
from .resolve import Overrides, Prepared, PreparedArticles, resolve
from .ingest import DEFAULT_MAX_BYTES, Skipped
from .lock import exclusive
from .nlp import DEFAULT_MODEL
from .types import Article, ArticleExtraction, StoredExtraction, line_digest

__all__ = ["BuildResult", "Outcome", "StoredExtractions", "build", "remove", "extract_mentions", "load_extractions",
           "STORE", "REPORT"]

STORE = "articles.jsonl"  # one extraction per line, sorted by article id: what --update and remove rebuild from
REPORT = "build-report.json"
_LINE_SUFFIX = re.compile(r"^(.*):(\d+)$")

Status = Literal["processed", "skipped", "failed"]
Progress = Callable[[int, int], None]
Stage = Callable[[str, int], None]  # told each step after extraction as it starts, and how many articles it covers


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
          cache_dir: str | Path | None = None, stage: Stage | None = None) -> BuildResult:
    """Build the knowledge graph of the articles under ``paths`` and write every export into ``out``.

    With ``update``, the articles join those of the build already in ``out`` (an article with the id of
    a stored one replaces it); without it, the graph holds these articles only. Raises
    :class:`~kgraph.errors.ExportError` when another build holds ``out``. Files are written atomically,
    so an interrupted build leaves each earlier export whole. ``executor``, ``scheduler`` and ``cache_dir``
    choose where extraction runs and where it is cached (:mod:`kgraph.executors`). ``stage``, when given, is
    told each step after extraction as it starts ("resolving entities", "building the graph", "writing the
    exports") with the number of articles in the graph: with ``progress``, what a long build shows.
    """
    check_base(base)
    out = Path(out)
    with exclusive(out), long_lived_objects() as keep:
        remove_stale_temp_files(out)
        remove_stale_temp_files(out / RUNS_DIR)
        with StoredExtractions(out) as stored:
            if update:
                stored.add_file(out / STORE)
            _, outcomes = _extract(paths, model=model, workers=workers, progress=progress, max_bytes=max_bytes,
                                   executor=executor, scheduler=scheduler, cache_dir=cache_dir, keep=keep,
                                   sink=stored.add)
            keep(collect=True)
            return _write(stored, out, base=base, outcomes=outcomes, overrides=overrides, workers=workers,
                          stage=stage, keep=keep)


def remove(article_ids: Iterable[str], out: str | Path, *, base: str = ids.DEFAULT_BASE,
           overrides=None, workers: int = 1, stage: Stage | None = None) -> BuildResult:
    """Take articles out of the build in ``out``: their facts and provenance go, everything else stays.
    With more than one of ``workers``, some exports are written by a second process (:func:`export_all`).

    Raises :class:`~kgraph.errors.ExportError` (and changes nothing) when an id is not in the build.
    """
    check_base(base)
    out = Path(out)
    article_ids = list(dict.fromkeys(article_ids))
    with exclusive(out), long_lived_objects() as keep:
        remove_stale_temp_files(out)
        remove_stale_temp_files(out / RUNS_DIR)
        with StoredExtractions(out) as stored:
            stored.add_file(out / STORE)
            keep(collect=True)
            unknown = [a for a in article_ids if a not in stored]
            if unknown:
                raise ExportError(f"{out}: no article {', '.join(map(repr, unknown))} in this build; the article ids "
                                  f"are listed under \"articles\" in {out / REPORT}.")
            for article_id in article_ids:
                stored.remove(article_id)
            return _write(stored, out, base=base, outcomes=[], removed=article_ids, overrides=overrides,
                          workers=workers, stage=stage, keep=keep)


def extract_mentions(paths: Iterable[str | Path], *, model: str = DEFAULT_MODEL, workers: int = 1,
                     progress: Progress | None = None, max_bytes: int = DEFAULT_MAX_BYTES, executor: str = "local",
                     scheduler: str | None = None,
                     cache_dir: str | Path | None = None) -> tuple[list[dict], list[Skipped]]:
    """Relation mentions, unmerged, in the ``kgraph extract`` line format, and the inputs that gave none."""
    extractions, outcomes = _extract(paths, model=model, workers=workers, progress=progress, max_bytes=max_bytes,
                                     executor=executor, scheduler=scheduler, cache_dir=cache_dir)
    skipped = [Skipped(o.input, o.reason or "", o.status) for o in outcomes if o.status != "processed"]
    return [r.to_json() for e in extractions for r in e.relations], skipped


KEEP_EVERY = 256  # extractions received between two calls of ``keep`` (:func:`kgraph.collector.long_lived_objects`)


def check_base(base: str) -> None:
    """Refuse a base IRI that would break the RDF files (a space, a quote, ``<``...)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*", base):
        raise ExportError(f"--base-iri {base!r} is not an absolute IRI that RDF can carry; give one like "
                          f"{ids.DEFAULT_BASE!r} (no spaces, quotes, <, >, braces or backslashes).")


# --- extraction --------------------------------------------------------------------------------------


def _extract(paths: Iterable[str | Path], *, model: str, workers: int, progress: Progress | None,
             max_bytes: int, executor: str = "local", scheduler: str | None = None,
             cache_dir: str | Path | None = None, keep: Callable[[], None] = lambda: None,
             sink: Callable[[ArticleExtraction | StoredExtraction], None] | None = None
             ) -> tuple[list[ArticleExtraction], list[Outcome]]:
    """The extractions of the articles under ``paths`` and an outcome for every input; with ``sink``, each
    extraction goes to it as it comes (what the cache had, as its line: :class:`StoredExtraction`) and the list
    returned is empty."""
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
        for article, extraction, error in engine.extract(unique, progress=progress, stored=sink is not None):
            name = article.path or article.id
            if extraction is None:
                outcomes.append(Outcome(name, "failed", f"extraction failed ({error}); please report it", article.id))
            else:
                outcomes.append(Outcome(name, "processed", None, article.id))
                if sink is not None:
                    sink(extraction)
                    continue
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


# --- the stored extractions and the exports ---------------------------------------------------------------


def load_extractions(out: str | Path) -> dict[str, ArticleExtraction]:
    """The extractions a build stored in ``out`` (``articles.jsonl``), by article id; empty for a new folder."""
    out = Path(out)
    with StoredExtractions(out) as stored:
        stored.add_file(out / STORE)
        return {extraction.article.id: extraction for extraction in stored}


def write_extractions(extractions: Iterable[ArticleExtraction], path: str | Path) -> Path:
    """Write ``articles.jsonl``: one extraction per line, sorted by article id, byte-identical for the same input."""
    if isinstance(extractions, StoredExtractions):
        return extractions.write(Path(path))
    with atomic_file(path) as handle:
        for extraction in sorted(extractions, key=lambda e: e.article.id):
            handle.write(extraction.json_line())
    return Path(path)


class StoredExtractions:
    """A build's extractions, kept on disk as ``articles.jsonl`` lines and read back one at a time, so that
    a build never holds every extraction in memory.

    New ones go to a temp file beside the exports (removed on exit, or by the next build if this one is
    killed); earlier ones are read where they are, in the folder's ``articles.jsonl``. Only an index stays
    in memory: each article's file, offset and length, and how many relation mentions it holds.

    >>> import tempfile
    >>> from kgraph.types import Article, ArticleExtraction
    >>> with StoredExtractions(tempfile.mkdtemp()) as stored:
    ...     stored.add(ArticleExtraction(Article(id="b", text="B."), [], [], []))
    ...     stored.add(ArticleExtraction(Article(id="a", text="A."), [], [], []))
    ...     [e.article.id for e in stored], len(stored), "a" in stored
    (['a', 'b'], 2, True)
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        # id -> (file, offset, length, relations, digest of the line)
        self.where: dict[str, tuple[BinaryIO, int, int, int, str]] = {}
        self.files: list[BinaryIO] = []
        self.spill: BinaryIO | None = None

    def __enter__(self) -> StoredExtractions:
        return self

    def __exit__(self, *_) -> None:
        for file in self.files:
            file.close()
        if self.spill is not None:
            self.spill_path.unlink(missing_ok=True)

    def add(self, extraction: ArticleExtraction | StoredExtraction) -> None:
        """Keep ``extraction``, in place of any earlier one of its article."""
        if self.spill is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{STORE}.", suffix=TEMP_SUFFIX, dir=self.folder)
            self.spill = open(fd, "w+b")  # noqa: SIM115 - closed in __exit__
            self.spill_path = Path(name)
            self.files.append(self.spill)
        line = extraction.json_line()
        offset = self.spill.seek(0, os.SEEK_END)
        self.spill.write(line)
        relations = extraction.relations if isinstance(extraction, StoredExtraction) else len(extraction.relations)
        self.where[extraction.article.id] = (self.spill, offset, len(line), relations, line_digest(line))

    def add_file(self, path: Path) -> None:
        """Keep the extractions of an ``articles.jsonl`` (a build's store); none when there is no such file."""
        out = path.parent
        if not path.exists():
            if (out / "graph.json").exists():
                raise ExportError(f"{out} holds a graph but no {STORE} (an older kgraph made it); rebuild it from "
                                  "all its articles without --update once, and updates work from then on.")
            return
        try:
            file = path.open("rb")
            self.files.append(file)
            offset = 0
            for line in file:
                if line.strip():
                    record = json.loads(line)
                    self.where[record["article"]["id"]] = (file, offset, len(line), len(record["relations"]),
                                                           line_digest(line))
                offset += len(line)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ExportError(f"{path} cannot be read ({type(exc).__name__}: {exc}); rebuild {out} from all its "
                              "articles without --update.") from exc

    def remove(self, article_id: str) -> None:
        del self.where[article_id]

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.where

    def __len__(self) -> int:
        return len(self.where)

    @property
    def relations(self) -> int:
        return sum(entry[3] for entry in self.where.values())

    def digests(self) -> dict[str, str]:
        """A digest of each article's stored line, by article id: equal digests, equal extractions."""
        return {article_id: entry[4] for article_id, entry in self.where.items()}

    def _line(self, article_id: str) -> bytes:
        file, offset, length, *_ = self.where[article_id]
        file.seek(offset)
        return file.read(length)

    def get(self, article_id: str, *, without: tuple[str, ...] = ()) -> ArticleExtraction:
        """The extraction of one article; ``without`` some of its lists ("entities", "mentions", "relations"),
        left empty when the reader has no use for them."""
        try:
            return ArticleExtraction.from_json(_record_without(self._line(article_id), without))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ExportError(f"the stored extraction of {article_id!r} cannot be read ({type(exc).__name__}: "
                              f"{exc}); rebuild {self.folder} from all its articles without --update.") from exc

    def __iter__(self) -> Iterator[ArticleExtraction]:
        """Every extraction, by article id, read one at a time."""
        return (self.get(article_id) for article_id in sorted(self.where))

    def for_resolution(self, prepared: PreparedArticles | None = None) -> Iterator[ArticleExtraction | Prepared]:
        """Every extraction, by article id, one at a time, with what resolution reads: the article and its
        entities and mentions (not its relations). Resolution keeps none of them (:func:`kgraph.resolve.resolve`).
        With ``prepared`` (open), what it kept of an article from the last build, where it has it, and the
        extraction is not read."""
        for article_id in sorted(self.where):
            kept = prepared.get(article_id) if prepared is not None else None
            yield kept if kept is not None else self.get(article_id, without=("relations",))

    def for_graph(self) -> Iterator[ArticleExtraction]:
        """Every extraction, by article id, one at a time, with what the graph reads once entities are resolved:
        the article and its relations."""
        return (self.get(article_id, without=("entities", "mentions")) for article_id in sorted(self.where))

    def write(self, path: Path) -> Path:
        """Write ``articles.jsonl``, the lines as stored, by article id: the bytes :func:`write_extractions` writes."""
        with atomic_file(path) as handle:
            self.write_to(handle)
        return path

    def write_to(self, handle: BinaryIO) -> None:
        """Write the lines of ``articles.jsonl`` (:meth:`write`) to ``handle``."""
        for article_id in sorted(self.where):
            if self.where[article_id][0] is self.spill:
                handle.write(self._line(article_id))
            else:  # written by an earlier build, perhaps an older kgraph: in today's form
                handle.write(self.get(article_id).json_line())


STORED_LISTS = ("entities", "mentions", "relations")  # the lists of a stored line, in the order it holds them


def _record_without(line: bytes, without: tuple[str, ...]) -> dict:
    r"""The record of a stored line, with the lists named in ``without`` empty, and not even parsed: resolution
    reads no relations and the graph no entities or mentions, most of a line.

    A line is ``{"article":{...},"entities":[...],"mentions":[...],"relations":[...]}``
    (:meth:`~kgraph.types.ArticleExtraction.json_line`, its keys sorted). No string in it holds an unescaped
    quote, and nothing inside has a list of those names, so each ``,"<name>":[`` is where one of them starts.
    Where a line has another shape (an older kgraph's), cutting it leaves broken JSON or other keys: it is
    read whole.

    >>> line = b'{"article":{"id":"a"},"entities":[{"mentions":1}],"mentions":[],"relations":[{"x":"\\",\\"y\\":["}]}'
    >>> _record_without(line, ("entities", "mentions")) == {**json.loads(line), "entities": [], "mentions": []}
    True
    """
    record = None
    starts = [line.find(b',"' + name.encode() + b'":[') for name in STORED_LISTS]
    if without and 0 < starts[0] < starts[1] < starts[2]:
        ends = [*starts[1:], line.rfind(b"}")]
        kept = [name for name in STORED_LISTS if name not in without]
        pieces = [line[start:end] for name, start, end in zip(STORED_LISTS, starts, ends) if name in kept]
        try:
            record = json.loads(b"".join([line[:starts[0]], *pieces, b"}"]))
        except ValueError:
            record = None
        if not isinstance(record, dict) or set(record) != {"article", *kept}:
            record = None
    if record is None:
        record = json.loads(line)
    for part in without:
        record[part] = []
    return record


def _write(extractions: StoredExtractions, out: Path, *, base: str, outcomes: list[Outcome],
           removed: Sequence[str] = (), overrides=None, workers: int = 1, stage: Stage | None = None,
           keep: Callable[..., None] = lambda collect=False: None) -> BuildResult:
    """Resolve, build the graph and write every export; ``keep`` freezes what is alive (see
    :func:`kgraph.collector.long_lived_objects`)."""
    def starting(step: str) -> None:
        if stage is not None:
            stage(step, len(extractions))

    # Resolution and the graph make millions of objects that live on and no cyclic garbage: the collector
    # is paused while they are made (a tenth to a fifth of their time), and the graph frozen for the exports.
    with collector_paused():
        # the resolution (its ledger is as long as the graph) goes once the graph is built
        starting("resolving entities")
        with PreparedArticles(out, overrides or Overrides(), extractions.digests()) as prepared:
            resolution = resolve(extractions.for_resolution(prepared), overrides=overrides, prepared=prepared)
        starting("building the graph")
        graph = build_graph(extractions.for_graph(), base=base, resolution=resolution)
        del resolution
    keep(collect=True)
    result = BuildResult(graph=graph, articles=len(extractions), relations=extractions.relations,
                         outcomes=outcomes, removed=sorted(removed))
    starting("writing the exports")
    # The stored extractions replace the last ones last: once they are new, every file is; until then the same
    # command can run again. Their lines are written while the forked process still writes its exports.
    with atomic_file(out / STORE) as store:
        result.files.extend(export_all(graph, out, EXPORTERS, fork=workers > 1,
                                       meanwhile=lambda: extractions.write_to(store)))
        result.files.append(atomic_write(out / REPORT, json.dumps(_report(result), ensure_ascii=False, indent=1,
                                                                   sort_keys=True) + "\n"))
    result.files.append(out / STORE)
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
