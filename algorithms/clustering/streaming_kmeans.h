// Streaming k-means: Spark MLlib's StreamingKMeans, with scikit-learn's k-means++ as a start.
//
// Per batch, exactly Spark's StreamingKMeansModel.update (mllib/clustering/StreamingKMeans.scala,
// the code, not its doc comment, whose denominator is wrong):
//   1. assign every point to its nearest centre (squared Euclidean distance; ties go to the
//      lower index, as KMeans.findClosest);
//   2. per cluster j: the sum s_j of its points and their number m_j;
//   3. discount a = decay_factor (time_unit "batches") or decay_factor^n for a batch of n
//      points (time_unit "points"); EVERY cluster's weight is multiplied by a, also the
//      clusters that got no point;
//   4. for each cluster with m_j > 0:  w_j <- w_j + m_j (w_j already discounted),
//        lambda = m_j / max(w_j, 1e-16),   c_j <- (1 - lambda) c_j + (lambda / m_j) s_j;
//   5. dying clusters: with w_max / w_min the largest / smallest weight (the first index of
//      each, as Scala's maxBy / minBy), if w_min < 1e-8 w_max both get (w_max + w_min) / 2 and
//      the largest centre x is split: c_largest <- x + p, c_smallest <- x - p, with
//      p_j = 1e-14 max(|x_j|, 1).
// half_life h (> 0) sets decay_factor = exp(ln 0.5 / h) (Spark's setHalfLife), so data h units
// old weigh half. An empty batch still is a batch: under "batches" it discounts the weights
// (as Spark's trainOn calls update for every RDD, empty or not); under "points" a^0 = 1.
//
// Initial centres (init):
//   "given":     initial_centers (k rows), weights initial_weights (Spark's setInitialCenters).
//   "random":    Spark's setRandomCenters(dim, weight, seed): k x dim independent N(0, 1)
//                draws. The draws are NumPy's legacy ones, numpy.random.RandomState(seed)
//                .standard_normal((k, dim)) (MT19937 and the polar method), so one line of
//                Python reproduces them; Spark's own XORShiftRandom numbers are not
//                reproduced. dim = `dimension`, or the first batch's columns when 0.
//   "k-means++": scikit-learn 1.2's greedy k-means++ (sklearn.cluster.kmeans_plusplus) on
//                the first batch: 2 + floor(ln k) local trials per centre, the candidate that
//                lowers the potential most is kept. Its random numbers are NumPy's legacy
//                RandomState(seed) ones (randint, then uniform per step), so with the same seed
//                it picks the same points as kmeans_plusplus(X, k, random_state=seed) (up to
//                rounding ties: sklearn's distances are ||x||^2 - 2 x.c + ||c||^2, ours are
//                sums of squared differences). The first batch has to hold at least k points.
//                The first batch is then learned by the update above.
// initial_weights (k entries, or empty for 0 each) are the weights of the initial centres
// whatever init; Spark's setRandomCenters gives one weight to all, PySpark's tests use 1.
//
// Determinism: the assignment runs in parallel over points in fixed blocks of 256 rows; each
// block's per-cluster sums are added in block order, so 1 thread and many give the same bits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "algorithms/common/forgetting.h"
#include "core/batch.h"
#include "core/learner.h"
#include "core/row_view.h"
#include "core/settings.h"

namespace streamml {

// Hyperparameters. Plain data: a fresh learner is made from these alone.
enum class KMeansInit { KMeansPlusPlus, Random, Given };

// Each setting is declared, with its range and doc, in StreamingKMeans::settings_table().
struct StreamingKMeansSettings {
  std::int64_t k = 2;                   // clusters (Spark's default)
  double decay_factor = 1.0;            // in [0, 1]; 1: no forgetting, 0: only the last batch
  double half_life = 0.0;               // > 0: decay_factor = exp(ln 0.5 / half_life)
  TimeUnit time_unit = TimeUnit::Batches;
  KMeansInit init = KMeansInit::KMeansPlusPlus;
  std::uint64_t seed = 42;              // k-means++ and random centres (NumPy's 32-bit seed)
  std::vector<double> initial_centers;  // init given: k rows of `dimension`, row-major
  std::vector<double> initial_weights;  // k weights of the initial centres; empty: 0 each
  std::int64_t dimension = 0;           // features; 0: from initial_centers or the first batch

