"""Linear and mixed-integer programs over COIN-OR CLP and CBC, shaped like SciPy's.

``linprog`` and ``milp`` take SciPy 1.10's arguments and return its result fields and status
codes (0 optimal, 1 iteration or time limit, 2 infeasible, 3 unbounded, 4 numerical trouble /
other), solved by CLP (dual simplex by default; primal simplex or barrier on request) and CBC
(the ``cbc`` program's preprocessing, cut generators and heuristics, single-threaded)::

    import streamml
    res = streamml.linprog(c, A_ub=A, b_ub=b, bounds=(0, None))
    res.x, res.fun, res.ineqlin.marginals

    res = streamml.milp(c, constraints=(A, lb, ub), integrality=np.ones(n))

Models also come from files (``read_mps``, plain or gzipped, and ``read_lp``) or are built as
``LpModel(c, A, row_lower, row_upper, col_lower, col_upper, integrality)`` and solved with
``solve(model)``. ``LPSolver`` keeps one LP alive in CLP and re-solves it from the previous
basis after bound or objective changes (what a decision stage does every micro-batch); it
pickles and checkpoints as its model, basis and last solution.

Matrices may be dense (anything ``numpy.asarray`` takes) or ``scipy.sparse``. Bad input (NaN,
a lower bound above its upper bound, mismatched sizes) raises ValueError naming the row or
column; infeasible and unbounded problems are statuses, not exceptions.
"""

import math
import os

import numpy as np

from . import _streamml
from ._estimator import Checkpointed

__all__ = ["OptimizeResult", "LpModel", "linprog", "milp", "solve", "read_mps", "read_lp",
           "write_mps", "LPSolver"]

_INF = math.inf

# SciPy's method names, for code written against scipy.optimize.linprog.
_METHODS = {"dual": "dual", "primal": "primal", "barrier": "barrier", "highs": "dual",
            "highs-ds": "dual", "highs-ipm": "barrier", "interior-point": "barrier",
            "simplex": "primal", "revised simplex": "primal"}


class OptimizeResult(dict):
    """A dict whose keys are also attributes, as scipy.optimize.OptimizeResult."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return self.__class__.__name__ + "()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for key, value in self.items():
            text = repr(value).replace("\n", "\n" + " " * (width + 2))
            lines.append(key.rjust(width) + ": " + text)
        return "\n".join(lines)


# --- input conversion ------------------------------------------------------------------------

def _triplets(A, n, name):
    """(rows, r, c, v) of a dense or scipy.sparse matrix with n columns."""
    if hasattr(A, "tocoo"):
        coo = A.tocoo()
        rows, cols = coo.shape
        r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
    else:
        dense = np.asarray(A, dtype=np.float64)
        if dense.ndim == 1 and dense.size == n:
            dense = dense.reshape(1, n)
        if dense.ndim != 2:
            raise ValueError(f"{name} must be 2-D (rows, {n}), got shape {dense.shape}")
        rows, cols = dense.shape
        r, c = np.nonzero(dense != 0)  # NaN != 0: kept, for the model's check to name
        v = dense[r, c]
    if cols != n:
        raise ValueError(f"{name} has {cols} columns, c has {n} entries")
    return rows, r, c, v


def _stacked_csc(blocks, n):
    """Several matrices stacked by rows, as CSC arrays: (rows, indptr, indices, data)."""
    rows, rs, cs, vs = 0, [], [], []
    for m, r, c, v in blocks:
        rs.append(r + rows)
        cs.append(c)
        vs.append(v)
        rows += m
    r = np.concatenate(rs) if rs else np.zeros(0, np.int64)
    c = np.concatenate(cs) if cs else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0)
    order = np.lexsort((r, c))
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(c, minlength=n), out=indptr[1:])
    return rows, indptr, r[order], v[order]


def _vector(value, n, name, fill):
    """A float vector of n entries from None (all `fill`), a scalar (broadcast) or n values
    (None entries are `fill`)."""
    if value is None:
        return np.full(n, fill, dtype=np.float64)
    arr = np.asarray(value)
    if arr.dtype == object:
        arr = np.array([fill if v is None else float(v) for v in arr.ravel()], dtype=np.float64)
    arr = arr.astype(np.float64, copy=False).ravel()
    if arr.size == 1:
        return np.full(n, arr[0])
    if arr.size != n:
        raise ValueError(f"{name} must have {n} entries (or one for all), got {arr.size}")
    return np.ascontiguousarray(arr)


def _linprog_bounds(bounds, n):
    """SciPy linprog's bounds: None (0, inf), one (min, max) pair for all, or n pairs; None
    in a pair is unbounded on that side."""
    if bounds is None:
        return np.zeros(n), np.full(n, _INF)
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        return _vector(bounds.lb, n, "bounds.lb", -_INF), _vector(bounds.ub, n, "bounds.ub", _INF)
    pairs = np.asarray(bounds, dtype=object)
    if pairs.shape == (2,):
        pairs = np.tile(pairs, (n, 1))
    if pairs.shape != (n, 2):
        raise ValueError(f"bounds must be one (min, max) pair or {n} of them, got shape {pairs.shape}")
    lower = np.array([-_INF if b is None else float(b) for b in pairs[:, 0]])
    upper = np.array([_INF if b is None else float(b) for b in pairs[:, 1]])
    return lower, upper


def _milp_bounds(bounds, n):
    """SciPy milp's bounds: None (0, inf), a Bounds(lb, ub) or a (lb, ub) pair, broadcast."""
    if bounds is None:
        return np.zeros(n), np.full(n, _INF)
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lb, ub = bounds.lb, bounds.ub
    else:
        lb, ub = bounds
    return _vector(lb, n, "bounds lb", -_INF), _vector(ub, n, "bounds ub", _INF)


