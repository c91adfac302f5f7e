"""`streamml replay --count-by` (a DStream graph: watermark, incremental event-time window)
killed with SIGKILL at random moments and resumed with --resume.

Oracle: one uninterrupted run with the same settings. The final checkpoint of the graph's
state (watermark, late count, the window's panes, running window and grid) must equal it
dataset for dataset, and the windows printed after the last resume must be the uninterrupted
run's last windows, line for line.
"""
import os
import pathlib
import random
import signal
import subprocess
import time

import h5py
import numpy as np

EVENTS = 60_000


def _streamml():
    binary_dir = os.environ.get("STREAMML_BINARY_DIR")
    base = pathlib.Path(binary_dir) if binary_dir else pathlib.Path(__file__).resolve().parents[2] / "build"
    return str(base / "bin" / "streamml")


def _args(stream, checkpoints, *extra):
    return [_streamml(), "replay", "--input", str(stream), "--time", "event_time", "--count-by", "user",
            "--window", "60s", "--slide", "1s", "--lateness", "2s", "--top", "3", "--quiet",
            "--checkpoint-dir", str(checkpoints), "--checkpoint-every", "5", "--keep-checkpoints", "3", *extra]


def _datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


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
    for _ in range(40):
        if kills >= 4:
            break
        proc = subprocess.Popen(_args(stream, crashed, "--resume"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.02, max(0.05, 0.4 * duration)))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        else:
            _, err = proc.communicate()
            assert proc.returncode == 0, err.decode()
            for f in crashed.rglob("*"):
                if f.is_file():
                    f.unlink()
    assert kills >= 4
    resumed = subprocess.run(_args(stream, crashed, "--resume"), check=True, capture_output=True, text=True)

    got = _datasets(sorted((crashed / "count_by_window").glob("v*.h5"))[-1])
    want = _datasets(sorted((whole / "count_by_window").glob("v*.h5"))[-1])
    assert sorted(got) == sorted(want)
    for name in want:
        assert np.array_equal(got[name], want[name]), name
    tail = _windows(resumed.stdout)
    assert tail, resumed.stdout
    assert _windows(uninterrupted.stdout)[-len(tail):] == tail
