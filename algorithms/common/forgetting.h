// Forgetting for drifting streams, as Spark's StreamingKMeans defines it and the streaming
// learners share it: the past is discounted by decay_factor per time unit (a batch, or a
// record), or by the factor whose half_life is given. The settings are declared once here and
// added to each learner's table.
#pragma once

#include <cmath>
#include <string>

#include "core/settings.h"

namespace streamml {

enum class TimeUnit { Batches, Points };

// The per-unit decay factor, half_life resolved.
inline double effective_decay(double decay_factor, double half_life) {
  return half_life > 0 ? std::exp(std::log(0.5) / half_life) : decay_factor;
}

// Adds decay_factor, half_life and time_unit to the table of a struct that has them.
template <class S>
SettingsTable<S>& add_forgetting_settings(SettingsTable<S>& table) {
  return table
      .real("decay_factor", &S::decay_factor, "forgetting: weight of the past per time unit; 1 keeps everything",
            Range::closed(0, 1))
      .real("half_life", &S::half_life, "forgetting: time units after which data weighs half; 0: none",
            Range::non_negative())
      .choice("time_unit", &S::time_unit, {{TimeUnit::Batches, "batches"}, {TimeUnit::Points, "points"}},
              "forgetting: a unit is a batch or a record");
}

// The one condition the three settings share.
inline void check_forgetting(const char* owner, double decay_factor, double half_life) {
  if (half_life > 0 && decay_factor < 1)
    settings_error(owner, "give decay_factor or half_life, not both (decay_factor " + real_text(decay_factor) +
                              ", half_life " + real_text(half_life) + ")");
}

}  // namespace streamml
