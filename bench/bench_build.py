"""How fast ``kgraph build`` runs, against the bare spaCy parse of the same texts, in one run.

    python bench/bench_build.py --articles 1000                  # one size
    python bench/bench_build.py --articles 1000 --articles 10000 # two sizes, and how memory grows between them

For each size it writes a corpus of distinct articles made from real text (the sample articles in
seeds/, the CoNLL04 sentences and KnowledgeNet passages in ../shared/data, shuffled and recombined,
so no two articles are the same and no cache helps by accident), then runs, each in a fresh process:

1. the bare spaCy parse of the articles' text, ``nlp.pipe(batch_size=16, n_process=N)``;
2. ``kgraph build`` with 1 worker, timed stage by stage (ingest, parse, extraction, relation classifier,
   cache, resolve, graph, each export);
3. ``kgraph build`` with N workers (default: every core), with an empty cache;
4. the same build again after 1% of the articles changed, with the cache of run 3, into a copy of run 3's
   exports folder, as a user rebuilds into the folder of the last build (its query store is updated, not
   loaded again).

It prints words per second, the ratios (build/parse, what kgraph adds beyond its models, the speed-up
of N workers over 1, the warm rebuild against the cold build), the peak memory of each run (the main
process and the largest child: a worker, or the process that writes some exports; for each stage, the peak so far and the peak while the stage ran), the size of the graph itself (its Python objects, so that the main
process's peak can be given "the graph aside") and whether runs 2 and 3 wrote identical files. Ratios are measured
in one run on one machine; absolute times depend on the machine and on what else runs on it.
"""
from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
CHANGED_SHARE = 0.01


# --- the corpus ---------------------------------------------------------------------------------------


def sentence_pool() -> list[str]:
    """Real sentences: the sample articles', CoNLL04's and KnowledgeNet's."""
    pool: list[str] = []
    for file in sorted((REPO / "seeds").glob("*")):
        if file.suffix in (".txt", ".md"):
            for paragraph in file.read_text(encoding="utf-8").split("\n"):
                pool += [s.strip("#*> ").strip() for s in SENTENCE_END.split(paragraph) if len(s.split()) >= 6]
    for name in ("conll04/train.jsonl", "conll04/dev.jsonl", "knowledgenet_folds1-3.jsonl"):
        path = DATA / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                text = record.get("text") or record.get("passageText") or ""
                if len(text.split()) >= 6:
                    pool.append(" ".join(text.split()))
    return sorted(set(pool))


def write_corpus(folder: Path, articles: int, *, seed: int = 7) -> int:
    """``articles`` distinct articles of 150-300 words in ``folder``; returns the number of words."""
    from kgraph.ingest import sniff_binary

    pool = sentence_pool()
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    seen: set[str] = set()
    words = 0
    index = 0
    while index < articles:
        target = rng.randint(150, 300)
        body: list[str] = []
        count = 0
        while count < target:
            sentence = rng.choice(pool)
            body.append(sentence)
            count += len(sentence.split())
        text = " ".join(body)
        if text in seen:
            continue
        seen.add(text)
        title = " ".join(body[0].split()[:8]).rstrip(".,;:")
        paragraphs = [" ".join(body[i:i + 3]) for i in range(0, len(body), 3)]
        document = (title + "\n\n" + "\n\n".join(paragraphs) + "\n").encode("utf-8")
        if sniff_binary(document):  # e.g. "Mustard" at byte 257 looks like a tar header to kgraph: not a test of that
            continue
        (folder / f"{index:06d}.txt").write_bytes(document)
        words += count
        index += 1
    return words


def change_some(folder: Path, share: float, *, seed: int = 11) -> int:
    """Edit ``share`` of the articles (a sentence added at the end); returns how many changed."""
    files = sorted(folder.glob("*.txt"))
    rng = random.Random(seed)
    changed = rng.sample(files, max(1, round(len(files) * share)))
    pool = sentence_pool()
    for file in changed:
        file.write_text(file.read_text(encoding="utf-8") + "\n" + rng.choice(pool) + "\n", encoding="utf-8")
    return len(changed)


# --- timing stage by stage ------------------------------------------------------------------------------


