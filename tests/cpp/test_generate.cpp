// Synthetic recorded streams (`streamml generate`): the files are what datasets/generator.h and
// the kinds' headers document, and they agree with the ground truth written beside them. The
// oracles read the files back with code of their own (a small JSON reader and a CSV splitter
// below), never with the generator's, and recompute every figure by brute force.
#include <gtest/gtest.h>

#include "algorithms/evaluation/prequential.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/event_time.h"
#include "core/settings.h"
#include "datasets/clicks.h"
#include "datasets/generator.h"
#include "datasets/sensors.h"
#include "datasets/transactions.h"
#include "datasets/weblog.h"
#include "source_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

// ---------------------------------------------------------------- reading the files back

struct Json {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  double number = 0;
  bool boolean = false;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // file order

  const Json& operator[](const std::string& k) const {
    for (const auto& m : members)
      if (m.first == k) return m.second;
    throw std::out_of_range("no key '" + k + "'");
  }
};

// Recursive descent over the JSON grammar; enough for the model files (no \u escapes there).
class JsonReader {
 public:
  explicit JsonReader(std::string text) : s_(std::move(text)) {}
  Json parse() {
    Json v = value();
    space();
    if (i_ != s_.size()) throw std::runtime_error("trailing text at " + std::to_string(i_));
    return v;
  }

 private:
  void space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    space();
    if (i_ >= s_.size() || s_[i_] != c) throw std::runtime_error(std::string("expected ") + c);
    ++i_;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (s_.at(i_) != '"') {
      if (s_[i_] == '\\') {
        const char e = s_.at(++i_);
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += s_[i_];
      }
      ++i_;
    }
    ++i_;
    return out;
  }
  Json value() {
    space();
    Json v;
    const char c = s_.at(i_);
    if (c == '{') {
      v.type = Json::Object;
      ++i_;
      space();
      if (s_.at(i_) == '}') return ++i_, v;
      do {
        std::string k = string();
        expect(':');
        v.members.emplace_back(std::move(k), value());
        space();
      } while (s_.at(i_++) == ',');
    } else if (c == '[') {
      v.type = Json::Array;
      ++i_;
      space();
      if (s_.at(i_) == ']') return ++i_, v;
      do {
        v.items.push_back(value());
        space();
      } while (s_.at(i_++) == ',');
    } else if (c == '"') {
      v.type = Json::String;
      v.text = string();
    } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      v.type = Json::Bool;
      v.boolean = c == 't';
      i_ += v.boolean ? 4 : 5;
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else {
      v.type = Json::Number;
      char* end = nullptr;
      v.number = std::strtod(s_.c_str() + i_, &end);
      if (end == s_.c_str() + i_) throw std::runtime_error("bad number at " + std::to_string(i_));
      i_ = std::size_t(end - s_.c_str());
    }
    return v;
  }
  std::string s_;
  std::size_t i_ = 0;
};

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Json read_json(const std::filesystem::path& p) { return JsonReader(read_text(p)).parse(); }

std::vector<std::string> split(const std::string& line, char sep = ',') {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) out.push_back(field);
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t col(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::out_of_range("no column " + name);
    return std::size_t(it - header.begin());
  }
};

Table read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  Table t;
  std::string line;
  std::getline(in, line);
  t.header = split(line);
  while (std::getline(in, line)) t.rows.push_back(split(line));
  return t;
}

