// streamml's own MPS reader (algorithms/optimize/mps_format.h).
//
// Oracles: CoinUtils' CoinMpsIO on the well-formed sample files it ships (Data/Sample: netlib,
// MIPLIB and CoinUtils' own test models): the same model, entry for entry; a model written by
// hand with every part of the grammar, its values worked by hand; malformed cards (among them
// the kinds that crashed CoinMpsIO's card reader under fuzz_mps_model) refused naming the line.
#include <gtest/gtest.h>

#include <CoinMpsIO.hpp>
#include <CoinPackedMatrix.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "algorithms/optimize/coin_bridge.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/optimize/mps_format.h"
#include "lp_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

constexpr double kInf = std::numeric_limits<double>::infinity();

double from_coin(double v) { return v >= 1e300 ? kInf : v <= -1e300 ? -kInf : v; }

// CoinMpsIO converts numbers with its own routine, which can land an ulp or two from the
// correctly rounded double (read_mps's, fast_float's; e.g. afiro's -0.6): equal within 2 ulps.
::testing::AssertionResult same_number(double ours, double coins) {
  double near = coins;
  for (int step = 0; step <= 2; ++step, near = std::nextafter(near, ours))
    if (near == ours) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << ours << " vs CoinMpsIO's " << coins;
}

// Reads a sample file with CoinMpsIO (well-formed input, where it is the reference reader) and
// compares every part of the model with read_mps's.
void expect_same_as_coin(const std::string& name) {
  SCOPED_TRACE(name);
  const std::string path = lp_test::sample(name);
  CoinMpsIO coin;
  coin::QuietHandler quiet;
  coin.passInMessageHandler(&quiet);
  ASSERT_EQ(coin.readMps(path.c_str(), ""), 0);
  const LpModel m = read_mps(path);
  ASSERT_EQ(m.rows(), coin.getNumRows());
  ASSERT_EQ(m.cols(), coin.getNumCols());
  EXPECT_EQ(m.name, coin.getProblemName());
  const CoinPackedMatrix& a = *coin.getMatrixByCol();
  for (int j = 0; j < coin.getNumCols(); ++j) {
    EXPECT_EQ(m.col_names[std::size_t(j)], coin.columnName(j)) << j;
    EXPECT_TRUE(same_number(m.objective[j], coin.getObjCoefficients()[j])) << coin.columnName(j);
    EXPECT_TRUE(same_number(m.col_lower[j], from_coin(coin.getColLower()[j]))) << coin.columnName(j);
    EXPECT_TRUE(same_number(m.col_upper[j], from_coin(coin.getColUpper()[j]))) << coin.columnName(j);
    EXPECT_EQ(m.integrality.empty() ? 0 : int(m.integrality[std::size_t(j)]), coin.isInteger(j) ? 1 : 0)
        << coin.columnName(j);
  }
  const SparseColMatrix coin_a = coin::from_packed(a);
  ASSERT_EQ(m.A.nonZeros(), coin_a.nonZeros());
  for (Eigen::Index k = 0; k < m.A.nonZeros(); ++k) {  // both compressed by column, rows in order
    EXPECT_EQ(m.A.innerIndexPtr()[k], coin_a.innerIndexPtr()[k]) << k;
    EXPECT_TRUE(same_number(m.A.valuePtr()[k], coin_a.valuePtr()[k])) << k;
  }
  EXPECT_TRUE(std::equal(m.A.outerIndexPtr(), m.A.outerIndexPtr() + m.cols() + 1, coin_a.outerIndexPtr()));
  for (int i = 0; i < coin.getNumRows(); ++i) {
    EXPECT_EQ(m.row_names[std::size_t(i)], coin.rowName(i)) << i;
    EXPECT_TRUE(same_number(m.row_lower[i], from_coin(coin.getRowLower()[i]))) << coin.rowName(i);
    EXPECT_TRUE(same_number(m.row_upper[i], from_coin(coin.getRowUpper()[i]))) << coin.rowName(i);
  }
  EXPECT_TRUE(same_number(m.objective_offset, -coin.objectiveOffset()));
}

TEST(MpsFormat, SampleFilesReadAsCoinMpsIOReadsThem) {
  for (const char* name : {"afiro.mps", "atm_5_10_1.mps", "brandy.mps", "e226.mps", "exmip1.mps", "exmip1.5.mps",
                           "finnis.mps", "galenet.mps", "galenetbnds.mps", "hello.mps", "lseu.mps", "nw460.mps",
                           "p0033.mps", "p0201.mps", "p0548.mps", "pack1.mps", "retail3.mps", "scOneInt.mps", "tp3.mps",
                           "tp4.mps", "tp5.mps", "wedding_16.mps"})
    expect_same_as_coin(name);
}