def _options(options, allowed, where):
    options = dict(options or {})
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown option(s) {unknown}; streamml takes {sorted(allowed)}")
    return options


def _time_limit(value):
    if value is None:
        return 0.0
    value = float(value)
    if not value > 0 or math.isinf(value):
        raise ValueError(f"time_limit must be a positive number of seconds, got {value}")
    return value


def _method(method):
    try:
        return _METHODS[str(method).lower()]
    except KeyError:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}") from None


# --- models ----------------------------------------------------------------------------------

class LpModel:
    """A linear or mixed-integer program: minimise c·x + objective_offset subject to
    row_lower <= A x <= row_upper, col_lower <= x <= col_upper, x_j integer where
    integrality[j] is 1.

    Parameters
    ----------
    c : array-like (n,)
    A : array-like or scipy.sparse (m, n), optional
    row_lower, row_upper : array-like (m,) or scalar, optional
        Default -inf / +inf (None entries likewise).
    col_lower, col_upper : array-like (n,) or scalar, optional
        Default 0 / +inf.
    integrality : array-like (n,) of 0/1, optional
    objective_offset : float
    row_names, col_names : list of str, optional
    name : str
    """

    def __init__(self, c, A=None, row_lower=None, row_upper=None, col_lower=None, col_upper=None,
                 integrality=None, *, objective_offset=0.0, row_names=None, col_names=None,
                 name=""):
        c = np.ascontiguousarray(c, dtype=np.float64).ravel()
        n = c.size
        blocks = [] if A is None else [_triplets(A, n, "A")]
        m, indptr, indices, data = _stacked_csc(blocks, n)
        self._core = _streamml._LpModel(
            rows=m, cols=n, indptr=indptr, indices=indices, data=data, c=c,
            col_lower=_vector(col_lower, n, "col_lower", 0.0),
            col_upper=_vector(col_upper, n, "col_upper", _INF),
            row_lower=_vector(row_lower, m, "row_lower", -_INF),
            row_upper=_vector(row_upper, m, "row_upper", _INF),
            integrality=None if integrality is None else np.asarray(integrality).astype(np.int64),
            objective_offset=float(objective_offset), row_names=list(row_names or []),
            col_names=list(col_names or []), name=str(name))
        self._arrays = None

    @classmethod
    def _wrap(cls, core):
        model = cls.__new__(cls)
        model._core = core
        model._arrays = None
        return model

    def _get(self, key):
        if self._arrays is None:
            self._arrays = self._core.arrays()
        return self._arrays[key]

    shape = property(lambda self: self._get("shape"), doc="(rows, columns)")
    c = property(lambda self: self._get("c"), doc="objective coefficients (n,)")
    col_lower = property(lambda self: self._get("col_lower"))
    col_upper = property(lambda self: self._get("col_upper"))
    row_lower = property(lambda self: self._get("row_lower"))
    row_upper = property(lambda self: self._get("row_upper"))
    integrality = property(lambda self: self._get("integrality"), doc="0/1 per column (n,)")
    objective_offset = property(lambda self: self._get("objective_offset"))
    row_names = property(lambda self: self._get("row_names"))
    col_names = property(lambda self: self._get("col_names"))
    name = property(lambda self: self._get("name"))

    @property
    def A(self):
        """The constraint matrix as scipy.sparse.csc_matrix (a copy)."""
        from scipy.sparse import csc_matrix
        return csc_matrix((self._get("data"), self._get("indices"), self._get("indptr")),
                          shape=self._get("shape"))

    @property
    def is_mip(self):
        return bool(np.any(self.integrality))

    def write_mps(self, path):
        """Writes the model as MPS (gzip-compressed when the path ends in .gz)."""
        _streamml._write_mps(self._core, os.fspath(path))

    def __repr__(self):
        m, n = self.shape
        kind = "MIP" if self.is_mip else "LP"
        return f"LpModel({self.name!r}, {kind}, {m} rows x {n} columns)"


