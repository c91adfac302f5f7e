"""streamml.linprog / milp / solve / read_mps / LPSolver against SciPy 1.10's HiGHS
(scipy.optimize.linprog and milp, run live in this process on the same models) and the netlib
LP library's published optima.

Oracles:
  - SciPy's linprog (method "highs") and milp, with mip_rel_gap 0 so both solvers prove
    optimality: same objective to 1e-7 relative, same duals where they are unique (random
    data gives non-degenerate optima, whose duals are unique), same status for infeasible and
    unbounded problems, same result fields.
  - netlib (netlib.org/lp/data/readme): AFIRO -4.6475314286E+02, BRANDY 1.5185098965E+03,
    FINNIS 1.7279106559E+05, read from CoinUtils' sample data.
"""
import os
import pickle
import subprocess

import numpy as np
import pytest
import scipy
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

import streamml


def sample(name):
    root = os.environ.get("STREAMML_COIN_SAMPLE_DIR") or subprocess.run(
        ["pkg-config", "--variable=datadir", "coindatasample"], capture_output=True, text=True,
        check=True).stdout.strip()
    return os.path.join(root, name)


def rel(a, b):
    return abs(a - b) / max(1.0, abs(b))


def random_lp(seed, n=30, m_ub=20, m_eq=5):
    """A feasible, bounded LP: rows around a random interior point x0 of [0, 10]^n."""
    rng = np.random.RandomState(seed)
    x0 = rng.uniform(1, 9, n)
    A_ub = rng.uniform(-1, 1, (m_ub, n)) * (rng.uniform(size=(m_ub, n)) < 0.5)
    b_ub = A_ub @ x0 + rng.uniform(0.5, 3, m_ub)
    A_eq = rng.uniform(-1, 1, (m_eq, n))
    b_eq = A_eq @ x0
    c = rng.uniform(-1, 1, n)
    return c, A_ub, b_ub, A_eq, b_eq, (0, 10)


def test_scipy_is_the_version_these_oracles_were_written_for():
    assert scipy.__version__.startswith("1.10")


@pytest.mark.parametrize("name,optimum", [("afiro.mps", -4.6475314286E+02),
                                          ("brandy.mps", 1.5185098965E+03),
                                          ("finnis.mps", 1.7279106559E+05)])
def test_netlib_optima_and_scipy_on_the_same_arrays(name, optimum):
    model = streamml.read_mps(sample(name))
    res = streamml.solve(model)
    assert res.status == 0 and res.success
    assert rel(res.fun, optimum) < 1e-6
    # HiGHS on the arrays read_mps gave.
    A = model.A.tocsr()
    lo, up = model.row_lower, model.row_upper
    eq = lo == up
    ub_rows, lb_rows = np.isfinite(up) & ~eq, np.isfinite(lo) & ~eq
    ref = linprog(model.c, A_ub=scipy.sparse.vstack([A[ub_rows], -A[lb_rows]]),
                  b_ub=np.concatenate([up[ub_rows], -lo[lb_rows]]), A_eq=A[eq], b_eq=lo[eq],
                  bounds=list(zip(model.col_lower, model.col_upper)), method="highs")
    assert ref.status == 0
    assert rel(res.fun, ref.fun) < 1e-7


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("method", ["dual", "primal", "barrier"])
def test_random_lps_match_scipy_objective_and_duals(seed, method):
    c, A_ub, b_ub, A_eq, b_eq, bounds = random_lp(seed)
    ours = streamml.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds, method=method)
    ref = linprog(c, A_ub, b_ub, A_eq, b_eq, bounds, method="highs")
    assert ours.status == ref.status == 0
    assert rel(ours.fun, ref.fun) < 1e-7
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    np.testing.assert_allclose(ours.slack, ref.slack, atol=1e-6)
    np.testing.assert_allclose(ours.con, ref.con, atol=1e-6)
    np.testing.assert_allclose(ours.ineqlin.marginals, ref.ineqlin.marginals, atol=1e-6)
    np.testing.assert_allclose(ours.eqlin.marginals, ref.eqlin.marginals, atol=1e-6)
    np.testing.assert_allclose(ours.lower.marginals, ref.lower.marginals, atol=1e-6)
    np.testing.assert_allclose(ours.upper.marginals, ref.upper.marginals, atol=1e-6)
    np.testing.assert_allclose(ours.lower.residual, ref.lower.residual, atol=1e-6)


