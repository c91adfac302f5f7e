"""streamml.LogisticRegressionSGD: every figure is checked against a named oracle.

Oracles: scikit-learn 1.2's SGDClassifier(loss="log_loss", shuffle=False) run in the test on
the same data (online sgd), the hand-worked Spark-mode example of issue 3 (also in
tests/cpp/test_logistic_regression_sgd.cpp), scipy.special.expit, numpy.loadtxt, the C++
settings struct (names and defaults), tracemalloc (copies of the input), and the model's own
dense path for the sparse and Batch inputs.
"""
import json
import math
import tracemalloc

import numpy as np
import pytest
import scipy.sparse
import scipy.special

import streamml
from gil_probe import count_during
from streamml._streamml import _LogisticRegressionSGD


@pytest.fixture(scope="module")
def data():
    """200 examples, 4 features, labels from a fixed logistic model (seed 2026)."""
    rng = np.random.default_rng(2026)
    X = np.round(rng.normal(size=(200, 4)), 3)
    w = np.array([1.0, -2.0, 0.5, 0.0])
    p = scipy.special.expit(X @ w + 0.3)
    y = (rng.uniform(size=200) < p).astype(float)
    return X, y


def _sklearn_sgd(X, y, batch, **kw):
    from sklearn.linear_model import SGDClassifier
    clf = SGDClassifier(loss="log_loss", shuffle=False, **kw)
    for s in range(0, len(y), batch):
        clf.partial_fit(X[s:s + batch], y[s:s + batch], classes=[0.0, 1.0])
    return clf


def _streamml_sgd(X, y, batch, **kw):
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="sgd", **kw)
    for s in range(0, len(y), batch):
        model.partial_fit(X[s:s + batch], y[s:s + batch])
    return model