def read_mps(path):
    """An MPS file (fixed or free, plain or .gz) as an LpModel (streamml's own reader; bad cards
    name their line). OBJSENSE MAX is read as the minimisation of the negated objective."""
    return LpModel._wrap(_streamml._read_mps(os.fspath(path)))


def read_lp(path):
    """A CPLEX LP file (plain or .gz) as an LpModel (streamml's own reader; bad text names its line); "Maximize" is read negated, as by read_mps."""
    return LpModel._wrap(_streamml._read_lp(os.fspath(path)))


def write_mps(model, path):
    """Writes ``model`` (an LpModel) as MPS."""
    model.write_mps(path)


# --- results ---------------------------------------------------------------------------------

def _split_marginals(reduced_costs):
    """SciPy's lower / upper marginals: the reduced cost where it is >= 0 (the lower bound
    binds) and where it is <= 0 (the upper bound binds)."""
    d = reduced_costs
    return np.where(d > 0, d, 0.0), np.where(d < 0, d, 0.0)


def _model_result(res, col_lower, col_upper):
    """solve()'s result: SciPy's common fields plus the rows' activity and duals."""
    x = res["x"]
    out = OptimizeResult(x=x, fun=res["fun"], status=res["status"], success=res["success"],
                         message=res["message"], nit=res["nit"])
    lower_m = upper_m = None
    if res["reduced_costs"] is not None:
        lower_m, upper_m = _split_marginals(res["reduced_costs"])
    out["row_activity"] = res["row_activity"]
    out["marginals"] = res["row_duals"]
    out["reduced_costs"] = res["reduced_costs"]
    out["lower"] = OptimizeResult(residual=None if x is None else x - col_lower, marginals=lower_m)
    out["upper"] = OptimizeResult(residual=None if x is None else col_upper - x, marginals=upper_m)
    if res["mip"]:
        out.update(_mip_fields(res))
    return out


def _mip_fields(res):
    if res["x"] is None:
        return dict(mip_node_count=None, mip_dual_bound=None, mip_gap=None)
    return dict(mip_node_count=res["mip_node_count"], mip_dual_bound=res["mip_dual_bound"],
                mip_gap=res["mip_gap"])


