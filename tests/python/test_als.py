"""streamml.ALS against a NumPy transcription of Spark's updates, implicit's ranking metrics
transcribed from its evaluation.pyx, pickling, bad input, and a stream killed with SIGKILL.
"""
import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

import streamml


# ---- the oracle: Spark's ALS.computeFactors and implicit's least_squares_cg in NumPy ----------

def _rows(R):
    for u in range(R.shape[0]):
        lo, hi = R.indptr[u], R.indptr[u + 1]
        yield u, R.indices[lo:hi], R.data[lo:hi]


def _equation(Y, YtY, idx, r, reg, alpha, implicit):
    """A (without lambda), b, lambda, and the weights of A x = YtY x + Y_u^T (w * (Y_u x))."""
    Yu = Y[idx]
    if implicit:
        c1 = alpha * np.abs(r)
        A = YtY + (Yu.T * c1) @ Yu
        b = Yu.T @ np.where(r > 0, 1 + c1, 0.0)
        return A, b, reg * np.count_nonzero(r > 0), Yu, c1
    return Yu.T @ Yu, Yu.T @ r, reg * len(r), Yu, np.ones_like(r)


def numpy_cholesky_side(R, Y, reg, alpha, implicit):
    k = Y.shape[1]
    YtY = Y.T @ Y
    X = np.zeros((R.shape[0], k))
    for u, idx, r in _rows(R):
        if len(idx):
            A, b, lam, _, _ = _equation(Y, YtY, idx, r, reg, alpha, implicit)
            X[u] = np.linalg.solve(A + lam * np.eye(k), b)
    return X


def numpy_cg_side(R, X, Y, reg, alpha, implicit, steps):
    """implicit's least_squares_cg on Spark's equations: from X's rows, never forming A."""
    X = X.copy()
    YtY = Y.T @ Y
    for u, idx, r in _rows(R):
        if not len(idx):
            X[u] = 0
            continue
        _, b, lam, Yu, w = _equation(Y, YtY, idx, r, reg, alpha, implicit)

        def apply(v):
            out = Yu.T @ (w * (Yu @ v)) + lam * v
            return out + YtY @ v if implicit else out

        x = X[u].copy()
        res = b - apply(x)
        p = res.copy()
        rs = res @ res
        if rs < 1e-20:
            continue
        for _ in range(steps):
            Ap = apply(p)
            a = rs / (p @ Ap)
            x += a * p
            res -= a * Ap
            rs_new = res @ res
            if rs_new < 1e-20:
                break
            p = res + (rs_new / rs) * p
            rs = rs_new
        X[u] = x
    return X


def numpy_als(R, U, V, iterations, reg, alpha, implicit, solver, steps=3):
    """Spark's order: items from users, then users from items."""
    Rt = R.T.tocsr()
    for _ in range(iterations):
        if solver == "cholesky":
            V = numpy_cholesky_side(Rt, U, reg, alpha, implicit)
            U = numpy_cholesky_side(R, V, reg, alpha, implicit)
        else:
            V = numpy_cg_side(Rt, V, U, reg, alpha, implicit, steps)
            U = numpy_cg_side(R, U, V, reg, alpha, implicit, steps)
    return U, V


