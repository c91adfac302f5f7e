"""Streaming logistic regression and prequential evaluation, scikit-learn style.

``LogisticRegressionSGD`` is a thin Python face over the C++ learner
(algorithms/linear/logistic_regression_sgd.h): its keywords, defaults and their docs are the
C++ settings table's, the maths and every check run in C++. ``PrequentialEvaluator`` is the
C++ evaluator (algorithms/evaluation/prequential.h), and ``prequential`` runs test-then-train
over a stream.

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

from . import _input
from ._estimator import Evaluator, Learner
from ._streamml import Batch, _LogisticRegressionSGD, _PrequentialEvaluator

__all__ = ["LogisticRegressionSGD", "PrequentialEvaluator", "prequential"]

_BINARY = np.array([0.0, 1.0])


def _binary(classes):
    """Whether classes are (or default to) the 0/1 labels C++ learns."""
    return classes is None or (classes.dtype.kind in "fiub" and np.array_equal(classes, _BINARY))


class LogisticRegressionSGD(Learner, type="logreg", core=_LogisticRegressionSGD):
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

    {parameters}

    The constructor only stores its arguments (scikit-learn's rule, so ``sklearn.base.clone``
    works); the settings are validated by the C++ learner when it is built, at the first
    ``partial_fit``/``fit``/prediction or at ``set_params``: bad settings raise ValueError.
    ``set_params`` on a model that has learned continues from its state under the new
    settings (scikit-learn's SGDClassifier does the same).

    Input
    -----
    ``X`` is a NumPy array (n, d) (float64 C-contiguous arrays reach C++ without a copy; any
    other dtype or order is converted once), a ``scipy.sparse`` matrix (its CSR arrays are
    copied into a C++ Batch), or a ``streamml.Batch`` (its hashed ``sparse`` columns, when
    present, follow the dense ones). Labels ``y`` are any two class labels, as scikit-learn's
    ``SGDClassifier`` takes them: ``classes_`` is their sorted pair, the second the positive
    class; 0/1 labels go to C++ as they are. More than two classes, complex or empty input,
    wrong shapes, a wrong number of features and NaN/Inf raise ValueError naming the problem.
    The GIL is released while C++ trains and predicts.

    Attributes (after the first ``partial_fit`` or ``fit``)
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
        ``array([0., 1.])`` for 0/1 labels (also after a pipeline or a checkpoint of one).
    n_features_in_ : int
        Dense columns plus hashed buckets.
    t_ : float
        Online sgd's step counter (scikit-learn's ``t_``: examples seen + 1).
    examples_seen_, batches_seen_ : int
    summary_ : dict
        The learner's figures as a pipeline's summary shows them.

    A streaming learner predicts from its current state at any time: before any data it
    uses ``initial_weights`` (or zeros) and ``initial_intercept``, so P(y=1) = 0.5 by default.
    That is what the first batch of a prequential run is scored with.
    """

    _keeps_state = True
    _param_docs = {"penalty": "regulariser; None is read as 'none'",
                   "initial_weights": "starting weights (dense columns, then hashed buckets); None: zeros"}

    def _to_settings(self, params):
        settings = super()._to_settings(params)
        if "penalty" in params and params["penalty"] is None:
            settings["penalty"] = "none"
        return settings

    @classmethod
    def _learned(cls, core):
        return core.sized

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and core.sized

    def _fitted_core(self, name):
        if not self.__sklearn_is_fitted__():
            raise AttributeError(f"{type(self).__name__} has learned nothing yet: {name} exists "
                                 f"after the first partial_fit or fit")
        return self._core

    _sklearn_tags = {"binary_only": True}

    # ---- class labels ---------------------------------------------------------------------

    def _python_state(self):
        classes = self.__dict__.get("_classes")
        if _binary(classes):
            return {}
        return {"classes": classes.tolist()}

    def _set_python_state(self, state):
        if "classes" in state:
            self._classes = np.asarray(state["classes"])

    @staticmethod
    def _first_classes(y):
        """The classes a first batch's labels give: 0/1 for 0/1 labels (also when one of them is
        missing: a stream's first batch may hold one class), else their two values."""
        if y.dtype.kind in "fiub":
            numeric = y.astype(np.float64)
            if not np.isfinite(numeric).all() or np.isin(numeric, _BINARY).all():
                return _BINARY  # C++ names a row that is NaN or Inf
            if y.dtype.kind == "f" and not np.array_equal(numeric, np.round(numeric)):
                raise ValueError("Unknown label type: 'continuous' y; binary logistic regression "
                                 "takes two class labels")
        elif y.dtype.kind == "O" and not all(isinstance(v, str) for v in y.ravel()):
            raise ValueError("Unknown label type: y of mixed objects; binary logistic regression "
                             "takes two class labels (numbers or strings)")
        classes = np.unique(y)
        if classes.shape[0] > 2:
            raise ValueError(f"y has {classes.shape[0]} classes {classes.tolist()[:10]!r}; "
                             f"LogisticRegressionSGD is binary: give two class labels")
        if classes.shape[0] < 2:
            raise ValueError(f"y has one class {classes.tolist()!r} in the first batch: give "
                             f"classes=[negative, positive] to partial_fit")
        return classes

    def _labels(self, y, classes):
        """y as the 0/1 labels C++ learns, fixing classes_ on the first batch."""
        known = self.__dict__.get("_classes")
        if known is _BINARY and classes is None and type(y) is np.ndarray and y.dtype == np.float64:
            return y  # the common case: 0/1 labels, checked by C++
        y = _input.column(y)
        if classes is not None:
            classes = np.unique(_input.vector(classes))
            if classes.shape != (2,):
                raise ValueError(f"classes must be two labels (binary logistic regression), got "
                                 f"{classes.tolist()!r}")
            if known is not None and not np.array_equal(classes, known):
                raise ValueError(f"classes must be {known.tolist()!r} (the classes of the first "
                                 f"partial_fit), got {classes.tolist()!r}")
            known = classes
        if known is None:
            known = self._first_classes(y)
        if _binary(known) and y.dtype.kind in "fiub":
            self._classes = _BINARY
            return np.ascontiguousarray(y, dtype=np.float64)  # C++ checks 0/1, naming the row
        positive = y == known[1]
        outside = ~(positive | (y == known[0]))
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise ValueError(f"label of row {row} is {y[row]!r}; the classes are {known.tolist()!r}")
        self._classes = known
        return positive.astype(np.float64)

    @property
    def classes_(self):
        self._fitted_core("classes_")
        classes = self.__dict__.get("_classes")
        return _BINARY.copy() if classes is None else classes.copy()

    # ---- training -------------------------------------------------------------------------

    def partial_fit(self, X, y=None, classes=None):
        """Learns one batch (one micro-batch of the stream), continuing from the current state.

        Parameters
        ----------
        X : ndarray (n, d), scipy.sparse matrix, or streamml.Batch
        y : array-like (n,) of two class labels; default for a Batch: its ``labels``
        classes : array-like of two labels, optional
            The classes, needed when the first batch holds only one of them (scikit-learn's
            partial_fit); later calls must give the same.

        Returns
        -------
        self
        """
        if y is None:
            if isinstance(X, Batch) and X.labels is not None:
                y = X.labels
            else:
                raise ValueError("partial_fit needs labels y (or a streamml.Batch with labels)")
        dense, sparse = _input.features(X, batch=True)
        before = self.__dict__.get("_classes")
        labels = self._labels(y, classes)
        try:
            core = self._learner()
            if sparse is None:
                core.partial_fit_dense(dense, labels)
            else:
                core.partial_fit(dense, sparse, labels)
        except BaseException:
            if not self.__sklearn_is_fitted__():
                self._classes = before
            raise
        return self

    def fit(self, X, y=None):
        """Starts over from the settings, then learns X as one batch: ``partial_fit(X, y)``.

        For a streaming learner "fit" is one batch, not training to convergence: in spark mode
        it is Spark's batch ``LogisticRegressionWithSGD.train`` (``num_iterations`` steps of
        gradient descent over all of X); in online mode, one pass over X in row order
        (scikit-learn's ``SGDClassifier(max_iter=1, shuffle=False)``). Call ``partial_fit``
        again for more passes.
        """
        if not isinstance(X, Batch):
            dense, _ = _input.features(X)  # fit refuses an empty X (partial_fit takes one)
            X = X if dense is None else dense
        self._restart()
        self.__dict__.pop("_classes", None)
        return self.partial_fit(X, y)

    # ---- prediction -----------------------------------------------------------------------

    def _call(self, method, X):
        dense, sparse = _input.features(X, batch=True)
        return getattr(self._learner(), method)(dense, sparse)

    def decision_function(self, X):
        """w . x + b per row, shape (n,)."""
        return self._call("decision_function", X)

    def predict_proba(self, X):
        """Shape (n, 2): the probabilities of ``classes_[0]`` and ``classes_[1]`` per row."""
        p = self._call("predict_proba", X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """The class per row: ``classes_[1]`` iff P(classes_[1]) > threshold (0.0 / 1.0 for 0/1
        labels)."""
        positive = self._call("predict", X)
        classes = self.__dict__.get("_classes")
        if _binary(classes):
            return positive
        return classes[positive.astype(np.intp)]

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against y (scikit-learn's ClassifierMixin.score)."""
        return float(np.mean(self.predict(X) == _input.vector(y)))

    # ---- learned attributes ---------------------------------------------------------------

    @property
    def coef_(self):
        return np.asarray(self._fitted_core("coef_").coef).reshape(1, -1)

    @property
    def intercept_(self):
        return np.array([self._fitted_core("intercept_").intercept])

    @property
    def n_features_in_(self):
        core = self._fitted_core("n_features_in_")
        return int(core.dense_features + core.hashed_features)

    @property
    def t_(self):
        return float(self._fitted_core("t_").t)

    @property
    def examples_seen_(self):
        return int(self._fitted_core("examples_seen_").examples_seen)

    @property
    def batches_seen_(self):
        return int(self._fitted_core("batches_seen_").batches_seen)


class PrequentialEvaluator(Evaluator, type="prequential", core=_PrequentialEvaluator):
    """Prequential (test-then-train) evaluation of a binary classifier on a stream.

    Score each batch with the model as it stands, pass the scores (P(y = 1)) and the true labels
    to ``update``, and only then train on the batch; ``streamml.prequential`` does exactly that.

    {parameters}

    Metrics (each a dict ``{"count", "log_loss", "accuracy", "auc"}``)
    -------------------------------------------------------------------
    last_batch, window, cumulative
        Log loss is scikit-learn 1.2's ``log_loss`` (p clipped to [2**-52, 1 - 2**-52]); accuracy
        is ``accuracy_score`` of ``score > threshold``; batch and window AUC are exact
        (``roc_auc_score``, NaN when one class is missing); the cumulative AUC is a histogram
        approximation whose error is at most ``cumulative_auc_error_bound``.

    curve : dict of NumPy arrays, one entry per update
        ``batch`` and ``{batch,window,cumulative}_{count,log_loss,accuracy,auc}``; pandas users:
        ``pandas.DataFrame(evaluator.curve)``.

    The settings are read back as ``window_size``, ``auc_bins`` and ``threshold`` (``window`` is
    the window's metrics). Bad settings raise ValueError when the evaluator is made.
    """

    def __repr__(self):
        c = self.cumulative
        return (f"<streamml.PrequentialEvaluator batches={self.batches} count={self.count} "
                f"cumulative log_loss={c['log_loss']:.6f} accuracy={c['accuracy']:.6f} "
                f"auc={c['auc']:.6f}>")

    def update(self, scores, y):
        """Counts one batch of predictions: ``scores`` (n,) probabilities of class 1, ``y`` (n,)
        labels 0/1. ValueError (nothing counted) for a length mismatch, a score outside [0, 1]
        or NaN, or a label that is not 0/1."""
        self._core.update(np.ascontiguousarray(scores, dtype=np.float64),
                          np.ascontiguousarray(y, dtype=np.float64))

    window_size = property(lambda self: self._params["window"])
    auc_bins = property(lambda self: self._params["auc_bins"])
    threshold = property(lambda self: self._params["threshold"])
    batches = property(lambda self: self._core.batches)
    count = property(lambda self: self._core.count)
    last_batch = property(lambda self: self._core.last_batch)
    window = property(lambda self: self._core.window)
    cumulative = property(lambda self: self._core.cumulative)
    cumulative_auc_error_bound = property(lambda self: self._core.cumulative_auc_error_bound)
    curve = property(lambda self: self._core.curve)


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
