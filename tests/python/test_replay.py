"""streamml.replay / streamml.from_arrays: every figure is checked against a named oracle.

Oracles: numpy.loadtxt (CSV), the json module (JSON Lines), numpy.datetime64 (ISO 8601
times), sklearn.feature_extraction.FeatureHasher (hashed categoricals), and plain NumPy
recomputations (batch sizes, event-time intervals) written out in the tests.
"""
import itertools
import json
import os
import pathlib
import re
import sys
import threading

import numpy as np
import pytest
import scipy.sparse

import streamml
from gil_probe import count_during

REPO = pathlib.Path(__file__).resolve().parents[2]


# ---- fixtures: files written with a fixed seed, exact text under our control --------------

def _number_text(rng, n):
    """Numbers as a person or a program would write them: ints, decimals, exponents."""
    values = rng.normal(size=n) * 10.0 ** rng.integers(-4, 5, size=n)
    out = []
    for i, v in enumerate(values):
        style = i % 4
        if style == 0:
            out.append(repr(float(v)))             # shortest round-trip repr
        elif style == 1:
            out.append(str(int(round(v))))         # integer
        elif style == 2:
            out.append(f"{v:.6e}")                 # exponent form
        else:
            out.append(f"{v:.3f}")                 # fixed decimals
    return out


@pytest.fixture(scope="module")
def numeric_csv(tmp_path_factory):
    """2503 records, 6 features and a 0/1 label; the label is the 4th column (not the last)."""
    rng = np.random.default_rng(20260101)
    path = tmp_path_factory.mktemp("csv") / "numeric.csv"
    n, d = 2503, 6
    cols = [f"f{j}" for j in range(d)]
    header = cols[:3] + ["label"] + cols[3:]
    lines = [",".join(header)]
    labels = rng.integers(0, 2, size=n)
    for i in range(n):
        fields = _number_text(rng, d)
        lines.append(",".join(fields[:3] + [str(labels[i])] + fields[3:]))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def keyed_csv(tmp_path_factory):
    """user (str), device (int), ISO time, 2 features, clicked; times 0.3 s apart with a gap."""
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("keyed") / "keyed.csv"
    n = 60
    base = np.datetime64("2026-11-21T10:00:00.250000", "us")
    steps = np.full(n, 300_000)
    steps[0] = 0
    steps[30] = 4_000_000  # a 4 s gap: empty 1 s intervals in between
    times = base + np.cumsum(steps).astype("timedelta64[us]")
    lines = ["user,device,time,x,y,clicked"]
    users, devices, iso = [], [], []
    for i in range(n):
        user = f"u{rng.integers(0, 5)}"
        device = int(rng.integers(-3, 1_000_000_000_000))
        text = str(times[i])  # e.g. 2026-11-21T10:00:00.250000 (numpy's own ISO form)
        users.append(user)
        devices.append(device)
        iso.append(text)
        lines.append(f"{user},{device},{text},{rng.normal():.5f},{rng.normal():.5f},{i % 3 == 0:d}")
    path.write_text("\n".join(lines) + "\n")
    return path, users, devices, iso


def _all(it):
    return list(it)


def _memory_owner(arr):
    """The object at the end of arr's chain of views; no array on the way owns memory."""
    while isinstance(arr, np.ndarray):
        assert arr.flags.owndata is False
        arr = arr.base
    return arr


# ---- version ------------------------------------------------------------------------------

def test_version_is_the_projects():
    # Oracle: the project() line of the top-level CMakeLists.txt.
    cmake = (REPO / "CMakeLists.txt").read_text()
    version = re.search(r"project\(streamml VERSION ([0-9.]+)", cmake).group(1)
    assert streamml.__version__ == version


# ---- CSV round trip vs numpy.loadtxt -------------------------------------------------------

