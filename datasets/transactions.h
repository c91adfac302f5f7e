// `streamml generate transactions` (customers' purchases: the source of churn features)
// columns: event_time, customer, amount
// customer    "c000042"; `customers` start active, each with a mean purchase in [20, 100)
// amount      mean * exp(0.5 N(0, 1)), in cents (2 decimals), at least 0.01
// arrivals    one Poisson process (default 0.0025/s, about 216 a day) over the customers
//             active at the time, uniformly. After each purchase a customer pauses for
//             31 to 120 days (uniform whole days) with probability 0.03, or leaves for good
//             with probability 0.01, and a new customer joins then.
// <out>.truth.csv: per customer with purchases: transactions, spend, last_seen, the
// number of gaps longer than 30 days between its purchases, and churned (0/1).
// <out>.model.json: the settings and counts.
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

// The kind's own settings, declared once in settings_table(): the command line's flags
// (--anomaly-rate for anomaly_rate) and Python's keywords are the table's names.
struct TransactionsSettings {
  static constexpr const char* kKind = "transactions";
  static constexpr double kDefaultRate = 0.0025;  // purchases (about 216 a day) per second of event time
  std::int64_t customers = 1000;  // active at the start

  static const SettingsTable<TransactionsSettings>& settings_table();
};

// Writes the stream and its side files (see generator.h for the options every kind shares).
// Throws streamml::Error as generate_stream does.
GenerateReport generate_transactions(const StreamOptions& options, const TransactionsSettings& settings = {});

}  // namespace streamml
