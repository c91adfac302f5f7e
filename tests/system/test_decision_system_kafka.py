"""The decision system in Kafka mode (`streamml demo --kafka ...`, apps/decision_kafka.h).

Each lane reads its recorded stream from a topic of librdkafka's mock cluster (the real protocol
on loopback; clicks in 4 partitions, monitoring and transactions in 2) and writes its decisions
to topics named after their files too. The oracle is the same system run from the files:
  - every decision (per impression, per service-hour) equals the file run's, matched by event time
    and key, the churn lane's tables (risks, top-risk list, offers) are the same bytes, and the
    figures of the summary are equal: merging partitions by event time gives the lanes the
    file's batches;
  - a run paced at X times the recorded pace (the lanes reading live while the streams are
    produced) writes the same bytes as one that produced everything first;
  - against a cluster that outlives the run (`streamml kafka mock` in its own process), a run
    SIGKILLed mid-stream (its producers and lanes both) and resumed writes the same bytes as an
    uninterrupted one, and the decisions' topics (consumed with confluent-kafka) hold the same
    rows once the duplicates a resume re-sends are dropped by (batch, source partition, source
    offset);
  - bad settings are refused with a message naming the problem.
"""
import json
import os
import pathlib
import re
import signal
import subprocess

import pandas as pd
import pytest
from conftest import kill_after_checkpoints

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("STREAMML_BINARY_DIR", REPO / "build"))
BIN = str(BUILD / "bin" / "streamml")
DATA = REPO / "data" / "demo"
DECISIONS = {"clicks_scores.csv": ["ctr.probability"],
             "monitoring_decisions.csv": ["monitor.anomaly", "monitor.deviation", "autoscale.instances",
                                          "autoscale.planned_arrivals"]}
TABLES = ["churn_risks.csv", "churn_top_risk.csv", "churn_offers.csv"]
LANES = ["clicks", "monitoring", "churn"]


def demo(out, *flags, check=True):
    return subprocess.run([BIN, "demo", "--data", str(DATA), "--out", str(out), "--quiet", *flags], cwd=REPO,
                          check=check, capture_output=True, text=True)


def summary(out):
    with open(out / "summary.json") as f:
        return json.load(f)


def decisions(out, name):
    return pd.read_csv(out / "decisions" / name, dtype=str)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    files, kafka = tmp_path_factory.mktemp("files"), tmp_path_factory.mktemp("kafka")
    demo(files)
    demo(kafka, "--kafka", "mock")
    return files, kafka


def test_every_decision_equals_the_file_run(runs):
    files, kafka = runs
    assert summary(kafka)["figures"] == summary(files)["figures"]
    for name, columns in DECISIONS.items():
        a, b = decisions(files, name), decisions(kafka, name)
        assert len(a) == len(b) > 0
        # Rows written from a topic name their message; positions are offsets, not file bytes.
        assert {"source_partition", "source_offset"} <= set(b.columns)
        assert b["source_partition"].nunique() == (4 if name.startswith("clicks") else 2)
        key = ["event_time", "key"]
        a = a.sort_values(key, kind="stable").reset_index(drop=True)
        b = b.sort_values(key, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(a[key + ["batch"] + columns], b[key + ["batch"] + columns])
    for name in TABLES:  # result tables: one row per customer (or offer) and batch, whatever the order of arrival
        assert (kafka / "decisions" / name).read_bytes() == (files / "decisions" / name).read_bytes(), name


def test_the_report_reads_the_kafka_run_as_the_file_run(runs):
    # The report's tables put each decision beside its record, matched by (event time, key):
    # the Kafka run's decisions arrive in merge order, and must land on the same records.
    from streamml.demo import load
    (clicks_f, mon_f, _, _), (clicks_k, mon_k, _, _) = load(DATA, runs[0]), load(DATA, runs[1])
    pd.testing.assert_frame_equal(clicks_f, clicks_k)
    pd.testing.assert_frame_equal(mon_f, mon_k)


def test_a_paced_live_run_writes_the_same_bytes(runs, tmp_path):
    _, kafka = runs
    # 60 days of event time at 500,000x: about 10 s, the lanes reading while the streams arrive.
    demo(tmp_path, "--kafka", "mock", "--speed", "500000")
    for name in list(DECISIONS) + TABLES:
        assert (tmp_path / "decisions" / name).read_bytes() == (kafka / "decisions" / name).read_bytes(), name


@pytest.fixture()
def cluster():
    """`streamml kafka mock` in its own process: topics that outlive a killed run."""
    topics = ["clicks:4", "monitoring:2", "churn:2"] + [name[:-4] for name in list(DECISIONS) + TABLES]
    proc = subprocess.Popen([BIN, "kafka", "mock", "--brokers", "1"] + [f for t in topics for f in ("--topic", t)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    bootstrap = None
    for line in proc.stdout:
        m = re.match(r"bootstrap: (\S+)", line)
        if m:
            bootstrap = m.group(1)
            break
    assert bootstrap, proc.stderr.read()
    yield bootstrap
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def consume(bootstrap, topic):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "judge", "enable.auto.commit": False})
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, low)])
    rows = []
    while len(rows) < high - low:
        m = c.poll(5)
        assert m is not None, f"{topic}: {len(rows)} of {high - low} messages"
        rows.append(json.loads(m.value()))
    c.close()
    return rows


