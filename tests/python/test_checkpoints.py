"""Checkpoints from Python: streamml.CheckpointStore, single files, pickle, h5py, and C++.

Oracles, named per test:
  * the model that was saved: a loaded or unpickled one predicts the same (np.array_equal,
    bit for bit) and, trained on the same next batches as the original, ends with the same
    coef_ / centres / window (np.array_equal), its get_params() equal to the original's;
  * the documented layout (README, "Checkpoints and resume"): the file names, the root
    attributes and the datasets, read with h5py (an independent HDF5 reader);
  * C++: a model saved from Python is loaded by a C++ program (tests/checkpoint_predict.cpp,
    built by CMake) whose predictions must equal Python's, and a checkpoint written by the C++
    command line equals the model Python trains on the same batches.
"""
import copy
import json
import os
import pathlib
import pickle
import re
import subprocess

import h5py
import numpy as np
import pytest

import streamml

BINARY_DIR = pathlib.Path(os.environ.get("STREAMML_BINARY_DIR",
                                         pathlib.Path(__file__).resolve().parents[2] / "build"))


def _batches(seed, n_batches=6, n=40, d=3):
    """Deterministic labelled batches from a hidden logistic model."""
    rng = np.random.default_rng(seed)
    w = np.array([1.5, -2.0, 0.5][:d])
    out = []
    for _ in range(n_batches):
        X = rng.normal(size=(n, d))
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w + 0.3)))).astype(np.float64)
        out.append((X, y))
    return out


def _blobs(seed, n_batches=6, n=30):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 3.0], [-3.0, 2.0]])
    return [centres[rng.integers(0, 3, n)] + 0.3 * rng.normal(size=(n, 2)) for _ in range(n_batches)]


# Every Python learner with streaming state, in the settings whose saved state differs most.
LOGREG = {
    "spark": dict(mode="spark", num_iterations=5, mini_batch_fraction=0.5, fit_intercept=True),
    "sgd_l1_asgd": dict(mode="online", optimizer="sgd", penalty="elasticnet", reg_param=0.01,
                        average=3, fit_intercept=True),
    "adagrad": dict(mode="online", optimizer="adagrad", fit_intercept=True),
    "ftrl": dict(mode="online", optimizer="ftrl", ftrl_l1=0.01, fit_intercept=True),
    "forgetting": dict(mode="spark", num_iterations=3, half_life=2.0),
}
CASES = [("logreg-" + k, "logreg") for k in LOGREG] + [
    ("kmeans", "kmeans"), ("kmeans-given", "kmeans"), ("windowed-dbscan", "dbscan")]


def _make(case):
    """(fresh model, training batches, probe X, a function giving the learned arrays)."""
    if case.startswith("logreg-"):
        model = streamml.LogisticRegressionSGD(**LOGREG[case[len("logreg-"):]])
        data = _batches(1)
        probe = _batches(99, n_batches=1)[0][0]
        return model, data, probe, lambda m: (m.coef_, m.intercept_, m.predict_proba(probe))
    if case.startswith("kmeans"):
        if case == "kmeans-given":
            model = streamml.StreamingKMeans(k=3, half_life=3.0, time_unit="points",
                                             init=np.array([[0.0, 1.0], [2.0, 2.0], [-1.0, 0.0]]),
                                             initial_weights=[1.0, 2.0, 3.0])
        else:
            model = streamml.StreamingKMeans(k=3, decay_factor=0.9, seed=7)
        data = [(X, None) for X in _blobs(2)]
        probe = _blobs(98, n_batches=1)[0]
        return model, data, probe, lambda m: (m.cluster_centers_, m.cluster_weights_, m.predict(probe))
    model = streamml.WindowedDBSCAN(eps=0.6, min_samples=4, window_batches=3)
    data = [(X, None) for X in _blobs(3)]
    probe = _blobs(97, n_batches=1)[0]
    return model, data, probe, lambda m: (m.window_labels_, m.window_features_, m.predict(probe))


def _fit(model, batches):
    for X, y in batches:
        if y is None:
            model.partial_fit(X)
        else:
            model.partial_fit(X, y)


