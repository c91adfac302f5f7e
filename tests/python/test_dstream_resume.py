"""`streamml replay --count-by` (a DStream graph: watermark, incremental event-time window)
killed with SIGKILL at random moments and resumed with --resume.

Oracle: one uninterrupted run with the same settings. The final checkpoint of the graph's
state (watermark, late count, the window's panes, running window and grid) must equal it
dataset for dataset, and the windows printed after the last resume must be the uninterrupted
run's last windows, line for line.
"""
import random
import subprocess
import time

import numpy as np

from sigkill import datasets, kill_at_random_moments, streamml_bin as _streamml

EVENTS = 60_000


def _args(stream, checkpoints, *extra):
    return [_streamml(), "replay", "--input", str(stream), "--time", "event_time", "--count-by", "user",
            "--window", "60s", "--slide", "1s", "--lateness", "2s", "--top", "3", "--quiet",
            "--checkpoint-dir", str(checkpoints), "--checkpoint-every", "5", "--keep-checkpoints", "3", *extra]


def _windows(stdout):
    return [line for line in stdout.splitlines() if line.startswith("window ")]


def test_sigkill_then_resume_gives_the_uninterrupted_state_and_windows(tmp_path):
    stream = tmp_path / "clicks.csv"
    subprocess.run([_streamml(), "generate", "clicks", "--events", str(EVENTS), "--seed", "5", "--out", str(stream)],
                   check=True, capture_output=True)
    whole = tmp_path / "whole"
    t0 = time.monotonic()
    uninterrupted = subprocess.run(_args(stream, whole), check=True, capture_output=True, text=True)
    duration = time.monotonic() - t0

    crashed = tmp_path / "crashed"
    rng = random.Random(6)
    kills = 0

    def killed():
        nonlocal kills
        kills += 1

    kill_at_random_moments(_args(stream, crashed, "--resume"), crashed, rng, duration, lambda: kills >= 4, killed,
                           spread=0.4, runs=40)
    assert kills >= 4
    resumed = subprocess.run(_args(stream, crashed, "--resume"), check=True, capture_output=True, text=True)

    got, _ = datasets(sorted((crashed / "count_by_window").glob("v*.h5"))[-1])
    want, _ = datasets(sorted((whole / "count_by_window").glob("v*.h5"))[-1])
    assert sorted(got) == sorted(want)
    for name in want:
        assert np.array_equal(got[name], want[name]), name
    tail = _windows(resumed.stdout)
    assert tail, resumed.stdout
    assert _windows(uninterrupted.stdout)[-len(tail):] == tail