double num(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

EventTime time_of(const std::string& s) {
  const auto t = parse_event_time(s);
  if (!t) throw std::runtime_error("unparsable event time '" + s + "'");
  return *t;
}

GenerateReport make(const std::string& kind, const std::filesystem::path& out, std::int64_t events,
                    std::uint64_t seed = 42) {
  GenerateOptions o;
  o.kind = kind;
  o.out = out.string();
  o.events = events;
  o.seed = seed;
  return generate_stream(o);
}

const std::string kClicksHeader =
    "event_time,user,ad_quality,relevance,position,hour_sin,hour_cos,user_affinity,page_depth,"
    "device,ad_category,clicked";
const std::string kSensorsHeader = "event_time,device,temperature,vibration,pressure,humidity";

// ---------------------------------------------------------------- format and determinism

TEST(Generate, KindsAreListedInOrder) {
  EXPECT_EQ(generator_kinds(), (std::vector<std::string>{"clicks", "sensors", "weblog", "transactions", "monitoring",
                                                         "ratings", "churn"}));
}

TEST(Generate, SameSeedGivesTheSameBytesAndAnotherSeedDifferentOnes) {
  const auto dir = testing::temp_dir("generate_seed");
  for (const std::string kind : {"clicks", "sensors", "weblog", "transactions", "ratings", "churn"}) {
    const auto a = make(kind, dir / (kind + "_a.csv"), 20'000, 7);
    const auto b = make(kind, dir / (kind + "_b.csv"), 20'000, 7);
    const auto c = make(kind, dir / (kind + "_c.csv"), 20'000, 8);
    ASSERT_EQ(a.written.size(), b.written.size());
    EXPECT_EQ(read_text(a.out), read_text(b.out)) << kind;
    for (std::size_t i = 0; i < a.written.size(); ++i) {
      // Side files name their data file, so compare them with that name swapped out.
      std::string sa = read_text(a.written[i]), sb = read_text(b.written[i]);
      for (auto pos = sb.find(kind + "_b.csv"); pos != std::string::npos; pos = sb.find(kind + "_b.csv"))
        sb.replace(pos, kind.size() + 6, kind + "_a.csv");
      EXPECT_EQ(sa, sb) << a.written[i];
    }
    EXPECT_NE(read_text(a.out), read_text(c.out)) << kind;
    EXPECT_GT(read_text(a.out).size(), 20'000u * 35) << kind;  // every record a line of 35+ bytes
  }
}

TEST(Generate, ClicksHaveTheDocumentedHeaderCountAndNonDecreasingTimes) {
  const auto dir = testing::temp_dir("generate_clicks_format");
  const auto report = make("clicks", dir / "clicks.csv", 10'000);
  EXPECT_EQ(report.events, 10'000);
  EXPECT_EQ(report.format, "csv");
  EXPECT_EQ(report.written, (std::vector<std::string>{(dir / "clicks.csv.model.json").string()}));
  const Table t = read_csv(dir / "clicks.csv");
  std::ifstream in(dir / "clicks.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, kClicksHeader);
  ASSERT_EQ(t.rows.size(), 10'000u);
  EventTime previous = GenerateOptions{}.start;
  std::map<std::string, int> devices;
  for (const auto& row : t.rows) {
    ASSERT_EQ(row.size(), 12u);
    const EventTime now = time_of(row[0]);
    ASSERT_GE(now, previous) << row[0];
    ASSERT_EQ(now % 1000, 0) << "milliseconds, as documented: " << row[0];
    previous = now;
    EXPECT_EQ(row[1].size(), 6u) << row[1];  // "u" + 5 digits for 5,000 users
    const double position = num(row[4]);
    EXPECT_TRUE(position >= 1 && position <= 5 && position == std::floor(position)) << row[4];
    EXPECT_NEAR(num(row[5]) * num(row[5]) + num(row[6]) * num(row[6]), 1.0, 4e-6);  // sin² + cos²
    EXPECT_TRUE(row[11] == "0" || row[11] == "1");
    ++devices[row[9]];
  }
  EXPECT_EQ(report.first_event_time, time_of(t.rows.front()[0]));
  EXPECT_EQ(report.last_event_time, time_of(t.rows.back()[0]));
  // Poisson arrivals at the default 50 events/s: the span of n gaps has mean n/50 s and a
  // relative sd of 1/sqrt(n) = 1 %; 4 % is 4 sd.
  EXPECT_NEAR(double(previous - GenerateOptions{}.start) / 1e6, 10'000 / 50.0, 0.04 * 200);
  // Device mix .3/.6/.1 (binomial, 4 sd at n = 10,000 is under 0.02).
  EXPECT_NEAR(devices["mobile"] / 1e4, 0.6, 0.02);
  EXPECT_NEAR(devices["desktop"] / 1e4, 0.3, 0.02);
  EXPECT_NEAR(devices["tablet"] / 1e4, 0.1, 0.012);
}

TEST(Generate, JsonLinesCarryTheSameRecordsAsCsv) {
  const auto dir = testing::temp_dir("generate_jsonl");
  for (const std::string kind : {"clicks", "sensors"}) {
    make(kind, dir / (kind + ".csv"), 2'000, 3);
    const auto report = make(kind, dir / (kind + ".jsonl"), 2'000, 3);
    EXPECT_EQ(report.format, "jsonl");
    std::ifstream csv(dir / (kind + ".csv")), jsonl(dir / (kind + ".jsonl"));
    std::string header, c, j;
    std::getline(csv, header);
    EXPECT_EQ(header, kind == "clicks" ? kClicksHeader : kSensorsHeader);
    const auto names = split(header);
    int lines = 0;
    while (std::getline(jsonl, j)) {
      ASSERT_TRUE(std::getline(csv, c));
      ++lines;
      // Oracle: the JSON object read with the reader above, fields in column order, strings
      // unquoted, must spell exactly the CSV line.
      const Json record = JsonReader(j).parse();
      ASSERT_EQ(record.members.size(), names.size()) << j;
      std::string rebuilt;
      for (std::size_t i = 0; i < names.size(); ++i) {
        ASSERT_EQ(record.members[i].first, names[i]);
        const auto value_start = j.find("\"" + names[i] + "\":") + names[i].size() + 3;
        const auto value_end = j.find_first_of(",}", value_start);
        std::string text = j.substr(value_start, value_end - value_start);
        if (record.members[i].second.type == Json::String) text = record.members[i].second.text;
        rebuilt += (i ? "," : "") + text;
      }
      EXPECT_EQ(rebuilt, c);
    }
    EXPECT_EQ(lines, 2'000);
    EXPECT_FALSE(std::getline(csv, c));
  }
  // JSON Lines have no header: the truth file numbers the first record line 1.
  const Table truth = read_csv(dir / "sensors.jsonl.truth.csv");
  EXPECT_EQ(truth.rows.front()[0], "1");
  EXPECT_EQ(truth.rows.back()[0], "2000");
}

TEST(Generate, FilesReplayThroughTheFileSourcesWithoutBadRecords) {
  const auto dir = testing::temp_dir("generate_replay");
  for (const std::string name : {"clicks.csv", "clicks.jsonl"}) {
    make("clicks", dir / name, 3'000);
    FileSourceOptions o;
    o.schema.label = "clicked";
    o.schema.key = "user";
    o.schema.time = "event_time";
    o.schema.categorical = {"device", "ad_category"};
    const testing::Drained d = testing::drain_file((dir / name).string(), o);
    EXPECT_EQ(d.rows, 3'000u) << name;
    EXPECT_TRUE(d.bad.empty()) << name << ": " << (d.bad.empty() ? "" : testing::bad_list(d)[0]);
    EXPECT_EQ(d.features.size(), 3'000u * 7) << name;
    ASSERT_EQ(d.times.size(), 3'000u) << name;
    EXPECT_TRUE(std::is_sorted(d.times.begin(), d.times.end())) << name;
  }
}

// ---------------------------------------------------------------- ground truth: clicks

TEST(GenerateClicks, ClickRateMatchesTheTrueModelRecomputedFromTheFile) {
  const auto dir = testing::temp_dir("generate_clicks_truth");
  make("clicks", dir / "clicks.csv", 200'000, 11);
  const Json model = read_json(dir / "clicks.csv.model.json");
  const Table t = read_csv(dir / "clicks.csv");
  ASSERT_EQ(t.rows.size(), 200'000u);
  EXPECT_EQ(model["events"].number, 200'000);

  std::vector<std::pair<std::size_t, double>> weights;
  for (const auto& [name, w] : model["weights"].members) weights.emplace_back(t.col(name), w.number);
  ASSERT_EQ(weights.size(), 7u);
  const Json& effects = model["categorical_effects"];
  const std::size_t device = t.col("device"), category = t.col("ad_category"), clicked = t.col("clicked");
  // Oracle: P(click) recomputed by brute force from the file's own features and the model
  // file, sigmoid(intercept + w·x + device effect + category effect), record by record.
  double sum_p = 0, sum_var = 0, clicks = 0;
  for (const auto& row : t.rows) {
    double z = model["intercept"].number + effects["device"][row[device]].number +
               effects["ad_category"][row[category]].number;
    for (const auto& [col, w] : weights) z += w * num(row[col]);
    const double p = 1 / (1 + std::exp(-z));
    sum_p += p;
    sum_var += p * (1 - p);
    clicks += num(row[clicked]);
  }
  const double n = double(t.rows.size());
  // Clicks are independent Bernoulli(p_i): their mean has sd sqrt(Σ p(1-p)) / n (~0.0009).
  const double se = std::sqrt(sum_var) / n;
  EXPECT_NEAR(clicks / n, sum_p / n, 4 * se);
  EXPECT_LT(se, 0.001);
  // The model file's own summary is the same recomputation (features are written on the
  // grid the generator used, so only summation order can differ).
  EXPECT_NEAR(model["mean_p_click"].number, sum_p / n, 1e-9);
  EXPECT_EQ(model["clicks"].number, clicks);
  // Realistic-but-learnable, as documented: 10-30 % clicks, best AUC well above chance.
  EXPECT_GT(clicks / n, 0.10);
  EXPECT_LT(clicks / n, 0.30);
  EXPECT_GT(model["bayes_auc"].number, 0.75);
  EXPECT_LT(model["bayes_auc"].number, 0.90);
  EXPECT_NEAR(model["base_ctr"].number, 1 / (1 + std::exp(-model["intercept"].number)), 1e-15);
}

// ---------------------------------------------------------------- ground truth: sensors

struct SensorTruth {
  Table data, truth;
  Json model;
  std::vector<std::string> readings;
  std::vector<double> sd;
  std::vector<std::vector<double>> start, velocity;  // [cluster][reading]
  EventTime first = 0;

  std::vector<double> centre(std::size_t k, double hours) const {
    std::vector<double> c(readings.size());
    for (std::size_t j = 0; j < c.size(); ++j) c[j] = start[k][j] + velocity[k][j] * hours;
    return c;
  }
  double hours(std::size_t row) const { return double(time_of(data.rows[row][0]) - first) / 3.6e9; }
  double value(std::size_t row, std::size_t j) const { return num(data.rows[row][data.col(readings[j])]); }
};

SensorTruth read_sensors(const std::filesystem::path& csv) {
  SensorTruth s;
  s.data = read_csv(csv);
  s.truth = read_csv(csv.string() + ".truth.csv");
  s.model = read_json(csv.string() + ".model.json");
  for (const auto& r : s.model["readings"].items) {
    s.readings.push_back(r["name"].text);
    s.sd.push_back(r["noise_sd"].number);
  }
  for (const auto& c : s.model["clusters"].items) {
    s.start.emplace_back();
    s.velocity.emplace_back();
    for (const auto& name : s.readings) {
      s.start.back().push_back(c["start"][name].number);
      s.velocity.back().push_back(c["velocity_per_hour"][name].number);
    }
  }
  s.first = time_of(s.model["first_event_time"].text);
  return s;
}

TEST(GenerateSensors, TruthFileNumbersEveryLineAndAnomaliesHaveTheStatedRate) {
  const auto dir = testing::temp_dir("generate_sensors_rate");
  GenerateOptions o;
  o.kind = "sensors";
  o.out = (dir / "sensors.csv").string();
  o.events = 50'000;
  o.settings["anomaly_rate"] = "0.02";
  o.settings["clusters"] = "3";
  const auto report = generate_stream(o);
  EXPECT_EQ(report.written, (std::vector<std::string>{o.out + ".truth.csv", o.out + ".model.json"}));
  EXPECT_EQ(read_text(o.out).substr(0, kSensorsHeader.size() + 1), kSensorsHeader + "\n");
  const SensorTruth s = read_sensors(o.out);
  ASSERT_EQ(s.data.rows.size(), 50'000u);
  ASSERT_EQ(s.truth.rows.size(), 50'000u);
  EXPECT_EQ(s.truth.header, (std::vector<std::string>{"line", "cluster"}));
  EXPECT_EQ(s.model["clusters"].items.size(), 3u);
  double anomalies = 0;
  EventTime previous = 0;
  for (std::size_t i = 0; i < s.truth.rows.size(); ++i) {
    ASSERT_EQ(s.truth.rows[i][0], std::to_string(i + 2));  // header is line 1
    const int k = std::stoi(s.truth.rows[i][1]);
    ASSERT_TRUE(k >= -1 && k < 3) << k;
    anomalies += k == -1;
    const EventTime now = time_of(s.data.rows[i][0]);
    ASSERT_GE(now, previous);
    previous = now;
  }
  // Oracle: Binomial(n, 0.02); 4 standard errors.
  const double n = 50'000;
  EXPECT_NEAR(anomalies / n, 0.02, 4 * std::sqrt(0.02 * 0.98 / n));
  EXPECT_EQ(s.model["anomalies"].number, anomalies);
}

TEST(GenerateSensors, ClusterMeansAtTheStartAndAnomalyDistancesMatchTheModel) {
  const auto dir = testing::temp_dir("generate_sensors_truth");
  make("sensors", dir / "sensors.csv", 40'000, 5);
  const SensorTruth s = read_sensors(dir / "sensors.csv");
  const std::size_t k_count = s.start.size(), d = s.readings.size();
  ASSERT_EQ(k_count, 4u);
  ASSERT_EQ(d, 4u);
  const std::size_t head = s.data.rows.size() / 10;

  // Accumulators for the first and the last 10 % of the stream.
  struct Window {
    std::vector<std::vector<double>> sum;
    std::vector<double> hours, count;
  };
  std::vector<Window> windows(2, Window{std::vector<std::vector<double>>(k_count, std::vector<double>(d, 0)),
                                        std::vector<double>(k_count, 0), std::vector<double>(k_count, 0)});
  double nearest_anomaly = 1e300;
  for (std::size_t i = 0; i < s.data.rows.size(); ++i) {
    const int k = std::stoi(s.truth.rows[i][1]);
    const double h = s.hours(i);
    if (k < 0) {
      // Oracle: distance in sd units to every true centre at the record's time.
      for (std::size_t c = 0; c < k_count; ++c) {
        const auto centre = s.centre(c, h);
        double dist = 0;
        for (std::size_t j = 0; j < d; ++j) dist += std::pow((s.value(i, j) - centre[j]) / s.sd[j], 2);
        nearest_anomaly = std::min(nearest_anomaly, std::sqrt(dist));
      }
    } else if (i < head || i >= s.data.rows.size() - head) {
      Window& w = windows[i < head ? 0 : 1];
      for (std::size_t j = 0; j < d; ++j) w.sum[k][j] += s.value(i, j);
      w.hours[k] += h;
      w.count[k] += 1;
    }
  }
  // Documented rule: anomalies lie at least 8 sd units from every centre (up to the 1e-4
  // rounding of the printed readings).
  EXPECT_GE(nearest_anomaly, s.model["anomaly_min_distance"].number - 1e-3);
  EXPECT_EQ(s.model["anomaly_min_distance"].number, 8);

  // Per-cluster means over the first and the last 10 % of the stream. A member's expectation
  // is its centre at its own time, so the mean's expectation is the centre at the members'
  // mean time (linear drift); each coordinate's sd is noise_sd / sqrt(n_k). Tolerance: 4 of
  // those. The last window is where a wrong drift shows: by then centres have moved ~3 sd
  // units, 25 times the tolerance. Against the start centre itself, the first window's
  // tolerance adds the drift over the members' mean time.
  for (std::size_t k = 0; k < k_count; ++k) {
    for (std::size_t w = 0; w < 2; ++w) {
      const Window& win = windows[w];
      ASSERT_GT(win.count[k], 300) << "cluster " << k;
      const double mean_hours = win.hours[k] / win.count[k];
      const auto expected = s.centre(k, mean_hours);
      for (std::size_t j = 0; j < d; ++j) {
        const double mean = win.sum[k][j] / win.count[k];
        const double tolerance = 4 * s.sd[j] / std::sqrt(win.count[k]);
        EXPECT_NEAR(mean, expected[j], tolerance)
            << (w ? "last" : "first") << " 10 %, cluster " << k << " " << s.readings[j];
        if (w == 0) {
          EXPECT_NEAR(mean, s.start[k][j], tolerance + std::abs(s.velocity[k][j]) * mean_hours)
              << "cluster " << k << " " << s.readings[j];
        }
      }
    }
    // The end centre is the start moved by the velocity over the stream's duration, and the
    // velocity has the documented speed: drift sd units over the expected duration.
    const double duration = double(time_of(s.model["last_event_time"].text) - s.first) / 3.6e9;
    double speed = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double end = s.model["clusters"].items[k]["end"][s.readings[j]].number;
      EXPECT_NEAR(end, s.start[k][j] + s.velocity[k][j] * duration, 1e-9 * std::abs(end));
      speed += std::pow(s.velocity[k][j] / s.sd[j], 2);
    }
    const double expected_hours = 40'000 / 5.0 / 3600;  // default rate 5 events/s
    EXPECT_NEAR(std::sqrt(speed), 3.0 / expected_hours, 1e-9);
  }
}

// ---------------------------------------------------------------- errors

// generate_stream refuses `o` with InvalidInput whose message holds every fragment, and
// writes nothing.
void expect_refused(const GenerateOptions& o, const std::vector<std::string>& fragments) {
  try {
    generate_stream(o);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string m = e.what();
    for (const auto& f : fragments) EXPECT_NE(m.find(f), std::string::npos) << m;
  }
  EXPECT_FALSE(std::filesystem::exists(o.out));
}

TEST(Generate, UnknownKindIsInvalidInputListingTheKnownOnes) {
  GenerateOptions o;
  o.kind = "bananas";
  o.out = (testing::temp_dir("generate_unknown") / "x.csv").string();
  expect_refused(o, {"'bananas'", "clicks, sensors"});
}

TEST(Generate, UnwritablePathIsAnIoErrorNamingIt) {
  const auto path = (testing::temp_dir("generate_unwritable") / "no_such_dir" / "x.csv").string();
  for (const std::string kind : {"clicks", "sensors", "weblog", "transactions"}) {
    try {
      make(kind, path, 10);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Io);
      EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(Generate, SettingsOutOfRangeAreInvalidInputSayingExpectedAndGot) {
  const auto dir = testing::temp_dir("generate_settings");
  const auto expect_invalid = [&](GenerateOptions o, const std::string& fragment) {
    o.out = (dir / "x.csv").string();
    try {
      generate_stream(o);
      ADD_FAILURE() << "no error for " << fragment;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  GenerateOptions o;
  o.kind = "clicks";
  o.events = 0;
  expect_invalid(o, "events must be in [1, 1000000000], got 0");
  o.events = 10;
  o.rate = -1;
  expect_invalid(o, "got -1");
  o.rate = 0;
  o.format = "parquet";
  expect_invalid(o, "got 'parquet'");
  o.format = "auto";
  o.kind = "sensors";
  o.settings["clusters"] = "9";
  expect_invalid(o, "clusters must be in [1, 8], got 9");
  o.settings["clusters"] = "4";
  o.settings["anomaly_rate"] = "0.9";
  expect_invalid(o, "got 0.9");
}

TEST(Generate, UnknownSettingIsInvalidInputNamingTheKindAndTheClosestName) {
  GenerateOptions o;
  o.kind = "clicks";
  o.out = (testing::temp_dir("generate_unknown_setting") / "x.csv").string();
  o.settings["userz"] = "10";
  expect_refused(o, {"clicks has no setting 'userz'; known: ", "(did you mean 'users'?)"});
}

// ---------------------------------------------------------------- the kinds' own settings

// The command line's flags and Python's keywords come from these tables: each kind declares
// its settings once, and the defaults are the documented ones.
TEST(Generate, EachKindDeclaresItsSettingsInOneTable) {
  const auto names = [](const std::string& kind) { return generator_settings(kind)->names(); };
  EXPECT_EQ(names("clicks"), (std::vector<std::string>{"users", "zipf"}));
  EXPECT_EQ(names("sensors"), (std::vector<std::string>{"devices", "clusters", "anomaly_rate", "drift"}));
  EXPECT_EQ(names("weblog"), (std::vector<std::string>{"pages", "users"}));
  EXPECT_EQ(names("transactions"), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(generator_settings("sensors")->find("clusters")->default_text, "4");
  EXPECT_EQ(generator_settings("sensors")->find("clusters")->range, "in [1, 8]");
  EXPECT_EQ(generator_settings("bananas"), nullptr);
}

// A kind's own function with typed settings writes exactly what generate_stream writes for
// the kind's name and the same settings as text (the command line's path): oracle, those bytes.
TEST(Generate, KindFunctionsWriteTheBytesGenerateStreamWritesByName) {
  const auto dir = testing::temp_dir("generate_typed");
  const auto by_name = [&](const std::string& kind, std::map<std::string, std::string> settings) {
    std::filesystem::create_directories(dir / "by_name");
    GenerateOptions o;
    o.kind = kind;
    o.out = (dir / "by_name" / (kind + ".csv")).string();
    o.events = 3000;
    o.seed = 11;
    o.settings = std::move(settings);
    return generate_stream(o);
  };
  std::filesystem::create_directories(dir / "typed");
  StreamOptions o;
  o.events = 3000;
  o.seed = 11;
  const auto out = [&](const std::string& kind) { return (dir / "typed" / (kind + ".csv")).string(); };
  std::vector<std::pair<GenerateReport, GenerateReport>> pairs;

  ClicksSettings clicks;
  clicks.users = 40;
  clicks.zipf_exponent = 0.5;
  o.out = out("clicks");
  pairs.emplace_back(generate_clicks(o, clicks), by_name("clicks", {{"users", "40"}, {"zipf", "0.5"}}));
  SensorsSettings sensors;
  sensors.devices = 9;
  sensors.clusters = 2;
  sensors.anomaly_rate = 0.1;
  sensors.drift = 1.5;
  o.out = out("sensors");
  pairs.emplace_back(generate_sensors(o, sensors),
                     by_name("sensors", {{"devices", "9"}, {"clusters", "2"}, {"anomaly_rate", "0.1"}, {"drift", "1.5"}}));
  WeblogSettings weblog;
  weblog.pages = 30;
  weblog.users = 12;
  o.out = out("weblog");
  pairs.emplace_back(generate_weblog(o, weblog), by_name("weblog", {{"pages", "30"}, {"users", "12"}}));
  TransactionsSettings transactions;
  transactions.customers = 25;
  o.out = out("transactions");
  pairs.emplace_back(generate_transactions(o, transactions), by_name("transactions", {{"customers", "25"}}));

  for (const auto& [typed, named] : pairs) {
    EXPECT_EQ(read_text(typed.out), read_text(named.out)) << typed.out;
    ASSERT_EQ(typed.written.size(), named.written.size());
    for (std::size_t i = 0; i < typed.written.size(); ++i)
      EXPECT_EQ(read_text(typed.written[i]), read_text(named.written[i])) << typed.written[i];
    EXPECT_EQ(typed.first_event_time, named.first_event_time);
    EXPECT_EQ(typed.last_event_time, named.last_event_time);
  }
  // And the settings took effect: 40 users at most, 2 regimes.
  const Table clicks_file = read_csv(pairs[0].first.out);
  std::map<std::string, int> users;
  for (const auto& row : clicks_file.rows) users[row[1]] += 1;
  EXPECT_LE(users.size(), 40u);
  EXPECT_NE(read_text(pairs[1].first.written[1]).find("\"anomaly_rate\": 0.1"), std::string::npos);
}

// Typed settings out of range are refused by the same table as text ones.
TEST(Generate, KindFunctionsCheckTheirSettingsAgainstTheTable) {
  StreamOptions o;
  o.out = (testing::temp_dir("generate_typed_range") / "x.csv").string();
  SensorsSettings sensors;
  sensors.drift = 25;
  try {
    generate_sensors(o, sensors);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("sensors: drift must be in [0, 20], got 25"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(o.out));
}

// ---------------------------------------------------------------- weblog and transactions

// Every line is Common Log Format with a time that never decreases; statuses >= 400 occur,
// broken links (every 23rd product page) always answer 404, and the truth file's figures
// equal a recount of the log.
TEST(Generate, WeblogIsCommonLogFormatWithErrorsAndItsTruthAgrees) {
  const auto dir = testing::temp_dir("generate_weblog");
  const auto r = make("weblog", dir / "access.log", 20'000, 5);
  std::ifstream in(r.out);
  std::map<std::string, std::int64_t> hits;
  std::map<std::string, std::int64_t> statuses;
  std::int64_t errors = 0, lines = 0;
  EventTime last = 0;
  const std::string months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (std::string line; std::getline(in, line); ++lines) {
    // 10.a.b.c - user [dd/Mon/yyyy:HH:MM:SS +0000] "METHOD /path HTTP/1.1" status bytes
    const auto open = line.find(" ["), close = line.find("] \"");
    ASSERT_NE(open, std::string::npos) << line;
    ASSERT_EQ(close, open + 28) << line;
    const std::string stamp = line.substr(open + 2, 26);
    const std::size_t month = months.find(stamp.substr(3, 3));
    ASSERT_NE(month, std::string::npos) << line;
    char iso[32];
    std::snprintf(iso, sizeof iso, "%s-%02d-%sT%sZ", stamp.substr(7, 4).c_str(), int(month / 3 + 1),
                  stamp.substr(0, 2).c_str(), stamp.substr(12, 8).c_str());
    const EventTime t = time_of(iso);
    EXPECT_GE(t, last) << line;
    last = t;
    const auto request = split(line.substr(close + 3), ' ');  // METHOD, path, HTTP/1.1", status, bytes
    ASSERT_EQ(request.size(), 5u) << line;
    EXPECT_TRUE(request[0] == "GET" || (request[0] == "POST" && request[1] == "/login")) << line;
    hits[request[1]] += 1;
    statuses[request[3]] += 1;
    const int status = std::stoi(request[3]);
    errors += status >= 400;
    if (request[1].rfind("/products/", 0) == 0 && (std::stoi(request[1].substr(10)) + 1) % 23 == 0) {
      EXPECT_EQ(status, 404) << line;
    }
    EXPECT_EQ(request[4] == "-", status != 200) << line;
  }
  EXPECT_EQ(lines, 20'000);
  EXPECT_GT(errors, 1000);  // about 7 % plus the broken links
  EXPECT_GT(hits["/products/22"], 0);
  const Json truth = read_json(r.out + ".truth.json");
  EXPECT_EQ(truth["error_lines"].number, double(errors));
  for (const auto& [path, n] : hits) EXPECT_EQ(truth["hits"][path].number, double(n)) << path;
  for (const auto& [code, n] : statuses) EXPECT_EQ(truth["statuses"][code].number, double(n)) << code;
}

// Purchases in time order; customers with gaps of more than 30 days between purchases exist,
// and the truth file's per-customer figures equal a recount of the file.
TEST(Generate, TransactionsHaveGapsOverThirtyDaysAndTheirTruthAgrees) {
  const auto dir = testing::temp_dir("generate_transactions");
  const auto r = make("transactions", dir / "tx.csv", 30'000, 9);
  const Table t = read_csv(r.out);
  ASSERT_EQ(t.header, (std::vector<std::string>{"event_time", "customer", "amount"}));
  struct Seen {
    std::int64_t n = 0, gaps = 0;
    double spend = 0;
    EventTime last = -1;
  };
  std::map<std::string, Seen> customers;
  EventTime previous = 0;
  for (const auto& row : t.rows) {
    const EventTime when = time_of(row[0]);
    EXPECT_GE(when, previous);
    previous = when;
    EXPECT_GT(num(row[2]), 0);
    Seen& c = customers[row[1]];
    if (c.last >= 0 && when - c.last > 30 * 86400 * kMicrosPerSecond) ++c.gaps;
    c.n += 1;
    c.spend += num(row[2]);
    c.last = when;
  }
  const Table truth = read_csv(r.out + ".truth.csv");
  ASSERT_EQ(truth.rows.size(), customers.size());
  std::int64_t with_gaps = 0;
  for (const auto& row : truth.rows) {
    const Seen& c = customers.at(row[0]);
    EXPECT_EQ(std::stoll(row[1]), c.n) << row[0];
    EXPECT_NEAR(num(row[2]), c.spend, 1e-6 * c.spend) << row[0];
    EXPECT_EQ(time_of(row[3]), c.last) << row[0];
    EXPECT_EQ(std::stoll(row[4]), c.gaps) << row[0];
    with_gaps += c.gaps > 0;
  }
  EXPECT_GT(with_gaps, 100);
  const Json model = read_json(r.out + ".model.json");
  EXPECT_EQ(model["customers_with_gaps_over_30_days"].number, double(with_gaps));
}

// Ratings. Oracle: the truth file. Each rating is round(3 + 2 x.y + noise) clamped to 1..5, so
// its error against 3 + 2 x.y (clamped) is the noise (sd 0.5) plus rounding; users appear in
// proportion to their activity; and taste makes the chosen items' affinity exceed what
// popularity alone would give (its expectation computed from the truth).
TEST(GenerateRatings, RatingsFollowTheTrueFactorsAndTasteDrivesTheChoice) {
  const auto dir = testing::temp_dir("generate_ratings");
  GenerateOptions o;
  o.kind = "ratings";
  o.out = (dir / "r.csv").string();
  o.events = 40'000;
  o.settings = {{"users", "200"}, {"items", "150"}, {"rank", "4"}};
  const auto r = generate_stream(o);
  const Table t = read_csv(r.out), truth = read_csv(r.out + ".truth.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"event_time", "user", "item", "rating"}));
  ASSERT_EQ(truth.rows.size(), 350u);
  std::map<std::string, std::vector<double>> factors;
  std::map<std::string, double> weight;
  double users_weight = 0, items_weight = 0;
  for (const auto& row : truth.rows) {
    for (std::size_t j = 3; j < row.size(); ++j) factors[row[1]].push_back(num(row[j]));
    weight[row[1]] = num(row[2]);
    (row[0] == "user" ? users_weight : items_weight) += num(row[2]);
  }
  auto affinity = [&](const std::string& u, const std::string& i) {
    double a = 0;
    for (std::size_t j = 0; j < 4; ++j) a += factors[u][j] * factors[i][j];
    return a;
  };
  double error2 = 0, chosen = 0;
  std::map<std::string, double> count;
  for (const auto& row : t.rows) {
    const double a = affinity(row[1], row[2]), rating = num(row[3]);
    ASSERT_TRUE(rating >= 1 && rating <= 5 && rating == std::round(rating)) << row[3];
    error2 += std::pow(rating - std::clamp(3 + 2 * a, 1.0, 5.0), 2);
    chosen += a;
    count[row[1]] += 1;
  }
  const double n = double(t.rows.size());
  EXPECT_LT(std::sqrt(error2 / n), 0.75);  // noise 0.5 and rounding (0.29), less where clamped
  // Popularity alone: E[a] = sum over users and items of activity_u popularity_i x_u.y_i.
  double popularity_only = 0;
  for (const auto& [u, wu] : weight)
    if (u[0] == 'u')
      for (const auto& [i, wi] : weight)
        if (i[0] == 'i') popularity_only += wu / users_weight * wi / items_weight * affinity(u, i);
  EXPECT_GT(chosen / n, popularity_only + 0.2) << "taste should pull the chosen items' affinity up";
  double max_gap = 0;
  for (const auto& [u, wu] : weight)
    if (u[0] == 'u') max_gap = std::max(max_gap, std::abs(count[u] / n - wu / users_weight));
  EXPECT_LT(max_gap, 0.01);  // each user's share of events within 1 point of its activity share
}

// Churn. Oracles: the truth files and the header's formulas recomputed here. No purchase after
// a customer's leaving day; fewer purchases per day once decided than before; p30 is 1 from the
// decision to the leaving and, before it, the formula from s0, drift and joined; left30 agrees
// with the leaving days; and the true probabilities rank the outcomes well (AUC > 0.85).
TEST(GenerateChurn, LeavingHasCausesAndTheTruthAgrees) {
  const auto dir = testing::temp_dir("generate_churn");
  GenerateOptions o;
  o.kind = "churn";
  o.out = (dir / "c.csv").string();
  o.events = 60'000;
  o.rate = 0.002;  // 173 purchases a day over 300 customers: a year of days
  o.settings = {{"customers", "300"}};
  const auto r = generate_stream(o);
  const Table t = read_csv(r.out), truth = read_csv(r.out + ".truth.csv"), daily = read_csv(r.out + ".truth_daily.csv");
  ASSERT_EQ(t.header, (std::vector<std::string>{"event_time", "customer", "category", "amount"}));
  const EventTime day = 86400 * kMicrosPerSecond, start = o.start;
  auto day_of = [&](const std::string& text) { return text.empty() ? -1 : (time_of(text) - start) / day; };
  struct Truth {
    std::int64_t joined, decided, left;
    double s0, drift;
  };
  std::map<std::string, Truth> customers;
  for (const auto& row : truth.rows)
    customers[row[0]] = {day_of(row[1]), day_of(row[2]), day_of(row[3]), num(row[4]), num(row[5])};
  std::map<std::string, std::pair<double, double>> before_after;  // purchases per day before/after deciding
  for (const auto& row : t.rows) {
    const Truth& c = customers.at(row[1]);
    const std::int64_t d = (time_of(row[0]) - start) / day;
    ASSERT_GE(d, c.joined) << row[1];
    if (c.left >= 0) {
      ASSERT_LT(d, c.left) << row[1] << " bought after leaving";
    }
    if (c.decided >= 0 && c.left >= 0) {
      auto& counts = before_after[row[1]];
      (d <= c.decided ? counts.first : counts.second) += 1;
    }
  }
  double before = 0, after = 0, days_before = 0, days_after = 0;
  for (const auto& [id, c] : customers)
    if (c.decided >= 0 && c.left >= 0) {
      before += before_after[id].first, after += before_after[id].second;
      days_before += double(c.decided - c.joined + 1), days_after += double(c.left - c.decided - 1);
    }
  EXPECT_LT(after / days_after, 0.6 * before / days_before) << "purchases should thin out after deciding";

  const Json model = read_json(r.out + ".model.json");
  const double hazard = model["hazard"].number;
  std::vector<double> p, y;
  std::int64_t checked = 0;
  for (const auto& row : daily.rows) {
    const Truth& c = customers.at(row[1]);
    const std::int64_t d = day_of(row[0]);
    const double p30 = num(row[2]);
    if (c.decided >= 0 && d >= c.decided) {
      EXPECT_EQ(p30, 1.0);
    } else if (checked++ < 2000) {
      double want = 0, stay = 1;
      for (int j = 1; j <= 16; ++j) {
        const double h = std::min(1.0, hazard * std::exp(-1.5 * (c.s0 + c.drift * double(d + j - c.joined))));
        want += stay * h * std::min(15, 17 - j) / 15.0;
        stay *= 1 - h;
      }
      EXPECT_NEAR(p30, want, 1e-6) << row[1] << " on " << row[0];
    }
    if (row.size() == 4) {
      const bool left30 = c.left >= 0 && c.left <= d + 30;
      EXPECT_EQ(row[3], left30 ? "1" : "0") << row[1] << " on " << row[0];
      p.push_back(p30);
      y.push_back(left30 ? 1.0 : 0.0);
    }
  }
  EXPECT_GT(checked, 1000);
  const double auc = PrequentialEvaluator::exact_auc(p.data(), y.data(), p.size());
  EXPECT_GT(auc, 0.85);
  EXPECT_GT(model["customers_left"].number, 40);
}

}  // namespace
}  // namespace streamml
