#include "algorithms/clustering/windowed_dbscan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "algorithms/clustering/neighbor_index.h"
#include "algorithms/clustering/union_find.h"
#include "core/error.h"
#include "core/json.h"
#include "core/parallel.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr std::size_t kBlock = 256;

// f(i, scratch) for i in [0, n), in parallel blocks; each block reuses one scratch vector.
template <class T = std::uint32_t, class F>
void parallel_points(std::size_t n, F&& f) {
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  parallel_ranges(blocks, 1, [&](std::size_t from, std::size_t to) {
    std::vector<T> scratch;
    for (std::size_t b = from; b != to; ++b)
      for (std::size_t i = b * kBlock, e = std::min(n, (b + 1) * kBlock); i < e; ++i) f(i, scratch);
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Settings

const SettingsTable<WindowedDBSCANSettings>& WindowedDBSCAN::settings_table() {
  using S = WindowedDBSCANSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t(kType);
    add_dbscan_settings(t)
        .integer("window_batches", &S::window_batches, "the window is the last W batches (empty ones count)",
                 Range::at_least(1))
        .real("window_seconds", &S::window_seconds,
              "T > 0: the window is instead the batches within T seconds of event time of the newest; 0: by batches",
              Range::non_negative());
    return t;
  }();
  return table;
}

DBSCANSettings WindowedDBSCANSettings::dbscan() const {
  DBSCANSettings s;
  s.eps = eps;
  s.min_samples = min_samples;
  s.metric = metric;
  s.algorithm = algorithm;
  return s;
}

void WindowedDBSCANSettings::set(std::string_view name, std::string_view v) {
  WindowedDBSCAN::settings_table().set(*this, name, v);
}
void WindowedDBSCANSettings::validate() const { WindowedDBSCAN::settings_table().validate(*this); }
std::string WindowedDBSCANSettings::to_json() const { return WindowedDBSCAN::settings_table().to_json(*this); }

// ---------------------------------------------------------------------------------------------
// The window

namespace {

struct WindowBatch {
  std::int64_t first_seq = 0;
  EventTime end_time = 0;                 // Batch::event_time_end(), for time windows
  std::size_t rows = 0;
  std::vector<double> x;                  // rows * d, row-major
  std::unique_ptr<NeighborIndex> index;   // over x; null when the batch is empty or under the grid
};

// Links each old core point first tries (a sample of its list, kept in the point).
constexpr std::size_t kFirstLinks = 4;

struct Point {
  // Sequence numbers of its neighbours, ascending, itself excluded; the first `dead` have left
  // the window (cut off once they are half the list).
  std::vector<std::int64_t> nbrs;
  std::uint32_t dead = 0;
  std::int64_t cluster = -1;  // core: its cluster id; otherwise its label (-1: noise)
  bool core = false;
  // Up to kFirstLinks live entries of nbrs spread over it, copied when the list grows (some may
  // have left the window since), so the first links need not read the list.
  std::uint8_t sample_count = 0;
  std::int64_t sample[kFirstLinks] = {};

  void copy_sample() {
    const std::size_t n = live();
    sample_count = std::uint8_t(std::min(kFirstLinks, n));
    for (std::size_t k = 0; k < sample_count; ++k) sample[k] = begin()[(2 * k + 1) * n / (2 * sample_count)];
  }

  const std::int64_t* begin() const { return nbrs.data() + dead; }
  const std::int64_t* end() const { return nbrs.data() + nbrs.size(); }
  std::size_t live() const { return nbrs.size() - dead; }
  // One more neighbour (the oldest live one) has left.
  void drop_oldest() {
    if (++dead >= 16 && 2 * std::size_t(dead) >= nbrs.size()) {
      nbrs.erase(nbrs.begin(), nbrs.begin() + std::ptrdiff_t(dead));
      dead = 0;
    }
  }
};

}  // namespace

struct WindowedDBSCAN::Window {
  std::deque<WindowBatch> batches;
  // One grid over the whole window when the grid applies (SlidingGridIndex::wanted); the
  // batches' own indices otherwise. Created with the first batch.
  std::unique_ptr<SlidingGridIndex> grid;
  std::deque<Point> points;    // points[i] has sequence number front_seq + i
  std::int64_t front_seq = 0;
  std::int64_t next_seq = 0;

  Point& at(std::int64_t seq) { return points[std::size_t(seq - front_seq)]; }
  const Point& at(std::int64_t seq) const { return points[std::size_t(seq - front_seq)]; }
};

WindowedDBSCAN::WindowedDBSCAN(WindowedDBSCANSettings settings)
    : settings_(std::move(settings)), window_(std::make_unique<Window>()) {
  settings_.validate();
}

WindowedDBSCAN::~WindowedDBSCAN() = default;
WindowedDBSCAN::WindowedDBSCAN(WindowedDBSCAN&&) noexcept = default;
WindowedDBSCAN& WindowedDBSCAN::operator=(WindowedDBSCAN&&) noexcept = default;

void WindowedDBSCAN::partial_fit(const Batch& batch) {
  partial_fit(batch.features.data(), batch.rows, batch.cols, batch.cols, batch.event_time_end());
}

void WindowedDBSCAN::partial_fit(const Eigen::Ref<const RowMatrix>& x, std::optional<EventTime> time) {
  partial_fit(x.data(), std::size_t(x.rows()), std::size_t(x.cols()), std::size_t(x.outerStride()), time);
}

void WindowedDBSCAN::partial_fit(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                                 std::optional<EventTime> time) {
  const bool by_time = settings_.window_seconds > 0;
  // An empty batch cut by count covers no event time: under a time window it changes nothing.
  if (by_time && n == 0 && !time) return;
  STREAMML_CHECK(!by_time || time, InvalidInput,
                 "window_seconds needs the event time of every batch: replay with an event-time "
                 "column (--time COL) or pass the batch's time");
  STREAMML_CHECK(d >= 1, InvalidInput, "DBSCAN needs at least 1 feature column, got " << d);
  STREAMML_CHECK(d_ < 0 || std::int64_t(d) == d_, InvalidInput,
                 "features has " << d << " columns, the window's points have " << d_);
  check_finite_rows(data, n, d, stride, "features");
  auto& w = *window_;
  const std::int64_t min_samples = settings_.min_samples;

  // The new batch and its neighbour index, before anything changes (this may throw).
  WindowBatch fresh;
  fresh.first_seq = w.next_seq;
  fresh.end_time = time.value_or(0);
  fresh.rows = n;
  fresh.x.resize(n * d);
  for (std::size_t r = 0; r < n; ++r) std::copy(data + r * stride, data + r * stride + d, fresh.x.begin() + std::ptrdiff_t(r * d));
  const bool use_grid =
      SlidingGridIndex::wanted(d, settings_.algorithm);
  if (use_grid && !w.grid)
    w.grid = std::make_unique<SlidingGridIndex>(d, settings_.metric, settings_.eps);
  if (n > 0 && !use_grid)
    fresh.index = std::make_unique<NeighborIndex>(fresh.x.data(), n, d, d, settings_.metric,
                                                  settings_.eps, settings_.algorithm);
  d_ = std::int64_t(d);

  // Clusters that lose a core point (expired or no longer core): re-expanded below.
  std::vector<std::int64_t> affected;

  // 1. Expiry: the oldest batches leave, to make room for the new one (count window) or
  //    because they end T or more before it (time window).
  const auto window_us = std::int64_t(std::llround(settings_.window_seconds * 1e6));
  // Whether the oldest of `left` batches leaves.
  auto expires = [&](const WindowBatch& oldest, std::size_t left) {
    return by_time ? fresh.end_time - oldest.end_time >= window_us : std::int64_t(left) >= settings_.window_batches;
  };
  std::size_t gone = 0, gone_batches = 0;
  while (gone_batches < w.batches.size() && expires(w.batches[gone_batches], w.batches.size() - gone_batches))
    gone += w.batches[gone_batches++].rows;
  // Each leaving point is the oldest live entry of its staying neighbours' lists (it leaves in
  // arrival order).
  const std::int64_t new_front = w.front_seq + std::int64_t(gone);
  for (std::size_t i = 0; i < gone; ++i) {
    const Point& p = w.points[i];
    if (p.core) affected.push_back(p.cluster);
    for (const std::int64_t* t = std::lower_bound(p.begin(), p.end(), new_front); t != p.end(); ++t)
      w.at(*t).drop_oldest();
  }
  w.points.erase(w.points.begin(), w.points.begin() + std::ptrdiff_t(gone));
  w.batches.erase(w.batches.begin(), w.batches.begin() + std::ptrdiff_t(gone_batches));
  w.front_seq = new_front;
  if (w.grid) w.grid->expire(w.front_seq);

  // 2. Insertion: range queries for the new points over the window's grid, or over every
  //    batch's index.
  const std::size_t old_count = w.points.size();
  const std::int64_t first_new = fresh.first_seq;
  w.batches.push_back(std::move(fresh));
  w.points.resize(old_count + n);
  w.next_seq += std::int64_t(n);
  if (w.grid) {
    const WindowBatch& nbatch = w.batches.back();
    w.grid->insert(first_new, nbatch.x.data(), n, d);
    parallel_points(n, [&](std::size_t k, std::vector<std::uint32_t>&) {
      const std::int64_t self = first_new + std::int64_t(k);
      auto& out = w.points[old_count + k].nbrs;
      w.grid->query(nbatch.x.data() + k * d, out);  // ascending, itself included
      out.erase(std::lower_bound(out.begin(), out.end(), self));
      w.points[old_count + k].copy_sample();
    });
  } else {
    const WindowBatch& nbatch = w.batches.back();
    parallel_points(n, [&](std::size_t k, std::vector<std::uint32_t>& scratch) {
      const double* q = nbatch.x.data() + k * d;
      const std::int64_t self = first_new + std::int64_t(k);
      auto& out = w.points[old_count + k].nbrs;
      for (const WindowBatch& b : w.batches) {
        if (!b.index) continue;
        scratch.clear();
        b.index->query(q, scratch);
        std::sort(scratch.begin(), scratch.end());
        for (std::uint32_t j : scratch)
          if (b.first_seq + std::int64_t(j) != self) out.push_back(b.first_seq + std::int64_t(j));
      }
      w.points[old_count + k].copy_sample();
    });
  }
  // Old points learn their new neighbours, bucketed by old point in arrival order (so lists
  // stay ascending), then appended point by point in parallel.
  {
    std::vector<std::uint32_t> begin(old_count + 1, 0);
    for (std::size_t k = 0; k < n; ++k)
      for (std::int64_t t : w.points[old_count + k].nbrs) {
        if (t >= first_new) break;
        ++begin[std::size_t(t - w.front_seq) + 1];
      }
    for (std::size_t i = 0; i < old_count; ++i) begin[i + 1] += begin[i];
    std::vector<std::int64_t> added(begin[old_count]);
    std::vector<std::uint32_t> next(begin.begin(), begin.end() - 1);
    for (std::size_t k = 0; k < n; ++k)
      for (std::int64_t t : w.points[old_count + k].nbrs) {
        if (t >= first_new) break;
        added[next[std::size_t(t - w.front_seq)]++] = first_new + std::int64_t(k);
      }
    parallel_points(old_count, [&](std::size_t i, std::vector<std::uint32_t>&) {
      if (begin[i + 1] > begin[i]) {
        w.points[i].nbrs.insert(w.points[i].nbrs.end(), added.begin() + begin[i], added.begin() + begin[i + 1]);
        w.points[i].copy_sample();
      }
    });
  }

  // 3. Core status: who lost it, who gained it.
  const std::size_t m = w.points.size();
  std::vector<std::uint8_t> now_core(m), was_core(m);
  for (std::size_t i = 0; i < m; ++i) {
    auto& p = w.points[i];
    was_core[i] = p.core;
    now_core[i] = std::int64_t(p.live()) + 1 >= min_samples;
    if (p.core && !now_core[i]) affected.push_back(p.cluster);
  }
  std::sort(affected.begin(), affected.end());
  affected.erase(std::unique(affected.begin(), affected.end()), affected.end());

  // R: the core points to re-expand (those of affected clusters, and new core points). Every
  // other core point belongs to an untouched cluster, one node per cluster.
  constexpr std::uint32_t kNotInR = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> r_index(m, kNotInR);
  std::vector<std::size_t> r_points;  // window positions, ascending
  std::vector<std::uint32_t> r_slot;  // old core points: their cluster's place in `affected`
  std::unordered_map<std::int64_t, std::uint32_t> cluster_node;  // untouched cluster id -> node
  std::vector<std::int64_t> node_cluster;                        // node - |R| -> cluster id
  for (std::size_t i = 0; i < m; ++i) {
    if (!now_core[i]) continue;
    const auto slot = was_core[i] ? std::lower_bound(affected.begin(), affected.end(), w.points[i].cluster)
                                   : affected.end();
    if (!was_core[i] || (slot != affected.end() && *slot == w.points[i].cluster)) {
      r_index[i] = std::uint32_t(r_points.size());
      r_points.push_back(i);
      r_slot.push_back(was_core[i] ? std::uint32_t(slot - affected.begin()) : kNotInR);
    }
  }
  const std::size_t r_count = r_points.size();
  for (std::size_t i = 0; i < m; ++i)
    if (now_core[i] && r_index[i] == kNotInR && !cluster_node.count(w.points[i].cluster)) {
      cluster_node.emplace(w.points[i].cluster, std::uint32_t(r_count + node_cluster.size()));
      node_cluster.push_back(w.points[i].cluster);
    }
  last_reexpanded_ = std::int64_t(r_count);

  // The links. Between old core points, links only join points of one old cluster (two old
  // core points in different clusters are never neighbours); every other link has a new core
  // point at one end.
  //   a. Old core points unite over a sample of their links to old core points (Point::sample,
  //      no list read), which in a dense cluster already puts most of its points in one set.
  //   b. In each affected cluster whose old core points are not all in one set yet, the points
  //      outside its largest set unite over all those links (a link between two of its sets
  //      has at least one end outside the largest). Every link left out now joins two points
  //      of one set: the sets are the components of the old core points among themselves.
  //   c. New core points unite over all their links, with each old component or untouched
  //      cluster as one node.
  MinRootUnionFind uf(r_count + node_cluster.size());
  parallel_points(r_count, [&](std::size_t r, std::vector<std::uint32_t>&) {
    if (r_slot[r] == kNotInR) return;
    const Point& p = w.points[r_points[r]];
    for (std::size_t k = 0; k < p.sample_count; ++k) {
      if (p.sample[k] < w.front_seq) continue;
      const std::size_t ti = std::size_t(p.sample[k] - w.front_seq);
      if (now_core[ti] && was_core[ti]) uf.unite(std::uint32_t(r), r_index[ti]);
    }
  });
  std::vector<std::uint32_t> root_of(r_count, kNotInR);  // old core points: their set so far
  std::vector<std::uint32_t> set_size(uf.size(), 0);
  for (std::size_t r = 0; r < r_count; ++r)
    if (r_slot[r] != kNotInR) ++set_size[root_of[r] = uf.find(std::uint32_t(r))];
  std::vector<std::uint32_t> largest(affected.size(), kNotInR);  // per cluster: its largest set
  std::vector<std::uint8_t> whole(affected.size(), 1);            // per cluster: one set only
  bool all_whole = true;
  for (std::size_t r = 0; r < r_count; ++r) {
    if (r_slot[r] == kNotInR) continue;
    std::uint32_t& big = largest[r_slot[r]];
    if (big == kNotInR) {
      big = root_of[r];
    } else if (big != root_of[r]) {
      whole[r_slot[r]] = 0;
      all_whole = false;
      // Ties go to the smaller root, so the choice does not depend on the scan order.
      if (set_size[root_of[r]] > set_size[big] || (set_size[root_of[r]] == set_size[big] && root_of[r] < big))
        big = root_of[r];
    }
  }
  if (!all_whole)
    parallel_points(r_count, [&](std::size_t r, std::vector<std::uint32_t>&) {
      if (r_slot[r] == kNotInR || whole[r_slot[r]] || root_of[r] == largest[r_slot[r]]) return;
      for (std::int64_t t : w.points[r_points[r]]) {
        const std::size_t ti = std::size_t(t - w.front_seq);
        if (now_core[ti] && was_core[ti]) uf.unite(std::uint32_t(r), r_index[ti]);
      }
    });
  if (!all_whole)
    for (std::size_t r = 0; r < r_count; ++r)
      if (r_slot[r] != kNotInR) root_of[r] = uf.find(std::uint32_t(r));
  parallel_points(r_count, [&](std::size_t r, std::vector<std::uint32_t>&) {
    if (r_slot[r] != kNotInR) return;
    const std::size_t i = r_points[r];
    const std::int64_t self = w.front_seq + std::int64_t(i);
    std::uint32_t last = kNotInR;  // the node linked last: linking it again changes nothing
    std::int64_t last_untouched = -1;
    for (std::int64_t t : w.points[i]) {
      const std::size_t ti = std::size_t(t - w.front_seq);
      if (!now_core[ti]) continue;
      std::uint32_t node;
      const std::uint32_t rt = r_index[ti];
      if (rt == kNotInR) {
        if (w.points[ti].cluster == last_untouched) continue;
        last_untouched = w.points[ti].cluster;
        node = cluster_node.at(last_untouched);
      } else if (r_slot[rt] != kNotInR) {
        node = root_of[rt];
      } else {
        if (t > self) continue;  // two new core points: linked from the newer one
        node = rt;
      }
      if (node == last) continue;
      last = node;
      uf.unite(std::uint32_t(r), node);
    }
  });

  // Ids: each old cluster's oldest surviving core point names the component that keeps its
  // id, smallest (oldest) id first; components left without one get fresh ids in the order of
  // their oldest core point.
  std::vector<std::pair<std::int64_t, std::uint32_t>> claims;  // (old id, component root)
  {
    std::vector<std::uint8_t> seen(affected.size(), 0);
    for (std::size_t r = 0; r < r_count; ++r) {
      if (r_slot[r] == kNotInR || seen[r_slot[r]]) continue;
      seen[r_slot[r]] = 1;
      claims.emplace_back(affected[r_slot[r]], uf.find(std::uint32_t(r)));
    }
    for (std::size_t k = 0; k < node_cluster.size(); ++k)
      claims.emplace_back(node_cluster[k], uf.find(std::uint32_t(r_count + k)));
  }
  std::sort(claims.begin(), claims.end());
  std::vector<std::int64_t> id_of_root(uf.size(), -1);
  for (const auto& [id, root] : claims)
    if (id_of_root[root] < 0) id_of_root[root] = id;
  for (std::size_t r = 0; r < r_count; ++r) {
    const std::uint32_t root = uf.find(std::uint32_t(r));
    if (id_of_root[root] < 0) id_of_root[root] = next_id_++;
  }
  for (std::size_t r = 0; r < r_count; ++r) w.points[r_points[r]].cluster = id_of_root[uf.find(std::uint32_t(r))];
  std::unordered_map<std::int64_t, std::int64_t> renamed;  // untouched cluster merged into an older id
  for (std::size_t k = 0; k < node_cluster.size(); ++k) {
    const std::int64_t id = id_of_root[uf.find(std::uint32_t(r_count + k))];
    if (id != node_cluster[k]) renamed.emplace(node_cluster[k], id);
  }
  if (!renamed.empty())
    for (std::size_t i = 0; i < m; ++i)
      if (now_core[i] && r_index[i] == kNotInR) {
        const auto it = renamed.find(w.points[i].cluster);
        if (it != renamed.end()) w.points[i].cluster = it->second;
      }

  // 4. Border points: the cluster of the lowest-sequence core neighbour; noise otherwise.
  parallel_points(m, [&](std::size_t i, std::vector<std::uint32_t>&) {
    auto& p = w.points[i];
    p.core = now_core[i];
    if (p.core) return;
    p.cluster = -1;
    for (std::int64_t t : p) {
      const std::size_t ti = std::size_t(t - w.front_seq);
      if (now_core[ti]) {
        // A core point's cluster is final by now; only non-core entries are being written.
        p.cluster = w.points[ti].cluster;
        break;
      }
    }
  });

  last_labels_.resize(n);
  for (std::size_t k = 0; k < n; ++k) last_labels_[k] = w.points[old_count + k].cluster;
  ++batches_seen_;
}

std::vector<std::int64_t> WindowedDBSCAN::predict(const Eigen::Ref<const RowMatrix>& x) const {
  return predict(x.data(), std::size_t(x.rows()), std::size_t(x.cols()), std::size_t(x.outerStride()));
}

std::vector<std::int64_t> WindowedDBSCAN::predict(const double* data, std::size_t n, std::size_t d,
                                                  std::size_t stride) const {
  STREAMML_CHECK(d >= 1, InvalidInput, "DBSCAN needs at least 1 feature column, got " << d);
  STREAMML_CHECK(d_ < 0 || std::int64_t(d) == d_, InvalidInput,
                 "features has " << d << " columns, the window's points have " << d_);
  check_finite_rows(data, n, d, stride, "features");
  std::vector<std::int64_t> out(n, -1);
  const auto& w = *window_;
  if (w.grid) {
    parallel_points<std::int64_t>(n, [&](std::size_t i, std::vector<std::int64_t>& scratch) {
      scratch.clear();
      w.grid->query(data + i * stride, scratch);
      for (std::int64_t t : scratch)
        if (w.at(t).core) {
          out[i] = w.at(t).cluster;
          return;
        }
    });
    return out;
  }
  parallel_points(n, [&](std::size_t i, std::vector<std::uint32_t>& scratch) {
    for (const WindowBatch& b : w.batches) {
      if (!b.index) continue;
      scratch.clear();
      b.index->query(data + i * stride, scratch);
      std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
      for (std::uint32_t j : scratch)
        if (j < best && w.at(b.first_seq + std::int64_t(j)).core) best = j;
      if (best != std::numeric_limits<std::uint32_t>::max()) {
        out[i] = w.at(b.first_seq + std::int64_t(best)).cluster;
        return;
      }
    }
  });
  return out;
}

Eigen::VectorXd WindowedDBSCAN::score(const Batch& batch) const {
  const auto labels = predict(batch.features.data(), batch.rows, batch.cols, batch.cols);
  Eigen::VectorXd out(Eigen::Index(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) out[Eigen::Index(i)] = double(labels[i]);
  return out;
}

std::vector<std::int64_t> WindowedDBSCAN::last_anomalies() const {
  std::vector<std::int64_t> rows;
  for (std::size_t k = 0; k < last_labels_.size(); ++k)
    if (last_labels_[k] < 0) rows.push_back(std::int64_t(k));
  return rows;
}

std::size_t WindowedDBSCAN::window_points() const { return window_->points.size(); }
std::size_t WindowedDBSCAN::window_batches() const { return window_->batches.size(); }
std::int64_t WindowedDBSCAN::first_sequence() const { return window_->front_seq; }

std::vector<std::int64_t> WindowedDBSCAN::window_labels() const {
  std::vector<std::int64_t> out;
  out.reserve(window_->points.size());
  for (const auto& p : window_->points) out.push_back(p.cluster);
  return out;
}

std::vector<std::int64_t> WindowedDBSCAN::window_core_sample_indices() const {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < window_->points.size(); ++i)
    if (window_->points[i].core) out.push_back(std::int64_t(i));
  return out;
}

RowMatrix WindowedDBSCAN::window_features() const {
  const std::size_t d = d_ < 0 ? 0 : std::size_t(d_);
  RowMatrix out(Eigen::Index(window_->points.size()), Eigen::Index(d));
  std::size_t r = 0;
  for (const auto& b : window_->batches) {
    std::copy(b.x.begin(), b.x.end(), out.data() + r * d);
    r += b.rows;
  }
  return out;
}

std::map<std::int64_t, std::int64_t> WindowedDBSCAN::cluster_sizes() const {
  std::map<std::int64_t, std::int64_t> sizes;
  for (const auto& p : window_->points)
    if (p.cluster >= 0) ++sizes[p.cluster];
  return sizes;
}

std::int64_t WindowedDBSCAN::window_noise() const {
  std::int64_t k = 0;
  for (const auto& p : window_->points) k += p.cluster < 0;
  return k;
}

void WindowedDBSCAN::write_summary(JsonWriter& out) const {
  const auto sizes = cluster_sizes();
  out.key("batches_seen").value(batches_seen_);
  out.key("window_batches").value(window_batches());
  out.key("window_points").value(window_points());
  out.key("clusters").value(sizes.size());
  out.key("cluster_sizes").begin_object();
  for (const auto& [id, n] : sizes) out.key(std::to_string(id)).value(n);
  out.end_object();
  out.key("window_noise").value(window_noise());
  out.key("last_batch_points").value(last_labels_.size());
  out.key("last_batch_anomalies").value(last_anomalies().size());
}

// ---------------------------------------------------------------------------------------------
// Checkpoints. The window is saved as it stands: its batches' points, and per point its
// neighbour list (with the entries already gone from the window but not yet cut off), its
// sampled first links, core flag and cluster, so a restored window takes the very same steps.
// The neighbour indices (grid or kd-trees) are rebuilt from the points: they are functions of
// them.

void WindowedDBSCAN::save_state(StateWriter& out) const {
  const auto& w = *window_;
  out.write_int("dimension", d_);
  out.write_int("batches_seen", batches_seen_);
  out.write_int("next_cluster_id", next_id_);
  out.write_int("last_reexpanded", last_reexpanded_);
  out.write_ints("last_labels", last_labels_);
  StateWriter win = out.group("window");
  win.write_int("front_seq", w.front_seq);
  win.write_int("next_seq", w.next_seq);
  std::vector<std::int64_t> first_seq, end_time, rows;
  for (const auto& b : w.batches) {
    first_seq.push_back(b.first_seq);
    end_time.push_back(b.end_time);
    rows.push_back(std::int64_t(b.rows));
  }
  win.write_ints("batch_first_seq", first_seq);
  win.write_ints("batch_end_time_us", end_time);
  win.write_ints("batch_rows", rows);
  win.write_matrix("features", window_features());
  const std::size_t m = w.points.size();
  std::vector<std::int64_t> core(m), cluster(m), dead(m), offsets{0}, nbrs, sample_count(m), sample(m * kFirstLinks);
  for (std::size_t i = 0; i < m; ++i) {
    const Point& p = w.points[i];
    core[i] = p.core;
    cluster[i] = p.cluster;
    dead[i] = p.dead;
    nbrs.insert(nbrs.end(), p.nbrs.begin(), p.nbrs.end());
    offsets.push_back(std::int64_t(nbrs.size()));
    sample_count[i] = p.sample_count;
    std::copy(p.sample, p.sample + kFirstLinks, sample.begin() + std::ptrdiff_t(i * kFirstLinks));
  }
  win.write_ints("core", core);
  win.write_ints("cluster", cluster);
  win.write_ints("neighbor_offsets", offsets);
  win.write_ints("neighbors", nbrs);
  win.write_ints("neighbors_gone", dead);
  win.write_ints("first_link_count", sample_count);
  win.write_ints("first_links", sample);
}

void WindowedDBSCAN::load_state(const std::string& params, const StateReader& in) {
  WindowedDBSCAN fresh(settings_table().from_json(params));
  const std::string& file = in.file();
  fresh.d_ = in.read_int("dimension");
  fresh.batches_seen_ = in.read_int("batches_seen");
  fresh.next_id_ = in.read_int("next_cluster_id");
  fresh.last_reexpanded_ = in.read_int("last_reexpanded");
  fresh.last_labels_ = in.read_ints("last_labels");
  STREAMML_CHECK(fresh.d_ >= -1 && fresh.d_ != 0 && fresh.batches_seen_ >= 0 && fresh.next_id_ >= 0, InvalidInput,
                 file << ": dimension " << fresh.d_ << ", batches_seen " << fresh.batches_seen_
                      << ", next_cluster_id " << fresh.next_id_ << " are not all valid");
  const StateReader win = in.group("window");
  auto& w = *fresh.window_;
  w.front_seq = win.read_int("front_seq");
  w.next_seq = win.read_int("next_seq");
  STREAMML_CHECK(0 <= w.front_seq && w.front_seq <= w.next_seq, InvalidInput,
                 win.where("front_seq") << ": window [" << w.front_seq << ", " << w.next_seq << ") is not valid");
  const auto first_seq = win.read_ints("batch_first_seq");
  const auto end_time = win.read_ints("batch_end_time_us", std::int64_t(first_seq.size()));
  const auto rows = win.read_ints("batch_rows", std::int64_t(first_seq.size()));
  const std::int64_t m = w.next_seq - w.front_seq;
  const std::size_t d = fresh.d_ < 0 ? 0 : std::size_t(fresh.d_);
  const RowMatrix x = win.read_matrix("features", m, std::int64_t(d));
  const auto core = win.read_ints("core", m);
  const auto cluster = win.read_ints("cluster", m);
  const auto offsets = win.read_ints("neighbor_offsets", m + 1);
  const auto nbrs = win.read_ints("neighbors");
  const auto dead = win.read_ints("neighbors_gone", m);
  const auto sample_count = win.read_ints("first_link_count", m);
  const auto sample = win.read_ints("first_links", m * std::int64_t(kFirstLinks));
  STREAMML_CHECK(offsets[0] == 0 && offsets.back() == std::int64_t(nbrs.size()), InvalidInput,
                 win.where("neighbor_offsets") << ": should run from 0 to " << nbrs.size());

  // Batches: consecutive sequence numbers covering the window exactly.
  std::int64_t seq = w.front_seq;
  const bool use_grid = fresh.d_ > 0 && SlidingGridIndex::wanted(d, fresh.settings_.algorithm);
  if (use_grid)
    w.grid = std::make_unique<SlidingGridIndex>(d, fresh.settings_.metric, fresh.settings_.eps);
  for (std::size_t k = 0; k < first_seq.size(); ++k) {
    STREAMML_CHECK(first_seq[k] == seq && rows[k] >= 0 && seq + rows[k] <= w.next_seq, InvalidInput,
                   win.where("batch_first_seq") << ": batch " << k << " does not continue the window at " << seq);
    WindowBatch b;
    b.first_seq = seq;
    b.end_time = end_time[k];
    b.rows = std::size_t(rows[k]);
    const double* begin = x.data() + (seq - w.front_seq) * std::int64_t(d);
    b.x.assign(begin, begin + b.rows * d);
    if (b.rows > 0 && !use_grid)
      b.index = std::make_unique<NeighborIndex>(b.x.data(), b.rows, d, d, fresh.settings_.metric,
                                                fresh.settings_.eps,
                                                fresh.settings_.algorithm);
    if (use_grid && b.rows > 0) w.grid->insert(b.first_seq, b.x.data(), b.rows, d);
    seq += rows[k];
    w.batches.push_back(std::move(b));
  }
  STREAMML_CHECK(seq == w.next_seq, InvalidInput,
                 win.where("batch_rows") << ": batches hold " << seq - w.front_seq << " points, the window " << m);
  // The newest batch is always in the window; last_labels are its labels.
  const std::int64_t newest_rows = rows.empty() ? 0 : rows.back();
  STREAMML_CHECK(std::int64_t(fresh.last_labels_.size()) == newest_rows, InvalidInput,
                 in.where("last_labels") << ": has " << fresh.last_labels_.size() << " labels, the newest batch "
                                         << newest_rows << " rows");
  STREAMML_CHECK(x.allFinite(), InvalidInput, win.where("features") << ": holds NaN or Inf");

  w.points.resize(std::size_t(m));
  for (std::int64_t i = 0; i < m; ++i) {
    Point& p = w.points[std::size_t(i)];
    const std::int64_t b = offsets[std::size_t(i)], e = offsets[std::size_t(i) + 1];
    STREAMML_CHECK(b <= e && dead[std::size_t(i)] >= 0 && dead[std::size_t(i)] <= e - b &&
                       sample_count[std::size_t(i)] >= 0 && sample_count[std::size_t(i)] <= std::int64_t(kFirstLinks) &&
                       (core[std::size_t(i)] == 0 || core[std::size_t(i)] == 1) && cluster[std::size_t(i)] >= -1 &&
                       cluster[std::size_t(i)] < fresh.next_id_,
                   InvalidInput, win.where("neighbors") << ": point " << i << " of the window is not consistent");
    p.nbrs.assign(nbrs.begin() + b, nbrs.begin() + e);
    // Ascending; the first `dead` have left the window, the others are in it (the next batch
    // indexes the window's points by them).
    for (std::size_t k = 0; k < p.nbrs.size(); ++k) {
      const std::int64_t t = p.nbrs[k];
      const bool live = std::int64_t(k) >= dead[std::size_t(i)];
      STREAMML_CHECK(t >= 0 && t < w.next_seq && t != w.front_seq + i && (live == (t >= w.front_seq)) &&
                         (k == 0 || p.nbrs[k - 1] < t),
                     InvalidInput,
                     win.where("neighbors") << ": point " << i << " lists neighbour " << t << " at " << k << " ("
                                            << dead[std::size_t(i)] << " gone); lists ascend, and the gone ones, "
                                            << "before the window's first point " << w.front_seq << ", come first");
    }
    p.dead = std::uint32_t(dead[std::size_t(i)]);
    p.core = core[std::size_t(i)] == 1;
    p.cluster = cluster[std::size_t(i)];
    p.sample_count = std::uint8_t(sample_count[std::size_t(i)]);
    std::copy(sample.begin() + std::ptrdiff_t(std::size_t(i) * kFirstLinks),
              sample.begin() + std::ptrdiff_t((std::size_t(i) + 1) * kFirstLinks), p.sample);
    // The first links index the window's points (once >= front_seq) on the next batch.
    for (std::size_t k = 0; k < p.sample_count; ++k)
      STREAMML_CHECK(p.sample[k] >= 0 && p.sample[k] < w.next_seq, InvalidInput,
                     win.where("first_links") << ": point " << i << " links to " << p.sample[k]
                                              << ", outside the sequence numbers [0, " << w.next_seq << ")");
  }
  *this = std::move(fresh);
}

}  // namespace streamml
