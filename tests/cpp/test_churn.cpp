// The churn learner (algorithms/churn/): activity features, the delayed-label join, the model
// in a pipeline. Oracles: a brute-force recomputation from the purchase file (every snapshot's
// features as direct sums over the customer's purchases, every label by searching the
// purchases that follow); an uninterrupted run for crash -> resume (bit for bit); hand-made
// bad records.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "algorithms/churn/churn_model.h"
#include "checkpoint_test_util.h"
#include "datasets/churn.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
constexpr EventTime kDay = 86400 * kMicrosPerSecond;

struct Purchase {
  EventTime time;
  std::string customer;
  double amount;
};

struct Stream {
  std::string path;
  std::vector<Purchase> purchases;
};

// 300 customers, about 100 days of purchases.
const Stream& churn_stream() {
  static const Stream s = [] {
    Stream out;
    out.path = (testing::temp_dir("churn_stream") / "purchases.csv").string();
    StreamOptions o;
    o.out = out.path;
    o.events = 864 * 100;
    o.seed = 11;
    ChurnSettings shop;
    shop.customers = 300;
    generate_churn(o, shop);
    std::ifstream in(out.path);
    std::string line;
    std::getline(in, line);  // event_time,customer,category,amount
    while (std::getline(in, line)) {
      const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
      out.purchases.push_back({*parse_event_time(line.substr(0, c1)), line.substr(c1 + 1, c2 - c1 - 1),
                               std::stod(line.substr(c3 + 1))});
    }
    return out;
  }();
  return s;
}

FileSourceOptions purchase_schema() {
  FileSourceOptions file;
  file.schema.time = "event_time";
  file.schema.key = "customer";
  file.schema.ids = {{"item", "category"}};
  file.schema.features = {"amount"};
  return file;
}

PipelineSettings daily() {
  PipelineSettings p;
  p.batching.interval_us = kDay;
  p.threads = 2;
  return p;
}

struct Example {
  int label;
  std::vector<double> features;
};
using Examples = std::map<std::pair<EventTime, std::string>, Example>;

// Oracle: from the purchases alone. At each batch end D (in order), after that batch's
// purchases: a customer is active when its last purchase is at most idle_timeout before D (a
// customer dropped at an earlier batch end starts afresh); its features are direct sums over
// its purchases since it (re)started; its label is 1 when no purchase of it falls in
// (D, D + horizon]; the example matures when D + horizon <= the last batch end.
Examples brute_force(const std::vector<Purchase>& purchases, const std::vector<EventTime>& ends,
                     const ChurnModelSettings& s) {
  struct Customer {
    std::vector<const Purchase*> session;
  };
  std::map<std::string, Customer> active;
  std::map<std::string, std::vector<EventTime>> all_times;
  for (const Purchase& p : purchases) all_times[p.customer].push_back(p.time);
  Examples out;
  std::size_t next = 0;
  const double day = double(kDay);
  for (EventTime D : ends) {
    for (; next < purchases.size() && purchases[next].time < D; ++next)
      active[purchases[next].customer].session.push_back(&purchases[next]);
    for (auto it = active.begin(); it != active.end();)
      it = double(D - it->second.session.back()->time) > s.idle_timeout * day ? active.erase(it) : std::next(it);
    if (D + EventTime(s.horizon * day) > ends.back()) continue;
    for (const auto& [id, c] : active) {
      double ns = 0, nl = 0, spend = 0;
      for (const Purchase* p : c.session) {
        ns += std::exp2(-double(D - p->time) / day / s.short_half_life);
        nl += std::exp2(-double(D - p->time) / day / s.long_half_life);
        spend += p->amount * std::exp2(-double(D - p->time) / day / s.long_half_life);
      }
      const double tau_s = s.short_half_life / std::log(2.0), tau_l = s.long_half_life / std::log(2.0);
      Example e;
      e.features = {std::log1p(double(D - c.session.back()->time) / day),
                    std::log1p(ns),
                    std::log1p(nl),
                    std::log1p(spend / 100),
                    std::log((ns / tau_s + 0.01) / (nl / tau_l + 0.01)),
                    std::log1p(double(D - c.session.front()->time) / day)};
      e.label = 1;
      for (EventTime t : all_times[id])
        if (t > D + EventTime((s.horizon - s.silence) * day) && t <= D + EventTime(s.horizon * day)) e.label = 0;
      out[{D, id}] = e;
    }
  }
  return out;
}

