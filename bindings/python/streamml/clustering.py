"""Streaming k-means, scikit-learn style.

``StreamingKMeans`` is a thin Python face over the C++ learner
(algorithms/clustering/streaming_kmeans.h): the settings are its constructor's keywords, the
maths and every check run in C++.

Example::

    import numpy as np
    import streamml
    km = streamml.StreamingKMeans(k=3, half_life=5, seed=0)
    for batch in streamml.replay("data/sensors.csv", features=["temperature", "vibration"]):
        km.partial_fit(batch)
    km.cluster_centers_        # (3, 2)
    km.predict(np.array([[20.0, 0.1]]))
"""


import numpy as np

from . import _input
from ._estimator import Learner
from ._streamml import _kmeans_plusplus, _StreamingKMeans

__all__ = ["StreamingKMeans", "kmeans_plusplus"]


def kmeans_plusplus(X, n_clusters, seed=0):
    """Row indices of X picked by scikit-learn 1.2's greedy k-means++ (2 + ln k local trials).

    The random numbers are NumPy's legacy ``RandomState(seed)`` ones, so the result equals
    ``sklearn.cluster.kmeans_plusplus(X, n_clusters, random_state=seed)[1]`` (up to rounding
    ties). This is the seeding ``StreamingKMeans(init="k-means++")`` applies to its first batch.
    """
    return _kmeans_plusplus(_input.dense(X), int(n_clusters), int(seed))


