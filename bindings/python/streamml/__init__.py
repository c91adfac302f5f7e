"""streamml: machine learning on streams.

A oneTBB micro-batch core in C++ feeding streaming learners; this package iterates its
micro-batches as NumPy arrays without copying them::

    import streamml
    for batch in streamml.replay("data/clicks.csv", label="clicked", key="user",
                                 time="event_time", categorical=["device", "ad_category"]):
        batch.features      # (n, d) float64, C-contiguous
        batch.labels        # (n,) float64
        batch.event_times   # (n,) datetime64[us]

Checkpoints: ``streamml.CheckpointStore(path)`` keeps versions of named models
(``save``/``load``/``describe``/``prune``), ``load_checkpoint``/``describe_checkpoint`` read one
file, and every streaming learner pickles as the same format-versioned HDF5 bytes.

Errors: bad input raises ValueError (the message names file:line:column for bad records),
I/O failures OSError, anything else RuntimeError.
"""

import json as _json
import os as _os

from ._streamml import *  # noqa: F401,F403  (Batch, Replay)
from ._streamml import Batch, Replay, __version__, _from_arrays, _open_replay
from .linear import LogisticRegressionSGD, PrequentialEvaluator, prequential
from .clustering import StreamingKMeans
from .dbscan import DBSCAN, WindowedDBSCAN
from .optimize import (LPSolver, LpModel, OptimizeResult, linprog, milp, read_lp, read_mps, solve,
                       write_mps)
from .recommend import ALS, PrequentialRanking, ranking_metrics_at_k
from .decision import Allocator, Autoscaler
from .churn import ChurnModel, plan_retention
from .pipeline import Pipeline
from ._checkpoint import (CheckpointStore, describe_checkpoint, dumps_checkpoint, load_checkpoint,
                          loads_checkpoint)

__all__ = ["Batch", "Replay", "replay", "from_arrays", "LogisticRegressionSGD",
           "PrequentialEvaluator", "prequential", "StreamingKMeans", "DBSCAN", "WindowedDBSCAN", "ALS",
           "PrequentialRanking", "ranking_metrics_at_k", "Allocator", "Autoscaler", "ChurnModel", "plan_retention",
           "Pipeline",
           "CheckpointStore", "load_checkpoint", "describe_checkpoint", "dumps_checkpoint",
           "loads_checkpoint", "linprog", "milp", "solve", "read_mps", "read_lp", "write_mps",
           "LpModel", "LPSolver", "OptimizeResult", "__version__"]