TEST(MpsFormat, EveryPartOfTheGrammarAsWrittenByHand) {
  const std::string text =
      "* a comment card\n"
      "NAME          HAND      (a comment)\r\n"  // the name is the first word; CRLF line ends
      "OBJSENSE MAX\n"                    // free MPS: the sense on the section's card
      "OBJNAME\n"
      "    profit\n"
      "ROWS\n"
      " N  other\n"                       // a free row before the objective: dropped
      " n  profit\n"
      " E  e_up\n E  e_down\n L  l\n G  g\n"
      " E  plain\n"
      "COLUMNS\n"
      "    x         profit    3.0        e_up      1.0\n"
      "    x         other     7.0\n"     // entries of the dropped row are dropped too
      "\tx\tl\t2.5\n"                    // tabs separate fields
      "    M         'MARKER'                 'INTORG'\n"
      "    k         profit    -1.0       g         1.0\n"
      "    b         e_down    1.0\n"
      "    M         'MARKER'                 'INTEND'\n"
      "    y         profit    0.5        plain     0.0\n"  // an exact zero: not stored
      "    y         g         -2e0\n"
      "    M         'MARKER'                 'INTORG'\n"  // an integer section left open:
      "    z         l         1.0\n"                       // it ends with COLUMNS (nw460.mps)
      "RHS\n"
      "    profit    4.0\n"               // no set name; on the objective: the constant -4
      "    e_up      1.0        e_down    2.0\n"
      "    l         10.0       g         -1.5\n"
      "    plain     3.0\n"
      "RANGES\n"
      "    R         e_up      2.0        e_down    -0.5\n"
      "    R         l         -4.0       g         1.0\n"
      "BOUNDS\n"
      " UP BND       x         -2.0\n"    // negative UP with no lower: lower becomes -inf
      " LI BND       b         -3\n"
      " UI BND       b         5\n"
      " MI BND       y\n"
      " PL BND       y\n"
      "ENDATA\n";
  const LpModel m = parse_mps(text, "hand.mps");
  EXPECT_EQ(m.name, "HAND");
  ASSERT_EQ(m.rows(), 5);
  ASSERT_EQ(m.cols(), 5);
  EXPECT_EQ(m.row_names, (std::vector<std::string>{"e_up", "e_down", "l", "g", "plain"}));
  EXPECT_EQ(m.col_names, (std::vector<std::string>{"x", "k", "b", "y", "z"}));
  // Maximised: the objective (3, -1, 0, 0.5, 0) and constant -4 negated.
  EXPECT_EQ(m.objective, (Eigen::VectorXd(5) << -3.0, 1.0, 0.0, -0.5, 0.0).finished());
  EXPECT_EQ(m.objective_offset, 4.0);
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(5, 5);
  a(0, 0) = 1.0;   // e_up x
  a(2, 0) = 2.5;   // l x
  a(3, 1) = 1.0;   // g k
  a(1, 2) = 1.0;   // e_down b
  a(3, 3) = -2.0;  // g y
  a(2, 4) = 1.0;   // l z
  EXPECT_EQ(Eigen::MatrixXd(m.A), a);
  EXPECT_EQ(m.A.nonZeros(), 6);
  // Rows: E with R = 2 > 0: [1, 3]; E with R = -0.5: [1.5, 2]; L: [10 - 4, 10]; G: [-1.5, -0.5];
  // E without a range: [3, 3].
  EXPECT_EQ(m.row_lower, (Eigen::VectorXd(5) << 1.0, 1.5, 6.0, -1.5, 3.0).finished());
  EXPECT_EQ(m.row_upper, (Eigen::VectorXd(5) << 3.0, 2.0, 10.0, -0.5, 3.0).finished());
  // x: UP -2 without a lower bound: (-inf, -2]; k: integer without bounds: binary; b: LI -3,
  // UI 5; y: MI then PL: free; z: integer without bounds: binary.
  EXPECT_EQ(m.col_lower, (Eigen::VectorXd(5) << -kInf, 0.0, -3.0, -kInf, 0.0).finished());
  EXPECT_EQ(m.col_upper, (Eigen::VectorXd(5) << -2.0, 1.0, 5.0, kInf, 1.0).finished());
  EXPECT_EQ(m.integrality, (std::vector<std::uint8_t>{0, 1, 1, 0, 1}));
}