class Stopwatch:
    """Exclusive time per stage: time spent in a nested stage counts for that stage only.

    Memory per stage, two ways: ``peak_mb`` the process's peak so far when the stage last ended, and
    ``stage_peak_mb`` the largest resident size while the stage ran (nested stages included), from Linux's
    VmHWM, which :class:`Watermark` resets between stages.

    Each thread keeps its own stack of stages. The build loads the query store on a thread of its own while
    the exports after it run, and writes the graph files, the HTML and the ledger in a forked process (whose
    seconds the build reports: :func:`instrument`), so there the stages add up to more than the build's time,
    and "other" (the build's time less every stage) comes out lower by that overlap, below zero when it is larger.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.peak_mb: dict[str, float] = {}
        self.stage_peak_mb: dict[str, float] = {}
        self.threads = threading.local()  # each thread's stack of stages and the time of its last change
        self.lock = threading.Lock()

    @property
    def stack(self) -> list[str]:
        if not hasattr(self.threads, "stack"):
            self.threads.stack, self.threads.mark = [], time.perf_counter()
        return self.threads.stack

    def _sample(self) -> None:
        """Count the resident peak since the last sample for every stage running, then start a new interval."""
        high = WATERMARK.take()
        for stage in self.stack:
            self.stage_peak_mb[stage] = max(self.stage_peak_mb.get(stage, 0.0), high)

    def enter(self, stage: str) -> None:
        now = time.perf_counter()
        stack = self.stack
        with self.lock:
            self._sample()
            if stack:
                self.seconds[stack[-1]] += now - self.threads.mark
        stack.append(stage)
        self.threads.mark = now

    def exit(self) -> None:
        now = time.perf_counter()
        stack = self.stack
        with self.lock:
            self._sample()
            stage = stack.pop()
            self.seconds[stage] += now - self.threads.mark
            self.peak_mb[stage] = max(self.peak_mb.get(stage, 0.0), peak_mb())
        self.threads.mark = now

    def call(self, stage: str, function: Callable) -> Callable:
        @functools.wraps(function)  # the build runs some exporters on a thread by their names
        def timed(*args, **kwargs):
            self.enter(stage)
            try:
                return function(*args, **kwargs)
            finally:
                self.exit()

        return timed

    def iterator(self, stage: str, function: Callable) -> Callable:
        """Time a function that returns an iterator: every step of the iteration counts for ``stage``."""

        def timed(*args, **kwargs) -> Iterator:
            self.enter(stage)
            try:
                iterator = iter(function(*args, **kwargs))  # a function may do all its work before returning
            finally:
                self.exit()
            while True:
                self.enter(stage)
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.exit()
                yield item

        return timed


def instrument(watch: Stopwatch) -> None:
    """Wrap kgraph's stage functions in this process so that ``watch`` times them."""
    import importlib

    from kgraph.cache import ExtractionCache

    kgraph = argparse.Namespace(**{name: importlib.import_module(f"kgraph.{name}")  # kgraph.build is also a function
                                   for name in ("build", "extract", "executors", "graph")})

    kgraph.executors.read_articles = watch.iterator("ingest", kgraph.executors.read_articles)
    kgraph.extract.parse = watch.iterator("parse (spaCy)", kgraph.extract.parse)
    if hasattr(kgraph.extract, "retag"):  # a recognizer run after the parse, when there is one
        kgraph.extract.retag = watch.iterator("names (kgraph's recognizer)", kgraph.extract.retag)
    kgraph.extract.extract_doc = watch.call("extract (rules)", kgraph.extract.extract_doc)
    # it returns a list, which extract_doc adds to: the timed function must return the same
    kgraph.extract.classified_relations = watch.call("extract (relation classifier)",
                                                     kgraph.extract.classified_relations)
    # with N workers: the wait for their results; with 1, what the extraction loop adds to the stages above
    kgraph.executors.Engine._run = watch.iterator("extraction loop / workers", kgraph.executors.Engine._run)
    ExtractionCache.holds = watch.call("cache", ExtractionCache.holds)
    ExtractionCache.get = watch.call("cache", ExtractionCache.get)
    ExtractionCache.put = watch.call("cache", ExtractionCache.put)
    kgraph.graph.resolve = watch.call("resolve", kgraph.graph.resolve)
    if hasattr(kgraph.build, "resolve"):  # the build resolves before it builds the graph
        kgraph.build.resolve = watch.call("resolve", kgraph.build.resolve)
    if hasattr(kgraph.build, "StoredExtractions"):  # extractions kept on disk, read back for resolution
        stored = kgraph.build.StoredExtractions
        stored.add = watch.call("store extractions", stored.add)
        stored.for_resolution = watch.call("read extractions back", stored.for_resolution)
        if hasattr(stored, "write_to"):  # articles.jsonl, written while the forked process writes its exports
            stored.write_to = watch.call("store extractions", stored.write_to)
    kgraph.build.build_graph = watch.call("graph", kgraph.build.build_graph)
    if hasattr(kgraph.build, "write_extractions"):
        kgraph.build.write_extractions = watch.call("store extractions", kgraph.build.write_extractions)
    kgraph.build.EXPORTERS = tuple(watch.call(f"export {_export_name(e)}", e) for e in kgraph.build.EXPORTERS)
    if "seconds" in inspect.signature(kgraph.build.export_all).parameters:  # some exporters run in a forked child,
        export_all = kgraph.build.export_all                                   # where this watch does not see them

        def export_all_timed(graph, folder, exporters, **kwargs):
            seconds: dict[str, float] = {}
            try:
                return export_all(graph, folder, exporters, seconds=seconds, **kwargs)
            finally:
                for name, took in seconds.items():
                    watch.seconds[f"export {_export_name(argparse.Namespace(__name__=name))}"] += took
        kgraph.build.export_all = export_all_timed


