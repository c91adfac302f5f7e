"""The Python learner classes are shells derived from the C++ settings tables and the registry.

Oracles: the command line (`streamml learners` and `streamml learners TYPE`, which print the same
tables from C++), scikit-learn's clone / get_params conventions, and hand-worked decisions
(the allocation LP against SciPy's HiGHS, DS2's rule by hand).
"""
import inspect
import json
import pickle
import re
import subprocess

import numpy as np
import pytest
from sklearn.base import clone

import streamml
from streamml import _streamml
from streamml._estimator import checkpoint_class, checkpoint_classes
from sigkill import streamml_bin

TYPES = {t["name"]: t for t in _streamml._learner_types()}
LEARNERS = sorted(name for name, t in TYPES.items() if t["role"] != "evaluator")
# Settings without which a type cannot be made (an allocation needs its servers).
REQUIRED = {"allocate": dict(capacity=[100.0], cost=[[1.0]], services=1)}


def _cli_settings(name):
    """{setting: default text} as `streamml learners NAME` prints them."""
    out = subprocess.run([streamml_bin(), "learners", name], check=True, capture_output=True, text=True).stdout
    return {m.group(1): m.group(2) for m in re.finditer(r"^  (\w+) +[^\n]*, default (.*)$", out, re.M)}


def test_every_registered_type_has_its_python_class():
    # Oracle: `streamml learners` (the registry as the command line lists it) and the registry.
    listed = re.findall(r"^  (\w+) ", subprocess.run([streamml_bin(), "learners"], check=True,
                                                      capture_output=True, text=True).stdout, re.M)
    assert sorted(listed) == LEARNERS
    assert set(TYPES) <= set(checkpoint_classes())
    for name in LEARNERS:
        cls = checkpoint_class(name)
        assert cls._type == name and cls._role == TYPES[name]["role"], name
        assert cls.__name__ in streamml.__all__, name
    assert checkpoint_class("lp_solver") is streamml.LPSolver


@pytest.mark.parametrize("name", sorted(TYPES))
def test_keywords_and_defaults_are_the_settings_table(name):
    # Oracle: `streamml learners NAME`: every setting is a keyword (under the class's Python
    # name, unless a keyword sets it), with the same default (lists and "none" defaults: None).
    cls = checkpoint_class(name)
    cli = _cli_settings(name)
    assert [s["name"] for s in TYPES[name]["settings"]] == list(cli)
    parameters = inspect.signature(cls).parameters
    assert all(p.kind == p.KEYWORD_ONLY for p in parameters.values())
    expected = [cls._renamed.get(s, s) for s in cli if s not in cls._hidden]
    assert list(parameters) == expected
    for setting, text in cli.items():
        if setting in cls._hidden:
            continue
        default = parameters[cls._renamed.get(setting, setting)].default
        if text == "(none)" or cls._renamed.get(setting, setting) in cls._none_default:
            assert default is None, setting
        elif isinstance(default, bool):
            assert str(default).lower() == text, setting
        elif isinstance(default, (int, float)):
            assert default == float(text) and type(default) is (float if "float" in _type(name, setting)
                                                                 else int), setting
        else:
            assert default == text, setting
        assert f"\n{cls._renamed.get(setting, setting)} : " in cls.__doc__, setting


def _type(name, setting):
    return next(s["type"] for s in TYPES[name]["settings"] if s["name"] == setting)


@pytest.mark.parametrize("name", LEARNERS)
def test_sklearn_protocol_on_every_learner(name):
    cls = checkpoint_class(name)
    model = cls(**REQUIRED.get(name, {}))
    with pytest.raises(TypeError, match="unexpected keyword argument 'no_such_setting'"):
        cls(no_such_setting=1)
    params = model.get_params()
    assert set(params) == set(inspect.signature(cls).parameters)
    twin = clone(model)
    assert repr(twin) == repr(model)
    assert json.dumps(twin.get_params(), default=str) == json.dumps(params, default=str)
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(no_such_setting=1)
    # A fresh model pickles (as checkpoint bytes) and comes back with the same settings.
    copy = pickle.loads(pickle.dumps(model))
    assert type(copy) is cls
    assert json.loads(copy._learner().params_json) == json.loads(model._learner().params_json)


