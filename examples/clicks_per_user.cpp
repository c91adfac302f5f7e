// Clicks per user in a sliding 60 s window, sliding every 1 s of event time, on the click
// stream from `streamml generate clicks`.
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "datasets/clicks.h"
#include "example_util.h"
#include "streaming/dstream/dstream.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"

using namespace streamml;
using namespace streamml::dstream;
using Count = std::pair<std::string, std::int64_t>;

int main() {
  const auto dir = examples::scratch("clicks");
  StreamOptions gen;
  gen.out = (dir / "clicks.csv").string();
  gen.events = 20000;  // 50 a second: about 400 s
  generate_clicks(gen);

  StreamingContext ctx("clicks_per_user");
  std::map<std::pair<Window, std::string>, std::int64_t> windows;
  // Each impression as (user, clicked); the clicked ones are the clicks.
  auto impressions = ctx.from_batches<std::pair<std::string, double>>([](const Batch& b, std::size_t i) {
    return std::pair<std::string, double>(std::get<std::vector<std::string>>(b.keys)[i], b.features[i]);
  });
  auto clicks = impressions.filter([](const auto& impression) { return impression.second == 1; }).with_watermark(seconds(2));
  clicks.map([](const auto& click) { return Count(click.first, 1); })
      .count_by_key_and_window(seconds(60), seconds(1))
      .for_each_batch([&](const std::vector<Windowed<Count>>& closed) {
        for (const auto& w : closed) windows[{w.window, w.value.first}] = w.value.second;
      });
  FileSourceOptions in;
  in.schema.key = "user";
  in.schema.time = "event_time";
  in.schema.features = {"clicked"};  // the other columns are not needed here
  PipelineSettings settings;
  settings.batching.interval_us = kMicrosPerSecond;  // a batch per second of event time
  const PipelineReport report = ctx.run(open_file_source(gen.out, in), settings);

  // The busiest user of a few windows.
  std::map<Window, std::pair<std::string, std::int64_t>> top;
  for (const auto& [key, n] : windows)
    if (n > top[key.first].second) top[key.first] = {key.second, n};
  std::size_t shown = 0;
  for (const auto& [w, best] : top)
    if (shown++ % 100 == 0) std::cout << format_event_time(w.start) << " +60s: " << best.first << " " << best.second << " clicks\n";
  std::cout << report.records << " impressions, " << top.size() << " windows, " << clicks.late_count() << " late\n";

  // Brute force: every record counted in each of the 60 windows that hold it.
  std::map<std::pair<Window, std::string>, std::int64_t> brute;
  std::ifstream file(gen.out);
  std::string line;
  std::getline(file, line);
  while (std::getline(file, line)) {
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
    const EventTime t = *parse_event_time(line.substr(0, c1));
    const std::string user = line.substr(c1 + 1, c2 - c1 - 1);
    if (line.back() != '1') continue;  // clicked is the last column
    const EventTime second = t / kMicrosPerSecond;
    for (EventTime s = second - 59; s <= second; ++s) brute[{Window{s * kMicrosPerSecond, (s + 60) * kMicrosPerSecond}, user}] += 1;
  }
  examples::check(windows == brute, "brute-force count of each user's clicks in every 60 s window");
}