# (streamml settings, sklearn settings, sklearn batch size). streamml always learns in batches
# of 20. The l1 / elasticnet / averaged cases give sklearn the stream in one call: sklearn 1.2
# restarts its cumulative L1 penalty at every partial_fit call (streamml keeps it over the
# stream, so its result does not depend on the batching), and stops saving its unaveraged
# intercept once averaging is active; in one call both do the same update, example by example.
SGD_CASES = {
    "constant_l2": (dict(learning_rate="constant", step_size=0.1, reg_param=0.01, penalty="l2"),
                    dict(learning_rate="constant", eta0=0.1, alpha=0.01, penalty="l2"), 20),
    "invscaling_l2": (dict(learning_rate="invscaling", step_size=0.5, power_t=0.5,
                           reg_param=0.001, penalty="l2"),
                      dict(learning_rate="invscaling", eta0=0.5, power_t=0.5, alpha=0.001,
                           penalty="l2"), 20),
    "invscaling_none": (dict(learning_rate="invscaling", step_size=0.3, power_t=0.25,
                             penalty=None),
                        dict(learning_rate="invscaling", eta0=0.3, power_t=0.25, penalty=None), 20),
    "optimal_l2": (dict(learning_rate="optimal", reg_param=0.01, penalty="l2"),
                   dict(learning_rate="optimal", alpha=0.01, penalty="l2"), 20),
    "optimal_elasticnet": (dict(learning_rate="optimal", reg_param=0.01, penalty="elasticnet",
                                l1_ratio=0.3),
                           dict(learning_rate="optimal", alpha=0.01, penalty="elasticnet",
                                l1_ratio=0.3), 200),
    "constant_l1": (dict(learning_rate="constant", step_size=0.1, reg_param=0.01, penalty="l1"),
                    dict(learning_rate="constant", eta0=0.1, alpha=0.01, penalty="l1"), 200),
    "constant_elasticnet": (dict(learning_rate="constant", step_size=0.05, reg_param=0.02,
                                 penalty="elasticnet", l1_ratio=0.5),
                            dict(learning_rate="constant", eta0=0.05, alpha=0.02,
                                 penalty="elasticnet", l1_ratio=0.5), 200),
    "constant_l2_average": (dict(learning_rate="constant", step_size=0.1, reg_param=0.001,
                                 average=10),
                            dict(learning_rate="constant", eta0=0.1, alpha=0.001, average=10), 200),
}


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("case", sorted(SGD_CASES))
def test_online_sgd_equals_sklearn_sgdclassifier(data, case, fit_intercept):
    X, y = data
    ours, theirs, sk_batch = SGD_CASES[case]
    # Oracle: scikit-learn 1.2 SGDClassifier(loss="log_loss", shuffle=False).partial_fit.
    clf = _sklearn_sgd(X, y, sk_batch, fit_intercept=fit_intercept, **theirs)
    model = _streamml_sgd(X, y, 20, fit_intercept=fit_intercept, **ours)
    assert model.coef_.shape == clf.coef_.shape == (1, 4)
    assert model.intercept_.shape == clf.intercept_.shape == (1,)
    np.testing.assert_allclose(model.coef_, clf.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, clf.intercept_, rtol=0, atol=1e-9)
    assert model.t_ == clf.t_ == 201.0
    # Same model, same predictions (sklearn's predict_proba is [1 - p, p] too).
    np.testing.assert_allclose(model.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(model.classes_, clf.classes_)


def test_online_sgd_on_scipy_sparse_equals_sklearn(data):
    X, y = data
    Xs = scipy.sparse.csr_matrix(np.where(np.abs(X) < 0.7, 0.0, X))
    assert Xs.nnz < X.size
    # Oracle: sklearn's SGDClassifier on the same CSR matrix (it visits the non-zeros only).
    # Without an intercept: on sparse input sklearn damps the intercept's step by
    # SPARSE_INTERCEPT_DECAY = 0.01 (sklearn/linear_model/_base.py), which streamml does not.
    clf = _sklearn_sgd(Xs, y, 20, learning_rate="constant", eta0=0.1, alpha=0.01, penalty="l2",
                       fit_intercept=False)
    model = _streamml_sgd(Xs, y, 20, learning_rate="constant", step_size=0.1, reg_param=0.01)
    np.testing.assert_allclose(model.coef_, clf.coef_, rtol=0, atol=1e-9)
    assert model.n_features_in_ == 4
    np.testing.assert_allclose(model.decision_function(Xs), clf.decision_function(Xs),
                               rtol=0, atol=1e-9)
    # With an intercept, oracle: streamml's own dense path on Xs.toarray().
    sparse = _streamml_sgd(Xs, y, 20, step_size=0.1, reg_param=0.01, fit_intercept=True)
    dense = _streamml_sgd(Xs.toarray(), y, 20, step_size=0.1, reg_param=0.01, fit_intercept=True)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=0, atol=1e-12)


def test_set_params_mid_stream_continues_like_sklearn(data):
    X, y = data
    from sklearn.linear_model import SGDClassifier
    # Oracle: sklearn continues from its coefficients after set_params(eta0=...).
    clf = SGDClassifier(loss="log_loss", shuffle=False, learning_rate="constant", eta0=0.1,
                        alpha=0.01)
    clf.partial_fit(X[:100], y[:100], classes=[0.0, 1.0])
    clf.set_params(eta0=0.02)
    clf.partial_fit(X[100:], y[100:])
    model = streamml.LogisticRegressionSGD(mode="online", step_size=0.1, reg_param=0.01,
                                           fit_intercept=True)
    model.partial_fit(X[:100], y[:100])
    assert model.set_params(step_size=0.02) is model
    model.partial_fit(X[100:], y[100:])
    np.testing.assert_allclose(model.coef_, clf.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, clf.intercept_, rtol=0, atol=1e-9)
    assert model.examples_seen_ == 200 and model.batches_seen_ == 2


# ---- Spark mode: the hand-worked example of issue 3 -----------------------------------------