@pytest.mark.parametrize("name, bad, message", [
    ("logreg", {"step_size": -1}, "logreg: step_size must be > 0, got -1"),
    ("kmeans", {"half_life": -1}, "kmeans: half_life must be >= 0, got -1"),
    ("kmeans", {"k": True}, "kmeans: setting 'k' expects an integer, got 'true'"),
    ("dbscan", {"window_batches": 0}, "dbscan: window_batches must be >= 1, got 0"),
    ("dbscan", {"metric": "cosine"}, "dbscan: metric must be one of 'euclidean'"),
    ("als", {"rank": 2.5}, "als: setting 'rank' expects an integer, got '2.5'"),
    ("allocate", {**REQUIRED["allocate"], "alpha": 0}, "allocate: alpha must be in \\(0, 1\\], got 0"),
    ("autoscale", {"target_utilization": 1j}, "autoscale: setting 'target_utilization' expects a real number"),
    ("prequential", {"window": 0}, "prequential: window must be >= 1, got 0"),
])
def test_bad_settings_are_refused_by_the_table_in_its_style(name, bad, message):
    cls = checkpoint_class(name)
    with pytest.raises(ValueError, match=message):
        if TYPES[name]["role"] == "evaluator":
            cls(**bad)
        else:
            cls(**bad)._learner()


def test_docstrings_hold_the_tables_documentation():
    # Oracle: the table's one-line doc of each setting, as `streamml learners` prints it.
    out = subprocess.run([streamml_bin(), "learners", "logreg"], check=True, capture_output=True, text=True).stdout
    assert "    Spark's stepSize" in streamml.LogisticRegressionSGD.__doc__
    assert "Spark's stepSize" in out
    doc = streamml.WindowedDBSCAN.__doc__
    assert "window_batches : int >= 1, default=10" in doc
    assert "metric : {'euclidean', 'manhattan', 'chebyshev', 'l2', 'l1', 'cityblock'}, default='euclidean'" in doc


def test_batch_dbscan_takes_its_settings_from_its_table():
    from streamml._streamml import _dbscan_settings
    names = [s["name"] for s in _dbscan_settings()]
    assert list(inspect.signature(streamml.DBSCAN).parameters) == names == ["eps", "min_samples", "metric",
                                                                            "algorithm"]
    with pytest.raises(ValueError, match="dbscan: eps must be > 0, got 0"):
        streamml.DBSCAN(eps=0).fit(np.ones((3, 2)))


def test_allocator_decides_the_lps_optimum():
    # Oracle: scipy.optimize.linprog (HiGHS) on the allocation LP of algorithms/optimize/
    # allocation.h for the first batch (previous allocation 0, so moving costs move_cost per
    # request/s placed; the forecast of a first window is its rate).
    from scipy.optimize import linprog
    capacity, cost = [100.0, 80.0, 30.0], np.array([[1.0, 2.0], [2.0, 1.0], [0.5, 0.5]])
    model = streamml.Allocator(capacity=capacity, cost=cost, services=2, move_cost=0.1, unmet_penalty=50)
    rates = np.array([[70.0], [130.0]])
    model.partial_fit(rates, services=[0, 1])
    I, J = cost.shape
    c = np.concatenate([(cost + 0.1).ravel(), np.full(J, 50.0)])
    A_cap = np.hstack([np.kron(np.eye(I), np.ones(J)), np.zeros((I, J))])
    A_dem = -np.hstack([np.kron(np.ones(I), np.eye(J)), np.eye(J)])
    ref = linprog(c, A_ub=np.vstack([A_cap, A_dem]), b_ub=np.concatenate([capacity, -rates.ravel()]),
                  bounds=(0, None), method="highs")
    assert model.objective_ == pytest.approx(ref.fun, rel=1e-12)
    assert model.allocation_.shape == (3, 2)
    np.testing.assert_allclose(model.allocation_.sum(axis=0) + model.unmet_, rates.ravel(), rtol=1e-12)
    assert model.summary_["objective"] == pytest.approx(ref.fun, rel=1e-12)
    # A streamml.Batch with the services as keys gives the same decision.
    again = streamml.Allocator(capacity=capacity, cost=cost, services=2, move_cost=0.1, unmet_penalty=50)
    again.partial_fit(next(iter(streamml.from_arrays(rates, keys=[0, 1]))))
    np.testing.assert_array_equal(again.allocation_, model.allocation_)
    np.testing.assert_allclose(model.shortfall(rates, services=[0, 1]), model.unmet_, rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="services"):
        model.partial_fit(rates)


def test_autoscaler_is_ds2s_rule_and_resumes_from_a_pickle():
    # Oracle: DS2 by hand: n = ceil(arrivals / (target_utilization * rate per instance)).
    model = streamml.Autoscaler(services=2, target_utilization=0.5)
    model.partial_fit([[40.0, 10.0], [12.0, 2.0]], services=[0, 1])
    assert model.instances_.tolist() == [8, 12]
    copy = pickle.loads(pickle.dumps(model))
    for m in (model, copy):
        m.partial_fit([[90.0, 10.0], [30.0, 2.0]], services=[0, 1])
    assert copy.instances_.tolist() == model.instances_.tolist()
    assert copy.summary_ == model.summary_
