#include "algorithms/clustering/streaming_kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "core/error.h"
#include "core/finite.h"
#include "core/json.h"
#include "core/parallel.h"
#include "core/state_io.h"

namespace streamml {

namespace {

// Each row's result is independent of the others, and every sum over rows is taken serially
// in row order afterwards, so the thread count never changes a bit.
using Rows = RowView;




// Squared Euclidean distance, summed in an order that depends only on d (four running sums),
// so a row gives the same bits wherever it sits in memory.
inline double sq_dist(const double* a, const double* b, std::size_t d) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    const double e0 = a[j] - b[j], e1 = a[j + 1] - b[j + 1], e2 = a[j + 2] - b[j + 2], e3 = a[j + 3] - b[j + 3];
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; j < d; ++j) {
    const double e = a[j] - b[j];
    s0 += e * e;
  }
  return (s0 + s1) + (s2 + s3);
}

// The nearest centre of x (the lower index on ties, as Spark's KMeans.findClosest) and its
// squared distance.
inline std::int32_t nearest(const double* x, const RowMatrix& centers, double& best) {
  const std::size_t d = std::size_t(centers.cols());
  std::int32_t arg = 0;
  best = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < centers.rows(); ++j) {
    const double s = sq_dist(x, centers.row(j).data(), d);
    if (s < best) {
      best = s;
      arg = std::int32_t(j);
    }
  }
  return arg;
}

// NumPy's legacy numpy.random.RandomState(seed) for a 32-bit integer seed: MT19937 seeded by
// init_genrand (std::mt19937 is the same generator), with NumPy's conversions, so Python can
// reproduce every draw.
class NumpyLegacyRandom {
 public:
  explicit NumpyLegacyRandom(std::uint32_t seed) : mt_(seed) {}

  std::uint32_t next_uint32() { return std::uint32_t(mt_()); }
  // random_sample(): 53 random bits.
  double next_double() {
    const std::uint32_t a = next_uint32() >> 5, b = next_uint32() >> 6;
    return (double(a) * 67108864.0 + double(b)) / 9007199254740992.0;
  }
  // randint(n) for n >= 1: masked rejection sampling on 32-bit draws (n - 1 < 2^32).
  std::uint64_t randint(std::uint64_t n) {
    const std::uint64_t rng = n - 1;
    if (rng == 0) return 0;
    std::uint64_t mask = rng;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    std::uint64_t v;
    while ((v = (next_uint32() & mask)) > rng) {
    }
    return v;
  }
  // standard_normal(): the polar method, keeping the second value for the next call.
  double gauss() {
    if (has_gauss_) {
      has_gauss_ = false;
      return gauss_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * next_double() - 1.0;
      x2 = 2.0 * next_double() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    has_gauss_ = true;
    return f * x2;
  }

 private:
  std::mt19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

// scikit-learn 1.2's _kmeans_plusplus (no sample weights), with NumPy's legacy random numbers.
std::vector<std::size_t> kmeans_plusplus_rows(const Rows& rows, std::int64_t k, std::uint32_t seed) {
  const std::size_t n = rows.n, d = rows.d;
  NumpyLegacyRandom rng(seed);
  const int trials = 2 + int(std::log(double(k)));
  std::vector<std::size_t> chosen;
  chosen.reserve(std::size_t(k));
  chosen.push_back(std::size_t(rng.randint(n)));

  std::vector<double> closest(n), cumsum(n);
  auto distances_to = [&](std::size_t c, double* out) {
    const double* xc = rows.row(c);
    for_each_block(n, [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r) out[r] = sq_dist(rows.row(r), xc, d);
    });
  };
  auto sum = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
  };
  distances_to(chosen[0], closest.data());
  double pot = sum(closest);

  const auto ntrials = static_cast<std::size_t>(trials);
  std::vector<std::vector<double>> cand(ntrials, std::vector<double>(n));
  std::vector<std::size_t> ids(ntrials);
  for (std::int64_t c = 1; c < k; ++c) {
    double running = 0;
    for (std::size_t r = 0; r < n; ++r) cumsum[r] = running += closest[r];
    for (int t = 0; t < trials; ++t) {
      const double target = rng.next_double() * pot;
      // np.searchsorted(side="left"): the first index whose cumulative sum is >= target,
      // clipped to the last one.
      const auto it = std::lower_bound(cumsum.begin(), cumsum.end(), target);
      ids[std::size_t(t)] = std::min(std::size_t(it - cumsum.begin()), n - 1);
    }
    std::size_t best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      auto& dist = cand[std::size_t(t)];
      distances_to(ids[std::size_t(t)], dist.data());
      for (std::size_t r = 0; r < n; ++r) dist[r] = std::min(dist[r], closest[r]);
      const double p = sum(dist);
      if (p < best_pot) {  // np.argmin: the first minimum
        best_pot = p;
        best = std::size_t(t);
      }
    }
    pot = best_pot;
    closest.swap(cand[best]);
    chosen.push_back(ids[best]);
  }
  return chosen;
}

}  // namespace

