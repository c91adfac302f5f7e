#include "algorithms/optimize/lp_model.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

namespace {

std::string label(const std::vector<std::string>& names, Eigen::Index i) {
  if (std::size_t(i) < names.size() && !names[std::size_t(i)].empty())
    return "'" + names[std::size_t(i)] + "' (" + std::to_string(i) + ")";
  return std::to_string(i);
}

void check_size(Eigen::Index got, Eigen::Index expected, const char* what, const char* unit) {
  STREAMML_CHECK(got == expected, InvalidInput,
                 "lp model: " << what << " has " << got << " entries, the model has " << expected << " " << unit);
}

// lower <= upper, neither NaN, lower not +inf, upper not -inf.
void check_bounds(const Eigen::VectorXd& lower, const Eigen::VectorXd& upper, const char* kind,
                  const std::vector<std::string>& names) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < lower.size(); ++i) {
    const double lo = lower[i], up = upper[i];
    STREAMML_CHECK(!std::isnan(lo) && !std::isnan(up), InvalidInput,
                   "lp model: " << kind << " " << label(names, i) << " has a NaN bound (lower " << lo << ", upper "
                                << up << ")");
    STREAMML_CHECK(lo != inf && up != -inf, InvalidInput,
                   "lp model: " << kind << " " << label(names, i) << " has lower bound " << lo << " and upper bound "
                                << up << "; a lower bound cannot be +inf nor an upper bound -inf");
    STREAMML_CHECK(lo <= up, InvalidInput,
                   "lp model: " << kind << " " << label(names, i) << ": lower bound " << lo << " > upper bound " << up);
  }
}

}  // namespace

bool LpModel::is_mip() const {
  for (auto v : integrality)
    if (v) return true;
  return false;
}

std::string LpModel::row_label(Eigen::Index i) const { return label(row_names, i); }
std::string LpModel::col_label(Eigen::Index j) const { return label(col_names, j); }

void LpModel::validate() const {
  const Eigen::Index m = rows(), n = cols();
  check_size(objective.size(), n, "objective", "columns");
  check_size(col_lower.size(), n, "col_lower", "columns");
  check_size(col_upper.size(), n, "col_upper", "columns");
  check_size(row_lower.size(), m, "row_lower", "rows");
  check_size(row_upper.size(), m, "row_upper", "rows");
  if (!integrality.empty()) check_size(Eigen::Index(integrality.size()), n, "integrality", "columns");
  if (!col_names.empty()) check_size(Eigen::Index(col_names.size()), n, "col_names", "columns");
  if (!row_names.empty()) check_size(Eigen::Index(row_names.size()), m, "row_names", "rows");
  STREAMML_CHECK(std::isfinite(objective_offset), InvalidInput,
                 "lp model: objective offset is " << objective_offset << ", must be finite");
  for (Eigen::Index j = 0; j < n; ++j) {
    STREAMML_CHECK(std::isfinite(objective[j]), InvalidInput,
                   "lp model: objective coefficient of column " << col_label(j) << " is " << objective[j]
                                                                << ", must be finite");
    for (SparseColMatrix::InnerIterator it(A, j); it; ++it)
      STREAMML_CHECK(std::isfinite(it.value()), InvalidInput,
                     "lp model: coefficient of row " << row_label(it.row()) << ", column " << col_label(j) << " is "
                                                     << it.value() << ", must be finite");
  }
  for (std::size_t j = 0; j < integrality.size(); ++j)
    STREAMML_CHECK(integrality[j] <= 1, InvalidInput,
                   "lp model: integrality of column " << col_label(Eigen::Index(j)) << " is " << int(integrality[j])
                                                      << ", must be 0 (continuous) or 1 (integer)");
  check_bounds(col_lower, col_upper, "column", col_names);
  check_bounds(row_lower, row_upper, "row", row_names);
}

SparseColMatrix sparse_from_dense(const Eigen::Ref<const Eigen::MatrixXd>& dense) {
  SparseColMatrix a(dense.rows(), dense.cols());
  Eigen::VectorXi per_col(dense.cols());
  for (Eigen::Index j = 0; j < dense.cols(); ++j) per_col[j] = int((dense.col(j).array() != 0.0).count());
  a.reserve(per_col);
  // NaN != 0 holds, so a NaN is kept for validate() to name.
  for (Eigen::Index j = 0; j < dense.cols(); ++j)
    for (Eigen::Index i = 0; i < dense.rows(); ++i)
      if (dense(i, j) != 0.0) a.insert(i, j) = dense(i, j);
  a.makeCompressed();
  return a;
}

