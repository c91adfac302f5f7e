#!/usr/bin/python3
"""DBSCAN: streamml vs scikit-learn's sklearn.cluster.DBSCAN, side by side in one process.

Exact DBSCAN (issue 4), same arrays, same eps/min_samples, median of --repeats runs:
  2-D   100,000 points: 20 blobs (make_blobs, cluster_std 0.3, centres in [-20, 20]^2) plus
        2 % uniform noise; eps = 0.1, min_samples = 10. At eps = 0.1 a blob centre has ~280
        neighbours and its 2-sigma ring ~40, so blobs are clusters and their fringes border
        points or noise.
  10-D  50,000 points: 20 blobs (cluster_std 0.5, centres in [-20, 20]^10) plus 2 % noise;
        eps = 1.5, min_samples = 10.
streamml runs with its default thread count (all cores: 2 here) and each neighbour
structure (algorithm="grid" and "kd_tree" in 2-D, "kd_tree" in 10-D, and "auto"); scikit-learn with n_jobs=1 and n_jobs=2. Every
streamml result is checked against scikit-learn's: same noise set, same core points, same
partition of the core points.

Sliding window (window_batches = 20): a 2-D stream of drifting blobs in batches of
--batch points; after the window has filled, the time of WindowedDBSCAN.partial_fit per
batch vs recomputing from scratch on the window's points with streamml.DBSCAN and with
scikit-learn (n_jobs=1); the incremental result is checked against the recomputation.

    PYTHONPATH=build-dbscan/python /usr/bin/python3 bench/compare_dbscan_sklearn.py [--repeats 5]
"""
import argparse
import os
import time

import numpy as np
from sklearn.cluster import DBSCAN as SkDBSCAN
from sklearn.datasets import make_blobs

import streamml


def blobs_with_noise(n, d, std, seed):
    noise = n // 50
    X, _ = make_blobs(n - noise, d, centers=20, cluster_std=std, center_box=(-20, 20),
                      random_state=seed)
    rng = np.random.default_rng(seed)
    X = np.vstack([X, rng.uniform(-22, 22, size=(noise, d))])
    return np.ascontiguousarray(X[rng.permutation(n)])