TEST(MpsFormat, BoundKindsAndSetNamesAsCoinMpsIOReadsThem) {
  // Each bound card on its own column, with and without a set name; values worked by hand from
  // the rules CoinMpsIO applies (mps_format.h).
  const std::string text =
      "NAME B\nROWS\n N obj\n L r\nCOLUMNS\n"
      " a r 1\n b r 1\n c r 1\n d r 1\n e r 1\n f r 1\n g r 1\n h r 1\n"
      "RHS\n r 1\n"
      "BOUNDS\n"
      " UP a 1e30\n"       // beyond 1e25: infinite
      " LO b -1e26\n"      // below -1e25: -inf
      " FX c 2.5\n"
      " FR d\n"
      " BV e\n"            // binary, integer
      " BV f 1\n"          // BV with its (unused) value and no set name
      " LO g 1\n UP g -1\n"  // a lower bound given first: UP keeps it (then validate refuses)
      " UP h +0.0E+00\n"   // a leading '+' as writers put it
      "ENDATA\n";
  const std::string error = error_of([&] { parse_mps(text, "b.mps"); });
  EXPECT_NE(error.find("b.mps: lp model: column 'g' (6): lower bound 1 > upper bound -1"), std::string::npos) << error;
  std::string fixed = text;
  fixed.replace(fixed.find(" UP g -1\n"), 9, " UP g 3\n");
  const LpModel m = parse_mps(fixed, "b.mps");
  EXPECT_EQ(m.col_lower, (Eigen::VectorXd(8) << 0, -kInf, 2.5, -kInf, 0, 0, 1, 0).finished());
  EXPECT_EQ(m.col_upper, (Eigen::VectorXd(8) << kInf, kInf, 2.5, kInf, 1, 1, 3, 0).finished());
  EXPECT_EQ(m.integrality, (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 1, 0, 0}));
}

