"""Bounded state: a checkpoint does not grow with the number of batches (issue 12).

Oracle: the newest checkpoint's size after batch 1,000 and after batch 10,000 of the same
stream, checkpointed every 10 batches: the learning curve keeps its last 1000 points and a
whole-stream curve of at most 1000 (core/bounded_history.h), the learner's state is fixed-size,
so the two files are the same size (allowed: a few KB for attribute text such as positions).
"""
import pathlib
import subprocess

from sigkill import streamml_bin as _streamml

BATCH = 2


def _newest_size(checkpoints):
    return sorted((checkpoints / "logreg").glob("v*.h5"))[-1].stat().st_size


def test_the_checkpoint_after_10000_batches_is_the_size_of_the_one_after_1000(tmp_path):
    stream = tmp_path / "clicks.csv"
    subprocess.run([_streamml(), "generate", "clicks", "--events", str(10_000 * BATCH), "--seed", "3",
                    "--out", str(stream)], check=True, capture_output=True)
    lines = stream.read_text().splitlines(keepends=True)
    prefix = tmp_path / "first_1000_batches.csv"
    prefix.write_text("".join(lines[: 1 + 1000 * BATCH]))

    def run(path, checkpoints):
        subprocess.run([_streamml(), "replay", "--input", str(path), "--label", "clicked", "--key", "user",
                        "--time", "event_time", "--categorical", "device,ad_category", "--hash-bits", "10",
                        "--batch-size", str(BATCH), "--learner", "logreg", "--quiet",
                        "--checkpoint-dir", str(checkpoints), "--checkpoint-every", "10",
                        "--keep-checkpoints", "2"], check=True, capture_output=True)
        return _newest_size(checkpoints)

    after_1000 = run(prefix, tmp_path / "ck1000")
    after_10000 = run(stream, tmp_path / "ck10000")
    assert abs(after_10000 - after_1000) <= 4096, (after_1000, after_10000)
