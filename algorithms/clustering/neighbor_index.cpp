#include "algorithms/clustering/neighbor_index.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include <nanoflann.hpp>

#include "core/error.h"

namespace streamml {

DistanceMetric parse_distance_metric(std::string_view name) {
  if (name == "euclidean" || name == "l2") return DistanceMetric::Euclidean;
  if (name == "manhattan" || name == "l1" || name == "cityblock") return DistanceMetric::Manhattan;
  if (name == "chebyshev") return DistanceMetric::Chebyshev;
  STREAMML_FAIL(InvalidInput, "unknown metric '" << std::string(name)
                                                 << "': expected 'euclidean', 'manhattan' or 'chebyshev'");
}

std::string to_string(DistanceMetric metric) {
  switch (metric) {
    case DistanceMetric::Euclidean: return "euclidean";
    case DistanceMetric::Manhattan: return "manhattan";
    case DistanceMetric::Chebyshev: return "chebyshev";
  }
  return "euclidean";
}

NeighborAlgorithm parse_neighbor_algorithm(std::string_view name) {
  if (name == "auto") return NeighborAlgorithm::Auto;
  if (name == "grid") return NeighborAlgorithm::Grid;
  if (name == "kd_tree") return NeighborAlgorithm::KdTree;
  STREAMML_FAIL(InvalidInput, "unknown algorithm '" << std::string(name)
                                                    << "': expected 'auto', 'grid' or 'kd_tree'");
}

std::string to_string(NeighborAlgorithm algorithm) {
  switch (algorithm) {
    case NeighborAlgorithm::Auto: return "auto";
    case NeighborAlgorithm::Grid: return "grid";
    case NeighborAlgorithm::KdTree: return "kd_tree";
  }
  return "auto";
}

double eps_test_value(DistanceMetric metric, double eps) {
  return metric == DistanceMetric::Euclidean ? eps * eps : eps;
}

namespace {

// The distance test, inlined per metric (and unrolled for d = 2, the grid's main case).
template <DistanceMetric M, int D>
inline bool within_t(const double* x, const double* y, std::size_t d_dynamic, double eps_test) {
  const std::size_t d = D > 0 ? std::size_t(D) : d_dynamic;
  double s = 0;
  for (std::size_t j = 0; j < d; ++j) {
    const double t = x[j] - y[j];
    if constexpr (M == DistanceMetric::Euclidean) s += t * t;
    else if constexpr (M == DistanceMetric::Manhattan) s += std::abs(t);
    else s = std::max(s, std::abs(t));
  }
  return s <= eps_test;
}

}  // namespace

bool within(DistanceMetric metric, const double* x, const double* y, std::size_t d, double eps_test) {
  switch (metric) {
    case DistanceMetric::Euclidean: return within_t<DistanceMetric::Euclidean, 0>(x, y, d, eps_test);
    case DistanceMetric::Manhattan: return within_t<DistanceMetric::Manhattan, 0>(x, y, d, eps_test);
    case DistanceMetric::Chebyshev: return within_t<DistanceMetric::Chebyshev, 0>(x, y, d, eps_test);
  }
  return false;
}

namespace {

// Cell side = eps * (1 + kCellMargin): two points within eps then always lie in the same or
// adjacent cells, whatever the rounding of (x - origin) / side (cell quotients are kept below
// 2^30, where that rounding is far below the margin).
constexpr double kCellMargin = 1e-5;
constexpr double kMaxQuotient = 1073741824.0;  // 2^30

inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The points as nanoflann's dataset adaptor sees them.
struct Cloud {
  const double* data;
  std::size_t n;
  std::size_t stride;
  std::size_t kdtree_get_point_count() const { return n; }
  double kdtree_get_pt(std::size_t idx, std::size_t dim) const { return data[idx * stride + dim]; }
  template <class BBox>
  bool kdtree_get_bbox(BBox&) const {
    return false;
  }
};

using KdTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, Cloud>, Cloud, -1,
                                                   std::uint32_t>;

}  // namespace

struct NeighborIndex::Impl {
  const double* data = nullptr;
  std::size_t n = 0;
  std::size_t d = 0;
  std::size_t stride = 0;
  DistanceMetric metric = DistanceMetric::Euclidean;
  double eps = 0;
  double eps_test = 0;
  NeighborAlgorithm algorithm = NeighborAlgorithm::KdTree;

