#!/usr/bin/env python3
"""Writes the checkpoint fixtures of format version 1 in this folder, and expected.json.

Run once, when a fixture is added (never to "fix" a failing fixture test: the committed
files are the format's memory, and every later streamml must keep loading them):

    PYTHONPATH=build/python STREAMML_BIN=build/bin/streamml \\
        /usr/bin/python3 tests/data/checkpoints/make_fixtures.py

Each good fixture is a tiny trained model saved through streamml.CheckpointStore (the CLI's
`replay --checkpoint-dir` for the pipeline's two files). expected.json records, for each one,
the learner type, fixed probe rows and the scores this streamml gave them when the file was
written (P(y = 1) for logreg, the nearest centre for kmeans, the label against the window for
dbscan), and learned figures, as JSON numbers (the shortest text that reads back to the same
double): the oracle of
tests/cpp/test_checkpoint_fixtures.cpp and tests/python/test_checkpoint_fixtures.py. The two
bad fixtures are the adagrad file cut to half its length and with one byte flipped in the
middle; expected.json says which word the error must use.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import streamml

HERE = pathlib.Path(__file__).resolve().parent


def logistic_batches(seed, n_batches=4, n=30):
    rng = np.random.default_rng(seed)
    w = np.array([1.5, -2.0, 0.5])
    out = []
    for _ in range(n_batches):
        X = np.round(rng.normal(size=(n, 3)), 3)
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w + 0.3)))).astype(np.float64)
        out.append((X, y))
    return out


def blobs(seed, n_batches=4, n=12):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 3.0], [-3.0, 2.0]])
    return [np.round(centres[rng.integers(0, 3, n)] + 0.3 * rng.normal(size=(n, 2)), 3)
            for _ in range(n_batches)]


def numbers(a):
    """Doubles as JSON numbers: Python writes the shortest text that reads back exactly."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    expected = {"format_version": 1, "streamml_version": streamml.__version__, "fixtures": {}}
    work = pathlib.Path(tempfile.mkdtemp())
    store = streamml.CheckpointStore(work / "store")
    logistic_probe = np.round(np.random.default_rng(100).normal(size=(6, 3)), 3)
    cluster_probe = np.array([[0.1, -0.2], [2.9, 3.2], [-2.8, 2.1], [10.0, 10.0], [1.5, 1.5]])

    def add(file, model, kind, probe, learned):
        name = file[:-3]
        store.save(name, model, metadata={"batch_index": 3, "source_positions": {"fixture": file}})
        shutil.copyfile(store.describe(name)["path"], out / file)
        scores = model.predict_proba(probe)[:, 1] if kind == "logreg" else model.predict(probe)
        expected["fixtures"][file] = {"learner_type": kind, "probe": [numbers(r) for r in probe],
                                      "scores": numbers(scores), "learned": learned}

    logregs = {
        "logreg_spark.h5": dict(mode="spark", num_iterations=5, mini_batch_fraction=0.5, fit_intercept=True),
        "logreg_sgd_asgd_elasticnet.h5": dict(mode="online", optimizer="sgd", penalty="elasticnet",
                                              reg_param=0.01, average=5, learning_rate="invscaling",
                                              fit_intercept=True),
        "logreg_adagrad.h5": dict(mode="online", optimizer="adagrad", fit_intercept=True),
        "logreg_ftrl.h5": dict(mode="online", optimizer="ftrl", ftrl_l1=0.01, fit_intercept=True),
    }
    for file, params in logregs.items():
        model = streamml.LogisticRegressionSGD(**params)
        for X, y in logistic_batches(1):
            model.partial_fit(X, y)
        add(file, model, "logreg", logistic_probe,
            {"coef": numbers(model.coef_), "intercept": numbers(model.intercept_),
             "examples_seen": model.examples_seen_})

    kmeans = streamml.StreamingKMeans(k=3, decay_factor=0.8, seed=3)
    for X in blobs(2):
        kmeans.partial_fit(X)
    add("kmeans.h5", kmeans, "kmeans", cluster_probe,
        {"centers": numbers(kmeans.cluster_centers_), "weights": numbers(kmeans.cluster_weights_)})

    window = streamml.WindowedDBSCAN(eps=0.8, min_samples=3, window_batches=3)
    for X in blobs(3):
        window.partial_fit(X)
    add("dbscan_windowed.h5", window, "dbscan", cluster_probe,
        {"window_labels": [int(v) for v in window.window_labels_], "batches_seen": window.batches_seen_})

    evaluator = streamml.PrequentialEvaluator(window=20, auc_bins=10)
    rng = np.random.default_rng(4)
    for _ in range(3):
        evaluator.update(np.round(rng.random(15), 3), (rng.random(15) < 0.5).astype(float))
    store.save("prequential", evaluator)
    shutil.copyfile(store.describe("prequential")["path"], out / "prequential.h5")
    expected["fixtures"]["prequential.h5"] = {
        "learner_type": "prequential",
        "learned": {"count": evaluator.count, "batches": evaluator.batches,
                    "cumulative_log_loss": evaluator.cumulative["log_loss"],
                    "window_accuracy": evaluator.window["accuracy"]}}

    # The command line's two files: a logreg stage (with its evaluator under evaluation/) and
    # the pipeline's manifest naming it.
    stream = work / "stream.csv"
    rows = [",".join(repr(v) for v in numbers(x)) + f",{int(y)}"
            for X, Y in logistic_batches(5, 2, 25) for x, y in zip(X, Y)]
    stream.write_text("a,b,c,y\n" + "\n".join(rows) + "\n")
    cli = os.environ.get("STREAMML_BIN", str(HERE.parents[2] / "build" / "bin" / "streamml"))
    subprocess.run([cli, "replay", "--input", str(stream), "--label", "y", "--batch-size", "25",
                    "--learner", "logreg", "--param", "mode=online", "--param", "optimizer=adagrad",
                    "--param", "eval_window=20", "--param", "eval_auc_bins=10",
                    "--quiet", "--checkpoint-dir", str(work / "cli"), "--checkpoint-every", "2"],
                   check=True, capture_output=True)
    cli_store = streamml.CheckpointStore(work / "cli")
    shutil.copyfile(cli_store.describe("logreg")["path"], out / "logreg_cli_stage.h5")
    stage = cli_store.load("logreg")
    expected["fixtures"]["logreg_cli_stage.h5"] = {
        "learner_type": "logreg", "probe": [numbers(r) for r in logistic_probe],
        "scores": numbers(stage.predict_proba(logistic_probe)[:, 1]),
        "learned": {"coef": numbers(stage.coef_), "intercept": numbers(stage.intercept_),
                    "examples_seen": stage.examples_seen_}}
    manifest = cli_store.describe("pipeline")
    shutil.copyfile(manifest["path"], out / "pipeline_manifest.h5")
    expected["fixtures"]["pipeline_manifest.h5"] = {
        "learner_type": "pipeline", "batch_index": manifest["batch_index"],
        "datasets": sorted(manifest["datasets"])}

    good = (out / "logreg_adagrad.h5").read_bytes()
    (out / "truncated.h5").write_bytes(good[:len(good) // 2])
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    (out / "corrupted.h5").write_bytes(bytes(flipped))
    expected["damaged"] = {"truncated.h5": "truncated", "corrupted.h5": "checksum"}

    (out / "expected.json").write_text(json.dumps(expected, indent=1, allow_nan=False) + "\n")
    shutil.rmtree(work)
    for f in sorted(out.glob("*.h5")):
        print(f"{f.name}: {f.stat().st_size} bytes")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