def _assert_same(got, want):
    for g, w in zip(got, want):
        assert np.array_equal(g, w), (g, w)


def _assert_continues_identically(restored, original, learned, more):
    """Oracle: the original model. Same predictions now, same learned arrays after `more`."""
    assert type(restored) is type(original)
    assert json.dumps(restored.get_params(), default=np.ndarray.tolist) == \
        json.dumps(original.get_params(), default=np.ndarray.tolist)
    _assert_same(learned(restored), learned(original))
    _fit(restored, more)
    _fit(original, more)
    _assert_same(learned(restored), learned(original))


# ---- the store --------------------------------------------------------------------------------

@pytest.mark.parametrize("case,learner_type", CASES)
def test_store_load_gives_a_ready_estimator_that_continues_bit_for_bit(tmp_path, case, learner_type):
    model, data, _, learned = _make(case)
    _fit(model, data[:3])
    store = streamml.CheckpointStore(tmp_path / "ck")
    assert store.save("m", model) == 1
    assert store.describe("m")["learner_type"] == learner_type
    restored = store.load("m")
    _assert_continues_identically(restored, model, learned, data[3:])


def test_store_versions_latest_names_prune_and_layout(tmp_path):
    """Oracle: the documented layout <dir>/<name>/v000001.h5 and the versions saved."""
    model, data, _, _ = _make("logreg-adagrad")
    store = streamml.CheckpointStore(tmp_path / "a" / "b")  # created with its parents
    assert store.path == str(tmp_path / "a" / "b")
    assert store.versions("m") == [] and store.latest("m") is None and store.names() == []
    states = []
    for i in range(4):
        _fit(model, data[i:i + 1])
        states.append(model.coef_.copy())
        assert store.save("m", model) == i + 1
    assert store.save("other", model) == 1
    assert store.versions("m") == [1, 2, 3, 4] and store.latest("m") == 4
    assert store.names() == ["m", "other"]
    assert sorted(p.name for p in (tmp_path / "a" / "b" / "m").iterdir()) == \
        [f"v00000{i}.h5" for i in range(1, 5)]
    for v in (1, 2, 3, 4):  # each version holds the model as it was when saved
        assert np.array_equal(store.load("m", version=v).coef_, states[v - 1])
    assert store.prune("m", keep_last=2) == [1, 2]
    assert store.versions("m") == [3, 4]
    assert store.save("m", model) == 5
    with pytest.raises(ValueError, match="keep_last"):
        store.prune("m", 0)
    with pytest.raises(ValueError, match="no checkpoint of 'nothing'"):
        store.load("nothing")
    with pytest.raises(ValueError, match="model name"):
        store.save("../escape", model)
    with pytest.raises(OSError, match="v000009.h5"):
        store.load("m", version=9)
    with pytest.raises(TypeError, match="cannot checkpoint a dict"):
        store.save("m", {})


def test_describe_gives_the_root_attributes_with_json_parsed(tmp_path):
    """Oracle: the metadata given, the model's own settings, and h5py's view of the file."""
    model, data, _, _ = _make("logreg-ftrl")
    _fit(model, data)
    store = streamml.CheckpointStore(tmp_path)
    store.save("clicks", model, metadata={"batch_index": 41,
                                          "source_positions": {"source": "s.csv", "offset": 123},
                                          "metrics": '{"auc": 0.75}'})
    store.save("clicks", model, metadata={"parent_version": 1})
    first, second = store.describe("clicks", version=1), store.describe("clicks")
    assert first["format_version"] == 1 and first["library_version"] == streamml.__version__
    assert first["learner_type"] == "logreg"
    assert first["params"]["optimizer"] == "ftrl" and first["params"]["ftrl_l1"] == 0.01
    assert first["params"] == json.loads(model._learner().params_json)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["created_utc"])
    assert (first["version"], first["parent_version"], first["batch_index"]) == (1, 0, 41)
    assert first["source_positions"] == {"source": "s.csv", "offset": 123}
    assert first["metrics"] == {"auc": 0.75}
    assert (second["version"], second["parent_version"], second["batch_index"]) == (2, 1, -1)
    assert second["path"] == str(tmp_path / "clicks" / "v000002.h5")
    assert first["datasets"]["/coef"] == {"dtype": "float64", "shape": (3,)}
    assert first["datasets"]["/optimizer/ftrl_z"] == {"dtype": "float64", "shape": (3,)}
    assert first["datasets"]["/intercept"] == {"dtype": "float64", "shape": ()}
    assert streamml.describe_checkpoint(first["path"].replace("v000002", "v000001")) == first
    with h5py.File(first["path"], "r") as f:
        names = []
        f.visititems(lambda name, obj: names.append("/" + name) if isinstance(obj, h5py.Dataset) else None)
        assert sorted(names) == sorted(first["datasets"])
        for key in ("format_version", "version", "parent_version", "batch_index"):
            assert f.attrs[key] == first[key]
    for bad, message in [({"batch": object()}, "user metadata"), ({"batch_index": "x"}, "integer"),
                         ({"metrics": {"auc": float("nan")}}, "JSON"),
                         ({"source_positions": "{oops"}, "JSON")]:
        with pytest.raises(ValueError, match=message):
            store.save("clicks", model, metadata=bad)
    assert store.versions("clicks") == [1, 2]  # nothing was saved by the refused calls


