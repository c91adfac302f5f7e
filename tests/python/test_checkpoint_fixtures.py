"""Committed checkpoints of format version 1 (tests/data/checkpoints) load forever after.

Oracle: expected.json, written beside the files when they were made
(tests/data/checkpoints/make_fixtures.py): the scores the saved models gave fixed probe rows
and their learned figures, compared exactly (JSON keeps every double's shortest exact text).
The damaged files must be refused with an error naming the file and what is wrong.
The same files are loaded by C++ in tests/cpp/test_checkpoint_fixtures.cpp.
"""
import json
import pathlib

import h5py
import numpy as np
import pytest

import streamml

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "data" / "checkpoints"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
MODELS = sorted(f for f, e in EXPECTED["fixtures"].items() if "scores" in e)


def test_every_committed_file_is_listed_in_expected_json():
    listed = set(EXPECTED["fixtures"]) | set(EXPECTED["damaged"])
    assert {p.name for p in FIXTURES.glob("*.h5")} == listed
    assert EXPECTED["format_version"] == 1


@pytest.mark.parametrize("file", MODELS)
def test_a_fixture_loads_and_scores_as_recorded(file):
    want = EXPECTED["fixtures"][file]
    model = streamml.load_checkpoint(FIXTURES / file)
    info = streamml.describe_checkpoint(FIXTURES / file)
    assert info["format_version"] == 1 and info["learner_type"] == want["learner_type"]
    probe = np.array(want["probe"], dtype=np.float64)
    if want["learner_type"] == "logreg":
        assert isinstance(model, streamml.LogisticRegressionSGD)
        scores = model.predict_proba(probe)[:, 1]
        assert np.array_equal(model.coef_.ravel(), want["learned"]["coef"])
        assert np.array_equal(model.intercept_, want["learned"]["intercept"])
        assert model.examples_seen_ == want["learned"]["examples_seen"]
    elif want["learner_type"] == "kmeans":
        assert isinstance(model, streamml.StreamingKMeans)
        scores = model.predict(probe)
        assert np.array_equal(model.cluster_centers_.ravel(), want["learned"]["centers"])
        assert np.array_equal(model.cluster_weights_, want["learned"]["weights"])
    else:
        assert isinstance(model, streamml.WindowedDBSCAN)
        scores = model.predict(probe)
        assert model.window_labels_.tolist() == want["learned"]["window_labels"]
        assert model.batches_seen_ == want["learned"]["batches_seen"]
    assert np.array_equal(scores.astype(np.float64), want["scores"])


def test_the_prequential_fixture_reports_as_recorded():
    want = EXPECTED["fixtures"]["prequential.h5"]["learned"]
    evaluator = streamml.load_checkpoint(FIXTURES / "prequential.h5")
    assert isinstance(evaluator, streamml.PrequentialEvaluator)
    assert (evaluator.count, evaluator.batches) == (want["count"], want["batches"])
    assert evaluator.cumulative["log_loss"] == want["cumulative_log_loss"]
    assert evaluator.window["accuracy"] == want["window_accuracy"]


def test_the_pipeline_manifest_fixture_describes_as_recorded():
    want = EXPECTED["fixtures"]["pipeline_manifest.h5"]
    info = streamml.describe_checkpoint(FIXTURES / "pipeline_manifest.h5")
    assert info["learner_type"] == "pipeline" and info["batch_index"] == want["batch_index"]
    assert sorted(info["datasets"]) == want["datasets"]
    with pytest.raises(ValueError, match="pipeline_manifest.h5: holds a 'pipeline' checkpoint"):
        streamml.load_checkpoint(FIXTURES / "pipeline_manifest.h5")


@pytest.mark.parametrize("file", sorted(EXPECTED["damaged"]))
def test_a_damaged_fixture_is_refused_naming_the_file_and_the_problem(file):
    path = FIXTURES / file
    for call in (streamml.load_checkpoint, streamml.describe_checkpoint,
                 lambda p: streamml.loads_checkpoint(p.read_bytes(), name=str(p))):
        with pytest.raises(ValueError) as error:
            call(path)
        assert str(path) in str(error.value) and EXPECTED["damaged"][file] in str(error.value)


def test_h5py_reads_the_fixtures_as_documented():
    """Oracle: README's layout, and the recorded coefficients (coef_ == weight_scale * weights)."""
    with h5py.File(FIXTURES / "logreg_ftrl.h5", "r") as f:
        assert f.attrs["format_version"] == 1 and f.attrs["learner_type"] == b"logreg"
        coef = f["weight_scale"][()] * f["weights"][()]
        assert np.array_equal(coef, EXPECTED["fixtures"]["logreg_ftrl.h5"]["learned"]["coef"])
        assert f["optimizer/ftrl_z"].shape == f["optimizer/ftrl_n"].shape == (3,)
    with h5py.File(FIXTURES / "kmeans.h5", "r") as f:
        assert f["centers"].shape == (3, 2)
        assert np.array_equal(f["centers"][()].ravel(), EXPECTED["fixtures"]["kmeans.h5"]["learned"]["centers"])