class ChurnJoin : public ::testing::TestWithParam<double> {};

TEST_P(ChurnJoin, EqualsBruteForce) {
  const Stream& stream = churn_stream();
  ChurnModelSettings s;
  s.taste_rank = 0;
  s.silence = GetParam();
  auto model = std::make_shared<ChurnModel>(s);
  Pipeline pipeline(open_file_source(stream.path, purchase_schema()), daily());
  pipeline.add_learner("churn", model);
  std::vector<EventTime> ends;
  Examples joined;
  std::int64_t max_pending = 0;
  pipeline.add_stage("collect", [&](Batch& b) {
    ends.push_back(b.interval_end);
    const MaturedExamples& m = model->last_examples();
    const std::size_t d = m.rows() ? m.features.size() / m.rows() : 0;
    for (std::size_t i = 0; i < m.rows(); ++i)
      joined[{m.times[i], m.customers[i]}] = {int(m.labels[i]),
                                              std::vector<double>(m.features.begin() + std::ptrdiff_t(i * d),
                                                                  m.features.begin() + std::ptrdiff_t((i + 1) * d))};
    max_pending = std::max(max_pending, model->join().pending());
  }, StageState::Stateless);
  pipeline.run();
  const Examples brute = brute_force(stream.purchases, ends, s);
  ASSERT_GT(brute.size(), 10000u);
  ASSERT_EQ(joined.size(), brute.size());
  std::size_t positives = 0, feature_mismatches = 0;
  auto b = brute.begin();
  for (auto a = joined.cbegin(); a != joined.cend(); ++a, ++b) {
    ASSERT_EQ(a->first, b->first);
    ASSERT_EQ(a->second.label, b->second.label) << a->first.second << " at " << format_event_time(a->first.first);
    positives += std::size_t(b->second.label);
    for (std::size_t j = 0; j < CustomerActivity::kFeatures; ++j)
      feature_mismatches += std::abs(a->second.features[j] - b->second.features[j]) > 1e-9 * (1 + std::abs(b->second.features[j]));
  }
  EXPECT_EQ(feature_mismatches, 0u);
  EXPECT_EQ(model->examples(), std::int64_t(brute.size()));
  EXPECT_EQ(model->positives(), std::int64_t(positives));
  EXPECT_GT(positives, 100u);  // the stream has churners
  // The bound: at most the active customers of the last 30 days times 30 daily snapshots.
  EXPECT_LE(max_pending, 300 * 2 * 31);
  EXPECT_EQ(model->join().dropped(), 0);
}

// Silence: the whole horizon (no purchase within 30 days), and its last 14 days.
INSTANTIATE_TEST_SUITE_P(Silence, ChurnJoin, ::testing::Values(30.0, 14.0));

