"""`python -m kgraph.train`: the argument checks that come before any training."""
from __future__ import annotations

import pytest

from kgraph.train import held_out_block, knowledgenet_examples, knowledgenet_passages, main


def test_relations_alone_need_an_entity_model_in_the_output_folder(tmp_path, capsys):
    # The relation model's features come from kgraph's recognizer: without one in --out, training would
    # quietly fall back to en_core_web_sm's and give another model.
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "relations", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"{tmp_path / 'ner'} holds no entity model" in capsys.readouterr().err


def test_a_held_out_block_needs_held_out_and_must_fit_the_train_split(tmp_path, capsys):
    # --block N picks which sentences --held-out holds out; alone, or past the start of train, it is refused
    # before any training starts.
    conll04 = tmp_path / "conll04"
    conll04.mkdir()
    (conll04 / "train.jsonl").write_text("".join('{"id": "s%d", "text": "x", "entities": [], "relations": []}\n' % i
                                                 for i in range(10)))
    for argv, message in ((["--block", "2"], "give --held-out N too"),
                          (["--held-out", "5", "--block", "2"], "does not fit CoNLL04 train's 10 sentences"),
                          (["--held-out", "3", "--block", "0"], "does not fit")):
        with pytest.raises(SystemExit) as exit_:
            main(["--data", str(tmp_path), *argv])
        assert exit_.value.code == 2, argv
        assert message in capsys.readouterr().err, argv


def test_the_held_out_blocks_count_from_the_end_of_train_and_never_overlap():
    records = list(range(1000))
    first, second = held_out_block(records, 200, 1), held_out_block(records, 200, 2)
    assert first == (records[:800], records[800:])
    assert second == (records[:600] + records[800:], records[600:800])
    for rest, held in (first, second):
        assert sorted(rest + held) == records and not set(rest) & set(held)


def _fact(prop, passage_start, text, subject, obj):
    s, o = text.index(subject), text.index(obj)
    return {"property": prop, "subjectStart": passage_start + s, "subjectEnd": passage_start + s + len(subject),
            "subjectText": subject, "objectStart": passage_start + o, "objectEnd": passage_start + o + len(obj),
            "objectText": obj}


def test_knowledgenet_names_are_typed_by_the_facts_that_hold_them():
    # --knowledgenet-names: a fact's property says what its arguments are; pronouns and lowercase arguments
    # are no names, and the records of one passage (one per property) give one example.
    text = "Jill Hart joined Anaeko, which is based in Belfast. She lives in Lisburn."
    passage = {"documentId": "7", "passageStart": 100, "passageText": text}
    records = [
        {**passage, "facts": [_fact("EMPLOYEE_OR_MEMBER_OF", 100, text, "Jill Hart", "Anaeko")]},
        {**passage, "facts": [_fact("HEADQUARTERS", 100, text, "which", "Belfast"),
                              _fact("HEADQUARTERS", 100, text, "Anaeko", "Belfast")]},
        {**passage, "facts": [_fact("PLACE_OF_RESIDENCE", 100, text, "She", "Lisburn")]},
    ]
    [(passage_text, names)] = knowledgenet_passages(records)
    assert passage_text == text
    assert [(text[s:e], label) for s, e, label in names] == [
        ("Jill Hart", "PERSON"), ("Anaeko", "ORG"), ("Belfast", "GPE"), ("Lisburn", "GPE")]


def test_knowledgenet_examples_leave_unannotated_what_knowledgenet_did_not_mark():
    # Only the facts' names are known: a capitalized word outside them may be a name nobody marked ("-"),
    # a plain lowercase word is not one ("O"), and "of" between two capitalized words may be inside one.
    from kgraph.nlp import load_pipeline

    text = "Jill Hart joined the University of Lund in 2003, after Ericsson."
    names = [(0, 9, "PERSON")]
    [example] = knowledgenet_examples(load_pipeline(names=False), [(text, names)])
    tags = {t.text: (t.ent_iob_ or "-") for t in example.reference}
    assert [e.text for e in example.reference.ents] == ["Jill Hart"]
    assert tags["joined"] == "O" and tags["after"] == "O"
    assert tags["Ericsson"] == "-" and tags["University"] == "-" and tags["of"] == "-"


def test_held_out_scoring_reads_the_models_it_trained_then_the_shipped_ones_again(tmp_path):
    # `python -m kgraph.train --held-out N` scores models trained into a temporary folder.
    import numpy as np

    from kgraph.extract.classifier import RELATION_MODEL, default_model, default_pronoun_model, relation_models_from

    shipped = default_model()
    with np.load(RELATION_MODEL) as data:
        np.savez(tmp_path / "relations.npz", **{**data, "threshold": np.full(len(data["labels"]), 0.99)})
    with relation_models_from(tmp_path):
        assert np.all(np.asarray(default_model().threshold) == 0.99)
        assert default_pronoun_model() is None  # none in that folder: no pronoun model
    assert default_model() is not shipped and np.array_equal(default_model().weights, shipped.weights)
    assert default_pronoun_model() is not None