def _ratings(implicit, seed=0, users=40, items=25):
    rng = np.random.default_rng(seed)
    R = sp.random(users, items, density=0.25, random_state=seed, format="lil")
    for u in range(users):  # every user and item rated at least once
        R[u, u % items] = 1.0
    R = R.tocsr()
    R.data = (rng.integers(1, 6, R.nnz) if not implicit else rng.integers(-2, 8, R.nnz)).astype(float)
    R.eliminate_zeros()
    return R


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
@pytest.mark.parametrize("solver", ["cholesky", "cg"])
def test_iterations_equal_the_numpy_transcription(implicit, solver):
    R = _ratings(implicit)
    rank, reg, alpha = 4, 0.05, 1.5
    rng = np.random.default_rng(1)
    U0, V0 = rng.normal(size=(R.shape[0], rank)), rng.normal(size=(R.shape[1], rank))
    for iterations in (1, 2, 5):
        als = streamml.ALS(rank=rank, max_iter=iterations, reg_param=reg, alpha=alpha,
                           implicit_prefs=implicit, solver=solver, init="custom")
        als.fit(R, user_factors=U0, item_factors=V0)
        U, V = numpy_als(R, U0, V0, iterations, reg, alpha, implicit, solver)
        np.testing.assert_allclose(als.user_factors_, U, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(als.item_factors_, V, rtol=1e-9, atol=1e-12)


def test_fold_in_equals_an_exact_numpy_solve():
    """A new user and an old one in a micro-batch: each re-solved from its whole stored history
    (implicit counts add up) against the item factors as they stood."""
    R = _ratings(True, seed=3)
    als = streamml.ALS(rank=5, implicit_prefs=True, alpha=2.0, reg_param=0.1, seed=4, sweep_interval=0).fit(R)
    V = als.item_factors_
    als.partial_fit([7, 7, 1000, 1000], [2, 3, 2, 4], [3.0, 1.0, 2.0, 5.0])
    user7 = R[7].toarray().ravel()
    user7[2] += 3.0
    user7[3] += 1.0
    history = {7: user7, 1000: np.bincount([2, 4], weights=[2.0, 5.0], minlength=R.shape[1])}
    YtY = V.T @ V
    for user, row in history.items():
        idx = np.flatnonzero(row)
        A, b, lam, _, _ = _equation(V, YtY, idx, row[idx], 0.1, 2.0, True)
        want = np.linalg.solve(A + lam * np.eye(5), b)
        got = als.user_factors_[list(als.user_ids_).index(user)]
        np.testing.assert_allclose(got, want, rtol=1e-10)


def _implicit_ranking_metrics(ids, test, K):
    """implicit.evaluation.ranking_metrics_at_k's loop (evaluation.pyx), given the lists."""
    items = test.shape[1]
    cg = 1.0 / np.log2(np.arange(2, K + 2))
    cg_sum = np.cumsum(cg)
    relevant = pr_div = mean_ap = ndcg = mean_auc = total = 0.0
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    for row, u in enumerate(users):
        likes = set(test.indices[test.indptr[u]:test.indptr[u + 1]])
        pr_div += min(K, len(likes))
        ap = hit = miss = auc = 0.0
        idcg = cg_sum[min(K, len(likes)) - 1]
        num_pos, num_neg = len(likes), items - len(likes)
        for i in range(K):
            if ids[row, i] in likes:
                relevant += 1
                hit += 1
                ap += hit / (i + 1)
                ndcg += cg[i] / idcg
            else:
                miss += 1
                auc += hit
        auc += ((hit + num_pos) / 2.0) * (num_neg - miss)
        mean_ap += ap / min(K, len(likes))
        mean_auc += auc / (num_pos * num_neg)
        total += 1
    return {"precision": relevant / pr_div, "map": mean_ap / total, "ndcg": ndcg / total,
            "auc": mean_auc / total}


def test_ranking_metrics_equal_implicits_definitions():
    R = _ratings(True, seed=5, users=60, items=40)
    R.data = np.abs(R.data) + 1
    rng = np.random.default_rng(0)
    mask = rng.random(R.nnz) < 0.2
    test = R.copy()
    test.data = np.where(mask, 1.0, 0.0)
    test.eliminate_zeros()
    train = R.copy()
    train.data = np.where(mask, 0.0, train.data)
    train.eliminate_zeros()
    als = streamml.ALS(rank=6, implicit_prefs=True, seed=2).fit(train)
    got = streamml.ranking_metrics_at_k(als, train, test, K=5)
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    # The lists implicit's recommend gives: the best items by score, train items left out.
    scores = als.user_factors_[users] @ als.item_factors_.T
    for row, u in enumerate(users):
        scores[row, train.indices[train.indptr[u]:train.indptr[u + 1]]] = -np.inf
    ids = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    want = _implicit_ranking_metrics(ids, test, 5)
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-12), name


def test_pickle_predicts_and_resumes_bit_for_bit():
    R = _ratings(True, seed=6)
    als = streamml.ALS(rank=3, implicit_prefs=True, solver="cg", seed=3, sweep_interval=2).fit(R)
    copy = pickle.loads(pickle.dumps(als))
    assert copy.get_params() == als.get_params()
    for m in (als, copy):
        m.partial_fit([1, 2, 3], [4, 5, 6], [1.0, 2.0, 3.0])
        m.partial_fit([1, 99], [4, 7])
    assert np.array_equal(copy.user_factors_, als.user_factors_)
    assert np.array_equal(copy.item_factors_, als.item_factors_)
    assert np.array_equal(copy.predict([1, 2], [4, 5]), als.predict([1, 2], [4, 5]))


def test_from_factors_recommends_like_sparks_suite():
    # ALSSuite "recommendForAllUsers": users 0:(6,4), 1:(3,4), 2:(3,6); items 3..6.
    als = streamml.ALS.from_factors([[6, 4], [3, 4], [3, 6]], [[5, 6], [6, 2], [3, 6], [4, 1]],
                                    item_ids=np.array([3, 4, 5, 6]))
    ids, scores = als.recommend_for_all(k=4)
    assert ids.tolist() == [[3, 4, 5, 6], [3, 5, 4, 6], [3, 5, 4, 6]]
    assert scores.tolist() == [[54, 44, 42, 28], [39, 33, 26, 16], [51, 45, 30, 18]]


def test_string_ids_and_cold_start():
    als = streamml.ALS(rank=2, implicit_prefs=True, seed=0)
    als.partial_fit(["ann", "bob", "ann"], ["tea", "jam", "jam"])
    ids, scores = als.recommend(["bob", "nobody"], k=2, filter_seen=False)
    assert set(ids[0]) == {"tea", "jam"} and ids[1] == [None, None]
    assert np.isnan(scores[1]).all()
    assert np.isnan(als.predict(["nobody"], ["tea"])).all()
    drop = streamml.ALS(rank=2, implicit_prefs=True, cold_start_strategy="drop")
    drop.partial_fit(["ann"], ["tea"])
    assert drop.predict(["ann", "nobody"], ["tea", "tea"]).shape == (1,)


