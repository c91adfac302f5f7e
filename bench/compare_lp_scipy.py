#!/usr/bin/python3
"""The allocation LP and the auto-scaling MIP: streamml (COIN-OR CLP / CBC) vs SciPy's HiGHS.

Same process, same models, same arrays handed to both:
  - the allocation LP of algorithms/optimize/allocation.h (servers x services) in both its forms:
    without a move cost the transportation LP (columns x, u: I J + J), with one (0.1 per unit
    moved) the LP in moves (columns p, m, u: 2 I J + J); at a batch: the previous allocation in
    place, demand ±10 % around its base. Timed: SciPy's linprog (HiGHS, its default method) cold,
    streamml.solve cold (CLP dual simplex after presolve), and streamml.LPSolver re-solving warm
    from the previous batch's basis after the demand change (what the Allocator does each
    batch; bounds set from Python). Every timed solve's objective is checked against the others
    (1e-7 relative).
  - the auto-scaling MIP (autoscale.h) for 200 services under a binding budget and shared
    capacity: scipy.optimize.milp vs streamml.milp (CBC), both to a proven 1 % gap.
Printed: medians (ms) and ratios. The issue's goals: warm >= 10x SciPy cold, >= 3x CLP cold.

    PYTHONPATH=build/python /usr/bin/python3 bench/compare_lp_scipy.py [--batches 30] [--sizes 50x200,100x1000]
"""
import argparse
import statistics
import time

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix, vstack

import streamml


def allocation_case(I, J, seed=0):
    rng = np.random.RandomState(seed)
    base = rng.uniform(10, 100, J)
    capacity = 1.1 * base.sum() / I * rng.uniform(0.8, 1.2, I)
    cost = rng.uniform(1, 10, (I, J))
    return capacity, cost, base


def allocation_matrix(I, J, cost, penalty, move):
    """With a move cost: columns p_ij (i J + j), m_ij (I J + i J + j), u_j; without: x_ij, u_j.
    Rows capacity i, demand j."""
    IJ = I * J
    i, j = np.divmod(np.arange(IJ), J)
    if move > 0:
        rows = np.concatenate([i, I + j, i, I + j, I + np.arange(J)])
        cols = np.concatenate([np.arange(IJ), np.arange(IJ), IJ + np.arange(IJ), IJ + np.arange(IJ),
                               2 * IJ + np.arange(J)])
        vals = np.concatenate([np.ones(2 * IJ), -np.ones(2 * IJ), np.ones(J)])
        c = np.concatenate([cost.ravel() + move, move - cost.ravel(), np.full(J, penalty)])
    else:
        rows = np.concatenate([i, I + j, I + np.arange(J)])
        cols = np.concatenate([np.arange(IJ), np.arange(IJ), IJ + np.arange(J)])
        vals = np.ones(2 * IJ + J)
        c = np.concatenate([cost.ravel(), np.full(J, penalty)])
    A = csr_matrix((vals, (rows, cols)), shape=(I + J, c.size)).tocsc()
    return A, c


def allocation_bounds(capacity, previous, demand, moves):
    I, J = previous.shape
    shift = previous if moves else np.zeros_like(previous)
    row_lower = np.concatenate([np.full(I, -np.inf), demand - shift.sum(0)])
    row_upper = np.concatenate([capacity - shift.sum(1), np.full(J, np.inf)])
    n = (2 if moves else 1) * I * J + J
    col_upper = np.full(n, np.inf)
    if moves:
        col_upper[I * J:2 * I * J] = previous.ravel()
    return row_lower, row_upper, np.zeros(n), col_upper


def next_allocation(previous, x, moves):
    I, J = previous.shape
    IJ = I * J
    if moves:
        return np.maximum(0.0, previous + x[:IJ].reshape(I, J) - x[IJ:2 * IJ].reshape(I, J))
    return np.maximum(0.0, x[:IJ].reshape(I, J))


def scipy_cold(A, c, bounds, I):
    row_lower, row_upper, col_lower, col_upper = bounds
    A_ub = vstack([A[:I], -A[I:]]).tocsr()
    b_ub = np.concatenate([row_upper[:I], -row_lower[I:]])
    t0 = time.perf_counter()
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=np.column_stack([col_lower, col_upper]), method="highs")
    return time.perf_counter() - t0, res.fun


def clp_cold(A, c, bounds):
    model = streamml.LpModel(c, A, *bounds)
    t0 = time.perf_counter()
    res = streamml.solve(model)
    return time.perf_counter() - t0, res.fun


