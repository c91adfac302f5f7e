"""Exactly-once recovery of `streamml replay` from SIGKILL at random moments.

Oracle: one uninterrupted replay of the same stream with the same settings. The final
checkpoint of a run killed many times and resumed each time with --resume must hold the same
datasets bit for bit (learner weights, optimizer accumulators, counters, and the prequential
evaluator's sums, histograms and curve), and the records learned must equal the input's
count (none twice, none lost).
"""
import json
import random
import subprocess
import time

import h5py
import numpy as np
import pytest

from sigkill import datasets as _datasets, kill_at_random_moments, streamml_bin as _streamml

EVENTS = 100_000


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "clicks.csv"
    subprocess.run([_streamml(), "generate", "clicks", "--events", str(EVENTS), "--seed", "11",
                    "--out", str(path)], check=True, capture_output=True)
    return path


def _replay_args(stream, checkpoints, *extra):
    # Hashed categorical features (2^14 buckets) make each checkpoint about 260 KB, so a good
    # share of the run is spent writing checkpoints and the kills land in both phases.
    return [_streamml(), "replay", "--input", str(stream), "--label", "clicked", "--key", "user",
            "--time", "event_time", "--categorical", "device,ad_category", "--hash-bits", "14",
            "--batch-size", "250", "--learner", "logreg", "--param", "mode=online",
            "--param", "optimizer=adagrad", "--param", "fit_intercept=true", "--quiet",
            "--checkpoint-dir", str(checkpoints), "--checkpoint-every", "8",
            "--keep-checkpoints", "3", *extra]


def _newest(checkpoints, name):
    files = sorted((checkpoints / name).glob("v*.h5"))
    return files[-1]


def _assert_same_model(got_file, want_file):
    got, got_attrs = _datasets(got_file)
    want, want_attrs = _datasets(want_file)
    assert sorted(got) == sorted(want)
    for name in want:
        assert np.array_equal(got[name], want[name], equal_nan=True), name
    assert got_attrs["batch_index"] == want_attrs["batch_index"]
    got_position, want_position = (json.loads(a["source_positions"]) for a in (got_attrs, want_attrs))
    got_position.pop("source"), want_position.pop("source")  # the file's name may differ
    assert got_position == want_position


def _write_signs(checkpoints):
    """What a checkpoint being written leaves when killed: its temporary files, and a model
    version newer than any manifest names (0 when none)."""
    temporaries = {p.name for p in checkpoints.rglob(".v*.tmp-*")}
    manifests = sorted((checkpoints / "pipeline").glob("v*.h5"))
    models = sorted((checkpoints / "logreg").glob("v*.h5"))
    newest = int(models[-1].name[1:7]) if models else 0
    named = 0
    if manifests:
        with h5py.File(manifests[-1], "r") as f:
            named = int(f["model_versions"][0])
    return temporaries, newest if newest > named else 0


def _in_write(checkpoints, before):
    """Whether the run just killed was writing a checkpoint: signs of a write that were not
    there after the kill before (`before`: _write_signs then). A run killed before it got as
    far as pruning leaves the earlier runs' signs in place; those are not its own."""
    temporaries, unnamed = _write_signs(checkpoints)
    return bool(temporaries - before[0]) or unnamed > before[1]


def test_sigkill_at_random_moments_then_resume_equals_one_uninterrupted_run(stream, tmp_path):
    whole = tmp_path / "whole"
    t0 = time.monotonic()
    subprocess.run(_replay_args(stream, whole), check=True, capture_output=True)
    duration = time.monotonic() - t0

    crashed = tmp_path / "crashed"
    rng = random.Random(20261122)
    kills = in_write = in_batch = 0
    signs = (set(), 0)

    def killed():
        nonlocal kills, in_write, in_batch, signs
        kills += 1
        if _in_write(crashed, signs):
            in_write += 1
        else:
            in_batch += 1
        signs = _write_signs(crashed)

    # Kills anywhere in a run (spread 1): a resumed run spends its first part restoring, and
    # a run of a fraction of a second here would otherwise rarely be killed inside a write.
    attempt = kill_at_random_moments(_replay_args(stream, crashed, "--resume"), crashed, rng, duration,
                                     lambda: kills >= 10 and in_write >= 2 and in_batch >= 2, killed, spread=1.0)
    print(f"{attempt} runs, {kills} kills: {in_write} while writing a checkpoint, {in_batch} between; one run {duration:.2f} s")
    assert kills >= 10 and in_write >= 2 and in_batch >= 2, (kills, in_write, in_batch)

    done = subprocess.run(_replay_args(stream, crashed, "--resume"), check=True, capture_output=True, text=True)
    assert "resumed from checkpoint" in done.stdout or "started from the beginning" in done.stdout

    final = _newest(crashed, "logreg")
    _assert_same_model(final, _newest(whole, "logreg"))
    model, attrs = _datasets(final)
    assert model["examples_seen"] == EVENTS            # none twice, none lost
    assert model["evaluation/count"] == EVENTS         # every record evaluated once
    assert attrs["batch_index"] == EVENTS // 250 - 1