def solve(model, time_limit=None, *, method="dual", presolve=True, mip_rel_gap=1e-4,
          relax=False, disp=False):
    """Solves an LpModel once: CLP for an LP (or the LP relaxation with ``relax``), CBC for a MIP.

    Returns an OptimizeResult: ``x``, ``fun``, ``status`` (SciPy's codes), ``success``,
    ``message``, ``nit``, ``row_activity`` (A x), ``marginals`` (row duals, ∂fun/∂bound),
    ``reduced_costs``, ``lower``/``upper`` (residual, marginals), and for a MIP
    ``mip_node_count``, ``mip_dual_bound``, ``mip_gap``.
    """
    res = _streamml._solve(model._core, method=_method(method), presolve=bool(presolve),
                           time_limit=_time_limit(time_limit), mip_rel_gap=float(mip_rel_gap),
                           mip_abs_gap=1e-9, log_level=1 if disp else 0, relax=bool(relax))
    return _model_result(res, model.col_lower, model.col_upper)


def linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None, method="dual",
            callback=None, options=None, x0=None, integrality=None):
    """scipy.optimize.linprog (SciPy 1.10) solved by COIN-OR CLP (CBC when integrality is given).

    minimise c·x subject to A_ub x <= b_ub, A_eq x == b_eq, bounds on x.

    method : "dual" (dual simplex, the default), "primal", "barrier"; SciPy's "highs",
        "highs-ds" (dual), "highs-ipm", "interior-point" (barrier) are accepted too.
    options : dict with "time_limit" (seconds), "presolve" (bool), "disp" (bool).

    The result has SciPy's fields: x, fun, slack (b_ub - A_ub x), con (b_eq - A_eq x), status,
    success, message, nit, crossover_nit, ineqlin / eqlin (residual, marginals: ∂fun/∂b),
    lower / upper (residual, marginals: the reduced costs of the bounds), and when x is not all
    zero mip_node_count, mip_dual_bound, mip_gap. ``callback`` and ``x0`` are not supported.
    """
    if callback is not None or x0 is not None:
        raise ValueError("linprog: callback and x0 are not supported by streamml")
    opts = _options(options, ("time_limit", "presolve", "disp"), "linprog")
    c = np.ascontiguousarray(c, dtype=np.float64).ravel()
    n = c.size
    blocks, lower_rows, upper_rows = [], [], []
    m_ub = 0
    if A_ub is not None:
        block = _triplets(A_ub, n, "A_ub")
        m_ub = block[0]
        b = _vector(b_ub, m_ub, "b_ub", _INF)
        blocks.append(block)
        lower_rows.append(np.full(m_ub, -_INF))
        upper_rows.append(b)
    elif b_ub is not None and np.size(b_ub):
        raise ValueError("linprog: b_ub given without A_ub")
    if A_eq is not None:
        block = _triplets(A_eq, n, "A_eq")
        b = _vector(b_eq, block[0], "b_eq", math.nan)
        blocks.append(block)
        lower_rows.append(b)
        upper_rows.append(b)
    elif b_eq is not None and np.size(b_eq):
        raise ValueError("linprog: b_eq given without A_eq")
    col_lower, col_upper = _linprog_bounds(bounds, n)
    m, indptr, indices, data = _stacked_csc(blocks, n)
    core = _streamml._LpModel(
        rows=m, cols=n, indptr=indptr, indices=indices, data=data, c=c, col_lower=col_lower,
        col_upper=col_upper,
        row_lower=np.concatenate(lower_rows) if lower_rows else np.zeros(0),
        row_upper=np.concatenate(upper_rows) if upper_rows else np.zeros(0),
        integrality=None if integrality is None else np.asarray(integrality).astype(np.int64))
    res = _streamml._solve(core, method=_method(method), presolve=bool(opts.get("presolve", True)),
                           time_limit=_time_limit(opts.get("time_limit")), mip_rel_gap=1e-4,
                           mip_abs_gap=1e-9, log_level=1 if opts.get("disp") else 0, relax=False)
    x = res["x"]
    upper_b = np.concatenate(upper_rows) if upper_rows else np.zeros(0)
    if x is not None:
        activity = res["row_activity"]
        slack = upper_b[:m_ub] - activity[:m_ub]
        con = upper_b[m_ub:] - activity[m_ub:]
    else:
        slack = con = None
    duals = res["row_duals"]
    lower_m = upper_m = None
    if res["reduced_costs"] is not None:
        lower_m, upper_m = _split_marginals(res["reduced_costs"])
    out = OptimizeResult(
        x=x, fun=res["fun"], slack=slack, con=con,
        ineqlin=OptimizeResult(residual=slack, marginals=None if duals is None else duals[:m_ub]),
        eqlin=OptimizeResult(residual=con, marginals=None if duals is None else duals[m_ub:]),
        lower=OptimizeResult(residual=None if x is None else x - col_lower, marginals=lower_m),
        upper=OptimizeResult(residual=None if x is None else col_upper - x, marginals=upper_m),
        status=res["status"], success=res["success"], message=res["message"], nit=res["nit"],
        crossover_nit=0)
    if x is not None and np.any(x):
        if res["mip"]:
            out.update(_mip_fields(res))
        else:
            out.update(mip_node_count=0, mip_dual_bound=0.0, mip_gap=0.0)
    return out


