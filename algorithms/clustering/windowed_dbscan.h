// Sliding-window DBSCAN for streams: after every batch, the DBSCAN clustering (dbscan.h,
// scikit-learn's definition) of the points of the last `window_batches` batches, kept up to
// date incrementally instead of recomputed.
//
// State per window point: its features, the ascending arrival numbers ("sequence numbers")
// of its neighbours within eps, whether it is core, and its cluster id. Per batch:
//   1. expiry (when the window is full): the oldest batch leaves; since neighbour lists are
//      in arrival order, the expired neighbours are a prefix of each list, skipped by a count
//      (walking the leaving points' own lists) and cut off once half the list; counts drop,
//      some core points stop being core;
//   2. insertion: one range query per new point over the window's neighbour index: where
//      NeighborIndex would take its grid ("auto" with d <= 2, or "grid" with d <= 3), one
//      grid over the whole window (SlidingGridIndex: points enter and leave cells in arrival
//      order); otherwise one kd-tree per batch, built when the batch arrives, dropped when it
//      expires. New points are appended to their old neighbours' lists; counts rise, some
//      points become core;
//   3. clusters: a cluster is "affected" when it lost a core point (expired or no longer
//      core), which is the only way it can lose a core-core link. Clusters not affected keep
//      their structure whole and act as single nodes. A union-find over the core points of
//      affected clusters, the new core points and the untouched clusters: the old core points
//      first link over a few stored neighbours each (which keeps a dense cluster in one set),
//      then, in a cluster not yet in one set, the points outside its largest set over all
//      their links, then the new core points over all theirs. No range query is repeated;
//   4. border points: each non-core point takes the cluster of its lowest-sequence core
//      neighbour (-1 when it has none).
// The result equals exact DBSCAN recomputed on the window's points in arrival order, label
// for label up to the numbering of clusters: same noise, same partition of core points, and
// each border point in the cluster of its lowest-index core neighbour (the canonical rule of
// dbscan.h). tests/cpp/test_windowed_dbscan.cpp checks this after each of 50 batches.
//
// Cluster ids are stable over time. Ids are never reused; a new id is larger than every
// older one, so "smaller" means "older". After each batch:
//   - a cluster persists as the new cluster that contains its oldest surviving core point
//     (smallest sequence number), and keeps its id there;
//   - on a merge, the new cluster holds the oldest surviving core points of several old
//     clusters: the smallest (oldest) id wins, the others end;
//   - on a split, the part holding the oldest surviving core point keeps the id; the other
//     parts get fresh ids;
//   - a cluster whose core points have all expired or stopped being core ends;
//   - new clusters (no old cluster's oldest surviving core point) get fresh ids, in the
//     order of their oldest core point.
//
// Anomalies: the noise points of the newest batch, as labelled right after it arrived.
//
// As a Learner (type "dbscan"): partial_fit(batch) slides the window; score(batch) gives each
// record the label it gets as a border point of the current window: the cluster id of its
// lowest-sequence core neighbour in the window, -1 when it has none (the record itself is not
// added). Scoring the newest batch right after partial_fit gives exactly its labels.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "algorithms/clustering/dbscan.h"
#include "core/batch.h"
#include "core/learner.h"

namespace streamml {

struct WindowedDBSCANSettings {
  double eps = 0.5;
  std::int64_t min_samples = 5;
  DistanceMetric metric = DistanceMetric::Euclidean;
  NeighborAlgorithm algorithm = NeighborAlgorithm::Auto;
  std::int64_t window_batches = 10;  // W: the window is the last W batches (empty ones count)
  // T > 0: the window is instead the batches that cover event time within T seconds of the
  // newest: a batch stays while newest_end - its_end < T (ends as Batch::event_time_end()).
  double window_seconds = 0.0;

  void validate() const;
  void set(std::string_view name, std::string_view value);
  std::string to_json() const;
  // The exact DBSCAN settings the window is clustered with.
  DBSCANSettings dbscan() const;
};

class WindowedDBSCAN : public Learner {
 public:
  using Settings = WindowedDBSCANSettings;
  static const SettingsTable<Settings>& settings_table();

  explicit WindowedDBSCAN(WindowedDBSCANSettings settings = {});
  ~WindowedDBSCAN() override;
  WindowedDBSCAN(WindowedDBSCAN&&) noexcept;
  WindowedDBSCAN& operator=(WindowedDBSCAN&&) noexcept;

  const WindowedDBSCANSettings& settings() const { return settings_; }

  // Learner.
  static constexpr const char* kType = "dbscan";
  static constexpr LearnerRole kRole = LearnerRole::Clusterer;
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override { return settings_.to_json(); }
  void partial_fit(const Batch& batch) override;
  Eigen::VectorXd score(const Batch& batch) const override;
  void write_summary(JsonWriter& out) const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // Slides the window by one batch of rows (n, d). Throws Error(InvalidInput) for a
  // dimension that differs from the window's, d = 0, or NaN/Inf (row and column named); the
  // window is unchanged then.
  // `time`: the event time the batch covers up to; required when window_seconds > 0.
  void partial_fit(const Eigen::Ref<const RowMatrix>& x, std::optional<EventTime> time = std::nullopt);
  void partial_fit(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                   std::optional<EventTime> time = std::nullopt);
  // score() as integers.
  std::vector<std::int64_t> predict(const Eigen::Ref<const RowMatrix>& x) const;
  std::vector<std::int64_t> predict(const double* data, std::size_t n, std::size_t d, std::size_t stride) const;

  // The newest batch: labels right after it arrived, and its noise rows (the anomalies).
  const std::vector<std::int64_t>& last_labels() const { return last_labels_; }
  std::vector<std::int64_t> last_anomalies() const;

  // The window, in arrival order.
  std::size_t window_points() const;
  std::size_t window_batches() const;
  std::int64_t first_sequence() const;        // arrival number of the window's first point
  std::vector<std::int64_t> window_labels() const;
  std::vector<std::int64_t> window_core_sample_indices() const;  // positions in the window
  RowMatrix window_features() const;           // a copy, (window_points, d)
  std::map<std::int64_t, std::int64_t> cluster_sizes() const;  // id -> points (core + border)
  std::int64_t window_noise() const;
  std::int64_t batches_seen() const { return batches_seen_; }
  std::int64_t dimension() const { return d_; }
  // Core points re-expanded by the last batch (the incremental work done), for benchmarks.
  std::int64_t last_reexpanded() const { return last_reexpanded_; }

  struct Window;  // the points and the neighbour index (defined in the .cpp)

 private:
  WindowedDBSCANSettings settings_;
  std::unique_ptr<Window> window_;
  std::int64_t d_ = -1;
  std::int64_t batches_seen_ = 0;
  std::int64_t next_id_ = 0;
  std::int64_t last_reexpanded_ = 0;
  std::vector<std::int64_t> last_labels_;
};

}  // namespace streamml