def _export_name(exporter: Callable) -> str:
    names = {"_graph_files": "graph.json+graphml", "write_rdf": "rdf", "write_rdf_lines": "rdf (nt, ttl, nq)",
             "write_rdf_views": "rdf (json-ld, trig)"}
    return names.get(exporter.__name__, exporter.__name__.lstrip("_"))


class Watermark:
    """The resident peak (VmHWM) of intervals of this process: :meth:`take` returns the peak since the last
    call and starts a new interval (writing 5 to ``/proc/self/clear_refs`` resets VmHWM). Where Linux's
    ``/proc`` is missing, every interval reports the peak so far."""

    def __init__(self) -> None:
        self.highest = 0.0  # the largest interval peak: resetting VmHWM also lowers ru_maxrss

    def take(self) -> float:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                high = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
            with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")
        except (OSError, StopIteration, ValueError):
            high = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.highest = max(self.highest, high)
        return high


WATERMARK = Watermark()


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    WATERMARK.take()
    return max(WATERMARK.highest, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def children_peak_mb() -> float:
    """The largest peak resident memory among this process's finished children, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# --- the runs, each in a fresh process --------------------------------------------------------------------


def run_phase(phase: str, corpus: Path, workers: int, out: Path, cache: Path | None) -> dict:
    from kgraph.ingest import read_articles

    if phase == "parse":
        from kgraph.nlp import BATCH_SIZE, load_pipeline

        texts = [a.clean for a in read_articles([corpus])]
        nlp = load_pipeline()
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=workers):
            pass
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "words": sum(len(t.split()) for t in texts)}
    from kgraph import build

    watch = Stopwatch()
    instrument(watch)
    start = time.perf_counter()
    result = build([corpus], out, workers=workers, cache_dir=cache)
    seconds = time.perf_counter() - start
    peak = peak_mb()  # before deep_size below: its own bookkeeping (an id for every object of the graph) is no build's
    stages = dict(watch.seconds)
    stages["other"] = seconds - sum(stages.values())
    from kgraph.cache import extraction_fingerprint

    return {"seconds": seconds, "peak_mb": peak, "articles": result.articles, "failed": result.count("failed"),
            "stages": stages,
            "stage_peak_mb": watch.peak_mb,
            "in_stage_peak_mb": watch.stage_peak_mb,
            "code": extraction_fingerprint(), "graph_mb": deep_size(result.graph) / 2**20,
            "graph_size": [result.graph.number_of_nodes(), result.graph.number_of_edges()]}


def deep_size(root) -> int:
    """Bytes of every Python object reachable from ``root`` through containers and objects' attributes,
    each counted once: for the graph, its nodes, edges and every attribute (evidence, sentences)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))
    return total