  // Grid: points sorted by cell (coordinates copied in that order for locality), cells in an
  // open-addressing table keyed by the packed cell coordinates.
  double side = 0;
  std::vector<double> origin;
  int bits = 0;                          // bits per coordinate in a packed key
  std::int64_t max_cell = 0;             // cell coordinates run over [0, max_cell]
  std::vector<std::uint32_t> order;      // point indices, by cell then index
  std::vector<double> sorted;            // their coordinates, n * d, in that order
  std::vector<std::uint64_t> slot_key;   // table: key + 1 (0 = empty)
  std::vector<std::uint32_t> slot_begin; // first position in `order`
  std::vector<std::uint32_t> slot_end;
  std::uint64_t slot_mask = 0;

  // KD-tree.
  std::unique_ptr<Cloud> cloud;
  std::unique_ptr<KdTree> tree;
  double tree_radius = 0;  // squared L2 radius covering the metric's ball

  const double* row(std::size_t r) const { return data + r * stride; }

  bool try_grid() {
    if (d > 3 || n == 0 || n > std::numeric_limits<std::uint32_t>::max()) return false;
    side = eps * (1 + kCellMargin);
    if (!std::isfinite(side) || side <= 0) return false;
    origin.assign(d, std::numeric_limits<double>::infinity());
    std::vector<double> top(d, -std::numeric_limits<double>::infinity());
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t j = 0; j < d; ++j) {
        origin[j] = std::min(origin[j], row(r)[j]);
        top[j] = std::max(top[j], row(r)[j]);
      }
    bits = d == 1 ? 62 : d == 2 ? 31 : 20;
    const double limit = std::min(kMaxQuotient, std::ldexp(1.0, bits) - 4);
    double span = 0;
    for (std::size_t j = 0; j < d; ++j) {
      if (std::abs(origin[j]) / side >= kMaxQuotient || std::abs(top[j]) / side >= kMaxQuotient) return false;
      span = std::max(span, (top[j] - origin[j]) / side);
    }
    if (!(span < limit)) return false;
    max_cell = std::int64_t(std::floor(span)) + 1;

    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(n);
    std::vector<std::int64_t> c(d);
    for (std::size_t r = 0; r < n; ++r) {
      cell_of(row(r), c.data());
      keyed[r] = {pack(c.data()), std::uint32_t(r)};
    }
    std::sort(keyed.begin(), keyed.end());
    order.resize(n);
    sorted.resize(n * d);
    std::size_t cells = 0;
    for (std::size_t i = 0; i < n; ++i) {
      order[i] = keyed[i].second;
      std::copy(row(order[i]), row(order[i]) + d, sorted.begin() + std::ptrdiff_t(i * d));
      cells += i == 0 || keyed[i].first != keyed[i - 1].first;
    }
    std::uint64_t cap = 16;
    while (cap < 2 * cells) cap <<= 1;
    slot_mask = cap - 1;
    slot_key.assign(cap, 0);
    slot_begin.assign(cap, 0);
    slot_end.assign(cap, 0);
    for (std::size_t i = 0; i < n;) {
      std::size_t e = i;
      while (e < n && keyed[e].first == keyed[i].first) ++e;
      std::uint64_t s = mix64(keyed[i].first) & slot_mask;
      while (slot_key[s] != 0) s = (s + 1) & slot_mask;
      slot_key[s] = keyed[i].first + 1;
      slot_begin[s] = std::uint32_t(i);
      slot_end[s] = std::uint32_t(e);
      i = e;
    }
    algorithm = NeighborAlgorithm::Grid;
    return true;
  }

  // Cell coordinates of x (may be out of [0, max_cell] for a query point); false when x is so
  // far outside the grid that no cell near it holds points.
  bool cell_of(const double* x, std::int64_t* c) const {
    for (std::size_t j = 0; j < d; ++j) {
      const double q = std::floor((x[j] - origin[j]) / side);
      if (!(q >= -1.0 && q <= double(max_cell) + 1.0)) return false;
      c[j] = std::int64_t(q);
    }
    return true;
  }

  std::uint64_t pack(const std::int64_t* c) const {
    std::uint64_t key = 0;
    for (std::size_t j = 0; j < d; ++j) key = (key << bits) | std::uint64_t(c[j]);
    return key;
  }

