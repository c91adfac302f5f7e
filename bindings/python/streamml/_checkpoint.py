"""Checkpoints from Python: a versioned store, single files, bytes, and pickling.

One format everywhere (README, "Checkpoints and resume"): a self-describing HDF5 file of
checkpoint format 1, the same whether C++ (``streamml replay --checkpoint-dir``), this module
or ``pickle`` wrote it. Loading makes the estimator class the file's ``learner_type`` names,
with the settings of its ``params``, and restores the whole state, optimizer memory included,
so the model predicts the same and goes on learning exactly as the saved one would have.

Example::

    import streamml
    store = streamml.CheckpointStore("/tmp/ck")
    version = store.save("clicks", model, metadata={"batch_index": 41, "run": "nightly-07"})
    model = store.load("clicks")             # the newest version, a ready estimator
    store.describe("clicks")["params"]       # root attributes, JSON ones parsed
    store.describe("clicks")["user_metadata"]  # {"run": "nightly-07"}
    store.prune("clicks", keep_last=5)

Errors: a damaged, truncated, foreign or newer file raises ValueError naming it and what is
wrong; a file that cannot be read raises OSError.
"""

import json
import os

from . import _streamml
from ._estimator import Checkpointed, checkpoint_class, checkpoint_classes

__all__ = ["CheckpointStore", "load_checkpoint", "describe_checkpoint", "dumps_checkpoint",
           "loads_checkpoint"]

_METADATA = ("batch_index", "source_positions", "metrics", "parent_version")
# The user-metadata key under which an estimator keeps what its compiled core does not hold
# (a classifier's class labels); reserved.
_ESTIMATOR_STATE = "estimator_state"


def _core(model):
    """The compiled object behind a learner (built from its settings if not yet)."""
    if not isinstance(model, Checkpointed):
        names = sorted(c.__name__ for c in checkpoint_classes().values())
        raise TypeError(f"cannot checkpoint a {type(model).__name__}: streamml checkpoints "
                        f"{', '.join(names)}")
    return model._learner()


def _new_model(info):
    """A fresh object of the checkpoint's class and settings, and its compiled core."""
    learner_type = info["learner_type"]
    cls = checkpoint_class(learner_type)
    if cls is None:
        raise ValueError(f"{info['path']}: holds a {learner_type!r} checkpoint; the Python module "
                         f"loads {', '.join(repr(t) for t in checkpoint_classes())}"
                         + (" (a pipeline's manifest names its stages' versions: load those)"
                            if learner_type == "pipeline" else ""))
    model = cls._from_checkpoint(json.loads(info["params"]))
    return model, model._learner()


def _restored(model, info):
    """The model, given back what it kept beside its core (from the user metadata)."""
    model._set_python_state(json.loads(info["user_metadata"]).get(_ESTIMATOR_STATE, {}))
    return model


def _described(info):
    """The C++ description with its JSON attributes parsed."""
    out = dict(info)
    for key in ("params", "source_positions", "metrics", "user_metadata"):
        out[key] = json.loads(info[key])
    return out


def _user_metadata(model, user):
    """The user's keys plus the estimator's own state, as JSON object text."""
    user = dict(user)
    if _ESTIMATOR_STATE in user:
        raise ValueError(f"metadata key {_ESTIMATOR_STATE!r} is reserved for the estimator's own "
                         f"state; use another name")
    state = model._python_state()
    if state:
        user[_ESTIMATOR_STATE] = state
    return _json_text("user metadata", user)


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
    return _streamml._checkpoint_bytes(_core(model), _user_metadata(model, {}))


def loads_checkpoint(data, name="<checkpoint bytes>"):
    """A ready estimator from checkpoint bytes (``dumps_checkpoint``, a file's contents).

    ``name`` is what error messages call the bytes. Damaged or truncated bytes raise
    ValueError.
    """
    data = bytes(data)
    info = _streamml._describe_checkpoint_bytes(data, name)
    model, core = _new_model(info)
    _streamml._load_checkpoint_bytes(core, data, name)
    return _restored(model, info)


# Pickles name the function that rebuilds a learner; it is recorded as the public
# `streamml.loads_checkpoint`, which stays where it is whatever module implements it.
loads_checkpoint.__module__ = "streamml"


def load_checkpoint(path):
    """A ready estimator from one checkpoint file (e.g. ``<dir>/<name>/v000003.h5``)."""
    path = os.fspath(path)
    info = _streamml._describe_checkpoint_file(path)
    model, core = _new_model(info)
    _streamml._load_checkpoint_file(core, path)
    return _restored(model, info)


def describe_checkpoint(path):
    """One checkpoint file's root attributes as a dict, without reading its datasets.

    Keys: ``format_version``, ``library_version``, ``learner_type``, ``params`` (dict),
    ``created_utc``, ``version``, ``parent_version``, ``batch_index``, ``source_positions``
    (dict), ``metrics`` (dict), ``state_version``, ``user_metadata`` (dict: the keys given to
    ``CheckpointStore.save`` beyond the known ones; {} for files without), plus ``path`` and
    ``datasets`` ({name: {"dtype", "shape"}}).
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

        ``model``: any streamml learner (its class names its checkpoint type). ``metadata``
        (optional dict): ``batch_index`` (the last batch the model learned, default -1),
        ``source_positions`` and ``metrics`` (dicts or JSON text; metrics default to the model's
        own), ``parent_version`` (default: the newest version before this save, 0 for none), and
        any other keys of your own with JSON-serialisable values (a run id, a data snapshot's
        name), kept beside them as the file's ``user_metadata`` and given back by ``describe``.
        """
        metadata = dict(metadata or {})
        user = {key: value for key, value in metadata.items() if key not in _METADATA}
        metrics = metadata.get("metrics")
        return self._store.save(
            name, _core(model),
            batch_index=_integer("batch_index", metadata.get("batch_index", -1)),
            source_positions=_json_text("source_positions", metadata.get("source_positions", {})),
            metrics="" if metrics is None else _json_text("metrics", metrics),
            parent_version=_integer("parent_version", metadata.get("parent_version", -1)),
            user_metadata=_user_metadata(model, user))

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
        info = self._store.describe(name, version)
        model, core = _new_model(info)
        self._store.load(name, core, version)
        return _restored(model, info)

    def describe(self, name, version=None):
        """A version's root attributes as a dict (see ``describe_checkpoint``), datasets unread."""
        return _described(self._store.describe(name, self._version(name, version)))

    def prune(self, name, keep_last):
        """Deletes all but the newest ``keep_last`` (>= 1) versions; returns the deleted ones."""
        return list(self._store.prune(name, _integer("keep_last", keep_last)))

