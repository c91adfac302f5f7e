// Shared by the LP/MIP tests: where CoinUtils' sample models live, and a two-row LP whose
// solution and duals are worked by hand.
#pragma once

#include <string>

#include "algorithms/optimize/lp_model.h"

namespace streamml::lp_test {

// CoinUtils' sample data (Debian coinor-libcoinutils-dev): netlib afiro, brandy, e226, finnis;
// MIPLIB p0033, p0201, p0548, lseu; exmip1.
inline std::string sample(const std::string& name) { return std::string(STREAMML_COIN_SAMPLE_DIR) + "/" + name; }

// min x + 2y  s.t.  1 <= x + y <= 4 ("total"),  x - y = 0 ("balance"),  0 <= x, y <= 3.
// By hand: x = y = 1/2, objective 3/2; both columns basic, so c = Aᵀy:
// 1 = y1 + y2, 2 = y1 - y2  =>  y1 = 3/2 (the total's lower bound binds: raising it by t
// raises the objective by 3t/2), y2 = -1/2; reduced costs 0.
inline LpModel two_rows() {
  LpModel m;
  Eigen::MatrixXd a(2, 2);
  a << 1, 1, 1, -1;
  m.A = sparse_from_dense(a);
  m.objective = Eigen::Vector2d(1, 2);
  m.col_lower = Eigen::Vector2d(0, 0);
  m.col_upper = Eigen::Vector2d(3, 3);
  m.row_lower = Eigen::Vector2d(1, 0);
  m.row_upper = Eigen::Vector2d(4, 0);
  m.row_names = {"total", "balance"};
  m.col_names = {"x", "y"};
  return m;
}

}  // namespace streamml::lp_test