  template <class F>
  void grid_visit(const double* q, F&& f) const {
    switch (metric) {
      case DistanceMetric::Euclidean:
        return d == 2 ? grid_visit_t<DistanceMetric::Euclidean, 2>(q, f) : grid_visit_t<DistanceMetric::Euclidean, 0>(q, f);
      case DistanceMetric::Manhattan:
        return d == 2 ? grid_visit_t<DistanceMetric::Manhattan, 2>(q, f) : grid_visit_t<DistanceMetric::Manhattan, 0>(q, f);
      case DistanceMetric::Chebyshev:
        return d == 2 ? grid_visit_t<DistanceMetric::Chebyshev, 2>(q, f) : grid_visit_t<DistanceMetric::Chebyshev, 0>(q, f);
    }
  }

  template <DistanceMetric M, int D, class F>
  void grid_visit_t(const double* q, F& f) const {
    std::int64_t c[3] = {0, 0, 0}, nb[3] = {0, 0, 0};  // cell_of fills c[0, d)
    if (!cell_of(q, c)) return;
    int total = 1;
    for (std::size_t j = 0; j < d; ++j) total *= 3;
    for (int code = 0; code < total; ++code) {
      int rest = code;
      bool inside = true;
      for (std::size_t j = 0; j < d; ++j) {
        nb[j] = c[j] + (rest % 3) - 1;
        rest /= 3;
        inside = inside && nb[j] >= 0 && nb[j] <= max_cell;
      }
      if (!inside) continue;
      const std::uint64_t key = pack(nb) + 1;
      std::uint64_t s = mix64(key - 1) & slot_mask;
      while (slot_key[s] != 0 && slot_key[s] != key) s = (s + 1) & slot_mask;
      if (slot_key[s] == 0) continue;
      for (std::uint32_t i = slot_begin[s]; i < slot_end[s]; ++i)
        if (within_t<M, D>(q, sorted.data() + std::size_t(i) * d, d, eps_test)) f(order[i]);
    }
  }

  void build_tree() {
    cloud = std::make_unique<Cloud>(Cloud{data, n, stride});
    tree = std::make_unique<KdTree>(int(d), *cloud, nanoflann::KDTreeSingleIndexAdaptorParams(32));
    if (n > 0) tree->buildIndex();
    const double e2 = eps * eps;
    tree_radius = (metric == DistanceMetric::Chebyshev ? e2 * double(d) : e2) * (1 + 1e-9) + 1e-300;
    algorithm = NeighborAlgorithm::KdTree;
  }

  // A nanoflann result set that re-tests every candidate exactly and hands it to f.
  template <class F>
  struct Visitor {
    const Impl* impl;
    const double* q;
    F* f;
    std::size_t found = 0;
    std::size_t size() const { return found; }
    bool full() const { return true; }
    double worstDist() const { return impl->tree_radius; }
    bool addPoint(double dist, std::uint32_t index) {
      // dist is sum_j (q_j - x_j)^2 in order j = 0 .. d-1: the Euclidean test itself.
      const bool in = impl->metric == DistanceMetric::Euclidean
                          ? dist <= impl->eps_test
                          : within(impl->metric, q, impl->row(index), impl->d, impl->eps_test);
      if (in) {
        ++found;
        (*f)(index);
      }
      return true;
    }
  };

  template <class F>
  void visit(const double* q, F&& f) const {
    if (n == 0) return;
    if (algorithm == NeighborAlgorithm::Grid) {
      grid_visit(q, f);
      return;
    }
    Visitor<std::remove_reference_t<F>> v{this, q, &f};
    tree->findNeighbors(v, q, nanoflann::SearchParams(32, 0.0f, false));
  }
};

NeighborIndex::NeighborIndex(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                             DistanceMetric metric, double eps, NeighborAlgorithm algorithm)
    : impl_(std::make_unique<Impl>()) {
  STREAMML_CHECK(d >= 1, InvalidInput, "neighbour search needs at least 1 feature, got " << d);
  STREAMML_CHECK(std::isfinite(eps) && eps > 0, InvalidInput, "eps must be a positive number, got " << eps);
  STREAMML_CHECK(n <= std::numeric_limits<std::uint32_t>::max(), InvalidInput,
                 "neighbour search supports up to 2^32 - 1 points, got " << n);
  auto& m = *impl_;
  m.data = data;
  m.n = n;
  m.d = d;
  m.stride = stride;
  m.metric = metric;
  m.eps = eps;
  m.eps_test = eps_test_value(metric, eps);
  const bool grid_wanted = algorithm == NeighborAlgorithm::Grid || (algorithm == NeighborAlgorithm::Auto && d <= 2);
  if (!(grid_wanted && m.try_grid())) m.build_tree();
}

NeighborIndex::~NeighborIndex() = default;
NeighborIndex::NeighborIndex(NeighborIndex&&) noexcept = default;
NeighborIndex& NeighborIndex::operator=(NeighborIndex&&) noexcept = default;

