// Armadillo interop for mlpack users: an arma::mat holding one point per column (mlpack's
// convention, column-major) has the very memory layout of the row-major (n points, d features)
// block the learners take, so it is viewed, not copied. Labels (arma::vec / arma::rowvec) are
// viewed the same way. Results come back as Armadillo objects in mlpack's orientation.
//
//   arma::mat points = ...;                          // d x n, one point per column
//   StreamingKMeans model(settings);
//   model.partial_fit(streamml::arma_points(points));  // no copy
//   arma::mat centroids = streamml::to_arma_points(model.cluster_centers());  // d x k
//
// Header-only and inline so the library itself never links Armadillo; include it from code that
// already uses Armadillo.
#pragma once

#include <armadillo>
#include <cstddef>

#include "core/batch.h"
#include <cstdint>

namespace streamml {

// The (n, d) row-major view of a d x n matrix of points in columns; valid while `points` lives
// and is not resized.
inline ConstRowMatrixMap arma_points(const arma::mat& points) {
  return ConstRowMatrixMap(points.memptr(), Eigen::Index(points.n_cols), Eigen::Index(points.n_rows));
}

// A vector of labels or weights (column or row vector) as an Eigen vector view, no copy.
inline Eigen::Map<const Eigen::VectorXd> arma_vector(const arma::vec& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.memptr(), Eigen::Index(v.n_elem));
}
inline Eigen::Map<const Eigen::VectorXd> arma_vector(const arma::rowvec& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.memptr(), Eigen::Index(v.n_elem));
}

// Row-major (k, d) results (cluster centres, coefficients per class) as a d x k arma::mat, one
// per column, as mlpack returns centroids.
inline arma::mat to_arma_points(const Eigen::Ref<const RowMatrix>& rows) {
  arma::mat out(arma::uword(rows.cols()), arma::uword(rows.rows()));
  Eigen::Map<RowMatrix>(out.memptr(), rows.rows(), rows.cols()) = rows;
  return out;
}

// Predictions, scores or labels as an arma::vec (a copy into Armadillo's own memory).
inline arma::vec to_arma(const Eigen::Ref<const Eigen::VectorXd>& v) {
  arma::vec out(arma::uword(v.size()));
  Eigen::Map<Eigen::VectorXd>(out.memptr(), v.size()) = v;
  return out;
}
// Cluster indices as mlpack's arma::Row<size_t> assignments; noise (DBSCAN's -1) becomes
// SIZE_MAX, as mlpack's DBSCAN marks it.
inline arma::Row<std::size_t> to_arma_assignments(const Eigen::Ref<const Eigen::VectorXi>& v) {
  arma::Row<std::size_t> out(arma::uword(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[arma::uword(i)] = v[i] < 0 ? SIZE_MAX : std::size_t(v[i]);
  return out;
}

}  // namespace streamml