def _constraint_blocks(constraints, n):
    """milp's constraints: a LinearConstraint (A, lb, ub), a tuple (A, lb, ub), or a list."""
    if constraints is None:
        return [], [], []
    if hasattr(constraints, "A") or (isinstance(constraints, tuple) and len(constraints) == 3
                                     and not hasattr(constraints[0], "A")):
        constraints = [constraints]
    blocks, lows, ups = [], [], []
    for k, con in enumerate(constraints):
        if hasattr(con, "A"):
            A, lb, ub = con.A, con.lb, con.ub
        else:
            A, lb, ub = con
        block = _triplets(A, n, f"constraints[{k}].A")
        blocks.append(block)
        lows.append(_vector(lb, block[0], f"constraints[{k}].lb", -_INF))
        ups.append(_vector(ub, block[0], f"constraints[{k}].ub", _INF))
    return blocks, lows, ups


def milp(c, *, integrality=None, bounds=None, constraints=None, options=None):
    """scipy.optimize.milp (SciPy 1.10) solved by COIN-OR CBC.

    minimise c·x subject to lb <= A x <= ub for each constraint, bounds on x, and x_j integer
    where integrality[j] is 1 (SciPy's 2 and 3, semi-continuous and semi-integer, are not
    supported).

    constraints : a scipy.optimize.LinearConstraint, a tuple (A, lb, ub), or a sequence of them.
    bounds : scipy.optimize.Bounds or a (lb, ub) pair; default 0 <= x < inf.
    options : dict with "time_limit" (seconds), "presolve" (bool), "disp" (bool),
        "mip_rel_gap" (default 1e-4, HiGHS's).

    The result has SciPy's fields: x, fun, status, success, message, mip_node_count,
    mip_dual_bound, mip_gap (None without a solution).
    """
    opts = _options(options, ("time_limit", "presolve", "disp", "mip_rel_gap"), "milp")
    c = np.ascontiguousarray(c, dtype=np.float64).ravel()
    n = c.size
    blocks, lows, ups = _constraint_blocks(constraints, n)
    col_lower, col_upper = _milp_bounds(bounds, n)
    m, indptr, indices, data = _stacked_csc(blocks, n)
    if integrality is not None:
        integrality = np.broadcast_to(np.asarray(integrality, dtype=np.int64), (n,))
    core = _streamml._LpModel(
        rows=m, cols=n, indptr=indptr, indices=indices, data=data, c=c, col_lower=col_lower,
        col_upper=col_upper, row_lower=np.concatenate(lows) if lows else np.zeros(0),
        row_upper=np.concatenate(ups) if ups else np.zeros(0),
        integrality=None if integrality is None else np.ascontiguousarray(integrality))
    gap = float(opts.get("mip_rel_gap", 1e-4))
    res = _streamml._solve(core, method="dual", presolve=bool(opts.get("presolve", True)),
                           time_limit=_time_limit(opts.get("time_limit")), mip_rel_gap=gap,
                           mip_abs_gap=1e-9, log_level=1 if opts.get("disp") else 0, relax=False)
    out = OptimizeResult(x=res["x"], fun=res["fun"], status=res["status"], success=res["success"],
                         message=res["message"])
    if res["mip"]:
        out.update(_mip_fields(res))
    elif res["x"] is not None:
        # No integer column: an LP, whose bound is its optimum.
        out.update(mip_node_count=0, mip_dual_bound=res["fun"], mip_gap=0.0)
    else:
        out.update(mip_node_count=None, mip_dual_bound=None, mip_gap=None)
    return out