def test_user_metadata_is_kept_beside_the_known_keys(tmp_path):
    # Oracle: the values given, read back by describe and by h5py (the root attribute
    # user_metadata, a JSON object); the known keys keep their meaning.
    X, y = _batches(1, n_batches=1)[0]
    model = streamml.LogisticRegressionSGD(mode="online").fit(X, y)
    store = streamml.CheckpointStore(tmp_path)
    mine = {"run": "nightly-07", "features": ["a", "b", "c"], "rows": 40, "notes": {"ok": True, "r": 0.25}}
    version = store.save("clicks", model, metadata={"batch_index": 9, **mine})
    info = store.describe("clicks")
    assert info["user_metadata"] == mine and info["batch_index"] == 9
    assert streamml.describe_checkpoint(info["path"])["user_metadata"] == mine
    with h5py.File(store._store.path("clicks", version), "r") as f:
        assert json.loads(f.attrs["user_metadata"]) == mine
    np.testing.assert_array_equal(store.load("clicks").coef_, model.coef_)
    # A file without user keys says so: {}.
    store.save("clicks", model)
    assert store.describe("clicks")["user_metadata"] == {}
    with pytest.raises(ValueError, match="'estimator_state' is reserved"):
        store.save("clicks", model, metadata={"estimator_state": 1})


def test_class_labels_travel_with_the_checkpoint(tmp_path):
    # Oracle: the model before saving; a classifier of "ham"/"spam" stays one after a pickle, a
    # store round trip and a single file.
    X, y = _batches(2, n_batches=1, n=60)[0]
    words = np.where(y == 1, "spam", "ham")
    model = streamml.LogisticRegressionSGD(mode="online").fit(X, words)
    store = streamml.CheckpointStore(tmp_path)
    store.save("words", model, metadata={"run": 3})
    assert store.describe("words")["user_metadata"] == {"run": 3, "estimator_state": {"classes": ["ham", "spam"]}}
    for copy in (pickle.loads(pickle.dumps(model)), store.load("words"),
                 streamml.load_checkpoint(store.describe("words")["path"])):
        assert copy.classes_.tolist() == ["ham", "spam"]
        np.testing.assert_array_equal(copy.predict(X), model.predict(X))
        copy.partial_fit(X, words)  # and goes on learning with the same labels


def test_single_file_load_and_describe(tmp_path):
    model, data, probe, learned = _make("kmeans")
    _fit(model, data[:2])
    store = streamml.CheckpointStore(tmp_path)
    store.save("km", model)
    path = tmp_path / "km" / "v000001.h5"
    restored = streamml.load_checkpoint(path)  # a pathlib.Path is fine
    assert isinstance(restored, streamml.StreamingKMeans)
    _assert_continues_identically(restored, model, learned, data[2:])
    assert streamml.describe_checkpoint(str(path))["learner_type"] == "kmeans"
    with pytest.raises(OSError, match="missing.h5"):
        streamml.load_checkpoint(tmp_path / "missing.h5")


