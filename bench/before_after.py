#!/usr/bin/env python3
"""Two builds' Google Benchmark binaries side by side: before / after a redesign.

    bench/before_after.py OLD_BUILD NEW_BUILD bench_parse bench_logreg ... [--rounds 5]
                          [--filter REGEX]

Runs each binary of the two builds in alternation (old, new, old, new, ...) so that the load of
a shared machine falls on both alike, and prints, per benchmark, the median time of each build
over the rounds and the median of the per-round ratios new / old (1.00 = the same speed;
> 1 is slower). A redesign keeps its ratios within the noise the rounds themselves show
(the 'spread' column: the ratios' inter-quartile range).
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path


def run(binary, pattern):
    cmd = [str(binary), "--benchmark_format=json", "--benchmark_min_time=0.2"]
    if pattern:
        cmd.append(f"--benchmark_filter={pattern}")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {b["name"]: b["real_time"] for b in json.loads(out)["benchmarks"]
            if b.get("run_type", "iteration") == "iteration"}


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("benches", nargs="+")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--filter", default="")
    a = ap.parse_args()
    print(f"{'benchmark':<48} {'old':>12} {'new':>12} {'new/old':>8} {'spread':>13}")
    worst = 0.0
    for bench in a.benches:
        old_bin, new_bin = Path(a.old) / "bench" / bench, Path(a.new) / "bench" / bench
        for b in (old_bin, new_bin):
            if not b.is_file():
                sys.exit(f"before_after: no benchmark binary {b}")
        rounds = []
        for _ in range(a.rounds):
            rounds.append((run(old_bin, a.filter), run(new_bin, a.filter)))
        for name in rounds[0][0]:
            if name not in rounds[0][1]:
                continue
            olds = [o[name] for o, _ in rounds]
            news = [n[name] for _, n in rounds]
            ratios = [n / o for o, n in zip(olds, news)]
            lo, hi = quartiles(ratios)
            r = statistics.median(ratios)
            worst = max(worst, r)
            print(f"{bench + ':' + name:<48} {statistics.median(olds):>12.4g} {statistics.median(news):>12.4g} "
                  f"{r:>8.3f} {lo:>6.3f}-{hi:<6.3f}")
    print(f"largest median ratio new/old: {worst:.3f}")


if __name__ == "__main__":
    main()
