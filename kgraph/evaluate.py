"""Extraction quality as numbers: run ``kgraph extract`` over gold texts and score its relations.

Two gold formats are read:

- ``conll04``: one sentence a line with gold entities (character offsets) and relations
  (see ``../shared/data/README.md``). Scored **strict** (relation type and both spans equal to the
  gold offsets, the published CoNLL04 setting) and **relaxed** (type right, each span overlapping
  its gold span; each gold relation and each prediction counted at most once).
- ``knowledgenet``: passages with gold facts and the properties they were annotated for. Scored by
  span overlap as KnowledgeNet's own evaluator does: a gold fact is found when any prediction
  overlaps both of its spans; a prediction is wrong when it overlaps no gold fact of a property the
  passage was annotated for.

>>> gold = [Fact("s", "Work_For", (0, 10), (20, 25))]
>>> strict = score([(gold, [Fact("s", "Work_For", (0, 10), (20, 25))])], ["Work_For"], match="strict")
>>> strict["Work_For"].f1
1.0
>>> relaxed = score([(gold, [Fact("s", "Work_For", (5, 10), (19, 22))])], ["Work_For"], match="relaxed")
>>> relaxed["Work_For"].tp, relaxed["Work_For"].fp, relaxed["Work_For"].fn
(1, 0, 0)
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from .errors import EvalError
from .extract import extract_articles
from .extract.classifier import SIGNATURES
from .graph import reaches_graph
from .ingest import make_article
from .types import ArticleExtraction, RelationMention

__all__ = ["CONLL04_RELATIONS", "Counts", "EvalReport", "Fact", "evaluate", "format_report", "run", "score"]

CONLL04_RELATIONS = {"works_for": "Work_For", "based_in": "OrgBased_In", "located_in": "Located_In",
                     "lives_in": "Live_In", "killed": "Kill"}
CONLL04_TYPES = tuple(CONLL04_RELATIONS.values())
CONLL04_GROUPS = {"micro": CONLL04_TYPES, "mission": ("Work_For", "OrgBased_In")}
KNOWLEDGENET_TYPES = ("EMPLOYEE_OR_MEMBER_OF", "CEO", "HEADQUARTERS")
KNOWLEDGENET_GROUPS = {"works_for": ("EMPLOYEE_OR_MEMBER_OF", "CEO"), "based_in": ("HEADQUARTERS",),
                       "micro": KNOWLEDGENET_TYPES}
CEO_ROLE = re.compile(r"\b(ceo|chief executive)\b", re.IGNORECASE)
FORMATS = ("conll04", "knowledgenet")


@dataclass(frozen=True)
class Fact:
    """One relation between two character spans of one gold text."""

    doc: str
    type: str
    subject: tuple[int, int]
    object: tuple[int, int]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class EvalReport:
    """Scores of one evaluation: ``scores[match][type or group] -> Counts``."""

    gold: str
    format: str
    documents: int
    types: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    scores: dict[str, dict[str, Counts]] = field(default_factory=dict)
    model: str = ""
    fold: int | None = None
    seconds: float = 0.0
    graph_only: bool = False  # only the relations that reach the graph were scored

    def to_json(self) -> dict:
        return {"gold": self.gold, "format": self.format, "fold": self.fold, "documents": self.documents,
                "model": self.model, "graph_only": self.graph_only, "seconds": round(self.seconds, 1),
                "scores": {match: {name: counts.to_json() for name, counts in table.items()}
                           for match, table in self.scores.items()}}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[0] < a[1] and b[0] < b[1]


def _same_spans(gold: Fact, pred: Fact) -> bool:
    return gold.subject == pred.subject and gold.object == pred.object


def _overlapping_spans(gold: Fact, pred: Fact) -> bool:
    return _overlaps(gold.subject, pred.subject) and _overlaps(gold.object, pred.object)


def _one_to_one(gold: Sequence[Fact], pred: Sequence[Fact], matches) -> int:
    """The largest number of (gold, prediction) pairs that match with each used once (bipartite matching)."""
    candidates = [[j for j, p in enumerate(pred) if p.type == g.type and matches(g, p)] for g in gold]
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(assign(i, set()) for i in range(len(gold)))


def _any_match(gold: Sequence[Fact], pred: Sequence[Fact], matches) -> tuple[int, int]:
    """KnowledgeNet's counting: gold facts found by some prediction, predictions that found no gold fact."""
    found = sum(any(p.type == g.type and matches(g, p) for p in pred) for g in gold)
    wrong = sum(not any(p.type == g.type and matches(g, p) for g in gold) for p in pred)
    return found, wrong


