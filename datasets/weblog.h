// `streamml generate weblog` (a web server's access log, Common Log Format; always text,
// whatever --format)
// line: 10.a.b.c - user [dd/Mon/yyyy:HH:MM:SS +0000] "GET /path HTTP/1.1" status bytes
// client      Zipf (exponent 0.8) over `users` addresses; every tenth logs in as "alice"
// path        Zipf (exponent 1) over `pages` paths: "/", "/index.html", "/search", "/cart",
//             "/login" (half of its requests POST), "/about.html", "/static/app.js",
//             "/static/style.css", then "/products/0", "/products/1", ...
// status      every 23rd product page (/products/22, /products/45, ...) is a broken link
//             that always answers 404; other requests 200 / 304 / 301 / 403 / 404 / 500 /
//             503 with probabilities .86 .05 .02 .01 .03 .02 .01
// bytes       200: 200 + Exponential(mean 5000) rounded down; otherwise "-"
// times       Poisson arrivals (default 20/s), written in whole seconds
// <out>.truth.json: hits per path, lines per status, and error_lines (status >= 400).
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

// The kind's own settings, declared once in settings_table(): the command line's flags
// (--anomaly-rate for anomaly_rate) and Python's keywords are the table's names.
struct WeblogSettings {
  static constexpr const char* kKind = "weblog";
  static constexpr double kDefaultRate = 20;  // lines per second of event time
  std::int64_t pages = 200;   // the site's paths, at least 9
  std::int64_t users = 5000;  // client addresses

  static const SettingsTable<WeblogSettings>& settings_table();
};

// Writes the stream and its side files (see generator.h for the options every kind shares).
// Throws streamml::Error as generate_stream does.
GenerateReport generate_weblog(const StreamOptions& options, const WeblogSettings& settings = {});

}  // namespace streamml
