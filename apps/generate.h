// `streamml generate`: synthetic recorded streams whose ground truth is known.
//
// A generated file is an ordinary recorded stream (CSV with a header, or JSON Lines), so it
// replays like any other; the truth that made it is written beside it, never inside it, so a
// learner cannot peek. Same options + same seed ⇒ the same bytes: randomness comes from
// std::mt19937_64 (whose output the C++ standard fixes) through our own uniform, normal
// (Box–Muller), exponential and Zipf code, never the std:: distributions, whose algorithms
// differ between standard libraries. Only exp/log/sin/cos/sqrt come from the C maths library;
// every value is rounded before it is written and before it enters the label model, so the
// file is exactly consistent with its truth.
//
// Common to every kind
//   event_time  ISO 8601 UTC with milliseconds, "2026-01-01T00:00:01.234Z" (readable by
//               replay --time and by parse_event_time). Arrivals are a Poisson process:
//               exponential gaps of mean 1/rate seconds, accumulated in microseconds and
//               written truncated to the millisecond, so times never decrease (equal
//               neighbours are possible at high rates).
//   numbers     fixed notation, 6 decimals for click features and 4 for sensor readings
//               (std::to_chars): the values are rounded to that grid first, so what a reader
//               parses is exactly what the generator used.
//   format      .jsonl / .ndjson ⇒ one JSON object per line with the same fields in the same
//               order (no header); anything else ⇒ CSV with a header line.
//
// clicks (ad impressions and whether they were clicked)
//   columns: event_time, user, ad_quality, relevance, position, hour_sin, hour_cos,
//            user_affinity, page_depth, device, ad_category, clicked
//   user           "u00042": Zipf popularity (exponent zipf_exponent) over `users` ids; the
//                  popularity ranks are shuffled, so u00000 is not the most active user.
//   ad_quality     N(0, 1)
//   relevance      0.5 ad_quality + sqrt(0.75) N(0, 1)   (correlated with ad_quality, r = 0.5)
//   position       slot 1..5 with probabilities .35 .25 .18 .12 .10
//   hour_sin/cos   sin/cos(2π h / 24) of the user's local hour h: event time of day plus the
//                  user's fixed UTC offset (a whole number of hours in [-11, 12])
//   user_affinity  the user's fixed taste N(0, 0.8²) plus N(0, 0.6²) per impression
//   page_depth     log(1 + pages already seen in the session), pages ~ Geometric(0.3) from 0
//   device         desktop / mobile / tablet with probabilities .3 .6 .1
//   ad_category    retail / travel / finance / games / news / auto, equally likely
//   clicked        1 with probability sigmoid(intercept + Σ weights[f]·f
//                  + device_effect[device] + ad_category_effect[ad_category]), else 0.
//                  The first level of each categorical (desktop, retail) has effect 0.
//   <out>.model.json: intercept, weights by feature name, categorical effects by level,
//   base_ctr = sigmoid(intercept), the file's mean true P(click), its click rate, the AUC
//   of the true probabilities (the best any model can reach on it), and the settings.
//   With the fixed model the click rate is about 19 % and that best AUC about 0.84.
//
// sensors (IoT readings from a fleet of devices)
//   columns: event_time, device, temperature, vibration, pressure, humidity
//   device      "d0007", uniform over `devices` ids
//   readings    from one of `clusters` Gaussian operating regimes (mixture weights in the
//               model file), diagonal noise with a fixed sd per reading (temperature 1.5 °C,
//               vibration 0.2 mm/s, pressure 2 hPa, humidity 2.5 %). Distances below are in
//               units of those sds ("sd units"). Start centres are at least 10 sd units
//               apart and stay at least 8 apart for twice the expected duration.
//   drift       every centre moves on a straight line at a constant velocity; over the
//               expected duration of the stream (events / rate) it travels `drift` sd units.
//               The model file gives the velocity per hour of event time, and the centres at
//               the first and last event: centre(t) = start + velocity · (t − t_first) / 1 h.
//   anomalies   each record independently with probability anomaly_rate: a regime reading
//               with a spike of 10–20 sd units on one or two readings, kept only if it lies at
//               least 8 sd units from every centre at its time.
//   <out>.truth.csv: "line,cluster" — the line number of each record in the data file
//   (CSV: the header is line 1, the first record line 2; JSON Lines: the first record is
//   line 1) and its regime 0..K-1, or -1 for an anomaly.
//   <out>.model.json: reading names, units and noise sds, mixture weights, start and end
//   centres, velocities, the anomaly rule and counts.
//
// weblog (a web server's access log, Common Log Format; always text, whatever --format)
//   line: 10.a.b.c - user [dd/Mon/yyyy:HH:MM:SS +0000] "GET /path HTTP/1.1" status bytes
//   client      Zipf (exponent 0.8) over `users` addresses; every tenth logs in as "alice"
//   path        Zipf (exponent 1) over `pages` paths: "/", "/index.html", "/search", "/cart",
//               "/login" (half of its requests POST), "/about.html", "/static/app.js",
//               "/static/style.css", then "/products/0", "/products/1", ...
//   status      every 23rd product page (/products/22, /products/45, ...) is a broken link
//               that always answers 404; other requests 200 / 304 / 301 / 403 / 404 / 500 /
//               503 with probabilities .86 .05 .02 .01 .03 .02 .01
//   bytes       200: 200 + Exponential(mean 5000) rounded down; otherwise "-"
//   times       Poisson arrivals (default 20/s), written in whole seconds
//   <out>.truth.json: hits per path, lines per status, and error_lines (status >= 400).
//
// transactions (customers' purchases: the source of churn features)
//   columns: event_time, customer, amount
//   customer    "c000042"; `customers` start active, each with a mean purchase in [20, 100)
//   amount      mean * exp(0.5 N(0, 1)), in cents (2 decimals), at least 0.01
//   arrivals    one Poisson process (default 0.0025/s, about 216 a day) over the customers
//               active at the time, uniformly. After each purchase a customer pauses for
//               31 to 120 days (uniform whole days) with probability 0.03, or leaves for good
//               with probability 0.01, and a new customer joins then.
//   <out>.truth.csv: per customer with purchases: transactions, spend, last_seen, the
//   number of gaps longer than 30 days between its purchases, and churned (0/1).
//   <out>.model.json: the settings and counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event_time.h"

