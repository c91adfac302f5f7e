"""scikit-learn's own estimator checks on every streamml estimator.

Oracle: sklearn.utils.estimator_checks (Debian's scikit-learn 1.2), each check a test. The
checks that cannot apply to a streaming estimator are expected failures with their reason, in
one list: streamml._estimator.XFAIL_CHECKS, which the estimators' `_xfail_checks` tag gives to
parametrize_with_checks.

scikit-learn yields its clustering checks only for subclasses of its ClusterMixin, which
streamml's clusterers are not (streamml does not depend on scikit-learn), so those checks are
run here by hand on every clusterer.

Not estimators in scikit-learn's sense, so not checked here: ALS (fit takes a users x items
matrix, predict (user, item) pairs: implicit's and Spark's interface), the decision learners
Allocator and Autoscaler (batches of per-service records in, decisions out), ChurnModel
(batches of purchases with customers, categories and times in, risks per customer out) and the
evaluators. Their own tests hold them to their references.
"""
import numpy as np
import pytest
from sklearn.utils.estimator_checks import (check_clusterer_compute_labels_predict, check_clustering,
                                            parametrize_with_checks)

import streamml
from streamml._estimator import XFAIL_CHECKS

ESTIMATORS = [streamml.LogisticRegressionSGD(), streamml.StreamingKMeans(), streamml.DBSCAN(),
              streamml.WindowedDBSCAN()]
CLUSTERERS = [e for e in ESTIMATORS if getattr(e, "_estimator_type", None) == "clusterer"]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", CLUSTERERS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("check", [check_clustering, check_clusterer_compute_labels_predict],
                         ids=lambda c: c.__name__)
def test_sklearn_clustering_checks(estimator, check):
    check(type(estimator).__name__, estimator)


def test_the_expected_failures_are_few_and_name_real_checks():
    # The list stays short, and every entry names a check scikit-learn runs on that estimator.
    from sklearn.utils.estimator_checks import check_estimator
    total = sum(len(v) for v in XFAIL_CHECKS.values())
    assert total <= 5, XFAIL_CHECKS
    by_name = {type(e).__name__: e for e in ESTIMATORS}
    for name, checks in XFAIL_CHECKS.items():
        run = {getattr(c, "func", c).__name__ for _, c in check_estimator(by_name[name], generate_only=True)}
        assert set(checks) <= run, (name, set(checks) - run)
        assert all(len(reason) > 20 for reason in checks.values())


def test_logistic_regression_takes_any_two_labels_like_sgdclassifier():
    # Oracle: SGDClassifier's classes_ (sorted labels, the second the positive class) and the
    # same model learned on 0/1 labels.
    from sklearn.linear_model import SGDClassifier
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y01 = (X @ [1.0, -2.0, 0.5] > 0).astype(float)
    words = np.where(y01 == 1, "spam", "ham")
    ref = SGDClassifier(loss="log_loss").fit(X, words)
    model = streamml.LogisticRegressionSGD(mode="online", fit_intercept=True).fit(X, words)
    plain = streamml.LogisticRegressionSGD(mode="online", fit_intercept=True).fit(X, y01)
    assert model.classes_.tolist() == ref.classes_.tolist() == ["ham", "spam"]
    np.testing.assert_array_equal(model.coef_, plain.coef_)
    np.testing.assert_array_equal(model.predict(X), np.where(plain.predict(X) == 1, "spam", "ham"))
    np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))
    # Integer labels -1 / 1 (sklearn's other common coding): -1 is the negative class.
    signed = streamml.LogisticRegressionSGD(mode="online", fit_intercept=True).fit(X, 2 * y01 - 1)
    assert signed.classes_.tolist() == [-1.0, 1.0]
    np.testing.assert_array_equal(signed.coef_, plain.coef_)
    with pytest.raises(ValueError, match="y has 3 classes"):
        streamml.LogisticRegressionSGD().fit(X, np.arange(300) % 3)
    with pytest.raises(ValueError, match="label of row 0 is 'eggs'; the classes are"):
        model.partial_fit(X[:2], ["eggs", "ham"])
    with pytest.raises(ValueError, match="one class"):
        streamml.LogisticRegressionSGD().partial_fit(X[:2], ["ham", "ham"])
    one = streamml.LogisticRegressionSGD().partial_fit(X[:2], ["ham", "ham"], classes=["ham", "spam"])
    assert one.classes_.tolist() == ["ham", "spam"]