std::vector<std::size_t> kmeans_plusplus(const Eigen::Ref<const RowMatrix>& x, std::int64_t k, std::uint32_t seed) {
  STREAMML_CHECK(k >= 1 && k <= x.rows(), InvalidInput,
                 "k-means++ picks k points among the rows: k = " << k << ", rows = " << x.rows());
  const Rows rows = RowView::of(x);
  check_finite_rows(x.data(), std::size_t(x.rows()), std::size_t(x.cols()), std::size_t(x.outerStride()));
  return kmeans_plusplus_rows(rows, k, seed);
}

// ---------------------------------------------------------------------------------------------
// Settings

const SettingsTable<StreamingKMeansSettings>& StreamingKMeans::settings_table() {
  using S = StreamingKMeansSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t(kType);
    t.integer("k", &S::k, "number of clusters", Range::at_least(1));
    add_forgetting_settings(t)
        .choice("init", &S::init,
                  {{KMeansInit::KMeansPlusPlus, "k-means++"}, {KMeansInit::Random, "random"}, {KMeansInit::Given, "given"}},
                  "initial centres: k-means++ on the first batch, random (Spark's setRandomCenters), or initial_centers")
          .integer("seed", &S::seed, "k-means++ and random centres (NumPy's legacy 32-bit seed)",
                   Range::closed(0, 4294967295.0))
          .rows("initial_centers", &S::initial_centers, &S::dimension, "init given: k rows of dimension values")
          .reals("initial_weights", &S::initial_weights, "weights of the initial centres; empty: 0 each")
          .integer("dimension", &S::dimension, "features; 0: from initial_centers or the first batch",
                   Range::non_negative());
    return t;
  }();
  return table;
}

void StreamingKMeansSettings::set(std::string_view name, std::string_view v) {
  StreamingKMeans::settings_table().set(*this, name, v);
}

std::string StreamingKMeansSettings::to_json() const { return StreamingKMeans::settings_table().to_json(*this); }

void StreamingKMeansSettings::validate() const {
  StreamingKMeans::settings_table().validate(*this);
  const auto fail = [](const std::string& message) { settings_error(StreamingKMeans::kType, message); };
  if (k > std::numeric_limits<std::int32_t>::max()) fail("k must be < 2^31, got " + std::to_string(k));
  check_forgetting(StreamingKMeans::kType, decay_factor, half_life);
  if (init == KMeansInit::Given) {
    if (initial_centers.empty()) fail("init 'given' needs initial_centers (k = " + std::to_string(k) + " rows)");
    // The rows' length is known when they were read as rows (dimension): name their count.
    if (dimension > 0 && initial_centers.size() % std::size_t(dimension) == 0 &&
        initial_centers.size() / std::size_t(dimension) != std::size_t(k))
      fail("initial_centers has " + std::to_string(initial_centers.size() / std::size_t(dimension)) + " rows, k is " +
           std::to_string(k));
    if (initial_centers.size() % std::size_t(k) != 0)
      fail("initial_centers has " + std::to_string(initial_centers.size()) + " values, not k = " + std::to_string(k) +
           " rows of equal length");
    const std::size_t d = initial_centers.size() / std::size_t(k);
    if (dimension != 0 && std::size_t(dimension) != d)
      fail("initial_centers has " + std::to_string(k) + " rows of " + std::to_string(d) + " values, dimension is " +
           std::to_string(dimension));
  } else if (!initial_centers.empty()) {
    fail("initial_centers are given but init is '" + StreamingKMeans::settings_table().text(*this, "init") +
         "'; use init 'given'");
  }
  if (!initial_weights.empty() && std::int64_t(initial_weights.size()) != k)
    fail("initial_weights has " + std::to_string(initial_weights.size()) + " entries, expected k = " + std::to_string(k));
  for (std::size_t i = 0; i < initial_weights.size(); ++i)
    if (initial_weights[i] < 0)
      fail("initial_weights[" + std::to_string(i) + "] must be >= 0, got " + real_text(initial_weights[i]));
}

