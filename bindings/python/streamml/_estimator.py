"""scikit-learn's estimator protocol, once, for every streamml learner.

A learner's settings are its constructor's keyword-only arguments, stored unchanged (so
``sklearn.base.clone`` works); the maths lives in a compiled object, "the core", built from
those settings when first needed. Subclasses define ``_make_core(params, previous)``: the core
for these settings, carrying over what ``previous`` (the current core, or None) has learned
when the learner keeps its learned state across ``set_params``.
"""

import inspect

import numpy as np


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


class Estimator:
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

    def _learner(self):
        core = self.__dict__.get("_core")
        if core is None:
            core = self._make_core(self.get_params(), None)
            self._core = core
        return core


class Checkpointed(Estimator):
    """A learner whose whole state a checkpoint holds (streamml/_checkpoint.py).

    ``pickle`` (and ``copy``) store the learner as its checkpoint bytes, the format-versioned
    HDF5 file a CheckpointStore writes, never as a dump of Python objects: the pickle keeps
    loading after streamml's modules change, and the unpickled learner predicts the same and
    continues training bit for bit. Subclasses give ``_params_from_checkpoint(params)``: the
    constructor's keywords for the settings a checkpoint's ``params`` JSON holds.
    """

    def __reduce__(self):
        from ._checkpoint import dumps_checkpoint, loads_checkpoint
        return (loads_checkpoint, (dumps_checkpoint(self),))

    @classmethod
    def _same_names(cls, params):
        """The constructor's keywords from settings JSON that uses the same names; numbers
        are given their defaults' type (JSON writes 1.0 as 1)."""
        defaults = {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
                    if p.kind == p.KEYWORD_ONLY}
        kwargs = {name: params[name] for name in defaults}
        for name, value in kwargs.items():
            if isinstance(defaults[name], float) and isinstance(value, int) and not isinstance(value, bool):
                kwargs[name] = float(value)
        return kwargs