def test_logistic_regression_takes_scipy_sparse_like_dense():
    # Oracle: the same rows given dense (the dense path is checked against Spark and sklearn in
    # test_logistic_regression.py).
    import scipy.sparse as sp
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 5)) * (rng.random((200, 5)) < 0.4)
    y = (X.sum(axis=1) > 0).astype(float)
    for make in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        Xs = make(X)
        sparse = streamml.LogisticRegressionSGD(num_iterations=5).fit(Xs, y)
        dense = streamml.LogisticRegressionSGD(num_iterations=5).fit(X, y)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(X), rtol=0, atol=1e-12)
        np.testing.assert_array_equal(sparse.predict(Xs), dense.predict(X))
        sparse.partial_fit(Xs, y)
        dense.partial_fit(X, y)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-12)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_complex_and_empty_input_raise_valueerror(estimator):
    from sklearn.base import clone
    X = np.ones((6, 2)) + 1j
    y = np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="Complex data not supported"):
        clone(estimator).fit(X, y)
    with pytest.raises(ValueError, match="0 sample"):
        clone(estimator).fit(np.empty((0, 2)), [])
    with pytest.raises(ValueError, match="0 feature"):
        clone(estimator).fit(np.empty((6, 0)), y)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "chebyshev"])
def test_dbscan_sample_weight_is_sklearns(metric):
    # Oracle: sklearn.cluster.DBSCAN(...).fit(X, sample_weight=w): a point's weight counts toward
    # min_samples of every point within eps of it; zero and negative weights included.
    from sklearn.cluster import DBSCAN as SkDBSCAN
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(c, 0.3, size=(60, 2)) for c in ((0, 0), (3, 3), (0, 4))])
    X = np.vstack([X, rng.uniform(-2, 6, size=(40, 2))])
    for w in (rng.integers(0, 4, len(X)).astype(float), rng.uniform(-0.5, 3, len(X)),
              np.full(len(X), 0.25)):
        ours = streamml.DBSCAN(eps=0.4, min_samples=6, metric=metric).fit(X, sample_weight=w)
        ref = SkDBSCAN(eps=0.4, min_samples=6, metric=metric).fit(X, sample_weight=w)
        np.testing.assert_array_equal(ours.core_sample_indices_, ref.core_sample_indices_)
        np.testing.assert_array_equal(ours.labels_ == -1, ref.labels_ == -1)
        # The same partition of the core points (cluster numbers may be permuted).
        core = ref.core_sample_indices_
        pairs = {(a, b) for a, b in zip(ours.labels_[core], ref.labels_[core])}
        assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})
    # A weight of 2 is two points at that place (sklearn's documented meaning).
    twice = np.vstack([X, X[:30]])
    w = np.ones(len(X))
    w[:30] = 2
    weighted = streamml.DBSCAN(eps=0.4, min_samples=6).fit(X, sample_weight=w)
    doubled = streamml.DBSCAN(eps=0.4, min_samples=6).fit(twice)
    np.testing.assert_array_equal(weighted.labels_, doubled.labels_[:len(X)])
    with pytest.raises(ValueError, match="sample_weight must be 1-D with one weight per row"):
        streamml.DBSCAN().fit(X, sample_weight=np.ones(3))
    bad = np.ones(len(X))
    bad[7] = np.nan
    with pytest.raises(ValueError, match="sample_weight row 7"):
        streamml.DBSCAN().fit(X, sample_weight=bad)