# --- the warm solver -------------------------------------------------------------------------

class LPSolver(Checkpointed, type="lp_solver"):
    """One LP kept alive in CLP and re-solved from its previous basis after changes.

    minimise c·x subject to row_lower <= A x <= row_upper, col_lower <= x <= col_upper.

    Parameters
    ----------
    c : array-like (n,)
    A : array-like or scipy.sparse (m, n)
    row_lower, row_upper : array-like (m,); None entries are unbounded
    col_lower, col_upper : array-like (n,), optional; default 0 and +inf
    method : "dual", "primal" or "barrier" (the first, cold solve)
    presolve : bool (the cold solve)
    time_limit : float seconds per solve, optional

    After ``set_row_bounds``/``set_col_bounds`` the next ``solve()`` runs the dual simplex from
    the last basis, after ``set_objective`` the primal simplex; ``iterations`` is the last
    solve's simplex iterations. Pickling and streamml.CheckpointStore keep the model, the basis
    and the last solution, so a restored solver re-solves warm, pivot for pivot as the
    uninterrupted one.
    """

    def __init__(self, c, A, row_lower, row_upper, col_lower=None, col_upper=None, *,
                 method="dual", presolve=True, time_limit=None):
        model = LpModel(c, A, row_lower, row_upper, col_lower, col_upper)
        self._core = _streamml._LPSolver(model._core, method=_method(method),
                                         presolve=bool(presolve),
                                         time_limit=_time_limit(time_limit))

    @classmethod
    def _from_checkpoint(cls, params):
        """An empty solver for a checkpoint to load into: its state holds the model."""
        solver = cls.__new__(cls)
        solver._core = _streamml._LPSolver()
        return solver

    def _learner(self):
        return self._core

    def set_row_bounds(self, lower, upper):
        """New row bounds (m,) each; None entries are unbounded."""
        m, _ = self._core.shape
        self._core.set_row_bounds(_vector(lower, m, "lower", -_INF), _vector(upper, m, "upper", _INF))

    def set_col_bounds(self, lower, upper):
        """New column bounds (n,) each; None entries are unbounded."""
        _, n = self._core.shape
        self._core.set_col_bounds(_vector(lower, n, "lower", -_INF), _vector(upper, n, "upper", _INF))

    def set_objective(self, c):
        """A new objective (n,)."""
        self._core.set_objective(np.ascontiguousarray(c, dtype=np.float64).ravel())

    def solve(self):
        """Solves (cold the first time, warm afterwards); the result as ``streamml.solve``'s."""
        res = self._core.solve()
        return _model_result(res, *self._core.col_bounds())

    @property
    def iterations(self):
        """Simplex iterations of the last solve."""
        return self._core.iterations

    @property
    def last_solve_warm(self):
        """Whether the last solve started from a kept basis."""
        return self._core.last_solve_warm

    @property
    def model(self):
        """The model as it stands, every change applied (an LpModel, a copy)."""
        return LpModel._wrap(self._core.model())

