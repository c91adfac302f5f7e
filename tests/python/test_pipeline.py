"""streamml.Pipeline: a stream through C++ stages from Python, with checkpoints and resume.

Oracles: the command line (`streamml replay --learner ... --summary`, the same pipeline run
from C++), the Python test-then-train loop (`streamml.prequential`) and per-batch partial_fit
over the same batches, and one uninterrupted run for resume after SIGKILL.
"""
import json
import random
import subprocess
import textwrap

import numpy as np
import pytest

import streamml
from sigkill import assert_same_newest_checkpoint, run_python_job_with_kills, streamml_bin, timed_python_job

CLICKS = dict(label="clicked", time="event_time", features=["ad_quality", "relevance", "position"],
              categorical=["device", "ad_category"], hash_bits=10, batch_size=500)
TIMINGS = ("wall_seconds", "records_per_second", "megabytes_per_second", "stage_seconds")


def _without_timings(report):
    out = {k: v for k, v in report.items() if k not in TIMINGS}
    out["checkpoints"] = {k: v for k, v in report["checkpoints"].items() if k != "seconds"}
    return out


def test_the_report_is_the_command_lines_summary(repo_root, tmp_path):
    # Oracle: `streamml replay --summary` on the same file with the same learner settings.
    clicks = repo_root / "data" / "clicks.csv"
    summary = tmp_path / "summary.json"
    subprocess.run([streamml_bin(), "replay", "--input", str(clicks), "--label", "clicked", "--time", "event_time",
                    "--features", "ad_quality,relevance,position", "--categorical", "device,ad_category",
                    "--hash-bits", "10", "--batch-size", "500", "--threads", "2", "--learner", "logreg",
                    "--param", "mode=online", "--param", "optimizer=ftrl", "--param", "fit_intercept=true",
                    "--param", "eval_window=700", "--quiet", "--summary", str(summary)],
                   check=True, capture_output=True)
    want = json.loads(summary.read_text())
    model = streamml.LogisticRegressionSGD(mode="online", optimizer="ftrl", fit_intercept=True)
    pipeline = streamml.Pipeline(streamml.replay(clicks, **CLICKS), threads=2)
    report = pipeline.add("logreg", model, window=700).run()
    assert report is pipeline.report_
    assert _without_timings(report) == _without_timings(want)
    assert set(report["stage_seconds"]) == set(want["stage_seconds"]) == {"read", "parse", "batch", "logreg"}
    # The estimator is the stage's learner: it has learned the whole stream.
    assert model.examples_seen_ == 50_000 and model.batches_seen_ == 100
    assert report["stages"]["logreg"]["model"]["examples_seen"] == 50_000


def test_learners_learn_what_partial_fit_would_and_two_of_a_type_coexist(repo_root):
    # Oracle: the Python test-then-train loop over the same batches (streamml.prequential) and
    # partial_fit per batch: the same bits.
    clicks = repo_root / "data" / "clicks.csv"
    settings = dict(mode="online", optimizer="adagrad", fit_intercept=True)
    fast, slow = (streamml.LogisticRegressionSGD(**settings, step_size=s) for s in (0.5, 0.05))
    km = streamml.StreamingKMeans(k=3, seed=4)
    pipeline = streamml.Pipeline(streamml.replay(clicks, **CLICKS))
    report = pipeline.add("fast", fast).add("slow", slow).add("segments", km).run()

    for name, model in (("fast", fast), ("slow", slow)):
        twin = streamml.LogisticRegressionSGD(**model.get_params())
        evaluator = streamml.prequential(twin, streamml.replay(clicks, **CLICKS))
        np.testing.assert_array_equal(model.coef_, twin.coef_)
        assert model.intercept_[0] == twin.intercept_[0]
        assert report["stages"][name]["prequential"]["cumulative"] == pytest.approx(evaluator.cumulative,
                                                                                    rel=0, abs=0)
    assert not np.array_equal(fast.coef_, slow.coef_)
    twin = streamml.StreamingKMeans(k=3, seed=4)
    for batch in streamml.replay(clicks, **CLICKS):
        twin.partial_fit(batch)
    np.testing.assert_array_equal(km.cluster_centers_, twin.cluster_centers_)
    assert report["stages"]["segments"]["learner"] == "kmeans"


def test_in_memory_arrays_and_a_callback_stage():
    # Oracle: the labels the clusterer's output column holds are predict() of the learned model
    # after each batch (a clusterer learns, then labels), checked batch by batch in the callback.
    rng = np.random.default_rng(8)
    X = np.vstack([rng.normal(c, 0.4, size=(300, 2)) for c in ((0, 0), (4, 0), (0, 4))])
    X = X[rng.permutation(len(X))]
    km = streamml.StreamingKMeans(k=3, seed=2)
    shadow = streamml.StreamingKMeans(k=3, seed=2)
    seen = []

    def check(batch):
        shadow.partial_fit(batch)
        np.testing.assert_array_equal(batch.outputs["blobs.cluster"], shadow.predict(batch.features))
        seen.append(len(batch))

    report = (streamml.Pipeline(streamml.from_arrays(X, batch_size=100))
              .add("blobs", km).add_callback("check", check, state="stateless").run())
    assert seen == [100] * 9 and report["records"] == 900
    np.testing.assert_array_equal(km.cluster_centers_, shadow.cluster_centers_)