void NeighborIndex::query(const double* q, std::vector<std::uint32_t>& out) const {
  impl_->visit(q, [&](std::uint32_t i) { out.push_back(i); });
}

std::size_t NeighborIndex::count(const double* q) const {
  std::size_t k = 0;
  impl_->visit(q, [&](std::uint32_t) { ++k; });
  return k;
}

NeighborAlgorithm NeighborIndex::algorithm() const { return impl_->algorithm; }
std::size_t NeighborIndex::size() const { return impl_->n; }
std::size_t NeighborIndex::dimension() const { return impl_->d; }

// ---------------------------------------------------------------------------------------------
// SlidingGridIndex

bool SlidingGridIndex::wanted(std::size_t d, NeighborAlgorithm algorithm) {
  return d >= 1 && d <= 3 && (algorithm == NeighborAlgorithm::Grid || (algorithm == NeighborAlgorithm::Auto && d <= 2));
}

namespace {

using CellKey = std::array<std::int64_t, 3>;  // unused coordinates stay 0

struct CellKeyHash {
  std::size_t operator()(const CellKey& c) const {
    return std::size_t(mix64(std::uint64_t(c[0]) ^ mix64(std::uint64_t(c[1]) ^ mix64(std::uint64_t(c[2])))));
  }
};

// Points in arrival order with their coordinates; the live ones are [head, seq.size()).
struct SlidingCell {
  std::vector<std::int64_t> seq;
  std::vector<double> x;
  std::size_t head = 0;

  void drop_front(std::size_t d) {
    ++head;
    // Compact once the dead prefix is as long as the live part.
    if (head >= 32 && 2 * head >= seq.size()) {
      seq.erase(seq.begin(), seq.begin() + std::ptrdiff_t(head));
      x.erase(x.begin(), x.begin() + std::ptrdiff_t(head * d));
      head = 0;
    }
  }
  bool empty() const { return head == seq.size(); }
};

}  // namespace

struct SlidingGridIndex::Impl {
  std::size_t d = 0;
  DistanceMetric metric = DistanceMetric::Euclidean;
  double eps_test = 0;
  double side = 0;
  std::unordered_map<CellKey, SlidingCell, CellKeyHash> cells;
  SlidingCell far;  // points whose cell coordinates would pass 2^30
  struct Arrival {
    std::int64_t seq;
    CellKey key;
    bool far;
  };
  std::deque<Arrival> arrivals;

  // Cell coordinates of x from the origin; false when x is "far" (a quotient of 2^30 or more,
  // where rounding could eat the cell margin).
  bool cell_of(const double* x, CellKey& c) const {
    c = CellKey{0, 0, 0};
    for (std::size_t j = 0; j < d; ++j) {
      const double q = x[j] / side;
      if (!(std::abs(q) < kMaxQuotient)) return false;
      c[j] = std::int64_t(std::floor(q));
    }
    return true;
  }

  template <DistanceMetric M, int D>
  void scan(const SlidingCell& cell, const double* q, std::vector<std::int64_t>& out) const {
    for (std::size_t i = cell.head; i < cell.seq.size(); ++i)
      if (within_t<M, D>(q, cell.x.data() + i * d, d, eps_test)) out.push_back(cell.seq[i]);
  }