double StreamingKMeansSettings::effective_decay() const {
  return streamml::effective_decay(decay_factor, half_life);
}

// ---------------------------------------------------------------------------------------------
// Learner

StreamingKMeans::StreamingKMeans(StreamingKMeansSettings settings) : settings_(std::move(settings)) {
  settings_.validate();
  const auto& s = settings_;
  if (s.init == KMeansInit::Given) {
    const auto d = Eigen::Index(s.initial_centers.size() / std::size_t(s.k));
    state_.dimension = d;
    state_.centers = ConstRowMatrixMap(s.initial_centers.data(), Eigen::Index(s.k), d);
  } else if (s.init == KMeansInit::Random && s.dimension > 0) {
    NumpyLegacyRandom rng(std::uint32_t(s.seed));
    state_.dimension = s.dimension;
    state_.centers.resize(Eigen::Index(s.k), Eigen::Index(s.dimension));
    for (Eigen::Index i = 0; i < state_.centers.size(); ++i) state_.centers.data()[i] = rng.gauss();
  }
  if (initialized()) {
    state_.weights = s.initial_weights.empty()
                         ? Eigen::VectorXd::Zero(Eigen::Index(s.k))
                         : Eigen::Map<const Eigen::VectorXd>(s.initial_weights.data(), Eigen::Index(s.k)).eval();
  }
}

void StreamingKMeans::set_state(StreamingKMeansState st) {
  const auto& s = settings_;
  if (st.dimension < 0) {
    STREAMML_CHECK(s.init != KMeansInit::Given && !(s.init == KMeansInit::Random && s.dimension > 0), InvalidInput,
                   "state: no centres, but init '" << settings_table().text(s, "init") << "' has them from the start");
    STREAMML_CHECK(st.centers.size() == 0 && st.weights.size() == 0, InvalidInput,
                   "state: dimension is -1 (no centres) but centres or weights are given");
  } else {
    STREAMML_CHECK(st.dimension >= 1, InvalidInput, "state: dimension must be >= 1, got " << st.dimension);
    STREAMML_CHECK(s.dimension == 0 || st.dimension == s.dimension, InvalidInput,
                   "state: dimension " << st.dimension << ", settings say " << s.dimension);
    STREAMML_CHECK(st.centers.rows() == s.k && st.centers.cols() == st.dimension, InvalidInput,
                   "state: centres are (" << st.centers.rows() << ", " << st.centers.cols() << "), expected (" << s.k
                                          << ", " << st.dimension << ")");
    STREAMML_CHECK(st.weights.size() == s.k, InvalidInput,
                   "state: weights has " << st.weights.size() << " entries, expected k = " << s.k);
    STREAMML_CHECK(st.centers.allFinite(), InvalidInput, "state: centres hold NaN or Inf");
    STREAMML_CHECK(st.weights.allFinite() && (st.weights.array() >= 0).all(), InvalidInput,
                   "state: weights must be finite and >= 0");
  }
  STREAMML_CHECK(st.batches_seen >= 0 && st.points_seen >= 0 && st.splits >= 0 && st.last_batch_points >= 0,
                 InvalidInput, "state: negative counters");
  state_ = std::move(st);
}

void StreamingKMeans::check_rows(const Rows& rows) const {
  const std::int64_t expected = initialized() ? state_.dimension : settings_.dimension;
  if (expected > 0)
    STREAMML_CHECK(std::int64_t(rows.d) == expected, InvalidInput,
                   "features has " << rows.d << " columns, model expects " << expected);
  STREAMML_CHECK(rows.d >= 1 || rows.n == 0, InvalidInput, "features has 0 columns; k-means needs at least 1");
  check_finite_rows(rows.dense, rows.n, rows.d, std::size_t(rows.stride));
}

void StreamingKMeans::require_centers(const char* what) const {
  STREAMML_CHECK(initialized(), InvalidInput,
                 what << " needs cluster centres: with init '" << settings_table().text(settings_, "init")
                      << "' they exist after the first partial_fit");
}

