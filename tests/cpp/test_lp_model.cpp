// LpModel and its files: MPS and LP read through CoinUtils, MPS written and read back, bad
// models refused naming the row or column.
//
// Oracles: the netlib LP library's own table of problem sizes (netlib.org/lp/data/readme:
// AFIRO 28 rows counting the objective, 32 columns, 88 nonzeros counting the objective's);
// the model exmip1 written out by hand in CoinUtils' Data/Sample/exmip1.mps's header comment;
// hand-written files below.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "algorithms/optimize/lp_model.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/optimize/solve.h"
#include "lp_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
using testing::temp_dir;
using testing::write_file;

constexpr double kInf = std::numeric_limits<double>::infinity();

using lp_test::sample;
using lp_test::two_rows;

TEST(LpModel, ReadsNetlibAfiroWithTheSizesNetlibLists) {
  const LpModel m = read_mps(sample("afiro.mps"));
  EXPECT_EQ(m.rows(), 27);  // netlib: 28 rows with the objective
  EXPECT_EQ(m.cols(), 32);
  EXPECT_EQ(m.A.nonZeros() + (m.objective.array() != 0).count(), 88);
  EXPECT_FALSE(m.is_mip());
  EXPECT_EQ(m.row_names.front(), "R09");
  EXPECT_EQ(m.col_names.front(), "X01");
}