  template <DistanceMetric M, int D>
  void query_t(const double* q, std::vector<std::int64_t>& out) const {
    const std::size_t start = out.size();
    CellKey c{0, 0, 0};
    if (d <= 2 && cell_of(q, c)) {
      // At most 9 cells and the far list, each ascending: merge the runs pairwise.
      std::size_t bounds[11] = {start};
      std::size_t runs = 0;
      CellKey nb{0, 0, 0};
      const int total = d == 1 ? 3 : 9;
      for (int code = 0; code < total; ++code) {
        nb[0] = c[0] + (code % 3) - 1;
        if (d == 2) nb[1] = c[1] + (code / 3) - 1;
        const auto it = cells.find(nb);
        if (it != cells.end()) scan<M, D>(it->second, q, out);
        if (out.size() > bounds[runs]) bounds[++runs] = out.size();
      }
      scan<M, D>(far, q, out);
      if (out.size() > bounds[runs]) bounds[++runs] = out.size();
      thread_local std::vector<std::int64_t> buf;
      while (runs > 1) {
        buf.resize(out.size());
        std::size_t merged = 0;
        for (std::size_t k = 0; k < runs; k += 2) {
          const auto b0 = out.begin() + std::ptrdiff_t(bounds[k]);
          const auto b1 = out.begin() + std::ptrdiff_t(bounds[k + 1]);
          const auto b2 = out.begin() + std::ptrdiff_t(bounds[std::min(k + 2, runs)]);
          std::merge(b0, b1, b1, b2, buf.begin() + std::ptrdiff_t(bounds[k]));
          bounds[merged++] = bounds[k];
        }
        bounds[merged] = out.size();
        runs = merged;
        std::copy(buf.begin() + std::ptrdiff_t(start), buf.begin() + std::ptrdiff_t(out.size()),
                  out.begin() + std::ptrdiff_t(start));
      }
      return;
    }
    if (cell_of(q, c)) {
      int total = 1;
      for (std::size_t j = 0; j < d; ++j) total *= 3;
      CellKey nb{0, 0, 0};
      for (int code = 0; code < total; ++code) {
        int rest = code;
        for (std::size_t j = 0; j < d; ++j) {
          nb[j] = c[j] + (rest % 3) - 1;
          rest /= 3;
        }
        const auto it = cells.find(nb);
        if (it != cells.end()) scan<M, D>(it->second, q, out);
      }
    } else {
      for (const auto& kv : cells) scan<M, D>(kv.second, q, out);
    }
    scan<M, D>(far, q, out);
    std::sort(out.begin() + std::ptrdiff_t(start), out.end());
  }
};

SlidingGridIndex::SlidingGridIndex(std::size_t d, DistanceMetric metric, double eps)
    : impl_(std::make_unique<Impl>()) {
  STREAMML_CHECK(d >= 1 && d <= 3, InvalidInput, "the sliding grid serves 1 to 3 features, got " << d);
  STREAMML_CHECK(std::isfinite(eps) && eps > 0, InvalidInput, "eps must be a positive number, got " << eps);
  auto& m = *impl_;
  m.d = d;
  m.metric = metric;
  m.eps_test = eps_test_value(metric, eps);
  m.side = eps * (1 + kCellMargin);
  STREAMML_CHECK(std::isfinite(m.side), InvalidInput, "eps is too large for a grid, got " << eps);
}

SlidingGridIndex::~SlidingGridIndex() = default;
SlidingGridIndex::SlidingGridIndex(SlidingGridIndex&&) noexcept = default;
SlidingGridIndex& SlidingGridIndex::operator=(SlidingGridIndex&&) noexcept = default;

void SlidingGridIndex::insert(std::int64_t first_seq, const double* data, std::size_t n, std::size_t stride) {
  auto& m = *impl_;
  for (std::size_t r = 0; r < n; ++r) {
    const double* x = data + r * stride;
    const std::int64_t seq = first_seq + std::int64_t(r);
    CellKey key;
    const bool far = !m.cell_of(x, key);
    SlidingCell& cell = far ? m.far : m.cells[key];
    cell.seq.push_back(seq);
    cell.x.insert(cell.x.end(), x, x + m.d);
    m.arrivals.push_back({seq, key, far});
  }
}

void SlidingGridIndex::expire(std::int64_t front) {
  auto& m = *impl_;
  while (!m.arrivals.empty() && m.arrivals.front().seq < front) {
    const auto& a = m.arrivals.front();
    if (a.far) {
      m.far.drop_front(m.d);
    } else {
      const auto it = m.cells.find(a.key);
      it->second.drop_front(m.d);
      if (it->second.empty()) m.cells.erase(it);
    }
    m.arrivals.pop_front();
  }
}

void SlidingGridIndex::query(const double* q, std::vector<std::int64_t>& out) const {
  const auto& m = *impl_;
  switch (m.metric) {
    case DistanceMetric::Euclidean:
      return m.d == 2 ? m.query_t<DistanceMetric::Euclidean, 2>(q, out) : m.query_t<DistanceMetric::Euclidean, 0>(q, out);
    case DistanceMetric::Manhattan:
      return m.d == 2 ? m.query_t<DistanceMetric::Manhattan, 2>(q, out) : m.query_t<DistanceMetric::Manhattan, 0>(q, out);
    case DistanceMetric::Chebyshev:
      return m.d == 2 ? m.query_t<DistanceMetric::Chebyshev, 2>(q, out) : m.query_t<DistanceMetric::Chebyshev, 0>(q, out);
  }
}

std::size_t SlidingGridIndex::size() const { return impl_->arrivals.size(); }

}  // namespace streamml
