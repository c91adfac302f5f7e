#include "algorithms/clustering/dbscan.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <sstream>

#include "algorithms/clustering/neighbor_index.h"
#include "algorithms/clustering/union_find.h"
#include "core/error.h"
#include "core/json.h"
#include "core/parallel.h"

namespace streamml {

namespace {

// Points per parallel block: one scratch vector per block, reused for each of its points.
constexpr std::size_t kBlock = 256;
// At most this many stored links (4 bytes each, 1 GiB) between the two passes.
constexpr std::size_t kMaxStoredLinks = std::size_t(1) << 28;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Settings

const SettingsTable<DBSCANSettings>& dbscan_settings_table() {
  static const SettingsTable<DBSCANSettings> table = [] {
    SettingsTable<DBSCANSettings> t("dbscan");
    add_dbscan_settings(t);
    return t;
  }();
  return table;
}

void DBSCANSettings::set(std::string_view name, std::string_view v) { dbscan_settings_table().set(*this, name, v); }
void DBSCANSettings::validate() const { dbscan_settings_table().validate(*this); }
std::string DBSCANSettings::to_json() const { return dbscan_settings_table().to_json(*this); }

// ---------------------------------------------------------------------------------------------
// DBSCAN

DBSCAN::DBSCAN(DBSCANSettings settings) : settings_(std::move(settings)) { settings_.validate(); }

DBSCANResult DBSCAN::fit(const Eigen::Ref<const RowMatrix>& x) const {
  return fit(x.data(), std::size_t(x.rows()), std::size_t(x.cols()), std::size_t(x.outerStride()));
}

DBSCANResult DBSCAN::fit(const Batch& batch) const {
  return fit(batch.features.data(), batch.rows, batch.cols, batch.cols);
}

DBSCANResult DBSCAN::fit(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                         const double* sample_weight) const {
  STREAMML_CHECK(d >= 1, InvalidInput, "DBSCAN needs at least 1 feature column, got " << d);
  STREAMML_CHECK(n < std::numeric_limits<std::uint32_t>::max(), InvalidInput,
                 "DBSCAN supports fewer than 2^32 - 1 points, got " << n);
  check_finite_rows(data, n, d, stride, "features");
  if (sample_weight) check_finite_rows(sample_weight, n, 1, 1, "sample_weight");
  DBSCANResult out;
  out.labels.assign(n, -1);
  out.neighbor_counts.assign(n, 0);
  if (n == 0) return out;

  const NeighborIndex index(data, n, d, stride, settings_.metric, settings_.eps,
                            settings_.algorithm);
  const auto min_samples = settings_.min_samples;

  // Pass 1: one range query per point: its neighbour count (hence core points) and, kept in
  // memory per block of points, its neighbours of lower index (each link once). Past a memory
  // budget the lists are dropped and pass 2 queries again instead: same result, more time.
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::vector<std::uint32_t>> lower(blocks);
  std::vector<std::uint32_t> lower_end(n, 0);  // end of point i's list in its block's vector
  std::atomic<std::size_t> stored{0};
  std::atomic<bool> keep_lists{true};
  std::vector<std::uint8_t> core(n, 0);
  parallel_ranges(blocks, 1, [&](std::size_t from, std::size_t to) {
    std::vector<std::uint32_t> nb;
    for (std::size_t b = from; b != to; ++b) {
      auto& list = lower[b];
      for (std::size_t i = b * kBlock, e = std::min(n, (b + 1) * kBlock); i < e; ++i) {
        nb.clear();
        index.query(data + i * stride, nb);
        out.neighbor_counts[i] = std::int64_t(nb.size());
        if (sample_weight) {
          double weight = 0;  // summed in the index's order, fixed for the data
          for (std::uint32_t j : nb) weight += sample_weight[j];
          core[i] = weight >= double(min_samples);
        } else {
          core[i] = std::int64_t(nb.size()) >= min_samples;
        }
        if (keep_lists.load(std::memory_order_relaxed)) {
          for (std::uint32_t j : nb)
            if (j < i) list.push_back(j);
          lower_end[i] = std::uint32_t(list.size());
          if (list.size() > kMaxStoredLinks) keep_lists.store(false);
        }
      }
      if (stored.fetch_add(list.size()) + list.size() > kMaxStoredLinks) keep_lists.store(false);
    }
  });
  const bool lists = keep_lists.load();
  if (!lists) std::vector<std::vector<std::uint32_t>>().swap(lower);

  // Pass 2: core-core links; every non-core point's lowest-index core neighbour (from its own
  // lower list, or else the smallest core point whose lower list holds it: an atomic min).
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  MinRootUnionFind uf(n);
  std::vector<std::atomic<std::uint32_t>> border_of(n);
  for (auto& b : border_of) b.store(kNone, std::memory_order_relaxed);
  auto lower_min = [&](std::uint32_t i, std::uint32_t j) {
    std::uint32_t cur = border_of[i].load(std::memory_order_relaxed);
    while (j < cur && !border_of[i].compare_exchange_weak(cur, j, std::memory_order_relaxed)) {
    }
  };
  parallel_ranges(blocks, 1, [&](std::size_t from, std::size_t to) {
    std::vector<std::uint32_t> nb;
    for (std::size_t b = from; b != to; ++b)
      for (std::size_t i = b * kBlock, e = std::min(n, (b + 1) * kBlock); i < e; ++i) {
        const auto self = std::uint32_t(i);
        const std::uint32_t* first;
        const std::uint32_t* last;
        if (lists) {
          first = lower[b].data() + (i == b * kBlock ? 0 : lower_end[i - 1]);
          last = lower[b].data() + lower_end[i];
        } else {
          nb.clear();
          index.query(data + i * stride, nb);
          std::sort(nb.begin(), nb.end());
          first = nb.data();
          last = nb.data() + (std::lower_bound(nb.begin(), nb.end(), self) - nb.begin());
        }
        if (core[i]) {
          std::uint32_t root = uf.find(self);
          for (const std::uint32_t* p = first; p != last; ++p) {
            const std::uint32_t j = *p;
            if (core[j]) {
              if (uf.parent_of(j) != root) {  // skip neighbours already linked
                uf.unite(self, j);
                root = uf.find(self);
              }
            } else {
              lower_min(j, self);  // i is a core neighbour of the non-core j
            }
          }
        } else {
          for (const std::uint32_t* p = first; p != last; ++p)
            if (core[*p]) lower_min(self, *p);
        }
      }
  });

  // Canonical numbering: a component's root is its smallest core index.
  std::vector<std::int64_t> id_of_root(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!core[i]) continue;
    out.core_sample_indices.push_back(std::int64_t(i));
    const std::uint32_t root = uf.find(std::uint32_t(i));
    if (root == i) id_of_root[i] = out.n_clusters++;
    out.labels[i] = id_of_root[root];
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!core[i] && border_of[i].load(std::memory_order_relaxed) != kNone)
      out.labels[i] = out.labels[border_of[i].load(std::memory_order_relaxed)];
  out.cluster_sizes.assign(std::size_t(out.n_clusters), 0);
  for (auto l : out.labels) {
    if (l < 0) ++out.n_noise;
    else ++out.cluster_sizes[std::size_t(l)];
  }
  return out;
}

}  // namespace streamml
