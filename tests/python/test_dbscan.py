"""streamml.DBSCAN and streamml.WindowedDBSCAN against their oracles.

Oracles: scikit-learn 1.2.1's sklearn.cluster.DBSCAN run here on the same arrays (same noise
set, same core points, same partition of them through a label-permutation-invariant
comparison, border points in a cluster of one of their core neighbours); for the window,
streamml.DBSCAN and scikit-learn recomputed from scratch on the window's points after every
batch; sklearn.base.clone for the parameter protocol.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import DBSCAN as SkDBSCAN
from sklearn.datasets import make_blobs, make_moons
from sklearn.neighbors import NearestNeighbors

import streamml


def same_partition(a, b):
    """Whether two labelings split the points the same way (a bijection between labels)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def check_against_sklearn(X, eps, min_samples, metric="euclidean"):
    ours = streamml.DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    ref = SkDBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(X)
    np.testing.assert_array_equal(ours.core_sample_indices_, ref.core_sample_indices_)
    np.testing.assert_array_equal(ours.labels_ == -1, ref.labels_ == -1)
    core = ours.core_sample_indices_
    assert same_partition(ours.labels_[core], ref.labels_[core])
    assert ours.n_clusters_ == ref.labels_.max() + 1
    # Border points: each in the cluster of one of its core neighbours, and in ours the
    # cluster of its lowest-index core neighbour.
    is_core = np.zeros(len(X), bool)
    is_core[core] = True
    nbrs = NearestNeighbors(radius=eps, metric=metric).fit(X).radius_neighbors(X, return_distance=False)
    borders = 0
    for i in np.flatnonzero(~is_core & (ours.labels_ >= 0)):
        core_nbrs = np.sort([j for j in nbrs[i] if is_core[j]])
        assert ours.labels_[i] == ours.labels_[core_nbrs[0]]
        assert ref.labels_[i] in set(ref.labels_[core_nbrs].tolist())
        borders += 1
    return ours, borders


@pytest.mark.parametrize("name,X,eps,min_samples,clusters", [
    ("blobs2d", make_blobs(3000, 2, centers=6, cluster_std=0.4, random_state=0)[0], 0.2, 8, 6),
    ("moons2d", make_moons(3000, noise=0.06, random_state=1)[0], 0.08, 6, 2),
    ("uniform2d", np.random.default_rng(2).uniform(size=(3000, 2)), 0.03, 10, 10),
    ("blobs10d", make_blobs(3000, 10, centers=6, cluster_std=0.3, random_state=3)[0], 1.0, 10, 6),
    ("uniform10d", np.random.default_rng(4).uniform(size=(3000, 10)), 0.5, 5, 10),
])
def test_dbscan_matches_sklearn(name, X, eps, min_samples, clusters):
    ours, borders = check_against_sklearn(X, eps, min_samples)
    assert ours.n_clusters_ >= clusters, name
    assert borders > 0, name
    assert ours.labels_.dtype == np.int64
    assert ours.cluster_sizes_.sum() + ours.n_noise_ == len(X)


@pytest.mark.parametrize("metric", ["manhattan", "chebyshev"])
def test_dbscan_other_metrics_match_sklearn(metric):
    X = make_blobs(2000, 3, centers=4, cluster_std=0.3, random_state=5)[0]
    ours, _ = check_against_sklearn(X, 0.4, 8, metric)
    assert ours.n_clusters_ >= 4


def test_fit_predict_and_canonical_labels_by_hand():
    # Hand-worked (tests/cpp/test_dbscan.cpp has the derivation): core points 2, 3, 5.
    X = np.array([[5.0], [0.0], [5.1], [0.1], [5.2], [0.2], [9.0], [0.3]])
    model = streamml.DBSCAN(eps=0.15, min_samples=3)
    np.testing.assert_array_equal(model.fit_predict(X), [0, 1, 0, 1, 0, 1, -1, 1])
    np.testing.assert_array_equal(model.core_sample_indices_, [2, 3, 5])
    np.testing.assert_array_equal(model.neighbor_counts_, [2, 2, 3, 3, 2, 3, 1, 2])


def test_windowed_equals_exact_on_the_window_after_every_batch():
    rng = np.random.default_rng(7)
    window = streamml.WindowedDBSCAN(eps=0.3, min_samples=6, window_batches=5)
    history = []
    for b in range(30):
        centres = np.array([[3 * np.cos(0.1 * b + k), 3 * np.sin(0.1 * b + k)] for k in range(3)])
        X = centres[rng.integers(0, 3, 120)] + 0.3 * rng.normal(size=(120, 2))
        X[:10] = rng.uniform(-5, 5, size=(10, 2))
        labels = window.partial_fit(X)
        np.testing.assert_array_equal(labels, window.labels_)
        np.testing.assert_array_equal(window.anomalies_, np.flatnonzero(labels == -1))
        np.testing.assert_array_equal(window.predict(X), labels)
        W = window.window_features_
        assert W.shape == (window.window_points_, 2)
        np.testing.assert_array_equal(W[-120:], X)
        exact = streamml.DBSCAN(eps=0.3, min_samples=6).fit(W)
        ref = SkDBSCAN(eps=0.3, min_samples=6).fit(W)
        np.testing.assert_array_equal(window.window_core_sample_indices_, ref.core_sample_indices_)
        wl = window.window_labels_
        np.testing.assert_array_equal(wl == -1, ref.labels_ == -1)
        core = ref.core_sample_indices_
        assert same_partition(wl[core], ref.labels_[core])
        # Border points follow the canonical rule, so the whole labeling matches exact DBSCAN's.
        assert same_partition(wl[wl >= 0], exact.labels_[exact.labels_ >= 0])
        history.append(window.cluster_sizes_)
    assert window.batches_seen_ == 30
    assert max(len(h) for h in history) >= 3


