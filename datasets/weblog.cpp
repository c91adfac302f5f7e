#include "datasets/weblog.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

namespace {

// Pages of the site: a few named ones, then /products/<n>; popularity is Zipf over this list.
// Every 23rd product page is a broken link (always 404), so errors concentrate on some pages.
std::string page_path(std::int64_t rank) {
  static const char* kNamed[] = {"/", "/index.html", "/search", "/cart", "/login", "/about.html",
                                 "/static/app.js", "/static/style.css"};
  constexpr std::int64_t kNamedCount = std::int64_t(std::size(kNamed));
  if (rank < kNamedCount) return kNamed[rank];
  return "/products/" + std::to_string(rank - kNamedCount);
}

bool broken_link(std::int64_t rank) { return rank >= 8 && (rank - 8) % 23 == 22; }

constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "[10/Oct/2000:13:55:36 +0000]" for a time in whole seconds since the epoch.
void append_clf_time(std::string& s, std::int64_t seconds) {
  const std::string iso = format_event_time(seconds * kMicrosPerSecond);  // 2026-01-01T00:00:00.000000Z
  s += '[';
  s.append(iso, 8, 2);
  s += '/';
  s += kMonthNames[std::stoi(iso.substr(5, 2)) - 1];
  s += '/';
  s.append(iso, 0, 4);
  s += ':';
  s.append(iso, 11, 8);
  s += " +0000]";
}

struct StatusLevel {
  int code;
  double probability;
};
// For pages that are not broken links.
constexpr StatusLevel kStatuses[] = {{200, 0.86}, {304, 0.05}, {301, 0.02}, {403, 0.01},
                                     {404, 0.03}, {500, 0.02}, {503, 0.01}};

}  // namespace

// Pages before users: the order in which they are checked, as before the settings table.
const SettingsTable<WeblogSettings>& WeblogSettings::settings_table() {
  static const auto t = SettingsTable<WeblogSettings>(kKind)
      .integer("pages", &WeblogSettings::pages, "number of pages", Range::closed(9, 1e7))
      .integer("users", &WeblogSettings::users, "client addresses", Range::closed(1, 1e8));
  return t;
}

GenerateReport generate_weblog(const StreamOptions& o, const WeblogSettings& settings) {
  const Stream s = begin_stream(o, settings);
  Random rng(o.seed);
  std::vector<double> popularity(std::size_t(settings.pages));
  for (std::size_t r = 0; r < popularity.size(); ++r) popularity[r] = std::pow(double(r + 1), -1.0);
  const std::vector<double> page_cumulative = cumulative(popularity);
  std::vector<double> client_weights(std::size_t(settings.users));
  for (std::size_t r = 0; r < client_weights.size(); ++r) client_weights[r] = std::pow(double(r + 1), -0.8);
  const std::vector<double> client_cumulative = cumulative(client_weights);
  std::vector<double> status_weights;
  for (const auto& st : kStatuses) status_weights.push_back(st.probability);
  const std::vector<double> status_cumulative = cumulative(status_weights);

  OutputFile out(o.out);
  Arrivals arrivals(o.start, s.rate);
  std::map<std::string, std::int64_t> hits;
  std::map<int, std::int64_t> statuses;
  std::int64_t errors = 0, first_s = 0, last_s = 0;
  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t sec = floor_div(arrivals.next_millis(rng), 1000);
    if (e == 0) first_s = sec;
    last_s = sec;
    const std::int64_t client = std::int64_t(rng.pick(client_cumulative));
    const std::int64_t page = std::int64_t(rng.pick(page_cumulative));
    const bool post = page == 4 && rng.uniform() < 0.5;  // /login
    int status = broken_link(page) ? 404 : kStatuses[rng.pick(status_cumulative)].code;
    const std::int64_t size = status == 200 ? 200 + std::int64_t(rng.exponential(5000)) : 0;
    std::string& line = out.text();
    line += "10.";
    append_int(line, client / 65536 % 256);
    line += '.';
    append_int(line, client / 256 % 256);
    line += '.';
    append_int(line, client % 256);
    line += client % 10 == 3 ? " - alice " : " - - ";
    append_clf_time(line, sec);
    line += post ? " \"POST " : " \"GET ";
    const std::string path = page_path(page);
    line += path;
    line += " HTTP/1.1\" ";
    append_int(line, status);
    line += ' ';
    if (size > 0) append_int(line, size);
    else line += '-';
    line += '\n';
    out.maybe_flush();
    hits[path] += 1;
    statuses[status] += 1;
    errors += status >= 400;
  }
  out.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, "clf", first_s * kMicrosPerSecond, last_s * kMicrosPerSecond);
  w.key("line_format").value("Common Log Format: host ident user [dd/Mon/yyyy:HH:MM:SS +0000] \"METHOD path HTTP/1.1\" status bytes");
  w.key("error_lines").value(errors);
  w.key("statuses").begin_object();
  for (const auto& [code, n] : statuses) w.key(std::to_string(code)).value(n);
  w.end_object();
  w.key("hits").begin_object();
  for (const auto& [path, n] : hits) w.key(path).value(n);
  w.end_object();
  w.end_object();
  const std::string truth_path = write_json_side_file(s, ".truth.json", w);

  return make_report(s, "clf", {truth_path}, first_s * kMicrosPerSecond, last_s * kMicrosPerSecond);
}

}  // namespace streamml
