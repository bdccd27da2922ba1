"""Entity resolution on KnowledgeNet: pairwise and B-cubed precision, recall and F1 of the clustering of gold
mentions that share a Wikidata IRI (see kgraph/evaluate_resolution.py for how articles and mentions are made).

    python bench/bench_resolution.py                 # fold 3, the reporting fold
    python bench/bench_resolution.py --folds 1 2     # the development folds (or --folds 1,2)
    python bench/bench_resolution.py --json          # the figures as JSON

Goal (issue 4): F1 >= 0.90 and precision >= 0.95. Folds 1-2 are for development, fold 3 for reporting.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO.parent / "shared" / "data" / "knowledgenet_folds1-3.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="knowledgenet_folds1-3.jsonl")
    parser.add_argument("--folds", nargs="+", default=["3"], help="folds, as 1 2 or 1,2 (default: 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="also list N wrong and N missed merges")
    args = parser.parse_args(argv)

    from kgraph.errors import KGraphError
    from kgraph.evaluate_resolution import evaluate_resolution, format_resolution_report
    from kgraph.nlp import load_pipeline

    try:
        folds = [int(f) for part in args.folds for f in part.split(",") if f.strip()]
    except ValueError:
        parser.error(f"--folds takes fold numbers (1, 2, 3), as in --folds 1 2; got {' '.join(args.folds)}")
    started = time.perf_counter()
    try:
        report = evaluate_resolution(args.gold, folds=folds, nlp=load_pipeline())
    except KGraphError as exc:
        print(f"bench_resolution: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_json(), indent=1, sort_keys=True))
    else:
        print(format_resolution_report(report))
        print(f"(extraction and resolution of {report.articles} articles took {time.perf_counter() - started:.0f} s)")
        for title, items in (("wrong merges", report.wrong_merges), ("missed merges", report.missed_merges)):
            for node, parts in items[:args.errors]:
                print(f"  {title}: {node}: {', '.join(parts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