def test_csv_round_trip_matches_numpy_loadtxt(numeric_csv):
    oracle = np.loadtxt(numeric_csv, delimiter=",", skiprows=1)
    X_expected = np.delete(oracle, 3, axis=1)
    y_expected = oracle[:, 3]

    it = streamml.replay(numeric_csv, label="label", batch_size=500)
    batches = _all(it)
    # 2503 records in batches of 500: five full ones and the rest.
    assert [len(b) for b in batches] == [500, 500, 500, 500, 500, 3]
    assert [b.index for b in batches] == list(range(6))
    for k, b in enumerate(batches):
        assert b.features.shape == (len(b), 6)
        assert b.features.dtype == np.float64 and b.features.flags.c_contiguous
        np.testing.assert_array_equal(b.features, X_expected[500 * k: 500 * k + len(b)])
        np.testing.assert_array_equal(b.labels, y_expected[500 * k: 500 * k + len(b)])
        assert b.keys is None and b.event_times is None and b.sparse is None
        assert b.feature_names == ["f0", "f1", "f2", "f3", "f4", "f5"]
    # Exactly equal (fast_float and NumPy both round correctly), not merely close.
    assert np.array_equal(np.concatenate([b.features for b in batches]), X_expected)
    assert np.array_equal(np.concatenate([b.labels for b in batches]), y_expected)
    # Positions: bytes and records of the whole file once the stream is done.
    size = os.path.getsize(numeric_csv)
    assert batches[-1].end_position["offset"] == size
    assert batches[-1].end_position["records"] == 2503
    assert batches[-1].end_position["line"] == 2504  # header + 2503 records
    assert it.position == batches[-1].end_position
    assert it.bad_records == 0 and it.late_records == 0
    offsets = [b.end_position["offset"] for b in batches]
    assert offsets == sorted(offsets)


def test_csv_feature_subset_and_batch_size_one(numeric_csv):
    oracle = np.loadtxt(numeric_csv, delimiter=",", skiprows=1, usecols=(4, 0), max_rows=7)
    batches = _all(streamml.replay(numeric_csv, features=["f3", "f0"], batch_size=1))
    assert len(batches) == 2503 and all(len(b) == 1 for b in batches)
    assert batches[0].feature_names == ["f3", "f0"]
    np.testing.assert_array_equal(np.concatenate([b.features for b in batches[:7]]), oracle)
    # features= names the dense columns; no label= means no labels (the "label" column is unused).
    assert all(b.labels is None for b in batches[:7])


def test_csv_other_delimiter_matches_loadtxt(tmp_path, numeric_csv):
    semicolon = tmp_path / "semi.csv"
    semicolon.write_text(numeric_csv.read_text().replace(",", ";"))
    oracle = np.loadtxt(semicolon, delimiter=";", skiprows=1)
    got = np.concatenate([b.features for b in streamml.replay(semicolon, delimiter=";",
                                                              batch_size=1000)])
    np.testing.assert_array_equal(got, oracle)


# ---- JSON Lines vs the json module ---------------------------------------------------------

def test_jsonl_round_trip_matches_json_module(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "events.jsonl"
    records = []
    for i in range(1234):
        r = {"id": int(i), "a": float(rng.normal() * 1e3), "b": float(rng.normal() * 1e-3),
             "c": int(rng.integers(-100, 100)), "label": float(i % 2)}
        records.append(r)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))

    oracle = [json.loads(line) for line in path.read_text().splitlines()]
    X_expected = np.array([[r["a"], r["b"], r["c"]] for r in oracle])
    y_expected = np.array([r["label"] for r in oracle])
    keys_expected = np.array([r["id"] for r in oracle], dtype=np.int64)

    it = streamml.replay(path, label="label", key="id", key_type="int", batch_size=400)
    batches = _all(it)
    assert [len(b) for b in batches] == [400, 400, 400, 34]
    assert batches[0].feature_names == ["a", "b", "c"]
    np.testing.assert_array_equal(np.concatenate([b.features for b in batches]), X_expected)
    np.testing.assert_array_equal(np.concatenate([b.labels for b in batches]), y_expected)
    keys = np.concatenate([b.keys for b in batches])
    assert keys.dtype == np.int64
    np.testing.assert_array_equal(keys, keys_expected)
    assert it.position["offset"] == os.path.getsize(path)

    # format= overrides the extension.
    renamed = tmp_path / "events.txt"
    renamed.write_bytes(path.read_bytes())
    again = np.concatenate([b.features for b in streamml.replay(renamed, format="jsonl",
                                                                label="label", key="id")])
    np.testing.assert_array_equal(again, X_expected)


