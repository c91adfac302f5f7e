// transactions (customers' purchases: the source of churn features)
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
//
// Default rate: 0.0025 purchases (about 216 a day) per second of event time. What every kind shares: generator.h.
#pragma once

#include "datasets/generator.h"

namespace streamml {

// Throws streamml::Error as generate_stream does.
GenerateReport generate_transactions(const GenerateOptions& options);

}  // namespace streamml
