"""Alternating least squares for recommendations, scikit-learn style with Spark's names.

``ALS`` is a thin Python face over the C++ learner (algorithms/recommend/als.h): Spark ML's ALS
(explicit ratings or implicit counts, ALS-WR regularisation, Spark's defaults), solved exactly
by Cholesky or by implicit's warm-started conjugate gradient, and updated every micro-batch by
fold-in against a bounded interaction store.

Example::

    import scipy.sparse as sp
    import streamml
    als = streamml.ALS(rank=16, implicit_prefs=True, alpha=2.0, solver="cg", seed=0)
    als.fit(R)                                    # R: users x items, scipy.sparse
    ids, scores = als.recommend([0, 7], k=10)     # best unseen items of users 0 and 7
    als.partial_fit(users, items, counts)         # a micro-batch: fold-in
"""

import json

import numpy as np

from ._estimator import Evaluator, Learner
from ._streamml import _ALS, _PrequentialRanking, _ranking_metrics_at_k

__all__ = ["ALS", "PrequentialRanking", "ranking_metrics_at_k"]


def _csr(R):
    import scipy.sparse as sp
    if np.iscomplexobj(R.data if sp.issparse(R) else np.asarray(R)):
        raise ValueError("Complex data not supported: the ratings matrix holds complex numbers")
    R = sp.csr_matrix(R, dtype=np.float64)
    R.sum_duplicates()
    R.sort_indices()
    return R