# Data {(y=1, x=1), (y=0, x=-1)}, w0 = 0, step 0.1, reg 0, no intercept. Both examples give
# the same gradient term: (sigmoid(w) - 1) * 1 and (sigmoid(-w) - 0) * (-1) are both
# -(1 - sigmoid(w)), so the mean gradient is g(w) = -(1 - sigmoid(w)) and
#   w_i = w_{i-1} + (0.1 / sqrt(i)) (1 - sigmoid(w_{i-1})):
#   i = 1: w = 0 + 0.1 * 0.5                                          = 0.05
#   i = 2: w = 0.05 + 0.0707107 * (1 - sigmoid(0.05) = 0.4875026)     = 0.0844716
#   i = 3: w = 0.0844716 + 0.0577350 * (1 - sigmoid(0.0844716) = 0.4788945) = 0.1121206
#   ... 10 iterations: 0.2375954, 50 iterations: 0.5491122 (issue 3's figures; the same ones
# tests/cpp/test_logistic_regression_sgd.cpp checks). The convergence test never fires: the
# 50th step is 0.0141 * 0.366 = 0.0052 > 0.001 * max(|w|, 1).
@pytest.mark.parametrize("iterations, expected", [
    (1, 0.05), (2, 0.0844716), (3, 0.1121206), (10, 0.2375954), (50, 0.5491122)])
def test_spark_mode_hand_computed(iterations, expected):
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, 0.0])
    model = streamml.LogisticRegressionSGD(mode="spark", step_size=0.1,
                                           num_iterations=iterations, reg_param=0.0)
    model.fit(X, y)
    assert model.coef_[0, 0] == pytest.approx(expected, abs=1e-6)
    assert model.intercept_[0] == 0.0
    # Second oracle: the recurrence above, evaluated in Python.
    w = 0.0
    for i in range(1, iterations + 1):
        w += 0.1 / math.sqrt(i) * (1.0 - 1.0 / (1.0 + math.exp(-w)))
    assert model.coef_[0, 0] == pytest.approx(w, abs=1e-12)


def test_spark_defaults_are_sparks():
    # Oracle: Spark MLlib's StreamingLogisticRegressionWithSGD defaults (stepSize 0.1,
    # numIterations 50, miniBatchFraction 1.0, regParam 0.0, no intercept).
    p = streamml.LogisticRegressionSGD().get_params()
    assert (p["mode"], p["step_size"], p["num_iterations"], p["mini_batch_fraction"],
            p["reg_param"], p["fit_intercept"]) == ("spark", 0.1, 50, 1.0, 0.0, False)


# ---- predictions ---------------------------------------------------------------------------

def test_predict_proba_is_sigmoid_of_decision_function(data):
    X, y = data
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad",
                                           fit_intercept=True, threshold=0.4).fit(X, y)
    proba = model.predict_proba(X)
    margin = model.decision_function(X)
    assert proba.shape == (200, 2) and margin.shape == (200,)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    # Oracle: scipy.special.expit of the margins, and the margins are X coef + intercept.
    np.testing.assert_allclose(proba[:, 1], scipy.special.expit(margin), rtol=1e-14, atol=0)
    np.testing.assert_allclose(margin, X @ model.coef_[0] + model.intercept_[0],
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), (proba[:, 1] > 0.4).astype(float))
    assert model.score(X, y) == np.mean(model.predict(X) == y)


