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

// SlidingGridIndex: NeighborIndex's grid over a window of points that arrive and leave in
// order (a sliding window), points named by their arrival ("sequence") numbers. Cells of side
// eps (same margin as the grid above) keyed by their integer coordinates from the origin, in a
// hash table; each cell lists its points in arrival order with their coordinates, so expiry
// removes a prefix of each list. Points whose cell coordinates would pass 2^30 (far from the
// origin at this eps) go to a separate list that every query scans, and their own queries scan
// everything. Same exact distance test as NeighborIndex (within()), so the same answers.
// Queries are const and may run concurrently; insert() and expire() may not.
class SlidingGridIndex {
 public:
  // Whether NeighborIndex would use its grid for this dimension and algorithm (the choice
  // the sliding window follows).
  static bool wanted(std::size_t d, NeighborAlgorithm algorithm);

  SlidingGridIndex(std::size_t d, DistanceMetric metric, double eps);
  ~SlidingGridIndex();
  SlidingGridIndex(SlidingGridIndex&&) noexcept;
  SlidingGridIndex& operator=(SlidingGridIndex&&) noexcept;

  // Adds n points (row r at data + r * stride) with sequence numbers first_seq, first_seq + 1,
  // ...; first_seq must be above every sequence number already inserted.
  void insert(std::int64_t first_seq, const double* data, std::size_t n, std::size_t stride);
  // Removes every point whose sequence number is below `front`.
  void expire(std::int64_t front);
  // Appends to `out` the sequence numbers of the points within eps of q, ascending.
  void query(const double* q, std::vector<std::int64_t>& out) const;
  std::size_t size() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamml
