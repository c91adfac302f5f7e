#include "apps/generate.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kGeneratorVersion = 1;
constexpr std::int64_t kMillisPerDay = 86'400'000;
constexpr double kMicrosPerHour = 3.6e9;
constexpr EventTime kYear10000 = 253'402'300'800LL * kMicrosPerSecond;

// ---------------------------------------------------------------- randomness

// Every distribution is written out here because the std:: ones are specified by their
// results' law, not by their algorithm, and libstdc++ and libc++ draw differently.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  // (0, 1], safe under log().
  double uniform_positive() { return double((engine_() >> 11) + 1) * 0x1.0p-53; }

  // Box–Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_positive()));
    const double a = 2.0 * kPi * uniform();
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

  double exponential(double mean) { return -mean * std::log(uniform_positive()); }

  // Uniform on 0..n-1; rejection instead of a bare modulo so no value is favoured.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = max - max % n;
    std::uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }

  // Inverse transform over cumulative weights (need not be normalised).
  std::size_t pick(const std::vector<double>& cumulative) {
    const double u = uniform() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return std::min(std::size_t(it - cumulative.begin()), cumulative.size() - 1);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

std::vector<double> cumulative(const std::vector<double>& weights) {
  std::vector<double> c(weights.size());
  std::partial_sum(weights.begin(), weights.end(), c.begin());
  return c;
}

// Rounds to the decimal grid the file is written on, so the generator's label model sees
// exactly the numbers a reader will parse back. Division by a power of ten is correctly
// rounded, giving the double nearest to k·10^-d, which is what strtod returns for the text.
double on_grid(double x, double scale) {
  const double r = std::round(x * scale) / scale;
  return r == 0 ? 0.0 : r;  // no "-0.000000"
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Poisson arrivals: exponential gaps accumulated in microseconds, reported in milliseconds
// (what the file shows), so every derived quantity uses the time a reader will see.
class Arrivals {
 public:
  Arrivals(EventTime start, double rate) : now_(start), mean_gap_micros_(1e6 / rate) {}
  std::int64_t next_millis(Random& rng) {
    now_ += std::llround(rng.exponential(mean_gap_micros_));
    return floor_div(now_, 1000);
  }

 private:
  EventTime now_;
  double mean_gap_micros_;
};

// ---------------------------------------------------------------- output

class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)) {
    file_.open(path_, std::ios::binary | std::ios::trunc);
    STREAMML_CHECK(file_.is_open(), Io,
                   "cannot open '" << path_ << "' for writing: " << std::strerror(errno));
    buffer_.reserve(kFlushAt + 4096);
  }
  std::string& text() { return buffer_; }
  // Called between records: writes in large blocks, which is what makes 1M events fast.
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void close() {
    flush();
    file_.close();
    STREAMML_CHECK(!file_.fail(), Io, "closing '" << path_ << "' failed (disk full?)");
  }
  const std::string& path() const { return path_; }

 private:
  static constexpr std::size_t kFlushAt = std::size_t(1) << 20;
  void flush() {
    file_.write(buffer_.data(), std::streamsize(buffer_.size()));
    STREAMML_CHECK(file_.good(), Io,
                   "writing " << buffer_.size() << " bytes to '" << path_ << "' failed (disk full?)");
    buffer_.clear();
  }
  std::string path_;
  std::ofstream file_;
  std::string buffer_;
};

void append_fixed(std::string& s, double v, int decimals) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  STREAMML_CHECK(r.ec == std::errc(), Runtime, "value " << v << " does not fit 64 characters");
  s.append(buf, r.ptr);
}

void append_int(std::string& s, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

// "u" + zero-padded number, at least `width` digits.
void append_id(std::string& s, char prefix, std::int64_t v, int width) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s += prefix;
  s.append(std::size_t(std::max<std::ptrdiff_t>(0, width - (r.ptr - buf))), '0');
  s.append(buf, r.ptr);
}

int id_width(std::int64_t count, int at_least) {
  int digits = 1;
  for (std::int64_t v = count - 1; v >= 10; v /= 10) ++digits;
  return std::max(digits, at_least);
}

// ISO 8601 with milliseconds. The date part is cached per day: snprintf for every record
// would cost more than everything else a record needs.
class TimeText {
 public:
  void append(std::string& s, std::int64_t millis) {
    const std::int64_t day = floor_div(millis, kMillisPerDay);
    std::int64_t ms = millis - day * kMillisPerDay;
    if (day != day_) {
      day_ = day;
      date_ = format_event_time(day * 86'400 * kMicrosPerSecond).substr(0, 11);  // "YYYY-MM-DDT"
    }
    s += date_;
    const auto two = [&s](std::int64_t v) {
      s += char('0' + v / 10);
      s += char('0' + v % 10);
    };
    two(ms / 3'600'000);
    s += ':';
    two(ms / 60'000 % 60);
    s += ':';
    two(ms / 1000 % 60);
    s += '.';
    ms %= 1000;
    s += char('0' + ms / 100);
    s += char('0' + ms / 10 % 10);
    s += char('0' + ms % 10);
    s += 'Z';
  }

 private:
  std::int64_t day_ = std::numeric_limits<std::int64_t>::min();
  std::string date_;
};

// One record at a time, in CSV or JSON Lines, fields in column order. Keeping the two formats
// behind one writer guarantees they carry the same fields in the same order.
class RecordWriter {
 public:
  RecordWriter(OutputFile& out, bool jsonl, const std::vector<std::string>& columns)
      : out_(out), jsonl_(jsonl) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (jsonl) prefixes_.push_back((i == 0 ? "{" : ",") + json_quote(columns[i]) + ":");
      else prefixes_.push_back(i == 0 ? "" : ",");
    }
    if (!jsonl) {
      for (std::size_t i = 0; i < columns.size(); ++i) out_.text() += (i ? "," : "") + columns[i];
      out_.text() += '\n';
    }
  }
  // Lines taken by the header: record r (0-based) sits on line r + 1 + header_lines().
  int header_lines() const { return jsonl_ ? 0 : 1; }

  void time(std::size_t i, std::int64_t millis) {
    std::string& s = open(i);
    if (jsonl_) s += '"';
    time_.append(s, millis);
    if (jsonl_) s += '"';
  }
  void id(std::size_t i, char prefix, std::int64_t v, int width) {
    std::string& s = open(i);
    if (jsonl_) s += '"';
    append_id(s, prefix, v, width);
    if (jsonl_) s += '"';
  }
  void word(std::size_t i, std::string_view w) {  // identifiers only: nothing to escape
    std::string& s = open(i);
    if (jsonl_) s += '"';
    s += w;
    if (jsonl_) s += '"';
  }
  void fixed(std::size_t i, double v, int decimals) { append_fixed(open(i), v, decimals); }
  void integer(std::size_t i, std::int64_t v) { append_int(open(i), v); }
  void end() {
    out_.text() += jsonl_ ? "}\n" : "\n";
    out_.maybe_flush();
  }

 private:
  std::string& open(std::size_t i) {
    out_.text() += prefixes_[i];
    return out_.text();
  }
  OutputFile& out_;
  bool jsonl_;
  std::vector<std::string> prefixes_;
  TimeText time_;
};

void write_text_file(const std::string& path, const std::string& text) {
  OutputFile f(path);
  f.text() = text;
  f.close();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

GenerateReport make_report(const GenerateOptions& o, std::string format, std::vector<std::string> written,
                           EventTime first, EventTime last) {
  GenerateReport report;
  report.events = o.events;
  report.out = o.out;
  report.format = std::move(format);
  report.written = std::move(written);
  report.first_event_time = first;
  report.last_event_time = last;
  return report;
}

// The settings every generator's model file starts with, and the span of event times it made.
void write_common_settings(JsonWriter& w, const GenerateOptions& o, const std::string& format, double rate,
                           EventTime first, EventTime last) {
  w.key("kind").value(o.kind);
  w.key("generator_version").value(kGeneratorVersion);
  w.key("seed").value(std::to_string(o.seed));  // a string: JSON readers lose uint64 precision
  w.key("events").value(o.events);
  w.key("format").value(format);
  w.key("rate_per_second").value(rate);
  w.key("start_time").value(format_event_time(o.start));
  w.key("time_format").value("ISO 8601 UTC with milliseconds");
  w.key("first_event_time").value(format_event_time(first));
  w.key("last_event_time").value(format_event_time(last));
}

// ---------------------------------------------------------------- clicks

struct ClickFeature {
  const char* name;
  double weight;
};
// Chosen so the click rate is about 19 % and the true probabilities reach an AUC of about
// 0.84: learnable, yet far from separable. Signs follow intuition (better, more relevant ads
// in higher slots are clicked more; deep in a session, less).
constexpr ClickFeature kClickFeatures[] = {
    {"ad_quality", 0.8},   {"relevance", 0.6},      {"position", -0.3},  {"hour_sin", 0.25},
    {"hour_cos", -0.4},    {"user_affinity", 0.9},  {"page_depth", -0.35},
};
constexpr std::size_t kNumClickFeatures = std::size(kClickFeatures);
constexpr double kClickIntercept = -1.2;

struct Level {
  const char* name;
  double probability;
  double effect;  // added to the logit; the first level is the reference (0)
};
constexpr Level kDevices[] = {{"desktop", 0.3, 0.0}, {"mobile", 0.6, 0.25}, {"tablet", 0.1, -0.15}};
constexpr Level kAdCategories[] = {{"retail", 1, 0.0}, {"travel", 1, 0.3},  {"finance", 1, -0.4},
                                   {"games", 1, 0.2},  {"news", 1, -0.2},   {"auto", 1, 0.1}};
constexpr double kPositionProbability[] = {0.35, 0.25, 0.18, 0.12, 0.10};
constexpr double kClickScale = 1e6;  // 6 decimals

template <std::size_t N>
std::vector<double> level_cumulative(const Level (&levels)[N]) {
  std::vector<double> w;
  for (const auto& l : levels) w.push_back(l.probability);
  return cumulative(w);
}

template <std::size_t N>
void write_levels(JsonWriter& w, const Level (&levels)[N]) {
  w.begin_object();
  for (const auto& l : levels) w.key(l.name).value(l.effect);
  w.end_object();
}

// AUC of a score in [0, 1] from class histograms. 2^20 buckets: pairs that share a bucket
// count one half, so the figure is exact to far better than the 4 decimals anyone reads.
class BinnedAuc {
 public:
  BinnedAuc() : positives_(kBins, 0), negatives_(kBins, 0) {}
  void add(double p, bool positive) {
    const std::size_t b = std::min(kBins - 1, std::size_t(p * double(kBins)));
    (positive ? positives_ : negatives_)[b] += 1;
  }
  double value() const {
    double below = 0, pairs = 0, wins = 0, total_pos = 0;
    for (std::size_t b = 0; b < kBins; ++b) {
      wins += double(positives_[b]) * (below + 0.5 * double(negatives_[b]));
      below += double(negatives_[b]);
      total_pos += double(positives_[b]);
    }
    pairs = total_pos * below;
    return pairs > 0 ? wins / pairs : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  static constexpr std::size_t kBins = std::size_t(1) << 20;
  std::vector<std::int64_t> positives_, negatives_;
};

GenerateReport generate_clicks(const GenerateOptions& o, bool jsonl, double rate) {
  STREAMML_CHECK(o.users >= 1 && o.users <= 100'000'000, InvalidInput,
                 "users must be in [1, 100000000], got " << o.users);
  STREAMML_CHECK(std::isfinite(o.zipf_exponent) && o.zipf_exponent >= 0 && o.zipf_exponent <= 5,
                 InvalidInput, "zipf_exponent must be in [0, 5], got " << o.zipf_exponent);
  Random rng(o.seed);

  // Users: popularity by Zipf rank, ranks shuffled over ids; each user has a UTC offset and
  // a lasting taste, so the same user's impressions share context as real ones do.
  const std::size_t users = std::size_t(o.users);
  std::vector<double> popularity(users);
  for (std::size_t r = 0; r < users; ++r) popularity[r] = std::pow(double(r + 1), -o.zipf_exponent);
  const std::vector<double> user_cumulative = cumulative(popularity);
  std::vector<std::uint32_t> user_of_rank(users);
  std::iota(user_of_rank.begin(), user_of_rank.end(), 0u);
  for (std::size_t i = users; i > 1; --i) std::swap(user_of_rank[i - 1], user_of_rank[rng.below(i)]);
  std::vector<std::int8_t> utc_offset(users);
  std::vector<double> taste(users);
  for (std::size_t u = 0; u < users; ++u) {
    utc_offset[u] = std::int8_t(int(rng.below(24)) - 11);
    taste[u] = 0.8 * rng.normal();
  }
  const int user_width = id_width(o.users, 5);
  const std::vector<double> position_cumulative =
      cumulative(std::vector<double>(std::begin(kPositionProbability), std::end(kPositionProbability)));
  const std::vector<double> device_cumulative = level_cumulative(kDevices);
  const std::vector<double> category_cumulative = level_cumulative(kAdCategories);

  std::vector<std::string> columns = {"event_time", "user"};
  for (const auto& f : kClickFeatures) columns.push_back(f.name);
  for (const char* c : {"device", "ad_category", "clicked"}) columns.push_back(c);

  OutputFile out(o.out);
  RecordWriter rec(out, jsonl, columns);
  Arrivals arrivals(o.start, rate);
  BinnedAuc auc;
  double sum_p = 0;
  std::int64_t clicks = 0, first_ms = 0, last_ms = 0;
  std::array<double, kNumClickFeatures> x;

  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    const std::uint32_t user = user_of_rank[rng.pick(user_cumulative)];
    const double quality = rng.normal();
    x[0] = on_grid(quality, kClickScale);
    x[1] = on_grid(0.5 * quality + std::sqrt(0.75) * rng.normal(), kClickScale);
    x[2] = double(rng.pick(position_cumulative) + 1);
    const double local_hour =
        std::fmod(double(ms - floor_div(ms, kMillisPerDay) * kMillisPerDay) / 3.6e6 + utc_offset[user] + 24.0, 24.0);
    x[3] = on_grid(std::sin(2 * kPi * local_hour / 24), kClickScale);
    x[4] = on_grid(std::cos(2 * kPi * local_hour / 24), kClickScale);
    x[5] = on_grid(taste[user] + 0.6 * rng.normal(), kClickScale);
    const double pages = std::floor(std::log(rng.uniform_positive()) / std::log(0.7));
    x[6] = on_grid(std::log1p(pages), kClickScale);
    const Level& device = kDevices[rng.pick(device_cumulative)];
    const Level& category = kAdCategories[rng.pick(category_cumulative)];

    double logit = kClickIntercept + device.effect + category.effect;
    for (std::size_t j = 0; j < kNumClickFeatures; ++j) logit += kClickFeatures[j].weight * x[j];
    const double p = 1.0 / (1.0 + std::exp(-logit));
    const bool clicked = rng.uniform() < p;
    sum_p += p;
    clicks += clicked;
    auc.add(p, clicked);

    rec.time(0, ms);
    rec.id(1, 'u', user, user_width);
    for (std::size_t j = 0; j < kNumClickFeatures; ++j) {
      if (j == 2) rec.integer(2 + j, std::int64_t(x[j]));
      else rec.fixed(2 + j, x[j], 6);
    }
    rec.word(2 + kNumClickFeatures, device.name);
    rec.word(3 + kNumClickFeatures, category.name);
    rec.integer(4 + kNumClickFeatures, clicked);
    rec.end();
  }
  out.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, o, jsonl ? "jsonl" : "csv", rate, first_ms * 1000, last_ms * 1000);
  w.key("label").value("clicked");
  w.key("link").value("logistic");
  w.key("formula").value(
      "P(clicked = 1) = 1 / (1 + exp(-(intercept + sum_f weights[f] * f"
      " + categorical_effects.device[device] + categorical_effects.ad_category[ad_category])))");
  w.key("intercept").value(kClickIntercept);
  w.key("weights").begin_object();
  for (const auto& f : kClickFeatures) w.key(f.name).value(f.weight);
  w.end_object();
  w.key("categorical_effects").begin_object();
  w.key("device");
  write_levels(w, kDevices);
  w.key("ad_category");
  write_levels(w, kAdCategories);
  w.end_object();
  w.key("reference_levels").begin_object();
  w.key("device").value(kDevices[0].name).key("ad_category").value(kAdCategories[0].name);
  w.end_object();
  w.key("base_ctr").value(1.0 / (1.0 + std::exp(-kClickIntercept)));
  w.key("mean_p_click").value(sum_p / double(o.events));
  w.key("click_rate").value(double(clicks) / double(o.events));
  w.key("clicks").value(clicks);
  w.key("bayes_auc").value(auc.value());
  w.key("users").value(o.users);
  w.key("zipf_exponent").value(o.zipf_exponent);
  w.end_object();
  const std::string model_path = o.out + ".model.json";
  write_text_file(model_path, w.str() + "\n");

  return make_report(o, jsonl ? "jsonl" : "csv", {model_path}, first_ms * 1000, last_ms * 1000);
}