TEST(Churn, MaxPendingCapsTheJoin) {
  DelayedLabelJoin join(30 * kDay, 30 * kDay, 5);
  join.snapshot(kDay, {"a", "b", "c"}, {1, 2, 3});
  join.snapshot(2 * kDay, {"a", "b", "c"}, {4, 5, 6});
  EXPECT_EQ(join.pending(), 5);
  EXPECT_EQ(join.dropped(), 1);
  join.purchase("a", 2 * kDay + 1);  // settles a's two snapshots: both are within 30 days before it
  const MaturedExamples m = join.mature(32 * kDay);
  ASSERT_EQ(m.rows(), 5u);  // in order of (time, customer)
  EXPECT_EQ(m.customers, (std::vector<std::string>{"a", "b", "c", "a", "b"}));
  EXPECT_EQ(m.labels, (std::vector<double>{0, 1, 1, 0, 1}));
  EXPECT_EQ(m.features, (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(join.pending(), 0);
}

// Oracle: an uninterrupted run. Checkpoints every 10 daily batches; a failure injected after
// batch 45; the resumed run ends with the same state, bit for bit (activity, pending
// snapshots, the taste ALS, the logistic model, the risks).
TEST(Churn, ResumeAfterACrashEqualsAnUninterruptedRun) {
  const Stream& stream = churn_stream();
  const auto dir = testing::temp_dir("churn_resume");
  ChurnModelSettings s;
  s.taste_rank = 2;
  auto run = [&](const std::string& ck, std::int64_t stop_at, bool resume, std::vector<double>* risks_after) {
    auto model = std::make_shared<ChurnModel>(s);
    PipelineSettings p = daily();
    p.checkpoint.dir = ck;
    p.checkpoint.every_batches = 10;
    p.checkpoint.resume = resume;
    Pipeline pipeline(open_file_source(stream.path, purchase_schema()), p);
    pipeline.add_learner("churn", model);
    pipeline.add_stage("crash", [&, stop_at](Batch& b) {
      if (risks_after && b.index >= 50) {
        const auto& r = b.output("churn.risk")->values;
        const auto& v = std::get<std::vector<double>>(r);
        risks_after->insert(risks_after->end(), v.begin(), v.end());
      }
      if (b.index == stop_at) throw std::runtime_error("injected failure");
    }, StageState::Stateless);
    try {
      pipeline.run();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    }
    return model;
  };
  std::vector<double> whole_risks, resumed_risks;
  const auto whole = run((dir / "whole").string(), -1, false, &whole_risks);
  run((dir / "cut").string(), 45, false, nullptr);
  const auto resumed = run((dir / "cut").string(), -1, true, &resumed_risks);
  EXPECT_EQ(resumed->batches_seen(), whole->batches_seen());
  EXPECT_GT(whole->examples(), 0);
  const auto a = checkpoint_test::snapshot(*whole), b = checkpoint_test::snapshot(*resumed);
  EXPECT_TRUE(a == b) << checkpoint_test::first_difference(a, b);
  ASSERT_EQ(whole_risks.size(), resumed_risks.size());
  EXPECT_EQ(0, std::memcmp(whole_risks.data(), resumed_risks.data(), whole_risks.size() * sizeof(double)));
}

TEST(Churn, BadRecordsAreNamed) {
  ChurnModel model;
  Batch b;
  b.rows = 2;
  b.cols = 1;
  b.features = {12.5, std::nan("")};
  b.keys = std::vector<std::string>{"c1", "c2"};
  b.ids.push_back({"item", std::vector<std::string>{"k0", "k1"}});
  b.event_times = {kDay, kDay + 5};
  EXPECT_NE(error_of([&] { model.partial_fit(b); }).find("record 1 of batch 0 (customer 'c2'): the amount must be a "
                                                         "finite number >= 0, got nan"),
            std::string::npos);
  b.features[1] = 3;
  b.ids.clear();
  EXPECT_NE(error_of([&] { model.partial_fit(b); }).find("taste_rank 4 needs each purchase's category: replay with "
                                                         "--item COL"),
            std::string::npos);
  b.ids.push_back({"item", std::vector<std::string>{"k0", "k1"}});
  model.partial_fit(b);
  b.event_times = {kDay - 10, kDay - 5};
  EXPECT_NE(error_of([&] { model.partial_fit(b); }).find("before the last batch's end"), std::string::npos);
  ChurnModelSettings short_memory;
  short_memory.long_half_life = 3;
  EXPECT_NE(error_of([&] { ChurnModel{short_memory}; })
                .find("churn: long_half_life (3.000000) must be >= short_half_life (7.000000)"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
