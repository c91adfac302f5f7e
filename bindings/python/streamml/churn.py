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
    churn.retention_plan(budget=500)      # which of them get which offer (a MIP over the risks)

In a pipeline the same decisions run after the churn stage and go to sinks, as the command
line's ``--top-risk K --retention --output-table top_risk=top.csv`` does::

    pipeline.add("churn", churn)
    pipeline.add_top_risk("top_risk", churn, k=20, every="1d")
    pipeline.add_retention("retention", churn, every="1d", budget=500)
    pipeline.add_output("top.csv", table="top_risk").add_output("plan.csv", table="retention")
"""

import numpy as np

from ._estimator import Learner
from ._streamml import Batch, _ChurnModel, _plan_retention

__all__ = ["ChurnModel", "plan_retention"]

RETENTION_DEFAULTS = dict(budget=500.0, offer_cost=(5.0, 25.0), offer_uplift=(0.1, 0.35), offer_capacity=(),
                          candidates=200, max_idle_days=0.0, relax=False)


def _retention_settings(settings):
    unknown = sorted(set(settings) - set(RETENTION_DEFAULTS))
    if unknown:
        raise TypeError(f"retention has no setting {unknown[0]!r}; known: {', '.join(sorted(RETENTION_DEFAULTS))}")
    out = dict(RETENTION_DEFAULTS, **settings)
    for key in ("offer_cost", "offer_uplift", "offer_capacity"):
        out[key] = [float(x) for x in np.atleast_1d(np.asarray(out[key], dtype=float))]
    return out


def plan_retention(risk, value, idle_days=None, **settings):
    """The retention budget (algorithms/optimize/retention.h): which of the ``candidates``
    riskiest customers get which offer, maximising the expected value saved,
    sum x_ij (risk_i uplift_j value_i - cost_j), with at most one offer each, the total cost
    within ``budget`` (and at most offer_capacity[j] of offer j when given), solved by CBC as a
    MIP (``relax=True``: its LP relaxation by CLP).

    risk, value : array-like (n,), one per customer (NaN risk: not a candidate).
    idle_days : array-like (n,), days since each one's last purchase; needed by max_idle_days.
    settings : budget=500, offer_cost=(5, 25), offer_uplift=(0.1, 0.35), offer_capacity=(),
        candidates=200, max_idle_days=0 (> 0: only customers who bought within that many days
        are offered anything; a customer silent for longer has most likely left), relax=False.

    Returns a dict: customer (indices into risk, riskiest first), offer, share (1 in a MIP),
    expected_saved and cost per offer, and status, total_saved, spent.
    """
    idle = [] if idle_days is None else np.asarray(idle_days, dtype=float).tolist()
    plan = _plan_retention(np.asarray(risk, dtype=float).tolist(), np.asarray(value, dtype=float).tolist(), idle,
                           _retention_settings(settings))
    for key in ("customer", "offer"):
        plan[key] = np.asarray(plan[key], dtype=np.int64)
    for key in ("share", "expected_saved", "cost"):
        plan[key] = np.asarray(plan[key], dtype=float)
    return plan


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
    values_ : ndarray (n,), what each would spend over the horizon if it stays (its recent spend
        per day times the horizon): the value a retention budget weighs
    idle_days_ : ndarray (n,), days since each one's last purchase (plan_retention's max_idle_days)
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

    def retention_plan(self, **settings):
        """The retention budget over the customers as they stand (``risks_``, ``values_``): what
        ``streamml.plan_retention`` returns, with ``customer`` the customer ids (riskiest
        first) and their ``risk`` and ``value``. Settings as plan_retention's."""
        core = self._fitted("retention_plan")
        plan = core.retention_plan(_retention_settings(settings))
        index = np.asarray(plan["customer"], dtype=np.int64)
        plan["customer"] = self.customers_[index]
        plan["risk"], plan["value"] = self.risks_[index], self.values_[index]
        for key in ("share", "expected_saved", "cost"):
            plan[key] = np.asarray(plan[key], dtype=float)
        plan["offer"] = np.asarray(plan["offer"], dtype=np.int64)
        return plan

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
    values_ = property(lambda self: np.asarray(self._fitted("values_").values))
    idle_days_ = property(lambda self: np.asarray(self._fitted("idle_days_").idle_days))
    feature_names_ = property(lambda self: list(self._fitted("feature_names_").feature_names))
    examples_ = property(lambda self: int(self._fitted("examples_").examples))
    positives_ = property(lambda self: int(self._fitted("positives_").positives))
    pending_ = property(lambda self: int(self._fitted("pending_").pending))
    dropped_ = property(lambda self: int(self._fitted("dropped_").dropped))
    batches_seen_ = property(lambda self: int(self._fitted("batches_seen_").batches_seen))
