"""A Kafka topic through `streamml replay`, on librdkafka's mock cluster (`streamml kafka mock`,
the real protocol on loopback): exact resume under SIGKILL, a live run against the replay of the
same topic, and interop with kcat and confluent-kafka both ways.

Oracles: the uninterrupted replay of the topic (the final checkpoint's datasets bit for bit,
and the records learned equal to the messages produced: none twice, none lost); the file that
was produced (kcat and confluent-kafka read back its records, keys and event times); the
messages the test produced with kcat and confluent-kafka (streamml reads each once).
"""
import csv
import json
import random
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from kafka_mock import consume_all, start_mock, stop_mock
from sigkill import datasets as _datasets, kill_at_random_moments, streamml_bin as _streamml

EVENTS = 20_000
KCAT = shutil.which("kcat") or "/usr/bin/kcat"


@pytest.fixture(scope="module")
def cluster():
    proc, bootstrap = start_mock("clicks:4", "live:4", "kcat_in:2", "ck_in:3", "back:2", "sunk:3", "sunk_csv:3",
                                 "whole_out:3", "crash_out:3", "py_out:3")
    yield bootstrap
    stop_mock(proc)


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    path = tmp_path_factory.mktemp("kafka") / "clicks.csv"
    subprocess.run([_streamml(), "generate", "clicks", "--events", str(EVENTS), "--seed", "5", "--out", str(path)],
                   check=True, capture_output=True)
    with open(path) as f:
        header = next(csv.reader(f))
    return path, header


def _produce(bootstrap, topic, path, *extra):
    out = subprocess.run([_streamml(), "kafka", "produce", "--input", str(path), "--topic",
                          f"kafka://{bootstrap}/{topic}", "--key", "user", "--time", "event_time", *extra],
                         check=True, capture_output=True, text=True)
    assert f"produced {EVENTS} messages" in out.stdout, out.stdout


@pytest.fixture(scope="module")
def clicks_topic(cluster, stream):
    _produce(cluster, "clicks", stream[0])
    return cluster


def _replay_args(bootstrap, topic, header, checkpoints, *extra):
    return [_streamml(), "replay", "--input", f"kafka://{bootstrap}/{topic}", "--format", "csv",
            "--columns", ",".join(header), "--label", "clicked", "--key", "@key", "--time", "event_time",
            "--ignore", "user", "--categorical", "device,ad_category", "--hash-bits", "12",
            "--batch-interval", "2s", "--learner", "logreg", "--param", "mode=online",
            "--param", "optimizer=adagrad", "--quiet", "--checkpoint-dir", str(checkpoints), *extra]


def _sink_args(bootstrap, header, run, output, *extra):
    """The replay of the clicks topic to its end, its rows (the learner's probabilities) to output."""
    return _replay_args(bootstrap, "clicks", header, run / "checkpoints", "--until-end", "--output", output,
                        "--output-columns", "logreg.probability", *extra)


def _newest(checkpoints, name="logreg"):
    return sorted((checkpoints / name).glob("v*.h5"))[-1]


def _same_model(got_file, want_file, positions=True):
    got, got_attrs = _datasets(got_file)
    want, want_attrs = _datasets(want_file)
    assert sorted(got) == sorted(want)
    for name in want:
        assert np.array_equal(got[name], want[name], equal_nan=True), name
    assert got_attrs["batch_index"] == want_attrs["batch_index"]
    if positions:  # a file's positions are not a topic's
        assert json.loads(got_attrs["source_positions"]) == json.loads(want_attrs["source_positions"])


def test_sigkill_at_random_moments_then_resume_equals_the_uninterrupted_replay_of_the_topic(clicks_topic, stream, tmp_path):
    header = stream[1]
    whole = tmp_path / "whole"
    t0 = time.monotonic()
    run = subprocess.run(_replay_args(clicks_topic, "clicks", header, whole, "--until-end", "--checkpoint-every", "4"),
                         check=True, capture_output=True, text=True)
    duration = time.monotonic() - t0
    model, _ = _datasets(_newest(whole))
    assert model["examples_seen"] == EVENTS, run.stdout

    crashed = tmp_path / "crashed"
    rng = random.Random(13)
    kills = 0

    def killed():
        nonlocal kills
        kills += 1

    args = _replay_args(clicks_topic, "clicks", header, crashed, "--until-end", "--checkpoint-every", "4",
                        "--resume")
    kill_at_random_moments(args, crashed, rng, duration, lambda: kills >= 10, killed, spread=0.8)
    assert kills >= 10
    subprocess.run(args, check=True, capture_output=True)
    _same_model(_newest(crashed), _newest(whole))
    model, _ = _datasets(_newest(crashed))
    assert model["examples_seen"] == EVENTS  # none twice, none lost