def _ids(values):
    """An id column for C++: an integer array as is, anything else as a list (of str)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values
    if isinstance(values, (str, bytes)) or np.isscalar(values):
        return [values]
    return list(values)


class ALS(Learner, type="als", core=_ALS):
    """Matrix factorization by alternating least squares (Spark ML's ``ALS``), on a stream.

    Model: user factors x_u and item factors y_i of ``rank`` values. Explicit feedback minimises
    ``sum (r - x_u.y_i)^2 + reg_param (sum_u n_u |x_u|^2 + sum_i n_i |y_i|^2)`` over the
    observed ratings (ALS-WR: n counts each row's ratings). Implicit feedback
    (``implicit_prefs=True``, Hu, Koren, Volinsky 2008) weighs every pair by
    c = 1 + alpha |r| (1 where unobserved) toward p = [r > 0], and n counts r > 0 (Spark's
    extension to negative r). Each iteration solves the items from the users, then the users
    from the items (Spark's order).

    The solver is the exact Cholesky of each row's normal equations (Spark; NNLS when
    ``nonnegative``), or conjugate gradient warm-started from the previous factors, never forming
    the matrix (benfred/implicit's method). ``partial_fit`` learns through a bounded interaction
    store (a cap per user, a horizon, a half-life of implicit counts) and sweeps every row every
    ``sweep_interval`` batches.

    {parameters}

    Learned attributes: ``user_factors_``, ``item_factors_`` (copies, rows in the order of
    ``user_ids_`` / ``item_ids_``). ``set_params`` starts over from the new settings.
    Pickling stores the checkpoint bytes (factors, ids, the store): the unpickled model
    continues bit for bit.
    """

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and len(core.user_ids) > 0

    @classmethod
    def from_factors(cls, user_factors, item_factors, user_ids=None, item_ids=None, **params):
        """A model from given factors (rows x rank each; ``rank`` taken from them). Ids
        default to 0..rows-1. ``partial_fit`` then folds new interactions in against them."""
        user_factors = np.ascontiguousarray(user_factors, dtype=np.float64)
        item_factors = np.ascontiguousarray(item_factors, dtype=np.float64)
        params.setdefault("rank", user_factors.shape[1] if user_factors.ndim == 2 else 0)
        model = cls(**params)
        model._core = _ALS.from_factors(
            model._to_settings(model.get_params()), user_factors, item_factors,
            None if user_ids is None else _ids(user_ids), None if item_ids is None else _ids(item_ids))
        return model

    # ---- training ---------------------------------------------------------------------------

    def fit(self, R, user_factors=None, item_factors=None):
        """Forgets everything and factorises R (users x items, scipy.sparse or dense; the row
        and column indices are the ids) in ``max_iter`` iterations. With ``init="custom"``
        the given factors are the start. Returns self."""
        R = _csr(R)
        if R.shape[0] == 0 or R.shape[1] == 0:
            raise ValueError(f"Found array with 0 sample(s) or 0 feature(s) (shape={R.shape}) while a "
                             f"minimum of 1 is required: the ratings matrix (users x items) is empty")
        core = self._make_core(self.get_params(), None)
        core.fit(R.indptr, R.indices, R.data, R.shape[1],
                 None if user_factors is None else np.ascontiguousarray(user_factors, dtype=np.float64),
                 None if item_factors is None else np.ascontiguousarray(item_factors, dtype=np.float64))
        self._core = core
        return self

    def partial_fit(self, users, items, ratings=None, times=None):
        """Learns one micro-batch of (user, item, rating or count, time) records: stores them
        under the store's policy, re-solves every user of the batch against its whole stored
        history, then every item, and every ``sweep_interval`` batches all rows. ``ratings``
        None: implicit counts of 1. ``times``: epoch seconds (needed by horizon and
        half_life). Ids are integers or strings. Returns self."""
        self._learner().partial_fit(_ids(users), _ids(items),
                                    None if ratings is None else np.asarray(ratings, dtype=np.float64),
                                    None if times is None else np.asarray(times, dtype=np.float64))
        return self

    # ---- predictions ------------------------------------------------------------------------

    def predict(self, users, items):
        """x_u.y_i per (user, item) pair. Unknown ids: NaN (``cold_start_strategy="nan"``), or
        the pair dropped ("drop")."""
        values, _ = self._learner().predict(_ids(users), _ids(items))
        return np.asarray(values)

    def recommend(self, users, k=10, filter_seen=True):
        """The k best items of each user: (item ids (n, k), scores (n, k)), best first; items
        in the user's stored history are left out when ``filter_seen``. An unknown user's row
        is -1 (None for str ids) and NaN."""
        return self._learner().recommend(_ids(users), int(k), bool(filter_seen))

    def recommend_for_all(self, k=10, filter_seen=False):
        """Every user's k best items (rows in ``user_ids_`` order): Spark's
        recommendForAllUsers, blocks of ``block_size`` users times the items."""
        return self._learner().recommend_for_all(int(k), bool(filter_seen))

    def similar_items(self, items, k=10):
        """The k items closest to each given item by cosine of their factors, the item itself
        first (implicit's similar_items)."""
        return self._learner().similar_items(_ids(items), int(k))

    def objective(self):
        """The objective above on the stored interactions."""
        return self._learner().objective()

    @property
    def user_factors_(self):
        return np.asarray(self._learner().user_factors)

    @property
    def item_factors_(self):
        return np.asarray(self._learner().item_factors)

    @property
    def user_ids_(self):
        return np.asarray(self._learner().user_ids)

    @property
    def item_ids_(self):
        return np.asarray(self._learner().item_ids)


class PrequentialRanking(Evaluator, type="prequential_ranking", core=_PrequentialRanking):
    """Test-then-train top-N evaluation of an ALS stream (Vinagre, Jorge, Gama 2014): call
    ``update(model, users, items)`` before ``model.partial_fit`` on the same batch; ``summary``
    gives recall@N and MRR of the model and of a popularity baseline for the last batch, a
    window of ``window`` events and the whole stream. It pickles and checkpoints as its own
    state.

    {parameters}
    """

    def update(self, model, users, items):
        self._core.update(model._learner(), _ids(users), _ids(items))
        return self

    @property
    def summary(self):
        return json.loads(self._core.metrics_json)


def ranking_metrics_at_k(model, train, test, K=10):
    """precision, map, ndcg and auc at K with the definitions of implicit's
    ``implicit.evaluation.ranking_metrics_at_k`` (lists leave out each user's train items),
    for a model fitted on ``train`` (users x items)."""
    train, test = _csr(train), _csr(test)
    return _ranking_metrics_at_k(model._learner(), (train.indptr, train.indices, train.data),
                                 (test.indptr, test.indices, test.data), train.shape[1], int(K))