def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one(stream, tmp_path):
    whole = tmp_path / "whole"
    subprocess.run(_replay_args(stream, whole), check=True, capture_output=True)

    # A run stopped early: replay only the first 40 % of the stream (a prefix of the file).
    lines = stream.read_text().splitlines(keepends=True)
    prefix = tmp_path / "clicks.csv"
    prefix.write_text("".join(lines[: 1 + int(0.4 * EVENTS)]))
    part = tmp_path / "part"
    subprocess.run(_replay_args(prefix, part), check=True, capture_output=True)
    # The runs differ only in the file's size; resume needs the same file, so put the whole
    # stream in its place (appended records, as a live log grows).
    prefix.write_text("".join(lines))

    newest = _newest(part, "logreg")
    data = bytearray(newest.read_bytes())
    newest.write_bytes(bytes(data[: len(data) // 2]))  # truncated

    out = subprocess.run(_replay_args(prefix, part, "--resume"), check=True, capture_output=True, text=True)
    assert "is damaged, fell back to an older one" in out.stdout
    assert str(newest) in out.stdout                   # the message names the damaged file
    _assert_same_model(_newest(part, "logreg"), _newest(whole, "logreg"))


def test_sigkill_at_random_moments_then_resume_writes_the_uninterrupted_output_byte_for_byte(stream, tmp_path):
    # Oracle: the --output file of one uninterrupted run. The sink is cut back to the newest
    # checkpoint's mark on resume, so no row is written twice or lost whatever the kills hit.
    def args(checkpoints, out, *extra):
        return _replay_args(stream, checkpoints, "--output", str(out), "--output-columns", "logreg.probability",
                            *extra)

    whole = tmp_path / "whole"
    t0 = time.monotonic()
    subprocess.run(args(whole, tmp_path / "whole.csv"), check=True, capture_output=True)
    duration = time.monotonic() - t0

    crashed = tmp_path / "crashed"
    out = tmp_path / "crashed.csv"
    rng = random.Random(20261207)
    kills = 0

    def killed():
        nonlocal kills
        kills += 1

    kill_at_random_moments(args(crashed, out, "--resume"), crashed, rng, duration, lambda: kills >= 10, killed)
    assert kills >= 10
    subprocess.run(args(crashed, out, "--resume"), check=True, capture_output=True)
    want = (tmp_path / "whole.csv").read_bytes()
    assert out.read_bytes() == want
    assert want.count(b"\n") == EVENTS + 1  # a header and one row per record


def test_sigkill_of_a_windowed_count_then_resume_writes_the_uninterrupted_windows_byte_for_byte(stream, tmp_path):
    # Oracle: the windows table (--count-by, a DStream window) of one uninterrupted run.
    def args(checkpoints, out, *extra):
        return [_streamml(), "replay", "--input", str(stream), "--key", "user", "--time", "event_time",
                "--batch-interval", "5s", "--count-by", "user", "--window", "60s", "--slide", "20s",
                "--quiet", "--checkpoint-dir", str(checkpoints), "--checkpoint-every", "5",
                "--keep-checkpoints", "3", "--output", str(out), *extra]

    whole = tmp_path / "whole"
    t0 = time.monotonic()
    subprocess.run(args(whole, tmp_path / "whole.csv"), check=True, capture_output=True)
    duration = time.monotonic() - t0

    crashed = tmp_path / "crashed"
    out = tmp_path / "crashed.csv"
    rng = random.Random(7)
    kills = 0

    def killed():
        nonlocal kills
        kills += 1

    kill_at_random_moments(args(crashed, out, "--resume"), crashed, rng, duration, lambda: kills >= 10, killed)
    assert kills >= 10
    subprocess.run(args(crashed, out, "--resume"), check=True, capture_output=True)
    want = (tmp_path / "whole.csv").read_bytes()
    assert want.count(b"\n") > 100  # many windows' rows
    assert out.read_bytes() == want


def test_outputs_are_durable_before_each_manifest(tmp_path):
    """A checkpoint is complete once its manifest is linked in, so every byte it counts on must
    be on disk first: the dead-letter file and each --output file are fsynced before each
    manifest's link(). Oracle: the system calls themselves, as strace(1) records them in order
    (fsync on a descriptor of the file, then link of ck/pipeline/vNNNNNN.h5)."""
    rows = ["t,user,x,y"] + [f"{1000 + i},{i % 7},{'oops' if i in (1, 150) else i * 0.5},{i % 2}"
                             for i in range(200)]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    trace = tmp_path / "trace.txt"
    subprocess.run(["strace", "-f", "-y", "-e", "trace=fsync,fdatasync,link,linkat", "-o", str(trace),
                    _streamml(), "replay", "--input", "s.csv", "--label", "y", "--key", "user",
                    "--time", "t", "--batch-size", "20", "--checkpoint-dir", "ck",
                    "--checkpoint-every", "2", "--dead-letter", "dead.jsonl", "--output", "scores.csv",
                    "--quiet"], cwd=tmp_path, check=True, capture_output=True)
    synced, manifests = set(), 0
    for line in trace.read_text().splitlines():
        if "fsync(" in line and "= 0" in line:
            synced.add(line.split("<", 1)[1].split(">", 1)[0].rsplit("/", 1)[-1])
        elif "link(" in line and "ck/pipeline/v" in line and "= 0" in line:
            manifests += 1
            assert {"dead.jsonl", "scores.csv"} <= synced, f"manifest {manifests} linked before {synced}"
            synced.clear()
    assert manifests == 5  # 10 batches of 20 records (2 bad), a checkpoint every 2
    assert len((tmp_path / "dead.jsonl").read_text().splitlines()) == 2
