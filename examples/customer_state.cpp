// Per-customer running state (transactions, spend, last seen) with a 30-day idle timeout: the
// feature source for churn prediction. A customer idle for more than 30 days gets a final
// record ("idle") and its state is dropped; if it comes back it starts afresh.
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>

#include "datasets/transactions.h"
#include "example_util.h"
#include "streaming/dstream/dstream.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"

using namespace streamml;
using namespace streamml::dstream;

struct Customer {
  std::int64_t transactions = 0;
  double spend = 0;
  EventTime last_seen = 0;
  auto fields() { return std::tie(transactions, spend, last_seen); }
};

struct Features {
  std::string customer;
  Customer state;
  bool idle = false;  // the final record of a customer idle for more than 30 days
};

struct Purchase {
  double amount;
  EventTime time;
};

int main() {
  const auto dir = examples::scratch("customers");
  StreamOptions gen;
  gen.out = (dir / "transactions.csv").string();
  gen.events = 40000;  // about 185 days
  TransactionsSettings shop;
  shop.customers = 300;
  generate_transactions(gen, shop);
  constexpr EventTime kDay = 86400 * kMicrosPerSecond;

  StreamingContext ctx("customers");
  std::vector<Features> idle;
  std::map<std::string, Customer> latest;
  ctx.from_batches<std::pair<std::string, Purchase>>([](const Batch& b, std::size_t i) {
       return std::pair<std::string, Purchase>(std::get<std::vector<std::string>>(b.keys)[i],
                                               {b.features[i * b.cols], b.event_times[i]});
     })
      .map_with_state(state_spec<Customer>([](const std::string& id, const std::optional<Purchase>& p,
                                              State<Customer>& state) -> std::optional<Features> {
                        if (state.is_timing_out()) return Features{id, state.get(), true};
                        Customer c = state.exists() ? state.get() : Customer{};
                        c.transactions += 1;
                        c.spend += p->amount;
                        c.last_seen = p->time;
                        state.update(c);
                        return Features{id, c, false};
                      }).timeout(days(30)))
      .for_each_batch([&](const std::vector<Features>& features) {
        for (const auto& f : features) {
          if (f.idle) idle.push_back(f);
          else latest[f.customer] = f.state;
        }
      });
  FileSourceOptions in;
  in.schema.key = "customer";
  in.schema.time = "event_time";
  in.schema.features = {"amount"};
  PipelineSettings settings;
  settings.batching.interval_us = kDay;  // a batch per day of event time
  const PipelineReport report = ctx.run(open_file_source(gen.out, in), settings);
  std::cout << report.records << " transactions in " << report.batches << " daily batches; " << idle.size()
            << " customers went idle for more than 30 days, e.g. " << (idle.empty() ? "" : idle.front().customer) << " after "
            << (idle.empty() ? 0 : idle.front().state.transactions) << " transactions\n";

  // Brute force: walk each customer's purchases by day (batch) index; a gap of more than 31
  // batches, or the stream ending 31 batches after the last purchase, is an idle timeout
  // (keyed_state.h: last seen in batch j, timed out in batch j + 31 when the clock is days).
  struct Walk {
    Customer c;
    std::int64_t last_day = 0;
  };
  std::map<std::string, Walk> walks;
  std::vector<std::pair<std::int64_t, Features>> brute_idle;  // (day it fires, record)
  std::ifstream file(gen.out);
  std::string line;
  std::getline(file, line);
  std::int64_t first_day = -1, last_day = 0;
  while (std::getline(file, line)) {
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
    const EventTime t = *parse_event_time(line.substr(0, c1));
    const std::string id = line.substr(c1 + 1, c2 - c1 - 1);
    const double amount = std::stod(line.substr(c2 + 1));
    if (first_day < 0) first_day = t / kDay;
    const std::int64_t day = t / kDay - first_day;
    last_day = day;
    auto it = walks.find(id);
    if (it != walks.end() && day > it->second.last_day + 31) {
      brute_idle.push_back({it->second.last_day + 31, Features{id, it->second.c, true}});
      walks.erase(it);
      it = walks.end();
    }
    Walk& w = walks[id];
    w.c.transactions += 1;
    w.c.spend += amount;
    w.c.last_seen = t;
    w.last_day = day;
  }
  for (const auto& [id, w] : walks)
    if (w.last_day + 31 <= last_day) brute_idle.push_back({w.last_day + 31, Features{id, w.c, true}});
  std::map<std::pair<std::string, std::int64_t>, Customer> a, b;  // (customer, last seen) -> state
  for (const auto& f : idle) a[{f.customer, f.state.last_seen}] = f.state;
  for (const auto& [day, f] : brute_idle) b[{f.customer, f.state.last_seen}] = f.state;
  bool same = a.size() == b.size() && idle.size() == brute_idle.size();
  for (auto i = a.begin(), j = b.begin(); same && i != a.end(); ++i, ++j)
    same = i->first == j->first && i->second.transactions == j->second.transactions &&
           std::abs(i->second.spend - j->second.spend) < 1e-6;
  for (const auto& [id, w] : walks)
    same = same && latest.count(id) && latest[id].transactions == w.c.transactions && latest[id].last_seen == w.c.last_seen;
  examples::check(same && !idle.empty(), "brute-force walk of every customer's purchases with the 30-day rule");
}