# ---- zero copy -----------------------------------------------------------------------------

def test_arrays_take_over_cpp_memory_without_copying(keyed_csv):
    path, *_ = keyed_csv
    b = next(streamml.replay(path, key="device", key_type="int", time="time", label="clicked",
                             features=["x", "y"], batch_size=25))
    arrays = {"features": b.features, "labels": b.labels, "keys": b.keys,
              "event_times": b.event_times}
    for name, arr in arrays.items():
        # Not NumPy's own allocation: the base is the capsule holding the C++ vector.
        assert arr.flags.owndata is False, name
        assert type(arr.base).__name__ == "PyCapsule", name
        # Every attribute read is the same memory (the conversion happened once).
        again = getattr(b, name)
        assert again is arr and np.shares_memory(arr, again), name
    assert b.event_times.dtype == np.dtype("datetime64[us]")
    assert b.keys.dtype == np.int64
    # Writes through one read are seen through the next: one buffer, not copies.
    b.features[0, 0] = 12345.0
    assert b.features[0, 0] == 12345.0
    # The memory outlives the batch object: the arrays keep the capsule alive.
    X = b.features
    del b, arrays
    assert X[0, 0] == 12345.0 and X.shape == (25, 2)


def test_sparse_is_csr_over_cpp_memory(keyed_csv):
    path, *_ = keyed_csv
    b = next(streamml.replay(path, categorical=["user"], features=["x"], hash_bits=8,
                             batch_size=10))
    assert isinstance(b.sparse, scipy.sparse.csr_matrix)
    assert b.sparse.shape == (10, 256)
    assert b.sparse.indices.dtype == np.int32 and b.sparse.indptr.dtype == np.int32
    # scipy keeps our arrays (its prune() step re-slices data and indices: a view, no copy).
    for arr in (b.sparse.data, b.sparse.indices, b.sparse.indptr):
        assert type(_memory_owner(arr)).__name__ == "PyCapsule"
    assert b.sparse is b.sparse


# ---- keys and event times vs numpy.datetime64 ----------------------------------------------

def test_keys_and_event_times(keyed_csv):
    path, users, devices, iso = keyed_csv
    batches = _all(streamml.replay(path, key="user", time="time", label="clicked",
                                   batch_size=16))
    assert [len(b) for b in batches] == [16, 16, 16, 12]
    keys = np.concatenate([b.keys for b in batches])
    assert keys.dtype == object and all(isinstance(k, str) for k in keys)
    assert keys.tolist() == users
    times = np.concatenate([b.event_times for b in batches])
    # Oracle: NumPy's own parse of the same ISO 8601 strings.
    expected = np.array([np.datetime64(s, "us") for s in iso])
    assert times.dtype == np.dtype("datetime64[us]")
    np.testing.assert_array_equal(times, expected)
    assert batches[0].feature_names == ["device", "x", "y"]

    by_device = streamml.replay(path, key="device", key_type="int", time="time",
                                features=["x", "y"])
    int_keys = np.concatenate([b.keys for b in by_device])
    assert by_device.bad_records == 0
    assert int_keys.dtype == np.int64
    np.testing.assert_array_equal(int_keys, np.array(devices, dtype=np.int64))


