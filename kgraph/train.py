"""Train the models kgraph ships in ``kgraph/models/``, from the shared gold data, on a CPU in minutes.

    python -m kgraph.train --data ../shared/data --out kgraph/models

- ``models/ner``: en_core_web_sm's entity recognizer fine-tuned on the CoNLL04 train split, so that
  person, organization and place names get CoNLL04's boundaries ("President Lincoln", no leading "the"),
  keeping the news model's own dates, nationalities and numbers; it replaces en_core_web_sm's recognizer
  in :func:`kgraph.nlp.load_pipeline` (see :mod:`kgraph.extract.ner`).
- ``models/relations.npz``: a logistic regression over candidate entity pairs of a sentence
  (see :mod:`kgraph.extract.classifier`), trained on CoNLL04 train and KnowledgeNet folds 1-2;
  ``models/relations_pronouns.npz`` the same for pairs with a pronoun argument, with KnowledgeNet's pronoun pairs.

It is deterministic: the same data gives the same files. Training needs scikit-learn; using the models does not.

The CoNLL04 dev split and KnowledgeNet fold 3 are never read here: they are kept for ``kgraph eval``.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example, offsets_to_biluo_tags
from spacy.util import minibatch

from .extract import pattern_relations
from .extract.classifier import LABELS, candidate_pairs, pair_features, pair_vector, pattern_hits
from .ingest import make_article
from .nlp import load_pipeline

__all__ = ["CONLL04_LABELS", "held_out_block", "train_ner", "train_relations"]

CONLL04_LABELS = {"Peop": "PERSON", "Org": "ORG", "Loc": "GPE"}
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
MODELS = Path(__file__).parent / "models"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


NEWS_ONLY_LABELS = {"DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "EVENT",
                    "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"}  # what CoNLL04 does not mark as names


def _example(doc: Doc, spans: list[tuple[int, int, str]]) -> Example:
    tags = offsets_to_biluo_tags(doc, spans)  # "-" (unknown) where a span does not fit the tokens
    return Example.from_dict(doc, {"words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc],
                                   "entities": tags})


def ner_examples(news: Language, records: list[dict]) -> list[Example]:
    """CoNLL04 sentences as NER examples: CoNLL04's person, organization and place names, and the news
    model's own entities of the types CoNLL04 does not mark (dates, nationalities, numbers...)."""
    examples = []
    for record, parsed in zip(records, news.pipe(r["text"] for r in records)):
        names = [(e["start"], e["end"], CONLL04_LABELS[e["type"]]) for e in record["entities"]
                 if e["type"] in CONLL04_LABELS]
        finer = {(ent.start_char, ent.end_char): ent.label_ for ent in parsed.ents if ent.label_ in ("LOC", "FAC")}
        names = [(start, end, finer.get((start, end), label) if label == "GPE" else label) for start, end, label in names]
        others = [(ent.start_char, ent.end_char, ent.label_) for ent in parsed.ents if ent.label_ in NEWS_ONLY_LABELS
                  and not any(ent.start_char < end and start < ent.end_char for start, end, _ in names)]
        examples.append(_example(news.make_doc(record["text"]), sorted(names + others)))
    return examples


# --knowledgenet-names, measured with CoNLL04 train's last 200 sentences and KnowledgeNet fold 2 held out (both
# models trained on the rest of CoNLL04 train and fold 1), seeds 0 and 1: KnowledgeNet F1 0.523 -> 0.580 and
# 0.488 -> 0.557, CoNLL04 strict micro F1 0.536 -> 0.508 and 0.540 -> 0.507 (Live_In boundaries the most). With
# organizations only, or CoNLL04 sentences twice, the same trade. News comes first, so it is off by default.