def snapshot_code(work: Path) -> Path:
    """A copy of kgraph's code that every run imports, so that all runs measure the same code even when the
    checkout changes meanwhile."""
    folder = work / "code"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(REPO / "kgraph", folder / "kgraph", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def in_fresh_process(phase: str, corpus: Path, workers: int, out: Path, cache: Path | None) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--corpus", str(corpus), "--workers", str(workers),
               "--out", str(out)]
    if cache is not None:
        command += ["--cache", str(cache)]
    code = corpus.parent / "code"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"the {phase} run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_files(first: Path, second: Path) -> bool:
    """Byte-identical exports (the oxigraph store folder aside: its database files are never byte-stable; and the
    indexes of the RDF files' runs, which hold the files' times)."""
    aside = {"store", ".kgraph-runs"}
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file() and not aside & set(p.parts))
    others = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file() and not aside & set(p.parts))
    return names == others and all((first / n).read_bytes() == (second / n).read_bytes() for n in names)


def bench_size(articles: int, workers: int, work: Path) -> dict:
    corpus = work / f"corpus-{articles}"
    words = write_corpus(corpus, articles)
    snapshot_code(work)
    print(f"\n== {articles} articles, {words} words; {workers} workers ==", flush=True)
    parse = in_fresh_process("parse", corpus, workers, work / "unused", None)
    print(f"bare spaCy parse ({workers} workers): {parse['seconds']:.1f} s", flush=True)
    single = in_fresh_process("build", corpus, 1, work / f"out-{articles}-1", work / f"cache-{articles}-1")
    print(f"build, 1 worker: {single['seconds']:.1f} s", flush=True)
    multi = in_fresh_process("build", corpus, workers, work / f"out-{articles}-n", work / f"cache-{articles}-n")
    print(f"build, {workers} workers: {multi['seconds']:.1f} s", flush=True)
    changed = change_some(corpus, CHANGED_SHARE)
    shutil.copytree(work / f"out-{articles}-n", work / f"out-{articles}-warm")  # the last build's folder
    warm = in_fresh_process("build", corpus, workers, work / f"out-{articles}-warm", work / f"cache-{articles}-n")
    print(f"rebuild after {changed} articles changed, warm cache: {warm['seconds']:.1f} s", flush=True)
    figures = {
        "articles": articles, "words": words, "workers": workers, "changed": changed,
        "parse": parse, "build_1": single, "build_n": multi, "rebuild": warm,
        "identical_1_vs_n": same_files(work / f"out-{articles}-1", work / f"out-{articles}-n"),
    }
    report(figures)
    return figures


