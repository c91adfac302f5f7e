"""The notebooks as committed (issue 16): they read on GitHub, so every code cell carries its
outputs, their plots are inline PNGs (no forced Agg backend, no figures saved to a temporary
folder, which a person running them in Jupyter would never see), no cell failed, and each ends
with its checks against an oracle. Read with nbformat; the notebooks themselves are executed by
the notebook_* tests."""

import pathlib

import nbformat
import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_is_one_per_family_and_one_for_the_system():
    names = [p.stem for p in NOTEBOOKS]
    for family in ("replay", "logistic_regression", "clustering", "als", "allocation",
                   "checkpoints", "decision_system"):
        assert any(family in n for n in names), (family, names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs_and_inline_plots(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = "\n".join(c.source for c in code)
    assert "%matplotlib inline" in source
    assert 'matplotlib.use("Agg")' not in source and "savefig" not in source
    assert all(c.execution_count is not None for c in code), "a code cell was not executed"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no inline plot"
    assert "assert" in code[-1].source, "the last cell holds the checks"
