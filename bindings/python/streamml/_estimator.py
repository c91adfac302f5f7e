"""scikit-learn's estimator protocol, once, for every streamml learner, derived from the settings
tables.

A learner class names its registered type and gives its narrative docstring and what is its
own; everything about its settings comes from the C++ settings table (``_learner_types()``)::

    class StreamingKMeans(Learner, type="kmeans", core=_StreamingKMeans):
        '''k-means on a stream ...

        {parameters}
        '''

Made from the table, once, when the class is defined:

* ``__init__``: keyword-only, one argument per setting with the table's name and default (a
  list default becomes None, scikit-learn's rule for mutable defaults), so
  ``inspect.signature``, ``get_params``, ``sklearn.base.clone`` work and a misspelled keyword
  raises TypeError. The constructor only stores its arguments; the settings are checked by the
  C++ table when the compiled learner ("the core") is built (first use, or ``set_params``), in
  one message style: ``kmeans: half_life must be >= 0, got -1``.
* the "Parameters" section of the docstring (where ``{parameters}`` stands, or at the end);
* the checkpoint loader's entry: ``learner_type`` -> this class (``checkpoint_class``).

A class adapts the table only where Python says a setting differently: ``_renamed`` (C++ name
-> keyword), ``_hidden`` (settings a keyword sets for them, e.g. k-means' ``initial_centers``
given as ``init``), ``_none_default`` (keywords whose default is None, meaning the table's
default), ``_param_docs`` (what a keyword accepts beyond the table's doc), and the hooks
``_to_settings`` / ``_from_settings`` between keywords and settings.
"""

import functools
import inspect
import json

import numpy as np

from . import _streamml

__all__ = ["Estimator", "Checkpointed", "Learner", "Evaluator", "checkpoint_class",
           "checkpoint_classes"]

# learner_type -> the class that loads its checkpoints, filled by the classes themselves.
_CHECKPOINT_CLASSES = {}

# The scikit-learn estimator checks that cannot apply to a streaming estimator, with the reason:
# the one list. tests/python/test_sklearn_conformance.py runs every check on every estimator
# (parametrize_with_checks), and scikit-learn marks these expected failures (`_xfail_checks`).
XFAIL_CHECKS = {
    "LogisticRegressionSGD": {
        "check_estimators_unfitted": "a streaming learner predicts from its state at any time: "
                                     "before any data from initial_weights and initial_intercept "
                                     "(P = 0.5 by default), which scores a prequential run's "
                                     "first batch",
    },
}


@functools.lru_cache(maxsize=None)
def _registry():
    """The C++ learner registry: type name -> {name, role, summary, settings}."""
    return {t["name"]: t for t in _streamml._learner_types()}


def checkpoint_class(learner_type):
    """The class that loads checkpoints of ``learner_type``, or None."""
    return _CHECKPOINT_CLASSES.get(learner_type)


def checkpoint_classes():
    """learner_type -> class, for every type the Python module loads."""
    return dict(_CHECKPOINT_CLASSES)


# ---- values between Python and the tables ------------------------------------------------------

def _python_value(setting, value):
    """A setting's JSON value as Python: floats for float settings (JSON writes 1.0 as 1)."""
    kind = setting["type"]
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind.startswith("list") and isinstance(value, list):
        return np.array(value, dtype=np.float64) if value else None
    return value


def _default(setting):
    value = _python_value(setting, json.loads(setting["default"]))
    return None if isinstance(value, np.ndarray) else value


def _changed(value, default):
    """Whether a parameter differs from its default (for __repr__)."""
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return True
    if default is None or value is None:
        return value is not default
    try:
        return bool(value != default)
    except (TypeError, ValueError):
        return True


def _type_text(setting, default):
    if setting["choices"]:
        text = "{" + ", ".join(repr(c) for c in setting["choices"]) + "}"
    else:
        text = {"float": "float", "int": "int", "bool": "bool", "str": "str",
                "list of float": "array-like of float",
                "list of rows of float": "array-like of rows of float"}.get(setting["type"], setting["type"])
    if setting["range"]:
        text += " " + setting["range"]
    return f"{text}, default={default!r}"