def report(f: dict) -> None:
    words, n = f["words"], f["workers"]
    parse, one, many, warm = f["parse"], f["build_1"], f["build_n"], f["rebuild"]
    stages = one["stages"]
    models = sum(s for name, s in stages.items() if name.startswith(("parse", "names", "extract (relation")))
    spacy_only = stages.get("parse (spaCy)", 0.0)
    print(f"\nwords/s: bare parse {words / parse['seconds']:,.0f} ({n} workers); build {words / one['seconds']:,.0f} "
          f"(1 worker), {words / many['seconds']:,.0f} ({n} workers)")
    print(f"workers speed-up (build, 1 -> {n} workers): {one['seconds'] / many['seconds']:.2f}x; "
          f"ingest, parse and extraction alone: {_extraction_seconds(one) / _extraction_seconds(many):.2f}x")
    print(f"build / bare spaCy parse ({n} workers): {many['seconds'] / parse['seconds']:.2f} "
          f"(kgraph adds {100 * (many['seconds'] / parse['seconds'] - 1):.0f}% to spaCy's time)")
    print(f"1-worker build, beyond its models (the spaCy pipeline, the relation classifier): "
          f"{100 * (one['seconds'] - models) / models:.0f}% of the models' time; "
          f"beyond spaCy alone: {100 * (one['seconds'] - spacy_only) / spacy_only:.0f}%")
    print(f"warm rebuild after {f['changed']} of {f['articles']} articles changed: {warm['seconds']:.1f} s = "
          f"{100 * warm['seconds'] / many['seconds']:.1f}% of the cold {n}-worker build")
    print(f"1-worker and {n}-worker builds wrote identical files: {'yes' if f['identical_1_vs_n'] else 'NO'}")
    for label, run in (("1-worker build", one), (f"{n}-worker build", many), ("rebuild", warm)):
        if run.get("failed"):
            print(f"WARNING: {run['failed']} articles failed in the {label}: its figures do not measure a whole build")
    if warm["code"] != many["code"]:
        print("WARNING: kgraph's extraction code changed between the cold build and the rebuild, so the cache "
              "could not serve it; run the benchmark again on an unchanged checkout.")
    print(f"peak memory, MB: bare parse main {parse['peak_mb']:.0f} / workers {parse['children_peak_mb']:.0f}; "
          f"build 1 worker {one['peak_mb']:.0f}; build {n} workers main {many['peak_mb']:.0f} / largest child (a worker or the exports') "
          f"{many['children_peak_mb']:.0f}; rebuild main {warm['peak_mb']:.0f}")
    print(f"the graph itself ({many['graph_size'][0]:,} entities, {many['graph_size'][1]:,} facts): "
          f"{many['graph_mb']:.0f} MB of Python objects; {n}-worker build main process peak, the graph aside: "
          f"{many['peak_mb'] - many['graph_mb']:.0f} MB")
    print("\nstage (1-worker build)            seconds   share   peak MB so far   peak MB in stage")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:32} {seconds:8.2f} {100 * seconds / one['seconds']:6.1f}%   "
              f"{one['stage_peak_mb'].get(name, float('nan')):8.0f}   "
              f"{one.get('in_stage_peak_mb', {}).get(name, float('nan')):8.0f}")
    for label, run in ((f"{n}-worker build, main process", many), ("warm rebuild, main process", warm)):
        print(f"stage ({label})                               peak MB in stage")
        for name, seconds in sorted(run["stages"].items(), key=lambda kv: -kv[1]):
            print(f"  {name:32} {seconds:8.2f} {100 * seconds / run['seconds']:6.1f}%   "
                  f"{run.get('in_stage_peak_mb', {}).get(name, float('nan')):8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append", help="corpus size; repeat for several")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="write corpora and outputs here and keep them")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--phase", choices=["parse", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        figures = run_phase(args.phase, args.corpus, args.workers, args.out, args.cache)
        # a build's peak, taken by run_phase before it measured the graph, wins
        figures = {"peak_mb": peak_mb(), "children_peak_mb": children_peak_mb(), **figures}
        print(json.dumps(figures))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="kgraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = [bench_size(size, args.workers, work) for size in args.articles or [1000]]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"\nmemory growth, {small['articles']} -> {large['articles']} articles:")
        for label, run, key in (("bare parse, workers", "parse", "children_peak_mb"),
                                ("build, largest child (a worker or the exports')", "build_n", "children_peak_mb"),
                                ("build, main process", "build_n", "peak_mb"),
                                ("build, main process, the graph aside", "build_n", "aside"),
                                ("the graph itself", "build_n", "graph_mb"),
                                ("1-worker build, peak up to the end of extraction", "build_1", None)):
            before, after = (_extraction_peak(r) if key is None else
                             r[run]["peak_mb"] - r[run]["graph_mb"] if key == "aside" else r[run][key]
                             for r in (small, large))
            print(f"  {label}: {before:.0f} -> {after:.0f} MB ({after / before:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


def _extraction_seconds(run: dict) -> float:
    """The time of ingest, parse and extraction (and the cache), the stages the workers share."""
    return sum(seconds for stage, seconds in run["stages"].items()
               if stage.startswith(("ingest", "parse", "names", "extract", "cache")))


def _extraction_peak(figures: dict) -> float:
    peaks = figures["build_1"]["stage_peak_mb"]
    return max(v for k, v in peaks.items() if k.startswith(("ingest", "parse", "names", "extract", "cache")))


if __name__ == "__main__":
    main()
