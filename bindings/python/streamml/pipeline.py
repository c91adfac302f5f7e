"""streamml.Pipeline: a stream through learner stages that run in C++, with checkpoints.

What ``streamml replay --learner ...`` runs, built from Python::

    import streamml
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", fit_intercept=True)
    pipeline = streamml.Pipeline(
        streamml.replay("data/clicks.csv", label="clicked", time="event_time",
                        categorical=["device", "ad_category"], batch_size=1000),
        checkpoint_dir="/tmp/ck", checkpoint_every=10)
    pipeline.add("ctr", model)
    report = pipeline.run(resume=True)   # the same dict as `streamml replay --summary`
    model.coef_                          # the model has learned the stream

The source is read, parsed and batched by the C++ pipeline (oneTBB, the GIL released), and
every stage runs in C++: no Python call per record or per batch. A learner stage is the
estimator itself (its compiled learner is shared), run as its role says: a classifier
test-then-train (prequential figures in the report), a clusterer learn-then-label, a decision
learner (Allocator, Autoscaler) observe-then-decide, each record getting its service's decision
as output columns ("<stage>.instances", ...) and the report the decisions' cost and changes. A callback
stage calls a Python function with each batch; under checkpoints it must say how it keeps
state: ``state="stateless"``, or the streamml model it updates (checkpointed with the rest).
A windowed-count stage is the DStream graph that ``streamml replay --count-by`` runs: each key
counted in (sliding) windows of event time, a window emitted when the watermark closes it.
"""

import json
import os

from ._estimator import Checkpointed, Learner
from ._streamml import Replay, _Pipeline

__all__ = ["Pipeline"]