// ---------------------------------------------------------------- sensors

struct Reading {
  const char* name;
  const char* unit;
  double sd;      // noise within a regime; the unit of distance ("sd units")
  double lo, hi;  // where regime centres live
};
constexpr Reading kReadings[] = {
    {"temperature", "degC", 1.5, 20, 80},
    {"vibration", "mm/s", 0.2, 0.5, 6.5},
    {"pressure", "hPa", 2.0, 980, 1040},
    {"humidity", "%", 2.5, 20, 80},
};
constexpr std::size_t kNumReadings = std::size(kReadings);
using Vec = std::array<double, kNumReadings>;
constexpr double kSensorScale = 1e4;  // 4 decimals
constexpr double kMinStartSeparation = 10;
constexpr double kMinSeparation = 8;
constexpr double kAnomalyMinDistance = 8;
constexpr int kMaxClusters = 8;

// Distance in sd units between two points given in reading units.
double sd_distance(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) {
    const double d = (a[j] - b[j]) / kReadings[j].sd;
    s += d * d;
  }
  return std::sqrt(s);
}

struct Regime {
  Vec start, velocity;  // reading units; velocity per hour
  Vec at(double hours) const {
    Vec c;
    for (std::size_t j = 0; j < kNumReadings; ++j) c[j] = start[j] + velocity[j] * hours;
    return c;
  }
};

// Smallest distance (sd units) between two regimes' centres over [0, horizon] hours: the
// difference moves on a line, so the closest point is a clamped projection.
double closest_approach(const Regime& a, const Regime& b, double horizon) {
  Vec d0, dv;
  double dot = 0, vv = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) {
    d0[j] = (a.start[j] - b.start[j]) / kReadings[j].sd;
    dv[j] = (a.velocity[j] - b.velocity[j]) / kReadings[j].sd;
    dot += d0[j] * dv[j];
    vv += dv[j] * dv[j];
  }
  const double t = vv > 0 ? std::clamp(-dot / vv, 0.0, horizon) : 0.0;
  double s = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) s += (d0[j] + dv[j] * t) * (d0[j] + dv[j] * t);
  return std::sqrt(s);
}