def test_result_fields_are_scipys():
    c, A_ub, b_ub, A_eq, b_eq, bounds = random_lp(0)
    assert set(streamml.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds)) == \
        set(linprog(c, A_ub, b_ub, A_eq, b_eq, bounds))
    infeasible = dict(c=[1, 1], A_ub=[[1, 1]], b_ub=[-1])
    ours, ref = streamml.linprog(**infeasible), linprog(**infeasible)
    assert set(ours) == set(ref)
    assert ours.x is None and ours.fun is None and ours.slack is None and ours.ineqlin.marginals is None
    assert not ours.success
    m_ours = streamml.milp([1, 1], constraints=LinearConstraint([[1, 1]], lb=1.5), integrality=[1, 1])
    m_ref = milp([1, 1], constraints=LinearConstraint([[1, 1]], lb=1.5), integrality=[1, 1])
    assert set(m_ours) == set(m_ref)
    assert repr(m_ours).splitlines()[0].strip().startswith("x:")


def test_sparse_and_dense_matrices_give_the_same_answer():
    c, A_ub, b_ub, A_eq, b_eq, bounds = random_lp(3)
    dense = streamml.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds)
    sparse = streamml.linprog(c, csr_matrix(A_ub), b_ub, csr_matrix(A_eq), b_eq, bounds)
    np.testing.assert_array_equal(dense.x, sparse.x)


def test_infeasible_and_unbounded_as_scipy():
    cases = [dict(c=[1, 1], A_ub=[[1, 1]], b_ub=[-1]),                     # infeasible
             dict(c=[-1, -1], A_ub=[[1, -1]], b_ub=[1]),                   # unbounded
             dict(c=[1, 0], A_eq=[[1, 1], [1, 1]], b_eq=[1, 2]),           # infeasible equalities
             dict(c=[-1, 0], A_ub=[[0, 1]], b_ub=[1], bounds=[(None, None), (0, 1)])]  # unbounded, free x
    for case in cases:
        ref = linprog(**case, method="highs")
        for method in ("dual", "primal", "barrier"):
            ours = streamml.linprog(**case, method=method)
            assert ours.status == ref.status, (case, method, ours.message, ref.message)
            assert ours.status in (2, 3)


@pytest.mark.parametrize("seed", range(12))
def test_random_mips_match_scipy_milp(seed):
    rng = np.random.RandomState(100 + seed)
    n, m = 15, 8
    A = rng.randint(-5, 10, (m, n)).astype(float)
    x0 = rng.randint(0, 5, n).astype(float)
    ub_rows = A @ x0 + rng.randint(0, 6, m)
    c = rng.randint(-10, 10, n).astype(float)
    integrality = (rng.uniform(size=n) < 0.7).astype(int)
    cons = LinearConstraint(A, -np.inf, ub_rows)
    bounds = Bounds(0, 8)
    ref = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
               options={"mip_rel_gap": 0})
    ours = streamml.milp(c, constraints=cons, integrality=integrality, bounds=bounds,
                         options={"mip_rel_gap": 0})
    assert ref.status == ours.status == 0, ours.message
    assert rel(ours.fun, ref.fun) < 1e-7
    assert np.all(A @ ours.x <= ub_rows + 1e-9)
    ints = integrality == 1
    np.testing.assert_array_equal(ours.x[ints], np.round(ours.x[ints]))
    assert ours.mip_dual_bound <= ours.fun + 1e-9
    # The tuple form and several constraints give the same model.
    split = streamml.milp(c, constraints=[(A[:4], -np.inf, ub_rows[:4]), (A[4:], None, ub_rows[4:])],
                          integrality=integrality, bounds=(0, 8), options={"mip_rel_gap": 0})
    assert split.fun == ours.fun