class Pipeline:
    """A stream through stages, with consistent checkpoints and exact resume.

    Parameters
    ----------
    source : streamml.Replay
        ``streamml.replay(path, ...)`` (a recorded file) or ``streamml.from_arrays(X, y, ...)``,
        not iterated yet: its batching and bad-record settings are the pipeline's.
    checkpoint_dir : str or os.PathLike, optional
        Where checkpoints go: one version of each stateful stage (under the stage's name) and
        of the pipeline's manifest (``pipeline``), as the command line's ``--checkpoint-dir``.
    checkpoint_every : int, optional
        A checkpoint after every this many batches (and at the end of the stream).
    checkpoint_seconds : float, optional
        A checkpoint after the first batch that ends this many seconds after the last one.
    keep_checkpoints : int
        Keep the newest this many checkpoints (0: all).
    threads : int
        Parsing threads (0: every core). Results do not depend on it.
    speed : float
        0: as fast as possible; x: x times the recorded pace (needs event times).
    """

    def __init__(self, source, *, checkpoint_dir=None, checkpoint_every=None, checkpoint_seconds=None,
                 keep_checkpoints=0, threads=0, speed=0.0):
        if not isinstance(source, Replay):
            raise TypeError(f"source must be a streamml.replay(...) or streamml.from_arrays(...), "
                            f"got {type(source).__name__}")
        self._source = source
        self._settings = dict(
            checkpoint_dir="" if checkpoint_dir is None else os.fspath(checkpoint_dir),
            checkpoint_every=0 if checkpoint_every is None else checkpoint_every,
            checkpoint_seconds=0.0 if checkpoint_seconds is None else checkpoint_seconds,
            keep_checkpoints=keep_checkpoints, threads=threads, speed=speed)
        self._stages = []
        self._outputs = []
        self._core = None
        self.report_ = None
        self.late_records_ = {}

    def add(self, name, estimator, **evaluation):
        """Adds a learner stage named ``name`` (also its checkpoints' name): the streamml
        estimator itself, which learns as the stream runs. ``evaluation``: the prequential
        settings of a classifier (``window``, ``auc_bins``; the threshold is the classifier's
        own), or of a recommender's ranking (ALS: ``top_n``, ``window``; each record gets
        "<name>.score", its predicted rating before the batch). Returns self."""
        if not isinstance(estimator, Learner) or getattr(estimator, "_role", None) == "evaluator":
            raise TypeError(f"stage {name!r}: a learner stage takes a streamml learner "
                            f"(LogisticRegressionSGD, StreamingKMeans, ...), got {type(estimator).__name__}")
        if "threshold" not in evaluation and "threshold" in estimator._get_param_names():
            evaluation["threshold"] = estimator.threshold
        self._stages.append(("learner", name, estimator, evaluation))
        return self

    def add_callback(self, name, fn, *, state=None):
        """Adds a stage that calls ``fn(batch)`` with each batch (a streamml.Batch: a copy, with
        ``batch.outputs`` holding what earlier stages added). The only Python calls of a run.

        state : None, "stateless", or a streamml model (e.g. an estimator ``fn`` trains)
            What the stage keeps from batch to batch. With checkpoints a pipeline refuses a
            stage that has not said: a resume would seek the stream past records whose effect
            on that state would be lost. A model given here is checkpointed and restored with
            the other stages, under the stage's name. Returns self.
        """
        if not callable(fn):
            raise TypeError(f"stage {name!r}: fn must be callable, got {type(fn).__name__}")
        if state is not None and not isinstance(state, (str, Checkpointed)):
            raise TypeError(f"stage {name!r}: state must be None, \"stateless\" or a streamml model, "
                            f"got {type(state).__name__}")
        if state is None and self._settings["checkpoint_dir"]:
            raise ValueError(
                f"callback stage {name!r} has not said how it keeps state, so a checkpoint cannot "
                f"hold it: a resume would seek the stream past records whose effect on that state "
                f"is lost. Pass state=\"stateless\" if it keeps nothing across batches, or "
                f"state=<the streamml model it updates>")
        self._stages.append(("callback", name, fn, state))
        return self

    def add_count_by_window(self, name, window, slide=None, lateness="0s"):
        """Adds a stage that counts each key of the stream (the replay's ``key`` column) in
        windows of event time: Spark's ``countByValueAndWindow`` on the keys after
        ``withWatermark(lateness)`` (the C++ DStream graph ``with_watermark`` ->
        ``count_by_key_and_window``). Windows of length ``window`` start every ``slide``
        (default: ``window``, tumbling), aligned to the epoch; a window is emitted once the
        watermark (latest event time - lateness) passes its end, and the rest at the end of the
        stream; records older than the watermark are dropped and counted as late. Durations are
        text such as "500ms", "10s", "2m", or seconds. Its windows and keyed panes are saved in
        checkpoints. After ``run()``, ``windows(name)`` has the counts. Returns self."""
        def text(value):
            return value if isinstance(value, str) else f"{float(value)!r}s"
        self._stages.append(("count_by_window", name,
                             (text(window), "" if slide is None else text(slide), text(lateness)), None))
        return self

    def add_top_risk(self, name, churn, k=20, every=None):
        """Adds the top-risk list after a churn stage: the ``k`` riskiest customers of
        ``churn`` (the streamml.ChurnModel added before with ``add``) as the result table
        ``name`` (rank, customer, risk, value, idle_days) after each batch, or with ``every`` (a duration,
        "1d", or seconds) only after the batches whose event-time interval ends on a multiple of
        it. ``add_output(path, table=name)`` writes it. Stateless. Returns self."""
        self._check_churn(name, churn)
        self._stages.append(("top_risk", name, churn, (int(k), self._every(every))))
        return self

    def add_retention(self, name, churn, every=None, **settings):
        """Adds the retention budget after a churn stage: each decision (every batch, or as
        ``every`` in add_top_risk) solves streamml.plan_retention on ``churn``'s risks and
        values; the plan is the result table ``name`` (customer, offer, risk, value,
        expected_saved, cost) and each record gets "<name>.offer" (-1: none). Settings as
        plan_retention's. Stateless. Returns self."""
        from .churn import _retention_settings
        self._check_churn(name, churn)
        self._stages.append(("retention", name, churn, (_retention_settings(settings), self._every(every))))
        return self

    def add_output(self, path, table=None, columns=None, format="auto", kafka_config=None):
        """Writes results to ``path`` exactly once across resumes (a FileSink, as ``streamml replay
        --output`` / ``--output-table``): one row per record with the chosen output columns
        (default: every one), or the rows of the result table ``table`` (a top-risk list, a
        retention plan), each with its batch. CSV or JSON Lines (``format``, or from the
        extension). ``path`` may be a topic, ``kafka://HOST:PORT/TOPIC``: one message per row
        (JSON Lines unless ``format="csv"``), keyed by the record's key, at least once with its
        ``batch`` and ``record`` as headers and fields (a KafkaSink, streaming/kafka/kafka_sink.h);
        ``kafka_config``: librdkafka properties for its producer. Returns self."""
        path = os.fspath(path)
        if kafka_config and not path.startswith("kafka://"):
            raise ValueError(f"kafka_config is for a kafka://HOST:PORT/TOPIC output, got {path!r}")
        self._outputs.append((path, table or "", list(columns or []), format,
                              {str(k): str(v) for k, v in (kafka_config or {}).items()}))
        return self

    def _check_churn(self, name, churn):
        from .churn import ChurnModel
        if not isinstance(churn, ChurnModel):
            raise TypeError(f"stage {name!r} decides from a streamml.ChurnModel, got {type(churn).__name__}")
        if not any(kind == "learner" and what is churn for kind, _, what, _ in self._stages):
            raise ValueError(f"stage {name!r}: add the ChurnModel as a stage first (pipeline.add(name, churn))")

    @staticmethod
    def _every(every):
        if every is None:
            return ""
        return every if isinstance(every, str) else f"{float(every)!r}s"

    def windows(self, name):
        """The windows a ``add_count_by_window`` stage emitted during ``run()``: a dict of arrays,
        one entry per (window, key), oldest window first: ``window_start``, ``window_end``
        (datetime64[us]), ``key`` (str), ``count`` (int64); ``pandas.DataFrame(...)`` takes it.
        The records it dropped as late are in ``late_records_[name]``."""
        if self._core is None:
            raise ValueError(f"windows({name!r}): the pipeline has not run yet")
        counted = self._core.counted_windows(name)
        self.late_records_[name] = counted.pop("late_records")
        return counted

    def run(self, resume=False):
        """Runs the stream to its end and returns the report: the dict ``streamml replay
        --summary`` writes (records, batches, timings, each stage's figures under "stages",
        checkpoints written, and after a resume where it resumed from). With ``resume``, first
        restores every stateful stage from the newest complete checkpoint and continues the
        stream after it, exactly: nothing learned twice, nothing lost. A pipeline runs once."""
        core = _Pipeline(self._source, resume=bool(resume), **self._settings)
        for kind, name, what, extra in self._stages:
            if kind == "learner":
                core.add_learner(name, what._learner(), extra)
            elif kind == "count_by_window":
                core.add_count_by_window(name, *what)
            elif kind == "top_risk":
                core.add_top_risk(name, what._learner(), *extra)
            elif kind == "retention":
                core.add_retention(name, what._learner(), *extra)
            else:
                state = extra._learner() if isinstance(extra, Checkpointed) else extra
                core.add_callback(name, what, state)
        for output in self._outputs:
            core.add_output(*output)
        self._core = core
        self.report_ = json.loads(core.run())
        return self.report_