void StreamingKMeans::initialize_from(const Rows& rows) {
  const auto& s = settings_;
  const auto k = Eigen::Index(s.k), d = Eigen::Index(rows.d);
  state_.centers.resize(k, d);
  if (s.init == KMeansInit::Random) {
    NumpyLegacyRandom rng(std::uint32_t(s.seed));
    for (Eigen::Index i = 0; i < state_.centers.size(); ++i) state_.centers.data()[i] = rng.gauss();
  } else {
    STREAMML_CHECK(std::int64_t(rows.n) >= s.k, InvalidInput,
                   "init 'k-means++' picks the k = " << s.k << " centres among the first batch's points, which has "
                                                     << rows.n << " sample(s); send a larger first batch, or use init "
                                                                  "'random' or given centres");
    const auto ids = kmeans_plusplus_rows(rows, s.k, std::uint32_t(s.seed));
    for (Eigen::Index c = 0; c < k; ++c)
      state_.centers.row(c) = Eigen::Map<const Eigen::RowVectorXd>(rows.row(ids[std::size_t(c)]), d);
  }
  state_.weights = s.initial_weights.empty()
                       ? Eigen::VectorXd::Zero(k)
                       : Eigen::Map<const Eigen::VectorXd>(s.initial_weights.data(), k).eval();
  state_.dimension = d;
}

void StreamingKMeans::partial_fit(const Batch& batch) { fit_rows(RowView::of(batch)); }
void StreamingKMeans::partial_fit(const Eigen::Ref<const RowMatrix>& x) { fit_rows(RowView::of(x)); }

void StreamingKMeans::fit_rows(const Rows& rows) {
  check_rows(rows);
  if (!initialized()) {
    if (rows.n == 0) return;  // nothing to take centres (or their dimension) from yet
    initialize_from(rows);
  }
  auto& st = state_;
  const std::size_t n = rows.n, d = rows.d;
  const Eigen::Index k = Eigen::Index(settings_.k);

  // 1. Nearest centre of every point, in parallel (each row independent of the others).
  std::vector<std::int32_t> label(n);
  std::vector<double> dist(n);
  for_each_block(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) label[r] = nearest(rows.row(r), st.centers, dist[r]);
  });

  // 2. Per-cluster sums and counts, and the batch cost, in row order.
  RowMatrix sums = RowMatrix::Zero(k, Eigen::Index(d));
  std::vector<std::int64_t> count(std::size_t(k), 0);
  double cost = 0;
  for (std::size_t r = 0; r < n; ++r) {
    double* s = sums.row(label[r]).data();
    const double* x = rows.row(r);
    for (std::size_t j = 0; j < d; ++j) s[j] += x[j];
    ++count[std::size_t(label[r])];
    cost += dist[r];
  }

  // 3. Discount every cluster's weight, also the empty ones.
  const double a = settings_.effective_decay();
  const double discount = settings_.time_unit == TimeUnit::Points ? std::pow(a, double(n)) : a;
  st.weights *= discount;

  // 4. Spark's update for every cluster that got points.
  for (Eigen::Index j = 0; j < k; ++j) {
    const auto m = count[std::size_t(j)];
    if (m == 0) continue;
    const double w = st.weights[j] + double(m);
    const double lambda = double(m) / std::max(w, 1e-16);
    st.weights[j] = w;
    st.centers.row(j) *= (1.0 - lambda);
    st.centers.row(j) += (lambda / double(m)) * sums.row(j);
  }

  // 5. Dying clusters: split the largest (first maximum) into it and the smallest (first minimum).
  Eigen::Index largest = 0, smallest = 0;
  for (Eigen::Index j = 1; j < k; ++j) {
    if (st.weights[j] > st.weights[largest]) largest = j;
    if (st.weights[j] < st.weights[smallest]) smallest = j;
  }
  const double max_w = st.weights[largest], min_w = st.weights[smallest];
  if (min_w < 1e-8 * max_w) {
    const double w = (max_w + min_w) / 2.0;
    st.weights[largest] = w;
    st.weights[smallest] = w;
    for (Eigen::Index j = 0; j < Eigen::Index(d); ++j) {
      const double x = st.centers(largest, j);
      const double p = 1e-14 * std::max(std::abs(x), 1.0);
      st.centers(largest, j) = x + p;
      st.centers(smallest, j) = x - p;
    }
    ++st.splits;
  }

  st.batches_seen += 1;
  st.points_seen += std::int64_t(n);
  st.last_batch_points = std::int64_t(n);
  st.last_batch_cost = cost;
}