class Estimator:
    """get_params / set_params / repr over the keyword arguments a settings table gives."""

    _settings_info = ()    # the table's rows (dicts, C++ names), in the table's order
    _renamed = {}          # C++ name -> Python keyword
    _hidden = ()           # C++ settings that are not keywords
    _none_default = ()     # keywords whose default is None: the table's default
    _param_docs = {}       # keyword -> doc replacing the table's
    _keeps_state = False   # set_params continues from the learned state
    _new_core = None       # settings dict (, previous core) -> core
    _sklearn_tags = {}     # scikit-learn's estimator tags (binary_only, ...)

    def __init_subclass__(cls, *, settings=None, core=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if core is not None:
            cls._new_core = staticmethod(core)
        if settings is not None:
            cls._settings_info = tuple(settings)
            cls.__init__ = _make_init(cls)
            cls.__doc__ = _with_parameters(cls)

    # ---- keywords <-> settings ----------------------------------------------------------------

    @classmethod
    def _keywords(cls):
        """(keyword, setting row, default) per constructor argument, in the table's order."""
        out = []
        for s in cls._settings_info:
            if s["name"] in cls._hidden:
                continue
            name = cls._renamed.get(s["name"], s["name"])
            out.append((name, s, None if name in cls._none_default else _default(s)))
        return out

    def _to_settings(self, params):
        """The C++ settings for keyword values: renamed back; None means the table's default."""
        python = {python: cpp for cpp, python in self._renamed.items()}
        return {python.get(name, name): value for name, value in params.items() if value is not None}

    @classmethod
    def _from_settings(cls, settings):
        """Constructor keywords for settings JSON (a checkpoint's params, parsed)."""
        out = {}
        for name, s, default in cls._keywords():
            if s["name"] not in settings:
                continue
            value = _python_value(s, settings[s["name"]])
            if name in cls._none_default and value == _default(s):
                value = None
            out[name] = value
        return out

    # ---- scikit-learn's protocol --------------------------------------------------------------

    @classmethod
    def _get_param_names(cls):
        return sorted(p.name for p in inspect.signature(cls.__init__).parameters.values()
                      if p.kind == p.KEYWORD_ONLY)

    def get_params(self, deep=True):
        """The constructor's arguments as a dict (there are no nested estimators to visit)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Changes settings. An unknown name or a bad value raises ValueError and changes
        nothing; the class's docstring says whether learned state is kept."""
        names = self._get_param_names()
        for name in params:
            if name not in names:
                raise ValueError(f"Invalid parameter {name!r} for estimator {self!r}. "
                                 f"Valid parameters are: {names!r}.")
        core = self._make_core({**self.get_params(), **params}, self.__dict__.get("_core"))
        for name, value in params.items():
            setattr(self, name, value)
        self._core = core
        return self

    def __repr__(self):
        defaults = {p.name: p.default
                    for p in inspect.signature(type(self).__init__).parameters.values()
                    if p.kind == p.KEYWORD_ONLY}
        changed = [f"{name}={getattr(self, name)!r}" for name, default in defaults.items()
                   if _changed(getattr(self, name), default)]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _more_tags(self):
        return {**self._sklearn_tags, "_xfail_checks": XFAIL_CHECKS.get(type(self).__name__, {})}

    # ---- the compiled object ------------------------------------------------------------------

    def _init(self, params):
        """What the constructor does with its arguments: stores them (scikit-learn's rule)."""
        for name, value in params.items():
            setattr(self, name, value)

    @classmethod
    def _learned(cls, core):
        """Whether `core` has learned anything worth carrying over set_params."""
        return True

    def _make_core(self, params, previous):
        settings = self._to_settings(params)
        if previous is not None and self._keeps_state and self._learned(previous):
            return self._new_core(settings, previous)
        return self._new_core(settings)

    def _learner(self):
        core = self.__dict__.get("_core")
        if core is None:
            core = self._make_core(self.get_params(), None)
            self._core = core
        return core

    def _restart(self):
        """A fresh core from the settings (what fit does first)."""
        self._core = self._make_core(self.get_params(), None)
        return self._core


def _make_init(cls):
    """A real keyword-only __init__(self, *, name=default, ...) for the class's keywords."""
    keywords = cls._keywords()
    defaults = {name: default for name, _, default in keywords}
    args = ", ".join(f"{name}=_defaults[{name!r}]" for name in defaults)
    names = ", ".join(f"{name!r}: {name}" for name in defaults)
    source = f"def __init__(self, *, {args}):\n    self._init({{{names}}})\n" if defaults else \
        "def __init__(self):\n    self._init({})\n"
    namespace = {"_defaults": defaults}
    exec(source, namespace)  # noqa: S102 (the names are the settings table's identifiers)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__name__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = f"Keyword-only settings; see {cls.__name__}'s docstring."
    return init


def _with_parameters(cls):
    """The class docstring with its Parameters section, written from the settings table."""
    lines = ["Parameters (keyword-only; a misspelled keyword raises TypeError)",
             "----------"]
    for name, s, default in cls._keywords():
        lines.append(f"{name} : {_type_text(s, default)}")
        doc = cls._param_docs.get(name, s["doc"])
        lines.extend("    " + line for line in doc.splitlines())
    section = "\n".join(lines)
    doc = inspect.cleandoc(cls.__doc__ or "")
    if "{parameters}" in doc:
        return doc.replace("{parameters}", section)
    return doc + "\n\n" + section


class Checkpointed:
    """A class whose objects a checkpoint holds whole (streamml/_checkpoint.py), registered as
    the loader of its ``learner_type`` by ``class C(Checkpointed, type="name")``.

    ``pickle`` (and ``copy``) store the object as its checkpoint bytes, the format-versioned HDF5
    file a CheckpointStore writes, never as a dump of Python objects: the pickle keeps loading
    after streamml's modules change, and the unpickled object predicts the same and continues
    training bit for bit. What the Python object keeps beside the core (``_python_state``,
    e.g. a classifier's class labels) travels in the checkpoint's user metadata.
    """

    def __init_subclass__(cls, *, type=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if type is not None:
            _CHECKPOINT_CLASSES[type] = cls
            cls._type = type

    def __reduce__(self):
        from ._checkpoint import dumps_checkpoint, loads_checkpoint
        return (loads_checkpoint, (dumps_checkpoint(self),))

    def _python_state(self):
        """JSON-serialisable state the Python object keeps beside its core ({} for none)."""
        return {}

    def _set_python_state(self, state):
        pass

    @classmethod
    def _from_checkpoint(cls, params):
        """A fresh object for a checkpoint's settings (params JSON, parsed), ready to load."""
        return cls(**cls._from_settings(params))


class Learner(Checkpointed, Estimator):
    """A registered learner type: ``class C(Learner, type="kmeans", core=...)``. ``core`` is the
    compiled class (a subclass of ``_Learner``); without it, the generic ``_Learner``."""

    _keeps_state = False

    def __init_subclass__(cls, *, type=None, core=None, **kwargs):
        if type is not None:
            info = _registry().get(type)
            if info is None:
                raise TypeError(f"{cls.__name__}: no learner type {type!r} is registered "
                                f"(known: {', '.join(_registry())})")
            kwargs["settings"] = info["settings"]
            if core is None:
                core = functools.partial(_streamml._Learner, type)
            cls._role = info["role"]
            # scikit-learn tells classifiers and clusterers apart by this attribute.
            estimator_type = {"classifier": "classifier", "clusterer": "clusterer"}.get(info["role"])
            if estimator_type:
                cls._estimator_type = estimator_type
        super().__init_subclass__(type=type, core=core, **kwargs)

    @property
    def summary_(self):
        """The learner's figures as a pipeline's summary shows them (a dict)."""
        return json.loads(self._learner().summary_json)


class Evaluator(Learner):
    """A registered evaluator (role "evaluator"): not an estimator. Its keywords make the
    compiled evaluator at once (bad settings raise ValueError there) and are kept in
    ``_params``, so its attributes may reuse a setting's name for a figure."""

    def _init(self, params):
        self._params = params
        self._core = self._make_core(params, None)

    @classmethod
    def _get_param_names(cls):
        return ()

    def __repr__(self):
        changed = [f"{name}={self._params[name]!r}" for name, _, default in self._keywords()
                   if _changed(self._params[name], default)]
        return f"{type(self).__name__}({', '.join(changed)})"