def score(pairs: Iterable[tuple[Sequence[Fact], Sequence[Fact]]], types: Iterable[str], *,
          match: str = "strict") -> dict[str, Counts]:
    """Count true and false positives and misses per relation type over (gold, predicted) facts of each text.

    ``match`` is ``strict`` (equal spans, one-to-one), ``relaxed`` (overlapping spans, one-to-one)
    or ``overlap`` (overlapping spans, counted as KnowledgeNet's evaluator does).

    >>> gold = [Fact("s", "Kill", (0, 4), (10, 14))]
    >>> pred = [Fact("s", "Kill", (0, 4), (10, 14)), Fact("s", "Kill", (0, 3), (10, 12))]
    >>> counts = score([(gold, pred)], ["Kill"], match="relaxed")["Kill"]
    >>> counts.tp, counts.fp, counts.fn
    (1, 1, 0)
    >>> counts = score([(gold, pred)], ["Kill"], match="overlap")["Kill"]
    >>> counts.tp, counts.fp, counts.fn
    (1, 0, 0)
    """
    if match not in ("strict", "relaxed", "overlap"):
        raise EvalError(f"match {match!r} is invalid; valid values are 'strict', 'relaxed', 'overlap'")
    table = {t: Counts() for t in types}
    for gold, pred in pairs:
        for kind, counts in table.items():
            g = [f for f in gold if f.type == kind]
            p = [f for f in pred if f.type == kind]
            if match == "overlap":
                found, wrong = _any_match(g, p, _overlapping_spans)
                counts += Counts(tp=found, fp=wrong, fn=len(g) - found)
            else:
                tp = _one_to_one(g, p, _same_spans if match == "strict" else _overlapping_spans)
                counts += Counts(tp=tp, fp=len(p) - tp, fn=len(g) - tp)
    return table


def add_groups(table: dict[str, Counts], groups: dict[str, tuple[str, ...]]) -> dict[str, Counts]:
    """The table with a micro-averaged row for each group of types added."""
    result = dict(table)
    for name, members in groups.items():
        total = Counts()
        for member in members:
            total += table[member]
        result[name] = total
    return result


# -- gold readers -------------------------------------------------------------------------------------------------

@dataclass
class GoldText:
    id: str
    text: str
    facts: list[Fact]
    properties: tuple[str, ...] = ()  # KnowledgeNet: the properties annotated for this passage


