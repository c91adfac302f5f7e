// LpModel: a linear or mixed-integer program in the one form every solver here takes,
//
//   minimise    c·x + offset
//   subject to  row_lower <= A x <= row_upper
//               col_lower <=  x  <= col_upper
//               x_j integer where integrality[j]
//
// A is sparse, compressed by column (CSC, the order COIN-OR's CoinPackedMatrix and CLP keep);
// bounds may be ±infinity (std::numeric_limits<double>::infinity(); an equality row has
// lower == upper). Models are minimised: to maximise, negate the objective.
//
// validate() refuses a model that is not a program: sizes that disagree, NaN or infinite
// coefficients, a NaN bound, a lower bound of +inf or an upper bound of -inf, lower > upper.
// Every message names the row or column ("column 'x3' (3): lower bound 5 > upper bound 2").
// A model whose constraints cannot all hold is still a model: solve() reports it infeasible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace streamml {

class StateReader;
class StateWriter;

// Column-compressed sparse matrix with int indices, as CLP's own.
using SparseColMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

struct LpModel {
  std::string name;
  SparseColMatrix A;                  // rows x cols
  Eigen::VectorXd objective;          // cols
  double objective_offset = 0.0;      // a constant added to c·x (MPS: minus the objective's RHS)
  Eigen::VectorXd col_lower, col_upper;  // cols
  Eigen::VectorXd row_lower, row_upper;  // rows
  std::vector<std::uint8_t> integrality;  // empty (all continuous) or cols entries of 0 / 1
  std::vector<std::string> row_names;     // empty or rows entries
  std::vector<std::string> col_names;     // empty or cols entries

  Eigen::Index rows() const { return A.rows(); }
  Eigen::Index cols() const { return A.cols(); }
  bool is_mip() const;
  // "'c12' (12)" when named, "12" otherwise: how messages name a row or column.
  std::string row_label(Eigen::Index i) const;
  std::string col_label(Eigen::Index j) const;

  // Throws Error(InvalidInput) naming the first size, coefficient or bound that is wrong.
  void validate() const;
};

// Dense rows x cols to sparse, dropping exact zeros.
SparseColMatrix sparse_from_dense(const Eigen::Ref<const Eigen::MatrixXd>& dense);

// A model as checkpoint datasets (the matrix as CSC arrays A_indptr / A_indices / A_values,
// then objective, bounds, integrality and names), and back; reading checks every shape and
// validates the model.
void save_model(StateWriter& out, const LpModel& model);
LpModel load_model(const StateReader& in);

}  // namespace streamml
