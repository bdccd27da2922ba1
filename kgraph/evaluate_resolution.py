"""Entity resolution as numbers: KnowledgeNet's Wikidata IRIs as the gold clustering of mentions.

KnowledgeNet (``../shared/data/knowledgenet_folds1-3.jsonl``) links many fact arguments to Wikidata:
mentions that share an IRI are one entity, mentions with different IRIs are two. The measurement:

- **Articles.** The passages of one ``documentId`` are snippets of one web document, so they make one
  article: its passages in document order, joined by blank lines. Resolution inside a document is then
  the extractor's grouping, and across documents it is :func:`kgraph.resolve.resolve`, as on real news.
- **Gold mentions.** Every distinct argument span that carries a Wikidata IRI (one mention per span; the
  file spells some IRIs without "http://www.", which are read as the same IRI).
- **Prediction.** The graph node of the extracted entity mention that overlaps the gold span most. A gold
  mention no extracted mention overlaps ("he", "the company", a name the tagger missed) is *unmatched*:
  the main figures count it as a singleton cluster of its own (so it can cost recall, never precision).
  Matching is one to one, largest overlap first, a gold pronoun only with an extracted pronoun and a gold
  name only with an extracted name. The report gives three rows: *all* gold mentions, *named* ones
  (pronouns and relative words left out) and *matched* ones (the named mentions the extractor found: the
  clustering that resolution itself decides), and *exact* ones, the matched mentions the extractor read
  with the gold's boundaries (not "Buckinghamshire" inside "Beaconsfield, Buckinghamshire", a mention of
  the town): what is left of the matched errors there is resolution's own. When the extractor links
  pronouns to their antecedents, a last row, *+pronouns*, adds the gold pronouns it found to the matched
  ones; the rows above keep measuring names only.
- **Scores.** Pairwise precision, recall and F1 over pairs of gold mentions, and B-cubed.

>>> scores = score_clustering({"a": "Q1", "b": "Q1", "c": "Q2"}, {"a": "n1", "b": "n1", "c": "n1"})
>>> scores.pairwise.precision, scores.pairwise.recall
(0.3333333333333333, 1.0)
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvalError
from .ingest import make_article
from .resolve import Overrides, Resolution, resolve
from .names import name_key
from .types import Article, ArticleExtraction, EntityMention

__all__ = ["GoldMention", "PRF", "ClusterScores", "ResolutionReport", "read_knowledgenet_mentions",
           "score_clustering", "predicted_clusters", "evaluate_resolution", "format_resolution_report"]

PASSAGE_GAP = "\n\n"
PRONOUNS = {"he", "she", "his", "her", "hers", "him", "it", "its", "they", "their", "them", "theirs", "who", "whom",
            "whose", "which", "that", "where", "when", "we", "our", "us", "i", "my", "me", "you", "your", "this",
            "these", "those", "himself", "herself", "itself", "themselves"}


@dataclass(frozen=True)
class GoldMention:
    """One gold argument span with its Wikidata IRI; offsets into the article's text."""

    article: str
    start: int
    end: int
    text: str
    iri: str

    @property
    def id(self) -> str:
        return f"{self.article}:{self.start}-{self.end}"


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_json(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class ClusterScores:
    pairwise: PRF
    bcubed: PRF
    mentions: int
    gold_pairs: int
    predicted_pairs: int

    def to_json(self) -> dict:
        return {"pairwise": self.pairwise.to_json(), "bcubed": self.bcubed.to_json(), "mentions": self.mentions,
                "gold_pairs": self.gold_pairs, "predicted_pairs": self.predicted_pairs}


@dataclass
class ResolutionReport:
    folds: tuple[int, ...]
    articles: int
    gold_entities: int
    all_mentions: ClusterScores
    named_mentions: ClusterScores
    matched_mentions: ClusterScores
    exact_mentions: ClusterScores  # the matched ones the extractor read with the gold's boundaries
    unmatched: int
    # gold pronouns ("he", "the company" is not one) an extracted pronoun mention stands for, once the extractor
    # resolves pronouns: scored apart, with the matched named mentions, so the figures above stay comparable
    pronouns_matched: int = 0
    with_pronouns: ClusterScores | None = None
    wrong_merges: list[tuple[str, list[str]]] = field(default_factory=list)  # node -> gold IRIs it merged
    missed_merges: list[tuple[str, list[str]]] = field(default_factory=list)  # IRI -> nodes it was split over

    def to_json(self) -> dict:
        return {"folds": list(self.folds), "articles": self.articles, "gold_entities": self.gold_entities,
                "all_mentions": self.all_mentions.to_json(), "named_mentions": self.named_mentions.to_json(),
                "matched_mentions": self.matched_mentions.to_json(), "exact_mentions": self.exact_mentions.to_json(),
                "unmatched_mentions": self.unmatched, "pronouns_matched": self.pronouns_matched,
                "matched_with_pronouns": self.with_pronouns.to_json() if self.with_pronouns else None}


def read_knowledgenet_mentions(path: str | Path, *, folds: Iterable[int]) -> tuple[list[Article], list[GoldMention]]:
    """The articles (one per ``documentId``) of the given folds and their gold mentions."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"gold file {path} does not exist; give the KnowledgeNet .jsonl file "
                        "(../shared/data/knowledgenet_folds1-3.jsonl)")
    wanted = set(folds)
    passages: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if record["fold"] in wanted:
                    passages[f"kn-{record['fold']}-{record['documentId']}"].append(record)
            except (ValueError, KeyError) as exc:
                raise EvalError(f"{path}:{number} is not a KnowledgeNet passage ({exc}); "
                                "each line must be a JSON object with fold, documentId, passageText, facts") from exc
    articles, gold = [], []
    for doc_id in sorted(passages):
        parts, offset, seen = [], 0, {}
        for record in sorted(passages[doc_id], key=lambda r: r["passageStart"]):
            if parts:
                offset += len(PASSAGE_GAP)
            shift = offset - record["passageStart"]
            for fact in record["facts"]:
                for role in ("subject", "object"):
                    iri = _wikidata_iri(fact.get(f"{role}Uri"))
                    if iri:
                        start, end = fact[f"{role}Start"] + shift, fact[f"{role}End"] + shift
                        seen.setdefault((start, end), GoldMention(doc_id, start, end, fact[f"{role}Text"], iri))
            parts.append(record["passageText"])
            offset += len(record["passageText"])
        articles.append(make_article(doc_id, PASSAGE_GAP.join(parts)))
        gold.extend(seen[span] for span in sorted(seen))
    return articles, gold


def _wikidata_iri(iri: str | None) -> str | None:
    """One spelling of each Wikidata IRI: the gold file writes some as "wikidata.org/entity/Q42", without a scheme.

    >>> _wikidata_iri("wikidata.org/entity/Q42") == _wikidata_iri("http://www.wikidata.org/entity/Q42")
    True
    """
    if not iri:
        return None
    match = re.search(r"(?:^|/)entity/(Q\d+)$", iri.strip())
    return f"http://www.wikidata.org/entity/{match.group(1)}" if match else iri.strip()


def predicted_clusters(gold: Sequence[GoldMention], extractions: Sequence[ArticleExtraction],
                       resolution: Resolution) -> dict[str, str]:
    """``{gold mention id: graph node id}`` for the gold mentions an extracted mention overlaps.

    Matching is one to one, largest overlap first: when the extractor read "Cleveland, Ohio" as one
    name, it stands for one of the two gold mentions and the other is unmatched (a boundary error of
    the extraction, not a merge of resolution).
    """
    return _nodes(_matches(gold, extractions), resolution)


def _nodes(matches: Mapping[str, EntityMention], resolution: Resolution) -> dict[str, str]:
    return {mention: resolution.members[(mention.rsplit(":", 1)[0], candidate.cluster)]
            for mention, candidate in matches.items()}


def _matches(gold: Sequence[GoldMention], extractions: Sequence[ArticleExtraction]) -> dict[str, EntityMention]:
    """``{gold mention id: the extracted mention that stands for it}``, as :func:`predicted_clusters` matches."""
    by_article = {e.article.id: e for e in extractions}
    candidates = []
    for number, mention in enumerate(gold):
        extraction = by_article.get(mention.article)
        pronoun = _is_pronoun(mention.text)
        for index, candidate in enumerate(extraction.mentions if extraction else ()):
            shared = min(candidate.span.end, mention.end) - max(candidate.span.start, mention.start)
            if shared > 0 and candidate.cluster >= 0 and _is_pronoun(candidate.span.text) == pronoun:
                candidates.append((-shared, number, index, mention, candidate))
    found: dict[str, EntityMention] = {}
    used: set[tuple[str, int]] = set()
    for _, _, index, mention, candidate in sorted(candidates, key=lambda c: c[:3]):
        if mention.id in found or (mention.article, index) in used:
            continue
        used.add((mention.article, index))
        found[mention.id] = candidate
    return found


def _is_pronoun(text: str) -> bool:
    return text.strip().casefold() in PRONOUNS


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def score_clustering(gold: Mapping[str, str], predicted: Mapping[str, str]) -> ClusterScores:
    """Pairwise and B-cubed scores of ``predicted`` (mention -> cluster) against ``gold`` (mention -> cluster).

    Mentions missing from ``predicted`` are singletons.
    """
    mentions = sorted(gold)
    predicted = {m: predicted.get(m, f"\x00singleton:{m}") for m in mentions}
    both = Counter((gold[m], predicted[m]) for m in mentions)
    gold_sizes = Counter(gold[m] for m in mentions)
    pred_sizes = Counter(predicted[m] for m in mentions)
    true_pairs = _pairs(both.values())
    gold_pairs, pred_pairs = _pairs(gold_sizes.values()), _pairs(pred_sizes.values())
    pairwise = PRF(true_pairs / pred_pairs if pred_pairs else 1.0, true_pairs / gold_pairs if gold_pairs else 1.0)
    if mentions:
        b3_precision = sum(both[(gold[m], predicted[m])] / pred_sizes[predicted[m]] for m in mentions) / len(mentions)
        b3_recall = sum(both[(gold[m], predicted[m])] / gold_sizes[gold[m]] for m in mentions) / len(mentions)
    else:
        b3_precision = b3_recall = 1.0
    return ClusterScores(pairwise, PRF(b3_precision, b3_recall), len(mentions), gold_pairs, pred_pairs)


def evaluate_resolution(path: str | Path, *, folds: Iterable[int], nlp, overrides: Overrides | None = None,
                        extractions: Sequence[ArticleExtraction] | None = None) -> ResolutionReport:
    """Extract and resolve the articles of ``folds`` and score the clustering of their gold mentions.

    ``extractions`` may be given to score a new resolution over an earlier extraction of the same folds.
    """
    from .extract import extract_articles

    folds = tuple(sorted(set(folds)))
    articles, gold = read_knowledgenet_mentions(path, folds=folds)
    if extractions is None:
        extractions = list(extract_articles(articles, nlp))
    resolution = resolve(extractions, overrides=overrides)
    matches = _matches(gold, extractions)
    predicted = _nodes(matches, resolution)
    gold_clusters = {m.id: m.iri for m in gold}
    named = {m.id: m.iri for m in gold if not _is_pronoun(m.text)}
    matched = {m: c for m, c in named.items() if m in predicted}
    pronouns = {m: c for m, c in gold_clusters.items() if m in predicted and m not in named}
    texts = {m.id: name_key(m.text) for m in gold}
    exact = {m: c for m, c in matched.items() if texts[m] in (name_key(matches[m].span.text), name_key(matches[m].name))}
    iris_of_node: dict[str, set[str]] = defaultdict(set)
    nodes_of_iri: dict[str, set[str]] = defaultdict(set)
    for mention, node in predicted.items():
        iris_of_node[node].add(gold_clusters[mention])
        nodes_of_iri[gold_clusters[mention]].add(node)
    wrong = sorted((node, sorted(iris)) for node, iris in iris_of_node.items() if len(iris) > 1)
    missed = sorted((iri, sorted(nodes)) for iri, nodes in nodes_of_iri.items() if len(nodes) > 1)
    return ResolutionReport(folds=folds, articles=len(articles), gold_entities=len(set(gold_clusters.values())),
                            all_mentions=score_clustering(gold_clusters, predicted),
                            named_mentions=score_clustering(named, predicted),
                            matched_mentions=score_clustering(matched, predicted),
                            exact_mentions=score_clustering(exact, predicted),
                            unmatched=len(gold_clusters) - len(matched) - len(pronouns), pronouns_matched=len(pronouns),
                            with_pronouns=score_clustering({**matched, **pronouns}, predicted) if pronouns else None,
                            wrong_merges=wrong, missed_merges=missed)


def format_resolution_report(report: ResolutionReport) -> str:
    """The figures as a small table."""
    lines = [f"KnowledgeNet folds {','.join(map(str, report.folds))}: {report.articles} articles, "
             f"{report.all_mentions.mentions} gold mentions of {report.gold_entities} Wikidata entities, "
             f"{report.unmatched} not found by the extractor (singletons in 'all' and 'named'; "
             f"'named' leaves out {report.all_mentions.mentions - report.named_mentions.mentions} pronouns)",
             f"{'mentions':<10} {'count':>5} {'metric':<9} {'precision':>9} {'recall':>7} {'F1':>7}"]
    rows = [("all", report.all_mentions), ("named", report.named_mentions), ("matched", report.matched_mentions),
            ("exact", report.exact_mentions)]
    if report.with_pronouns:
        rows.append(("+pronouns", report.with_pronouns))
    for label, scores in rows:
        for metric, prf in (("pairwise", scores.pairwise), ("B-cubed", scores.bcubed)):
            lines.append(f"{label:<10} {scores.mentions:>5} {metric:<9} {prf.precision:>9.4f} {prf.recall:>7.4f} "
                         f"{prf.f1:>7.4f}")
    if report.with_pronouns:
        lines.append(f"(+pronouns: the matched names and the {report.pronouns_matched} gold pronouns the extractor "
                     "linked to a name)")
    lines.append(f"wrong merges (nodes holding several IRIs): {len(report.wrong_merges)}; "
                 f"missed merges (IRIs split over several nodes): {len(report.missed_merges)}")
    return "\n".join(lines)
