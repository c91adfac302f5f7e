"""Kafka throughput side by side, one run, one mock cluster: streamml's consume + parse + batch
of a 20-column CSV topic with 4 partitions against a bare librdkafka consume loop over the same
topic (build/bench/bench_kafka holds both), with the end-to-end latency at a steady 1000
messages/s and the cost of a checkpoint with offsets. Prints medians of 5 repetitions and the
ratio to the bare loop (goal: >= 0.70).
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys

build = pathlib.Path(os.environ.get("STREAMML_BINARY_DIR", pathlib.Path(__file__).resolve().parents[1] / "build"))
binary = build / "bench" / "bench_kafka"
if not binary.exists():
    sys.exit(f"{binary} is not built: cmake --build build --target bench_kafka")
out = subprocess.run([str(binary), "--benchmark_repetitions=5", "--benchmark_format=json"],
                     check=True, capture_output=True, text=True).stdout
runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]


def median(name, field):
    return statistics.median(b[field] for b in runs if b["name"].split("/")[0] == name)


bare, ours = median("BareConsume", "items_per_second"), median("ConsumeParseBatch", "items_per_second")
bare_mb, ours_mb = median("BareConsume", "bytes_per_second") / 1e6, median("ConsumeParseBatch", "bytes_per_second") / 1e6
print(f"bare librdkafka consume loop : {bare:12,.0f} records/s {bare_mb:7.1f} MB/s")
print(f"streamml consume+parse+batch : {ours:12,.0f} records/s {ours_mb:7.1f} MB/s")
print(f"ratio to the bare loop       : {ours / bare:.2f} (goal >= 0.70)")
print(f"latency produce -> learned   : median {median('Latency', 'median_us') / 1000:.2f} ms, "
      f"p99 {median('Latency', 'p99_us') / 1000:.2f} ms (1000 messages/s, 4 partitions)")
print(f"checkpoint with offsets      : {median('CheckpointOffsets', 'ms_per_checkpoint'):.2f} ms each "
      f"({median('CheckpointOffsets', 'checkpoints'):.0f} per run)")
