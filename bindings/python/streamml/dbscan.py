"""DBSCAN, exact on a batch and over a sliding window of a stream, scikit-learn style.

Thin Python faces over the C++ code (algorithms/clustering/dbscan.h and windowed_dbscan.h):
the settings are the constructors' keywords, the maths and every check run in C++.

Example::

    import numpy as np
    import streamml
    X = np.random.default_rng(0).normal(size=(1000, 2))
    labels = streamml.DBSCAN(eps=0.2, min_samples=5).fit_predict(X)

    window = streamml.WindowedDBSCAN(eps=0.2, min_samples=5, window_batches=10)
    for batch in np.array_split(X, 10):
        batch_labels = window.partial_fit(batch)   # -1: noise (an anomaly on arrival)
"""


import numpy as np

from . import _input
from ._estimator import Estimator, Learner
from ._streamml import Batch as _Batch, _DBSCAN, _WindowedDBSCAN, _dbscan_settings

__all__ = ["DBSCAN", "WindowedDBSCAN"]


def _micros(time):
    """An event time (epoch seconds or numpy.datetime64) as int microseconds, or None."""
    if time is None:
        return None
    if isinstance(time, np.datetime64):
        return int(time.astype("datetime64[us]").astype(np.int64))
    return int(round(float(time) * 1e6))


class DBSCAN(Estimator, settings=_dbscan_settings(), core=_DBSCAN):
    """Exact DBSCAN with scikit-learn's definition and canonical labels.

    A point is core when at least ``min_samples`` points, itself included, lie within ``eps``
    (distance <= eps). Clusters are the connected core points, numbered 0, 1, ... by their
    smallest core point index; a border point joins the cluster of its lowest-index core
    neighbour; noise is -1. The same data give the same labels whatever the thread count.
    Agrees with ``sklearn.cluster.DBSCAN``: same noise, same core points and partition of
    them (scikit-learn may put a border point touching two clusters in the other one).

    {parameters}

    Attributes (after ``fit``)
    ----------
    labels_ : ndarray (n,) int64
    core_sample_indices_ : ndarray int64, ascending
    neighbor_counts_ : ndarray (n,) int64, the point itself included
    cluster_sizes_ : ndarray (n_clusters,) int64
    n_clusters_, n_noise_ : int
    n_features_in_ : int

    ``fit(X, sample_weight=w)`` weighs points as scikit-learn does: a point is core when the
    weights of its neighbours, its own included, sum to at least min_samples (a weight of 2 is
    two points there; a negative weight keeps a neighbour from being core).

    NaN/Inf in X, eps <= 0, min_samples < 1 and unknown metrics raise ValueError. The GIL is
    released while C++ computes; a float64 C-contiguous X is read in place.
    """

    _estimator_type = "clusterer"  # scikit-learn's word (not a registered learner: no role)

    def __getstate__(self):
        # Exact DBSCAN learns nothing beyond its result arrays (plain attributes, pickled as
        # they are); the compiled object is rebuilt from the settings when next needed.
        state = dict(self.__dict__)
        state.pop("_core", None)
        return state

    def fit(self, X, y=None, sample_weight=None):
        """Clusters X (n, d); ``y`` is ignored. ``sample_weight`` (n,): each point's weight
        toward min_samples (scikit-learn's)."""
        X = _input.dense(X, estimator="DBSCAN")
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(_input.vector(sample_weight, "sample_weight"),
                                                 dtype=np.float64)
        result = self._learner().fit(X, sample_weight)
        self.labels_ = result["labels"]
        self.core_sample_indices_ = result["core_sample_indices"]
        self.neighbor_counts_ = result["neighbor_counts"]
        self.cluster_sizes_ = result["cluster_sizes"]
        self.n_clusters_ = int(result["n_clusters"])
        self.n_noise_ = int(result["n_noise"])
        self.n_features_in_ = int(X.shape[1]) if X.ndim == 2 else 0
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        return self.fit(X, y, sample_weight).labels_


class WindowedDBSCAN(Learner, type="dbscan", core=_WindowedDBSCAN):
    """DBSCAN of the last ``window_batches`` batches (or ``window_seconds`` of event time) of
    a stream, updated incrementally.

    After every ``partial_fit`` the window's labels equal exact DBSCAN recomputed on the
    window's points (in arrival order, canonical rule for border points), while cluster ids
    stay stable: a cluster keeps its id in the new cluster holding its oldest surviving core
    point; on a merge the oldest (smallest) id survives; split-off parts and new clusters get
    fresh, never reused ids. Noise points of the newest batch are its anomalies.

    {parameters}

    ``window_seconds`` > 0: ``partial_fit`` needs each batch's time. Changing a setting
    (``set_params``) starts over.

    Attributes
    ----------
    labels_ : ndarray int64, the newest batch's labels (what ``partial_fit`` returned)
    anomalies_ : ndarray int64, the newest batch's noise rows
    window_labels_ : ndarray int64, every window point's current label, in arrival order
    window_core_sample_indices_ : ndarray int64, positions in the window
    window_features_ : ndarray (window_points, d), a copy of the window's points
    cluster_sizes_ : dict id -> points
    window_points_, window_noise_, batches_seen_ : int
    """

    def partial_fit(self, X, y=None, time=None):
        """Slides the window by the batch X (n, d); returns the batch's labels (-1: anomaly).

        X may be a ``streamml.Batch``, whose event time (interval end when batched by time,
        else its latest record) is then the batch's ``time``. Otherwise ``time`` is the event
        time the batch covers up to, as epoch seconds or numpy.datetime64; it is needed only
        with ``window_seconds``.
        """
        if isinstance(X, _Batch):
            if time is None:
                time = X.interval_end if X.interval_end is not None else (
                    X.event_times.max() if X.event_times is not None and len(X) else None)
            X = X.features
        return self._learner().partial_fit_dense(_input.dense(X, estimator="WindowedDBSCAN", batch=True),
                                                 _micros(time))

    def fit(self, X, y=None):
        """Starts over with X as the only batch; returns self."""
        X = _input.dense(X, estimator="WindowedDBSCAN")
        self._restart()
        self.partial_fit(X)
        return self

    def fit_predict(self, X, y=None):
        return self.fit(X).labels_

    def predict(self, X):
        """Labels of X against the current window, without adding X: the cluster of each
        point's lowest-arrival core neighbour within eps, -1 when it has none."""
        return self._learner().predict(_input.dense(X, estimator="WindowedDBSCAN", batch=True))

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and core.batches_seen > 0

    @property
    def n_features_in_(self):
        return int(self._core_of("n_features_in_").dimension)

    def _core_of(self, name):
        core = self.__dict__.get("_core")
        if core is None or core.batches_seen == 0:
            raise AttributeError(f"{type(self).__name__} has seen no batch yet: {name} exists "
                                 f"after the first partial_fit")
        return core

    labels_ = property(lambda self: self._core_of("labels_").last_labels)
    anomalies_ = property(lambda self: self._core_of("anomalies_").last_anomalies)
    window_labels_ = property(lambda self: self._core_of("window_labels_").window_labels)
    window_core_sample_indices_ = property(
        lambda self: self._core_of("window_core_sample_indices_").window_core_sample_indices)
    window_features_ = property(lambda self: self._core_of("window_features_").window_features)
    cluster_sizes_ = property(lambda self: self._core_of("cluster_sizes_").cluster_sizes)
    window_points_ = property(lambda self: self._core_of("window_points_").window_points)
    window_noise_ = property(lambda self: self._core_of("window_noise_").window_noise)
    batches_seen_ = property(lambda self: self._core_of("batches_seen_").batches_seen)