def test_prequential_evaluator_saves_loads_and_pickles(tmp_path):
    """Oracle: the evaluator itself; the restored one reports the same figures, then counts on
    identically."""
    evaluator = streamml.PrequentialEvaluator(window=50, auc_bins=20, threshold=0.4)
    rng = np.random.default_rng(5)
    for _ in range(3):
        evaluator.update(rng.random(30), (rng.random(30) < 0.5).astype(float))
    store = streamml.CheckpointStore(tmp_path)
    store.save("eval", evaluator)
    for restore in (lambda e: store.load("eval"), lambda e: pickle.loads(pickle.dumps(e))):
        restored = restore(evaluator)
        assert isinstance(restored, streamml.PrequentialEvaluator)
        assert (restored.window_size, restored.auc_bins, restored.threshold) == (50, 20, 0.4)
        scores, labels = rng.random(30), (rng.random(30) < 0.5).astype(float)
        for e in (restored, evaluator):
            e.update(scores, labels)
        assert restored.cumulative == evaluator.cumulative and restored.window == evaluator.window
        for key, values in evaluator.curve.items():
            assert np.array_equal(restored.curve[key], values, equal_nan=True), key


# ---- pickle -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case,learner_type", CASES)
def test_pickle_is_the_checkpoint_and_continues_bit_for_bit(case, learner_type):
    model, data, _, learned = _make(case)
    _fit(model, data[:3])
    blob = pickle.dumps(model)
    # The pickle is the checkpoint bytes (user block header, then HDF5) and one call of the
    # public streamml.loads_checkpoint: no Python object graph, no private module path.
    assert b"streamml checkpoint\nformat 1\n" in blob and b"\x89HDF\r\n\x1a\n" in blob
    assert b"loads_checkpoint" in blob and b"streamml._checkpoint" not in blob
    assert b"_estimator" not in blob and b"linear" not in blob and b"clustering" not in blob
    assert streamml.dumps_checkpoint(model)[:512].startswith(b"streamml checkpoint\nformat 1\n")
    restored = pickle.loads(blob)
    _assert_continues_identically(restored, model, learned, data[3:])
    # copy.deepcopy goes the same way and gives an independent model.
    twin = copy.deepcopy(model)
    _fit(twin, data[:1])
    assert not all(np.array_equal(a, b) for a, b in zip(learned(twin), learned(model)))


def test_pickle_of_unfitted_learners_and_of_batch_dbscan():
    for model in (streamml.LogisticRegressionSGD(step_size=0.5), streamml.StreamingKMeans(k=4),
                  streamml.WindowedDBSCAN(eps=0.2)):
        restored = pickle.loads(pickle.dumps(model))
        assert restored.get_params() == model.get_params()
    X = _blobs(4, n_batches=1)[0]
    dbscan = streamml.DBSCAN(eps=0.5, min_samples=3).fit(X)
    restored = pickle.loads(pickle.dumps(dbscan))
    assert np.array_equal(restored.labels_, dbscan.labels_)
    assert np.array_equal(restored.fit_predict(X), dbscan.labels_)  # its compiled core is rebuilt


def test_damaged_bytes_are_refused_naming_the_problem():
    model, data, _, _ = _make("logreg-sgd_l1_asgd")
    _fit(model, data)
    blob = streamml.dumps_checkpoint(model)
    with pytest.raises(ValueError, match="truncated"):
        streamml.loads_checkpoint(blob[:-10])
    with pytest.raises(ValueError, match=r"<checkpoint bytes>: truncated: 100 bytes, shorter than the 512"):
        streamml.loads_checkpoint(blob[:100])
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0xFF
    with pytest.raises(ValueError, match="mine: damaged: its Fletcher-32 checksum"):
        streamml.loads_checkpoint(bytes(flipped), name="mine")


def test_in_memory_images_ignore_files_in_the_working_directory(tmp_path, monkeypatch):
    """A file in the working directory, whatever its name, never stands in for an image."""
    model, data, probe, learned = _make("logreg-adagrad")
    _fit(model, data)
    blob = streamml.dumps_checkpoint(model)
    other, _, _, _ = _make("logreg-ftrl")
    _fit(other, data[:1])
    monkeypatch.chdir(tmp_path)
    for name in ("<checkpoint bytes>", "streamml-in-memory.h5", "snapshot-image.h5"):
        (tmp_path / name).write_bytes(streamml.dumps_checkpoint(other))
        _assert_same(learned(streamml.loads_checkpoint(blob, name=name)), learned(model))