// Regimes placed by rejection: start centres inside the box and 10 sd units apart, end
// (after the expected duration) still inside it, and no two ever closer than 8 within twice
// the expected duration, so a long Poisson tail cannot make two regimes merge.
std::vector<Regime> place_regimes(Random& rng, int k, double speed_per_hour, double expected_hours) {
  std::vector<Regime> regimes;
  for (int attempt = 0; attempt < 100 && int(regimes.size()) < k; ++attempt) {
    regimes.clear();
    for (int tries = 0; tries < 10'000 && int(regimes.size()) < k; ++tries) {
      Regime r;
      Vec dir;
      double norm = 0;
      for (std::size_t j = 0; j < kNumReadings; ++j) {
        r.start[j] = kReadings[j].lo + (kReadings[j].hi - kReadings[j].lo) * rng.uniform();
        dir[j] = rng.normal();
        norm += dir[j] * dir[j];
      }
      norm = std::sqrt(norm);
      bool ok = true;
      for (std::size_t j = 0; j < kNumReadings; ++j) {
        r.velocity[j] = speed_per_hour * dir[j] / norm * kReadings[j].sd;
        const double end = r.start[j] + r.velocity[j] * expected_hours;
        ok = ok && end >= kReadings[j].lo && end <= kReadings[j].hi;
      }
      for (const Regime& other : regimes) {
        ok = ok && sd_distance(r.start, other.start) >= kMinStartSeparation &&
             closest_approach(r, other, 2 * expected_hours) >= kMinSeparation;
      }
      if (ok) regimes.push_back(r);
    }
  }
  STREAMML_CHECK(int(regimes.size()) == k, Runtime,
                 "could not place " << k << " regimes " << kMinStartSeparation
                                    << " sd units apart with drift; lower clusters or drift");
  return regimes;
}

void write_vec(JsonWriter& w, const Vec& v) {
  w.begin_object();
  for (std::size_t j = 0; j < kNumReadings; ++j) w.key(kReadings[j].name).value(v[j]);
  w.end_object();
}

GenerateReport generate_sensors(const GenerateOptions& o, bool jsonl, double rate) {
  STREAMML_CHECK(o.devices >= 1 && o.devices <= 100'000'000, InvalidInput,
                 "devices must be in [1, 100000000], got " << o.devices);
  STREAMML_CHECK(o.clusters >= 1 && o.clusters <= kMaxClusters, InvalidInput,
                 "clusters must be in [1, " << kMaxClusters << "], got " << o.clusters);
  STREAMML_CHECK(std::isfinite(o.anomaly_rate) && o.anomaly_rate >= 0 && o.anomaly_rate <= 0.5,
                 InvalidInput, "anomaly_rate must be in [0, 0.5], got " << o.anomaly_rate);
  STREAMML_CHECK(std::isfinite(o.drift) && o.drift >= 0 && o.drift <= 20, InvalidInput,
                 "drift must be in [0, 20] sd units over the stream, got " << o.drift);
  Random rng(o.seed);

  const double expected_hours = double(o.events) / rate / 3600.0;
  const double speed = o.drift / expected_hours;  // sd units per hour
  const std::vector<Regime> regimes = place_regimes(rng, o.clusters, speed, expected_hours);
  std::vector<double> weights(std::size_t(o.clusters));
  for (double& wt : weights) wt = 1.0 + rng.uniform();
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (double& wt : weights) wt /= weight_sum;
  const std::vector<double> regime_cumulative = cumulative(weights);
  const int device_width = id_width(o.devices, 4);

  std::vector<std::string> columns = {"event_time", "device"};
  for (const auto& r : kReadings) columns.push_back(r.name);
  OutputFile out(o.out);
  const std::string truth_path = o.out + ".truth.csv";
  OutputFile truth(truth_path);
  truth.text() += "line,cluster\n";
  RecordWriter rec(out, jsonl, columns);
  Arrivals arrivals(o.start, rate);
  std::vector<std::int64_t> counts(std::size_t(o.clusters), 0);
  std::int64_t anomalies = 0, first_ms = 0, last_ms = 0;

  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    const double hours = double((ms - first_ms) * 1000) / kMicrosPerHour;
    const std::int64_t device = std::int64_t(rng.below(std::uint64_t(o.devices)));
    const bool anomalous = rng.uniform() < o.anomaly_rate;
    const std::size_t k = rng.pick(regime_cumulative);
    const Vec centre = regimes[k].at(hours);
    Vec noisy, value;
    for (std::size_t j = 0; j < kNumReadings; ++j) {
      noisy[j] = centre[j] + kReadings[j].sd * rng.normal();
      value[j] = on_grid(noisy[j], kSensorScale);
    }
    if (anomalous) {
      // A spike on one or two readings, redrawn until it is clear of every regime.
      bool clear = false;
      for (int tries = 0; tries < 1000 && !clear; ++tries) {
        Vec spiked = noisy;
        const int spikes = rng.uniform() < 0.3 ? 2 : 1;
        for (int s = 0; s < spikes; ++s) {
          const std::size_t j = std::size_t(rng.below(kNumReadings));
          const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
          spiked[j] += sign * (10.0 + 10.0 * rng.uniform()) * kReadings[j].sd;
        }
        for (std::size_t j = 0; j < kNumReadings; ++j) value[j] = on_grid(spiked[j], kSensorScale);
        clear = true;
        for (const Regime& r : regimes) clear = clear && sd_distance(value, r.at(hours)) >= kAnomalyMinDistance;
      }
      STREAMML_CHECK(clear, Runtime, "no anomaly clear of every regime after 1000 spikes at record " << e);
      ++anomalies;
    } else {
      ++counts[k];
    }

    rec.time(0, ms);
    rec.id(1, 'd', device, device_width);
    for (std::size_t j = 0; j < kNumReadings; ++j) rec.fixed(2 + j, value[j], 4);
    rec.end();
    append_int(truth.text(), e + 1 + rec.header_lines());
    truth.text() += ',';
    append_int(truth.text(), anomalous ? -1 : std::int64_t(k));
    truth.text() += '\n';
    truth.maybe_flush();
  }
  out.close();
  truth.close();

  const double total_hours = double((last_ms - first_ms) * 1000) / kMicrosPerHour;
  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, o, jsonl ? "jsonl" : "csv", rate, first_ms * 1000, last_ms * 1000);
  w.key("duration_hours").value(total_hours);
  w.key("readings").begin_array();
  for (const auto& r : kReadings) {
    w.begin_object().key("name").value(r.name).key("unit").value(r.unit).key("noise_sd").value(r.sd);
    w.end_object();
  }
  w.end_array();
  w.key("distance").value("Euclidean after dividing each reading by its noise_sd (sd units)");
  w.key("centre_at").value("start + velocity_per_hour * (event_time - first_event_time) / 1 hour");
  w.key("drift_sd_units").value(o.drift);
  w.key("drift_sd_units_per_hour").value(speed);
  w.key("min_start_separation").value(kMinStartSeparation);
  w.key("min_separation").value(kMinSeparation);
  w.key("clusters").begin_array();
  for (std::size_t k = 0; k < regimes.size(); ++k) {
    w.begin_object();
    w.key("id").value(k);
    w.key("weight").value(weights[k]);
    w.key("records").value(counts[k]);
    w.key("start");
    write_vec(w, regimes[k].start);
    w.key("end");
    write_vec(w, regimes[k].at(total_hours));
    w.key("velocity_per_hour");
    write_vec(w, regimes[k].velocity);
    w.end_object();
  }
  w.end_array();
  w.key("anomaly_rate").value(o.anomaly_rate);
  w.key("anomaly_min_distance").value(kAnomalyMinDistance);
  w.key("anomalies").value(anomalies);
  w.key("devices").value(o.devices);
  w.key("truth_file").value(file_name(truth_path));
  w.key("truth_line_numbers").value(jsonl ? "first record is line 1" : "header is line 1, first record line 2");
  w.end_object();
  const std::string model_path = o.out + ".model.json";
  write_text_file(model_path, w.str() + "\n");

  return make_report(o, jsonl ? "jsonl" : "csv", {truth_path, model_path}, first_ms * 1000, last_ms * 1000);
}