def test_epoch_seconds_times(tmp_path):
    path = tmp_path / "epoch.csv"
    seconds = ["1700000000", "1700000000.25", "1700000001.5", "1700000002.000001"]
    path.write_text("t,v\n" + "".join(f"{s},{i}\n" for i, s in enumerate(seconds)))
    (b,) = _all(streamml.replay(path, time="t"))
    # Oracle: the same instants written as NumPy datetime64 (UTC, microseconds).
    expected = np.array(["2023-11-14T22:13:20", "2023-11-14T22:13:20.250",
                         "2023-11-14T22:13:21.500", "2023-11-14T22:13:22.000001"],
                        dtype="datetime64[us]")
    np.testing.assert_array_equal(b.event_times, expected)


def test_batches_by_event_time_interval(keyed_csv):
    path, _, _, iso = keyed_csv
    t = np.array([np.datetime64(s, "us") for s in iso]).astype(np.int64)
    # Oracle: records grouped by floor(t / 1 s), intervals aligned to multiples of 1 s from
    # the first record's (as Spark aligns batch times), empty intervals included.
    second = 1_000_000
    expected_sizes = np.bincount(t // second - t[0] // second).tolist()
    assert 0 in expected_sizes  # the 4 s gap makes empty intervals

    for interval in ("1s", 1.0, "1000ms"):
        batches = _all(streamml.replay(path, time="time", label="clicked", features=["x"],
                                       batch_interval=interval))
        assert [len(b) for b in batches] == expected_sizes, interval
        start0 = int(t[0] // second) * second
        for k, b in enumerate(batches):
            assert b.interval_start == np.datetime64(start0 + k * second, "us")
            assert b.interval_end == np.datetime64(start0 + (k + 1) * second, "us")
            # Empty batches still have the stream's columns, with zero rows.
            assert b.features.shape == (len(b), 1)
            assert b.labels.shape == (len(b),) and b.event_times.shape == (len(b),)
    by_count = next(streamml.replay(path, time="time"))
    assert by_count.interval_start is None and by_count.interval_end is None


# ---- hashed categoricals vs sklearn FeatureHasher ------------------------------------------

def test_hashed_categoricals_match_sklearn_feature_hasher(tmp_path):
    from sklearn.feature_extraction import FeatureHasher

    rng = np.random.default_rng(11)
    path = tmp_path / "cats.csv"
    colors = ["red", "green", "blue", "Ünïcode", "a b"]
    rows = []
    for i in range(300):
        rows.append({"color": colors[rng.integers(0, len(colors))],
                     "shape": f"s{rng.integers(0, 40)}",
                     "x": f"{rng.normal():.4f}"})
    path.write_text("color,shape,x\n" + "".join(
        f"{r['color']},{r['shape']},{r['x']}\n" for r in rows), encoding="utf-8")

    bits = 10
    batches = _all(streamml.replay(path, categorical=["color", "shape"], hash_bits=bits,
                                   batch_size=128))
    got = scipy.sparse.vstack([b.sparse for b in batches]).toarray()
    # Oracle: scikit-learn's FeatureHasher on {"column": "value"} dicts, alternate_sign=True.
    hasher = FeatureHasher(n_features=2 ** bits, alternate_sign=True, input_type="dict")
    expected = hasher.transform({"color": r["color"], "shape": r["shape"]} for r in rows).toarray()
    np.testing.assert_array_equal(got, expected)
    X = np.concatenate([b.features for b in batches])
    np.testing.assert_array_equal(X[:, 0], np.array([float(r["x"]) for r in rows]))


def test_hashed_text_matches_sklearn_feature_hasher(tmp_path):
    from sklearn.feature_extraction import FeatureHasher

    path = tmp_path / "text.csv"
    notes = ["Great ad, would click", "meh", "CLICK here now!!", "5 stars: great, great",
             "new-user offer 2026", "ünïcode wörds too"]
    path.write_text("note,x\n" + "".join(f'"{t}",{i}\n' for i, t in enumerate(notes)),
                    encoding="utf-8")
    (b,) = _all(streamml.replay(path, text=["note"], hash_bits=12))
    # Oracle: FeatureHasher on the tokens "note=word", words lower-cased and split on
    # anything that is not a letter or digit; a repeated word counts each time.
    tokens = [[f"note={w}" for w in re.findall(r"[^\W_]+", t.lower())] for t in notes]
    hasher = FeatureHasher(n_features=2 ** 12, alternate_sign=True, input_type="string")
    np.testing.assert_array_equal(b.sparse.toarray(), hasher.transform(tokens).toarray())
    np.testing.assert_array_equal(b.features[:, 0], np.arange(len(notes), dtype=float))


# ---- bad records ---------------------------------------------------------------------------

@pytest.fixture()
def bad_csv(tmp_path):
    path = tmp_path / "file.csv"
    path.write_text("a,b,label\n"
                    "1,2,0\n"       # line 2
                    "3,4,1\n"       # line 3
                    "5,abc,0\n"     # line 4: not a number (column 2)
                    "7,8,1\n"       # line 5
                    "9,10\n"        # line 6: a field short
                    "11,12,0\n")    # line 7
    return path


def test_bad_record_error_names_file_and_line(bad_csv):
    it = streamml.replay(bad_csv, label="label", on_bad="error")
    with pytest.raises(ValueError) as info:
        _all(it)
    assert "file.csv:4:2" in str(info.value)  # line 4, column 2 (1-based, as editors count)
    assert "abc" in str(info.value)
    # Like a generator that raised, the replay is over.
    assert list(it) == []


def test_bad_records_skipped_and_counted(bad_csv, tmp_path):
    dead = tmp_path / "dead.jsonl"
    it = streamml.replay(bad_csv, label="label", batch_size=2, dead_letter=dead)
    batches = _all(it)
    # Oracle: numpy.loadtxt of the four good lines (2, 3, 5, 7).
    good = np.loadtxt([l for i, l in enumerate(bad_csv.read_text().splitlines())
                       if i + 1 in (2, 3, 5, 7)], delimiter=",")
    np.testing.assert_array_equal(np.concatenate([b.features for b in batches]), good[:, :2])
    np.testing.assert_array_equal(np.concatenate([b.labels for b in batches]), good[:, 2])
    assert it.bad_records == 2
    assert sum(b.skipped_records for b in batches) == 2
    letters = [json.loads(l) for l in dead.read_text().splitlines()]
    assert [d["line"] for d in letters] == [4, 6]
    assert it.position["records"] == 6


def test_nan_is_bad_unless_allowed(tmp_path):
    path = tmp_path / "nan.csv"
    path.write_text("a,b\n1,nan\n2,3\n")
    with pytest.raises(ValueError, match=r"nan\.csv:2"):
        _all(streamml.replay(path, on_bad="error"))
    X = np.concatenate([b.features for b in streamml.replay(path, allow_nan=True)])
    expected = np.genfromtxt(path, delimiter=",", skip_header=1)  # oracle: NumPy reads nan
    np.testing.assert_array_equal(X, expected)  # assert_array_equal treats nan == nan


def test_missing_file_is_oserror(tmp_path):
    with pytest.raises(OSError, match="no_such.csv"):
        streamml.replay(tmp_path / "no_such.csv")


def test_unknown_column_is_valueerror(numeric_csv):
    with pytest.raises(ValueError, match="nope"):
        streamml.replay(numeric_csv, label="nope")


# ---- arguments -----------------------------------------------------------------------------

def test_misspelled_keywords_raise_typeerror(numeric_csv):
    with pytest.raises(TypeError, match="batchsize"):
        streamml.replay(numeric_csv, batchsize=10)
    with pytest.raises(TypeError, match="lable"):
        streamml.replay(numeric_csv, lable="label")
    with pytest.raises(TypeError, match="Y"):
        streamml.from_arrays(np.zeros((2, 2)), Y=np.zeros(2))
    with pytest.raises(TypeError):
        streamml.replay(numeric_csv, features=[1, 2])


@pytest.mark.parametrize("kwargs, message", [
    (dict(on_bad="ignore"), "on_bad"),
    (dict(batch_size=0), "batch_size must be positive, got 0"),
    (dict(batch_size=-5), "batch_size must be positive, got -5"),
    (dict(batch_interval=-1.0), "batch_interval"),
    (dict(batch_interval="soon"), "soon"),
    (dict(delimiter=";;"), "delimiter"),
    (dict(format="parquet"), "parquet"),
    (dict(key_type="uuid"), "key_type"),
])
def test_bad_settings_raise_valueerror(numeric_csv, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        streamml.replay(numeric_csv, **kwargs)


# ---- from_arrays ---------------------------------------------------------------------------

def test_from_arrays_round_trip():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1003, 4))
    y = rng.integers(0, 2, size=1003).astype(float)
    keys = np.arange(1003, dtype=np.int64) * 7
    times = np.datetime64("2026-01-01T00:00:00", "us") + np.arange(1003).astype("timedelta64[ms]")
    it = streamml.from_arrays(X, y, keys=keys, times=times, batch_size=250)
    batches = _all(it)
    assert [len(b) for b in batches] == [250, 250, 250, 250, 3]
    # Oracle: the input arrays themselves.
    np.testing.assert_array_equal(np.concatenate([b.features for b in batches]), X)
    np.testing.assert_array_equal(np.concatenate([b.labels for b in batches]), y)
    np.testing.assert_array_equal(np.concatenate([b.keys for b in batches]), keys)
    np.testing.assert_array_equal(np.concatenate([b.event_times for b in batches]), times)
    assert it.position["offset"] == 1003 and it.position["source"] == "memory"
    assert batches[0].feature_names == ["x0", "x1", "x2", "x3"]
    # The stream copied X: changing it afterwards changes nothing already streamed.
    assert not np.shares_memory(batches[0].features, X)


def test_from_arrays_converts_and_checks_input():
    # Lists, ints, Fortran order: converted to C-contiguous float64.
    Xf = np.asfortranarray(np.arange(12, dtype=np.int32).reshape(6, 2))
    (b,) = _all(streamml.from_arrays(Xf, y=[0, 1, 0, 1, 0, 1], keys=list("abcdef"),
                                     times=[1.7e9 + i for i in range(6)], batch_size=10))
    np.testing.assert_array_equal(b.features, np.arange(12.0).reshape(6, 2))
    assert b.keys.tolist() == list("abcdef")
    np.testing.assert_array_equal(
        b.event_times, np.datetime64(1_700_000_000, "s") + np.arange(6).astype("timedelta64[s]"))

    with pytest.raises(ValueError, match="X must be 2-D, got 1-D"):
        streamml.from_arrays(np.zeros(10))
    with pytest.raises(ValueError, match="y has 9 entries, X has 10 rows"):
        streamml.from_arrays(np.zeros((10, 2)), np.zeros(9))
    X = np.zeros((10, 3))
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match=r"X\[7, 2\] is nan \(row 7\)"):
        streamml.from_arrays(X)
    y = np.zeros(10)
    y[4] = -np.inf
    with pytest.raises(ValueError, match=r"y\[4\] is -inf \(row 4\)"):
        streamml.from_arrays(np.zeros((10, 3)), y)
    with pytest.raises(ValueError, match="keys has 3 entries, X has 10 rows"):
        streamml.from_arrays(np.zeros((10, 3)), keys=[1, 2, 3])
    with pytest.raises(ValueError, match="event-time"):
        _all(streamml.from_arrays(np.zeros((10, 3)), batch_interval="1s"))