def test_a_live_run_equals_the_replay_of_the_topic_and_resumes_to_its_end(cluster, stream, tmp_path):
    path, header = stream
    live = tmp_path / "live"
    # Reading before anything is produced: the messages arrive while the run is live.
    proc = subprocess.Popen(_replay_args(cluster, "live", header, live, "--checkpoint-every", "1",
                                         "--idle-timeout", "30s"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(1.0)
    _produce(cluster, "live", path, "--speed", "100")
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)  # a clean stop: the open batch is left for a resume
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    stopped_at = _newest(live)
    _, attrs = _datasets(stopped_at)

    # The replay of the same topic to its end, a checkpoint after every batch.
    replay = tmp_path / "replay"
    subprocess.run(_replay_args(cluster, "live", header, replay, "--until-end", "--checkpoint-every", "1"),
                   check=True, capture_output=True)
    same_batch = [f for f in sorted((replay / "logreg").glob("v*.h5"))
                  if _datasets(f)[1]["batch_index"] == attrs["batch_index"]]
    assert len(same_batch) == 1
    _same_model(stopped_at, same_batch[0])

    # The live run resumed to the end of the topic is the whole replay.
    subprocess.run(_replay_args(cluster, "live", header, live, "--until-end", "--checkpoint-every", "1", "--resume"),
                   check=True, capture_output=True)
    _same_model(_newest(live), _newest(replay))
    model, _ = _datasets(_newest(live))
    assert model["examples_seen"] == EVENTS


def test_kcat_and_confluent_kafka_produce_what_streamml_reads(cluster, tmp_path):
    confluent_kafka = pytest.importorskip("confluent_kafka")
    # kcat: "key:value" lines, CSV values.
    lines = [f"k{i}:{i},{i % 2}" for i in range(500)]
    subprocess.run([KCAT, "-P", "-b", cluster, "-t", "kcat_in", "-K:"], input="\n".join(lines) + "\n", text=True,
                   check=True)
    # confluent-kafka: JSON values with their own keys and timestamps.
    producer = confluent_kafka.Producer({"bootstrap.servers": cluster})
    for i in range(300):
        producer.produce("ck_in", key=f"u{i % 7}", value=json.dumps({"x": i * 0.5, "y": i % 2}),
                         timestamp=1_700_000_000_000 + 10 * i)
    assert producer.flush(30) == 0

    for topic, fmt, extra, n, total in [
            ("kcat_in", "csv", ["--columns", "x,y"], 500, sum(range(500))),
            ("ck_in", "jsonl", ["--time", "@timestamp", "--batch-interval", "100ms"], 300, 0.5 * sum(range(300)))]:
        summary = tmp_path / f"{topic}.json"
        subprocess.run([_streamml(), "replay", "--input", f"kafka://{cluster}/{topic}", "--format", fmt, *extra,
                        "--label", "y", "--key", "@key", "--until-end", "--quiet", "--summary", str(summary),
                        "--learner", "logreg"],
                       check=True, capture_output=True)
        report = json.loads(summary.read_text())
        assert report["records"] == n and report["bad_records"] == 0, (topic, report)


def test_what_streamml_produces_kcat_and_confluent_kafka_read_back(cluster, stream):
    confluent_kafka = pytest.importorskip("confluent_kafka")
    path, header = stream
    _produce(cluster, "back", path)
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    user, event_time = header.index("user"), header.index("event_time")
    want = sorted((r[user], ",".join(r)) for r in rows)

    got = subprocess.run([KCAT, "-C", "-b", cluster, "-t", "back", "-e", "-q", "-f", "%k\t%s\t%T\n"],
                         check=True, capture_output=True, text=True, timeout=60).stdout.splitlines()
    assert sorted(tuple(g.split("\t")[:2]) for g in got) == want
    # Message timestamps are the event times (Kafka keeps milliseconds).
    from datetime import datetime
    times = {}
    for r in rows:
        t = r[event_time]
        seconds = float(t) if t.replace(".", "", 1).isdigit() else datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
        times[",".join(r)] = int(seconds * 1000 // 1)
    assert all(int(g.split("\t")[2]) == times[g.split("\t")[1]] for g in got)

    seen = [(key, value) for _, _, key, value, _ in consume_all(cluster, "back", 2)]
    assert sorted(seen) == want


def test_python_replay_and_pipeline_over_a_topic(clicks_topic, stream):
    """streamml.replay over the topic against the same over the file the topic was produced from:
    the file's event times are in order, so each 2 s batch holds the same records (in the order
    of the partition merge, ties in time broken by partition). streamml.Pipeline over the topic
    read twice (in a consumer group, and without one) learns the same model bit for bit."""
    import streamml
    path, header = stream
    times = [row[0] for row in csv.reader(open(path))][1:]
    assert times == sorted(times)  # the premise
    common = dict(label="clicked", time="event_time", categorical=["device", "ad_category"], hash_bits=12,
                  features=["ad_quality", "relevance", "position", "hour_sin", "hour_cos", "user_affinity",
                            "page_depth"], batch_interval="2s")
    topic = lambda **kafka: streamml.replay(f"kafka://{clicks_topic}/clicks", format="csv", columns=header,
                                            key="@key", kafka=dict(until_end=True, **kafka), **common)
    got = [(b.index, sorted(b.keys)) for b in topic()]
    want = [(b.index, sorted(b.keys)) for b in streamml.replay(path, key="user", **common)]
    assert got == want and sum(len(k) for _, k in got) == EVENTS

    coefs = []
    for kafka in ({}, {"group": "python"}):
        model = streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad")
        pipeline = streamml.Pipeline(topic(**kafka))
        pipeline.add("ctr", model)
        report = pipeline.run()
        assert report["records"] == EVENTS
        coefs.append(np.asarray(model.coef_).copy())
    assert np.array_equal(coefs[0], coefs[1])


def test_the_kafka_output_holds_the_file_outputs_rows_keyed_read_by_confluent_kafka_and_kcat(clicks_topic, stream,
                                                                                             tmp_path):
    """--output kafka://... against --output FILE for the same run: the messages' values are the
    file's rows (JSON Lines by confluent-kafka, CSV by kcat), keyed by the record's key, each with
    its batch, row and source topic/partition/offset as headers."""
    pytest.importorskip("confluent_kafka")
    header = stream[1]
    for fmt, topic in (("jsonl", "sunk"), ("csv", "sunk_csv")):
        path = tmp_path / f"rows.{fmt}"
        subprocess.run(_sink_args(clicks_topic, header, tmp_path / f"file_{fmt}", str(path)), check=True,
                       capture_output=True)
        subprocess.run(_sink_args(clicks_topic, header, tmp_path / f"topic_{fmt}", f"kafka://{clicks_topic}/{topic}",
                                  "--output-format", fmt), check=True, capture_output=True)
        lines = path.read_text().splitlines()
        if fmt == "csv":
            names, lines = lines[0].split(","), lines[1:]
            assert names[:7] == ["record", "batch", "key", "source_topic", "source_partition", "source_offset",
                                 "event_time"]
            got = subprocess.run([KCAT, "-C", "-b", clicks_topic, "-t", topic, "-e", "-q", "-f", "%k\t%s\n"],
                                 check=True, capture_output=True, text=True, timeout=60).stdout.splitlines()
            assert len(got) == EVENTS
            assert sorted(g.split("\t")[1] for g in got) == sorted(lines)
            for g in got:
                key, row = g.split("\t")
                assert next(csv.reader([row]))[2] == key
            continue
        assert len(lines) == EVENTS
        messages = consume_all(clicks_topic, topic, 3)
        assert sorted(value for _, _, _, value, _ in messages) == sorted(lines)
        last_record = {}
        for partition, _, key, value, headers in messages:
            row = json.loads(value)
            assert key == row["key"]
            assert headers == {"batch": str(row["batch"]), "record": str(row["record"]), "source_topic": "clicks",
                               "source_partition": row["source_partition"], "source_offset": row["source_offset"]}
            # a partition holds its keys' rows in stream order
            assert row["record"] > last_record.get(partition, -1)
            last_record[partition] = row["record"]


def test_kafka_output_sigkilled_then_resumed_is_the_uninterrupted_runs_once_duplicates_are_dropped(clicks_topic, stream,
                                                                                                  tmp_path):
    """At least once with keys: killed at random moments and resumed, the output topic holds every
    row of the uninterrupted run, some more than once (the batches after the checkpoint a run
    resumed from, sent again); dropping duplicates by (batch, source partition, source offset)
    leaves exactly the uninterrupted run's rows. The duplicates are counted and printed."""
    pytest.importorskip("confluent_kafka")
    header = stream[1]
    whole = tmp_path / "whole"
    t0 = time.monotonic()
    subprocess.run(_sink_args(clicks_topic, header, whole, f"kafka://{clicks_topic}/whole_out",
                              "--checkpoint-every", "4"), check=True, capture_output=True)
    duration = time.monotonic() - t0
    want = {}
    for _, _, _, value, h in consume_all(clicks_topic, "whole_out", 3):
        want[(h["batch"], h["source_topic"], h["source_partition"], h["source_offset"])] = value
    assert len(want) == EVENTS

    crashed = tmp_path / "crashed"
    args = _sink_args(clicks_topic, header, crashed, f"kafka://{clicks_topic}/crash_out", "--checkpoint-every", "4",
                      "--resume")
    kills = []
    kill_at_random_moments(args, crashed / "checkpoints", random.Random(29), duration, lambda: len(kills) >= 5,
                           lambda: kills.append(1), spread=0.8)
    subprocess.run(args, check=True, capture_output=True)
    got, duplicates = {}, 0
    for _, _, _, value, h in consume_all(clicks_topic, "crash_out", 3):
        key = (h["batch"], h["source_topic"], h["source_partition"], h["source_offset"])
        if key in got:
            duplicates += 1
            assert got[key] == value  # a duplicate is the same row again
        got[key] = value
    print(f"kafka output after {len(kills)} SIGKILLs and resumes: {len(got) + duplicates} messages, "
          f"{duplicates} duplicates dropped")
    assert got == want
    _same_model(_newest(crashed / "checkpoints"), _newest(whole / "checkpoints"))


def test_a_recorded_topic_replays_to_the_live_runs_model_bit_for_bit(clicks_topic, stream, tmp_path):
    """`streamml record` of the topic, then `replay` of the file with the learner settings of the
    live run on the topic: the same model bit for bit (every dataset of the final checkpoint and
    its batch index). The file holds every message once: (@partition, @offset) counted against
    the messages produced, and each line's payload is a line of the file that was produced."""
    path, header = stream
    recorded = tmp_path / "recorded.csv"
    out = subprocess.run([_streamml(), "record", "--input", f"kafka://{clicks_topic}/clicks", "--out", str(recorded),
                          "--columns", ",".join(header), "--time", "event_time", "--until-end", "--quiet"],
                         check=True, capture_output=True, text=True)
    assert f"recorded {EVENTS} messages" in out.stdout, out.stdout
    with open(recorded) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:len(header)] == header
    assert list(rows[0])[len(header):] == ["@key", "@timestamp", "@topic", "@partition", "@offset"]
    per_partition = {}
    for r in rows:
        per_partition.setdefault(r["@partition"], []).append(int(r["@offset"]))
        assert r["@key"] == r["user"] and r["@topic"] == "clicks"
    assert sum(len(o) for o in per_partition.values()) == EVENTS
    assert all(sorted(o) == list(range(len(o))) for o in per_partition.values())
    with open(path) as f:
        produced = sorted(f.read().splitlines()[1:])
    assert sorted(",".join(r[h] for h in header) for r in rows) == produced

    live = tmp_path / "live"
    subprocess.run(_replay_args(clicks_topic, "clicks", header, live, "--until-end"), check=True, capture_output=True)
    replayed = tmp_path / "replayed"
    args = _replay_args(clicks_topic, "clicks", header, replayed)
    args[args.index("--input") + 1] = str(recorded)
    del args[args.index("--format"):args.index("--columns") + 2]  # the file has its header
    subprocess.run(args, check=True, capture_output=True)
    _same_model(_newest(replayed), _newest(live), positions=False)
    assert _datasets(_newest(replayed))[0]["examples_seen"] == EVENTS


def test_python_pipeline_output_to_a_topic_holds_its_file_outputs_rows(clicks_topic, stream, tmp_path):
    """streamml.Pipeline(...).add_output("kafka://...") beside add_output(FILE) in the same run:
    the topic's messages (read by confluent-kafka) are the file's rows, keyed by the record's key,
    with their batch and record number as headers."""
    pytest.importorskip("confluent_kafka")
    import streamml
    header = stream[1]
    source = streamml.replay(f"kafka://{clicks_topic}/clicks", format="csv", columns=header, key="@key",
                             time="event_time", label="clicked", categorical=["device", "ad_category"], hash_bits=12,
                             features=["ad_quality", "relevance", "position", "hour_sin", "hour_cos", "user_affinity",
                                       "page_depth"], batch_interval="2s", kafka=dict(until_end=True))
    rows = tmp_path / "rows.jsonl"
    pipeline = streamml.Pipeline(source)
    pipeline.add("ctr", streamml.LogisticRegressionSGD(mode="online", optimizer="adagrad"))
    pipeline.add_output(rows, columns=["ctr.probability"])
    pipeline.add_output(f"kafka://{clicks_topic}/py_out", columns=["ctr.probability"],
                        kafka_config={"linger.ms": "10"})
    assert pipeline.run()["records"] == EVENTS
    lines = rows.read_text().splitlines()
    messages = consume_all(clicks_topic, "py_out", 3)
    assert sorted(value for _, _, _, value, _ in messages) == sorted(lines)
    for _, _, key, value, headers in messages:
        row = json.loads(value)
        assert key == row["key"] and headers == {"batch": str(row["batch"]), "record": str(row["record"])}
    with pytest.raises(ValueError, match="kafka_config is for a kafka://"):
        streamml.Pipeline(source).add_output(rows, kafka_config={"linger.ms": "1"})
