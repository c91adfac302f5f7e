#!/usr/bin/python3
"""Streaming k-means: streamml.StreamingKMeans.partial_fit vs scikit-learn's MiniBatchKMeans.partial_fit.

Same process, same data (200,000 points around 10 centres in 10-D), same batches of 1,000,
same k-means++ start on the first batch; each side is timed over the whole stream (a fresh
model each run, batches already cut), median of 5 runs. Printed: points/s of each, the
ratio (issue 4's goal: >= 5x), and both models' cost on all points (sum of squared distances
to the nearest centre) so the speed is not bought with a worse clustering.

MiniBatchKMeans runs with its defaults except n_init=1 and batch_size=1000 (the batch given
to each partial_fit); its reassignment of small clusters stays on, as in a user's code.

    PYTHONPATH=build-kmeans/python /usr/bin/python3 bench/compare_kmeans_sklearn.py [--n 200000] [--runs 5]
"""
import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.cluster import MiniBatchKMeans

import streamml


def make_points(n, d, k, seed=0):
    rng = np.random.RandomState(seed)
    centers = 5.0 * rng.randn(k, d)
    return np.ascontiguousarray(centers[np.arange(n) % k] + rng.randn(n, d))


def cost(X, centers):
    d2 = (X * X).sum(1)[:, None] - 2 * X @ centers.T + (centers * centers).sum(1)[None, :]
    return float(np.maximum(d2, 0).min(1).sum())


def run_streamml(parts, k):
    km = streamml.StreamingKMeans(k=k, seed=0)
    t0 = time.perf_counter()
    for xb in parts:
        km.partial_fit(xb)
    return time.perf_counter() - t0, km.cluster_centers_


def run_sklearn(parts, k):
    mbk = MiniBatchKMeans(n_clusters=k, n_init=1, batch_size=len(parts[0]), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for xb in parts:
            mbk.partial_fit(xb)
        seconds = time.perf_counter() - t0
    return seconds, mbk.cluster_centers_


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--d", type=int, default=10)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    X = make_points(args.n, args.d, args.k)
    parts = [X[s:s + args.batch] for s in range(0, args.n, args.batch)]

    ours, theirs = [], []
    for _ in range(args.runs):
        s, ours_centers = run_streamml(parts, args.k)
        ours.append(s)
        s, sk_centers = run_sklearn(parts, args.k)
        theirs.append(s)
    ours_s, sk_s = statistics.median(ours), statistics.median(theirs)
    print(f"StreamingKMeans k={args.k}, d={args.d}, n={args.n:,}, batches of {args.batch:,}, "
          f"median of {args.runs}")
    print(f"  sklearn MiniBatchKMeans.partial_fit {args.n / sk_s:14,.0f} points/s  ({sk_s * 1e3:8.1f} ms)")
    print(f"  streamml StreamingKMeans.partial_fit {args.n / ours_s:13,.0f} points/s  ({ours_s * 1e3:8.1f} ms)")
    print(f"  ratio {sk_s / ours_s:.1f}x (goal >= 5x)")
    print(f"  cost on all points: sklearn {cost(X, sk_centers):,.1f}, streamml {cost(X, ours_centers):,.1f}")


if __name__ == "__main__":
    main()