# What a KnowledgeNet fact says of the type of its arguments, by (property, "subject" | "object"). FOUNDED_BY's
# object may be a person or an organization, NATIONALITY's is mostly an adjective ("American"): neither is used.
KNOWLEDGENET_ARGUMENT_TYPES = {
    **{(p, "subject"): "PERSON" for p in ("EMPLOYEE_OR_MEMBER_OF", "PLACE_OF_RESIDENCE", "SPOUSE", "PLACE_OF_BIRTH",
                                         "EDUCATED_AT", "CHILD_OF", "DATE_OF_BIRTH", "DATE_OF_DEATH", "NATIONALITY",
                                         "POLITICAL_AFFILIATION")},
    **{(p, "object"): "PERSON" for p in ("SPOUSE", "CHILD_OF", "CEO")},
    **{(p, "subject"): "ORG" for p in ("HEADQUARTERS", "CEO", "FOUNDED_BY", "DATE_FOUNDED", "SUBSIDIARY_OF")},
    **{(p, "object"): "ORG" for p in ("EMPLOYEE_OR_MEMBER_OF", "EDUCATED_AT", "POLITICAL_AFFILIATION",
                                      "SUBSIDIARY_OF")},
    **{(p, "object"): "GPE" for p in ("PLACE_OF_RESIDENCE", "PLACE_OF_BIRTH", "HEADQUARTERS")},
}


def knowledgenet_passages(records: list[dict]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Each KnowledgeNet passage once, with the names its facts type (pronouns, "which", lowercase and "The ..."
    arguments left out): a person, an organization or a place, by the fact's property (see
    KNOWLEDGENET_ARGUMENT_TYPES). A name typed two ways is left out too."""
    passages: dict[tuple[str, int], tuple[str, dict[tuple[int, int], set[str]]]] = {}
    for record in records:
        key = (str(record["documentId"]), record["passageStart"])
        text, names = passages.setdefault(key, (record["passageText"], {}))
        for fact in record["facts"]:
            for role in ("subject", "object"):
                label = KNOWLEDGENET_ARGUMENT_TYPES.get((fact["property"], role))
                start, end = fact[f"{role}Start"] - record["passageStart"], fact[f"{role}End"] - record["passageStart"]
                name = text[start:end]
                if label and name[:1].isupper() and name.lower() not in PRONOUNS and not name.startswith("The "):
                    names.setdefault((start, end), set()).add(label)
    return [(text, sorted((start, end, labels.pop()) for (start, end), labels in names.items() if len(labels) == 1))
            for key, (text, names) in sorted(passages.items()) if names and "](" not in text]


PRONOUNS = {"he", "she", "it", "they", "i", "we", "you", "his", "her", "its", "their", "our", "my", "who", "which",
            "whom", "that", "where", "him", "them", "me", "us"}


def knowledgenet_examples(news: Language, passages: list[tuple[str, list[tuple[int, int, str]]]]) -> list[Example]:
    """KnowledgeNet passages as NER examples that teach only the names their facts type. KnowledgeNet marks
    the arguments of a few relations only, so a token outside them is "outside" only when it is plainly no
    name (see :func:`_plainly_outside`), and unannotated ("-") otherwise."""
    examples = []
    for (text, names), parsed in zip(passages, news.pipe(text for text, _ in passages)):
        doc = news.make_doc(text)
        spans = spacy.util.filter_spans([span for s, e, label in names
                                         if (span := doc.char_span(s, e, label=label)) is not None])
        if not spans:
            continue
        tags = offsets_to_biluo_tags(doc, [(span.start_char, span.end_char, span.label_) for span in spans])
        tags = [tag if tag != "O" or _plainly_outside(parsed, i) else "-" for i, tag in enumerate(tags)]
        examples.append(Example.from_dict(doc, {"words": [t.text for t in doc],
                                                "spaces": [bool(t.whitespace_) for t in doc], "entities": tags}))
    return examples


def _plainly_outside(parsed: Doc, i: int) -> bool:
    """A lowercase word outside the news model's entities and not between two capitalized words ("of" in
    "University of Michigan"): no name, whether KnowledgeNet annotated the passage's names or not."""
    token = parsed[i]
    if token.ent_type_ or not token.text[:1].islower():
        return False
    return not (0 < i < len(parsed) - 1 and parsed[i - 1].text[:1].isupper() and parsed[i + 1].text[:1].isupper())


def rehearsal_examples(news: Language, texts: list[str]) -> list[Example]:
    """The news model's own entities on other text, so that the fine-tuned recognizer keeps what it knew."""
    return [_example(news.make_doc(text), [(e.start_char, e.end_char, e.label_) for e in parsed.ents])
            for text, parsed in zip(texts, news.pipe(texts))]