class StreamingKMeans(Learner, type="kmeans", core=_StreamingKMeans):
    """k-means on a stream: Spark MLlib's StreamingKMeans update, one call per micro-batch.

    Each ``partial_fit(X)`` is Spark's ``StreamingKMeansModel.update``: points go to their
    nearest centre; every cluster's weight is discounted by ``decay_factor`` (per batch) or
    ``decay_factor ** len(X)`` (``time_unit="points"``); a cluster that got m points moves to
    ``(1 - lam) c + lam * mean`` with ``lam = m / (w * discount + m)``; and a cluster whose
    weight falls below 1e-8 of the largest is replaced by a split of the largest one.

    {parameters}

    The constructor only stores its arguments (``sklearn.base.clone`` works); settings are
    validated by the C++ learner when it is built, at the first ``partial_fit``, ``fit``,
    prediction, or at ``set_params``: bad values raise ValueError. ``set_params`` keeps the
    learned centres (and weights) when they fit the new settings.

    Input: ``X`` is a NumPy array (n, d) (float64 C-contiguous arrays reach C++ without a
    copy) or a ``streamml.Batch``. A wrong number of features, NaN/Inf, complex or empty input
    raise ValueError naming the problem (sparse input: TypeError). The GIL is released while
    C++ computes.

    Attributes (once centres exist)
    ----------
    cluster_centers_ : ndarray (k, n_features)
    cluster_weights_ : ndarray (k,)
    labels_ : ndarray (n,), after ``fit`` (not ``partial_fit``): the clusters of fit's X
    n_features_in_ : int
    batches_seen_, points_seen_, splits_ : int
    last_batch_cost_ : float
        Sum of squared distances of the last batch to the centres it was assigned to.
    """

    _renamed = {"dimension": "n_features"}
    _hidden = ("initial_centers",)  # given as init=<array>
    _none_default = ("half_life", "n_features")
    _keeps_state = True
    _param_docs = {
        "half_life": "sets decay_factor = exp(ln 0.5 / half_life): data half_life units old weigh "
                     "half (Spark's setHalfLife);\nNone or 0: none. Leave decay_factor at 1 when "
                     "giving it.",
        "init": "\"k-means++\": scikit-learn's greedy k-means++ on the first batch (which needs at "
                "least k rows).\n\"random\": Spark's setRandomCenters, k centres ~ N(0, 1), drawn "
                "as numpy.random.RandomState(seed)\n.standard_normal((k, n_features)). An array of "
                "shape (k, n_features): those centres\n(Spark's setInitialCenters).",
        "n_features": "dimension for init=\"random\" before any data; None: the first batch's",
        "initial_weights": "weights of the initial centres, shape (k,); None: 0 each (the first "
                           "points replace them)",
    }

    def set_initial_centers(self, centers, weights=None):
        """Starts over from the given centres and weights (Spark's ``setInitialCenters``).

        Sets ``init`` to ``centers``, ``k`` to their number and ``initial_weights`` to
        ``weights`` (default 0 each). Returns self.
        """
        centers = np.array(centers, dtype=np.float64, ndmin=2)
        params = {**self.get_params(), "init": centers, "k": centers.shape[0],
                  "initial_weights": None if weights is None else np.asarray(weights, dtype=np.float64)}
        core = self._make_core(params, None)
        self.init, self.k, self.initial_weights = params["init"], params["k"], params["initial_weights"]
        self._core = core
        return self

    # ---- keywords <-> settings -------------------------------------------------------------

    def _to_settings(self, params):
        settings = super()._to_settings(params)
        init = params.get("init")
        if init is not None and not isinstance(init, str):
            settings["init"] = "given"
            settings["initial_centers"] = np.array(init, dtype=np.float64, ndmin=2)
        return settings

    @classmethod
    def _from_settings(cls, settings):
        kwargs = super()._from_settings(settings)
        if settings.get("init") == "given":
            kwargs["init"] = np.array(settings["initial_centers"], dtype=np.float64)
            kwargs["n_features"] = None
        return kwargs

    @classmethod
    def _learned(cls, core):
        return core.initialized

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and core.initialized

    def _centred(self, name):
        core = self._learner()
        if not core.initialized:
            raise AttributeError(f"{type(self).__name__} has no centres yet: {name} exists after the "
                                 f"first partial_fit or fit (init={self.init!r})")
        return core

    # ---- training -------------------------------------------------------------------------

    def partial_fit(self, X, y=None):
        """Learns one batch (one micro-batch of the stream); ``y`` is ignored. Returns self."""
        self._learner().partial_fit_dense(_input.dense(X, estimator="StreamingKMeans", batch=True))
        return self

    def fit(self, X, y=None):
        """Starts over from the settings, then learns X as one batch: ``partial_fit(X)``.

        For a streaming learner "fit" is one Spark update (with k-means++ first, one Lloyd
        step from the k-means++ centres), not k-means to convergence; call ``partial_fit`` on
        the following batches. ``labels_`` are then X's clusters under the updated centres.
        """
        X = _input.dense(X, estimator="StreamingKMeans")
        self._restart()
        self.partial_fit(X)
        self.labels_ = self.predict(X)
        return self

    def fit_predict(self, X, y=None):
        """``fit(X)`` then ``predict(X)``: ``labels_``."""
        return self.fit(X).labels_

    # ---- prediction -----------------------------------------------------------------------

    def predict(self, X):
        """Index of the nearest centre per row, int ndarray (n,)."""
        return self._centred("predict").predict(_input.dense(X, estimator="StreamingKMeans", batch=True)).astype(np.intp)

    def transform(self, X):
        """Euclidean distance of every row to every centre, ndarray (n, k)."""
        return self._centred("transform").transform(_input.dense(X, estimator="StreamingKMeans", batch=True))

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def cost(self, X):
        """Sum of squared distances to the nearest centre (Spark's computeCost)."""
        return float(self._centred("cost").cost(_input.dense(X, estimator="StreamingKMeans", batch=True)))

    def score(self, X, y=None):
        """Minus ``cost(X)`` (scikit-learn's KMeans.score)."""
        return -self.cost(X)

    # ---- learned attributes ---------------------------------------------------------------

    @property
    def cluster_centers_(self):
        return np.asarray(self._centred("cluster_centers_").centers)

    @property
    def cluster_weights_(self):
        return np.asarray(self._centred("cluster_weights_").weights)

    @property
    def n_features_in_(self):
        return int(self._centred("n_features_in_").dimension)

    @property
    def batches_seen_(self):
        return int(self._centred("batches_seen_").batches_seen)

    @property
    def points_seen_(self):
        return int(self._centred("points_seen_").points_seen)

    @property
    def splits_(self):
        return int(self._centred("splits_").splits)

    @property
    def last_batch_cost_(self):
        return float(self._centred("last_batch_cost_").last_batch_cost)
