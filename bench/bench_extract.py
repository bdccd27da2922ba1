"""How much time kgraph's extraction takes against the spaCy parse it runs on, in one run.

    python bench/bench_extract.py                     # 300 articles: parse, then extraction alone
    python bench/bench_extract.py --articles 100 --profile 25   # and the 25 costliest functions of each part

It writes a corpus of distinct articles of 150-300 words made from real text, as ``bench_build.py``
does (the sample articles in seeds/, the CoNLL04 sentences and KnowledgeNet passages in ../shared/data),
adds the sample articles themselves, parses them all once with kgraph's pipeline (``nlp.pipe``, the
batches a build uses) and keeps the Docs; then it runs the extraction over the parsed Docs alone, as
a build does (:func:`kgraph.extract.extract_doc`), timing each part:

* names: entity mentions and their grouping into entities (spaCy's recognizer already ran in the parse);
* name probes: spaCy run on "I met X." to tell a lone surname's type (a model call, cached by name);
* rules: the relation patterns (roles, actions, static facts);
* pronouns: the rule-based coreference that gives the classifier its pronoun mentions;
* relation classifier: feature building and scoring (:func:`kgraph.extract.classifier.classified_relations`);
* the rest of :func:`~kgraph.extract.extract_doc` (dedup and sort).

It prints each part's time as a share of the bare parse, by the wall clock and by this process's CPU
time (which swings less on a machine shared with other work). With ``--profile N`` it runs the extraction
again under cProfile, on copies of the Docs made before the first (which adds names to them), and prints the N functions with the
most time of their own, for the rule extraction and for the classifier separately. Ratios are
measured in one run on one machine; the absolute times depend on the machine and what else runs on it.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import write_corpus  # noqa: E402  (the same corpus recipe as the build benchmark)


def clocks() -> np.ndarray:
    """Wall-clock and CPU seconds: on a shared machine this process's CPU time swings less than the wall clock."""
    return np.array([time.perf_counter(), time.process_time()])


class PartTimer:
    """Seconds (wall, CPU) spent in wrapped functions, each call's time counted once, in the innermost part."""

    def __init__(self) -> None:
        self.seconds: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(2))
        self.stack: list[list] = []  # [part, start, time spent in inner parts]

    def wrap(self, part: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            self.stack.append([part, clocks(), np.zeros(2)])
            try:
                return function(*args, **kwargs)
            finally:
                name, start, inner = self.stack.pop()
                spent = clocks() - start
                self.seconds[name] += spent - inner
                if self.stack:
                    self.stack[-1][2] += spent

        return timed


def instrument(timer: PartTimer) -> Callable[[], None]:
    """Wrap the extraction's parts where :func:`kgraph.extract.extract_doc` looks them up; returns what unwraps them."""
    import kgraph.extract as extract
    import kgraph.extract.context as context
    import kgraph.extract.entities as entities

    parts = [(extract, "entity_mentions", "names"), (extract, "group_mentions", "names"),
             (entities, "probe_type", "name probes (spaCy)"), (context.DocContext, "with_pronouns", "pronouns"),
             (extract, "action_relations", "rules"), (extract, "classified_relations", "relation classifier"),
             (extract, "extract_doc", "rest of extract_doc")]
    plain = [(owner, name, getattr(owner, name)) for owner, name, _part in parts]
    plain.append((extract, "EXTRACTORS", extract.EXTRACTORS))
    for owner, name, part in parts:
        setattr(owner, name, timer.wrap(part, getattr(owner, name)))
    extract.EXTRACTORS = tuple(timer.wrap("rules", e) for e in extract.EXTRACTORS)

    def restore() -> None:
        for owner, name, function in plain:
            setattr(owner, name, function)

    return restore


def corpus(articles: int) -> list:
    """``articles`` articles made as bench_build.py makes them, and the sample articles in seeds/."""
    from kgraph.ingest import read_articles

    with tempfile.TemporaryDirectory() as work:
        write_corpus(Path(work) / "corpus", articles)
        found = list(read_articles([Path(work) / "corpus"]))
    return found + list(read_articles([REPO / "seeds"]))


def profile_top(stats: cProfile.Profile, rows: int) -> str:
    """The profile's ``rows`` functions with the most time of their own, under pstats' column heads."""
    out = io.StringIO()
    pstats.Stats(stats, stream=out).sort_stats("tottime").print_stats(rows)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:start + rows + 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles of 150-300 words (the seeds are added)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="then profile the extraction and print the N costliest functions")
    options = parser.parse_args()

    from kgraph.nlp import load_pipeline, parse

    articles = corpus(options.articles)
    words = sum(len(a.clean.split()) for a in articles)
    nlp = load_pipeline()
    nlp("Warm the pipeline up.")
    start = clocks()
    docs = list(parse(nlp, [a.clean for a in articles]))
    parse_seconds = clocks() - start

    import kgraph.extract as extract

    fresh = [doc.copy() for doc in docs] if options.profile else []  # extraction adds repeated names to a Doc
    timer = PartTimer()
    restore = instrument(timer)
    start = clocks()
    for article, doc in zip(articles, docs):
        extract.extract_doc(article, doc, nlp)
    extract_seconds = clocks() - start
    restore()

    def ratios(seconds: np.ndarray) -> str:
        wall, cpu = seconds / parse_seconds
        return f"{wall:.3f} / {cpu:.3f}"

    print(f"{len(articles)} articles, {words:,} words; times as wall clock / CPU of this process")
    print(f"bare spaCy parse (kgraph's pipeline, 1 process): {parse_seconds[0]:7.2f} / {parse_seconds[1]:7.2f} s  "
          f"{words / parse_seconds[0]:,.0f} words/s")
    print(f"extraction over the parsed Docs:                 {extract_seconds[0]:7.2f} / {extract_seconds[1]:7.2f} s")
    print(f"{'part':26s} {'seconds':>17s}   share of the parse")
    for part, seconds in sorted(timer.seconds.items(), key=lambda kv: -kv[1][1]):
        print(f"  {part:24s} {seconds[0]:7.2f} / {seconds[1]:7.2f}   {ratios(seconds)}")
    rules = sum(timer.seconds[p] for p in ("names", "rules", "pronouns", "rest of extract_doc"))
    print(f"extraction / parse:                                     {ratios(extract_seconds)}")
    print(f"rule extraction (names, rules, pronouns, rest) / parse: {ratios(rules)}")
    print(f"relation classifier / parse:                            {ratios(timer.seconds['relation classifier'])}")

    if options.profile:
        plain_classified = extract.classified_relations
        rule_profile, classifier_profile = cProfile.Profile(), cProfile.Profile()

        def profiled_classifier(*args, **kwargs):
            rule_profile.disable()
            classifier_profile.enable()
            try:
                return plain_classified(*args, **kwargs)
            finally:
                classifier_profile.disable()
                rule_profile.enable()

        extract.classified_relations = profiled_classifier
        for article, doc in zip(articles, fresh):
            rule_profile.enable()
            extract.extract_doc(article, doc, nlp)
            rule_profile.disable()
        print(f"\nrule extraction, the {options.profile} functions with the most time of their own:")
        print(profile_top(rule_profile, options.profile))
        print(f"\nrelation classifier, the {options.profile} functions with the most time of their own:")
        print(profile_top(classifier_profile, options.profile))


if __name__ == "__main__":
    main()