def test_from_arrays_interval_batches_match_replay(keyed_csv):
    path, _, _, iso = keyed_csv
    file_batches = _all(streamml.replay(path, time="time", features=["x", "y"],
                                        batch_interval=1.0))
    X = np.concatenate([b.features for b in file_batches])
    times = np.array([np.datetime64(s, "us") for s in iso])
    mem_batches = _all(streamml.from_arrays(X, times=times, batch_interval=1.0))
    # Oracle: the file replay of the same records; the same MicroBatcher cuts both.
    assert [len(b) for b in mem_batches] == [len(b) for b in file_batches]
    for a, b in zip(mem_batches, file_batches):
        np.testing.assert_array_equal(a.features, b.features)
        assert a.interval_start == b.interval_start


def test_repr_and_len():
    (b,) = _all(streamml.from_arrays(np.ones((3, 2)), y=np.zeros(3), keys=["a", "b", "c"]))
    assert len(b) == 3
    assert repr(b) == "<streamml.Batch index=0 records=3 features=(3, 2) labels keys=str>"
    assert isinstance(b, streamml.Batch)


# ---- the GIL is released while C++ reads and parses ----------------------------------------

@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("big") / "big.csv"
    X = rng.normal(size=(400_000, 8))
    np.savetxt(path, X, delimiter=",", fmt="%.6f", header=",".join(f"c{j}" for j in range(8)),
               comments="")
    return path


