"""What the SIGKILL tests share: the streamml command, a checkpoint's datasets, and a command
killed again and again at random moments of its run.
"""
import os
import pathlib
import signal
import subprocess
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


def kill_at_random_moments(args, checkpoints, rng, duration, done, on_kill=lambda: None, spread=0.3, runs=80):
    """Runs `args` (a command that resumes from `checkpoints`) until done() is true, each run
    SIGKILLed after a random fraction (up to `spread`) of `duration`, the uninterrupted run's
    time; on_kill() is called after each kill. A run that finishes first must succeed, and the
    checkpoints are then cleared so there is stream left to kill. Returns the runs started."""
    for attempt in range(1, runs + 1):
        if done():
            return attempt - 1
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
