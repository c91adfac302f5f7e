"""Decision learners (streamml.Autoscaler, streamml.Allocator) as streamml.Pipeline stages on a
generated monitoring stream: their decisions as output columns, the stage's figures, resume.

Oracles: partial_fit per batch over the same batches (the stage adds nothing but the columns),
the command line (`streamml replay --learner autoscale --summary`, the same pipeline from C++),
the generator's truth (the optimal offline plan, <out>.truth.csv and <out>.model.json) for the
end-to-end figures, and one uninterrupted run for resume.
"""
import csv
import json
import subprocess

import numpy as np
import pytest

import streamml
from sigkill import streamml_bin

SERVICES = 8
PLATFORM = dict(services=SERVICES, day_seconds=3600, burst_probability=0.01)
STREAM = dict(key="service", key_type="int", time="event_time", features=["requests", "processing_rate"],
              batch_interval="60s")


@pytest.fixture(scope="module")
def monitoring(tmp_path_factory):
    """Ten one-hour "days" of one-minute windows of 8 services, seed 42 (examples/
    autoscale_monitoring.cpp's stream)."""
    path = tmp_path_factory.mktemp("monitoring") / "monitoring.csv"
    streamml.generate("monitoring", path, events=SERVICES * 600, seed=42, **PLATFORM)
    return path


def _collect(columns):
    def fn(batch):
        for name, values in batch.outputs.items():
            columns.setdefault(name, []).append(np.array(values))
    return fn


def test_columns_are_what_partial_fit_decides_and_the_report_is_the_command_lines(monitoring, tmp_path):
    model = streamml.Autoscaler(services=SERVICES)
    columns = {}
    pipeline = streamml.Pipeline(streamml.replay(monitoring, **STREAM), threads=2)
    report = pipeline.add("autoscale", model).add_callback("collect", _collect(columns)).run()
    assert set(columns) == {"autoscale.instances", "autoscale.planned_arrivals"}

    direct = streamml.Autoscaler(services=SERVICES)
    for k, batch in enumerate(streamml.replay(monitoring, **STREAM)):
        direct.partial_fit(batch)
        keys = np.asarray(batch.keys)
        np.testing.assert_array_equal(columns["autoscale.instances"][k], direct.instances_[keys])
        np.testing.assert_array_equal(columns["autoscale.planned_arrivals"][k], direct.planned_[keys])
    assert k == 599
    np.testing.assert_array_equal(model.instances_, direct.instances_)

    stage = report["stages"]["autoscale"]
    assert stage["decisions"] == 600 and stage["learner"] == "autoscale"
    assert stage["model"]["scale_events"] == stage["changed"]

    summary = tmp_path / "summary.json"
    subprocess.run([streamml_bin(), "replay", "--input", str(monitoring), "--time", "event_time", "--key", "service",
                    "--key-type", "int", "--features", "requests,processing_rate", "--batch-interval", "60s",
                    "--threads", "2", "--learner", "autoscale", "--param", f"services={SERVICES}", "--quiet",
                    "--summary", str(summary)], check=True, capture_output=True)
    want = json.loads(summary.read_text())
    assert want["stages"]["autoscale"] == stage  # the command line's stage, figure for figure


def _direction_changes(counts):
    """Sign changes of each column's steps (flat steps skipped), summed over columns."""
    changes = 0
    for column in counts.T:
        steps = np.sign(np.diff(column))
        steps = steps[steps != 0]
        changes += int(np.count_nonzero(steps[1:] != steps[:-1]))
    return changes


def test_autoscaling_end_to_end_against_the_offline_optimum(monitoring):
    # The counts come from the pipeline's output column alone; the decision after window w is
    # in effect in window w + 1 (window 0 runs on min_instances and is not judged).
    columns = {}
    pipeline = streamml.Pipeline(streamml.replay(monitoring, **STREAM))
    pipeline.add("autoscale", streamml.Autoscaler(services=SERVICES)).add_callback("collect", _collect(columns))
    pipeline.run()
    decided = np.vstack(columns["autoscale.instances"])  # windows x services (records in service order)
    in_effect = np.vstack([np.ones((1, SERVICES), np.int64), decided[:-1]])

    truth = json.loads(monitoring.with_name("monitoring.csv.model.json").read_text())
    with open(monitoring.with_name("monitoring.csv.truth.csv")) as f:
        rows = list(csv.DictReader(f))
    offline = np.array([int(r["offline_instances"]) for r in rows]).reshape(-1, SERVICES)
    records = np.genfromtxt(monitoring, delimiter=",", names=True, dtype=None, encoding="utf-8")
    requests = records["requests"].reshape(-1, SERVICES)
    rate = records["processing_rate"].reshape(-1, SERVICES)

    def cost(counts):  # the offline plan's prices: 1 per instance-window, 0.5 per start or stop
        steps = np.diff(np.vstack([np.ones((1, SERVICES)), counts]), axis=0)
        return counts.sum() + 0.5 * np.abs(steps).sum()

    assert cost(offline) == pytest.approx(truth["offline_cost"], rel=1e-12)
    assert cost(in_effect) <= 1.15 * truth["offline_cost"]  # measured +8.6 %
    assert _direction_changes(in_effect) <= 200  # a smooth plan: 2 turns a day x 10 days x 8 = 160
    unmet = in_effect * rate < requests
    unmet[0] = False
    incident = np.zeros_like(unmet)
    i = truth["incident"]
    incident[i["first_window"]:i["end_window"], i["service"]] = True
    assert not unmet[~incident].any()
    assert unmet[incident].any()


def test_allocation_resumes_after_a_failure_as_uninterrupted(monitoring, tmp_path):
    # 8 services on 3 servers with a move cost: the warm LP; a failure injected at batch 57, the
    # newest checkpoint after batch 49; resumed, the columns of batches 50.. equal the whole run's.
    settings = dict(capacity=[1800, 1500, 1300], services=SERVICES, move_cost=0.1,
                    cost=[[1 + (3 * i + j) % 5 for j in range(SERVICES)] for i in range(3)])

    def run(directory, fail_at=None, resume=False):
        columns, model = {}, streamml.Allocator(**settings)

        def collect(batch):
            if batch.index == fail_at:
                raise RuntimeError("injected failure")
            _collect(columns)(batch)
        pipeline = streamml.Pipeline(streamml.replay(monitoring, **STREAM), checkpoint_dir=directory,
                                     checkpoint_every=10)
        pipeline.add("place", model).add_callback("collect", collect, state="stateless")
        try:
            pipeline.run(resume=resume)
        except RuntimeError as e:
            assert "injected failure" in str(e)
        return columns, model, pipeline.report_

    whole, whole_model, whole_report = run(tmp_path / "whole")
    run(tmp_path / "cut", fail_at=57)
    resumed, resumed_model, resumed_report = run(tmp_path / "cut", resume=True)
    assert set(whole) == {"place.served", "place.unmet", "place.placement"}
    for name, values in whole.items():
        assert len(resumed[name]) == 550
        for got, want in zip(resumed[name], values[50:]):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(resumed_model.allocation_, whole_model.allocation_)
    assert resumed_report["stages"]["place"] == whole_report["stages"]["place"]
    assert resumed_report["stages"]["place"]["model"]["warm"]
