// streamml._LpModel, _solve, _read_mps, _read_lp, _write_mps and _LPSolver: thin bindings of
// algorithms/optimize/. The SciPy-shaped entry points (linprog, milp, solve, LPSolver) are
// Python, in streamml/optimize.py.
//
// Conversions only. A matrix arrives as CSC arrays (scipy.sparse.csc_matrix's data, indices,
// indptr; optimize.py converts dense and other sparse formats), every array is checked for
// size here and the model for NaN and bounds in C++ (LpModel::validate names the row or
// column). Results are dicts of NumPy arrays. The GIL is released while a solver runs.
#include <pybind11/eigen.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/optimize/lp_model.h"
#include "algorithms/optimize/lp_solver.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/optimize/solve.h"
#include "bindings/python/bindings.h"
#include "core/error.h"

namespace streamml::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

Eigen::VectorXd vector_of(const DoubleArray& a, py::ssize_t n, const char* name) {
  STREAMML_CHECK(a.ndim() == 1 && a.shape(0) == n, InvalidInput,
                 name << " must have shape (" << n << ",), got " << a.ndim() << "-D of " << a.size() << " entries");
  return Eigen::Map<const Eigen::VectorXd>(a.data(), n);
}

// A CSC matrix from scipy.sparse's arrays, each entry checked.
SparseColMatrix csc_of(py::ssize_t rows, py::ssize_t cols, const IndexArray& indptr, const IndexArray& indices,
                       const DoubleArray& data) {
  STREAMML_CHECK(rows >= 0 && cols >= 0, InvalidInput, "A has shape (" << rows << ", " << cols << ")");
  STREAMML_CHECK(indptr.ndim() == 1 && indptr.shape(0) == cols + 1, InvalidInput,
                 "A's indptr must have " << cols + 1 << " entries (columns + 1), got " << indptr.size());
  const std::int64_t nnz = indptr.data()[cols];
  STREAMML_CHECK(indptr.data()[0] == 0 && indices.ndim() == 1 && data.ndim() == 1 && indices.shape(0) >= nnz &&
                     data.shape(0) >= nnz,
                 InvalidInput,
                 "A's indptr ends at " << nnz << " but indices has " << indices.size() << " and data " << data.size()
                                       << " entries");
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(std::size_t(nnz));
  for (py::ssize_t j = 0; j < cols; ++j) {
    const std::int64_t begin = indptr.data()[j], end = indptr.data()[j + 1];
    STREAMML_CHECK(begin <= end && end <= nnz, InvalidInput, "A's indptr is not non-decreasing at column " << j);
    for (std::int64_t k = begin; k < end; ++k) {
      const std::int64_t i = indices.data()[k];
      STREAMML_CHECK(i >= 0 && i < rows, InvalidInput,
                     "A's column " << j << " has row index " << i << ", A has " << rows << " rows");
      entries.emplace_back(int(i), int(j), data.data()[k]);
    }
  }
  SparseColMatrix a(rows, cols);
  a.setFromTriplets(entries.begin(), entries.end());  // duplicates are summed, as scipy.sparse does
  return a;
}

LpModel model_of(py::ssize_t rows, py::ssize_t cols, const IndexArray& indptr, const IndexArray& indices,
                 const DoubleArray& data, const DoubleArray& c, const DoubleArray& col_lower,
                 const DoubleArray& col_upper, const DoubleArray& row_lower, const DoubleArray& row_upper,
                 const py::object& integrality, double objective_offset, std::vector<std::string> row_names,
                 std::vector<std::string> col_names, std::string name) {
  LpModel m;
  m.name = std::move(name);
  m.A = csc_of(rows, cols, indptr, indices, data);
  m.objective = vector_of(c, cols, "c");
  m.col_lower = vector_of(col_lower, cols, "column lower bounds");
  m.col_upper = vector_of(col_upper, cols, "column upper bounds");
  m.row_lower = vector_of(row_lower, rows, "row lower bounds");
  m.row_upper = vector_of(row_upper, rows, "row upper bounds");
  m.objective_offset = objective_offset;
  if (!integrality.is_none()) {
    const IndexArray v = IndexArray::ensure(integrality);
    STREAMML_CHECK(v && v.ndim() == 1 && v.shape(0) == cols, InvalidInput,
                   "integrality must have shape (" << cols << ",)");
    for (py::ssize_t j = 0; j < cols; ++j) {
      const std::int64_t x = v.data()[j];
      STREAMML_CHECK(x == 0 || x == 1, InvalidInput,
                     "integrality[" << j << "] is " << x << ": 0 (continuous) and 1 (integer) are supported");
      m.integrality.push_back(std::uint8_t(x));
    }
    if (!m.is_mip()) m.integrality.clear();
  }
  m.row_names = std::move(row_names);
  m.col_names = std::move(col_names);
  m.validate();
  return m;
}