namespace streamml {

struct GenerateOptions {
  std::string kind;                      // one of generator_kinds()
  std::string out;                       // data file; side files are <out>.model.json, ...
  std::int64_t events = 100000;
  std::uint64_t seed = 42;
  std::string format = "auto";           // csv, jsonl, or auto (from the extension of out)
  EventTime start = 1767225600LL * kMicrosPerSecond;  // first arrival after 2026-01-01T00:00:00Z
  double rate = 0;                       // mean events per second; 0: clicks 50, sensors 5,
                                         // weblog 20, transactions 0.0025
  // clicks
  std::int64_t users = 5000;             // also weblog: client addresses
  double zipf_exponent = 1.1;
  // sensors
  std::int64_t devices = 200;
  int clusters = 4;
  double anomaly_rate = 0.005;
  double drift = 3.0;                    // sd units each centre travels over the stream
  // weblog
  std::int64_t pages = 200;
  // transactions
  std::int64_t customers = 1000;
};

struct GenerateReport {
  std::int64_t events = 0;
  std::string out;
  std::string format;                    // csv, jsonl, or clf (weblog)
  std::vector<std::string> written;      // side files, in the order written
  EventTime first_event_time = 0;
  EventTime last_event_time = 0;
};

// Writes the stream and its side files. Throws streamml::Error: InvalidInput for an unknown
// kind (the message lists the known ones) or a setting out of range; Io naming the path when
// a file cannot be written.
GenerateReport generate_stream(const GenerateOptions& options);

// The kinds generate_stream knows, in the order shown to users.
std::vector<std::string> generator_kinds();

}  // namespace streamml
