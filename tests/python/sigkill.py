"""What the SIGKILL tests share: the streamml command, a checkpoint's datasets, and a command
killed again and again at random moments of its run.
"""
import os
import pathlib
import signal
import subprocess
import sys
import time

import h5py


def streamml_bin():
    binary_dir = os.environ.get("STREAMML_BINARY_DIR")
    base = pathlib.Path(binary_dir) if binary_dir else pathlib.Path(__file__).resolve().parents[2] / "build"
    return str(base / "bin" / "streamml")


def datasets(path):
    """Every dataset of an HDF5 file by name, and the root attributes."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        attrs = dict(f.attrs)
    return out, attrs


def kill_at_random_moments(args, checkpoints, rng, duration, done, on_kill=lambda: None, spread=0.3, runs=80,
                           env=None):
    """Runs `args` (a command that resumes from `checkpoints`) until done() is true, each run
    SIGKILLed after a random fraction (up to `spread`) of `duration`, the uninterrupted run's
    time; on_kill() is called after each kill. A run that finishes first must succeed, and the
    checkpoints are then cleared so there is stream left to kill. `env`: the command's
    environment (default: this one). Returns the runs started."""
    for attempt in range(1, runs + 1):
        if done():
            return attempt - 1
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        time.sleep(rng.uniform(0.02, max(0.05, spread * duration)))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            on_kill()
        else:
            _, err = proc.communicate()
            assert proc.returncode == 0, err.decode()
            for f in checkpoints.rglob("*"):
                if f.is_file():
                    f.unlink()
    return runs


def run_python_job_with_kills(job, args, checkpoints, python_dir, rng, duration, kills, spread=0.5):
    """Runs the Python script `job` with `args` (which resumes from its `checkpoints` directory,
    importing streamml from python_dir) killed at random moments until it has been killed
    `kills` times, then once more to its end. `duration` is an uninterrupted run's time.
    Returns the kills made."""
    env = {**os.environ, "PYTHONPATH": str(python_dir)}
    command = [sys.executable, str(job), *map(str, args)]
    made = 0

    def on_kill():
        nonlocal made
        made += 1

    kill_at_random_moments(command, pathlib.Path(checkpoints), rng, duration, lambda: made >= kills, on_kill,
                           spread=spread, env=env)
    subprocess.run(command, check=True, env=env)
    return made


def timed_python_job(job, args, python_dir):
    """Runs the Python script `job` with `args` to its end; returns its wall time in seconds."""
    t0 = time.monotonic()
    subprocess.run([sys.executable, str(job), *map(str, args)], check=True,
                   env={**os.environ, "PYTHONPATH": str(python_dir)})
    return time.monotonic() - t0


def assert_same_newest_checkpoint(want_dir, got_dir, model):
    """The newest checkpoints of `model` in both directories hold the same datasets, bit for bit;
    returns the datasets and root attributes of the one in got_dir."""
    import numpy as np
    want, want_attrs = datasets(sorted((pathlib.Path(want_dir) / model).glob("v*.h5"))[-1])
    got, got_attrs = datasets(sorted((pathlib.Path(got_dir) / model).glob("v*.h5"))[-1])
    assert got_attrs["batch_index"] == want_attrs["batch_index"]
    assert sorted(got) == sorted(want)
    for name in want:
        assert np.array_equal(got[name], want[name], equal_nan=True), (model, name)
    return got, got_attrs
