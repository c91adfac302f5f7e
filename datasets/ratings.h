// `streamml generate ratings` (users rating or consuming items: the stream ALS learns from)
// columns: event_time, user, item, rating
// user, item  "u00042", "i0042"; each has true factors: a unit vector of `rank` N(0, 1) draws
// users     active by a log-normal weight exp(activity N(0, 1)): a long tail of heavy users
// items     popular by Zipf rank, weight (rank + 1)^-popularity (ranks shuffled over ids)
// an event  a user by activity; an item drawn by popularity and kept with probability
//           exp(taste (x_u . y_i - 1)) (else drawn again), so users pick what they like:
//           P(i | u) is proportional to popularity_i exp(taste x_u . y_i)
// rating    round(3 + 2 x_u . y_i + noise N(0, 1)) clamped to 1..5 (an integer); implicit
//           learners may read it as a count or ignore it
// arrivals  a Poisson process (default 1 event per second)
// <out>.truth.csv: "side,id,weight,f0,f1,...": every user's activity weight and every item's
// popularity weight with their true factors (6 decimals, the values the generator used).
// <out>.model.json: the settings and counts.
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

struct RatingsSettings {
  static constexpr const char* kKind = "ratings";
  static constexpr double kDefaultRate = 1.0;  // events per second of event time
  std::int64_t users = 1000;
  std::int64_t items = 500;
  std::int64_t rank = 5;
  double popularity = 1.0;  // Zipf exponent of items
  double activity = 1.0;    // log-normal spread of users' activity
  double taste = 2.0;       // how strongly affinity x_u . y_i drives the choice
  double noise = 0.5;       // rating noise, standard deviation

  static const SettingsTable<RatingsSettings>& settings_table();
};

GenerateReport generate_ratings(const StreamOptions& options, const RatingsSettings& settings = {});

}  // namespace streamml
