// streamml's own LP-format reader (algorithms/optimize/lp_format.h).
//
// Oracles: CoinUtils' CoinLpIO on the well-formed sample files it ships (Data/Sample/exmip1.lp,
// block_milp.lp): the same model, entry for entry; models written out by hand below, and an
// optimum worked by hand; the input that made CoinLpIO corrupt memory (fuzz/fuzz_mps_model.cpp)
// refused naming its line.
#include <gtest/gtest.h>

#include <CoinLpIO.hpp>
#include <CoinPackedMatrix.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "algorithms/optimize/lp_format.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/optimize/solve.h"
#include "lp_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

constexpr double kInf = std::numeric_limits<double>::infinity();

double from_coin(double v) { return v >= 1e300 ? kInf : v <= -1e300 ? -kInf : v; }

// Reads a sample file with CoinLpIO (well-formed input, where it is the reference reader) and
// compares every part of the model with read_lp's.
void expect_same_as_coin(const std::string& path) {
  CoinLpIO coin;
  coin.readLp(path.c_str());
  const LpModel m = read_lp(path);
  ASSERT_EQ(m.rows(), coin.getNumRows());
  ASSERT_EQ(m.cols(), coin.getNumCols());
  const CoinPackedMatrix& a = *coin.getMatrixByCol();
  for (int j = 0; j < coin.getNumCols(); ++j) {
    EXPECT_EQ(m.col_names[std::size_t(j)], coin.columnName(j)) << j;
    EXPECT_EQ(m.objective[j], coin.getObjCoefficients()[j]) << coin.columnName(j);
    EXPECT_EQ(m.col_lower[j], from_coin(coin.getColLower()[j])) << coin.columnName(j);
    EXPECT_EQ(m.col_upper[j], from_coin(coin.getColUpper()[j])) << coin.columnName(j);
    EXPECT_EQ(m.integrality.empty() ? 0 : int(m.integrality[std::size_t(j)]), coin.isInteger(j) ? 1 : 0)
        << coin.columnName(j);
    for (int i = 0; i < coin.getNumRows(); ++i)
      EXPECT_EQ(m.A.coeff(i, j), a.getCoefficient(i, j)) << coin.rowName(i) << " " << coin.columnName(j);
  }
  EXPECT_EQ(m.A.nonZeros(), a.getNumElements());
  for (int i = 0; i < coin.getNumRows(); ++i) {
    EXPECT_EQ(m.row_names[std::size_t(i)], coin.rowName(i)) << i;
    EXPECT_EQ(m.row_lower[i], from_coin(coin.getRowLower()[i])) << coin.rowName(i);
    EXPECT_EQ(m.row_upper[i], from_coin(coin.getRowUpper()[i])) << coin.rowName(i);
  }
  EXPECT_EQ(m.objective_offset, coin.objectiveOffset());
}

TEST(LpFormat, SampleFilesReadAsCoinLpIOReadsThem) {
  expect_same_as_coin(lp_test::sample("exmip1.lp"));
  expect_same_as_coin(lp_test::sample("block_milp.lp"));
}

TEST(LpFormat, EveryPartOfTheGrammarAsWrittenByHand) {
  const std::string text =
      "\\ a comment\n"
      "\\* a block comment\n   over two lines *\\\n"
      "MAXIMISE\n"
      " profit: 3 x + 2 y - z + 0.5 x + 4   / a CoinLpIO-style comment\n"
      "subject to\n"
      " cap: x + y <= 4\n"
      " x + 3 y\n   =< 6\n"               // unnamed: cons1, continued on the next line
      " r: -2 <= x - z <= 5\n"            // ranged
      " e: 2 z = 1.5e0\n"
      " g: y + 1 >= 2\n"                  // a constant on the left moves to the right
      "Bounds\n"
      " x <= 3\n -inf <= z <= 10\n y free\n 7 >= w >= -1\n v = 2\n"
      "GENERALS\n y\n"
      "binary\n b\n"
      "End\n";
  const LpModel m = parse_lp(text, "hand");
  ASSERT_EQ(m.cols(), 6);  // x y z (objective), w v (bounds), b (binaries), in that order
  EXPECT_EQ(m.col_names, (std::vector<std::string>{"x", "y", "z", "w", "v", "b"}));
  EXPECT_EQ(m.row_names, (std::vector<std::string>{"cap", "cons1", "r", "e", "g"}));
  // Maximise 3.5x + 2y - z + 4  ==  minimise -3.5x - 2y + z - 4.
  EXPECT_EQ(m.objective, (Eigen::VectorXd(6) << -3.5, -2, 1, 0, 0, 0).finished());
  EXPECT_EQ(m.objective_offset, -4.0);
  EXPECT_EQ(m.row_lower, (Eigen::VectorXd(5) << -kInf, -kInf, -2, 1.5, 1).finished());
  EXPECT_EQ(m.row_upper, (Eigen::VectorXd(5) << 4, 6, 5, 1.5, kInf).finished());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(5, 6);
  a.row(0) << 1, 1, 0, 0, 0, 0;
  a.row(1) << 1, 3, 0, 0, 0, 0;
  a.row(2) << 1, 0, -1, 0, 0, 0;
  a.row(3) << 0, 0, 2, 0, 0, 0;
  a.row(4) << 0, 1, 0, 0, 0, 0;
  EXPECT_EQ(Eigen::MatrixXd(m.A), a);
  EXPECT_EQ(m.col_lower, (Eigen::VectorXd(6) << 0, -kInf, -kInf, -1, 2, 0).finished());
  EXPECT_EQ(m.col_upper, (Eigen::VectorXd(6) << 3, kInf, 10, 7, 2, 1).finished());
  EXPECT_EQ(m.integrality, (std::vector<std::uint8_t>{0, 1, 0, 0, 0, 1}));
}