def test_before_any_data_predicts_the_initial_state():
    X = np.array([[1.0, 2.0], [3.0, -4.0]])
    model = streamml.LogisticRegressionSGD()
    # Oracle: sigmoid(0) = 0.5 for zero weights.
    np.testing.assert_array_equal(model.predict_proba(X), np.full((2, 2), 0.5))
    assert not hasattr(model, "coef_") and not hasattr(model, "n_features_in_")
    from sklearn.utils.validation import check_is_fitted
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    seeded = streamml.LogisticRegressionSGD(initial_weights=[0.5, -0.25], initial_intercept=0.1)
    np.testing.assert_allclose(seeded.decision_function(X), [0.1 + 0.5 - 0.5, 0.1 + 1.5 + 1.0],
                               rtol=0, atol=1e-15)
    model.partial_fit(X, [1, 0])
    check_is_fitted(model)
    assert model.n_features_in_ == 2
    np.testing.assert_array_equal(model.classes_, [0.0, 1.0])


def test_fit_starts_over(data):
    X, y = data
    model = streamml.LogisticRegressionSGD(mode="online", fit_intercept=True)
    once = model.fit(X, y).coef_.copy()
    model.partial_fit(X, y)
    assert not np.array_equal(model.coef_, once)
    # Oracle: the first fit: fit discards what was learned and learns X again.
    np.testing.assert_array_equal(model.fit(X, y).coef_, once)
    assert model.examples_seen_ == 200


# ---- parameters ----------------------------------------------------------------------------

def test_params_are_the_cpp_settings_with_the_same_defaults():
    model = streamml.LogisticRegressionSGD()
    params = model.get_params()
    # Oracle: the C++ LogisticRegressionSGDSettings, its names() and its default values.
    assert sorted(params) == sorted(_LogisticRegressionSGD.setting_names())
    cpp_defaults = json.loads(_LogisticRegressionSGD({}).params_json)
    ours = json.loads(model._learner().params_json)
    assert ours == cpp_defaults
    assert repr(model) == "LogisticRegressionSGD()"


def test_clone_get_params_set_params_round_trip(data):
    from sklearn.base import clone
    X, y = data
    w0 = np.array([0.1, 0.2, 0.3, 0.4])
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="ftrl", ftrl_l1=0.5,
                                           fit_intercept=True, initial_weights=w0, average=0)
    model.fit(X, y)
    copy = clone(model)
    # Oracle: the original's parameters; a clone has learned nothing.
    assert copy.get_params().keys() == model.get_params().keys()
    for name, value in model.get_params().items():
        np.testing.assert_array_equal(copy.get_params()[name], value)
    assert not hasattr(copy, "coef_")
    np.testing.assert_array_equal(copy.fit(X, y).coef_, model.coef_)
    # The changed settings, in the settings table's order.
    assert repr(copy) == ("LogisticRegressionSGD(mode='online', fit_intercept=True, "
                          "initial_weights=array([0.1, 0.2, 0.3, 0.4]), optimizer='ftrl', "
                          "ftrl_l1=0.5)")

    fresh = streamml.LogisticRegressionSGD()
    fresh.set_params(**model.get_params())
    np.testing.assert_array_equal(fresh.fit(X, y).coef_, model.coef_)
    assert fresh.set_params(step_size=0.5, num_iterations=7) is fresh
    assert fresh.get_params()["step_size"] == 0.5 and fresh.num_iterations == 7


def test_misspelled_and_bad_settings():
    with pytest.raises(TypeError, match="stepsize"):
        streamml.LogisticRegressionSGD(stepsize=0.1)
    model = streamml.LogisticRegressionSGD()
    with pytest.raises(ValueError, match="Invalid parameter 'stepsize'"):
        model.set_params(stepsize=0.1)
    with pytest.raises(ValueError, match="logreg: step_size must be > 0, got -1"):
        model.set_params(step_size=-1.0)
    assert model.step_size == 0.1  # a rejected set_params changes nothing
    with pytest.raises(ValueError, match="logreg: optimizer must be one of 'sgd', 'adagrad', 'ftrl', got 'adam'"):
        model.set_params(optimizer="adam", mode="online")
    with pytest.raises(ValueError, match="mini_batch_fraction must be in \\(0, 1\\], got 1.5"):
        streamml.LogisticRegressionSGD(mini_batch_fraction=1.5).fit(np.ones((2, 1)), [0, 1])
    with pytest.raises(ValueError, match="optimizer 'adagrad' needs mode 'online'"):
        streamml.LogisticRegressionSGD(optimizer="adagrad").partial_fit(np.ones((2, 1)), [0, 1])
    with pytest.raises(ValueError, match="num_iterations"):
        streamml.LogisticRegressionSGD(num_iterations=2.5).fit(np.ones((2, 1)), [0, 1])


