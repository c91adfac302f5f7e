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

from ._estimator import Checkpointed
from ._streamml import Batch, _kmeans_plusplus, _StreamingKMeans

__all__ = ["StreamingKMeans", "kmeans_plusplus"]


def _features(X):
    """X as a float64 C-contiguous (n, d) array (a streamml.Batch gives its features)."""
    if isinstance(X, Batch):
        X = X.features
    return np.ascontiguousarray(X, dtype=np.float64)


def kmeans_plusplus(X, n_clusters, seed=0):
    """Row indices of X picked by scikit-learn 1.2's greedy k-means++ (2 + ln k local trials).

    The random numbers are NumPy's legacy ``RandomState(seed)`` ones, so the result equals
    ``sklearn.cluster.kmeans_plusplus(X, n_clusters, random_state=seed)[1]`` (up to rounding
    ties). This is the seeding ``StreamingKMeans(init="k-means++")`` applies to its first batch.
    """
    return _kmeans_plusplus(_features(X), int(n_clusters), int(seed))


class StreamingKMeans(Checkpointed):
    """k-means on a stream: Spark MLlib's StreamingKMeans update, one call per micro-batch.

    Each ``partial_fit(X)`` is Spark's ``StreamingKMeansModel.update``: points go to their
    nearest centre; every cluster's weight is discounted by ``decay_factor`` (per batch) or
    ``decay_factor ** len(X)`` (``time_unit="points"``); a cluster that got m points moves to
    ``(1 - lam) c + lam * mean`` with ``lam = m / (w * discount + m)``; and a cluster whose
    weight falls below 1e-8 of the largest is replaced by a split of the largest one.

    Parameters (all keyword-only; a misspelled keyword raises TypeError)
    ----------
    k : int
        Number of clusters.
    decay_factor : float in [0, 1]
        1: every batch counts the same (the centres are running means); 0: only the last batch.
    time_unit : {"batches", "points"}
    half_life : float > 0, optional
        Sets ``decay_factor = exp(ln 0.5 / half_life)``: data ``half_life`` units old weigh
        half (Spark's ``setHalfLife``). Leave ``decay_factor`` at 1 when giving it.
    init : "k-means++", "random" or array of shape (k, n_features)
        "k-means++": scikit-learn's greedy k-means++ on the first batch (which needs at least
        k rows). "random": Spark's ``setRandomCenters``, k centres ~ N(0, 1), drawn as
        ``numpy.random.RandomState(seed).standard_normal((k, n_features))``. An array: those
        centres (Spark's ``setInitialCenters``).
    initial_weights : array-like of shape (k,), optional
        Weights of the initial centres (default 0: the first points replace them).
    n_features : int, optional
        Dimension for ``init="random"`` before any data (default: the first batch's).
    seed : int in [0, 2**32 - 1]
        Seed of k-means++ and of the random centres.

    The constructor only stores its arguments (``sklearn.base.clone`` works); settings are
    validated by the C++ learner when it is built, at the first ``partial_fit``, ``fit``,
    prediction, or at ``set_params``: bad values raise ValueError.

    Input: ``X`` is a NumPy array (n, d) (float64 C-contiguous arrays reach C++ without a
    copy) or a ``streamml.Batch``. A wrong number of features or NaN/Inf raises ValueError
    naming the row and column. The GIL is released while C++ computes.

    Attributes (once centres exist)
    ----------
    cluster_centers_ : ndarray (k, n_features)
    cluster_weights_ : ndarray (k,)
    n_features_in_ : int
    batches_seen_, points_seen_, splits_ : int
    last_batch_cost_ : float
        Sum of squared distances of the last batch to the centres it was assigned to.
    """

    def __init__(self, *, k=2, decay_factor=1.0, time_unit="batches", half_life=None,
                 init="k-means++", initial_weights=None, n_features=None, seed=42):
        self.k = k
        self.decay_factor = decay_factor
        self.time_unit = time_unit
        self.half_life = half_life
        self.init = init
        self.initial_weights = initial_weights
        self.n_features = n_features
        self.seed = seed

    def set_initial_centers(self, centers, weights=None):
        """Starts over from the given centres and weights (Spark's ``setInitialCenters``).

        Sets ``init`` to ``centers``, ``k`` to their number and ``initial_weights`` to
        ``weights`` (default 0 each). Returns self.
        """
        centers = np.array(centers, dtype=np.float64, ndmin=2)
        params = {**self.get_params(), "init": centers, "k": centers.shape[0],
                  "initial_weights": None if weights is None else np.asarray(weights, dtype=np.float64)}
        core = self._build(params)
        self.init, self.k, self.initial_weights = params["init"], params["k"], params["initial_weights"]
        self._core = core
        return self

    # ---- the C++ learner ------------------------------------------------------------------

    @staticmethod
    def _params_from_checkpoint(params):
        # The C++ settings: init "given" with its centres as a flat row-major list, half_life
        # 0 and dimension 0 for "none", empty weights for "not given".
        k, dimension = int(params["k"]), int(params["dimension"])
        init = params["init"]
        if init == "given":
            init = np.array(params["initial_centers"], dtype=np.float64).reshape(k, dimension)
        weights = params["initial_weights"]
        return {"k": k, "decay_factor": float(params["decay_factor"]),
                "time_unit": params["time_unit"],
                "half_life": float(params["half_life"]) if params["half_life"] > 0 else None,
                "init": init,
                "initial_weights": np.array(weights, dtype=np.float64) if weights else None,
                "n_features": dimension if dimension > 0 and isinstance(init, str) else None,
                "seed": int(params["seed"])}

    @staticmethod
    def _build(params):
        init = params["init"]
        centers = None
        if not isinstance(init, str):
            centers = np.array(init, dtype=np.float64, ndmin=2)
            init = "given"
        elif init not in ("k-means++", "random"):
            raise ValueError(f"init must be 'k-means++', 'random' or an array of centres, got {init!r}")
        half_life = params["half_life"]
        if half_life is not None and not half_life > 0:
            raise ValueError(f"half_life must be > 0 (or None), got {half_life!r}")
        n_features = params["n_features"]
        for name in ("k", "seed"):
            if isinstance(params[name], bool) or not isinstance(params[name], (int, np.integer)):
                raise ValueError(f"{name} must be an integer, got {params[name]!r}")
        if n_features is not None and (isinstance(n_features, bool)
                                       or not isinstance(n_features, (int, np.integer))
                                       or n_features < 1):
            raise ValueError(f"n_features must be a positive integer (or None), got {n_features!r}")
        weights = params["initial_weights"]
        return _StreamingKMeans(
            k=int(params["k"]), decay_factor=float(params["decay_factor"]),
            half_life=0.0 if half_life is None else float(half_life),
            time_unit=params["time_unit"], init=init, initial_centers=centers,
            initial_weights=None if weights is None else np.asarray(weights, dtype=np.float64),
            dimension=0 if n_features is None else int(n_features), seed=int(params["seed"]))

    def _make_core(self, params, previous):
        # A model that has centres keeps them (and their weights) under new settings, e.g. a
        # new decay_factor mid-stream; ValueError when they cannot fit (another k).
        core = self._build(params)
        if previous is not None and previous.initialized:
            core.set_state(previous)
        return core

    def _fitted(self):
        core = self.__dict__.get("_core")
        return core is not None and core.initialized

    def __sklearn_is_fitted__(self):
        return self._fitted()

    def _learned(self, name):
        core = self._learner()
        if not core.initialized:
            raise AttributeError(f"{type(self).__name__} has no centres yet: {name} exists after the "
                                 f"first partial_fit or fit (init={self.init!r})")
        return core

    # ---- training -------------------------------------------------------------------------

    def partial_fit(self, X, y=None):
        """Learns one batch (one micro-batch of the stream); ``y`` is ignored. Returns self."""
        self._learner().partial_fit(_features(X))
        return self

    def fit(self, X, y=None):
        """Starts over from the settings, then learns X as one batch: ``partial_fit(X)``.

        For a streaming learner "fit" is one Spark update (with k-means++ first, one Lloyd
        step from the k-means++ centres), not k-means to convergence; call ``partial_fit`` on
        the following batches.
        """
        self._core = self._build(self.get_params())
        return self.partial_fit(X)

    def fit_predict(self, X, y=None):
        """``fit(X)`` then ``predict(X)``."""
        return self.fit(X).predict(X)

    # ---- prediction -----------------------------------------------------------------------

    def predict(self, X):
        """Index of the nearest centre per row, int ndarray (n,)."""
        return self._learned("predict").predict(_features(X)).astype(np.intp)

    def transform(self, X):
        """Euclidean distance of every row to every centre, ndarray (n, k)."""
        return self._learned("transform").transform(_features(X))

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def cost(self, X):
        """Sum of squared distances to the nearest centre (Spark's computeCost)."""
        return float(self._learned("cost").cost(_features(X)))

    def score(self, X, y=None):
        """Minus ``cost(X)`` (scikit-learn's KMeans.score)."""
        return -self.cost(X)

    # ---- learned attributes ---------------------------------------------------------------

    @property
    def cluster_centers_(self):
        return np.asarray(self._learned("cluster_centers_").centers)

    @property
    def cluster_weights_(self):
        return np.asarray(self._learned("cluster_weights_").weights)

    @property
    def n_features_in_(self):
        return int(self._learned("n_features_in_").dimension)

    @property
    def batches_seen_(self):
        return int(self._learned("batches_seen_").batches_seen)

    @property
    def points_seen_(self):
        return int(self._learned("points_seen_").points_seen)

    @property
    def splits_(self):
        return int(self._learned("splits_").splits)

    @property
    def last_batch_cost_(self):
        return float(self._learned("last_batch_cost_").last_batch_cost)
