"""What the decision system's tests share."""
import pathlib
import signal
import time


def kill_after_checkpoints(proc, out, lanes, versions=3, timeout=300):
    """SIGKILLs a running `streamml demo` once every lane has written `versions` checkpoints
    (mid-stream: a little later, so hours are decided after the last one)."""
    manifests = [pathlib.Path(out) / "checkpoints" / lane / "pipeline" for lane in lanes]
    deadline = time.monotonic() + timeout
    while not all(d.exists() and len(list(d.glob("v*.h5"))) >= versions for d in manifests):
        assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