// ---------------------------------------------------------------------------------------------
// Prediction

Eigen::VectorXi StreamingKMeans::predict(const Eigen::Ref<const RowMatrix>& x) const {
  require_centers("predict");
  const Rows rows = RowView::of(x);
  check_rows(rows);
  Eigen::VectorXi out(Eigen::Index(rows.n));
  for_each_block(rows.n, [&](std::size_t, std::size_t begin, std::size_t end) {
    double dist;
    for (std::size_t r = begin; r < end; ++r) out[Eigen::Index(r)] = nearest(rows.row(r), state_.centers, dist);
  });
  return out;
}

Eigen::VectorXi StreamingKMeans::predict(const Batch& batch) const { return predict(batch.dense()); }

Eigen::VectorXd StreamingKMeans::score(const Batch& batch) const { return predict(batch).cast<double>(); }

RowMatrix StreamingKMeans::transform(const Eigen::Ref<const RowMatrix>& x) const {
  require_centers("transform");
  const Rows rows = RowView::of(x);
  check_rows(rows);
  const Eigen::Index k = state_.centers.rows();
  RowMatrix out(Eigen::Index(rows.n), k);
  for_each_block(rows.n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r)
      for (Eigen::Index j = 0; j < k; ++j)
        out(Eigen::Index(r), j) = std::sqrt(sq_dist(rows.row(r), state_.centers.row(j).data(), rows.d));
  });
  return out;
}

double StreamingKMeans::cost(const Eigen::Ref<const RowMatrix>& x) const {
  require_centers("cost");
  const Rows rows = RowView::of(x);
  check_rows(rows);
  std::vector<double> dist(rows.n);
  for_each_block(rows.n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) nearest(rows.row(r), state_.centers, dist[r]);
  });
  double total = 0;
  for (double v : dist) total += v;
  return total;
}

void StreamingKMeans::write_summary(JsonWriter& out) const {
  out.key("k").value(settings_.k);
  out.key("dimension").value(state_.dimension);
  out.key("batches_seen").value(state_.batches_seen);
  out.key("points_seen").value(state_.points_seen);
  out.key("splits").value(state_.splits);
  out.key("last_batch_points").value(state_.last_batch_points);
  out.key("last_batch_cost").value(state_.last_batch_cost);
  out.key("weights").begin_array();
  for (Eigen::Index j = 0; j < state_.weights.size(); ++j) out.value(state_.weights[j]);
  out.end_array();
  out.key("centers").begin_array();
  for (Eigen::Index j = 0; j < state_.centers.rows(); ++j) {
    out.begin_array();
    for (Eigen::Index c = 0; c < state_.centers.cols(); ++c) out.value(state_.centers(j, c));
    out.end_array();
  }
  out.end_array();
}

// ---------------------------------------------------------------------------------------------
// Checkpoints. The random numbers are used only to choose the initial centres, so once the
// centres exist (dimension >= 0) the state below is all there is.

void StreamingKMeans::save_state(StateWriter& out) const {
  const auto& s = state_;
  out.write_int("dimension", s.dimension);
  if (s.dimension >= 0) {
    out.write_matrix("centers", s.centers);
    out.write_vector("weights", s.weights);
  }
  out.write_int("batches_seen", s.batches_seen);
  out.write_int("points_seen", s.points_seen);
  out.write_int("splits", s.splits);
  out.write_int("last_batch_points", s.last_batch_points);
  out.write_double("last_batch_cost", s.last_batch_cost);
}

void StreamingKMeans::load_state(const std::string& params, const StateReader& in) {
  StreamingKMeans fresh(settings_table().from_json(params));
  StreamingKMeansState s;
  s.dimension = in.read_int("dimension");
  if (s.dimension >= 0) {
    s.centers = in.read_matrix("centers", fresh.settings_.k, s.dimension);
    s.weights = in.read_vector("weights", fresh.settings_.k);
  }
  s.batches_seen = in.read_int("batches_seen");
  s.points_seen = in.read_int("points_seen");
  s.splits = in.read_int("splits");
  s.last_batch_points = in.read_int("last_batch_points");
  s.last_batch_cost = in.read_double("last_batch_cost");
  fresh.set_state(std::move(s));  // its errors get the file's name from the checkpoint loader
  settings_ = std::move(fresh.settings_);
  state_ = std::move(fresh.state_);
}

}  // namespace streamml