def test_killed_and_resumed_against_a_cluster_that_outlives_it(runs, cluster, tmp_path):
    _, kafka = runs
    crashed = tmp_path / "crashed"
    proc = subprocess.Popen([BIN, "demo", "--data", str(DATA), "--out", str(crashed), "--quiet", "--kafka", cluster,
                             "--checkpoint-every", "100", "--speed", "432000"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    kill_after_checkpoints(proc, crashed, LANES)
    partial = (crashed / "decisions" / "monitoring_decisions.csv").stat().st_size
    assert 0 < partial < (kafka / "decisions" / "monitoring_decisions.csv").stat().st_size
    # A fresh run into topics that hold a stream already is refused, naming the topic.
    refused = demo(tmp_path / "again", "--kafka", cluster, check=False)
    assert refused.returncode != 0 and "topic 'clicks'" in refused.stderr and "already holds" in refused.stderr
    demo(crashed, "--kafka", cluster, "--checkpoint-every", "100", "--resume")
    duplicates = {}
    for name in TABLES:
        assert (crashed / "decisions" / name).read_bytes() == (kafka / "decisions" / name).read_bytes(), name
    for name, columns in DECISIONS.items():
        ours = decisions(crashed, name)
        # The positions name the same offsets: the bytes equal the in-process cluster's run.
        assert (crashed / "decisions" / name).read_bytes() == (kafka / "decisions" / name).read_bytes(), name
        # The topic: at least once; without the duplicates, exactly the file's rows. The mock
        # cluster keeps only a partition's newest messages (its log is capped: about 5 MB), so
        # the rows it still holds are checked, and that they run without a gap to the last one.
        topic = consume(cluster, name[:-4])
        sent = pd.DataFrame(topic).astype(str)
        unique = sent.drop_duplicates(subset=["batch", "source_partition", "source_offset"])
        records = sorted(int(r) for r in unique["record"])
        assert len(records) > 1000 and records == list(range(records[0], len(ours))), name
        theirs = unique.set_index(unique["record"].astype(int)).sort_index()
        mine = ours.set_index(ours["record"].astype(int)).loc[records[0]:]
        for column in ["batch", "key", "source_partition", "source_offset"] + columns:
            assert theirs[column].tolist() == mine[column].tolist(), (name, column)
        duplicates[name] = len(sent) - len(unique)
    print(f"messages re-sent after the resume, dropped by (batch, source partition, source offset): {duplicates}")


def test_bad_settings_are_refused(tmp_path):
    r = demo(tmp_path, "--kafka", "mock", "--checkpoint-every", "10", "--resume", check=False)
    assert r.returncode != 0 and "--resume needs the topics of the run it resumes" in r.stderr
    r = demo(tmp_path, "--kafka", "127.0.0.1:1", check=False)
    assert r.returncode != 0 and "kafka" in r.stderr.lower()
