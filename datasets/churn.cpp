#include "datasets/churn.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

const SettingsTable<ChurnSettings>& ChurnSettings::settings_table() {
  using S = ChurnSettings;
  static const auto t =
      SettingsTable<S>(kKind)
          .integer("customers", &S::customers, "customers present at any time", Range::closed(1, 1e7))
          .integer("categories", &S::categories, "product categories", Range::closed(1, 1000))
          .integer("taste_rank", &S::taste_rank, "latent dimensions of tastes", Range::closed(1, 64))
          .real("hazard", &S::hazard, "daily probability of deciding to leave at satisfaction 0",
                Range::open_closed(0, 1));
  return t;
}

namespace {

constexpr double kSatisfactionWeight = 1.5;  // h(t) = hazard exp(-1.5 s(t))
constexpr double kDecayDays = 7;
constexpr std::int64_t kLeaveMin = 14, kLeaveSpan = 15;  // L uniform in 14..28
constexpr std::int64_t kHorizonDays = 30;
constexpr double kScale = 1e6;  // truth numbers: 6 decimals

struct Customer {
  std::int64_t joined = 0;
  double s0 = 0, drift = 0, rate = 0;
  std::vector<double> category_cumulative;
  std::int64_t decided = -1, leaves = -1;
  double satisfaction(std::int64_t day) const { return s0 + drift * double(day - joined); }
};

struct Purchase {
  std::int64_t ms, customer, category, cents;
};

struct DailyTruth {
  std::int64_t day, customer;
  double p30;
};

}  // namespace

