"""streamml.PrequentialEvaluator and streamml.prequential, against named oracles.

Oracles: sklearn.metrics.roc_auc_score / log_loss / accuracy_score (scikit-learn 1.2) on the
very predictions the evaluator counted, a hand-written test-then-train loop, numpy.loadtxt
(the replayed file), and ln 2 for a model that has learned nothing.
"""
import math

import numpy as np
import pytest
import scipy.special
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

import streamml


@pytest.fixture(scope="module")
def stream():
    """12 batches of 250 from a fixed logistic model (seed 99)."""
    rng = np.random.default_rng(99)
    X = rng.normal(size=(3000, 3))
    y = (rng.uniform(size=3000) < scipy.special.expit(X @ [1.5, -1.0, 0.5] - 0.5)).astype(float)
    return [(X[s:s + 250], y[s:s + 250]) for s in range(0, 3000, 250)]


def _model():
    return streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", step_size=0.1,
                                          fit_intercept=True)


def test_metrics_equal_sklearn_on_the_same_predictions(stream):
    evaluator = streamml.PrequentialEvaluator(window=600, auc_bins=1000, threshold=0.5)
    model = _model()
    scores, labels = [], []
    for k, (X, y) in enumerate(stream):
        s = model.predict_proba(X)[:, 1]  # test ...
        evaluator.update(s, y)
        model.partial_fit(X, y)           # ... then train
        scores.append(s)
        labels.append(y)
        # Oracle: scikit-learn's metrics on this batch's predictions.
        last = evaluator.last_batch
        assert last["count"] == 250
        assert last["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert last["log_loss"] == pytest.approx(log_loss(y, s, labels=[0, 1]), abs=1e-12)
        assert last["accuracy"] == pytest.approx(accuracy_score(y, s > 0.5), abs=1e-15)
        # The window: the last 600 predictions, across batch boundaries.
        ws, wy = np.concatenate(scores)[-600:], np.concatenate(labels)[-600:]
        win = evaluator.window
        assert win["count"] == len(wy)
        assert win["auc"] == pytest.approx(roc_auc_score(wy, ws), abs=1e-12)
        assert win["log_loss"] == pytest.approx(log_loss(wy, ws, labels=[0, 1]), abs=1e-12)
        assert win["accuracy"] == pytest.approx(accuracy_score(wy, ws > 0.5), abs=1e-15)
    all_s, all_y = np.concatenate(scores), np.concatenate(labels)
    cum = evaluator.cumulative
    assert cum["count"] == evaluator.count == 3000 and evaluator.batches == 12
    assert cum["log_loss"] == pytest.approx(log_loss(all_y, all_s), abs=1e-12)
    assert cum["accuracy"] == pytest.approx(accuracy_score(all_y, all_s > 0.5), abs=1e-15)
    # The cumulative AUC is the histogram approximation; its stated bound holds.
    exact = roc_auc_score(all_y, all_s)
    bound = evaluator.cumulative_auc_error_bound
    assert 0 < bound < 0.01
    assert abs(cum["auc"] - exact) <= bound + 1e-15
    # The model learned: the last batch ranks better than the first (scored at 0.5: AUC 0.5).
    curve = evaluator.curve
    assert curve["batch_auc"][0] == 0.5 and curve["batch_auc"][-1] > 0.75


def test_curve_is_one_row_per_batch(stream):
    evaluator = streamml.PrequentialEvaluator(window=400)
    model = _model()
    per_batch = []
    for X, y in stream:
        s = model.predict_proba(X)[:, 1]
        evaluator.update(s, y)
        model.partial_fit(X, y)
        per_batch.append((roc_auc_score(y, s), log_loss(y, s, labels=[0, 1]),
                          accuracy_score(y, s > 0.5)))
    curve = evaluator.curve
    assert sorted(curve) == sorted(
        ["batch"] + [f"{w}_{m}" for w in ("batch", "window", "cumulative")
                     for m in ("count", "log_loss", "accuracy", "auc")])
    assert all(len(v) == 12 for v in curve.values())
    np.testing.assert_array_equal(curve["batch"], np.arange(12))
    np.testing.assert_array_equal(curve["batch_count"], np.full(12, 250))
    np.testing.assert_array_equal(curve["window_count"], np.minimum(250 * np.arange(1, 13), 400))
    np.testing.assert_array_equal(curve["cumulative_count"], 250 * np.arange(1, 13))
    # Oracle: sklearn's metrics per batch.
    expected = np.array(per_batch)
    np.testing.assert_allclose(curve["batch_auc"], expected[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["batch_log_loss"], expected[:, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve["batch_accuracy"], expected[:, 2], rtol=0, atol=1e-15)
    # The last row is what the properties report.
    assert curve["cumulative_log_loss"][-1] == evaluator.cumulative["log_loss"]
    assert curve["window_auc"][-1] == evaluator.window["auc"]
    import pandas
    frame = pandas.DataFrame(curve)  # the documented way to get a table
    assert frame.shape == (12, 13)


def test_prequential_equals_the_hand_written_loop(stream):
    got = streamml.prequential(_model(), stream, streamml.PrequentialEvaluator(window=500))
    # Oracle: the test-then-train loop written out.
    expected = streamml.PrequentialEvaluator(window=500)
    model = _model()
    for X, y in stream:
        expected.update(model.predict_proba(X)[:, 1], y)
        model.partial_fit(X, y)
    for name, values in expected.curve.items():
        np.testing.assert_array_equal(got.curve[name], values, err_msg=name)
    # Batch 0 is scored by a model that has learned nothing: p = 0.5, log loss ln 2 (a mean
    # of 250 equal terms: a few ulps of summation error).
    assert got.curve["batch_log_loss"][0] == pytest.approx(math.log(2), abs=1e-14)
    default = streamml.prequential(_model(), stream)
    assert default.window_size == 1000 and default.threshold == 0.5
    assert default.count == 3000


def test_prequential_over_replay_equals_numpy(tmp_path, stream):
    X = np.concatenate([b[0] for b in stream])
    y = np.concatenate([b[1] for b in stream])
    path = tmp_path / "stream.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g",
               header="a,b,c,clicked", comments="")
    model = _model()
    from_file = streamml.prequential(model, streamml.replay(path, label="clicked",
                                                            batch_size=250))
    # Oracle: numpy.loadtxt of the file, in the same slices.
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    slices = [(table[s:s + 250, :3], table[s:s + 250, 3]) for s in range(0, 3000, 250)]
    reference = _model()
    from_numpy = streamml.prequential(reference, slices)
    for name, values in from_numpy.curve.items():
        np.testing.assert_array_equal(from_file.curve[name], values, err_msg=name)
    np.testing.assert_array_equal(model.coef_, reference.coef_)


def test_prequential_needs_labels(tmp_path):
    path = tmp_path / "nolabel.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(ValueError, match="batch 0 has no labels"):
        streamml.prequential(_model(), streamml.replay(path))


def test_evaluator_rejects_bad_input_and_counts_nothing():
    ev = streamml.PrequentialEvaluator(window=10)
    ev.update([0.2, 0.9], [0, 1])
    with pytest.raises(ValueError, match="score of row 1 is 1.5, expected a probability"):
        ev.update([0.5, 1.5], [0, 1])
    with pytest.raises(ValueError, match="score of row 0 is nan"):
        ev.update([np.nan], [1])
    with pytest.raises(ValueError, match="label of row 1 is 2, expected 0 or 1"):
        ev.update([0.5, 0.5], [0, 2])
    with pytest.raises(ValueError, match="y has 1 entries, scores has 2 rows"):
        ev.update([0.5, 0.5], [0])
    with pytest.raises(ValueError, match="scores must be 1-D"):
        ev.update([[0.5]], [0])
    assert ev.count == 2 and ev.batches == 1  # only the good update counted
    with pytest.raises(ValueError, match="window must be >= 1"):
        streamml.PrequentialEvaluator(window=0)
    with pytest.raises(ValueError, match="threshold must be in"):
        streamml.PrequentialEvaluator(threshold=2.0)
    with pytest.raises(TypeError):
        streamml.PrequentialEvaluator(windw=10)


def test_auc_is_nan_with_one_class():
    ev = streamml.PrequentialEvaluator()
    ev.update([0.3, 0.8], [1, 1])
    # Oracle: the Mann-Whitney AUC is undefined without negatives (roc_auc_score raises).
    with pytest.raises(ValueError):
        roc_auc_score([1, 1], [0.3, 0.8])
    assert math.isnan(ev.last_batch["auc"]) and math.isnan(ev.window["auc"])
    assert ev.last_batch["accuracy"] == accuracy_score([1, 1], [0, 1])