void save_model(StateWriter& out, const LpModel& model) {
  SparseColMatrix a = model.A;
  a.makeCompressed();
  const auto ints = [](const int* p, Eigen::Index n) { return std::vector<std::int64_t>(p, p + n); };
  out.write_string("name", model.name);
  out.write_int("rows", model.rows());
  out.write_int("cols", model.cols());
  out.write_ints("A_indptr", ints(a.outerIndexPtr(), a.cols() + 1));
  out.write_ints("A_indices", ints(a.innerIndexPtr(), a.nonZeros()));
  out.write_vector("A_values", a.valuePtr(), std::size_t(a.nonZeros()));
  out.write_vector("objective", model.objective);
  out.write_double("objective_offset", model.objective_offset);
  out.write_vector("col_lower", model.col_lower);
  out.write_vector("col_upper", model.col_upper);
  out.write_vector("row_lower", model.row_lower);
  out.write_vector("row_upper", model.row_upper);
  out.write_ints("integrality", std::vector<std::int64_t>(model.integrality.begin(), model.integrality.end()));
  out.write_strings("row_names", model.row_names);
  out.write_strings("col_names", model.col_names);
}

LpModel load_model(const StateReader& in) {
  LpModel m;
  m.name = in.read_string("name");
  const std::int64_t rows = in.read_int("rows"), cols = in.read_int("cols");
  STREAMML_CHECK(rows >= 0 && cols >= 0 && rows < (std::int64_t(1) << 31) && cols < (std::int64_t(1) << 31),
                 InvalidInput, in.where("rows") << ": a model of " << rows << " x " << cols << " is not possible");
  const std::vector<std::int64_t> indptr = in.read_ints("A_indptr", cols + 1);
  const std::int64_t nnz = indptr.back();
  STREAMML_CHECK(indptr.front() == 0 && nnz >= 0 && nnz < (std::int64_t(1) << 31), InvalidInput,
                 in.where("A_indptr") << " must start at 0 and end at the number of coefficients, got " << indptr.front()
                                      << " .. " << nnz);
  const std::vector<std::int64_t> indices = in.read_ints("A_indices", nnz);
  const Eigen::VectorXd values = in.read_vector("A_values", nnz);
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(std::size_t(nnz));
  for (std::int64_t j = 0; j < cols; ++j) {
    STREAMML_CHECK(indptr[std::size_t(j)] <= indptr[std::size_t(j + 1)], InvalidInput,
                   in.where("A_indptr") << " decreases at column " << j);
    for (std::int64_t k = indptr[std::size_t(j)]; k < indptr[std::size_t(j + 1)]; ++k) {
      const std::int64_t i = indices[std::size_t(k)];
      STREAMML_CHECK(i >= 0 && i < rows, InvalidInput,
                     in.where("A_indices") << "[" << k << "] is row " << i << ", the model has " << rows << " rows");
      entries.emplace_back(int(i), int(j), values[Eigen::Index(k)]);
    }
  }
  m.A.resize(rows, cols);
  m.A.setFromTriplets(entries.begin(), entries.end());
  m.objective = in.read_vector("objective", cols);
  m.objective_offset = in.read_double("objective_offset");
  m.col_lower = in.read_vector("col_lower", cols);
  m.col_upper = in.read_vector("col_upper", cols);
  m.row_lower = in.read_vector("row_lower", rows);
  m.row_upper = in.read_vector("row_upper", rows);
  for (std::int64_t v : in.read_ints("integrality")) {
    STREAMML_CHECK(v == 0 || v == 1, InvalidInput, in.where("integrality") << " holds " << v << ", expected 0 or 1");
    m.integrality.push_back(std::uint8_t(v));
  }
  m.row_names = in.read_strings("row_names");
  m.col_names = in.read_strings("col_names");
  m.validate();
  return m;
}

}  // namespace streamml
