"""Kafka throughput side by side, one mock cluster per round: streamml's consume + parse + batch
of a 20-column CSV topic with 4 partitions against a bare librdkafka consume loop over the same
topic (build/bench/bench_kafka holds both), with the end-to-end latency at a steady 1000
messages/s (produced at their own pace, as --speed 1) and the cost of a checkpoint with
offsets. Rounds alternate the benchmarks (bare, ours, latency, checkpoint, then again) so that
the machine's noise falls on all of them alike; prints the medians over the rounds and the
median of the rounds' ratios to the bare loop (goal: >= 0.70).

    python3 bench/compare_kafka.py [ROUNDS]     (default 5)
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
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5

runs = []  # one dict per round: benchmark name -> its JSON
for r in range(rounds):
    out = subprocess.run([str(binary), "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    runs.append({b["name"].split("/")[0]: b for b in json.loads(out)["benchmarks"]})
    # The practical limit: the faster of the two bare loops in this round.
    runs[-1]["Bare"] = max(runs[-1]["BareConsume"], runs[-1]["BarePoll"], key=lambda b: b["items_per_second"])
    bare, ours = runs[-1]["Bare"]["items_per_second"], runs[-1]["ConsumeParseBatch"]["items_per_second"]
    print(f"round {r + 1}: bare {bare:,.0f} records/s (batch loop {runs[-1]['BareConsume']['items_per_second']:,.0f}, "
          f"poll loop {runs[-1]['BarePoll']['items_per_second']:,.0f}), streamml {ours:,.0f} records/s, "
          f"ratio {ours / bare:.2f}; latency median {runs[-1]['Latency']['median_us'] / 1000:.2f} ms "
          f"p99 {runs[-1]['Latency']['p99_us'] / 1000:.2f} ms; checkpoint "
          f"{runs[-1]['CheckpointOffsets']['ms_per_checkpoint']:.2f} ms", flush=True)


def median(name, field):
    return statistics.median(run[name][field] for run in runs)


bare, ours = median("Bare", "items_per_second"), median("ConsumeParseBatch", "items_per_second")
bare_mb, ours_mb = median("Bare", "bytes_per_second") / 1e6, median("ConsumeParseBatch", "bytes_per_second") / 1e6
ratio = statistics.median(run["ConsumeParseBatch"]["items_per_second"] / run["Bare"]["items_per_second"]
                          for run in runs)
print(f"medians of {rounds} alternating rounds:")
print(f"bare librdkafka loop (faster): {bare:12,.0f} records/s {bare_mb:7.1f} MB/s")
print(f"streamml consume+parse+batch : {ours:12,.0f} records/s {ours_mb:7.1f} MB/s")
print(f"ratio to the bare loop       : {ratio:.2f} (goal >= 0.70)")
print(f"latency produce -> learned   : median {median('Latency', 'median_us') / 1000:.2f} ms, "
      f"p99 {median('Latency', 'p99_us') / 1000:.2f} ms (1000 messages/s, 4 partitions)")
print(f"checkpoint with offsets      : {median('CheckpointOffsets', 'ms_per_checkpoint'):.2f} ms each "
      f"({median('CheckpointOffsets', 'checkpoints'):.0f} per run)")
