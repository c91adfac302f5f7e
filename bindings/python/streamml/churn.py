"""Churn risk per customer from a purchase stream (algorithms/churn/churn_model.h).

A thin Python face over the C++ learner: its keywords, defaults and docs are the C++ settings
table's. Each batch is purchases: the customer as the key, the category as the "item" id, the
amount as the first feature, and event times; daily batches are the usual cut::

    import streamml
    churn = streamml.ChurnModel(taste_rank=4)
    pipeline = streamml.Pipeline(streamml.replay(
        "purchases.csv", key="customer", item="category", features="amount", time="event_time",
        batch_interval="1d"))
    pipeline.add("churn", churn).run()     # each record gets "churn.risk" as an output column
    churn.customers_[churn.top(10)]       # the ten riskiest customers now
"""

import numpy as np

from ._estimator import Learner
from ._streamml import Batch, _ChurnModel

__all__ = ["ChurnModel"]


class ChurnModel(Learner, type="churn", core=_ChurnModel):
    """Churn risk per customer: activity features (recency, frequency, spend, trend, tenure)
    and ALS taste factors over customer x category, a logistic model trained on labels that
    mature ``horizon`` days after their features (a delayed-label join), every active customer
    scored every batch. The label of a snapshot is 1 when the customer makes no purchase within
    the next ``horizon`` days.

    {parameters}

    Attributes (after the first ``partial_fit``)
    ----------
    customers_ : ndarray (n,) of str, the active customers (sorted)
    risks_ : ndarray (n,), P(no purchase within the horizon) per customer (NaN before any label
        has matured)
    features_ : ndarray (n, d), their features as of the last batch; ``feature_names_`` (d,)
    examples_, positives_ : int, labelled examples learned, and how many were churn
    pending_, dropped_ : int, snapshots waiting for their label, and those the cap refused
    batches_seen_ : int
    """

    def partial_fit(self, X, y=None):
        """Learns one batch of purchases (a streamml.Batch with keys, the "item" id column,
        the amount as its first feature and event times), then scores every active customer.
        Returns self."""
        if not isinstance(X, Batch):
            raise TypeError(f"ChurnModel.partial_fit takes a streamml.Batch of purchases (customer key, "
                            f"item ids, amount, event times), got {type(X).__name__}")
        self._learner().partial_fit(X)
        return self

    def risk(self, X):
        """Each record's customer's current risk (NaN for one the model does not know): what a
        pipeline adds as the output column "<stage>.risk"."""
        return np.asarray(self._learner().score(X))

    def top(self, k):
        """Indices into ``customers_`` of the ``k`` riskiest customers, riskiest first."""
        return np.asarray(self._fitted("top").top(int(k)), dtype=np.int64)

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and core.batches_seen > 0

    def _fitted(self, name):
        if not self.__sklearn_is_fitted__():
            raise AttributeError(f"ChurnModel has seen no batch yet: {name} exists after the first partial_fit")
        return self._core

    customers_ = property(lambda self: np.asarray(self._fitted("customers_").customers, dtype=object))
    risks_ = property(lambda self: np.asarray(self._fitted("risks_").risks))
    features_ = property(lambda self: np.asarray(self._fitted("features_").features))
    feature_names_ = property(lambda self: list(self._fitted("feature_names_").feature_names))
    examples_ = property(lambda self: int(self._fitted("examples_").examples))
    positives_ = property(lambda self: int(self._fitted("positives_").positives))
    pending_ = property(lambda self: int(self._fitted("pending_").pending))
    dropped_ = property(lambda self: int(self._fitted("dropped_").dropped))
    batches_seen_ = property(lambda self: int(self._fitted("batches_seen_").batches_seen))
