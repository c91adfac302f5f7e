"""streamml.StreamingKMeans against PySpark's StreamingKMeansTest and Spark's StreamingKMeansSuite
(same set-ups and assertions), hand-computed updates, and scikit-learn (MiniBatchKMeans's
update, kmeans_plusplus, KMeans's inertia), computed live in this process."""
import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans, MiniBatchKMeans, kmeans_plusplus

import streamml


def spark_data(batches, points, k, d, r, seed, centers=None):
    """PySpark's streamingKMeansDataGenerator: centres ~ N(0, 1), point j of a batch is
    centre (j % k) + r N(0, 1), drawn with numpy.random.RandomState(seed)."""
    rng = np.random.RandomState(seed)
    centers = [rng.randn(d) for _ in range(k)] if centers is None else centers
    data = [np.array([centers[j % k] + r * rng.randn(d) for j in range(points)])
            for _ in range(batches)]
    return centers, data


def blobs(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    true = np.array([[0, 0], [4, 0], [0, 4], [4, 4], [2, 8], [8, 2]], dtype=float)
    return true[np.arange(n) % 6] + rng.randn(n, 2) * 0.9


# ---- PySpark / Spark ------------------------------------------------------------------------

def test_pyspark_single_center_is_the_grand_mean():
    # Oracle: PySpark test_accuracy_for_single_center (5 batches of 5 points, k = 1, d = 5,
    # r = 0.1, seed 0; weights [25.0]; centre within 0.1 of the true one) and Spark's
    # StreamingKMeansSuite (centre equals the grand mean to 1e-5).
    centers, batches = spark_data(5, 5, 1, 5, 0.1, 0)
    km = streamml.StreamingKMeans(k=1).set_initial_centers([[0.0] * 5], [0.0])
    for b in batches:
        km.partial_fit(b)
    assert km.cluster_weights_.tolist() == [25.0]
    np.testing.assert_allclose(km.cluster_centers_[0], np.vstack(batches).mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(km.cluster_centers_[0], centers[0], atol=0.1)


def test_spark_half_life_two_centers():
    # Oracle: Spark "accuracy for two centers": setHalfLife(2, "batches"), the suite's initial
    # centres with weights 5, 5, 10 batches of 5 points; each centre within 0.1 of its closest
    # true centre.
    centers, batches = spark_data(10, 5, 2, 5, 0.1, 42)
    km = streamml.StreamingKMeans(k=2, half_life=2, time_unit="batches").set_initial_centers(
        [[-0.1, 0.1, -0.2, -0.3, -0.1], [0.1, -0.2, 0.0, 0.2, 0.1]], [5.0, 5.0])
    for b in batches:
        km.partial_fit(b)
    c = km.cluster_centers_
    if np.sum((c[0] - centers[0]) ** 2) > np.sum((c[0] - centers[1]) ** 2):
        centers = centers[::-1]
    np.testing.assert_allclose(c[0], centers[0], atol=0.1)
    np.testing.assert_allclose(c[1], centers[1], atol=0.1)


def test_spark_dying_cluster_is_split():
    # Oracle: Spark "detecting dying clusters": setHalfLife(0.5, "points"), centres 0 and 1000
    # with weights 1, 1, data ~ N(0, 1): final centres of opposite signs, |c| = 0.8 +- 0.6.
    _, batches = spark_data(10, 5, 1, 1, 1.0, 42, centers=[np.zeros(1)])
    km = streamml.StreamingKMeans(k=2, half_life=0.5, time_unit="points")
    km.set_initial_centers([[0.0], [1000.0]], [1.0, 1.0])
    for b in batches:
        km.partial_fit(b)
    c0, c1 = km.cluster_centers_[:, 0]
    assert c0 * c1 < 0
    assert abs(abs(c0) - 0.8) <= 0.6 and abs(abs(c1) - 0.8) <= 0.6
    assert km.splits_ >= 1


def test_pyspark_decay_zero_and_predictions():
    # Oracle: PySpark test_trainOn_predictOn: decay 0, centres [0], [1] weights 1, 1, batch
    # [-0.5, 0.6, 0.8] -> centres [-0.5, 0.7]; [0.2, -0.1, 0.3] -> [1, 0, 1].
    km = streamml.StreamingKMeans(k=2, decay_factor=0.0).set_initial_centers([[0.0], [1.0]], [1.0, 1.0])
    km.partial_fit(np.array([[-0.5], [0.6], [0.8]]))
    np.testing.assert_allclose(km.cluster_centers_[:, 0], [-0.5, 0.7], atol=1e-15)
    assert km.predict(np.array([[0.2], [-0.1], [0.3]])).tolist() == [1, 0, 1]


def test_pyspark_four_centers_come_back():
    # Oracle: PySpark test_trainOn_model: centres back at (+-1, +-1), weights [5, 5, 5, 5].
    init = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    km = streamml.StreamingKMeans(k=4).set_initial_centers(init, [1.0, 1.0, 1.0, 1.0])
    for offset in ([0, 0.1], [0, -0.1], [0.1, 0], [-0.1, 0]):
        km.partial_fit(init + np.array(offset))
    np.testing.assert_allclose(km.cluster_centers_, init, atol=1e-12)
    assert km.cluster_weights_.tolist() == [5.0, 5.0, 5.0, 5.0]
    # PySpark test_predictOn_model
    assert km.predict([[1.5, 1.5], [-1.5, 1.5], [-1.5, -1.5], [1.5, -1.5]]).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("unit, center, weight", [("batches", 2.4, 2.5), ("points", 8 / 3, 2.25)])
def test_hand_computed_decay_half(unit, center, weight):
    # Oracle (by hand): centre 0, weight 1, decay 0.5, batch {2, 4}:
    #   batches: w = 0.5 + 2 = 2.5,  lam = 0.8, c = 0.4 * 6 = 2.4
    #   points:  w = 0.25 + 2 = 2.25, lam = 8/9, c = 4/9 * 6 = 2.666667
    km = streamml.StreamingKMeans(k=1, decay_factor=0.5, time_unit=unit)
    km.set_initial_centers([[0.0]], [1.0]).partial_fit(np.array([[2.0], [4.0]]))
    assert km.cluster_centers_[0, 0] == pytest.approx(center, abs=1e-15)
    assert km.cluster_weights_[0] == pytest.approx(weight, abs=1e-15)


def test_half_life_sets_sparks_decay_factor():
    # Oracle: Spark setHalfLife: decay = exp(ln 0.5 / h); one empty batch discounts weights.
    km = streamml.StreamingKMeans(k=1, half_life=3).set_initial_centers([[0.0]], [8.0])
    km.partial_fit(np.empty((0, 1)))
    assert km.cluster_weights_[0] == pytest.approx(8.0 * math.exp(math.log(0.5) / 3), rel=1e-15)


# ---- scikit-learn ---------------------------------------------------------------------------

def test_same_init_matches_hand_computed_mean_update_and_minibatch_kmeans():
    # Oracle 1 (by hand): with decay 1 and initial weights w, one batch moves every centre to
    # (w c + sum of its points) / (w + m), the points going to their nearest initial centre.
    # Oracle 2: scikit-learn's MiniBatchKMeans.partial_fit with the same init (weights 0,
    # reassignment_ratio=0) does the same count-weighted mean update, batch after batch.
    X = blobs()
    init = np.array([[0.5, 0.5], [3.5, 0.5], [0.5, 3.5], [3.5, 3.5], [2, 7], [7, 2]])
    w = np.array([3.0, 1.0, 0.0, 2.0, 5.0, 1.0])
    km = streamml.StreamingKMeans(k=6).set_initial_centers(init, w)
    batch = X[:500]
    km.partial_fit(batch)
    labels = ((batch[:, None, :] - init[None]) ** 2).sum(-1).argmin(1)
    m = np.bincount(labels, minlength=6)
    sums = np.array([batch[labels == j].sum(0) for j in range(6)])
    expected = (w[:, None] * init + sums) / (w + m)[:, None]
    np.testing.assert_allclose(km.cluster_centers_, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(km.cluster_weights_, w + m)

    ours = streamml.StreamingKMeans(k=6).set_initial_centers(init)
    mbk = MiniBatchKMeans(n_clusters=6, init=init, n_init=1, batch_size=500, reassignment_ratio=0.0)
    for s in range(0, 3000, 500):
        ours.partial_fit(X[s:s + 500])
        mbk.partial_fit(X[s:s + 500])
    np.testing.assert_allclose(ours.cluster_centers_, mbk.cluster_centers_, rtol=0, atol=1e-12)
    assert ours.splits_ == 0


def test_kmeans_plusplus_picks_scikit_learns_points():
    # Oracle: sklearn.cluster.kmeans_plusplus(X, k, random_state=seed)[1] (same NumPy legacy
    # random numbers, same greedy trials).
    X = blobs()
    for k, seed in [(6, 0), (6, 7), (10, 123), (1, 5)]:
        _, idx = kmeans_plusplus(X, n_clusters=k, random_state=seed)
        assert streamml.clustering.kmeans_plusplus(X, k, seed).tolist() == idx.tolist()


def test_kmeans_plusplus_cost_within_two_percent_of_kmeans():
    # Oracle: scikit-learn KMeans(n_clusters=6, n_init=10, random_state=0).inertia_ on X; the
    # stream (k-means++ on the first of 10 batches of 300, decay 1) ends within 2 % of it.
    X = blobs()
    inertia = KMeans(n_clusters=6, n_init=10, random_state=0).fit(X).inertia_
    km = streamml.StreamingKMeans(k=6, seed=3)
    for s in range(0, 3000, 300):
        km.partial_fit(X[s:s + 300])
    assert km.cost(X) <= 1.02 * inertia
    assert km.score(X) == -km.cost(X)
    # cost with sklearn's centres is sklearn's inertia (Spark's computeCost)
    ref = KMeans(n_clusters=6, n_init=10, random_state=0).fit(X)
    given = streamml.StreamingKMeans(k=6).set_initial_centers(ref.cluster_centers_)
    assert given.cost(X) == pytest.approx(ref.inertia_, rel=1e-12)
    np.testing.assert_allclose(given.transform(X[:20]), ref.transform(X[:20]), rtol=1e-12)
    np.testing.assert_array_equal(given.predict(X), ref.predict(X))


def test_random_centers_are_numpys_standard_normal():
    # Oracle: numpy.random.RandomState(seed).standard_normal((k, d)) (Spark's setRandomCenters
    # distribution, NumPy's draws), weights 0.
    km = streamml.StreamingKMeans(k=3, init="random", n_features=4, seed=11)
    np.testing.assert_allclose(km.cluster_centers_, np.random.RandomState(11).standard_normal((3, 4)),
                               rtol=1e-15, atol=0)
    assert km.cluster_weights_.tolist() == [0.0, 0.0, 0.0]


def test_fit_starts_over_and_batches_are_accepted():
    X = blobs(600)
    km = streamml.StreamingKMeans(k=6, seed=1)
    for batch in streamml.from_arrays(X, batch_size=200):
        km.partial_fit(batch)
    other = streamml.StreamingKMeans(k=6, seed=1)
    for s in range(0, 600, 200):
        other.partial_fit(X[s:s + 200])
    np.testing.assert_array_equal(km.cluster_centers_, other.cluster_centers_)  # same stream, same bits
    assert km.batches_seen_ == 3 and km.points_seen_ == 600
    labels = km.fit_predict(X)
    assert km.batches_seen_ == 1
    assert labels.shape == (600,) and set(labels.tolist()) <= set(range(6))
    assert km.transform(X).shape == (600, 6)
    assert km.n_features_in_ == 2


# ---- scikit-learn conventions and errors ----------------------------------------------------

def test_clone_and_params():
    km = streamml.StreamingKMeans(k=5, half_life=4.0, time_unit="points", seed=3)
    params = km.get_params()
    assert params == {"k": 5, "decay_factor": 1.0, "time_unit": "points", "half_life": 4.0,
                      "init": "k-means++", "initial_weights": None, "n_features": None, "seed": 3}
    km.partial_fit(blobs(300))
    twin = clone(km)
    assert twin.get_params() == params
    assert not twin.__sklearn_is_fitted__()
    with pytest.raises(AttributeError, match="no centres yet"):
        twin.cluster_centers_
    centers = km.cluster_centers_.copy()
    km.set_params(half_life=None, decay_factor=0.5)  # keeps the learned centres
    np.testing.assert_array_equal(km.cluster_centers_, centers)
    assert km.decay_factor == 0.5
    assert repr(km) == "StreamingKMeans(k=5, decay_factor=0.5, time_unit='points', seed=3)"


def test_bad_keywords_and_values():
    with pytest.raises(TypeError):
        streamml.StreamingKMeans(n_clusters=3)
    with pytest.raises(ValueError, match="Invalid parameter 'decay'"):
        streamml.StreamingKMeans().set_params(decay=0.5)
    bad = [({"k": 0}, "kmeans: k must be >= 1, got 0"),
           ({"decay_factor": 2.0}, "decay_factor must be in \\[0, 1\\], got 2"),
           ({"half_life": -1}, "kmeans: half_life must be >= 0, got -1"),
           ({"half_life": 2, "decay_factor": 0.5}, "give decay_factor or half_life, not both"),
           ({"time_unit": "seconds"}, "kmeans: time_unit must be one of 'batches', 'points', got 'seconds'"),
           ({"init": "kmeans||"}, "kmeans: init must be one of 'k-means\\+\\+', 'random'"),
           ({"seed": -1}, "kmeans: seed must be in \\[0, 4294967295\\], got -1"),
           ({"k": 2, "initial_weights": [1.0]}, "initial_weights has 1 entries, expected k = 2")]
    for params, message in bad:
        with pytest.raises(ValueError, match=message):
            streamml.StreamingKMeans(**params).partial_fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="initial_centers has 3 rows, k is 2"):
        streamml.StreamingKMeans(k=2).set_params(init=np.zeros((3, 2)))
    assert streamml.StreamingKMeans(k=2).set_initial_centers(np.zeros((3, 2))).k == 3  # k follows


def test_bad_input_is_named():
    km = streamml.StreamingKMeans(k=2).set_initial_centers([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="features has 3 columns, model expects 2"):
        km.partial_fit(np.zeros((4, 3)))
    X = np.zeros((4, 2))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="features row 2 column 1 is nan"):
        km.partial_fit(X)
    with pytest.raises(ValueError, match="X must be 2-D"):
        km.predict(np.zeros(3))
    with pytest.raises(ValueError, match="among the first batch's points, which has 2"):
        streamml.StreamingKMeans(k=3).partial_fit(np.zeros((2, 2)))
    assert km.batches_seen_ == 0