def sniff_format(path: Path) -> str:
    with path.open(encoding="utf-8") as lines:
        first = next((line for line in lines if line.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path} is not JSON lines; give a CoNLL04 or KnowledgeNet .jsonl file") from exc
    if "passageText" in record:
        return "knowledgenet"
    if "entities" in record and "relations" in record:
        return "conll04"
    raise EvalError(f"cannot tell the format of {path}; pass --format with one of {', '.join(FORMATS)}")


def _records(path: Path) -> Iterator[dict]:
    """The JSON records of a gold file, one a non-blank line."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def read_conll04(path: Path, *, limit: int | None = None) -> list[GoldText]:
    texts = []
    for record in _records(path):
        ents = record["entities"]
        facts = [Fact(record["id"], rel["type"], (ents[rel["head"]]["start"], ents[rel["head"]]["end"]),
                      (ents[rel["tail"]]["start"], ents[rel["tail"]]["end"])) for rel in record["relations"]]
        texts.append(GoldText(record["id"], record["text"], sorted(set(facts), key=_fact_order)))
        if limit is not None and len(texts) >= limit:
            break
    return texts


def read_knowledgenet(path: Path, *, fold: int | None = None, limit: int | None = None) -> list[GoldText]:
    """Passages annotated for at least one of the scored properties, with offsets into the passage text."""
    texts = []
    for record in _records(path):
        properties = tuple(p for p in record["properties"] if p in KNOWLEDGENET_TYPES)
        if not properties or fold is not None and record["fold"] != fold:
            continue
        base = record["passageStart"]
        doc_id = f"kn-{record['documentId']}-{base}"
        facts = {Fact(doc_id, f["property"], (f["subjectStart"] - base, f["subjectEnd"] - base),
                      (f["objectStart"] - base, f["objectEnd"] - base))
                 for f in record["facts"] if f["property"] in properties}
        texts.append(GoldText(doc_id, record["passageText"], sorted(facts, key=_fact_order), properties))
        if limit is not None and len(texts) >= limit:
            break
    return texts


def _fact_order(fact: Fact) -> tuple:
    return fact.type, fact.subject, fact.object


# -- predictions --------------------------------------------------------------------------------------------------

def conll04_facts(relations: Iterable[RelationMention]) -> list[Fact]:
    """kgraph relations as CoNLL04 facts, one per (type, subject span, object span); actions are not scored.

    CoNLL04 relates names only: a pronoun argument counts as the name it refers to, and a relation whose
    pronoun refers to no name of the sentence is left out.
    """
    facts = set()
    for r in relations:
        if r.relation not in CONLL04_RELATIONS or r.object is None:
            continue
        subject, obj = r.subject_antecedent or r.subject, r.object_antecedent or r.object
        if r.subject_entity < 0 or r.object_entity < 0:
            continue
        facts.add(Fact(r.doc, CONLL04_RELATIONS[r.relation], (subject.start, subject.end), (obj.start, obj.end)))
    return sorted(facts, key=_fact_order)


def knowledgenet_facts(relations: Iterable[RelationMention], properties: Iterable[str]) -> list[Fact]:
    """kgraph relations as KnowledgeNet facts: works_for -> EMPLOYEE_OR_MEMBER_OF (and CEO, organization first,
    when the role says so), based_in -> HEADQUARTERS; only for the properties the passage was annotated for.
    KnowledgeNet annotates pronoun arguments ("He", "which") as they are written: a pronoun's span is scored,
    whether or not the passage names what it refers to."""
    wanted = set(properties)
    facts = set()
    for r in relations:
        if r.object is None:
            continue
        subject, obj = (r.subject.start, r.subject.end), (r.object.start, r.object.end)
        if r.relation == "works_for":
            facts.add(Fact(r.doc, "EMPLOYEE_OR_MEMBER_OF", subject, obj))
            if r.role and CEO_ROLE.search(r.role):
                facts.add(Fact(r.doc, "CEO", obj, subject))
        elif r.relation == "based_in":
            facts.add(Fact(r.doc, "HEADQUARTERS", subject, obj))
    return sorted((f for f in facts if f.type in wanted), key=_fact_order)


def predict(texts: Sequence[GoldText], nlp: Language, *, graph_only: bool = False) -> Iterator[list[RelationMention]]:
    """Run the whole ``kgraph extract`` path over the gold texts; yields each text's relations, in order: as
    the gold data annotates them, or with ``graph_only`` those that reach the graph: not a pronoun's with no
    antecedent nor a dateline agency's (:func:`kgraph.extract.extract_doc`), nor the classifier's under the
    graph's bar (:func:`kgraph.graph.reaches_graph`)."""
    for extraction in _extractions(texts, nlp, graph_only=graph_only):
        yield [r for r in extraction.relations if reaches_graph(r)] if graph_only else extraction.relations


def _extractions(texts: Sequence[GoldText], nlp: Language, *, graph_only: bool = False) -> Iterator[ArticleExtraction]:
    """Each gold text's whole extraction, in order, as ``kgraph extract`` makes it."""
    return extract_articles((make_article(t.id, t.text) for t in texts), nlp, as_annotated=not graph_only)


# -- the evaluation -----------------------------------------------------------------------------------------------

def evaluate(gold_path: str | Path, *, format: str | None = None, nlp: Language, fold: int | None = None,
             limit: int | None = None, graph_only: bool = False) -> EvalReport:
    """Extract relations from every text of a gold file and score them against its gold relations.

    ``format`` is ``conll04`` or ``knowledgenet`` (sniffed from the first line when None); ``fold``
    picks one KnowledgeNet fold (3 is kept for measuring); ``limit`` scores only the first texts;
    ``graph_only`` scores only the relations that reach the graph, not those of a pronoun with no antecedent
    in the text or of a wire service's dateline, which gold data annotates (:func:`kgraph.extract.extract_doc`).
    """
    path = Path(gold_path)
    if not path.is_file():
        raise EvalError(f"gold file {path} does not exist; give a CoNLL04 or KnowledgeNet .jsonl file")
    format = format or sniff_format(path)
    if format not in FORMATS:
        raise EvalError(f"format {format!r} is invalid; valid values are {', '.join(FORMATS)}")
    if fold is not None and format != "knowledgenet":
        raise EvalError("--fold applies to KnowledgeNet files only; drop it for CoNLL04")
    started = time.perf_counter()
    if format == "conll04":
        texts = read_conll04(path, limit=limit)
        pairs = [(t.facts, conll04_facts(rels)) for t, rels in zip(texts, predict(texts, nlp, graph_only=graph_only))]
        types, groups, matches = CONLL04_TYPES, CONLL04_GROUPS, ("strict", "relaxed")
    else:
        texts = read_knowledgenet(path, fold=fold, limit=limit)
        pairs = [(t.facts, knowledgenet_facts(rels, t.properties))
                 for t, rels in zip(texts, predict(texts, nlp, graph_only=graph_only))]
        types, groups, matches = KNOWLEDGENET_TYPES, KNOWLEDGENET_GROUPS, ("overlap",)
    report = EvalReport(gold=str(path), format=format, documents=len(texts), types=types, groups=groups,
                        model=_model_name(nlp), fold=fold, graph_only=graph_only)
    for match in matches:
        report.scores[match] = add_groups(score(pairs, types, match=match), groups)
    report.seconds = time.perf_counter() - started
    return report


# -- why relations are missed or wrong (for choosing what to improve; run it on held-out train, not dev) ------------

# the (subject, object) entity types each CoNLL04 type joins, as the relation classifier relates them
SIGNATURE_TYPES = {CONLL04_RELATIONS[relation]: kinds for relation, kinds in SIGNATURES.items()}


def error_reasons(gold: Sequence[Fact], pred: Sequence[Fact], mentions: Sequence[tuple[int, int, str]],
                  types: Iterable[str]) -> Counter:
    """Why each relaxed miss and false positive of one text happened, counted by reason.

    ``mentions`` are kgraph's ``(start, end, type)`` name mentions. A miss is ``miss: no mention`` (an argument
    overlaps no mention), ``miss: typed S>O`` (the mentions are there, not of the types the relation joins),
    ``miss: other relation`` (the pair was related, by another type) or ``miss: classifier``; a false positive
    is ``wrong: gold TYPE`` (the spans are related in the gold, by another type) or ``wrong: no gold relation``.

    >>> gold = [Fact("s", "OrgBased_In", (0, 4), (8, 12)), Fact("s", "Work_For", (20, 23), (0, 4))]
    >>> pred = [Fact("s", "Located_In", (0, 4), (8, 12))]
    >>> sorted(error_reasons(gold, pred, [(0, 4, "PLACE"), (8, 12, "PLACE"), (20, 23, "PERSON")],
    ...                      ["OrgBased_In", "Work_For", "Located_In"]).items())
    [('miss: typed PERSON>PLACE', 1), ('miss: typed PLACE>PLACE', 1), ('wrong: gold OrgBased_In', 1)]
    """
    wanted = set(types)
    gold = [f for f in gold if f.type in wanted]
    pred = [f for f in pred if f.type in wanted]
    reasons: Counter = Counter()
    found = [any(p.type == g.type and _overlapping_spans(g, p) for p in pred) for g in gold]
    for g, hit in zip(gold, found):
        if hit:
            continue
        subjects = {t for start, end, t in mentions if _overlaps((start, end), g.subject)}
        objects = {t for start, end, t in mentions if _overlaps((start, end), g.object)}
        want = SIGNATURE_TYPES.get(g.type)
        if not subjects or not objects:
            reasons["miss: no mention"] += 1
        elif want and (want[0] not in subjects or want[1] not in objects):
            reasons[f"miss: typed {'/'.join(sorted(subjects))}>{'/'.join(sorted(objects))}"] += 1
        elif any(_overlapping_spans(g, p) for p in pred):
            reasons["miss: other relation"] += 1
        else:
            reasons["miss: classifier"] += 1
    for p in pred:
        if any(g.type == p.type and _overlapping_spans(g, p) for g in gold):
            continue
        other = next((g.type for g in gold if _overlapping_spans(g, p)), None)
        reasons[f"wrong: gold {other}" if other else "wrong: no gold relation"] += 1
    return reasons


def conll04_errors(gold_path: str | Path, *, nlp: Language, types: Iterable[str] = CONLL04_GROUPS["mission"]
                   ) -> Counter:
    """:func:`error_reasons` summed over the texts of a CoNLL04 file."""
    texts = read_conll04(Path(gold_path))
    total: Counter = Counter()
    types = tuple(types)
    for text, extraction in zip(texts, _extractions(texts, nlp)):
        mentions = [(m.span.start, m.span.end, m.span.type) for m in extraction.mentions]
        total += error_reasons(text.facts, conll04_facts(extraction.relations), mentions, types)
    return total


def format_errors(reasons: Counter) -> str:
    """:func:`conll04_errors`' counts as lines: the misses, then the false positives, each by reason."""
    misses = sum(n for r, n in reasons.items() if r.startswith("miss"))
    wrong = sum(n for r, n in reasons.items() if r.startswith("wrong"))
    lines = [f"relaxed misses {misses}, false positives {wrong}:"]
    ordered = sorted(reasons.items(), key=lambda kv: (kv[0][:4], -kv[1], kv[0]))  # misses first, largest first
    lines += [f"  {reason:<32}{count:>5}" for reason, count in ordered]
    return "\n".join(lines)


def _model_name(nlp: Language) -> str:
    name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'pipeline')}-{nlp.meta.get('version', '0')}"
    return name + " + kgraph's recognizer" if nlp.meta.get("kgraph_ner") else name