# ---- h5py: the documented layout --------------------------------------------------------------

def _attrs(path):
    with h5py.File(path, "r") as f:
        return dict(f.attrs), {name: f[name][()] for name in _dataset_names(f)}


def _dataset_names(f):
    names = []
    f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    return names


ROOT_ATTRIBUTES = {"format_version", "library_version", "learner_type", "params", "created_utc",
                   "version", "parent_version", "batch_index", "source_positions", "metrics",
                   "state_version", "user_metadata"}


def test_h5py_reads_a_python_saved_logreg_and_kmeans_as_documented(tmp_path):
    """Oracle: README's table of root attributes and datasets; coef_ is the file's coef."""
    store = streamml.CheckpointStore(tmp_path)
    logreg, data, _, _ = _make("logreg-adagrad")
    _fit(logreg, data)
    store.save("logreg", logreg, metadata={"batch_index": 5})
    attrs, ds = _attrs(tmp_path / "logreg" / "v000001.h5")
    assert set(attrs) == ROOT_ATTRIBUTES
    assert attrs["format_version"] == 1 and attrs["batch_index"] == 5
    assert attrs["learner_type"] == b"logreg"  # fixed-length UTF-8: h5py gives bytes
    assert json.loads(attrs["params"])["optimizer"] == "adagrad"
    assert json.loads(attrs["source_positions"]) == {}
    assert attrs["state_version"] == 2
    assert ds["coef"].shape == (3,) and "weight_scale" not in ds  # adagrad keeps no lazy scale
    assert np.array_equal(logreg.coef_[0], ds["coef"])
    assert ds["intercept"] == logreg.intercept_[0]
    assert ds["examples_seen"] == logreg.examples_seen_ == 240
    assert ds["optimizer/grad_sq_sum"].shape == (3,) and np.all(ds["optimizer/grad_sq_sum"] > 0)

    kmeans, data, _, _ = _make("kmeans")
    _fit(kmeans, data)
    store.save("kmeans", kmeans)
    attrs, ds = _attrs(tmp_path / "kmeans" / "v000001.h5")
    assert set(attrs) == ROOT_ATTRIBUTES and attrs["learner_type"] == b"kmeans"
    assert np.array_equal(ds["centers"], kmeans.cluster_centers_)
    assert np.array_equal(ds["weights"], kmeans.cluster_weights_)


def _cli():
    return str(os.environ.get("STREAMML_BIN", BINARY_DIR / "bin" / "streamml"))


