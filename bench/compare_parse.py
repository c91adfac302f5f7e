#!/usr/bin/env python3
"""Parse throughput, side by side in one process: streamml.replay vs NumPy vs pandas.

Writes a CSV and a JSON Lines file with the same 20 numeric columns (fixed seed) to a
temporary directory, then times, on each file, a full read into float64 arrays:

  CSV:   streamml.replay (every batch, batch_size 10000) | numpy.loadtxt | pandas.read_csv
  JSONL: streamml.replay                                 | json + numpy  | pandas.read_json

Each figure is the median of --runs runs. streamml.replay parses on the calling thread
(one core), as numpy.loadtxt and pandas do. Before timing, streamml's arrays are checked
equal to NumPy's parse of the same file, so the figures compare equal work.

  PYTHONPATH=build/python /usr/bin/python3 bench/compare_parse.py [--rows 200000] [--runs 5]
"""
import argparse
import importlib.util
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
if importlib.util.find_spec("streamml") is None:
    binary_dir = os.environ.get("STREAMML_BINARY_DIR", str(REPO / "build"))
    sys.path.insert(0, str(pathlib.Path(binary_dir) / "python"))

import streamml  # noqa: E402

COLUMNS = [f"c{j}" for j in range(20)]


def write_files(directory, rows, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, len(COLUMNS))) * 10.0 ** rng.integers(-2, 4, size=len(COLUMNS))
    csv = directory / "bench.csv"
    np.savetxt(csv, X, delimiter=",", fmt="%.9g", header=",".join(COLUMNS), comments="")
    jsonl = directory / "bench.jsonl"
    # The JSON file holds the values exactly as the CSV writes them (same text per number).
    values = np.loadtxt(csv, delimiter=",", skiprows=1)
    with open(jsonl, "w") as f:
        for row in values:
            f.write(json.dumps(dict(zip(COLUMNS, row.tolist()))) + "\n")
    return csv, jsonl


def streamml_read(path):
    """Every batch's features, as the stream gives them (no concatenation: that is a copy)."""
    return [b.features for b in streamml.replay(path, batch_size=10_000)]


def numpy_loadtxt(path):
    return np.loadtxt(path, delimiter=",", skiprows=1)


def pandas_read_csv(path):
    import pandas
    return pandas.read_csv(path).to_numpy(dtype=np.float64)


def json_numpy(path):
    with open(path) as f:
        return np.array([[r[c] for c in COLUMNS] for r in map(json.loads, f)], dtype=np.float64)


def pandas_read_json(path):
    import pandas
    return pandas.read_json(path, lines=True)[COLUMNS].to_numpy(dtype=np.float64)


def median_seconds(fn, path, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = fn(path)
        times.append(time.perf_counter() - start)
        del out
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="streamml-bench-") as tmp:
        csv, jsonl = write_files(pathlib.Path(tmp), args.rows, args.seed)
        reference = numpy_loadtxt(csv)
        for name, fn, path in (("csv", streamml_read, csv), ("jsonl", streamml_read, jsonl)):
            if not np.array_equal(np.concatenate(fn(path)), reference):
                sys.exit(f"streamml's parse of the {name} file differs from numpy.loadtxt's")

        print(f"streamml {streamml.__version__}, numpy {np.__version__}, "
              f"{args.rows} records x {len(COLUMNS)} numeric columns, median of {args.runs} runs")
        suites = {
            "CSV": (csv, [("streamml.replay", streamml_read), ("numpy.loadtxt", numpy_loadtxt),
                          ("pandas.read_csv", pandas_read_csv)]),
            "JSONL": (jsonl, [("streamml.replay", streamml_read), ("json + numpy", json_numpy),
                              ("pandas.read_json", pandas_read_json)]),
        }
        for title, (path, readers) in suites.items():
            size_mb = os.path.getsize(path) / 1e6
            print(f"\n{title}: {path.name}, {size_mb:.1f} MB")
            print(f"  {'reader':<18}{'seconds':>9}{'MB/s':>10}{'records/s':>14}")
            seconds = {}
            for name, fn in readers:
                seconds[name] = median_seconds(fn, path, args.runs)
                s = seconds[name]
                print(f"  {name:<18}{s:>9.3f}{size_mb / s:>10.1f}{args.rows / s:>14,.0f}")
            ours = seconds["streamml.replay"]
            for name, _ in readers[1:]:
                print(f"  streamml / {name}: {seconds[name] / ours:.1f}x the throughput")


if __name__ == "__main__":
    main()
