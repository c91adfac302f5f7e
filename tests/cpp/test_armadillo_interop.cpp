// Armadillo interop: an mlpack-style arma::mat (one point per column) is the learners' row-major
// block without a copy. Oracles: the same memory address, and the same learners fed an Eigen
// matrix built element by element from the Armadillo one (a brute-force transpose).
#include <gtest/gtest.h>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "core/armadillo_interop.h"

namespace streamml {
namespace {

arma::mat points(arma::uword d, arma::uword n) {
  arma::mat m(d, n);
  for (arma::uword j = 0; j < n; ++j)
    for (arma::uword i = 0; i < d; ++i) m(i, j) = std::sin(double(7 * j + 3 * i + 1)) * double(1 + (j % 3));
  return m;
}

RowMatrix copied(const arma::mat& m) {
  RowMatrix out(m.n_cols, m.n_rows);
  for (arma::uword j = 0; j < m.n_cols; ++j)
    for (arma::uword i = 0; i < m.n_rows; ++i) out(Eigen::Index(j), Eigen::Index(i)) = m(i, j);
  return out;
}

TEST(ArmadilloInterop, PointsInColumnsAreViewedAsRowsWithoutACopy) {
  const arma::mat m = points(3, 50);
  const auto view = arma_points(m);
  EXPECT_EQ(view.data(), m.memptr()) << "the view must be the same memory";
  EXPECT_EQ(view.rows(), 50);
  EXPECT_EQ(view.cols(), 3);
  EXPECT_TRUE(view == copied(m));
  const arma::vec y = arma::linspace(0.0, 1.0, 50);
  EXPECT_EQ(arma_vector(y).data(), y.memptr());
  const arma::rowvec r = y.t();
  EXPECT_EQ(arma_vector(r).size(), 50);
}

TEST(ArmadilloInterop, LearnersFedArmadilloLearnWhatTheyLearnFromACopy) {
  const arma::mat m = points(4, 200);
  arma::vec y(200);
  for (arma::uword j = 0; j < 200; ++j) y[j] = m(0, j) + 0.5 * m(2, j) > 0 ? 1.0 : 0.0;

  StreamingKMeans::Settings ks;
  ks.k = 3;
  StreamingKMeans from_arma(ks), from_copy(ks);
  from_arma.partial_fit(arma_points(m));
  from_copy.partial_fit(copied(m));
  EXPECT_TRUE(from_arma.cluster_centers() == from_copy.cluster_centers());
  const arma::mat centroids = to_arma_points(from_arma.cluster_centers());
  ASSERT_EQ(centroids.n_rows, 4u);
  ASSERT_EQ(centroids.n_cols, 3u);
  for (arma::uword c = 0; c < 3; ++c)
    for (arma::uword i = 0; i < 4; ++i) EXPECT_EQ(centroids(i, c), from_copy.cluster_centers()(c, i));
  const arma::Row<std::size_t> assignments = to_arma_assignments(from_arma.predict(arma_points(m)));
  const Eigen::VectorXi expected = from_copy.predict(copied(m));
  for (arma::uword j = 0; j < 200; ++j) EXPECT_EQ(assignments[j], std::size_t(expected[Eigen::Index(j)]));

  LogisticRegressionSGD a, b;
  a.partial_fit(arma_points(m), arma_vector(y));
  b.partial_fit(copied(m), Eigen::Map<const Eigen::VectorXd>(y.memptr(), 200));
  const arma::vec pa = to_arma(a.predict_proba(arma_points(m)));
  const Eigen::VectorXd pb = b.predict_proba(copied(m));
  for (arma::uword j = 0; j < 200; ++j) EXPECT_EQ(pa[j], pb[Eigen::Index(j)]);
}

TEST(ArmadilloInterop, NoiseIsSizeMaxAsInMlpack) {
  Eigen::VectorXi v(3);
  v << 0, -1, 2;
  const arma::Row<std::size_t> a = to_arma_assignments(v);
  EXPECT_EQ(a[0], 0u);
  EXPECT_EQ(a[1], SIZE_MAX);
  EXPECT_EQ(a[2], 2u);
}

}  // namespace
}  // namespace streamml