def test_a_callbacks_exception_comes_out_as_it_was():
    def boom(batch):
        if batch.index == 2:
            raise KeyError("batch two")

    pipeline = streamml.Pipeline(streamml.from_arrays(np.ones((50, 2)), batch_size=10))
    with pytest.raises(KeyError, match="batch two"):
        pipeline.add_callback("boom", boom).run()
    with pytest.raises(ValueError, match="given to a pipeline already"):  # a pipeline runs once
        pipeline.run()


def test_checkpoints_refuse_a_stage_that_has_not_said_how_it_keeps_state(tmp_path):
    source = streamml.from_arrays(np.ones((50, 2)), batch_size=10)
    pipeline = streamml.Pipeline(source, checkpoint_dir=tmp_path, checkpoint_every=2)
    with pytest.raises(ValueError, match="has not said how it keeps state"):
        pipeline.add_callback("counter", lambda b: None)
    with pytest.raises(ValueError, match="state must be \"stateless\" or the streamml model"):
        pipeline.add_callback("counter", lambda b: None, state="stateful").run()
    with pytest.raises(TypeError, match="a learner stage takes a streamml learner"):
        pipeline.add("eval", streamml.PrequentialEvaluator())
    with pytest.raises(ValueError, match="has been iterated or given to a pipeline"):
        streamml.Pipeline(source).run()


def test_a_callbacks_model_is_checkpointed_and_restored(tmp_path):
    # Oracle: the same model trained over the whole stream without a pipeline. The first run
    # stops at a checkpoint (the stream is cut short); the resumed run restores the model the
    # callback trains and goes on from the batch after it.
    rng = np.random.default_rng(9)
    X = rng.normal(size=(1000, 2))
    whole = streamml.StreamingKMeans(k=4, seed=3)
    for start in range(0, 1000, 50):
        whole.partial_fit(X[start:start + 50])

    def run(rows, resume):
        km = streamml.StreamingKMeans(k=4, seed=3)
        pipeline = streamml.Pipeline(streamml.from_arrays(X[:rows], batch_size=50),
                                     checkpoint_dir=tmp_path, checkpoint_every=4)
        pipeline.add_callback("km", lambda batch: km.partial_fit(batch), state=km)
        return km, pipeline.run(resume=resume)

    first, report = run(600, False)
    assert report["checkpoints"]["written"] == 3 and first.batches_seen_ == 12
    again, report = run(1000, True)
    assert report["checkpoints"]["resumed_batch_index"] == 11 and report["batches"] == 8
    np.testing.assert_array_equal(again.cluster_centers_, whole.cluster_centers_)
    assert again.batches_seen_ == 20


JOB = textwrap.dedent("""
    import sys
    import streamml
    stream, checkpoints = sys.argv[1], sys.argv[2]
    ctr = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad", fit_intercept=True)
    segments = streamml.StreamingKMeans(k=3, half_life=20, seed=5)
    pipeline = streamml.Pipeline(
        streamml.replay(stream, label="clicked", time="event_time", features=["ad_quality", "relevance"],
                        categorical=["device", "ad_category"], hash_bits=14, batch_size=250),
        checkpoint_dir=checkpoints, checkpoint_every=8, keep_checkpoints=3, threads=2)
    pipeline.add("ctr", ctr).add("segments", segments).run(resume=True)
""")


def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_run(tmp_path, streamml_python_dir):
    """Oracle: one uninterrupted run of the same job. A run killed at random moments (between
    batches and while checkpoints are written) and resumed each time ends with the same
    checkpoints, dataset for dataset, bit for bit, for both stages."""
    stream = tmp_path / "clicks.csv"
    subprocess.run([streamml_bin(), "generate", "clicks", "--events", "60000", "--seed", "11", "--out", str(stream)],
                   check=True, capture_output=True)
    job = tmp_path / "job.py"
    job.write_text(JOB)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    duration = timed_python_job(job, [stream, whole], streamml_python_dir)
    assert run_python_job_with_kills(job, [stream, killed], killed, streamml_python_dir, random.Random(11),
                                     duration, kills=8, spread=0.9) >= 8
    for stage in ("segments", "ctr"):
        state, attrs = assert_same_newest_checkpoint(whole, killed, stage)
        assert attrs["batch_index"] == 60000 // 250 - 1
    assert state["examples_seen"] == 60000 and state["evaluation/count"] == 60000  # none twice, none lost
