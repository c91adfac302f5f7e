// ALS (algorithms/recommend/): the figures of Spark's ALSSuite, the fold-in against an exact
// re-solve written independently here, determinism, the store's policy and bad input.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "algorithms/recommend/als.h"
#include "algorithms/recommend/normal_equation.h"
#include "als_test_util.h"
#include "core/error.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using als_test::Rating;

// ---------------------------------------------------------------------------------------------
// Spark's ALSSuite, "normal equation construction", "CholeskySolver".

TEST(AlsSpark, NormalEquationConstruction) {
  // Oracle: ALSSuite (NumPy: A = [1 2; 4 5], b = [3; 6], C = diag(1, 2); ata = A'CA, atb = A'Cb).
  NormalEquation ne(2);
  ne.add({1.0, 2.0}, 3.0).add({4.0, 5.0}, 12.0, 2.0);
  const auto ata = ne.packed_ata();
  const double want_ata[] = {33.0, 42.0, 54.0}, want_atb[] = {51.0, 66.0};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(ata[std::size_t(i)], want_ata[i], 1e-8 * want_ata[i]);
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(ne.atb()[i], want_atb[i], 1e-8 * want_atb[i]);
  NormalEquation ne1(2);
  ne1.add({7.0, 8.0}, 9.0);
  ne.merge(ne1);
  const auto merged = ne.packed_ata();
  const double want_merged[] = {82.0, 98.0, 118.0}, want_atb2[] = {114.0, 138.0};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(merged[std::size_t(i)], want_merged[i], 1e-8 * want_merged[i]);
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(ne.atb()[i], want_atb2[i], 1e-8 * want_atb2[i]);
  // The same refusals: wrong length, negative weight, merging another k.
  EXPECT_NE(testing::error_of([&] { ne.add({1.0}, 2.0); }).find("expected k = 2"), std::string::npos);
  EXPECT_NE(testing::error_of([&] { ne.add({1.0, 2.0}, 0.0, -1.0); }).find("must be >= 0"), std::string::npos);
  EXPECT_NE(testing::error_of([&] { ne.merge(NormalEquation(3)); }).find("merging k = 3"), std::string::npos);
  ne.reset();
  EXPECT_TRUE((ne.ata().array() == 0).all() && (ne.atb().array() == 0).all());
}

TEST(AlsSpark, CholeskySolver) {
  // Oracle: ALSSuite (NumPy lstsq of A = [1 2; 1 3; 1 4], b = [4; 9; 16], and solve with
  // lambda = 1.5): (-8.333333, 6.0) and (-0.1155556, 3.28), relTol 1e-6.
  NormalEquation ne(2);
  ne.add({1.0, 2.0}, 4.0).add({1.0, 3.0}, 9.0).add({1.0, 4.0}, 16.0);
  const Eigen::VectorXd x0 = cholesky_solve(ne.ata(), ne.atb(), 0.0);
  EXPECT_NEAR(x0[0], -8.333333, 1e-6 * 8.333333);
  EXPECT_NEAR(x0[1], 6.0, 1e-6 * 6.0);
  const Eigen::VectorXd x1 = cholesky_solve(ne.ata(), ne.atb(), 1.5);
  EXPECT_NEAR(x1[0], -0.1155556, 1e-6 * 0.1155556);
  EXPECT_NEAR(x1[1], 3.28, 1e-6 * 3.28);
}

// Spark's implicit accumulation (ALS.computeFactors): add(y, [r > 0] (1 + c1), c1), c1 = alpha |r|.
// Rows (-5,-4), (-2,-1), (1,2), r = (-3, 0, 3), alpha = 0.5. Oracle, by hand: c1 = (1.5, 0, 1.5);
// ata = 1.5 (25, 20, 16) + 1.5 (1, 2, 4) = (39, 33, 30); atb = 2.5 (1, 2) = (2.5, 5).
TEST(AlsSpark, ImplicitAccumulation) {
  NormalEquation ne(2);
  const double ys[3][2] = {{-5, -4}, {-2, -1}, {1, 2}}, r[3] = {-3, 0, 3}, alpha = 0.5;
  for (int j = 0; j < 3; ++j) {
    const double c1 = alpha * std::abs(r[j]);
    ne.add(ys[j], r[j] > 0 ? 1 + c1 : 0.0, c1);
  }
  const auto ata = ne.packed_ata();
  EXPECT_DOUBLE_EQ(ata[0], 39);
  EXPECT_DOUBLE_EQ(ata[1], 33);
  EXPECT_DOUBLE_EQ(ata[2], 30);
  EXPECT_DOUBLE_EQ(ne.atb()[0], 2.5);
  EXPECT_DOUBLE_EQ(ne.atb()[1], 5.0);
}

