"""Resuming a replay from a batch's end position: the records after it, exactly once.

Oracle: one uninterrupted replay of the same file (brute-force comparison of every batch).
"""
import json

import numpy as np
import pytest

import streamml

ROWS = 2_500


@pytest.fixture()
def csv_file(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "stream.csv"
    lines = ["t,a,b,y"]
    for i in range(ROWS):
        a, b = rng.normal(size=2)
        lines.append(f"{1000 + i * 0.37:.2f},{a!r},{b!r},{i % 2}")
        if i == 1234:
            lines.append("1457,not-a-number,0,1")  # a bad record in the middle
    path.write_text("\n".join(lines) + "\n")
    return path


def _batches(path, **kw):
    return [(b.index, b.features.copy(), b.labels.copy(), b.end_position)
            for b in streamml.replay(path, label="y", time="t", **kw)]


@pytest.mark.parametrize("batching", [dict(batch_size=97), dict(batch_interval="30s")])
@pytest.mark.parametrize("cut", [0, 3, 11])
def test_resume_after_any_batch_equals_one_uninterrupted_replay(csv_file, batching, cut):
    whole = _batches(csv_file, **batching)
    first = streamml.replay(csv_file, label="y", time="t", **batching)
    for _ in range(cut + 1):
        last = next(first)
    rest = _batches(csv_file, start=last, **batching)  # a Batch: numbering continues
    assert [b[0] for b in rest] == [b[0] for b in whole[cut + 1:]]
    for got, want in zip(rest, whole[cut + 1:]):
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(got[2], want[2])
        assert got[3] == want[3]


def test_start_accepts_a_position_dict_or_json(csv_file):
    replay = streamml.replay(csv_file, label="y", time="t", batch_size=1000)
    b = next(replay)
    from_dict = _batches(csv_file, batch_size=1000, start=b.end_position)
    from_json = _batches(csv_file, batch_size=1000, start=json.dumps(b.end_position))
    assert [x[0] for x in from_dict] == [0, 1]  # a bare position numbers from 0
    assert sum(len(x[2]) for x in from_dict) == ROWS - 1000
    np.testing.assert_array_equal(from_dict[-1][1], from_json[-1][1])


def test_a_position_of_another_file_is_refused(csv_file, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("t,a,b,y\n1,2,3,0\n")
    b = next(streamml.replay(csv_file, label="y", time="t", batch_size=10))
    with pytest.raises(ValueError, match="position is of source"):
        streamml.replay(other, label="y", time="t", start=b)
    with pytest.raises(TypeError, match="start must be"):
        streamml.replay(csv_file, label="y", start=42)