def test_bad_input_is_named():
    als = streamml.ALS(rank=2, implicit_prefs=True, allow_negative=False)
    with pytest.raises(ValueError, match="count of record 1 in the batch is nan"):
        als.partial_fit([1, 2], [1, 2], [1.0, np.nan])
    with pytest.raises(ValueError, match="record 0 in the batch is -1; negative values are refused"):
        als.partial_fit([1], [1], [-1.0])
    with pytest.raises(ValueError, match="user id of record 1 is empty"):
        als.partial_fit(["a", ""], ["x", "y"])
    with pytest.raises(ValueError, match="ids mix strings and integers"):
        als.partial_fit(["a", 2], ["x", "y"])
    with pytest.raises(ValueError, match="als: rank must be in"):
        streamml.ALS(rank=0).fit(sp.eye(3))
    with pytest.raises(ValueError, match="init 'custom' needs both user and item factors"):
        streamml.ALS(init="custom").fit(sp.eye(3))
    with pytest.raises(ValueError, match="Complex data not supported"):
        streamml.ALS().fit(np.ones((3, 3)) + 1j)
    with pytest.raises(ValueError, match="0 sample"):
        streamml.ALS().fit(sp.csr_matrix((0, 4)))


def test_sklearn_clone_and_params():
    from sklearn.base import clone
    als = streamml.ALS(rank=3, solver="cg", seed=5)
    twin = clone(als)
    assert twin.get_params() == als.get_params()
    with pytest.raises(ValueError, match="Invalid parameter"):
        als.set_params(ranks=4)


# ---- SIGKILL at random moments while streaming with checkpoints --------------------------------

JOB = textwrap.dedent("""
    import sys
    import numpy as np
    import streamml
    out, batches = sys.argv[1], int(sys.argv[2])
    store = streamml.CheckpointStore(out)
    rng = np.random.default_rng(12)
    events = [(rng.integers(0, 20000, 2000), (rng.random(2000) ** 2 * 3000).astype(np.int64),
               rng.integers(1, 4, 2000).astype(float)) for _ in range(batches)]
    if store.latest("als") is None:
        model, start = streamml.ALS(rank=16, implicit_prefs=True, solver="cg", max_per_user=20,
                                    sweep_interval=5, seed=1), 0
    else:
        model = store.load("als")
        start = store.describe("als")["batch_index"] + 1
    for b in range(start, batches):
        users, items, counts = events[b]
        model.partial_fit(users, items, counts)
        if b % 3 == 2 or b == batches - 1:
            store.save("als", model, metadata={"batch_index": b})
            store.prune("als", keep_last=2)
""")


def test_sigkill_resume_continues_bit_for_bit(tmp_path, streamml_python_dir):
    """Oracle: one uninterrupted run. A run killed at random moments (between batches and while
    checkpoints are written) and resumed from the newest checkpoint each time ends with the same
    checkpoint, dataset for dataset: factors, ids, the interaction store and Y^T Y."""
    from sigkill import assert_same_newest_checkpoint, run_python_job_with_kills, timed_python_job
    job = tmp_path / "job.py"
    job.write_text(JOB)
    batches = 60
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    duration = timed_python_job(job, [straight, batches], streamml_python_dir)
    assert run_python_job_with_kills(job, [killed, batches], killed, streamml_python_dir, random.Random(7),
                                     duration, kills=6, spread=0.5) >= 6
    _, attrs = assert_same_newest_checkpoint(straight, killed, "als")
    assert attrs["batch_index"] == batches - 1


def test_als_as_a_pipeline_stage_ranks_then_learns(tmp_path):
    # Oracle: the same ALS fed the same batches by partial_fit, each batch's "als.score" being
    # predict() on the model as it stood before the batch.
    path = tmp_path / "ratings.csv"
    streamml.generate("ratings", path, events=5000, users=200, items=100, seed=3)
    stream = dict(key="user", item="item", label="rating", time="event_time", batch_size=500)
    als = streamml.ALS(rank=4, seed=1)
    scores = []
    report = (streamml.Pipeline(streamml.replay(path, **stream), threads=2).add("als", als, top_n=5)
              .add_callback("collect", lambda b: scores.append(np.array(b.outputs["als.score"]))).run())
    direct = streamml.ALS(rank=4, seed=1)
    for k, batch in enumerate(streamml.replay(path, **stream)):
        users, items = list(batch.keys), list(batch.ids["item"])
        np.testing.assert_array_equal(scores[k], direct.predict(users, items))
        direct.partial_fit(users, items, np.asarray(batch.labels))
    assert k == 9
    np.testing.assert_array_equal(als.user_factors_, direct.user_factors_)
    np.testing.assert_array_equal(als.item_factors_, direct.item_factors_)
    ranking = report["stages"]["als"]["ranking"]
    assert ranking["top_n"] == 5 and ranking["cumulative"]["scored"] > 500