def test_bad_input_raises_valueerror(data):
    X, y = data
    model = streamml.LogisticRegressionSGD().fit(X, y)
    with pytest.raises(ValueError, match="features has 3 columns, model expects 4"):
        model.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="features has 5 columns, model expects 4"):
        model.predict(np.ones((2, 5)))
    bad = X.copy()
    bad[7, 2] = np.nan
    with pytest.raises(ValueError, match="features row 7 column 2 is nan"):
        model.partial_fit(bad, y)
    bad[7, 2] = np.inf
    with pytest.raises(ValueError, match="row 7 column 2 is inf"):
        model.predict_proba(bad)
    labels = y.copy()
    labels[11] = 2.0
    with pytest.raises(ValueError, match="label of row 11 is 2; logistic regression needs 0 or 1"):
        model.partial_fit(X, labels)
    labels[11] = np.nan
    with pytest.raises(ValueError, match="label of row 11 is nan"):
        model.partial_fit(X, labels)
    with pytest.raises(ValueError, match=r"y has 199 entries, X has 200 rows"):
        model.partial_fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"X must be 2-D \(n_samples, n_features\), got a 1-D "
                                         r"array of shape \(4,\)"):
        model.predict(X[0])
    with pytest.raises(ValueError, match=r"y must be 1-D"):
        model.partial_fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="classes must be"):
        model.partial_fit(X, y, classes=[0, 2])
    with pytest.raises(ValueError, match="could not convert"):
        model.predict([["a", "b", "c", "d"]])
    # Nothing above was learned: a rejected batch changes nothing.
    assert model.examples_seen_ == 200


# ---- input conversion ----------------------------------------------------------------------

def test_float64_c_contiguous_input_is_not_copied(data):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 20))  # 16 MB
    y = (X[:, 0] > 0).astype(float)
    model = streamml.LogisticRegressionSGD(num_iterations=2)
    model.partial_fit(X[:10], y[:10])

    def peak(call):
        # Oracle: tracemalloc, which sees every NumPy data allocation (NumPy reports them).
        tracemalloc.start()
        try:
            call()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(lambda: model.partial_fit(X, y)) < X.nbytes / 100
    assert peak(lambda: model.decision_function(X)) < X.nbytes / 10  # its (n,) result: 0.8 MB
    # The same measurement sees the conversion copy of a Fortran-ordered array.
    Xf = np.asfortranarray(X)
    assert peak(lambda: model.partial_fit(Xf, y)) >= X.nbytes


def test_other_dtypes_and_orders_are_converted(data):
    X, y = data
    Xi = np.round(X * 10).astype(np.int32)
    reference = streamml.LogisticRegressionSGD(mode="online").fit(Xi.astype(np.float64), y)
    # Oracle: the same model on the float64 C-contiguous array.
    for variant in (Xi, np.asfortranarray(Xi), np.asfortranarray(Xi.astype(np.float64)),
                    Xi.tolist(), Xi.astype(np.float32)):
        model = streamml.LogisticRegressionSGD(mode="online").fit(variant, y.astype(int))
        np.testing.assert_array_equal(model.coef_, reference.coef_)
        np.testing.assert_array_equal(model.predict_proba(variant), reference.predict_proba(Xi))


