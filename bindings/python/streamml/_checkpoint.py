"""Checkpoints from Python: a versioned store, single files, bytes, and pickling.

One format everywhere (README, "Checkpoints and resume"): a self-describing HDF5 file of
checkpoint format 1, the same whether C++ (``streamml replay --checkpoint-dir``), this module
or ``pickle`` wrote it. Loading makes the estimator class the file's ``learner_type`` names,
with the settings of its ``params``, and restores the whole state, optimizer memory included,
so the model predicts the same and goes on learning exactly as the saved one would have.

Example::

    import streamml
    store = streamml.CheckpointStore("/tmp/ck")
    version = store.save("clicks", model, metadata={"batch_index": 41})
    model = store.load("clicks")             # the newest version, a ready estimator
    store.describe("clicks")["params"]       # root attributes, JSON ones parsed
    store.prune("clicks", keep_last=5)

Errors: a damaged, truncated, foreign or newer file raises ValueError naming it and what is
wrong; a file that cannot be read raises OSError.
"""

import json
import os

from . import _streamml
from .clustering import StreamingKMeans
from .dbscan import WindowedDBSCAN
from .linear import LogisticRegressionSGD, PrequentialEvaluator
from .optimize import LPSolver
from .recommend import ALS

__all__ = ["CheckpointStore", "load_checkpoint", "describe_checkpoint", "dumps_checkpoint",
           "loads_checkpoint"]

# learner_type -> the estimator class that loads it.
_CLASSES = {"logreg": LogisticRegressionSGD, "kmeans": StreamingKMeans, "dbscan": WindowedDBSCAN,
            "prequential": PrequentialEvaluator, "lp_solver": LPSolver, "als": ALS}

_METADATA = ("batch_index", "source_positions", "metrics", "parent_version")


def _core(model):
    """The compiled object behind a learner (built from its settings if not yet)."""
    if isinstance(model, PrequentialEvaluator):
        return model
    if not isinstance(model, tuple(c for c in _CLASSES.values() if c is not PrequentialEvaluator)):
        raise TypeError(f"cannot checkpoint a {type(model).__name__}: streamml checkpoints "
                        f"{', '.join(c.__name__ for c in _CLASSES.values())}")
    return model._learner()


def _new_model(info):
    """A fresh estimator of the checkpoint's class and settings, and its compiled core."""
    learner_type = info["learner_type"]
    cls = _CLASSES.get(learner_type)
    if cls is None:
        raise ValueError(f"{info['path']}: holds a {learner_type!r} checkpoint; the Python module "
                         f"loads {', '.join(repr(t) for t in _CLASSES)}"
                         + (" (a pipeline's manifest names its stages' versions: load those)"
                            if learner_type == "pipeline" else ""))
    params = json.loads(info["params"])
    if hasattr(cls, "_empty_for_checkpoint"):
        # Its settings do not make it: the state holds the model (LPSolver).
        model = cls._empty_for_checkpoint(params)
        return model, model._learner()
    if cls is PrequentialEvaluator:
        model = PrequentialEvaluator(window=params["window"], auc_bins=params["auc_bins"],
                                     threshold=params["threshold"])
        return model, model
    model = cls(**cls._params_from_checkpoint(params))
    return model, model._learner()


def _described(info):
    """The C++ description with its JSON attributes parsed."""
    out = dict(info)
    for key in ("params", "source_positions", "metrics"):
        out[key] = json.loads(info[key])
    return out


def _json_text(name, value):
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError as e:
            raise ValueError(f"metadata {name!r} is not valid JSON text: {e}") from None
        return value
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"metadata {name!r} cannot be written as JSON: {e}") from None


def _integer(name, value):
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


def dumps_checkpoint(model):
    """The model's checkpoint as bytes: exactly the file a store would write (format 1).

    ``pickle`` stores these bytes; ``loads_checkpoint`` reads them back.
    """
    return _streamml._checkpoint_bytes(_core(model))


def loads_checkpoint(data, name="<checkpoint bytes>"):
    """A ready estimator from checkpoint bytes (``dumps_checkpoint``, a file's contents).

    ``name`` is what error messages call the bytes. Damaged or truncated bytes raise
    ValueError.
    """
    data = bytes(data)
    model, core = _new_model(_streamml._describe_checkpoint_bytes(data, name))
    _streamml._load_checkpoint_bytes(core, data, name)
    return model


