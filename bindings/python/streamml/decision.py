"""Decision learners on a monitoring stream: allocation of demand to servers, and auto-scaling.

Thin Python faces over the C++ learners (algorithms/optimize/allocation.h, autoscale.h): their
keywords, defaults and docs are the C++ settings tables', the forecasts, LPs and MIPs run in
C++. A batch holds one record per service and monitoring window: the service id (an integer in
[0, services)) as the record's key, its rates in dense feature columns. In a
``streamml.Pipeline`` they run as stages; from Python, one call per batch::

    import streamml
    alloc = streamml.Allocator(capacity=[100, 80], cost=[[1, 2], [2, 1]], services=2)
    alloc.partial_fit([[50.0], [60.0]], services=[0, 1])   # one window of both services
    alloc.allocation_           # requests/s of each service on each server
"""

import numpy as np

from . import _input
from ._estimator import Learner
from ._streamml import Batch, _Allocator, _Autoscaler

__all__ = ["Allocator", "Autoscaler"]


class _Decision(Learner):
    """What both decision learners do with batches."""

    def _parts(self, X, services):
        if isinstance(X, Batch):
            return X, (None if services is None else np.asarray(services))
        if services is None:
            raise ValueError("services (one integer id per row of X) are needed with array input; "
                             "a streamml.Batch gives its keys")
        return _input.dense(X, batch=True), np.asarray(services)

    def partial_fit(self, X, y=None, services=None):
        """Learns one batch: every record updates its service's forecast (in order), then one
        decision is made for the batch. X: a streamml.Batch (services: its keys) or an (n, d)
        array of the records' features with ``services`` (n,). Returns self."""
        X, keys = self._parts(X, services)
        self._learner().partial_fit(X, keys=keys)
        return self

    def shortfall(self, X, services=None):
        """Per record, the rate the current decision leaves unserved (what ``score`` gives a
        pipeline's output column)."""
        X, keys = self._parts(X, services)
        return np.asarray(self._learner().score(X, keys=keys))

    def __sklearn_is_fitted__(self):
        core = self.__dict__.get("_core")
        return core is not None and core.batches_seen > 0

    def _decided(self, name):
        if not self.__sklearn_is_fitted__():
            raise AttributeError(f"{type(self).__name__} has decided nothing yet: {name} exists "
                                 f"after the first partial_fit")
        return self._core


class Allocator(_Decision, type="allocate", core=_Allocator):
    """Services' forecast demand placed on servers at least cost, re-solved warm every batch.

    Minimises serving cost + unmet_penalty * unmet demand + move_cost * requests moved, subject
    to each server's capacity (an LP; the header of algorithms/optimize/allocation.h writes it
    out). CLP re-solves it from the last basis after each batch's new demand.

    {parameters}

    Attributes (after the first ``partial_fit``)
    ----------
    allocation_ : ndarray (servers, services), requests/s of each service on each server
    unmet_, demand_, served_ : ndarray (services,)
    objective_, serving_cost_, moved_ : float
    batches_seen_ : int
    """

    allocation_ = property(lambda self: np.asarray(self._decided("allocation_").allocation))
    unmet_ = property(lambda self: np.asarray(self._decided("unmet_").unmet))
    demand_ = property(lambda self: np.asarray(self._decided("demand_").demand))
    served_ = property(lambda self: np.asarray(self._decided("served_").served))
    objective_ = property(lambda self: float(self._decided("objective_").objective))
    serving_cost_ = property(lambda self: float(self._decided("serving_cost_").serving_cost))
    moved_ = property(lambda self: float(self._decided("moved_").moved))
    batches_seen_ = property(lambda self: int(self._decided("batches_seen_").batches_seen))


class Autoscaler(_Decision, type="autoscale", core=_Autoscaler):
    """Instance counts per service from arrival and processing rates: DS2's rule, or a CBC MIP
    when a budget or shared capacity couples the services, with a stabilisation window.

    Each record is a service's window: arrivals (records/s) in feature ``arrival_feature`` and
    the true processing rate per instance in ``rate_feature`` (algorithms/optimize/autoscale.h).

    {parameters}

    Attributes (after the first ``partial_fit``)
    ----------
    instances_ : ndarray (services,) int
    planned_ : ndarray (services,), the arrivals planned for
    processing_rates_ : ndarray (services,)
    batches_seen_ : int
    """

    instances_ = property(lambda self: np.asarray(self._decided("instances_").instances, dtype=np.int64))
    planned_ = property(lambda self: np.asarray(self._decided("planned_").planned))
    processing_rates_ = property(lambda self: np.asarray(self._decided("processing_rates_").processing_rates))
    batches_seen_ = property(lambda self: int(self._decided("batches_seen_").batches_seen))