def format_report(report: EvalReport) -> str:
    """A readable table: one row per relation type and group, P/R/F1 for each way of matching."""
    title = f"{report.gold} ({report.format}"
    title += f", fold {report.fold}" if report.fold is not None else ""
    title += ", the graph's relations only" if report.graph_only else ""
    title += f", {report.documents} texts, {report.model}, {report.seconds:.0f}s)"
    matches = list(report.scores)
    header = f"{'':<22}" + "".join(f"{m + ' P':>10}{'R':>7}{'F1':>7}{'tp/fp/fn':>14}" for m in matches)
    lines = [title, header]
    rows = list(report.types) + list(report.groups)
    for name in rows:
        if name == next(iter(report.groups)):
            lines.append("-" * len(header))
        cells = ""
        for match in matches:
            c = report.scores[match][name]
            cells += f"{c.precision:>10.3f}{c.recall:>7.3f}{c.f1:>7.3f}{f'{c.tp}/{c.fp}/{c.fn}':>14}"
        lines.append(f"{name:<22}{cells}")
    return "\n".join(lines)


def run(gold: str | Path, *, fmt: str | None = None, fold: int | None = None, as_json: bool = False,
        model: str | None = None, limit: int | None = None, graph_only: bool = False) -> str:
    """What ``kgraph eval GOLD [--format] [--fold N] [--json] [--model NAME] [--limit N] [--graph-only]`` prints."""
    from .nlp import DEFAULT_MODEL, load_pipeline

    report = evaluate(gold, format=fmt, nlp=load_pipeline(model or DEFAULT_MODEL), fold=fold, limit=limit,
                      graph_only=graph_only)
    return json.dumps(report.to_json(), indent=2) if as_json else format_report(report)
