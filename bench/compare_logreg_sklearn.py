#!/usr/bin/python3
"""Online logistic regression: streamml vs scikit-learn's SGDClassifier.partial_fit.

Same arrays, same settings (loss log_loss, constant step 0.01, alpha 1e-4, L2, no shuffling,
batches of 1,000), same order. scikit-learn is timed in this process. streamml is timed by
the C++ benchmark binary (`bench_logreg --fit-npy`), which reads the same arrays from .npy
files written here and times only its partial_fit loop: the Python module's
LogisticRegressionSGD was not available when this script was written, so the comparison
goes through the binary rather than `import streamml`. Both sides time training only, with
the batches already cut.

Cases (issue 3):
  dense   d = 100, 200,000 examples (with intercept)
  sparse  2^20 hashed buckets, ~30 non-zeros per example, 200,000 examples, no intercept
          (sklearn damps intercept updates 100x on sparse input, streamml does not)

It prints examples/s for each, the ratio, the largest coefficient difference (the two
implement the same update, so it should be ~1e-12), and for the dense case the fraction of a
memory-bandwidth bound: examples/s x bytes per example / a read bandwidth measured here with
NumPy (a sum over a 256 MB array).

    /usr/bin/python3 bench/compare_logreg_sklearn.py [--bench build-logreg/bench/bench_logreg] [--n 200000]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier


def sklearn_fit(X, y, batch, fit_intercept):
    clf = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, alpha=1e-4,
                        penalty="l2", shuffle=False, fit_intercept=fit_intercept)
    parts = [(X[s:s + batch], y[s:s + batch]) for s in range(0, X.shape[0], batch)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for xb, yb in parts:
            clf.partial_fit(xb, yb, classes=[0.0, 1.0])
        seconds = time.perf_counter() - t0
    return seconds, clf.coef_.ravel(), float(clf.intercept_[0])


def streamml_fit(bench, files, batch):
    out = subprocess.run([bench, "--fit-npy", files[0], files[1], str(batch), "sgd", *files[2:]],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def read_bandwidth():
    a = np.ones(32 * 1024 * 1024)  # 256 MB
    a.sum()
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        a.sum()
        best = max(best, a.nbytes / (time.perf_counter() - t0))
    return best


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(here, "..", "build-logreg", "bench", "bench_logreg"))
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    rng = np.random.RandomState(0)
    n, batch = args.n, args.batch

    with tempfile.TemporaryDirectory() as tmp:
        # Dense, d = 100.
        d = 100
        X = rng.randn(n, d)
        w = rng.randn(d) / np.sqrt(d)
        y = (rng.rand(n) < 1 / (1 + np.exp(-(X @ w)))).astype(np.float64)
        np.save(os.path.join(tmp, "X.npy"), X)
        np.save(os.path.join(tmp, "y.npy"), y)
        sk_s, sk_coef, sk_b = sklearn_fit(X, y, batch, True)
        ours = streamml_fit(args.bench, [os.path.join(tmp, "X.npy"), os.path.join(tmp, "y.npy")], batch)
        bw = read_bandwidth()
        bytes_per_example = (d + 1) * 8
        ours_eps = ours["examples_per_second"]
        print(f"dense d={d}, n={n}, batches of {batch}")
        print(f"  sklearn  {n / sk_s:14,.0f} examples/s")
        print(f"  streamml {ours_eps:14,.0f} examples/s   ratio {ours_eps / (n / sk_s):.2f}x")
        print(f"  coef[:5] max |diff| {np.max(np.abs(np.array(ours['coef_head']) - sk_coef[:5])):.2e}, "
              f"intercept |diff| {abs(ours['intercept'] - sk_b):.2e}")
        print(f"  read bandwidth {bw / 1e9:.2f} GB/s -> bound {bw / bytes_per_example:,.0f} examples/s; "
              f"streamml reaches {ours_eps * bytes_per_example / bw:.1%}")

        # Sparse: 2^20 hashed buckets, ~30 non-zeros per example.
        cols = 1 << 20
        nnz = 30
        indices = rng.randint(0, cols, size=(n, nnz)).astype(np.int32)
        indices.sort(axis=1)
        data = np.where(rng.rand(n, nnz) < 0.5, -1.0, 1.0)
        Xs = sp.csr_matrix((data.ravel(), indices.ravel(), np.arange(0, n * nnz + 1, nnz, dtype=np.int32)),
                           shape=(n, cols))
        Xs.sum_duplicates()
        hidden = rng.randn(cols) * 0.3
        ys = (rng.rand(n) < 1 / (1 + np.exp(-(Xs @ hidden)))).astype(np.float64)
        empty = np.zeros((n, 0))
        for name, arr in [("E.npy", empty), ("ys.npy", ys), ("indptr.npy", Xs.indptr.astype(np.int32)),
                          ("indices.npy", Xs.indices.astype(np.int32)), ("data.npy", Xs.data)]:
            np.save(os.path.join(tmp, name), arr)
        sk_s, sk_coef, _ = sklearn_fit(Xs, ys, batch, False)
        files = [os.path.join(tmp, f) for f in ("E.npy", "ys.npy", "indptr.npy", "indices.npy", "data.npy")]
        ours = streamml_fit(args.bench, files + [str(cols)], batch)
        ours_eps = ours["examples_per_second"]
        print(f"sparse 2^20 buckets, ~{Xs.nnz / n:.1f} non-zeros/example, n={n}, batches of {batch}")
        print(f"  sklearn  {n / sk_s:14,.0f} examples/s")
        print(f"  streamml {ours_eps:14,.0f} examples/s   ratio {ours_eps / (n / sk_s):.2f}x")
        print(f"  coef l2 norm: sklearn {np.linalg.norm(sk_coef):.12f}, streamml {ours['coef_l2']:.12f}")


if __name__ == "__main__":
    main()
