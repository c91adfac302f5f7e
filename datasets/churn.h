// `streamml generate churn` (customers' purchases over product categories, where leaving has
// causes: the source of the churn pipeline's features and its truth)
// columns: event_time, customer, category, amount
// categories  "k0".."k<categories-1>": each has a latent embedding c_k (taste_rank N(0, 1)
//             draws), a quality q_k uniform in [-0.03, 0.01] per day and a mean amount uniform in
//             [10, 100)
// customers   "c000042"; each has tastes x (taste_rank N(0, 1.5^2) draws), so it buys category k
//             with probability p_k ~ exp(x . c_k); a base purchase rate (the stream's rate shared
//             over `customers`, times exp(0.5 N(0, 1) - 0.125)); a satisfaction that drifts,
//             s(t) = s0 + drift (t - joined) days, s0 ~ N(1, 0.5^2),
//             drift = sum_k p_k q_k + 0.005 N(0, 1): customers who favour poor categories sour
// a day      a customer buys Poisson(rate 2 sigmoid(s(t)) m(t)) times, at uniform moments of
//            the day; category by p_k, amount mean_k exp(0.4 N(0, 1)) in cents (at least 0.01).
//            At the end of the day one who has not decided yet decides to leave with
//            probability h(t) = hazard exp(-1.5 s(t)); after deciding on day d, m(t) =
//            exp(-(t - d) / 7) (purchases thin out), and the customer leaves for good on day
//            d + L, L uniform in 14..28 days; a new customer joins that day (the population stays
//            `customers`). Before deciding m(t) = 1.
// Days are UTC days from the stream's start; the stream ends after `events` purchases.
// <out>.truth.csv: per customer: customer, joined, decided, left (dates, empty when not),
//   s0, drift, base_rate.
// <out>.truth_daily.csv: for every customer present at the end of each day:
//   day, customer, p30 = P(it leaves within the next 30 days | its state at the end of that
//   day): 1 once decided (it leaves within 28 days), else
//   sum_{j=1..30} prod_{i<j} (1 - h(t+i)) h(t+j) P(L <= 30 - j), and left30 (1 when it did
//   leave within those 30 days, known only for days at least 30 days before the stream's
//   last day; empty otherwise).
// <out>.model.json: the settings, the categories' embeddings, qualities and mean amounts.
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

struct ChurnSettings {
  static constexpr const char* kKind = "churn";
  static constexpr double kDefaultRate = 0.01;  // purchases per second (864 a day over all customers)
  std::int64_t customers = 2000;
  std::int64_t categories = 8;
  std::int64_t taste_rank = 3;
  double hazard = 0.005;  // daily decision probability at satisfaction 0

  static const SettingsTable<ChurnSettings>& settings_table();
};

GenerateReport generate_churn(const StreamOptions& options, const ChurnSettings& settings = {});

}  // namespace streamml