def test_mip_infeasible_and_unbounded():
    infeasible = dict(c=[1, 1], constraints=LinearConstraint([[1, 1]], ub=-1.5), integrality=[1, 1])
    assert milp(**infeasible).status == streamml.milp(**infeasible).status == 2
    unbounded = dict(c=[-1, -1], constraints=LinearConstraint([[1, -1]], ub=1.5), integrality=[1, 1])
    # HiGHS cannot tell this one apart from an infeasible problem (status 4, "unbounded or
    # infeasible"); CBC sees the unbounded relaxation and a feasible point (0, 0): status 3.
    assert milp(**unbounded).status in (3, 4)
    res = streamml.milp(**unbounded)
    assert res.status == 3 and res.x is None and res.mip_gap is None


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"row 0, column 1 is nan"):
        streamml.linprog([1, 1], A_ub=[[1, np.nan]], b_ub=[1])
    with pytest.raises(ValueError, match=r"column 1: lower bound 3 > upper bound 2"):
        streamml.linprog([1, 1], bounds=[(0, 1), (3, 2)])
    with pytest.raises(ValueError, match=r"b_ub must have 2 entries"):
        streamml.linprog([1, 1], A_ub=[[1, 1], [1, 0]], b_ub=[1, 2, 3])
    with pytest.raises(ValueError, match=r"A_ub has 3 columns, c has 2"):
        streamml.linprog([1, 1], A_ub=[[1, 1, 1]], b_ub=[1])
    with pytest.raises(ValueError, match=r"unknown option"):
        streamml.linprog([1, 1], options={"maxiter": 5})
    with pytest.raises(ValueError, match=r"method must be one of"):
        streamml.linprog([1, 1], method="nelder-mead")
    with pytest.raises(ValueError, match=r"integrality\[0\] is 2"):
        streamml.milp([1, 1], integrality=[2, 0])
    with pytest.raises(OSError, match=r"nowhere\.mps"):
        streamml.read_mps("/nonexistent/nowhere.mps")


def test_mps_round_trip_plain_and_gzip(tmp_path):
    model = streamml.read_mps(sample("p0033.mps"))
    assert model.is_mip and model.shape == (16, 33)
    for name in ("p.mps", "p.mps.gz"):
        model.write_mps(tmp_path / name)
        back = streamml.read_mps(tmp_path / name)
        assert back.col_names == model.col_names
        np.testing.assert_array_equal(back.c, model.c)
        assert (back.A != model.A).nnz == 0
        np.testing.assert_array_equal(back.integrality, model.integrality)
    res = streamml.solve(model, mip_rel_gap=0)
    assert res.fun == 3089  # MIPLIB 3's published optimum
    assert streamml.solve(model, relax=True).fun < 3089


def test_lp_file():
    lp = streamml.read_lp(sample("exmip1.lp"))
    mps = streamml.read_mps(sample("exmip1.mps"))
    assert abs(streamml.solve(lp).fun - streamml.solve(mps).fun) < 1e-9


def allocation_lp(seed, servers=8, services=25):
    """Capacity rows (sum_j x_ij <= C_i), demand rows (sum_i x_ij + u_j >= d_j)."""
    rng = np.random.RandomState(seed)
    n = servers * services + services
    c = np.concatenate([rng.uniform(1, 10, servers * services), np.full(services, 100.0)])
    A = np.zeros((servers + services, n))
    for i in range(servers):
        A[i, i * services:(i + 1) * services] = 1
    for j in range(services):
        A[servers + j, j:servers * services:services] = 1
        A[servers + j, servers * services + j] = 1
    demand = rng.uniform(10, 100, services)
    capacity = demand.sum() / servers * rng.uniform(0.6, 1.2, servers)
    lower = np.concatenate([np.full(servers, -np.inf), demand])
    upper = np.concatenate([capacity, np.full(services, np.inf)])
    return c, A, lower, upper, demand