// ---------------------------------------------------------------- weblog

// Pages of the site: a few named ones, then /products/<n>; popularity is Zipf over this list.
// Every 23rd product page is a broken link (always 404), so errors concentrate on some pages.
std::string page_path(std::int64_t rank) {
  static const char* kNamed[] = {"/", "/index.html", "/search", "/cart", "/login", "/about.html",
                                 "/static/app.js", "/static/style.css"};
  constexpr std::int64_t kNamedCount = std::int64_t(std::size(kNamed));
  if (rank < kNamedCount) return kNamed[rank];
  return "/products/" + std::to_string(rank - kNamedCount);
}

bool broken_link(std::int64_t rank) { return rank >= 8 && (rank - 8) % 23 == 22; }

constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "[10/Oct/2000:13:55:36 +0000]" for a time in whole seconds since the epoch.
void append_clf_time(std::string& s, std::int64_t seconds) {
  const std::string iso = format_event_time(seconds * kMicrosPerSecond);  // 2026-01-01T00:00:00.000000Z
  s += '[';
  s.append(iso, 8, 2);
  s += '/';
  s += kMonthNames[std::stoi(iso.substr(5, 2)) - 1];
  s += '/';
  s.append(iso, 0, 4);
  s += ':';
  s.append(iso, 11, 8);
  s += " +0000]";
}

struct StatusLevel {
  int code;
  double probability;
};
// For pages that are not broken links.
constexpr StatusLevel kStatuses[] = {{200, 0.86}, {304, 0.05}, {301, 0.02}, {403, 0.01},
                                     {404, 0.03}, {500, 0.02}, {503, 0.01}};