def ner_scores(ner_nlp: Language, examples: list[Example]) -> dict[str, float]:
    """Entity F1 on held-out examples: typed, and spans only (relation scoring never looks at entity types)."""
    docs = ner_nlp.pipe(Doc(ner_nlp.vocab, words=[t.text for t in eg.reference],
                            spaces=[bool(t.whitespace_) for t in eg.reference]) for eg in examples)
    typed, spans, predicted, gold = 0, 0, 0, 0
    for doc, eg in zip(docs, examples):
        mine = {(e.start, e.end): e.label_ for e in doc.ents if e.label_ in NAME_LABELS}
        truth = {(e.start, e.end): e.label_ for e in eg.reference.ents if e.label_ in NAME_LABELS}
        predicted, gold = predicted + len(mine), gold + len(truth)
        spans += len(mine.keys() & truth.keys())
        typed += sum(mine[k] == truth[k] for k in mine.keys() & truth.keys())
    return {"typed_f": 2 * typed / (predicted + gold), "span_f": 2 * spans / (predicted + gold)}


def train_ner(train: list[dict], rehearsal: list[str], *, epochs: int = 12, seed: int = 0, dropout: float = 0.3,
              knowledgenet: list[tuple[str, list[tuple[int, int, str]]]] = (),
              held_out: list[dict] | None = None, log=print) -> Language:
    """Fine-tune en_core_web_sm's NER (it has its own tok2vec) on CoNLL04 sentences and the names of
    ``knowledgenet`` passages (see :func:`knowledgenet_passages`), rehearsing its own output on ``rehearsal``
    texts; returns a pipeline holding the recognizer alone."""
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    news = load_pipeline(names=False)
    ner_nlp = spacy.blank("en", vocab=news.vocab)
    ner_nlp.add_pipe("ner", source=news)
    examples = ner_examples(news, train) + knowledgenet_examples(news, knowledgenet) + rehearsal_examples(news, rehearsal)
    check = ner_examples(news, held_out) if held_out else []
    optimizer = ner_nlp.resume_training()
    for epoch in range(epochs):
        random.shuffle(examples)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in minibatch(examples, size=16):
            ner_nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        line = f"ner epoch {epoch + 1}: loss {losses['ner']:.1f} ({time.perf_counter() - started:.0f}s)"
        if check:
            line += " held-out " + " ".join(f"{k}={v:.3f}" for k, v in ner_scores(ner_nlp, check).items())
        log(line)
    return ner_nlp


CONLL04_TO_KGRAPH = {"Work_For": "works_for", "OrgBased_In": "based_in", "Located_In": "located_in",
                     "Live_In": "lives_in", "Kill": "killed"}
Rows = tuple[list[list[str]], list, list[str]]  # features, dense vectors, labels


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _best(span: tuple[int, int], spans: list[tuple[int, int]]) -> int | None:
    """The index of the span overlapping ``span`` most, if any does."""
    scored = [(_overlap(span, other), i) for i, other in enumerate(spans)]
    best = max(scored, default=(0, None))
    return best[1] if best[0] > 0 else None


def conll04_rows(nlp: Language, records: list[dict]) -> Rows:
    """Pair features and labels from CoNLL04 sentences, on their gold names (and the pipeline's other entities)."""
    features, vectors, labels = [], [], []
    for record, doc in zip(records, nlp.pipe(r["text"] for r in records)):
        names = [doc.char_span(e["start"], e["end"], label=CONLL04_LABELS[e["type"]], alignment_mode="expand")
                 for e in record["entities"] if e["type"] in CONLL04_LABELS]
        names = spacy.util.filter_spans([n for n in names if n is not None])
        others = [e for e in doc.ents if e.label_ in NEWS_ONLY_LABELS
                  and not any(e.start < n.end and n.start < e.end for n in names)]
        doc.set_ents(sorted(names + others, key=lambda e: e.start), default="outside")
        article = make_article(record["id"], record["text"])
        if article.clean != article.text:
            continue
        names, found = pattern_relations(article, doc, nlp)
        ctx = names.with_pronouns()
        gold_spans = [(e["start"], e["end"]) for e in record["entities"]]
        gold = {(r["head"], r["tail"]): CONLL04_TO_KGRAPH[r["type"]] for r in record["relations"]}
        owner = [_best((m.span.start, m.span.end), gold_spans) for m in ctx.mentions]
        hits, _roles, _kept = pattern_hits(ctx, found)
        for s, o in candidate_pairs(ctx):
            if s in ctx.antecedents or o in ctx.antecedents:
                continue  # CoNLL04 does not annotate pronouns: no label for these pairs
            features.append(pair_features(ctx, s, o, hits.get((s, o), ())))
            vectors.append(pair_vector(ctx, s, o))
            labels.append(gold.get((owner[s], owner[o]), "none"))
    return features, vectors, labels