def scipy_allocation(c, A, lower, upper, servers):
    return linprog(c, A_ub=np.vstack([A[:servers], -A[servers:]]),
                   b_ub=np.concatenate([upper[:servers], -lower[servers:]]), bounds=(0, None),
                   method="highs")


def test_lpsolver_warm_equals_scipy_after_100_right_hand_sides():
    c, A, lower, upper, demand = allocation_lp(1)
    solver = streamml.LPSolver(c, csr_matrix(A), lower, upper)
    first = solver.solve()
    assert first.success and not solver.last_solve_warm
    rng = np.random.RandomState(2)
    iterations = []
    for step in range(100):
        lower[8:] = demand * rng.uniform(0.9, 1.1, demand.size)
        solver.set_row_bounds(lower, upper)
        res = solver.solve()
        ref = scipy_allocation(c, A, lower, upper, 8)
        assert res.success and solver.last_solve_warm
        assert rel(res.fun, ref.fun) < 1e-7, step
        iterations.append(solver.iterations)
    assert np.mean(iterations) < 30


def test_lpsolver_objective_and_bounds_changes_match_scipy():
    c, A, lower, upper, _ = allocation_lp(4)
    solver = streamml.LPSolver(c, A, lower, upper)
    solver.solve()
    rng = np.random.RandomState(5)
    for step in range(20):
        c2 = c * rng.uniform(0.8, 1.2, c.size)
        solver.set_objective(c2)
        col_upper = np.where(rng.uniform(size=c.size) < 0.2, 30.0, np.inf)
        if step % 2:
            solver.set_col_bounds(np.zeros(c.size), col_upper)
        else:
            col_upper = np.full(c.size, np.inf)
            solver.set_col_bounds(np.zeros(c.size), col_upper)
        res = solver.solve()
        ref = linprog(c2, A_ub=np.vstack([A[:8], -A[8:]]),
                      b_ub=np.concatenate([upper[:8], -lower[8:]]),
                      bounds=list(zip(np.zeros(c.size), [None if np.isinf(u) else u for u in col_upper])),
                      method="highs")
        assert rel(res.fun, ref.fun) < 1e-7, step
    with pytest.raises(ValueError, match=r"row 9: bounds \[5, 1\]"):
        solver.set_row_bounds(np.where(np.arange(lower.size) == 9, 5, lower),
                              np.where(np.arange(upper.size) == 9, 1, upper))


def test_lpsolver_pickle_and_store_resume_exactly(tmp_path):
    c, A, lower, upper, demand = allocation_lp(7)
    solver = streamml.LPSolver(c, A, lower, upper)
    solver.solve()
    rng = np.random.RandomState(8)
    lower[8:] = demand * 1.05
    solver.set_row_bounds(lower, upper)
    solver.solve()
    copy = pickle.loads(pickle.dumps(solver))
    store = streamml.CheckpointStore(tmp_path / "ck")
    store.save("lp", solver)
    stored = store.load("lp")
    assert isinstance(copy, streamml.LPSolver) and isinstance(stored, streamml.LPSolver)
    for step in range(10):
        lower[8:] = demand * rng.uniform(0.9, 1.1, demand.size)
        results = []
        for s in (solver, copy, stored):
            s.set_row_bounds(lower, upper)
            results.append((s.solve(), s.iterations, s.last_solve_warm))
        (a, ia, wa), (b, ib, wb), (d, id_, wd) = results
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.x, d.x)
        np.testing.assert_array_equal(a.marginals, b.marginals)
        assert ia == ib == id_ and wa and wb and wd
    assert copy.model.shape == (33, 225)
