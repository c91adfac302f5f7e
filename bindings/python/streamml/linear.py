"""Streaming logistic regression and prequential evaluation, scikit-learn style.

``LogisticRegressionSGD`` is a thin Python face over the C++ learner
(algorithms/linear/logistic_regression_sgd.h): the settings are its constructor's keywords, the
maths and every check run in C++. ``PrequentialEvaluator`` is the C++ evaluator itself
(algorithms/evaluation/prequential.h), and ``prequential`` runs test-then-train over a stream.

Example::

    import streamml
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad",
                                           fit_intercept=True)
    batches = streamml.replay("data/clicks.csv", label="clicked", time="event_time",
                              features=["ad_quality", "relevance"], batch_size=1000)
    evaluator = streamml.prequential(model, batches)
    evaluator.cumulative   # {"count": ..., "log_loss": ..., "accuracy": ..., "auc": ...}
    model.coef_            # (1, 2)
"""

import numpy as np

from ._estimator import Checkpointed
from ._streamml import Batch, PrequentialEvaluator, _LogisticRegressionSGD

__all__ = ["LogisticRegressionSGD", "PrequentialEvaluator", "prequential"]


class LogisticRegressionSGD(Checkpointed):
    """Binary logistic regression learned from a stream by stochastic gradient descent.

    Two training modes (the C++ header documents each rule and its reference):

    * ``mode="spark"``: Spark MLlib's ``StreamingLogisticRegressionWithSGD``. Each
      ``partial_fit`` call is one batch: warm start from the current weights, then
      ``num_iterations`` steps of mini-batch gradient descent with step
      ``step_size / sqrt(i)`` (``i`` restarts at 1 every batch), ``mini_batch_fraction``
      sampling, and the L2 / L1 / no-penalty updaters (``reg_param``).
    * ``mode="online"``: one update per example, in order, with ``optimizer`` "sgd"
      (scikit-learn's ``SGDClassifier(loss="log_loss")`` rule: ``learning_rate`` "constant",
      "invscaling" or "optimal", ``penalty`` "l2" / "l1" / "elasticnet", ``average`` for
      ASGD), "adagrad" or "ftrl" (FTRL-Proximal with ``ftrl_*``).

    Parameters (all keyword-only; a misspelled keyword raises TypeError)
    ----------
    mode : {"spark", "online"}
    step_size : float
        Spark's stepSize; online: eta0 of sgd and the step of adagrad.
    num_iterations : int
        Spark mode: gradient-descent iterations per batch.
    mini_batch_fraction : float in (0, 1]
        Spark mode: share of each batch sampled per iteration.
    reg_param : float
        Regularisation strength (Spark's regParam, scikit-learn's alpha).
    penalty : {"l2", "l1", "elasticnet", "none"}
        None is read as "none".
    optimizer : {"sgd", "adagrad", "ftrl"}
        Online mode only.
    learning_rate : {"constant", "invscaling", "optimal"}
        Online sgd only.
    fit_intercept : bool
    initial_weights : array-like of shape (n_features,), optional
        Starting weights (dense columns, then hashed buckets); None: zeros.
    seed : int
        Mini-batch sampling (spark mode).
    initial_intercept, threshold, l1_ratio, convergence_tol, power_t, average,
    adagrad_epsilon, ftrl_alpha, ftrl_beta, ftrl_l1, ftrl_l2, decay_factor, half_life,
    time_unit
        As the C++ ``LogisticRegressionSGDSettings`` (same names, same defaults).
        ``threshold``: ``predict`` gives 1 iff P(y=1) > threshold (strict, as Spark).
        ``decay_factor`` / ``half_life`` / ``time_unit``: forgetting for drifting streams.

    The constructor only stores its arguments (scikit-learn's rule, so ``sklearn.base.clone``
    works); the settings are validated by the C++ learner when it is built, at the first
    ``partial_fit``/``fit``/prediction or at ``set_params``: bad settings raise ValueError.

    Input
    -----
    ``X`` is a NumPy array (n, d) (float64 C-contiguous arrays reach C++ without a copy; any
    other dtype or order is converted once), a ``scipy.sparse`` matrix (its CSR arrays are
    copied into a C++ Batch), or a ``streamml.Batch`` (dense features without a copy; its
    hashed ``sparse`` columns, when present, are copied and follow the dense ones). Labels
    ``y`` are 0/1. Wrong shapes, a wrong number of features, labels other than 0/1 and
    NaN/Inf raise ValueError naming the problem. The GIL is released while C++ trains and
    predicts.

    Attributes (after the first ``partial_fit`` or ``fit``)
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray, ``array([0., 1.])``
    n_features_in_ : int
        Dense columns plus hashed buckets.
    t_ : float
        Online sgd's step counter (scikit-learn's ``t_``: examples seen + 1).
    examples_seen_, batches_seen_ : int

    A streaming learner predicts from its current state at any time: before any data it
    uses ``initial_weights`` (or zeros) and ``initial_intercept``, so P(y=1) = 0.5 by default.
    That is what the first batch of a prequential run is scored with.
    """

    def __init__(self, *, mode="spark", step_size=0.1, num_iterations=50,
                 mini_batch_fraction=1.0, reg_param=0.0, penalty="l2", optimizer="sgd",
                 learning_rate="constant", fit_intercept=False, initial_weights=None, seed=42,
                 initial_intercept=0.0, threshold=0.5, l1_ratio=0.15, convergence_tol=0.001,
                 power_t=0.5, average=0, adagrad_epsilon=1e-8, ftrl_alpha=0.1, ftrl_beta=1.0,
                 ftrl_l1=0.0, ftrl_l2=0.0, decay_factor=1.0, half_life=0.0,
                 time_unit="batches"):
        self.mode = mode
        self.step_size = step_size
        self.num_iterations = num_iterations
        self.mini_batch_fraction = mini_batch_fraction
        self.reg_param = reg_param
        self.penalty = penalty
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.fit_intercept = fit_intercept
        self.initial_weights = initial_weights
        self.seed = seed
        self.initial_intercept = initial_intercept
        self.threshold = threshold
        self.l1_ratio = l1_ratio
        self.convergence_tol = convergence_tol
        self.power_t = power_t
        self.average = average
        self.adagrad_epsilon = adagrad_epsilon
        self.ftrl_alpha = ftrl_alpha
        self.ftrl_beta = ftrl_beta
        self.ftrl_l1 = ftrl_l1
        self.ftrl_l2 = ftrl_l2
        self.decay_factor = decay_factor
        self.half_life = half_life
        self.time_unit = time_unit

    # ---- the C++ learner ------------------------------------------------------------------

    @classmethod
    def _params_from_checkpoint(cls, params):
        # The C++ settings have the constructor's names; no initial weights are saved as [].
        kwargs = cls._same_names(params)
        weights = kwargs["initial_weights"]
        kwargs["initial_weights"] = np.array(weights, dtype=np.float64) if weights else None
        return kwargs

    @staticmethod
    def _settings(params):
        settings = dict(params)
        if settings.get("penalty") is None:
            settings["penalty"] = "none"
        return settings

    def _make_core(self, params, previous):
        # A model that has learned continues from its state under new settings (e.g. a
        # smaller step_size mid-stream); when it cannot (another optimizer keeps other
        # memory), the C++ constructor raises ValueError. fit() starts over.
        settings = self._settings(params)
        if previous is not None and previous.sized:
            return _LogisticRegressionSGD(settings, previous)
        return _LogisticRegressionSGD(settings)

    def _fitted(self):
        core = self.__dict__.get("_core")
        return core is not None and core.sized

    def __sklearn_is_fitted__(self):
        return self._fitted()

    def _learned(self, name):
        if not self._fitted():
            raise AttributeError(f"{type(self).__name__} has learned nothing yet: {name} exists "
                                 f"after the first partial_fit or fit")
        return self._core

    # ---- input conversion -----------------------------------------------------------------

    @staticmethod
    def _csr(X):
        X = X.tocsr()
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
        limit = np.iinfo(np.int32).max
        if X.shape[1] > limit or X.nnz > limit:
            raise ValueError(f"sparse X of shape {X.shape} with {X.nnz} stored values does not "
                             f"fit 32-bit indices")
        return (X.indptr, X.indices, X.data, int(X.shape[1]))

    def _call(self, method, X):
        """Runs a C++ method on X: the dense one when X is dense, the Batch one otherwise."""
        core = self._learner()
        if isinstance(X, Batch):
            if X.sparse is None:
                return getattr(core, method)(X.features)
            return getattr(core, method + "_batch")(X.features, self._csr(X.sparse))
        if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse
            return getattr(core, method + "_batch")(None, self._csr(X))
        return getattr(core, method)(np.ascontiguousarray(X, dtype=np.float64))

    # ---- training -------------------------------------------------------------------------

    def partial_fit(self, X, y=None, classes=None):
        """Learns one batch (one micro-batch of the stream), continuing from the current state.

        Parameters
        ----------
        X : ndarray (n, d), scipy.sparse matrix, or streamml.Batch
        y : array-like (n,) of 0/1; default for a Batch: its ``labels``
        classes : array-like, optional
            Accepted for scikit-learn compatibility; must be the classes {0, 1}.

        Returns
        -------
        self
        """
        if classes is not None:
            got = np.unique(np.asarray(classes, dtype=np.float64))
            if got.shape != (2,) or not np.array_equal(got, [0.0, 1.0]):
                raise ValueError(f"classes must be [0, 1] (binary logistic regression), "
                                 f"got {np.asarray(classes).tolist()!r}")
        if y is None:
            if isinstance(X, Batch) and X.labels is not None:
                y = X.labels
            else:
                raise ValueError("partial_fit needs labels y (or a streamml.Batch with labels)")
        y = np.ascontiguousarray(y, dtype=np.float64)
        core = self._learner()
        if isinstance(X, Batch):
            if X.sparse is None:
                core.partial_fit(X.features, y)
            else:
                core.partial_fit_batch(X.features, self._csr(X.sparse), y)
        elif hasattr(X, "tocsr") and hasattr(X, "nnz"):
            core.partial_fit_batch(None, self._csr(X), y)
        else:
            core.partial_fit(np.ascontiguousarray(X, dtype=np.float64), y)
        return self

    def fit(self, X, y=None):
        """Starts over from the settings, then learns X as one batch: ``partial_fit(X, y)``.

        For a streaming learner "fit" is one batch, not training to convergence: in spark mode
        it is Spark's batch ``LogisticRegressionWithSGD.train`` (``num_iterations`` steps of
        gradient descent over all of X); in online mode, one pass over X in row order
        (scikit-learn's ``SGDClassifier(max_iter=1, shuffle=False)``). Call ``partial_fit``
        again for more passes.
        """
        self._core = _LogisticRegressionSGD(self._settings(self.get_params()))
        return self.partial_fit(X, y)

    # ---- prediction -----------------------------------------------------------------------

    def decision_function(self, X):
        """w . x + b per row, shape (n,)."""
        return self._call("decision_function", X)

    def predict_proba(self, X):
        """Shape (n, 2): [P(y=0), P(y=1)] per row (columns in ``classes_`` order)."""
        p = self._call("predict_proba", X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """0.0 or 1.0 per row: 1 iff P(y=1) > threshold."""
        return self._call("predict", X)

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against y (scikit-learn's ClassifierMixin.score)."""
        return float(np.mean(self.predict(X) == np.asarray(y, dtype=np.float64)))

    # ---- learned attributes ---------------------------------------------------------------

    @property
    def coef_(self):
        return np.asarray(self._learned("coef_").coef).reshape(1, -1)

    @property
    def intercept_(self):
        return np.array([self._learned("intercept_").intercept])

    @property
    def classes_(self):
        self._learned("classes_")
        return np.array([0.0, 1.0])

    @property
    def n_features_in_(self):
        core = self._learned("n_features_in_")
        return int(core.dense_features + core.hashed_features)

    @property
    def t_(self):
        return float(self._learned("t_").t)

    @property
    def examples_seen_(self):
        return int(self._learned("examples_seen_").examples_seen)

    @property
    def batches_seen_(self):
        return int(self._learned("batches_seen_").batches_seen)


def prequential(model, batches, evaluator=None):
    """Test-then-train over a stream; returns the PrequentialEvaluator.

    For every item of ``batches``, a ``streamml.Batch`` (its ``labels`` are the targets) or an
    ``(X, y)`` pair: score X with the model as it stands (``predict_proba(X)[:, 1]``), count
    the scores with ``evaluator.update``, then ``model.partial_fit(X, y)``. Every prediction
    counted was made before the model saw its record.

    Parameters
    ----------
    model : LogisticRegressionSGD (or any object with predict_proba and partial_fit that can
        predict before it has learned)
    batches : iterable of streamml.Batch or (X, y)
        e.g. ``streamml.replay(path, label=...)`` or ``streamml.from_arrays(X, y)``.
    evaluator : PrequentialEvaluator, optional
        Default: ``PrequentialEvaluator(threshold=model.threshold)`` (window 1000).
    """
    if evaluator is None:
        evaluator = PrequentialEvaluator(threshold=getattr(model, "threshold", 0.5))
    for item in batches:
        if isinstance(item, Batch):
            if item.labels is None:
                raise ValueError(f"batch {item.index} has no labels: replay the stream with "
                                 f"label=<column>")
            X, y = item, item.labels
        else:
            X, y = item
        evaluator.update(np.asarray(model.predict_proba(X))[:, 1], y)
        model.partial_fit(X, y)
    return evaluator