TEST(MpsFormat, MalformedCardsAreRefusedNamingTheLineAndTheProblem) {
  const std::string head = "NAME T\nROWS\n N obj\n L c\n E e\nCOLUMNS\n x obj 1 c 1\n y e 2\n";
  const std::string rhs = "RHS\n RHS c 4\n";
  struct Case {
    std::string text, expected;
  };
  const std::vector<Case> cases = {
      // the cards that crashed CoinMpsIO's card reader (fuzz_mps_model), and kin
      {head + " MARKER 'MARNAME s\n" + rhs + "ENDATA\n", "line 9: row ''MARNAME', which ROWS does not name"},
      {head + " M 'MARKER' 'INTORG\n" + rhs + "ENDATA\n", "line 9: a marker card reads"},
      {head + " x\n" + rhs + "ENDATA\n", "line 9: a COLUMNS card has 3 or 5 fields (column, row, value[, row, value]), got 1"},
      {head + "RHS\n RHS\n" + "ENDATA\n", "line 10: a RHS card has 2 to 5 fields ([set,] row, value[, row, value]), got 1"},
      {head + "RHS\n RHS c 4 e 5 x\n" + "ENDATA\n", "line 10: a RHS card has 2 to 5 fields"},
      {head + rhs + "RHS\n RHS e 1\nENDATA\n", "line 11: section 'RHS' out of order"},
      {head + rhs + " OTHER e 1\nENDATA\n", "line 11: RHS set 'OTHER' after set 'RHS'"},
      {head + rhs + "BOUNDS\n UP\nENDATA\n", "line 12: a UP bound card has 3 or 4 fields (type, [set,] column, value), got 1"},
      {head + rhs + "BOUNDS\n UP BND x 1 2\nENDATA\n", "line 12: a UP bound card has 3 or 4 fields"},
      {head + rhs + "BOUNDS\n FR BND x 1\nENDATA\n", "line 12: a FR bound card has 2 or 3 fields (type, [set,] column)"},
      {head + rhs + "BOUNDS\n XX BND x 1\nENDATA\n", "line 12: bound type must be UP, LO, FX, FR, MI, PL, BV, LI or UI, got 'XX'"},
      {head + rhs + "BOUNDS\n SC BND x 1\nENDATA\n", "line 12: bound type SC (semi-continuous) is not supported"},
      {head + rhs + "BOUNDS\n UP BND z 1\nENDATA\n", "line 12: bound for column 'z', which COLUMNS does not name"},
      {head + rhs + "BOUNDS\n UP BND x 1\n UP BND x 2\nENDATA\n", "line 13: a second upper bound for column 'x' (UP)"},
      {head + rhs + "BOUNDS\n LO BND x 1\n FX BND x 2\nENDATA\n", "line 13: a second lower bound for column 'x' (FX)"},
      {head + rhs + "BOUNDS\n UP BND x 1x\nENDATA\n", "line 12: '1x' is not a number"},
      {head + rhs + "BOUNDS\n UP BND x nan\nENDATA\n", "line 12: 'nan' is not a number"},
      // sections
      {" c 1\n", "line 1: a data card before the first section"},
      {"NAME T\n  T2\nROWS\n", "line 2: a data card after NAME (expected OBJSENSE, OBJNAME or ROWS)"},
      {"NAME T\nCOLUMNS\n", "line 2: section 'COLUMNS' before ROWS"},
      {"NAME T\nROWS\n N obj\nRHS\n", "line 4: section 'RHS' before COLUMNS"},
      {head + "BOUNDS\n UP BND x 1\n" + rhs + "ENDATA\n", "line 11: section 'RHS' out of order"},
      {head + rhs + "QUADOBJ\n x x 1\nENDATA\n", "line 11: section 'QUADOBJ' (quadratic terms) is not supported"},
      {head + rhs + "SOS\nENDATA\n", "line 11: section 'SOS' (special ordered sets) is not supported"},
      {head + rhs + "WHATEVER\nENDATA\n", "line 11: unknown section 'WHATEVER'"},
      {head + rhs, "ends at line 10 before ENDATA (a truncated file?)"},
      {head + rhs + "ENDATA\nNAME again\n", "line 12: text after ENDATA"},
      {"NAME T\nOBJSENSE\n    UP\nROWS\n", "line 3: OBJSENSE must be MAX or MIN, got 'UP'"},
      {"NAME T\nOBJSENSE\nROWS\n", "line 3: OBJSENSE without a value"},
      {"NAME T\nOBJNAME nothere\nROWS\n N obj\nCOLUMNS\n", "line 5: OBJNAME 'nothere' names no N row"},
      // rows and columns
      {"NAME T\nROWS\n N obj\n X r\n", "line 4: row type must be N, E, L or G, got 'X'"},
      {"NAME T\nROWS\n N obj\n L r extra\n", "line 4: a ROWS card has 2 fields (type, name), got 3"},
      {"NAME T\nROWS\n N obj\n L r\n G r\n", "line 5: row 'r' named again (first at line 4)"},
      {head + " x c 3\n" + rhs + "ENDATA\n", "line 9: column 'x' given again after other columns (first at line 7"},
      {head + " z c 1 c 2\n" + rhs + "ENDATA\n", "line 9: row 'c' given twice in column 'z'"},
      {head + " z obj 1 c 1e999\n" + rhs + "ENDATA\n", "line 9: '1e999' is not a finite number"},
      {head + " M 'MARKER' 'INTORG'\n M 'MARKER' 'INTORG'\n" + rhs + "ENDATA\n", "line 10: 'INTORG' inside an integer section (opened at line 9)"},
      {head + " M 'MARKER' 'INTEND'\n" + rhs + "ENDATA\n", "line 9: 'INTEND' without an 'INTORG' before it"},
      {head + "RHS\n RHS c 4 c 5\nENDATA\n", "line 10: a second right-hand side for row 'c'"},
      {head + "RHS\n RHS obj 4 obj 5\nENDATA\n", "line 10: a second right-hand side for the objective row 'obj'"},
      {head + rhs + "RANGES\n R obj 1\nENDATA\n", "line 12: RANGES on the objective row 'obj'"},
      {head + rhs + "RANGES\n R c 1\n R c 2\nENDATA\n", "line 13: a second range for row 'c'"},
      {std::string("NAME T\nROWS\n N obj\n L \x01r\n"), "line 4: byte 0x01 is not printable ASCII"},
      {std::string("NAME T\nROWS\n N obj\n L r\0s\n", 25), "line 4: byte 0x00 is not printable ASCII"},
      {"NAME T\nROWS\n N obj\nCOLUMNS\nENDATA\n", "holds no model: COLUMNS names no column"},
  };
  for (const Case& c : cases) {
    const std::string error = error_of([&] { parse_mps(c.text, "MPS file 'm.mps'"); });
    EXPECT_NE(error.find("MPS file 'm.mps'"), std::string::npos) << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << "expected: " << c.expected << "\ngot: " << error;
  }
}

}  // namespace
}  // namespace streamml
