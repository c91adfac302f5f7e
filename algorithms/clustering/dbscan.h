// Exact DBSCAN on one batch of points (Ester, Kriegel, Sander & Xu 1996), with
// scikit-learn's definitions (sklearn.cluster.DBSCAN, the reference the tests compare with):
//   - neighbours of p: the points q with dist(p, q) <= eps, p itself included
//     (see neighbor_index.h for the exact distance test, shared with sklearn's kd-tree);
//   - p is a core point iff it has at least min_samples neighbours;
//   - clusters are the connected components of the core points, two cores being linked when
//     they are neighbours; a non-core point with a core neighbour is a border point, any
//     other point is noise (label -1).
//
// Canonical labels, so that a result is reproducible and comparable: clusters are numbered
// 0, 1, 2, ... in the order of their smallest core point index, and a border point joins the
// cluster of its lowest-index core neighbour. (scikit-learn numbers clusters the same way; its
// border points join whichever cluster reaches them first in that order, which can differ
// when a border point touches two clusters: both are "a cluster of one of its core
// neighbours".)
//
// Computation: one neighbour count per point, parallel over points (oneTBB), then a second
// parallel pass that links every core point to its core neighbours in a concurrent union-find
// that always hangs the larger root under the smaller, so each component's root is its
// smallest core index whatever the order the links are made in, and records every border
// point's lowest-index core neighbour. Counts are integers and the partition is unique, so the
// result is the same bit for bit with any number of threads.
//
// Metrics: "euclidean" (default), "manhattan", "chebyshev". Neighbour search: a grid for
// d <= 2, nanoflann's kd-tree otherwise ("algorithm" forces one; neighbor_index.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/clustering/neighbor_index.h"
#include "core/settings.h"

#include <Eigen/Core>

#include "core/batch.h"
#include "core/finite.h"

namespace streamml {

class JsonWriter;

struct DBSCANSettings {
  double eps = 0.5;                // sklearn's default
  std::int64_t min_samples = 5;    // sklearn's default; the point itself counts
  DistanceMetric metric = DistanceMetric::Euclidean;
  NeighborAlgorithm algorithm = NeighborAlgorithm::Auto;  // neighbour search

  // Throws Error(InvalidInput) naming the first setting that is wrong and why.
  void validate() const;
  // Sets one setting from text ("eps", "0.3"); throws Error(InvalidInput) for an unknown name
  // (listing the known ones) or an unreadable value.
  void set(std::string_view name, std::string_view value);
  std::string to_json() const;
};

// The four settings DBSCAN and its windowed form share, declared once for both tables.
template <class S>
SettingsTable<S>& add_dbscan_settings(SettingsTable<S>& table) {
  return table.real("eps", &S::eps, "neighbourhood radius (distance <= eps, as scikit-learn)", Range::positive())
      .integer("min_samples", &S::min_samples, "points within eps, the point itself included, that make a core point",
               Range::at_least(1))
      .choice("metric", &S::metric,
              {{DistanceMetric::Euclidean, "euclidean"}, {DistanceMetric::Manhattan, "manhattan"},
               {DistanceMetric::Chebyshev, "chebyshev"}, {DistanceMetric::Euclidean, "l2"},
               {DistanceMetric::Manhattan, "l1"}, {DistanceMetric::Manhattan, "cityblock"}},
              "distance (l2, l1 and cityblock are scikit-learn's other names)")
      .choice("algorithm", &S::algorithm,
              {{NeighborAlgorithm::Auto, "auto"}, {NeighborAlgorithm::Grid, "grid"}, {NeighborAlgorithm::KdTree, "kd_tree"}},
              "neighbour search: a grid of eps cells, nanoflann's kd-tree, or auto (grid up to 2 dimensions)");
}

const SettingsTable<DBSCANSettings>& dbscan_settings_table();

struct DBSCANResult {
  std::vector<std::int64_t> labels;               // one per point; -1: noise
  std::vector<std::int64_t> core_sample_indices;  // ascending
  std::vector<std::int64_t> neighbor_counts;      // per point, itself included
  std::vector<std::int64_t> cluster_sizes;        // points (core + border) per cluster
  std::int64_t n_clusters = 0;
  std::int64_t n_noise = 0;
};

class DBSCAN {
 public:
  // Validates the settings (throws Error(InvalidInput)).
  explicit DBSCAN(DBSCANSettings settings = {});
  const DBSCANSettings& settings() const { return settings_; }

  // Clusters the rows of x (n, d), row-major. Throws Error(InvalidInput) for d = 0 or a NaN /
  // Inf (naming its row and column).
  DBSCANResult fit(const Eigen::Ref<const RowMatrix>& x) const;
  // The batch's dense features (hashed features are not used).
  DBSCANResult fit(const Batch& batch) const;
  // Rows of `n` points of dimension d, row r at data + r * stride. With sample_weight (one
  // finite weight per point, scikit-learn's fit(X, sample_weight=...)), a point is core when
  // the weights of its neighbours, its own included, sum to at least min_samples (a weight may
  // be negative, keeping a neighbour from being core); neighbor_counts stay counts of points.
  DBSCANResult fit(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                   const double* sample_weight = nullptr) const;

 private:
  DBSCANSettings settings_;
};


}  // namespace streamml
