// NeighborIndex: fixed-radius neighbour search over a fixed set of points, for DBSCAN.
//
// "Within eps" is scikit-learn's radius query (sklearn.neighbors, which DBSCAN uses): the
// distance is <= eps, inclusive. For the Euclidean metric the test is on the squared
// distance, sum_j (x_j - y_j)^2 <= eps * eps, summed over j in order, exactly as scikit-learn's
// kd-tree compares its "reduced distance", so points on the boundary fall on the same side.
// Manhattan: sum_j |x_j - y_j| <= eps; Chebyshev: max_j |x_j - y_j| <= eps.
//
// Two structures, same answers:
//   grid:    a uniform grid of cells of side eps (slightly enlarged against rounding); a
//            query visits the 3^d cells around the query's cell. Best in low dimension.
//   kd_tree: nanoflann's KD-tree (L2), queried with a radius that covers the metric's ball,
//            every candidate re-tested exactly. Best from about 3 dimensions on.
// "auto" takes the grid for d <= 2 (measured: bench/compare_dbscan_sklearn.py), when the
// grid's cell coordinates fit, and the kd-tree otherwise.
//
// The index reads the points in place (row r of the data starts at data + r * stride); the
// data must outlive the index. Queries are const and may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace streamml {

enum class DistanceMetric { Euclidean, Manhattan, Chebyshev };

// "euclidean" | "manhattan" | "chebyshev" (also scikit-learn's aliases "l2", "l1",
// "cityblock"); throws Error(InvalidInput) for anything else.
DistanceMetric parse_distance_metric(std::string_view name);
std::string to_string(DistanceMetric metric);

// The distance test itself, the one place it is written: whether x and y (d coordinates each)
// are within eps. eps_test is eps * eps for Euclidean, eps otherwise (see eps_test_value).
bool within(DistanceMetric metric, const double* x, const double* y, std::size_t d, double eps_test);
double eps_test_value(DistanceMetric metric, double eps);

enum class NeighborAlgorithm { Auto, Grid, KdTree };
// "auto" | "grid" | "kd_tree"; throws Error(InvalidInput) for anything else.
NeighborAlgorithm parse_neighbor_algorithm(std::string_view name);
std::string to_string(NeighborAlgorithm algorithm);

class NeighborIndex {
 public:
  NeighborIndex(const double* data, std::size_t n, std::size_t d, std::size_t stride, DistanceMetric metric,
                double eps, NeighborAlgorithm algorithm = NeighborAlgorithm::Auto);
  ~NeighborIndex();
  NeighborIndex(NeighborIndex&&) noexcept;
  NeighborIndex& operator=(NeighborIndex&&) noexcept;
  NeighborIndex(const NeighborIndex&) = delete;
  NeighborIndex& operator=(const NeighborIndex&) = delete;

  // Appends to `out` the indices (0 .. n-1) of the points within eps of q, in no particular
  // order. q has d coordinates.
  void query(const double* q, std::vector<std::uint32_t>& out) const;
  // How many points lie within eps of q.
  std::size_t count(const double* q) const;

  // The structure actually used (Grid or KdTree; never Auto).
  NeighborAlgorithm algorithm() const;
  std::size_t size() const;
  std::size_t dimension() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamml
