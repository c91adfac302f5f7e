"""Whether a C++ call lets Python run: the probe behind every "the GIL is released" test.

With the switch interval at 1000 s CPython never takes the GIL from a running thread (not
within a test), so the main thread can only run while the worker thread has let go of it.
The main thread counts; the worker reads the count just before and just after each call. If
the count moved during a call, Python ran while that call was in C++. No timing is compared.
"""
import sys
import threading
import time


def count_during(calls):
    """Runs each zero-argument call of `calls` in a worker thread while this thread counts.

    Stops early when a call raises StopIteration. Returns [(moved, result)] per call; re-raises
    what the worker raised.
    """
    counter = [0]
    done = threading.Event()
    out, errors = [], []

    def work():
        try:
            for call in calls:
                before = counter[0]
                try:
                    result = call()
                except StopIteration:
                    break
                out.append((counter[0] - before, result))
        except BaseException as e:  # re-raised on the main thread
            errors.append(e)
        finally:
            done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        while not done.is_set():
            counter[0] += 1
            time.sleep(0)  # lets the worker take the GIL back when it returns from C++
        worker.join()
    finally:
        sys.setswitchinterval(old)
    if errors:
        raise errors[0]
    return out