TEST(LpModel, ReadsExmip1AsItsHeaderCommentWritesIt) {
  const LpModel m = read_mps(sample("exmip1.mps"));
  ASSERT_EQ(m.rows(), 5);
  ASSERT_EQ(m.cols(), 8);
  // Minimize x1 + 2x5 - x8; x3, x4 binary; 2.5 <= x1; 0 <= x2 <= 4.1; 0.5 <= x5 <= 4; x8 <= 4.3.
  EXPECT_EQ(m.objective, (Eigen::VectorXd(8) << 1, 0, 0, 0, 2, 0, 0, -1).finished());
  EXPECT_EQ(m.integrality, (std::vector<std::uint8_t>{0, 0, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(m.col_lower[0], 2.5);
  EXPECT_EQ(m.col_upper[0], kInf);
  EXPECT_EQ(m.col_upper[1], 4.1);
  EXPECT_EQ(m.col_lower[4], 0.5);
  EXPECT_EQ(m.col_upper[7], 4.3);
  // 1.8 <= 2.8x4 - 1.2x7 <= 5.0 (a ranged row); 3x1 + x2 - 2x4 - x5 - x8 >= 2.5.
  EXPECT_EQ(m.row_lower[3], 1.8);
  EXPECT_EQ(m.row_upper[3], 5.0);
  EXPECT_EQ(m.row_lower[0], 2.5);
  EXPECT_EQ(m.row_upper[0], kInf);
  EXPECT_EQ(m.A.coeff(0, 0), 3.0);
  EXPECT_EQ(m.A.coeff(3, 6), -1.2);
}

TEST(LpModel, LpFileAndMpsFileOfExmip1HaveTheSameOptimum) {
  // Data/Sample/exmip1.lp states the ranged rows with extra range columns: a different model
  // with the same optimum.
  const SolveResult mps = solve(read_mps(sample("exmip1.mps")));
  const LpModel lp = read_lp(sample("exmip1.lp"));
  EXPECT_EQ(lp.cols(), 10);
  EXPECT_TRUE(lp.is_mip());
  const SolveResult r = solve(lp);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, mps.objective, 1e-9);
}

TEST(LpModel, WrittenMpsReadsBackTheSameModelPlainAndGzipped) {
  const LpModel m = read_mps(sample("exmip1.mps"));
  const auto dir = temp_dir("mps_round_trip");
  for (const char* name : {"exmip1.mps", "exmip1.mps.gz"}) {
    const std::string path = (dir / name).string();
    write_mps(m, path);
    const LpModel back = read_mps(path);
    EXPECT_EQ(back.row_names, m.row_names) << name;
    EXPECT_EQ(back.col_names, m.col_names) << name;
    EXPECT_EQ(back.integrality, m.integrality) << name;
    EXPECT_EQ(back.objective, m.objective) << name;
    EXPECT_EQ(back.col_lower, m.col_lower) << name;
    EXPECT_EQ(back.col_upper, m.col_upper) << name;
    // A ranged row is written as its upper bound and range, so its lower bound comes back as
    // upper - range: 5.0 - 3.2 = 1.7999999999999998 for exmip1's row 3.
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      EXPECT_TRUE(back.row_lower[i] == m.row_lower[i] ||
                  std::abs(back.row_lower[i] - m.row_lower[i]) <= 1e-15 * std::abs(m.row_lower[i]))
          << name << " row " << i << ": " << back.row_lower[i] << " vs " << m.row_lower[i];
    EXPECT_EQ(back.row_upper, m.row_upper) << name;
    EXPECT_EQ(Eigen::MatrixXd(back.A), Eigen::MatrixXd(m.A)) << name;
  }
}

TEST(LpModel, ObjectiveConstantAndInfiniteBoundsSurviveAWrite) {
  LpModel m = two_rows();
  m.objective_offset = 2.5;
  m.col_upper[1] = kInf;
  m.row_lower[0] = -kInf;
  const std::string path = (temp_dir("mps_offset") / "two_rows.mps").string();
  write_mps(m, path);
  const LpModel back = read_mps(path);
  EXPECT_EQ(back.objective_offset, 2.5);
  EXPECT_EQ(back.col_upper[1], kInf);
  EXPECT_EQ(back.row_lower[0], -kInf);
}

TEST(LpModel, ObjsenseMaxIsReadAsTheNegatedMinimisation) {
  // max x + y  s.t.  x + 2y <= 4,  3x + y <= 6,  x, y >= 0: optimum at (1.6, 1.2), value 2.8
  // (by hand: the two rows' intersection; both vertices on the axes give 2 and 2).
  const std::string path = write_file(temp_dir("mps_max") / "max.mps",
                                      "NAME          MAXIMUM\n"
                                      "OBJSENSE\n"
                                      "    MAX\n"
                                      "ROWS\n"
                                      " N  profit\n"
                                      " L  c1\n"
                                      " L  c2\n"
                                      "COLUMNS\n"
                                      "    x         profit    1.0   c1        1.0\n"
                                      "    x         c2        3.0\n"
                                      "    y         profit    1.0   c1        2.0\n"
                                      "    y         c2        1.0\n"
                                      "RHS\n"
                                      "    rhs       c1        4.0   c2        6.0\n"
                                      "ENDATA\n")
                               .string();
  const LpModel m = read_mps(path);
  EXPECT_EQ(m.objective, Eigen::Vector2d(-1, -1));
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal);
  EXPECT_NEAR(r.objective, -2.8, 1e-12);
  EXPECT_NEAR(r.x[0], 1.6, 1e-12);
  EXPECT_NEAR(r.x[1], 1.2, 1e-12);
}

TEST(LpModel, MissingFileIsAnIoErrorAndGarbageIsNamed) {
  try {
    read_mps("/nonexistent/model.mps");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.mps"), std::string::npos) << e.what();
  }
  const auto dir = temp_dir("mps_garbage");
  const std::string bad = write_file(dir / "bad.mps", "NAME x\nROWS\n N obj\nCOLUMNS\n  x obj 1 nosuchrow 2\nENDATA\n").string();
  const std::string msg = error_of([&] { read_mps(bad); });
  EXPECT_NE(msg.find("bad.mps"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 5: row 'nosuchrow', which ROWS does not name"), std::string::npos) << msg;
  const std::string bad_lp = write_file(dir / "bad.lp", "Minimize\n obj: x +\nSubject To\n c: x >= \nEnd\n").string();
  EXPECT_NE(error_of([&] { read_lp(bad_lp); }).find("bad.lp"), std::string::npos);
}

TEST(LpModel, BadModelsAreRefusedNamingTheRowOrColumn) {
  LpModel m = two_rows();
  m.validate();
  m.A.coeffRef(1, 0) = std::nan("");
  EXPECT_NE(error_of([&] { m.validate(); }).find("row 'balance' (1), column 'x' (0) is nan"), std::string::npos)
      << error_of([&] { m.validate(); });

  m = two_rows();
  m.col_lower[1] = 5;
  EXPECT_NE(error_of([&] { m.validate(); }).find("column 'y' (1): lower bound 5 > upper bound 3"), std::string::npos);

  m = two_rows();
  m.row_upper[0] = std::nan("");
  EXPECT_NE(error_of([&] { m.validate(); }).find("row 'total' (0) has a NaN bound"), std::string::npos);

  m = two_rows();
  m.row_lower[0] = kInf;
  EXPECT_NE(error_of([&] { m.validate(); }).find("lower bound cannot be +inf"), std::string::npos);

  m = two_rows();
  m.objective.resize(3);
  EXPECT_NE(error_of([&] { m.validate(); }).find("objective has 3 entries, the model has 2 columns"), std::string::npos);

  m = two_rows();
  m.row_upper.resize(1);
  EXPECT_NE(error_of([&] { m.validate(); }).find("row_upper has 1 entries, the model has 2 rows"), std::string::npos);

  m = two_rows();
  m.objective[0] = kInf;
  EXPECT_NE(error_of([&] { m.validate(); }).find("objective coefficient of column 'x' (0) is inf"), std::string::npos);

  m = two_rows();
  m.integrality = {1};
  EXPECT_NE(error_of([&] { m.validate(); }).find("integrality has 1 entries"), std::string::npos);

  // Unnamed rows and columns are named by index; solve() validates first.
  m = two_rows();
  m.col_names.clear();
  m.col_lower[0] = 4;
  EXPECT_NE(error_of([&] { solve(m); }).find("column 0: lower bound 4 > upper bound 3"), std::string::npos);
}

}  // namespace
}  // namespace streamml
