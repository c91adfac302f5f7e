// `streamml generate clicks` (ad impressions and whether they were clicked)
// columns: event_time, user, ad_quality, relevance, position, hour_sin, hour_cos,
//          user_affinity, page_depth, device, ad_category, clicked
// user           "u00042": Zipf popularity (exponent `zipf`) over `users` ids; the
//                popularity ranks are shuffled, so u00000 is not the most active user.
// ad_quality     N(0, 1)
// relevance      0.5 ad_quality + sqrt(0.75) N(0, 1)   (correlated with ad_quality, r = 0.5)
// position       slot 1..5 with probabilities .35 .25 .18 .12 .10
// hour_sin/cos   sin/cos(2π h / 24) of the user's local hour h: event time of day plus the
//                user's fixed UTC offset (a whole number of hours in [-11, 12])
// user_affinity  the user's fixed taste N(0, 0.8²) plus N(0, 0.6²) per impression
// page_depth     log(1 + pages already seen in the session), pages ~ Geometric(0.3) from 0
// device         desktop / mobile / tablet with probabilities .3 .6 .1
// ad_category    retail / travel / finance / games / news / auto, equally likely
// clicked        1 with probability sigmoid(intercept + Σ weights[f]·f
//                + device_effect[device] + ad_category_effect[ad_category]), else 0.
//                The first level of each categorical (desktop, retail) has effect 0.
// <out>.model.json: intercept, weights by feature name, categorical effects by level,
// base_ctr = sigmoid(intercept), the file's mean true P(click), its click rate, the AUC
// of the true probabilities (the best any model can reach on it), and the settings.
// With the fixed model the click rate is about 19 % and that best AUC about 0.84.
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

// The kind's own settings, declared once in settings_table(): the command line's flags
// (--anomaly-rate for anomaly_rate) and Python's keywords are the table's names.
struct ClicksSettings {
  static constexpr const char* kKind = "clicks";
  static constexpr double kDefaultRate = 50;  // events per second of event time
  std::int64_t users = 5000;   // Zipf popularity over this many ids
  double zipf_exponent = 1.1;  // "zipf" in the table: exponent of that popularity

  static const SettingsTable<ClicksSettings>& settings_table();
};

// Writes the stream and its side files (see generator.h for the options every kind shares).
// Throws streamml::Error as generate_stream does.
GenerateReport generate_clicks(const StreamOptions& options, const ClicksSettings& settings = {});

}  // namespace streamml