def test_a_checkpoint_written_by_the_cli_opens_in_h5py_and_equals_python_training(tmp_path):
    """Oracle: the same learner trained by Python on the same batches of the same file (the
    batches are deterministic), and README's layout read with h5py."""
    rng = np.random.default_rng(8)
    stream = tmp_path / "stream.csv"
    lines = ["a,b,c,y"]
    for _ in range(1200):
        x = rng.normal(size=3)
        lines.append(",".join(repr(v) for v in x) + f",{int(x @ [1.0, -1.0, 0.5] + rng.normal() > 0)}")
    stream.write_text("\n".join(lines) + "\n")
    params = {"mode": "online", "optimizer": "ftrl", "fit_intercept": True}
    run = subprocess.run([_cli(), "replay", "--input", str(stream), "--label", "y", "--batch-size", "100",
                          "--learner", "logreg", *sum((["--param", f"{k}={str(v).lower()}"]
                                                       for k, v in params.items()), []),
                          "--quiet", "--checkpoint-dir", str(tmp_path / "ck"), "--checkpoint-every", "4"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    store = streamml.CheckpointStore(tmp_path / "ck")
    assert "logreg" in store.names() and "pipeline" in store.names()
    newest = store.describe("logreg")
    attrs, ds = _attrs(newest["path"])
    assert set(attrs) == ROOT_ATTRIBUTES
    assert attrs["learner_type"] == b"logreg" and attrs["format_version"] == 1
    assert attrs["batch_index"] == 11  # 12 batches of 100; saved after every 4th
    assert json.loads(attrs["source_positions"])["records"] == 1200
    assert "evaluation/count" in ds and ds["evaluation/count"] == 1200

    python = streamml.LogisticRegressionSGD(**params)
    for batch in streamml.replay(stream, label="y", batch_size=100):
        python.partial_fit(batch)
    loaded = store.load("logreg")
    assert isinstance(loaded, streamml.LogisticRegressionSGD)
    assert np.array_equal(loaded.coef_, python.coef_)
    assert np.array_equal(loaded.coef_[0], ds["coef"])
    assert np.array_equal(ds["optimizer/ftrl_z"], streamml_state(python)["optimizer/ftrl_z"])
    with pytest.raises(ValueError, match="pipeline"):
        store.load("pipeline")


def streamml_state(model):
    """A model's saved datasets, read back with h5py from its checkpoint bytes."""
    import io
    with h5py.File(io.BytesIO(streamml.dumps_checkpoint(model)), "r") as f:
        return {name: f[name][()] for name in _dataset_names(f)}


# ---- C++ loads what Python saved ---------------------------------------------------------------

def cpp_scores(path, X):
    """Scores of X by the checkpoint at `path` as loaded and computed by C++."""
    helper = BINARY_DIR / "tests" / "checkpoint_predict"
    assert helper.is_file(), f"{helper} is missing: build the target checkpoint_predict"
    rows = "\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n"
    run = subprocess.run([str(helper), str(path)], input=rows, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split()
    return lines[0], np.array([float(v) for v in lines[1:]])


@pytest.mark.parametrize("case,learner_type", CASES)
def test_a_model_saved_from_python_predicts_the_same_in_cpp(tmp_path, case, learner_type):
    """Oracle: Python's own predictions, bit for bit (17 significant digits read back)."""
    model, data, probe, _ = _make(case)
    _fit(model, data)
    store = streamml.CheckpointStore(tmp_path)
    store.save("m", model)
    kind, scores = cpp_scores(tmp_path / "m" / "v000001.h5", probe)
    assert kind == learner_type
    want = model.predict_proba(probe)[:, 1] if learner_type == "logreg" else model.predict(probe)
    assert np.array_equal(scores, want.astype(np.float64))


def test_images_loaded_at_once_in_threads_stay_apart():
    """Oracle: each model's own predictions. Eight threads load eight different models' bytes,
    all under one name, with the GIL released while C++ reads: HDF5 must not take two open
    images for one file."""
    from concurrent.futures import ThreadPoolExecutor
    models, blobs = [], []
    for i in range(8):
        model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", step_size=0.1 * (i + 1))
        _fit(model, _batches(i))
        models.append(model)
        blobs.append(streamml.dumps_checkpoint(model))
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            restored = list(pool.map(lambda b: streamml.loads_checkpoint(b, name="same"), blobs))
            for got, want in zip(restored, models):
                assert np.array_equal(got.coef_, want.coef_)


def test_gil_is_released_while_checkpoints_are_written_and_read(tmp_path):
    """The main thread runs Python code while a worker thread is inside the C++ save, load,
    dumps and loads of a model of 2^18 weights (gil_probe.py: no timing compared)."""
    import scipy.sparse
    from gil_probe import count_during
    rng = np.random.default_rng(0)
    X = scipy.sparse.random(50, 1 << 18, density=4e-4, format="csr", random_state=1)
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad").partial_fit(
        X, rng.integers(0, 2, 50).astype(float))
    store = streamml.CheckpointStore(tmp_path)
    blob = streamml.dumps_checkpoint(model)
    calls = [lambda: store.save("big", model), lambda: store.load("big"),
             lambda: streamml.dumps_checkpoint(model), lambda: streamml.loads_checkpoint(blob)] * 3
    results = count_during(calls)
    assert store.versions("big") == [1, 2, 3]  # oracle: the saves made
    assert np.array_equal(results[-1][1].coef_, model.coef_)
    assert sum(1 for ran, _ in results if ran > 0) > 0, [ran for ran, _ in results]