def test_batch_with_dense_and_hashed_features(tmp_path):
    rng = np.random.default_rng(9)
    path = tmp_path / "mixed.csv"
    colors = ["red", "green", "blue", "cyan"]
    rows = [(f"{rng.normal():.4f}", colors[rng.integers(0, 4)], int(rng.integers(0, 2)))
            for _ in range(300)]
    path.write_text("x,color,y\n" + "".join(f"{x},{c},{l}\n" for x, c, l in rows))
    batches = list(streamml.replay(path, label="y", categorical=["color"], hash_bits=6,
                                   batch_size=100))
    assert batches[0].sparse is not None
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", fit_intercept=True)
    for b in batches:
        model.partial_fit(b)  # labels from the batch
    assert model.n_features_in_ == 1 + 64
    # Oracle: the same values as one dense matrix [dense columns | hashed buckets].
    dense = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", fit_intercept=True)
    for b in batches:
        dense.partial_fit(np.hstack([b.features, b.sparse.toarray()]), b.labels)
    np.testing.assert_allclose(model.coef_, dense.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.predict_proba(batches[1]),
                               dense.predict_proba(np.hstack([batches[1].features,
                                                              batches[1].sparse.toarray()])),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("settings", [
    dict(mode="spark", num_iterations=20, mini_batch_fraction=0.5),
    dict(mode="online", optimizer="adagrad", fit_intercept=True),
    dict(mode="online", optimizer="ftrl", ftrl_l1=0.1, fit_intercept=True),
])
def test_training_on_replay_batches_equals_numpy_batches(tmp_path, settings):
    rng = np.random.default_rng(17)
    X = rng.normal(size=(1050, 5))
    y = (rng.uniform(size=1050) < scipy.special.expit(X @ [1, -1, 0.5, 0, 2])).astype(float)
    path = tmp_path / "stream.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g",
               header="a,b,c,d,e,label", comments="")
    from_file = streamml.LogisticRegressionSGD(**settings)
    for batch in streamml.replay(path, label="label", batch_size=100):
        from_file.partial_fit(batch.features, batch.labels)
    # Oracle: numpy.loadtxt of the same file, learned in the same slices of 100 rows.
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    from_numpy = streamml.LogisticRegressionSGD(**settings)
    for s in range(0, 1050, 100):
        from_numpy.partial_fit(table[s:s + 100, :5], table[s:s + 100, 5])
    assert from_numpy.batches_seen_ == from_file.batches_seen_ == 11
    np.testing.assert_array_equal(from_file.coef_, from_numpy.coef_)  # bit for bit
    np.testing.assert_array_equal(from_file.intercept_, from_numpy.intercept_)


# ---- the GIL is released while C++ trains --------------------------------------------------

def test_gil_is_released_during_fit():
    """The main thread runs Python code while a worker thread is inside the C++ partial_fit
    and fit (gil_probe.py)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200_000, 16))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    model = streamml.LogisticRegressionSGD(num_iterations=30)
    calls = [lambda: model.partial_fit(X, y), lambda: model.fit(X, y)] * 3
    moved = [ran for ran, _ in count_during(calls)]
    assert model.examples_seen_ == 200_000  # oracle: the rows of the last fit
    assert sum(1 for ran in moved if ran > 0) > 0, moved


# ---- the module's documentation example ------------------------------------------------------

def test_module_docstring_example_runs(repo_root, monkeypatch):
    """Oracle: the example itself, run from the repository root as a user would."""
    import streamml.linear
    # The example is the docstring's last paragraph, indented by four spaces.
    example = streamml.linear.__doc__.split("Example::\n\n", 1)[1]
    code = "\n".join(line[4:] for line in example.splitlines())
    if not (repo_root / "data" / "clicks.csv").is_file():
        pytest.fail("data/clicks.csv is missing: the example replays it")
    monkeypatch.chdir(repo_root)
    scope = {}
    exec(compile(code, "streamml/linear.py docstring", "exec"), scope)
    assert scope["evaluator"].count == scope["model"].examples_seen_ > 0
    assert scope["model"].coef_.shape == (1, 2)