TEST(LpFormat, HandWorkedOptimum) {
  // max 3x + 2y  s.t.  x + y <= 4, x + 3y <= 6, x <= 3: the vertex x = 3, y = 1 gives 11 (by
  // hand: x <= 3 and x + y <= 4 bind; y = 1 satisfies x + 3y = 6 <= 6).
  const LpModel m = parse_lp("Max\n 3 x + 2 y\nst\n x + y <= 4\n x + 3 y <= 6\nBounds\n x <= 3\nEnd", "hand");
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, -11.0, 1e-9);  // the negated maximum (model_io.h)
}

// fuzz_mps_model found this (issue 17): CoinLpIO 2.11 made a memcpy of negative size in
// fscanfLpIO on it. read_lp now refuses it, naming the line of the dangling '+'.
TEST(LpFormat, InputThatCorruptedCoinLpIOIsRefusedNamingItsLine) {
  const auto dir = testing::temp_dir("lp_format_fuzz");
  const std::string path =
      testing::write_file(dir / "bad.lp", "Minimize\n obj: +\nSubject To\n  To\n c: x >= nd\n").string();
  const std::string msg = error_of([&] { read_lp(path); });
  EXPECT_NE(msg.find("LP file '" + path + "' line 2: expected a number or a name after '+' in the objective, got 'Subject'"),
            std::string::npos)
      << msg;
}

TEST(LpFormat, MalformedTextIsRefusedNamingLineAndProblem) {
  const auto refusal = [](const std::string& text) { return error_of([&] { parse_lp(text, "m"); }); };
  const std::pair<const char*, const char*> cases[] = {
      {"", "m line 1: expected 'Minimize' or 'Maximize' first, got the end of the file"},
      {"Minimize\n x + [ x ^ 2 ]\nEnd", "m line 2: quadratic terms"},
      {"Min\n x\nst\n c: x >= 1\n c: x <= 2\n", "m line 5: row name 'c' is used twice (first at line 4)"},
      {"Min\n x\nst\n c: x + y\nEnd", "m line 5: expected a comparison (<=, >=, =) after the terms of row 'c', got 'End'"},
      {"Min\n x\nst\n c: x >=\nEnd", "m line 5: expected the right-hand side (a number) of row 'c', got 'End'"},
      {"Min\n x\nst\n c: 3 <= x >= 4\n", "m line 4: ranged row 'c' mixes '<=' and '>='"},
      {"Min\n x\nst\n c: 1 >= 2\n", "m line 4: row 'c' has no variable term"},
      {"Min\n x # y\n", "m line 2: expected '+', '-' or a comparison in the objective, got '#'"},
      {"Min\n x\nEnd\n y\n", "m line 4: text after 'End': 'y'"},
      {"Min\n x\n\\* open\n", "m line 3: a block comment '\\*' is not closed by '*\\'"},
      {"Min\n 1e999 x\n", "m line 2: number '1e999' is not a finite double"},
      {"Min\n x\nSemi-continuous\n x\n", "m line 3: section 'Semi' (semi-continuous variables or SOS) is not supported"},
      {"Min\n a: x\n b: y\n", "m line 3: a second objective 'b'"},
      {"Min\n x\nMax\n y\n", "m line 3: a second objective section ('Max')"},
      {"Min\n x\nBounds\n x >= inf\n", "m line 4: column 'x' gets lower bound +inf"},
      {"Min\n x\nBounds\n 1 <= x >= 0\n", "m line 4: a double bound on 'x' takes '<=' or '>=' on both sides"},
      {"Min\n x\nBounds\n x 3\n", "m line 4: expected a comparison (<=, >=, =) or 'free' after 'x' in Bounds, got '3'"},
      {"Min\n x\nGenerals\n x 3\n", "m line 4: expected column names in 'Generals', got '3'"},
      {"Min\n x\nBounds\n x <= -1\n", "m: lp model: column 'x' (0): lower bound 0 > upper bound -1"},
      {"Min\n x\x01\n", "m line 2: unexpected character byte 0x01"},
      {"Min\n 3\nEnd", "m holds no model: no variable is named"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string msg = refusal(text);
    EXPECT_NE(msg.find(expected), std::string::npos) << "input:\n" << text << "\nmessage: " << msg;
  }
  const std::string long_name(300, 'n');
  EXPECT_NE(refusal("Min\n " + long_name + "\n").find("is 300 characters long, at most 255 allowed"), std::string::npos);
}

}  // namespace
}  // namespace streamml