KNOWLEDGENET_TO_KGRAPH = {"EMPLOYEE_OR_MEMBER_OF": "works_for", "CEO": "works_for", "HEADQUARTERS": "based_in"}


def knowledgenet_rows(nlp: Language, records: list[dict]) -> tuple[Rows, Rows]:
    """Pair features and labels from KnowledgeNet passages, on the entities kgraph finds in them: the name pairs,
    and all pairs, those with a pronoun argument ("He", "which") too, in one pass.

    A pair is labelled only where the passage was annotated for its relation: a person-organization
    pair is a negative only when EMPLOYEE_OR_MEMBER_OF was annotated, an organization-place pair only
    when HEADQUARTERS was.
    """
    names_only: Rows = ([], [], [])
    every: Rows = ([], [], [])
    records = [r for r in records if set(r["properties"]) & set(KNOWLEDGENET_TO_KGRAPH)]
    for record, doc in zip(records, nlp.pipe(r["passageText"] for r in records)):
        article = make_article(str(record["documentId"]), record["passageText"])
        if article.clean != article.text:
            continue
        base = record["passageStart"]
        facts = []
        for fact in record["facts"]:
            relation = KNOWLEDGENET_TO_KGRAPH.get(fact["property"])
            subject = (fact["subjectStart"] - base, fact["subjectEnd"] - base)
            obj = (fact["objectStart"] - base, fact["objectEnd"] - base)
            if relation:
                facts.append((relation, obj, subject) if fact["property"] == "CEO" else (relation, subject, obj))
        negatives = set()
        if "EMPLOYEE_OR_MEMBER_OF" in record["properties"]:
            negatives.add("PERSON>ORG")
        if "HEADQUARTERS" in record["properties"]:
            negatives.add("ORG>PLACE")
        names, found = pattern_relations(article, doc, nlp)
        ctx = names.with_pronouns()  # the classifier reads names with the article's pronouns in place
        hits, _roles, _kept = pattern_hits(ctx, found)
        for s, o in candidate_pairs(ctx):
            a, b = ctx.mentions[s].span, ctx.mentions[o].span
            label = next((rel for rel, subject, obj in facts
                          if _overlap((a.start, a.end), subject) and _overlap((b.start, b.end), obj)), "none")
            if label == "none" and f"{ctx.type_of(s)}>{ctx.type_of(o)}" not in negatives:
                continue
            row = (pair_features(ctx, s, o, hits.get((s, o), ())), pair_vector(ctx, s, o), label)
            for rows in (every,) if s in ctx.antecedents or o in ctx.antecedents else (every, names_only):
                for column, value in zip(rows, row):
                    column.append(value)
    return names_only, every