GenerateReport generate_weblog(const GenerateOptions& o, double rate) {
  STREAMML_CHECK(o.pages >= 9 && o.pages <= 10'000'000, InvalidInput, "pages must be in [9, 10000000], got " << o.pages);
  STREAMML_CHECK(o.users >= 1 && o.users <= 100'000'000, InvalidInput,
                 "users must be in [1, 100000000], got " << o.users);
  Random rng(o.seed);
  std::vector<double> popularity(std::size_t(o.pages));
  for (std::size_t r = 0; r < popularity.size(); ++r) popularity[r] = std::pow(double(r + 1), -1.0);
  const std::vector<double> page_cumulative = cumulative(popularity);
  std::vector<double> client_weights(std::size_t(o.users));
  for (std::size_t r = 0; r < client_weights.size(); ++r) client_weights[r] = std::pow(double(r + 1), -0.8);
  const std::vector<double> client_cumulative = cumulative(client_weights);
  std::vector<double> status_weights;
  for (const auto& st : kStatuses) status_weights.push_back(st.probability);
  const std::vector<double> status_cumulative = cumulative(status_weights);

  OutputFile out(o.out);
  Arrivals arrivals(o.start, rate);
  std::map<std::string, std::int64_t> hits;
  std::map<int, std::int64_t> statuses;
  std::int64_t errors = 0, first_s = 0, last_s = 0;
  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t sec = floor_div(arrivals.next_millis(rng), 1000);
    if (e == 0) first_s = sec;
    last_s = sec;
    const std::int64_t client = std::int64_t(rng.pick(client_cumulative));
    const std::int64_t page = std::int64_t(rng.pick(page_cumulative));
    const bool post = page == 4 && rng.uniform() < 0.5;  // /login
    int status = broken_link(page) ? 404 : kStatuses[rng.pick(status_cumulative)].code;
    const std::int64_t size = status == 200 ? 200 + std::int64_t(rng.exponential(5000)) : 0;
    std::string& s = out.text();
    s += "10.";
    append_int(s, client / 65536 % 256);
    s += '.';
    append_int(s, client / 256 % 256);
    s += '.';
    append_int(s, client % 256);
    s += client % 10 == 3 ? " - alice " : " - - ";
    append_clf_time(s, sec);
    s += post ? " \"POST " : " \"GET ";
    const std::string path = page_path(page);
    s += path;
    s += " HTTP/1.1\" ";
    append_int(s, status);
    s += ' ';
    if (size > 0) append_int(s, size);
    else s += '-';
    s += '\n';
    out.maybe_flush();
    hits[path] += 1;
    statuses[status] += 1;
    errors += status >= 400;
  }
  out.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, o, "clf", rate, first_s * kMicrosPerSecond, last_s * kMicrosPerSecond);
  w.key("line_format").value("Common Log Format: host ident user [dd/Mon/yyyy:HH:MM:SS +0000] \"METHOD path HTTP/1.1\" status bytes");
  w.key("error_lines").value(errors);
  w.key("statuses").begin_object();
  for (const auto& [code, n] : statuses) w.key(std::to_string(code)).value(n);
  w.end_object();
  w.key("hits").begin_object();
  for (const auto& [path, n] : hits) w.key(path).value(n);
  w.end_object();
  w.end_object();
  const std::string truth_path = o.out + ".truth.json";
  write_text_file(truth_path, w.str() + "\n");

  return make_report(o, "clf", {truth_path}, first_s * kMicrosPerSecond, last_s * kMicrosPerSecond);
}

// ---------------------------------------------------------------- transactions