def _names(argument, value):
    """None, one column name, or a list of them -> None or a list of str."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{argument} must be a column name or a list of them, "
                            f"got an item {name!r}")
    return names


def replay(path, format=None, label=None, features=None, key=None, time=None,
           categorical=None, text=None, batch_size=1000, batch_interval=None,
           on_bad="skip", allow_nan=False, dead_letter=None, hash_bits=18, delimiter=",",
           key_type="string", start=None, item=None, ids=None, columns=None, kafka=None):
    """Replay a recorded CSV or JSON Lines file, or a Kafka topic, as an iterator of micro-batches.

    Parameters
    ----------
    path : str or os.PathLike
        A file, or a topic as ``"kafka://HOST:PORT/TOPIC[,TOPIC2]"`` (give ``format``; the
        message's key and timestamp are the columns ``"@key"`` and ``"@timestamp"``).
    format : {"csv", "jsonl"} or None
        None: JSON Lines for .jsonl/.ndjson/.json, CSV otherwise.
    label : str, optional
        Column of numeric targets (``Batch.labels``).
    features : list of str, optional
        Dense numeric feature columns; default: every column not given another role.
    key : str, optional
        Entity id column (``Batch.keys``); ``key_type`` says whether it is "string" or "int".
    item : str, optional
        Item id column (what a user rated or bought): ``Batch.ids["item"]``.
    ids : dict of str to str, optional
        Further id columns by role, e.g. ``{"service": "svc"}``: ``Batch.ids[role]``; of
        ``key_type`` like the key.
    time : str, optional
        Event-time column, epoch seconds or ISO 8601 (``Batch.event_times``).
    categorical, text : list of str, optional
        Columns hashed into ``Batch.sparse`` (2**hash_bits columns) as "column=value" /
        "column=word", signed MurmurHash3, as scikit-learn's FeatureHasher.
    batch_size : int
        Records per batch when batching by count.
    batch_interval : float seconds or str such as "500ms", "1s", "2m", optional
        Batch by event-time interval instead (needs ``time``); empty intervals give empty
        batches.
    on_bad : {"skip", "error"}
        A malformed record is skipped and counted (``Replay.bad_records``), or raises
        ValueError naming file:line:column.
    allow_nan : bool
        Accept NaN/Inf (and empty numeric fields, read as NaN) instead of treating them as bad.
    dead_letter : str or os.PathLike, optional
        JSON Lines file receiving every skipped record with its line number.
    hash_bits : int
    delimiter : str
        CSV field separator (one character).
    key_type : {"string", "int"}
    start : streamml.Batch, dict or str, optional
        Resume after a batch of an earlier replay of the same file with the same settings:
        the Batch itself, its ``end_position`` dict, or that position as JSON text. The
        stream continues with exactly the records after it, and batch numbering continues
        from the batch's index when a Batch is given (from 0 for a bare position). The
        dead-letter file is appended to rather than started anew.

    columns : list of str, optional
        CSV without a header row (a Kafka topic's messages): the column names.
    kafka : dict, optional
        For a topic: ``group`` (consumer group), ``until_end`` (stop at the end offsets seen at
        start, as ``kcat -e``), ``idle_timeout_ms`` (default 5000) and ``config`` (librdkafka
        properties by their own names). Positions are offsets per partition.

    Returns
    -------
    streamml.Replay
        An iterator of ``streamml.Batch``; after the last one, ``bad_records``,
        ``late_records`` and ``position`` give the stream's totals.

    Raises
    ------
    OSError if the file cannot be read; ValueError for settings or a header that do not fit,
    and for the first bad record under on_bad="error".
    """
    first_index = 0
    if isinstance(start, Batch):
        start, first_index = start.end_position, start.index + 1
    if isinstance(start, dict):
        start = _json.dumps(start)
    if start is not None and not isinstance(start, str):
        raise TypeError("start must be a streamml.Batch, a position dict or JSON text, got "
                        + type(start).__name__)
    return _open_replay(
        path=path if isinstance(path, str) and path.startswith("kafka://") else _os.fspath(path), format=format, label=label, features=_names("features", features),
        key=key, time=time, categorical=_names("categorical", categorical),
        text=_names("text", text), key_type=key_type, batch_size=batch_size,
        batch_interval=batch_interval, on_bad=on_bad, allow_nan=bool(allow_nan),
        dead_letter=None if dead_letter is None else _os.fspath(dead_letter),
        hash_bits=hash_bits, delimiter=delimiter, start=start, first_index=first_index,
        ids=_id_roles(item, ids), columns=None if columns is None else _names("columns", columns),
        kafka=dict(kafka or {}))


def _id_roles(item, ids):
    """item= and ids= as (role, column) pairs, item first."""
    roles = [] if item is None else [("item", item)]
    for role, column in dict(ids or {}).items():
        if not isinstance(role, str) or not isinstance(column, str):
            raise TypeError(f"ids maps roles to column names (str to str), got {role!r}: {column!r}")
        roles.append((role, column))
    return roles


def from_arrays(X, y=None, keys=None, times=None, batch_size=1000, batch_interval=None,
                name="memory"):
    """Stream arrays already in memory as micro-batches (the same batches a file would give).

    Parameters
    ----------
    X : array-like of shape (n, d), converted to float64
    y : array-like of shape (n,), optional
    keys : array-like of int or str, shape (n,), optional
    times : array-like of shape (n,), optional
        datetime64 (any unit), epoch seconds, or ISO 8601 strings.
    batch_size : int
    batch_interval : float seconds or str such as "1s", optional (needs ``times``)
    name : str
        The ``source`` of every position.

    The arrays are copied once into the stream; NaN or Inf in X or y raises ValueError
    naming the row.

    columns : list of str, optional
        CSV without a header row (a Kafka topic's messages): the column names.
    kafka : dict, optional
        For a topic: ``group`` (consumer group), ``until_end`` (stop at the end offsets seen at
        start, as ``kcat -e``), ``idle_timeout_ms`` (default 5000) and ``config`` (librdkafka
        properties by their own names). Positions are offsets per partition.

    Returns
    -------
    streamml.Replay
    """
    return _from_arrays(X=X, y=y, keys=keys, times=times, batch_size=batch_size,
                        batch_interval=batch_interval, name=name)