// The learner's fold-in builds the same equation, plus Y^T Y and lambda n+ (n+ = 1 rating > 0):
// with those three items as the whole catalogue, Y^T Y = (30, 24, 21) and reg_param 0.1,
// A = [69.1 57; 57 51.1], b = (2.5, 5). Oracle: the 2 x 2 inverse by hand,
// x = (51.1 * 2.5 - 57 * 5, 69.1 * 5 - 57 * 2.5) / (69.1 * 51.1 - 57^2).
TEST(AlsSpark, FoldInSolvesSparksImplicitEquation) {
  AlsSettings s;
  s.rank = 2;
  s.implicit_prefs = true;
  s.alpha = 0.5;
  s.reg_param = 0.1;
  RowMatrix users(1, 2), items(3, 2);
  users << 0.3, 0.7;
  items << -5, -4, -2, -1, 1, 2;
  auto m = AlternatingLeastSquares::from_factors(s, users, items);
  m.partial_fit(KeyColumn(std::vector<std::int64_t>{0, 0, 0}), KeyColumn(std::vector<std::int64_t>{0, 1, 2}),
                {-3.0, 0.0, 3.0}, {});
  const double det = 69.1 * 51.1 - 57.0 * 57.0;
  EXPECT_NEAR(m.user_factors()(0, 0), (51.1 * 2.5 - 57 * 5) / det, 1e-12);
  EXPECT_NEAR(m.user_factors()(0, 1), (69.1 * 5 - 57 * 2.5) / det, 1e-12);
}