# Pickles name the function that rebuilds a learner; it is recorded as the public
# `streamml.loads_checkpoint`, which stays where it is whatever module implements it.
loads_checkpoint.__module__ = "streamml"


def load_checkpoint(path):
    """A ready estimator from one checkpoint file (e.g. ``<dir>/<name>/v000003.h5``)."""
    path = os.fspath(path)
    model, core = _new_model(_streamml._describe_checkpoint_file(path))
    _streamml._load_checkpoint_file(core, path)
    return model


def describe_checkpoint(path):
    """One checkpoint file's root attributes as a dict, without reading its datasets.

    Keys: ``format_version``, ``library_version``, ``learner_type``, ``params`` (dict),
    ``created_utc``, ``version``, ``parent_version``, ``batch_index``, ``source_positions``
    (dict), ``metrics`` (dict), plus ``path`` and ``datasets`` ({name: {"dtype", "shape"}}).
    """
    return _described(_streamml._describe_checkpoint_file(os.fspath(path)))


class CheckpointStore:
    """Versioned checkpoints of named models in a directory: ``<path>/<name>/v000001.h5``, ...

    The C++ ``CheckpointStore`` (core/checkpoint_store.h): each version is written under a
    temporary name, fsynced and linked into place, so a crash never leaves a partial version
    and never harms an older one; versions only grow, also with several processes saving into
    one directory. The directory (and parents) is created if missing. Model names are 1 to 100
    characters of letters, digits, ``.``, ``_``, ``-``, not starting with ``.``.

    The GIL is released while files are written and read.
    """

    def __init__(self, path):
        self._store = _streamml._CheckpointStore(os.fspath(path))

    @property
    def path(self):
        return self._store.dir

    def __repr__(self):
        return f"streamml.CheckpointStore({self.path!r})"

    def save(self, name, model, metadata=None):
        """Saves a new version of ``name`` and returns its number (1, 2, ...).

        ``model``: a LogisticRegressionSGD, StreamingKMeans, WindowedDBSCAN or
        PrequentialEvaluator. ``metadata`` (optional dict): ``batch_index`` (the last batch the
        model learned, default -1), ``source_positions`` and ``metrics`` (dicts or JSON text;
        metrics default to the model's own), ``parent_version`` (default: the newest version
        before this save, 0 for none).
        """
        metadata = dict(metadata or {})
        unknown = sorted(set(metadata) - set(_METADATA))
        if unknown:
            raise ValueError(f"unknown metadata {unknown}; known: {list(_METADATA)}")
        metrics = metadata.get("metrics")
        return self._store.save(
            name, _core(model),
            batch_index=_integer("batch_index", metadata.get("batch_index", -1)),
            source_positions=_json_text("source_positions", metadata.get("source_positions", {})),
            metrics="" if metrics is None else _json_text("metrics", metrics),
            parent_version=_integer("parent_version", metadata.get("parent_version", -1)))

    def versions(self, name):
        """The complete versions of ``name``, ascending (empty when there are none)."""
        return list(self._store.versions(name))

    def latest(self, name):
        """The newest version of ``name``, or None."""
        return self._store.latest(name)

    def names(self):
        """The models that have at least one version, sorted."""
        return list(self._store.names())

    def _version(self, name, version):
        if version is None:
            version = self._store.latest(name)
            if version is None:
                self._store.describe(name, None)  # raises "no checkpoint of <name> in <dir>"
        return _integer("version", version)

    def load(self, name, version=None):
        """A ready estimator from a version of ``name`` (default: the newest)."""
        version = self._version(name, version)
        model, core = _new_model(self._store.describe(name, version))
        self._store.load(name, core, version)
        return model

    def describe(self, name, version=None):
        """A version's root attributes as a dict (see ``describe_checkpoint``), datasets unread."""
        return _described(self._store.describe(name, self._version(name, version)))

    def prune(self, name, keep_last):
        """Deletes all but the newest ``keep_last`` (>= 1) versions; returns the deleted ones."""
        return list(self._store.prune(name, _integer("keep_last", keep_last)))


def _reduce_evaluator(evaluator):
    return (loads_checkpoint, (dumps_checkpoint(evaluator),))


PrequentialEvaluator.__reduce__ = _reduce_evaluator
