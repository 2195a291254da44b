"""The notebooks: committed with their outputs (figures visible where they are read), and they run.

``make notebooks`` re-executes them in place and saves the outputs; the test here re-executes each one
from top to bottom (nbclient) in a temporary working folder and checks that the figures come out as
inline images, both in the committed file and in the fresh run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _outputs(nb):
    return [c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]


def _plot_cells(nb):
    return [
        i
        for i, c in enumerate(c for c in nb.cells if c.cell_type == "code")
        if "plots." in c.source
    ]


def _has_image(outputs):
    return any("image/png" in o.get("data", {}) for o in outputs)


def test_the_notebooks_are_committed_with_their_outputs():
    assert [p.name for p in NOTEBOOKS] == [
        "01-quick-start.ipynb",
        "02-printable-questionnaires.ipynb",
        "03-reproducing-ecsi.ipynb",
        "04-versions.ipynb",
        "05-likert-robust-ordinal.ipynb",
        "06-planning-the-sample.ipynb",
        "07-pls-sem-thesis.ipynb",
    ]
    figures = 0
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        outs = _outputs(nb)
        counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run `make notebooks`"
        assert not any(o.get("output_type") == "error" for cell in outs for o in cell), path.name
        for i in _plot_cells(nb):
            assert _has_image(outs[i]), f"{path.name}: code cell {i} draws a figure but shows none"
            figures += 1
    assert figures >= 4


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_its_figures(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outs = _outputs(nb)
    assert not [o for cell in outs for o in cell if o.get("output_type") == "error"]
    for i in _plot_cells(nb):
        assert _has_image(outs[i]), f"code cell {i} shows no figure"
