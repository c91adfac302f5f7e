"""streamml.Pipeline.add_count_by_window: the DStream graph with_watermark ->
count_by_key_and_window from Python. Oracle: a brute-force count of every (window, key) with
pandas over the same records."""

import numpy as np
import pandas as pd
import pytest

import streamml


def brute_force(times, keys, window_s, slide_s):
    """Every sliding window [start, start + window) (starts on multiples of slide) of every
    record, counted per key."""
    micros = times.astype("datetime64[us]").astype(np.int64)
    window, slide = window_s * 10**6, slide_s * 10**6
    rows = []
    for t, k in zip(micros, keys):
        last = t - t % slide
        for start in range(last, t - window, -slide):
            rows.append((start, str(k)))
    frame = pd.DataFrame(rows, columns=["start", "key"])
    return frame.groupby(["start", "key"]).size().to_dict()


@pytest.mark.parametrize("key_type", ["string", "int"])
def test_sliding_counts_equal_brute_force(key_type):
    rng = np.random.default_rng(3)
    n = 3000
    times = np.datetime64("2026-01-01T00:00:00", "us") + np.sort(
        rng.integers(0, 600 * 10**6, size=n)).astype("timedelta64[us]")
    keys = rng.integers(0, 20, size=n)
    if key_type == "string":
        keys = np.array([f"k{k}" for k in keys], dtype=object)
    pipeline = streamml.Pipeline(streamml.from_arrays(np.zeros((n, 1)), keys=keys, times=times,
                                                      batch_interval="5s"))
    pipeline.add_count_by_window("counts", "60s", slide="20s")
    report = pipeline.run()
    got = pipeline.windows("counts")
    assert set(got) == {"window_start", "window_end", "key", "count"}
    assert np.all(got["window_end"] - got["window_start"] == np.timedelta64(60, "s"))
    ours = {(int(s.astype(np.int64)), k): int(c)
            for s, k, c in zip(got["window_start"], got["key"], got["count"])}
    assert ours == brute_force(times, keys, 60, 20)
    assert pipeline.late_records_["counts"] == 0
    assert "counts" in report["stages"]


def test_needs_keys_and_times():
    pipeline = streamml.Pipeline(streamml.from_arrays(np.zeros((10, 1)), batch_size=5))
    pipeline.add_count_by_window("counts", "60s")
    with pytest.raises(ValueError, match="key=<the column to count> and time="):
        pipeline.run()