py::array copy_of(const Eigen::VectorXd& v) { return py::array_t<double>(py::ssize_t(v.size()), v.data()); }

py::dict result_dict(const SolveResult& r) {
  py::dict out;
  out["status"] = scipy_status(r.status);
  out["status_name"] = status_name(r.status);
  out["success"] = r.status == SolveStatus::Optimal;
  out["message"] = r.message;
  out["mip"] = r.mip;
  const bool has = r.has_solution();
  out["fun"] = has ? py::object(py::float_(r.objective)) : py::none();
  out["x"] = has ? py::object(copy_of(r.x)) : py::none();
  out["row_activity"] = has ? py::object(copy_of(r.row_activity)) : py::none();
  out["row_duals"] = has && r.row_duals.size() == r.row_activity.size() ? py::object(copy_of(r.row_duals)) : py::none();
  out["reduced_costs"] = has && r.reduced_costs.size() == r.x.size() ? py::object(copy_of(r.reduced_costs)) : py::none();
  out["nit"] = r.iterations;
  out["mip_node_count"] = r.nodes;
  out["mip_dual_bound"] = r.best_bound;
  out["mip_gap"] = r.gap;
  return out;
}

LpMethod method_of(const std::string& method) {
  if (method == "dual") return LpMethod::Dual;
  if (method == "primal") return LpMethod::Primal;
  if (method == "barrier") return LpMethod::Barrier;
  STREAMML_FAIL(InvalidInput, "method must be 'dual', 'primal' or 'barrier', got '" << method << "'");
}

class PyLpModel {
 public:
  explicit PyLpModel(LpModel model) : model_(std::move(model)) {}
  const LpModel& model() const { return model_; }

 private:
  LpModel model_;
};

class PyLPSolver : public PyStateful {
 public:
  explicit PyLPSolver(LPSolver solver) : solver_(std::move(solver)) {}
  LPSolver& solver() { return solver_; }
  Stateful& stateful() override { return solver_; }

 private:
  LPSolver solver_;
};

// The model's arrays as a dict (what streamml.LpModel shows): CSC arrays, vectors, names.
py::dict model_dict(const LpModel& source) {
  SparseColMatrix a = source.A;
  a.makeCompressed();
  py::dict out;
  out["shape"] = py::make_tuple(a.rows(), a.cols());
  out["indptr"] = py::array_t<std::int32_t>(py::ssize_t(a.cols() + 1), a.outerIndexPtr());
  out["indices"] = py::array_t<std::int32_t>(py::ssize_t(a.nonZeros()), a.innerIndexPtr());
  out["data"] = py::array_t<double>(py::ssize_t(a.nonZeros()), a.valuePtr());
  out["c"] = copy_of(source.objective);
  out["col_lower"] = copy_of(source.col_lower);
  out["col_upper"] = copy_of(source.col_upper);
  out["row_lower"] = copy_of(source.row_lower);
  out["row_upper"] = copy_of(source.row_upper);
  py::array_t<std::int64_t> integrality(py::ssize_t(source.cols()));
  for (Eigen::Index j = 0; j < source.cols(); ++j)
    integrality.mutable_data()[j] = std::size_t(j) < source.integrality.size() ? source.integrality[std::size_t(j)] : 0;
  out["integrality"] = integrality;
  out["objective_offset"] = source.objective_offset;
  out["row_names"] = source.row_names;
  out["col_names"] = source.col_names;
  out["name"] = source.name;
  return out;
}

}  // namespace