  // Throws Error(InvalidInput) naming the first setting that is wrong and why.
  void validate() const;
  // Sets one setting from text, as the command line gives it ("k", "8"). Centres are rows
  // separated by ';' of values separated by ',' ("0,0;1,1"); weights "1,1".
  void set(std::string_view name, std::string_view value);
  std::string to_json() const;

  // The per-unit decay factor, half_life resolved.
  double effective_decay() const;
};

// Everything the learner has learned, so a checkpoint can save it and a restored learner
// continues the stream exactly. Before the centres exist: dimension -1, empty matrices.
struct StreamingKMeansState {
  std::int64_t dimension = -1;  // -1: no centres yet (k-means++/random wait for the first batch)
  RowMatrix centers;            // (k, dimension)
  Eigen::VectorXd weights;      // (k)
  std::int64_t batches_seen = 0;
  std::int64_t points_seen = 0;
  std::int64_t splits = 0;      // dying-cluster splits so far
  // The last batch learned: its points, and its cost: the sum of squared distances of its
  // points to the centres they were assigned to (the centres before that batch's update).
  std::int64_t last_batch_points = 0;
  double last_batch_cost = 0.0;
};

// scikit-learn 1.2's greedy k-means++ seeding with NumPy's legacy RandomState(seed) numbers:
// the row indices of the k points chosen as centres, in the order chosen (what
// sklearn.cluster.kmeans_plusplus(x, k, random_state=seed) returns as `indices`). Needs
// k <= rows and finite values (throws Error(InvalidInput) otherwise).
std::vector<std::size_t> kmeans_plusplus(const Eigen::Ref<const RowMatrix>& x, std::int64_t k, std::uint32_t seed);

class StreamingKMeans : public Learner {
 public:
  // Validates the settings (throws Error(InvalidInput)); with init "given", or "random" and a
  // dimension, the centres exist from the start.
  using Settings = StreamingKMeansSettings;
  static const SettingsTable<Settings>& settings_table();

  explicit StreamingKMeans(StreamingKMeansSettings settings = {});

  const StreamingKMeansSettings& settings() const { return settings_; }
  const StreamingKMeansState& state() const { return state_; }
  // Replaces the learned state (a checkpoint being restored); checks every size and value and
  // throws Error(InvalidInput) naming the field that does not fit.
  void set_state(StreamingKMeansState state);

  // Learner.
  static constexpr const char* kType = "kmeans";
  static constexpr LearnerRole kRole = LearnerRole::Clusterer;
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override { return settings_.to_json(); }
  void partial_fit(const Batch& batch) override;
  // The nearest centre's index, as a double.
  Eigen::VectorXd score(const Batch& batch) const override;
  void write_summary(JsonWriter& out) const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // Dense rows as a row-major (n, d) matrix (NumPy's C order).
  void partial_fit(const Eigen::Ref<const RowMatrix>& x);

  // Nearest centre index per row.
  Eigen::VectorXi predict(const Eigen::Ref<const RowMatrix>& x) const;
  Eigen::VectorXi predict(const Batch& batch) const;
  // Euclidean distance of every row to every centre, (n, k) (scikit-learn's transform).
  RowMatrix transform(const Eigen::Ref<const RowMatrix>& x) const;
  // Sum of squared distances to the nearest centre (Spark's computeCost, scikit-learn's
  // inertia_ for the data given, -score).
  double cost(const Eigen::Ref<const RowMatrix>& x) const;

  bool initialized() const { return state_.dimension >= 0; }
  std::int64_t k() const { return settings_.k; }
  std::int64_t dimension() const { return state_.dimension; }
  const RowMatrix& cluster_centers() const { return state_.centers; }
  const Eigen::VectorXd& cluster_weights() const { return state_.weights; }

  using Rows = RowView;

 private:
  void check_rows(const Rows& rows) const;
  void require_centers(const char* what) const;
  void initialize_from(const Rows& rows);
  void fit_rows(const Rows& rows);

  StreamingKMeansSettings settings_;
  StreamingKMeansState state_;
};

}  // namespace streamml