def median_time(f, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def same_clustering(labels, core, ref):
    """Same noise set, same core points, same partition of the core points."""
    if not np.array_equal(core, ref.core_sample_indices_):
        return False
    if not np.array_equal(labels == -1, ref.labels_ == -1):
        return False
    pairs = set(zip(labels[core].tolist(), ref.labels_[core].tolist()))
    return len(pairs) == len(set(labels[core].tolist())) == len(set(ref.labels_[core].tolist()))


def exact_case(name, X, eps, min_samples, repeats):
    print(f"\n== exact DBSCAN, {name}: n = {X.shape[0]:,}, d = {X.shape[1]}, eps = {eps}, "
          f"min_samples = {min_samples} (median of {repeats})")
    sk = {}
    for jobs in (1, 2):
        sk[jobs], ref = median_time(lambda: SkDBSCAN(eps=eps, min_samples=min_samples,
                                                     n_jobs=jobs).fit(X), repeats)
        print(f"  scikit-learn n_jobs={jobs}: {sk[jobs]:8.3f} s")
    n_clusters = ref.labels_.max() + 1
    noise = int((ref.labels_ == -1).sum())
    print(f"  clustering: {n_clusters} clusters, {len(ref.core_sample_indices_):,} core points, "
          f"{noise:,} noise")
    best = None
    # The grid serves 1-3 features ("grid" falls back to the kd-tree above that).
    for algorithm in (("grid", "kd_tree") if X.shape[1] <= 3 else ("kd_tree",)):
        model = streamml.DBSCAN(eps=eps, min_samples=min_samples, algorithm=algorithm)
        t, model = median_time(lambda: model.fit(X), repeats)
        same = same_clustering(model.labels_, model.core_sample_indices_, ref)
        print(f"  streamml algorithm={algorithm:8s}: {t:8.3f} s   vs sklearn n_jobs=1: "
              f"{sk[1] / t:6.1f}x   n_jobs=2: {sk[2] / t:6.1f}x   same clustering: {same}")
        if best is None or t < best[1]:
            best = (algorithm, t)
    auto = streamml.DBSCAN(eps=eps, min_samples=min_samples)
    t, auto = median_time(lambda: auto.fit(X), repeats)
    same = same_clustering(auto.labels_, auto.core_sample_indices_, ref)
    print(f"  streamml algorithm=auto    : {t:8.3f} s   vs sklearn n_jobs=1: {sk[1] / t:6.1f}x   "
          f"n_jobs=2: {sk[2] / t:6.1f}x   same clustering: {same}   (fastest measured: {best[0]})")


def stream_batch(b, n, rng):
    centres = np.array([[6 * np.cos(0.05 * b + 2 * np.pi * k / 8), 6 * np.sin(0.05 * b + 2 * np.pi * k / 8)]
                        for k in range(8)])
    X = centres[rng.integers(0, 8, n)] + 0.3 * rng.normal(size=(n, 2))
    X[: n // 50] = rng.uniform(-8, 8, size=(n // 50, 2))
    return np.ascontiguousarray(X)


def window_case(batch, batches, window, eps, min_samples):
    print(f"\n== sliding window: window_batches = {window}, batches of {batch:,} 2-D points "
          f"({window * batch:,} in the window), eps = {eps}, min_samples = {min_samples}")
    rng = np.random.default_rng(11)
    model = streamml.WindowedDBSCAN(eps=eps, min_samples=min_samples, window_batches=window)
    inc, scratch, sk, checked = [], [], [], 0
    for b in range(batches):
        X = stream_batch(b, batch, rng)
        t = time.perf_counter()
        model.partial_fit(X)
        dt = time.perf_counter() - t
        if b < window:
            continue
        inc.append(dt)
        W = model.window_features_
        exact = streamml.DBSCAN(eps=eps, min_samples=min_samples)
        t = time.perf_counter()
        exact.fit(W)
        scratch.append(time.perf_counter() - t)
        if b % 5 == 0:
            t = time.perf_counter()
            ref = SkDBSCAN(eps=eps, min_samples=min_samples).fit(W)
            sk.append(time.perf_counter() - t)
            wl = model.window_labels_
            assert same_clustering(wl, model.window_core_sample_indices_, ref), f"batch {b}"
            checked += 1
    m_inc, m_scr, m_sk = np.median(inc), np.median(scratch), np.median(sk)
    print(f"  clusters in the last window: {len(model.cluster_sizes_)}, window noise "
          f"{model.window_noise_:,}, anomalies in the last batch {len(model.anomalies_)}")
    print(f"  per batch, median over {len(inc)} batches after the window filled:")
    print(f"    WindowedDBSCAN.partial_fit (incremental): {m_inc * 1e3:8.2f} ms")
    print(f"    streamml.DBSCAN on the window (scratch):  {m_scr * 1e3:8.2f} ms   "
          f"incremental is {m_scr / m_inc:5.1f}x faster")
    print(f"    sklearn DBSCAN on the window (scratch):   {m_sk * 1e3:8.2f} ms   "
          f"incremental is {m_sk / m_inc:5.1f}x faster")
    print(f"  incremental result equal to scikit-learn on the window: checked at {checked} batches")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--batches", type=int, default=60)
    args = ap.parse_args()
    print(f"streamml {streamml.__version__}, {os.cpu_count()} cores")
    exact_case("2-D, 20 blobs + 2 % noise", blobs_with_noise(100_000, 2, 0.3, 0), 0.1, 10, args.repeats)
    exact_case("10-D, 20 blobs + 2 % noise", blobs_with_noise(50_000, 10, 0.5, 1), 1.5, 10, args.repeats)
    window_case(args.batch, args.batches, 20, 0.1, 10)


if __name__ == "__main__":
    main()