GenerateReport generate_churn(const StreamOptions& o, const ChurnSettings& settings) {
  const Stream s = begin_stream(o, settings);
  Random rng(o.seed);
  const std::int64_t K = settings.categories, d = settings.taste_rank;
  std::vector<double> embedding(static_cast<std::size_t>(K * d)), quality(static_cast<std::size_t>(K)),
      mean_amount(static_cast<std::size_t>(K));
  for (auto& e : embedding) e = on_grid(rng.normal(), kScale);
  for (std::int64_t k = 0; k < K; ++k) {
    quality[std::size_t(k)] = on_grid(-0.03 + 0.04 * rng.uniform(), kScale);
    mean_amount[std::size_t(k)] = on_grid(10 + 90 * rng.uniform(), 100);
  }
  const double base_rate = s.rate * 86400.0 / double(settings.customers);
  auto hazard = [&](const Customer& c, std::int64_t day) {
    return std::min(1.0, settings.hazard * std::exp(-kSatisfactionWeight * c.satisfaction(day)));
  };

  std::vector<Customer> customers;
  std::vector<std::int64_t> present;
  auto join = [&](std::int64_t day) {
    Customer c;
    c.joined = day;
    std::vector<double> weight(static_cast<std::size_t>(K));
    double total = 0;
    std::vector<double> taste(static_cast<std::size_t>(d));
    for (auto& x : taste) x = 1.5 * rng.normal();
    for (std::int64_t k = 0; k < K; ++k) {
      double a = 0;
      for (std::int64_t j = 0; j < d; ++j) a += taste[std::size_t(j)] * embedding[std::size_t(k * d + j)];
      total += (weight[std::size_t(k)] = std::exp(a));
    }
    double drift = 0;
    for (std::int64_t k = 0; k < K; ++k) drift += weight[std::size_t(k)] / total * quality[std::size_t(k)];
    c.drift = on_grid(drift + 0.005 * rng.normal(), kScale);
    c.s0 = on_grid(1.0 + 0.5 * rng.normal(), kScale);
    c.rate = on_grid(base_rate * std::exp(0.5 * rng.normal() - 0.125), kScale);
    c.category_cumulative = cumulative(weight);
    customers.push_back(std::move(c));
    present.push_back(std::int64_t(customers.size()) - 1);
  };
  for (std::int64_t c = 0; c < settings.customers; ++c) join(0);
  const int width = id_width(settings.customers * 8, 6);

  OutputFile out(o.out);
  RecordWriter rec(out, s.jsonl, {"event_time", "customer", "category", "amount"});
  const std::int64_t start_ms = floor_div(o.start, 1000);
  std::int64_t written = 0, first_ms = 0, last_ms = 0, day = 0;
  std::vector<Purchase> purchases;
  std::vector<DailyTruth> daily;
  std::vector<std::string> category_names;
  for (std::int64_t k = 0; k < K; ++k) category_names.push_back("k" + std::to_string(k));
  for (; written < o.events; ++day) {
    // Those whose leaving day has come go; newcomers keep the population.
    std::size_t kept = 0;
    std::int64_t left = 0;
    for (std::int64_t id : present) {
      if (customers[std::size_t(id)].leaves == day)
        ++left;
      else
        present[kept++] = id;
    }
    present.resize(kept);
    for (std::int64_t n = 0; n < left; ++n) join(day);

    purchases.clear();
    const std::int64_t day_ms = start_ms + day * kMillisPerDay;
    for (std::int64_t id : present) {
      const Customer& c = customers[std::size_t(id)];
      const double m = c.decided >= 0 ? std::exp(-double(day - c.decided) / kDecayDays) : 1.0;
      const double rate = c.rate * 2.0 / (1.0 + std::exp(-c.satisfaction(day))) * m;
      for (std::int64_t n = rng.poisson(rate); n > 0; --n) {
        const std::int64_t ms = day_ms + std::int64_t(rng.below(std::uint64_t(kMillisPerDay)));
        const auto k = std::int64_t(rng.pick(c.category_cumulative));
        const auto cents = std::max<std::int64_t>(
            1, std::llround(mean_amount[std::size_t(k)] * std::exp(0.4 * rng.normal()) * 100));
        purchases.push_back({ms, id, k, cents});
      }
    }
    std::sort(purchases.begin(), purchases.end(), [](const Purchase& a, const Purchase& b) {
      return std::tie(a.ms, a.customer, a.category, a.cents) < std::tie(b.ms, b.customer, b.category, b.cents);
    });
    for (const Purchase& p : purchases) {
      if (written == o.events) break;
      if (written == 0) first_ms = p.ms;
      last_ms = p.ms;
      rec.time(0, p.ms);
      rec.id(1, 'c', p.customer, width);
      rec.word(2, category_names[std::size_t(p.category)]);
      rec.fixed(3, double(p.cents) / 100.0, 2);
      rec.end();
      ++written;
    }

    // The day's decisions, then each customer's chance of leaving within 30 days.
    for (std::int64_t id : present) {
      Customer& c = customers[std::size_t(id)];
      if (c.decided < 0 && rng.uniform() < hazard(c, day)) {
        c.decided = day;
        c.leaves = day + kLeaveMin + std::int64_t(rng.below(kLeaveSpan));
      }
      double p30 = 1.0;
      if (c.decided < 0) {
        p30 = 0.0;
        double stay = 1.0;
        for (std::int64_t j = 1; j <= kHorizonDays - kLeaveMin; ++j) {
          const double h = hazard(c, day + j);
          const double leave_in_time = double(std::min(kLeaveSpan, kHorizonDays - j - kLeaveMin + 1)) / double(kLeaveSpan);
          p30 += stay * h * leave_in_time;
          stay *= 1.0 - h;
        }
      }
      daily.push_back({day, id, on_grid(p30, kScale)});
    }
  }
  out.close();
  const std::int64_t last_day = day - 1;

  TimeText time_text;
  auto append_day = [&](std::string& text, std::int64_t d) {
    if (d >= 0) time_text.append(text, start_ms + d * kMillisPerDay);
  };
  const std::string truth_path = side_path(s, ".truth.csv");
  OutputFile truth(truth_path);
  truth.text() += "customer,joined,decided,left,s0,drift,base_rate\n";
  std::int64_t decided = 0, gone = 0;
  for (std::size_t id = 0; id < customers.size(); ++id) {
    const Customer& c = customers[id];
    append_id(truth.text(), 'c', std::int64_t(id), width);
    truth.text() += ',';
    append_day(truth.text(), c.joined);
    truth.text() += ',';
    append_day(truth.text(), c.decided >= 0 && c.decided <= last_day ? c.decided : -1);
    truth.text() += ',';
    append_day(truth.text(), c.leaves >= 0 && c.leaves <= last_day ? c.leaves : -1);
    for (double v : {c.s0, c.drift, c.rate}) {
      truth.text() += ',';
      append_fixed(truth.text(), v, 6);
    }
    truth.text() += '\n';
    truth.maybe_flush();
    decided += c.decided >= 0;
    gone += c.leaves >= 0 && c.leaves <= last_day;
  }
  truth.close();

  const std::string daily_path = side_path(s, ".truth_daily.csv");
  OutputFile days(daily_path);
  days.text() += "day,customer,p30,left30\n";
  for (const DailyTruth& t : daily) {
    append_day(days.text(), t.day);
    days.text() += ',';
    append_id(days.text(), 'c', t.customer, width);
    days.text() += ',';
    append_fixed(days.text(), t.p30, 6);
    days.text() += ',';
    if (t.day + kHorizonDays <= last_day) {
      const std::int64_t leaves = customers[std::size_t(t.customer)].leaves;
      days.text() += leaves >= 0 && leaves <= t.day + kHorizonDays ? '1' : '0';
    }
    days.text() += '\n';
    days.maybe_flush();
  }
  days.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, s.format(), first_ms * 1000, last_ms * 1000);
  w.key("customers").value(settings.customers);
  w.key("customers_total").value(std::int64_t(customers.size()));
  w.key("customers_decided").value(decided);
  w.key("customers_left").value(gone);
  w.key("days").value(last_day + 1);
  w.key("hazard").value(settings.hazard);
  w.key("satisfaction_weight").value(kSatisfactionWeight);
  w.key("decay_days").value(kDecayDays);
  w.key("leave_days").value("14 to 28");
  w.key("categories").begin_array();
  for (std::int64_t k = 0; k < K; ++k) {
    w.begin_object();
    w.key("name").value(category_names[std::size_t(k)]);
    w.key("quality").value(quality[std::size_t(k)]);
    w.key("mean_amount").value(mean_amount[std::size_t(k)]);
    w.key("embedding").begin_array();
    for (std::int64_t j = 0; j < d; ++j) w.value(embedding[std::size_t(k * d + j)]);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("truth_files").begin_array().value(file_name(truth_path)).value(file_name(daily_path)).end_array();
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);
  return make_report(s, s.format(), {truth_path, daily_path, model_path}, first_ms * 1000, last_ms * 1000);
}

}  // namespace streamml