def fit_relations(rows: Rows, *, c: float = 1.0, min_count: int = 2, dense: bool = True):
    """A multinomial logistic regression over the rows' features seen at least ``min_count`` times
    (and their dense vectors); returns the vocabulary, sparse weights, dense weights (or None) and biases."""
    from collections import Counter

    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    features, vectors, labels = rows
    counts = Counter(f for row in features for f in set(row))
    vocabulary = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocabulary)}
    indptr, indices = [0], []
    for row in features:
        indices += sorted({index[f] for f in row if f in index})
        indptr.append(len(indices))
    matrix = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(features), len(vocabulary)))
    if dense:
        matrix = hstack([matrix, csr_matrix(np.stack(vectors))], format="csr")
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(matrix, [LABELS.index(label) for label in labels])
    weights = np.zeros((matrix.shape[1], len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    for column, label in enumerate(model.classes_):
        weights[:, label] = model.coef_[column]
        bias[label] = model.intercept_[column]
    return vocabulary, weights[:len(vocabulary)], weights[len(vocabulary):] if dense else None, bias


# The probability a relation needs to be kept, per relation (0.4 for the others). Cross-validated (CoNLL04 train in
# five folds, each with a recognizer retrained without it; KnowledgeNet fold 1->2 and 2->1): based_in at 0.3 gains
# 0.003 CoNLL04 mission F1 and 0.006 KnowledgeNet F1; works_for away from 0.4 trades one corpus for the other;
# the rest are flat.
THRESHOLD = 0.4
THRESHOLDS = {"based_in": 0.3}

# The pairs with a pronoun argument have their own model (relations_pronouns.npz): the same rows plus
# KnowledgeNet's pronoun pairs, which the name model leaves out. In the name model they cost CoNLL04 mission F1
# (a held-out -0.02). Apart, measured with CoNLL04 train's last 200 sentences and KnowledgeNet fold 2 held out
# (models trained on the rest and fold 1), by the probability a pronoun relation needs: 0.4: KnowledgeNet
# 0.565 -> 0.606, CoNLL04 relaxed mission 0.605 -> 0.591; 0.6: 0.585 and 0.600; 0.7: 0.570 and 0.607; 0.8: 0.555
# and 0.609. A pronoun relation is less sure than a name's: 0.6. Possessives ("his NATO counterparts") and nominals
# ("the company") stay with the name model (see kgraph.extract.classifier): at 0.6, KnowledgeNet 0.574 and CoNLL04
# 0.602, with fewer odd relations in news.
PRONOUN_THRESHOLD = 0.6


def train_relations(nlp: Language, conll04: list[dict], knowledgenet: list[dict], out: Path, *,
                    c: float = 1.0, thresholds: dict[str, float] | None = None, log=print) -> None:
    import numpy as np

    started = time.perf_counter()
    conll = conll04_rows(nlp, conll04)
    kn, kn_pronouns = knowledgenet_rows(nlp, knowledgenet)
    log(f"relations: {len(conll[0])} CoNLL04 pairs, {len(kn[0])} KnowledgeNet pairs "
        f"({len(kn_pronouns[0]) - len(kn[0])} more with a pronoun) ({time.perf_counter() - started:.0f}s)")
    out.mkdir(parents=True, exist_ok=True)
    per_label = THRESHOLDS if thresholds is None else thresholds
    for name, more, threshold in (("relations.npz", kn, [per_label.get(label, THRESHOLD) for label in LABELS]),
                                  ("relations_pronouns.npz", kn_pronouns, [PRONOUN_THRESHOLD] * len(LABELS))):
        rows = (conll[0] + more[0], conll[1] + more[1], conll[2] + more[2])
        vocabulary, weights, dense, bias = fit_relations(rows, c=c)
        extra = {"dense": dense} if dense is not None else {}
        np.savez_compressed(out / name, features=np.array(vocabulary), labels=np.array(LABELS),
                            weights=weights, bias=bias, **extra, threshold=np.array(threshold))
        log(f"relations: {len(vocabulary)} features written to {out / name} ({time.perf_counter() - started:.0f}s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgraph.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared gold data folder")
    parser.add_argument("--out", type=Path, default=MODELS, help="where the models are written")
    parser.add_argument("--epochs", type=int, default=12, help="passes of the recognizer over its examples")
    parser.add_argument("--rehearsal", type=int, default=0,
                        help="KnowledgeNet passages (folds 1-2) on which the recognizer rehearses the news model "
                             "(keeps more of its general-news names; 1000 cost 4 points of CoNLL04 entity F1)")
    parser.add_argument("--knowledgenet-names", action="store_true",
                        help="also teach the recognizer the names KnowledgeNet's facts type (folds 1-2): better on "
                             "web biographies and company pages, worse on news (held out: KnowledgeNet F1 +0.06, CoNLL04 "
                             "strict F1 -0.03); off by default")
    parser.add_argument("--held-out", type=int, default=0,
                        help="for choosing settings, never the dev split: train on CoNLL04 train but its last N "
                             "sentences (or another block: --block) and KnowledgeNet fold 1, into a temporary "
                             "folder, and score the recognizer and `kgraph eval` on those N sentences and fold 2 "
                             "(--out is left alone)")
    parser.add_argument("--block", type=int, default=1,
                        help="with --held-out N: which block of N sentences, counted from the end of CoNLL04 train, "
                             "is held out (1: the last N, 2: the N before them...): a second block tells a real "
                             "change from chance")
    parser.add_argument("--errors", action="store_true",
                        help="with --held-out: also say why the held-out sentences' mission relations were missed "
                             "or wrong (no mention, entity types, the classifier)")
    parser.add_argument("--only", choices=["ner", "relations"], help="train one model only")
    args = parser.parse_args(argv)
    if args.errors and not args.held_out:
        parser.error("--errors reads the held-out sentences: give --held-out N too")
    if args.block != 1 and not args.held_out:
        parser.error("--block picks which sentences --held-out holds out: give --held-out N too")
    if args.only == "relations" and not (args.out / "ner").is_dir():  # its features come from kgraph's recognizer
        parser.error(f"{args.out / 'ner'} holds no entity model: train it first "
                     f"(`python -m kgraph.train --only ner --out {args.out}`) or drop --only")
    train = read_jsonl(args.data / "conll04" / "train.jsonl")
    held_out = None
    if args.held_out:
        if args.held_out < 1 or args.block < 1 or args.held_out * args.block >= len(train):
            parser.error(f"--held-out {args.held_out} --block {args.block} does not fit CoNLL04 train's "
                         f"{len(train)} sentences: give positive numbers whose product is smaller")
        train, held_out = held_out_block(train, args.held_out, args.block)
    knowledgenet = [r for r in read_jsonl(args.data / "knowledgenet_folds1-3.jsonl")
                    if r["fold"] in ((1,) if held_out else (1, 2))]
    if held_out:
        with tempfile.TemporaryDirectory(prefix="kgraph-held-out-") as folder:
            _held_out_scores(args, train, held_out, knowledgenet, Path(folder))
        return
    if args.only in (None, "ner"):
        ner_nlp = train_ner(train, _rehearsal(knowledgenet, args.rehearsal), epochs=args.epochs,
                            knowledgenet=knowledgenet_passages(knowledgenet) if args.knowledgenet_names else ())
        args.out.mkdir(parents=True, exist_ok=True)
        ner_nlp.to_disk(args.out / "ner")
    if args.only in (None, "relations"):
        train_relations(load_pipeline(names=args.out / "ner"), train, knowledgenet, args.out)


def held_out_block(records: list[dict], size: int, block: int = 1) -> tuple[list[dict], list[dict]]:
    """The records but one block of ``size``, and that block: the ``block``-th counted from the end.

    >>> held_out_block(list(range(10)), 3, 2)
    ([0, 1, 2, 3, 7, 8, 9], [4, 5, 6])
    """
    end = len(records) - size * (block - 1)
    start = end - size
    return records[:start] + records[end:], records[start:end]


def _rehearsal(knowledgenet: list[dict], count: int) -> list[str]:
    passages = sorted({r["passageText"] for r in knowledgenet})
    random.Random(0).shuffle(passages)
    return passages[:count]


def _held_out_scores(args: argparse.Namespace, train: list[dict], held_out: list[dict], knowledgenet: list[dict],
                     folder: Path) -> None:
    """Train both models without the held-out sentences and KnowledgeNet fold 2, then score them there."""
    from .evaluate import conll04_errors, evaluate, format_errors, format_report
    from .extract.classifier import relation_models_from

    ner_nlp = train_ner(train, _rehearsal(knowledgenet, args.rehearsal), epochs=args.epochs, held_out=held_out,
                        knowledgenet=knowledgenet_passages(knowledgenet) if args.knowledgenet_names else ())
    ner_nlp.to_disk(folder / "ner")
    nlp = load_pipeline(names=folder / "ner")
    train_relations(nlp, train, knowledgenet, folder)
    gold = folder / "held-out.jsonl"
    gold.write_text("".join(json.dumps(record) + "\n" for record in held_out), encoding="utf-8")
    with relation_models_from(folder):
        for path, fold in ((gold, None), (args.data / "knowledgenet_folds1-3.jsonl", 2)):
            print(format_report(evaluate(path, nlp=nlp, fold=fold)))
        if args.errors:
            print(format_errors(conll04_errors(gold, nlp=nlp)))


if __name__ == "__main__":
    main()
