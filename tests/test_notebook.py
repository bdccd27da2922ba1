"""The walkthrough notebook runs top to bottom, so it can never rot."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from conftest import REPO


def test_walkthrough_runs(nlp):
    path = REPO / "notebooks" / "walkthrough.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "Jessica L. McNulty" in text and "graph.html" in text