void bind_optimize(py::module_& m) {
  py::class_<PyLpModel>(m, "_LpModel", "A linear or mixed-integer program (C++ LpModel); use streamml.LpModel.")
      .def(py::init([](py::ssize_t rows, py::ssize_t cols, const IndexArray& indptr, const IndexArray& indices,
                       const DoubleArray& data, const DoubleArray& c, const DoubleArray& col_lower,
                       const DoubleArray& col_upper, const DoubleArray& row_lower, const DoubleArray& row_upper,
                       const py::object& integrality, double objective_offset, std::vector<std::string> row_names,
                       std::vector<std::string> col_names, std::string name) {
             return PyLpModel(model_of(rows, cols, indptr, indices, data, c, col_lower, col_upper, row_lower,
                                       row_upper, integrality, objective_offset, std::move(row_names),
                                       std::move(col_names), std::move(name)));
           }),
           py::kw_only(), py::arg("rows"), py::arg("cols"), py::arg("indptr"), py::arg("indices"), py::arg("data"),
           py::arg("c"), py::arg("col_lower"), py::arg("col_upper"), py::arg("row_lower"), py::arg("row_upper"),
           py::arg("integrality") = py::none(), py::arg("objective_offset") = 0.0,
           py::arg("row_names") = std::vector<std::string>{}, py::arg("col_names") = std::vector<std::string>{},
           py::arg("name") = std::string())
      .def("arrays", [](const PyLpModel& p) { return model_dict(p.model()); },
           "The model as a dict of arrays (copies): shape, CSC indptr/indices/data, c, bounds, integrality, names.");

  m.def(
      "_read_mps", [](const std::string& path) { return PyLpModel(read_mps(path)); }, py::arg("path"),
      py::call_guard<py::gil_scoped_release>(), "An MPS file (plain or .gz) as a model (streamml's own reader, mps_format.h).");
  m.def(
      "_read_lp", [](const std::string& path) { return PyLpModel(read_lp(path)); }, py::arg("path"),
      py::call_guard<py::gil_scoped_release>(), "A CPLEX LP file as a model (streamml's LP reader, lp_format.h).");
  m.def(
      "_write_mps", [](const PyLpModel& model, const std::string& path) { write_mps(model.model(), path); },
      py::arg("model"), py::arg("path"), py::call_guard<py::gil_scoped_release>(),
      "Writes the model as MPS (gzip-compressed when the path ends in .gz).");
  m.def(
      "_solve",
      [](const PyLpModel& model, const std::string& method, bool presolve, double time_limit, double mip_rel_gap,
         double mip_abs_gap, int log_level, bool relax) {
        SolveSettings s;
        s.method = method_of(method);
        s.presolve = presolve;
        s.time_limit = time_limit;
        s.mip_rel_gap = mip_rel_gap;
        s.mip_abs_gap = mip_abs_gap;
        s.log_level = log_level;
        SolveResult r;
        {
          py::gil_scoped_release release;
          r = relax ? solve_lp(model.model(), s) : solve(model.model(), s);
        }
        return result_dict(r);
      },
      py::arg("model"), py::kw_only(), py::arg("method"), py::arg("presolve"), py::arg("time_limit"),
      py::arg("mip_rel_gap"), py::arg("mip_abs_gap"), py::arg("log_level"), py::arg("relax"),
      "Solves once: CLP for an LP (or, with relax, the LP relaxation), CBC for a MIP; a result dict.");

  py::class_<PyLPSolver, PyStateful>(m, "_LPSolver", "The warm LP solver (C++ LPSolver); use streamml.LPSolver.")
      .def(py::init([](const PyLpModel& model, const std::string& method, bool presolve, double time_limit) {
             LpSolverSettings s;
             s.method = method_of(method);
             s.presolve = presolve;
             s.time_limit = time_limit;
             return PyLPSolver(LPSolver(model.model(), s));
           }),
           py::arg("model"), py::kw_only(), py::arg("method"), py::arg("presolve"), py::arg("time_limit"))
      .def(py::init([]() { return PyLPSolver(LPSolver()); }), "An empty solver, for a checkpoint to load into.")
      .def(
          "set_row_bounds",
          [](PyLPSolver& p, const DoubleArray& lower, const DoubleArray& upper) {
            const auto n = py::ssize_t(p.solver().model().rows());
            p.solver().set_row_bounds(vector_of(lower, n, "row lower bounds"), vector_of(upper, n, "row upper bounds"));
          },
          py::arg("lower"), py::arg("upper"))
      .def(
          "set_col_bounds",
          [](PyLPSolver& p, const DoubleArray& lower, const DoubleArray& upper) {
            const auto n = py::ssize_t(p.solver().model().cols());
            p.solver().set_col_bounds(vector_of(lower, n, "column lower bounds"),
                                      vector_of(upper, n, "column upper bounds"));
          },
          py::arg("lower"), py::arg("upper"))
      .def(
          "set_objective",
          [](PyLPSolver& p, const DoubleArray& c) {
            p.solver().set_objective(vector_of(c, py::ssize_t(p.solver().model().cols()), "c"));
          },
          py::arg("c"))
      .def("solve",
           [](PyLPSolver& p) {
             const SolveResult* r = nullptr;
             {
               py::gil_scoped_release release;
               r = &p.solver().solve();
             }
             return result_dict(*r);
           })
      .def("last_result", [](PyLPSolver& p) { return result_dict(p.solver().last_result()); })
      .def("model", [](PyLPSolver& p) { return PyLpModel(p.solver().model()); }, "The model as it stands (a copy).")
      .def_property_readonly("shape", [](PyLPSolver& p) {
        return py::make_tuple(p.solver().model().rows(), p.solver().model().cols());
      })
      .def("col_bounds", [](PyLPSolver& p) {
        return py::make_tuple(copy_of(p.solver().model().col_lower), copy_of(p.solver().model().col_upper));
      })
      .def_property_readonly("iterations", [](PyLPSolver& p) { return p.solver().iterations(); })
      .def_property_readonly("last_solve_warm", [](PyLPSolver& p) { return p.solver().last_solve_warm(); })
      .def_property_readonly("solves", [](PyLPSolver& p) { return p.solver().solves(); })
      .def_property_readonly("params_json", [](PyLPSolver& p) { return p.solver().params_json(); });
}

}  // namespace streamml::python