def test_windowed_ids_survive_batches():
    window = streamml.WindowedDBSCAN(eps=1.0, min_samples=2, window_batches=3)
    np.testing.assert_array_equal(window.partial_fit([[0.0], [0.8], [10.0], [10.8]]), [0, 0, 1, 1])
    np.testing.assert_array_equal(window.partial_fit([[1.6], [9.2]]), [0, 1])
    np.testing.assert_array_equal(window.partial_fit([[5.0]]), [-1])
    np.testing.assert_array_equal(window.anomalies_, [0])
    assert window.cluster_sizes_ == {0: 3, 1: 3}


def test_params_clone_and_errors():
    model = streamml.DBSCAN(eps=0.3, min_samples=4, metric="manhattan")
    assert model.get_params() == {"algorithm": "auto", "eps": 0.3, "metric": "manhattan", "min_samples": 4}
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert repr(model) == "DBSCAN(eps=0.3, min_samples=4, metric='manhattan')"
    model.set_params(eps=0.5)
    assert model.eps == 0.5
    with pytest.raises(ValueError, match="Invalid parameter 'epsilon'"):
        model.set_params(epsilon=1)
    with pytest.raises(ValueError, match="dbscan: eps must be > 0, got -1"):
        model.set_params(eps=-1)
    assert model.eps == 0.5  # unchanged by the rejected call
    with pytest.raises(TypeError):
        streamml.DBSCAN(epsilon=0.3)
    with pytest.raises(ValueError, match="min_samples must be >= 1"):
        streamml.DBSCAN(min_samples=0).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="dbscan: metric must be one of 'euclidean', 'manhattan', 'chebyshev'.*got 'cosine'"):
        streamml.DBSCAN(metric="cosine").fit(np.zeros((3, 2)))
    X = np.zeros((5, 2))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="features row 2 column 1 is nan"):
        streamml.DBSCAN().fit(X)

    window = streamml.WindowedDBSCAN(eps=0.5, min_samples=3, window_batches=4)
    assert clone(window).get_params() == {"algorithm": "auto", "eps": 0.5, "metric": "euclidean",
                                          "min_samples": 3, "window_batches": 4,
                                          "window_seconds": 0.0}
    with pytest.raises(AttributeError, match="has seen no batch yet"):
        window.labels_
    window.partial_fit(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="features has 3 columns, the window's points have 2"):
        window.partial_fit(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="window_batches must be >= 1, got 0"):
        window.set_params(window_batches=0)


def test_event_time_window_matches_exact_dbscan_on_the_batches_within_t():
    """window_seconds: the window is the batches ending less than T before the newest.

    Oracle: scikit-learn's DBSCAN refit on exactly those batches' points (same noise set and
    core partition), with the window's membership worked out by hand from the batch times.
    """
    from sklearn.cluster import DBSCAN as SkDBSCAN

    rng = np.random.default_rng(11)
    window = streamml.WindowedDBSCAN(eps=0.5, min_samples=4, window_seconds=25)
    batches, ends = [], []
    t = np.datetime64("2026-01-01T00:00:00", "us")
    for b in range(12):
        t = t + np.timedelta64(20 if b == 6 else 7, "s")
        X = np.vstack([rng.normal(c, 0.2, size=(30, 2)) for c in ((0, 0), (3, 3))])
        window.partial_fit(X, time=t)
        batches.append(X)
        ends.append(t)
        kept = [x for x, e in zip(batches, ends) if (t - e) < np.timedelta64(25, "s")]
        assert window.window_points_ == sum(len(x) for x in kept)
        sk = SkDBSCAN(eps=0.5, min_samples=4).fit(np.vstack(kept))
        ours = window.window_labels_
        np.testing.assert_array_equal(ours < 0, sk.labels_ < 0)
    # By hand: 7 s apart, 4 batches lie within 25 s (0, 7, 14, 21 s back); after the 20 s gap, 2.
    assert len(kept) == 4


def test_event_time_window_needs_times():
    window = streamml.WindowedDBSCAN(window_seconds=10)
    with pytest.raises(ValueError, match="window_seconds needs the event time"):
        window.partial_fit(np.zeros((3, 2)))
