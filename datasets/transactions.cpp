#include "datasets/transactions.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

const SettingsTable<TransactionsSettings>& TransactionsSettings::settings_table() {
  static const auto t = SettingsTable<TransactionsSettings>(kKind).integer(
      "customers", &TransactionsSettings::customers, "customers at the start", Range::closed(1, 1e7));
  return t;
}

// Customers buy at their own pace; after each purchase a customer pauses for 31 to 120 days
// with probability 0.03, or leaves for good with probability 0.01 (a new customer then takes
// the place). Arrivals are one Poisson process over the customers active at the time.
GenerateReport generate_transactions(const StreamOptions& o, const TransactionsSettings& settings) {
  const Stream s = begin_stream(o, settings);
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
  for (std::int64_t c = 0; c < settings.customers; ++c) join();
  const int width = id_width(settings.customers * 4, 6);

  OutputFile out(o.out);
  RecordWriter rec(out, s.jsonl, {"event_time", "customer", "amount"});
  Arrivals arrivals(o.start, s.rate);
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

  const std::string truth_path = side_path(s, ".truth.csv");
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
  write_common_settings(w, s, s.format(), first_ms * 1000, last_ms * 1000);
  w.key("customers_initial").value(settings.customers);
  w.key("customers_total").value(std::int64_t(customers.size()));
  w.key("customers_with_gaps_over_30_days").value(with_gaps);
  w.key("customers_churned").value(churned);
  w.key("pause_probability").value(0.03);
  w.key("pause_days").value("31 to 120");
  w.key("churn_probability").value(0.01);
  w.key("truth_file").value(file_name(truth_path));
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);

  return make_report(s, s.format(), {truth_path, model_path}, first_ms * 1000, last_ms * 1000);
}

}  // namespace streamml