def compare_allocation(I, J, batches, move, penalty=1000.0):
    capacity, cost, base = allocation_case(I, J)
    moves = move > 0
    A, c = allocation_matrix(I, J, cost, penalty, move)
    rng = np.random.RandomState(1)
    demands = [base * rng.uniform(0.9, 1.1, J) for _ in range(batches + 1)]
    previous = np.zeros((I, J))
    solver = streamml.LPSolver(c, A, *allocation_bounds(capacity, previous, demands[0], moves))
    previous = next_allocation(previous, solver.solve().x, moves)
    warm, cold_clp, cold_scipy, iterations = [], [], [], []
    for b in range(1, batches + 1):
        bounds = allocation_bounds(capacity, previous, demands[b], moves)
        t_scipy, f_scipy = scipy_cold(A, c, bounds, I)
        t_clp, f_clp = clp_cold(A, c, bounds)
        t0 = time.perf_counter()
        solver.set_row_bounds(bounds[0], bounds[1])
        solver.set_col_bounds(bounds[2], bounds[3])
        res = solver.solve()
        warm.append(time.perf_counter() - t0)
        iterations.append(solver.iterations)
        for f in (f_scipy, f_clp):
            assert abs(res.fun - f) <= 1e-7 * abs(f), (b, res.fun, f)
        cold_scipy.append(t_scipy)
        cold_clp.append(t_clp)
        previous = next_allocation(previous, res.x, moves)
    ms = lambda xs: 1e3 * statistics.median(xs)
    print(f"allocation LP {I} servers x {J} services, move cost {move}: {A.shape[1]} columns, {A.shape[0]} rows, "
          f"{A.nnz} nonzeros; {batches} batches of ±10 % demand")
    print(f"  SciPy HiGHS cold        {ms(cold_scipy):9.2f} ms")
    print(f"  streamml CLP cold       {ms(cold_clp):9.2f} ms")
    print(f"  streamml LPSolver warm  {ms(warm):9.2f} ms   ({statistics.median(iterations):.0f} dual simplex "
          f"iterations per re-solve)")
    print(f"  warm vs SciPy cold {ms(cold_scipy) / ms(warm):6.1f}x   warm vs CLP cold {ms(cold_clp) / ms(warm):6.1f}x   "
          f"CLP cold vs SciPy cold {ms(cold_scipy) / ms(cold_clp):6.2f}x")


def compare_autoscale_mip(J, runs, seed=7):
    rng = np.random.RandomState(seed)
    rho = 0.7
    cost = 1 + 2 * rng.uniform(size=J)
    cpu = 1 + 3 * rng.uniform(size=J)
    rate = 10 + 40 * rng.uniform(size=J)
    arrivals = rate * rho * (2 + 30 * rng.uniform(size=J))
    need = np.ceil(arrivals / (rho * rate) - 1e-9)
    current = np.floor(need * rng.uniform(0.8, 1.2, J))
    budget, capacity = cost @ need / 1.3, cpu @ need / 1.2
    # Columns n (integer, 1..60), up, down, shortfall (autoscale.h); change cost 0.5, penalty 100.
    Z = np.zeros((J, J))
    E = np.eye(J)
    A = np.block([[rho * np.diag(rate), Z, Z, E],
                  [E, -E, E, Z],
                  [cost[None, :], np.zeros((1, 3 * J))],
                  [cpu[None, :], np.zeros((1, 3 * J))]])
    lb = np.concatenate([arrivals, current, [-np.inf, -np.inf]])
    ub = np.concatenate([np.full(J, np.inf), current, [budget, capacity]])
    c = np.concatenate([cost, np.full(2 * J, 0.5), np.full(J, 100.0)])
    integrality = np.concatenate([np.ones(J), np.zeros(3 * J)])
    bounds = Bounds(np.concatenate([np.ones(J), np.zeros(3 * J)]),
                    np.concatenate([np.full(J, 60.0), np.full(3 * J, np.inf)]))
    cons = LinearConstraint(csr_matrix(A), lb, ub)
    times = {"SciPy HiGHS": [], "streamml CBC": []}
    funs = {}
    for _ in range(runs):
        for name, f in (("SciPy HiGHS", milp), ("streamml CBC", streamml.milp)):
            t0 = time.perf_counter()
            res = f(c, constraints=cons, integrality=integrality, bounds=bounds, options={"mip_rel_gap": 0.01})
            times[name].append(time.perf_counter() - t0)
            assert res.status == 0, (name, res.message)
            funs[name] = (res.fun, res.mip_dual_bound)
    print(f"auto-scaling MIP, {J} services ({4 * J} columns, {2 * J + 2} rows), to a proven 1 % gap:")
    for name, ts in times.items():
        fun, bound = funs[name]
        print(f"  {name:13s} {1e3 * statistics.median(ts):9.1f} ms   objective {fun:.2f}, bound {bound:.2f}")
    hi, cbc = (statistics.median(times[k]) for k in ("SciPy HiGHS", "streamml CBC"))
    print(f"  CBC vs HiGHS {hi / cbc:6.2f}x; objectives within {abs(funs['SciPy HiGHS'][0] - funs['streamml CBC'][0]) / funs['SciPy HiGHS'][0] * 100:.2f} %")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", type=int, default=30)
    p.add_argument("--sizes", default="50x200,100x1000")
    p.add_argument("--mip-runs", type=int, default=3)
    a = p.parse_args()
    print(f"SciPy {scipy.__version__}, streamml {streamml.__version__}; medians")
    for size in a.sizes.split(","):
        I, J = (int(x) for x in size.split("x"))
        for move in (0.0, 0.1):
            compare_allocation(I, J, a.batches if I * J <= 20000 else max(3, a.batches // 6), move)
    compare_autoscale_mip(200, a.mip_runs)


if __name__ == "__main__":
    main()