// Customers buy at their own pace; after each purchase a customer pauses for 31 to 120 days
// with probability 0.03, or leaves for good with probability 0.01 (a new customer then takes
// the place). Arrivals are one Poisson process over the customers active at the time.
GenerateReport generate_transactions(const GenerateOptions& o, bool jsonl, double rate) {
  STREAMML_CHECK(o.customers >= 1 && o.customers <= 10'000'000, InvalidInput,
                 "customers must be in [1, 10000000], got " << o.customers);
  Random rng(o.seed);
  struct Customer {
    double spend_scale;  // mean purchase
    std::int64_t count = 0;
    std::int64_t cents = 0;
    std::int64_t last_ms = -1;
    std::int64_t long_gaps = 0;
    bool churned = false;
  };
  std::vector<Customer> customers;
  std::vector<std::int64_t> active;                  // ids buying now
  std::multimap<std::int64_t, std::int64_t> paused;  // return time (ms) -> id
  auto join = [&] {
    customers.push_back({20.0 + 80.0 * rng.uniform()});
    active.push_back(std::int64_t(customers.size()) - 1);
  };
  for (std::int64_t c = 0; c < o.customers; ++c) join();
  const int width = id_width(o.customers * 4, 6);

  OutputFile out(o.out);
  RecordWriter rec(out, jsonl, {"event_time", "customer", "amount"});
  Arrivals arrivals(o.start, rate);
  std::int64_t first_ms = 0, last_ms = 0;
  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    while (!paused.empty() && paused.begin()->first <= ms) {
      active.push_back(paused.begin()->second);
      paused.erase(paused.begin());
    }
    if (active.empty()) join();
    const std::size_t slot = std::size_t(rng.below(active.size()));
    const std::int64_t id = active[slot];
    Customer& c = customers[std::size_t(id)];
    const std::int64_t cents = std::max<std::int64_t>(1, std::llround(c.spend_scale * std::exp(0.5 * rng.normal()) * 100));
    if (c.last_ms >= 0 && ms - c.last_ms > 30 * kMillisPerDay) ++c.long_gaps;
    c.count += 1;
    c.cents += cents;
    c.last_ms = ms;
    rec.time(0, ms);
    rec.id(1, 'c', id, width);
    rec.fixed(2, double(cents) / 100.0, 2);
    rec.end();
    const double u = rng.uniform();
    if (u < 0.03 + 0.01) {
      active[slot] = active.back();
      active.pop_back();
      if (u < 0.03) {
        paused.emplace(ms + (31 + std::int64_t(rng.below(90))) * kMillisPerDay, id);
      } else {
        c.churned = true;
        join();
      }
    }
  }
  out.close();

  const std::string truth_path = o.out + ".truth.csv";
  OutputFile truth(truth_path);
  truth.text() += "customer,transactions,spend,last_seen,gaps_over_30_days,churned\n";
  std::int64_t with_gaps = 0, churned = 0;
  TimeText time_text;
  for (std::size_t id = 0; id < customers.size(); ++id) {
    const Customer& c = customers[id];
    if (c.count == 0) continue;
    append_id(truth.text(), 'c', std::int64_t(id), width);
    truth.text() += ',';
    append_int(truth.text(), c.count);
    truth.text() += ',';
    append_fixed(truth.text(), double(c.cents) / 100.0, 2);
    truth.text() += ',';
    time_text.append(truth.text(), c.last_ms);
    truth.text() += ',';
    append_int(truth.text(), c.long_gaps);
    truth.text() += c.churned ? ",1\n" : ",0\n";
    truth.maybe_flush();
    with_gaps += c.long_gaps > 0;
    churned += c.churned;
  }
  truth.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, o, jsonl ? "jsonl" : "csv", rate, first_ms * 1000, last_ms * 1000);
  w.key("customers_initial").value(o.customers);
  w.key("customers_total").value(std::int64_t(customers.size()));
  w.key("customers_with_gaps_over_30_days").value(with_gaps);
  w.key("customers_churned").value(churned);
  w.key("pause_probability").value(0.03);
  w.key("pause_days").value("31 to 120");
  w.key("churn_probability").value(0.01);
  w.key("truth_file").value(file_name(truth_path));
  w.end_object();
  const std::string model_path = o.out + ".model.json";
  write_text_file(model_path, w.str() + "\n");

  return make_report(o, jsonl ? "jsonl" : "csv", {truth_path, model_path}, first_ms * 1000, last_ms * 1000);
}

std::string joined_kinds() {
  std::string s;
  for (const auto& k : generator_kinds()) s += (s.empty() ? "" : ", ") + k;
  return s;
}

}  // namespace

std::vector<std::string> generator_kinds() { return {"clicks", "sensors", "weblog", "transactions"}; }

GenerateReport generate_stream(const GenerateOptions& o) {
  const auto kinds = generator_kinds();
  STREAMML_CHECK(std::find(kinds.begin(), kinds.end(), o.kind) != kinds.end(), InvalidInput,
                 "unknown generator kind '" << o.kind << "', expected one of: " << joined_kinds());
  STREAMML_CHECK(!o.out.empty(), InvalidInput, "generate needs an output file, got an empty path");
  STREAMML_CHECK(o.events >= 1 && o.events <= 1'000'000'000, InvalidInput,
                 "events must be in [1, 1000000000], got " << o.events);
  STREAMML_CHECK(o.start >= 0 && o.start < kYear10000, InvalidInput,
                 "start must be between 1970 and 9999, got " << o.start << " µs since the epoch");
  const double default_rate = o.kind == "clicks" ? 50.0 : o.kind == "weblog" ? 20.0 : o.kind == "transactions" ? 0.0025 : 5.0;
  const double rate = o.rate == 0 ? default_rate : o.rate;
  STREAMML_CHECK(std::isfinite(rate) && rate > 0 && rate <= 1e6, InvalidInput,
                 "rate must be in (0, 1e6] events per second, got " << o.rate);
  std::string format = o.format;
  if (format == "auto") format = ends_with(o.out, ".jsonl") || ends_with(o.out, ".ndjson") ? "jsonl" : "csv";
  STREAMML_CHECK(format == "csv" || format == "jsonl", InvalidInput,
                 "format must be csv, jsonl or auto, got '" << o.format << "'");
  const bool jsonl = format == "jsonl";
  if (o.kind == "weblog") return generate_weblog(o, rate);
  if (o.kind == "transactions") return generate_transactions(o, jsonl, rate);
  return o.kind == "clicks" ? generate_clicks(o, jsonl, rate) : generate_sensors(o, jsonl, rate);
}

}  // namespace streamml