def test_gil_is_released_while_parsing(big_csv):
    """The main thread runs Python code while a replay thread is inside the C++ next()
    (gil_probe.py: had next() kept the GIL, the count could not move during any call)."""
    it = streamml.replay(big_csv, batch_size=50_000)
    calls = (lambda: next(it) for _ in itertools.count())
    moved = [(ran, len(b)) for ran, b in count_during(calls)]
    assert sum(n for _, n in moved) == 400_000  # oracle: rows written by numpy.savetxt
    assert sum(1 for ran, _ in moved if ran > 0) > 0, moved


def test_concurrent_next_on_one_iterator_is_an_error(big_csv):
    it = streamml.replay(big_csv, batch_size=400_000)
    started = threading.Event()
    results = []

    def advance():
        started.set()
        results.append(len(next(it)))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=advance)
        t.start()  # returns once the worker has released the GIL inside next()
        # The worker is now inside the C++ next() (it gave the GIL away only there).
        with pytest.raises(RuntimeError, match="another thread"):
            next(it)
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert results == [400_000]


def test_item_and_id_columns_ride_with_the_key(tmp_path):
    # Oracle: pandas' reading of the same ratings file (ids as strings).
    import csv
    import pandas as pd
    rng = np.random.default_rng(11)
    path = tmp_path / "ratings.csv"
    rows = [(f"u{rng.integers(20)}", f"p{rng.integers(50)}", f"s{rng.integers(3)}", int(rng.integers(1, 6)))
            for _ in range(257)]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user", "product", "shop", "rating"])
        w.writerows(rows)
    expected = pd.read_csv(path, dtype={"user": str, "product": str, "shop": str})
    batches = list(streamml.replay(path, key="user", item="product", ids={"shop": "shop"},
                                   label="rating", batch_size=100))
    assert [b.features.shape[1] for b in batches] == [0, 0, 0]
    assert sorted(batches[0].ids) == ["item", "shop"]
    assert [k for b in batches for k in b.keys] == expected["user"].tolist()
    assert [k for b in batches for k in b.ids["item"]] == expected["product"].tolist()
    assert [k for b in batches for k in b.ids["shop"]] == expected["shop"].tolist()
    assert np.concatenate([b.labels for b in batches]).tolist() == expected["rating"].astype(float).tolist()
    with pytest.raises(TypeError, match="ids maps roles"):
        streamml.replay(path, ids={"shop": 3})
