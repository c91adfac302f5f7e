#!/usr/bin/python3
"""Online logistic regression: streamml vs scikit-learn's SGDClassifier.partial_fit.

Same arrays, same settings (loss log_loss, constant step 0.01, alpha 1e-4, L2, no shuffling,
batches of 1,000), same order, both timed in this one Python process through their public
APIs (streamml.LogisticRegressionSGD.partial_fit vs SGDClassifier.partial_fit). Both sides
time training only, with the batches already cut.

Cases (issue 3):
  dense   d = 100, 200,000 examples (with intercept)
  sparse  2^20 hashed buckets, ~30 non-zeros per example, 200,000 examples, no intercept
          (sklearn damps intercept updates 100x on sparse input, streamml does not)

It prints examples/s for each, the ratio, the largest coefficient difference (the two
implement the same update, so it should be ~1e-12), and for the dense case the fraction of a
memory-bandwidth bound: examples/s x bytes per example / a read bandwidth measured here with
NumPy (a sum over a 256 MB array).

    PYTHONPATH=build/python /usr/bin/python3 bench/compare_logreg_sklearn.py [--n 200000]
"""
import argparse
import os
import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

import streamml


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


def streamml_fit(X, y, batch, fit_intercept):
    model = streamml.LogisticRegressionSGD(
        mode="online", optimizer="sgd", learning_rate="constant", step_size=0.01, reg_param=1e-4,
        penalty="l2", fit_intercept=fit_intercept)
    parts = [(X[s:s + batch], y[s:s + batch]) for s in range(0, X.shape[0], batch)]
    t0 = time.perf_counter()
    for xb, yb in parts:
        model.partial_fit(xb, yb)
    seconds = time.perf_counter() - t0
    return seconds, model.coef_.ravel(), float(model.intercept_[0])


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
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.RandomState(0)
    n, batch = args.n, args.batch

    def median_fit(fit, *a):
        runs = [fit(*a) for _ in range(args.repeats)]
        runs.sort(key=lambda r: r[0])
        return runs[len(runs) // 2]

    # Dense, d = 100.
    d = 100
    X = rng.randn(n, d)
    w = rng.randn(d) / np.sqrt(d)
    y = (rng.rand(n) < 1 / (1 + np.exp(-(X @ w)))).astype(np.float64)
    sk_s, sk_coef, sk_b = median_fit(sklearn_fit, X, y, batch, True)
    our_s, our_coef, our_b = median_fit(streamml_fit, X, y, batch, True)
    bw = read_bandwidth()
    bytes_per_example = (d + 1) * 8
    ours_eps = n / our_s
    print(f"streamml {streamml.__version__}; dense d={d}, n={n}, batches of {batch}, median of {args.repeats}")
    print(f"  sklearn  {n / sk_s:14,.0f} examples/s")
    print(f"  streamml {ours_eps:14,.0f} examples/s   ratio {sk_s / our_s:.2f}x")
    print(f"  coef max |diff| {np.max(np.abs(our_coef - sk_coef)):.2e}, intercept |diff| {abs(our_b - sk_b):.2e}")
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
    sk_s, sk_coef, _ = median_fit(sklearn_fit, Xs, ys, batch, False)
    our_s, our_coef, _ = median_fit(streamml_fit, Xs, ys, batch, False)
    print(f"sparse 2^20 buckets, ~{Xs.nnz / n:.1f} non-zeros/example, n={n}, batches of {batch}")
    print(f"  sklearn  {n / sk_s:14,.0f} examples/s")
    print(f"  streamml {n / our_s:14,.0f} examples/s   ratio {sk_s / our_s:.2f}x")
    print(f"  coef max |diff| {np.max(np.abs(our_coef - sk_coef)):.2e}")


if __name__ == "__main__":
    main()
