"""`python -m kgraph.train`: the argument checks that come before any training."""
from __future__ import annotations

import pytest

from kgraph.train import main


def test_relations_alone_need_an_entity_model_in_the_output_folder(tmp_path, capsys):
    # The relation model's features come from kgraph's recognizer: without one in --out, training would
    # quietly fall back to en_core_web_sm's and give another model.
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "relations", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"{tmp_path / 'ner'} holds no entity model" in capsys.readouterr().err