// ALSSuite "recommendForAllUsers with k <, = and > num_items": users 0:(6,4), 1:(3,4), 2:(3,6);
// items 3:(5,6), 4:(6,2), 5:(3,6), 6:(4,1).
TEST(AlsSpark, RecommendForAllUsers) {
  AlsSettings s;
  s.rank = 2;
  RowMatrix users(3, 2), items(4, 2);
  users << 6, 4, 3, 4, 3, 6;
  items << 5, 6, 6, 2, 3, 6, 4, 1;
  const auto m = AlternatingLeastSquares::from_factors(s, users, items, std::vector<std::int64_t>{0, 1, 2},
                                                        std::vector<std::int64_t>{3, 4, 5, 6});
  const std::map<int, std::vector<std::pair<int, double>>> expected = {
      {0, {{3, 54}, {4, 44}, {5, 42}, {6, 28}}},
      {1, {{3, 39}, {5, 33}, {4, 26}, {6, 16}}},
      {2, {{3, 51}, {5, 45}, {4, 30}, {6, 18}}}};
  for (std::size_t k : {2, 4, 6}) {
    const TopK top = m.recommend_for_all(k);
    ASSERT_EQ(top.rows, 3u);
    for (const auto& [u, recs] : expected) {
      const std::size_t n = std::min<std::size_t>(k, 4);
      for (std::size_t r = 0; r < k; ++r) {
        const auto row = top.index[std::size_t(u) * k + r];
        if (r >= n) {
          EXPECT_EQ(row, -1);
          continue;
        }
        EXPECT_EQ(m.item_ids().int_ids()[std::size_t(row)], recs[r].first) << "user " << u << " rank " << r;
        EXPECT_EQ(top.score[std::size_t(u) * k + r], recs[r].second);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Spark's ALSSuite RMSE tests, on its own generated data (java.util.Random, seed 11, ids random
// ints; als_test_util.h transcribes the generators). Spark's testALS never calls setMaxIter, so
// its fits run the default 10 iterations, from Spark's random start (seed 0). Ours starts
// elsewhere (counter-based draws), and how fast a rank-2 model settles on rank-1 data depends on
// the start: so each figure is checked over ten seeds, at Spark's 10 iterations, requiring the
// median and at least 9 of the 10 fits under Spark's threshold. (The "1 iteration" for
// the exact rank-1 matrix is not what the suite runs: one iteration from a random start leaves
// RMSE near 0.15.)

struct Fitted {
  AlternatingLeastSquares model;
  std::map<std::int64_t, std::int64_t> user_row, item_row;
};

Fitted fit_spark(const std::vector<Rating>& training, AlsSettings s) {
  Fitted f{AlternatingLeastSquares(s), {}, {}};
  for (const auto& r : training) f.user_row.emplace(r.user, 0), f.item_row.emplace(r.item, 0);
  std::int64_t n = 0;
  for (auto& [id, row] : f.user_row) row = n++;
  n = 0;
  for (auto& [id, row] : f.item_row) row = n++;
  std::vector<std::vector<std::pair<std::int32_t, double>>> rows(f.user_row.size());
  for (const auto& r : training) rows[std::size_t(f.user_row[r.user])].emplace_back(std::int32_t(f.item_row[r.item]), r.rating);
  CsrMatrix csr;
  csr.cols = std::int64_t(f.item_row.size());
  for (auto& row : rows) {
    std::sort(row.begin(), row.end());
    for (const auto& [i, v] : row) csr.indices.push_back(i), csr.values.push_back(v);
    csr.indptr.push_back(std::int32_t(csr.indices.size()));
  }
  f.model.fit(csr);
  return f;
}

// testALS's figure: RMSE, or for implicit feedback the confidence-weighted RMSE of ratings and
// predictions clipped to [0, 1] (confidence 1 + alpha |r|).
double test_rmse(const Fitted& f, const std::vector<Rating>& test, bool implicit, double alpha) {
  double sum = 0, weight = 0;
  for (const auto& r : test) {
    const auto u = f.user_row.find(r.user), i = f.item_row.find(r.item);
    EXPECT_TRUE(u != f.user_row.end() && i != f.item_row.end());
    const double p = f.model.user_factors().row(u->second).dot(f.model.item_factors().row(i->second));
    if (implicit) {
      const double c = 1 + alpha * std::abs(r.rating);
      const double e = std::clamp(p, 0.0, 1.0) - std::clamp(r.rating, 0.0, 1.0);
      sum += c * e * e;
      weight += c;
    } else {
      sum += (r.rating - p) * (r.rating - p);
      weight += 1;
    }
  }
  return std::sqrt(sum / weight);
}

void expect_spark_rmse(const als_test::SparkData& d, std::int64_t rank, double reg, bool implicit, double target,
                       AlsSolver solver = AlsSolver::Cholesky) {
  std::vector<double> rmse;
  for (std::int64_t seed = 0; seed < 10; ++seed) {
    AlsSettings s;
    s.rank = rank;
    s.max_iter = 10;
    s.reg_param = reg;
    s.implicit_prefs = implicit;
    s.solver = solver;
    s.seed = seed;
    rmse.push_back(test_rmse(fit_spark(d.training, s), d.test, implicit, s.alpha));
  }
  std::string figures;
  for (double r : rmse) figures += std::to_string(r) + " ";
  const auto under = std::count_if(rmse.begin(), rmse.end(), [&](double r) { return r < target; });
  std::sort(rmse.begin(), rmse.end());
  EXPECT_LT((rmse[4] + rmse[5]) / 2, target) << "rank " << rank << ": " << figures;
  EXPECT_GE(under, 9) << "rank " << rank << ": " << figures;
}

TEST(AlsSpark, ExactRank1Matrix) {
  const auto d = als_test::gen_test_data(20, 40, 1, 0.0, false);
  ASSERT_EQ(d.training.size(), 442u);  // 60 % of 800 pairs, as Spark's generator draws them
  for (std::int64_t rank : {1, 2}) expect_spark_rmse(d, rank, 1e-5, false, 0.001);
}

TEST(AlsSpark, ApproximateRank1Matrix) {
  const auto d = als_test::gen_test_data(20, 40, 1, 0.01, false);
  for (std::int64_t rank : {1, 2}) expect_spark_rmse(d, rank, 0.01, false, 0.02);
}

TEST(AlsSpark, ApproximateRank2Matrix) {
  const auto d = als_test::gen_test_data(20, 40, 2, 0.01, false);
  for (std::int64_t rank : {2, 3}) expect_spark_rmse(d, rank, 0.01, false, 0.03);
}

TEST(AlsSpark, ImplicitFeedback) {
  const auto d = als_test::gen_test_data(20, 40, 2, 0.01, true);
  expect_spark_rmse(d, 2, 0.01, true, 0.3);
  expect_spark_rmse(d, 2, 0.01, true, 0.3, AlsSolver::ConjugateGradient);
}

// ALSSuite "nonnegative constraint": every factor >= 0 (Spark's test checks only that). We also
// check the KKT conditions of one NNLS solve (oracle: optimality of a bound-constrained
// quadratic: x >= 0, gradient >= 0, gradient 0 wherever x > 0).
TEST(AlsSpark, NonnegativeConstraint) {
  const auto d = als_test::gen_test_data(20, 40, 2, 0.01, true);
  AlsSettings s;
  s.rank = 2;
  s.max_iter = 4;
  s.nonnegative = true;
  s.implicit_prefs = true;
  const auto f = fit_spark(d.training, s);
  EXPECT_TRUE((f.model.user_factors().array() >= 0).all());
  EXPECT_TRUE((f.model.item_factors().array() >= 0).all());

  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd a(6, 4);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = normal(rng);
  Eigen::VectorXd b(6);
  for (Eigen::Index i = 0; i < 6; ++i) b[i] = normal(rng);
  const Eigen::MatrixXd ata = a.transpose() * a;
  const Eigen::VectorXd atb = a.transpose() * b;
  const Eigen::VectorXd x = nnls_solve(ata, atb, 0.1);
  const Eigen::VectorXd grad = (ata + 0.1 * Eigen::MatrixXd::Identity(4, 4)) * x - atb;
  for (int j = 0; j < 4; ++j) {
    EXPECT_GE(x[j], 0.0);
    if (x[j] > 0) EXPECT_NEAR(grad[j], 0.0, 1e-6);
    else EXPECT_GE(grad[j], -1e-6);
  }
}

// ---------------------------------------------------------------------------------------------
// Fold-in = exact re-solve. Oracle: each touched row's normal equations built here from the
// store's contents with NormalEquation (Spark's accumulation) and Y^T Y summed naively, solved
// by cholesky_solve; the other side's factors as they stood when the row was solved (items new
// in the batch start at FactorTable::initial_row).

std::vector<Rating> random_events(std::uint64_t seed, std::size_t n, int users, int items, bool implicit) {
  std::mt19937_64 rng(seed);
  std::vector<Rating> out;
  for (std::size_t e = 0; e < n; ++e) {
    // Popular items and active users first: squares of uniforms skew toward 0.
    const double a = std::uniform_real_distribution<double>(0, 1)(rng), b = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto u = std::int64_t(a * a * users), i = std::int64_t(b * b * items);
    const double r = implicit ? double(1 + rng() % 3) : double(1 + rng() % 5);
    out.push_back({u, i, r});
  }
  return out;
}

Eigen::VectorXd exact_row(const AlternatingLeastSquares& m, bool user, std::uint32_t row, const RowMatrix& other) {
  const auto& s = m.settings();
  std::vector<std::uint32_t> idx;
  std::vector<double> val;
  if (user)
    m.store().gather_user(row, idx, val);
  else
    m.store().gather_item(row, idx, val);
  NormalEquation ne(int(s.rank));
  std::int64_t n = 0;
  for (std::size_t j = 0; j < idx.size(); ++j) {
    const Eigen::VectorXd y = other.row(idx[j]).transpose();
    if (s.implicit_prefs) {
      const double c1 = s.alpha * std::abs(val[j]);
      ne.add(y.data(), val[j] > 0 ? 1 + c1 : 0.0, c1);
      n += val[j] > 0;
    } else {
      ne.add(y.data(), val[j]);
      ++n;
    }
  }
  Eigen::MatrixXd a = ne.ata();
  if (s.implicit_prefs)
    for (Eigen::Index r = 0; r < other.rows(); ++r) a += other.row(r).transpose() * other.row(r);
  return cholesky_solve(a, ne.atb(), s.reg_param * double(n));
}

void expect_fold_in_exact(bool implicit) {
  AlsSettings s;
  s.rank = 4;
  s.implicit_prefs = implicit;
  s.reg_param = 0.05;
  s.sweep_interval = 0;
  s.seed = 17;
  AlternatingLeastSquares m(s);
  std::size_t known_items = 0;
  for (std::uint64_t b = 0; b < 6; ++b) {
    const auto events = random_events(b, 200, 60, 40, implicit);
    // Item factors as the users' solve saw them: those before the batch, and the starts
    // (FactorTable::initial_row) of the items the batch brings.
    RowMatrix items_before = m.item_factors();
    m.partial_fit(als_test::rating_batch(events));
    const auto n_items = Eigen::Index(m.item_ids().size());
    items_before.conservativeResize(n_items, s.rank);
    for (std::size_t r = known_items; r < std::size_t(n_items); ++r)
      FactorTable::initial_row(std::uint64_t(s.seed), 1, r, int(s.rank), items_before.row(Eigen::Index(r)).data());
    known_items = std::size_t(n_items);
    const RowMatrix users_after = m.user_factors();
    std::vector<bool> user_touched(m.user_ids().size()), item_touched(m.item_ids().size());
    for (const auto& e : events) {
      user_touched[std::size_t(m.user_ids().find(e.user))] = true;
      item_touched[std::size_t(m.item_ids().find(e.item))] = true;
    }
    double worst = 0;
    for (std::uint32_t u = 0; u < user_touched.size(); ++u) {
      if (!user_touched[u]) continue;
      const Eigen::VectorXd want = exact_row(m, true, u, items_before);
      worst = std::max(worst, (users_after.row(u).transpose() - want).norm() / want.norm());
    }
    for (std::uint32_t i = 0; i < item_touched.size(); ++i) {
      if (!item_touched[i]) continue;
      const Eigen::VectorXd want = exact_row(m, false, i, users_after);
      worst = std::max(worst, (m.item_factors().row(i).transpose() - want).norm() / want.norm());
    }
    EXPECT_LT(worst, 1e-10) << "batch " << b << (implicit ? " (implicit)" : " (explicit)");
    EXPECT_EQ(m.last_users_solved(), std::count(user_touched.begin(), user_touched.end(), true));
    EXPECT_EQ(m.last_items_solved(), std::count(item_touched.begin(), item_touched.end(), true));
  }
  // Y^T Y kept up to date by changed rows equals the one summed from scratch.
  if (implicit) {
    const RowMatrix y = m.item_factors();
    EXPECT_LT((m.item_gram() - y.transpose() * y).norm(), 1e-10 * m.item_gram().norm());
  }
}

TEST(AlsFoldIn, ExplicitEqualsExactResolve) { expect_fold_in_exact(false); }

// max_fold_in_history: rows with a longer history keep their factors until the sweep; the
// others are solved as without the limit. Oracle: the same model without the limit.
TEST(AlsFoldIn, LongHistoriesWaitForTheSweep) {
  AlsSettings s;
  s.rank = 3;
  s.implicit_prefs = true;
  s.sweep_interval = 0;
  AlternatingLeastSquares free_model(s);
  s.max_fold_in_history = 3;
  AlternatingLeastSquares limited_model(s);
  // Item 0 gets 5 users, item 1 one.
  const auto first = als_test::rating_batch({{1, 0, 1}, {2, 0, 1}, {3, 0, 1}, {4, 0, 1}, {5, 0, 1}, {6, 1, 1}});
  limited_model.partial_fit(first);
  free_model.partial_fit(first);
  EXPECT_EQ(limited_model.last_items_solved(), 1);  // item 1 only
  EXPECT_EQ(free_model.last_items_solved(), 2);
  const RowMatrix start = limited_model.item_factors();
  Eigen::VectorXd initial(3);
  FactorTable::initial_row(0, 1, 0, 3, initial.data());
  EXPECT_TRUE(start.row(0).transpose() == initial);  // item 0 never solved: still its start
  EXPECT_TRUE(limited_model.item_factors().row(1) == free_model.item_factors().row(1));
}
TEST(AlsFoldIn, ImplicitEqualsExactResolve) { expect_fold_in_exact(true); }

// ---------------------------------------------------------------------------------------------
// CG against Cholesky. Oracle: the Cholesky solver's objective after it has converged; CG from
// the same start, given as many iterations, reaches it within 1e-6 relative.

TEST(AlsSolvers, ConjugateGradientReachesTheCholeskyObjective) {
  const auto d = als_test::gen_test_data(30, 50, 3, 0.05, true);
  AlsSettings s;
  s.rank = 3;
  s.implicit_prefs = true;
  s.reg_param = 0.05;
  s.alpha = 2.0;
  s.max_iter = 300;
  const double chol = fit_spark(d.training, s).model.objective();
  s.solver = AlsSolver::ConjugateGradient;
  const double cg = fit_spark(d.training, s).model.objective();
  EXPECT_LT(std::abs(cg - chol) / chol, 1e-6) << "cholesky " << chol << ", cg " << cg;
  // And the objective falls at every iteration with either solver (each half-step is exact or a
  // descent step of CG on a convex quadratic).
  for (AlsSolver solver : {AlsSolver::Cholesky, AlsSolver::ConjugateGradient}) {
    s.solver = solver;
    double last = std::numeric_limits<double>::infinity();
    for (std::int64_t it = 1; it <= 5; ++it) {
      s.max_iter = it;
      const double now = fit_spark(d.training, s).model.objective();
      EXPECT_LE(now, last * (1 + 1e-12)) << "iteration " << it;
      last = now;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Determinism. Oracle: the single-threaded run, bit for bit.

TEST(AlsDeterminism, FitAndStreamGiveTheSameBitsWithOneOrTwoThreads) {
  const auto d = als_test::gen_test_data(300, 200, 4, 0.05, true);
  std::vector<RowMatrix> users, items;
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    for (AlsSolver solver : {AlsSolver::Cholesky, AlsSolver::ConjugateGradient}) {
      AlsSettings s;
      s.rank = 8;
      s.implicit_prefs = true;
      s.solver = solver;
      s.max_iter = 3;
      s.sweep_interval = 2;
      auto f = fit_spark(d.training, s);
      f.model.partial_fit(als_test::rating_batch(random_events(5, 3000, 400, 250, true)));
      f.model.partial_fit(als_test::rating_batch(random_events(6, 3000, 400, 250, true)));
      users.push_back(f.model.user_factors());
      items.push_back(f.model.item_factors());
    }
  }
  for (std::size_t v = 0; v < 2; ++v) {
    ASSERT_EQ(users[v].size(), users[v + 2].size());
    EXPECT_EQ(std::memcmp(users[v].data(), users[v + 2].data(), sizeof(double) * std::size_t(users[v].size())), 0);
    EXPECT_EQ(std::memcmp(items[v].data(), items[v + 2].data(), sizeof(double) * std::size_t(items[v].size())), 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Recommendations. Oracle: brute force over every item.

TEST(AlsRecommend, TopKFilterSeenAndSimilarItemsMatchBruteForce) {
  AlsSettings s;
  s.rank = 5;
  s.implicit_prefs = true;
  s.block_size = 7;  // several blocks of users
  AlternatingLeastSquares m(s);
  m.partial_fit(als_test::rating_batch(random_events(1, 2000, 50, 3000, true)));
  const std::size_t k = 10;
  const TopK all = m.recommend_for_all(k, true);
  const auto y = m.item_factors();
  for (std::uint32_t u = 0; u < m.user_ids().size(); ++u) {
    std::vector<std::pair<double, std::int64_t>> scored;
    for (Eigen::Index i = 0; i < y.rows(); ++i)
      if (!m.store().has(u, std::uint32_t(i))) scored.emplace_back(-m.user_factors().row(u).dot(y.row(i)), i);
    std::sort(scored.begin(), scored.end());
    for (std::size_t r = 0; r < k; ++r) EXPECT_EQ(all.index[u * k + r], scored[r].second) << "user " << u;
  }
  // recommend() of a few ids = the same rows; an unknown user gets -1.
  const TopK some = m.recommend(KeyColumn(std::vector<std::int64_t>{3, 999999, 0}), k, true);
  for (std::size_t r = 0; r < k; ++r) {
    EXPECT_EQ(some.index[r], all.index[std::size_t(m.user_ids().find(std::int64_t(3))) * k + r]);
    EXPECT_EQ(some.index[k + r], -1);
    EXPECT_TRUE(std::isnan(some.score[k + r]));
  }
  // similar_items: cosine, the item itself first. Items learned from the same single
  // interaction share their factors, so cosines tie up to rounding: the scores are compared
  // with the brute force's, and each listed item's own cosine with its score.
  const TopK sim = m.similar_items(KeyColumn(std::vector<std::int64_t>{0}), 5);
  const auto row0 = m.item_ids().find(std::int64_t(0));
  EXPECT_NEAR(sim.score[0], 1.0, 1e-12);
  auto cosine = [&](Eigen::Index i) { return y.row(row0).dot(y.row(i)) / (y.row(row0).norm() * y.row(i).norm()); };
  std::vector<double> cos;
  for (Eigen::Index i = 0; i < y.rows(); ++i) cos.push_back(cosine(i));
  std::sort(cos.rbegin(), cos.rend());
  for (std::size_t r = 0; r < 5; ++r) {
    EXPECT_NEAR(sim.score[r], cos[r], 1e-12) << r;
    EXPECT_NEAR(cosine(sim.index[r]), sim.score[r], 1e-12) << r;
  }
}

TEST(AlsRecommend, ColdStartNanOrDrop) {
  // ALSSuite "ALS cold start user/item prediction strategy": unknown pairs are NaN, or dropped.
  AlsSettings s;
  s.rank = 2;
  AlternatingLeastSquares m(s);
  m.partial_fit(als_test::rating_batch({{1, 10, 3.0}, {2, 11, 4.0}}));
  const KeyColumn users(std::vector<std::int64_t>{9, 1, 9, 1}), items(std::vector<std::int64_t>{99, 99, 10, 10});
  std::vector<std::size_t> kept;
  const Eigen::VectorXd nan = m.predict(users, items, &kept);
  ASSERT_EQ(nan.size(), 4);
  EXPECT_TRUE(std::isnan(nan[0]) && std::isnan(nan[1]) && std::isnan(nan[2]) && !std::isnan(nan[3]));
  s.cold_start_strategy = AlsColdStart::Drop;
  AlternatingLeastSquares d(s);
  d.partial_fit(als_test::rating_batch({{1, 10, 3.0}, {2, 11, 4.0}}));
  kept.clear();
  const Eigen::VectorXd dropped = d.predict(users, items, &kept);
  ASSERT_EQ(dropped.size(), 1);
  EXPECT_EQ(kept, std::vector<std::size_t>{3});
  EXPECT_EQ(dropped[0], nan[3]);
}

// ---------------------------------------------------------------------------------------------
// The store's policy. Oracles: hand computations.

TEST(AlsStore, CapEvictsTheOldestAndHorizonExpires) {
  StorePolicy p;
  p.accumulate = true;
  p.max_per_user = 2;
  InteractionStore store(p);
  store.grow(1, 4);
  store.add(0, 0, 1, 10);
  store.add(0, 1, 1, 20);
  store.add(0, 0, 1, 30);  // item 0 touched again: now item 1 is the oldest
  store.add(0, 2, 1, 40);  // a third item: item 1 goes
  std::vector<std::uint32_t> items;
  std::vector<double> values;
  store.gather_user(0, items, values);
  EXPECT_EQ(items, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(values, (std::vector<double>{2, 1}));
  EXPECT_EQ(store.item_count(1), 0u);
  EXPECT_EQ(store.evicted(), 1);

  StorePolicy h;
  h.accumulate = true;
  h.horizon = 100;
  InteractionStore timed(h);
  timed.grow(2, 2);
  timed.add(0, 0, 1, 0);
  timed.add(1, 1, 1, 50);
  timed.add(0, 0, 1, 120);  // (0, 0) touched again at 120: stays
  timed.add(1, 0, 1, 160);
  timed.expire();  // now = 160: (1, 1) last touched at 50 < 160 - 100 goes
  EXPECT_TRUE(timed.has(0, 0));
  EXPECT_FALSE(timed.has(1, 1));
  EXPECT_TRUE(timed.has(1, 0));
}

// Oracle: the same matrix added entry by entry. load_matrix (fit's one pass) stores the same
// cells, evicts the same under a cap, and gathers the same rows.
TEST(AlsStore, LoadingAMatrixEqualsAddingItsEntries) {
  const auto d = als_test::gen_test_data(30, 50, 2, 0.1, false);
  std::map<std::pair<std::int64_t, std::int64_t>, double> cells;
  std::map<std::int64_t, std::int32_t> users, items;
  for (const auto& r : d.training) users.emplace(r.user, 0), items.emplace(r.item, 0);
  std::int32_t n = 0;
  for (auto& [id, row] : users) row = n++;
  n = 0;
  for (auto& [id, row] : items) row = n++;
  for (const auto& r : d.training) cells[{users[r.user], items[r.item]}] = r.rating;
  CsrMatrix m;
  m.cols = std::int64_t(items.size());
  m.indptr.assign(users.size() + 1, 0);
  for (const auto& [key, v] : cells) {
    m.indices.push_back(std::int32_t(key.second));
    m.values.push_back(v);
    ++m.indptr[std::size_t(key.first) + 1];
  }
  for (std::size_t u = 0; u < users.size(); ++u) m.indptr[u + 1] += m.indptr[u];
  for (std::int64_t cap : {0, 5}) {
    StorePolicy p;
    p.max_per_user = cap;
    p.horizon = 100;
    InteractionStore loaded(p), added(p);
    ASSERT_TRUE(loaded.load_matrix(m, 0));
    added.grow(users.size(), items.size());
    for (std::size_t u = 0; u < users.size(); ++u)
      for (auto q = m.indptr[u]; q < m.indptr[u + 1]; ++q)
        added.add(std::uint32_t(u), std::uint32_t(m.indices[std::size_t(q)]), m.values[std::size_t(q)], 0);
    EXPECT_EQ(loaded.size(), added.size());
    EXPECT_EQ(loaded.evicted(), added.evicted());
    std::vector<std::uint32_t> a, b;
    std::vector<double> va, vb;
    for (std::uint32_t u = 0; u < users.size(); ++u) {
      loaded.gather_user(u, a, va);
      added.gather_user(u, b, vb);
      EXPECT_EQ(a, b);
      EXPECT_EQ(va, vb);
    }
    for (std::uint32_t i = 0; i < items.size(); ++i) {
      loaded.gather_item(i, a, va);
      added.gather_item(i, b, vb);
      EXPECT_EQ(a, b);
      EXPECT_EQ(va, vb);
    }
  }
  // Columns out of order: refused, so fit adds the entries one by one.
  CsrMatrix unsorted;
  unsorted.cols = 3;
  unsorted.indptr = {0, 2};
  unsorted.indices = {2, 1};
  unsorted.values = {1, 1};
  InteractionStore s;
  EXPECT_FALSE(s.load_matrix(unsorted, 0));
  EXPECT_EQ(s.size(), 0u);
}

TEST(AlsStore, DecayHalvesACountEveryHalfLife) {
  StorePolicy p;
  p.accumulate = true;
  p.half_life = 10;
  InteractionStore store(p);
  store.grow(1, 2);
  store.add(0, 0, 4, 0);
  store.add(0, 1, 1, 30);  // now = 30: 4 counted at 0 is worth 4 / 2^3 = 0.5
  std::vector<std::uint32_t> items;
  std::vector<double> values;
  store.gather_user(0, items, values);
  EXPECT_DOUBLE_EQ(values[0], 0.5);
  EXPECT_DOUBLE_EQ(values[1], 1.0);
  // Far past 256 half-lives the reference time moves; the values stay right.
  store.add(0, 1, 1, 30 + 10 * 300);
  store.gather_user(0, items, values);
  EXPECT_NEAR(values[1], 1.0 + std::exp2(-300.0), 1e-15);
  EXPECT_NEAR(values[0], 0.5 * std::exp2(-300.0), 1e-100);
}

// ---------------------------------------------------------------------------------------------
// Bad input: clear errors, and the model unchanged.

TEST(AlsBadInput, NamedClearlyAndNothingLearned) {
  AlsSettings s;
  s.rank = 2;
  s.allow_negative = false;
  s.implicit_prefs = true;
  AlternatingLeastSquares m(s);
  m.partial_fit(als_test::rating_batch({{1, 10, 3.0}}));
  const auto before = m.user_factors().eval();
  auto fails = [&](Batch b) { return testing::error_of([&] { m.partial_fit(b); }); };
  auto b = als_test::rating_batch({{1, 10, 1.0}, {2, 11, std::nan("")}});
  EXPECT_NE(fails(std::move(b)).find("count of record 1 in the batch is nan"), std::string::npos);
  EXPECT_NE(fails(als_test::rating_batch({{1, 10, 1.0}, {2, 11, -2.0}})).find("record 1 in the batch is -2; negative"),
            std::string::npos);
  Batch empty_id;
  empty_id.rows = 1;
  empty_id.keys = std::vector<std::string>{""};
  empty_id.ids.push_back({"item", std::vector<std::string>{"a"}});
  EXPECT_NE(fails(std::move(empty_id)).find("user ids are integers in this model, the batch has strings"),
            std::string::npos);
  Batch no_item = als_test::rating_batch({{1, 10, 1.0}});
  no_item.ids.clear();
  EXPECT_NE(fails(std::move(no_item)).find("no item id column"), std::string::npos);
  EXPECT_EQ(m.batches_seen(), 1);
  EXPECT_TRUE(m.user_factors() == before);

  AlternatingLeastSquares text(s);
  Batch empty_text;
  empty_text.rows = 2;
  empty_text.keys = std::vector<std::string>{"ann", ""};
  empty_text.ids.push_back({"item", std::vector<std::string>{"a", "b"}});
  EXPECT_NE(testing::error_of([&] { text.partial_fit(empty_text); }).find("user id of record 1 is empty"),
            std::string::npos);

  AlsSettings e;
  AlternatingLeastSquares explicit_model(e);
  EXPECT_NE(testing::error_of([&] { explicit_model.partial_fit(als_test::rating_batch({{1, 2, 3}}, false)); })
                .find("needs a rating per record"),
            std::string::npos);
  e.horizon = 60;
  AlternatingLeastSquares timed(e);
  EXPECT_NE(testing::error_of([&] { timed.partial_fit(als_test::rating_batch({{1, 2, 3}})); }).find("no event times"),
            std::string::npos);
  // Settings: the table's style and the hand-written cross checks.
  AlsSettings bad;
  bad.rank = 0;
  EXPECT_NE(testing::error_of([&] { AlternatingLeastSquares x(bad); }).find("als: rank must be in [1, 4096], got 0"),
            std::string::npos);
  bad = AlsSettings();
  bad.nonnegative = true;
  bad.solver = AlsSolver::ConjugateGradient;
  EXPECT_NE(testing::error_of([&] { AlternatingLeastSquares x(bad); }).find("nonnegative factors need solver"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
