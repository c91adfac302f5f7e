#include "apps/windowed_count.h"

#include <algorithm>
#include <fstream>
#include <optional>

#include "core/error.h"
#include "core/event_time.h"
#include "streaming/dstream/dstream.h"

namespace streamml {

namespace {

std::vector<std::string> split(const std::string& line, char delimiter) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == delimiter) out.emplace_back();
    else if (c != '\r') out.back() += c;
  }
  return out;
}

}  // namespace

void prepare_windowed_count(const WindowedCountOptions& o, const std::string& input, FileSourceOptions& source) {
  STREAMML_CHECK(!o.window.empty(), InvalidInput, "--count-by needs --window, e.g. --window 60s");
  STREAMML_CHECK(!source.schema.time.empty(), InvalidInput,
                 "--count-by counts in windows of event time: add --time COL");
  STREAMML_CHECK(source.schema.key.empty() || source.schema.key == o.count_by, InvalidInput,
                 "--count-by " << o.count_by << " reads its column as the key: leave out --key " << source.schema.key);
  STREAMML_CHECK(source.schema.label.empty(), InvalidInput, "--count-by does not use --label");
  STREAMML_CHECK(o.top >= 1, InvalidInput, "--top must be >= 1, got " << o.top);
  source.schema.key = o.count_by;
  // Only the time and count-by columns are read: every other column is ignored.
  const bool jsonl = source.format == FileFormat::JsonLines ||
                     (source.format == FileFormat::Auto &&
                      (input.size() >= 6 && (input.rfind(".jsonl") == input.size() - 6 || input.rfind(".json") == input.size() - 5 ||
                                             input.rfind(".ndjson") == input.size() - 7)));
  source.schema.features.clear();
  source.schema.categorical.clear();
  source.schema.text.clear();
  if (jsonl || !source.header) {
    if (jsonl) source.column_names = {source.schema.time, o.count_by};
    if (!jsonl) {
      for (const auto& c : source.column_names)
        if (c != source.schema.time && c != o.count_by) source.schema.ignore.push_back(c);
    }
    return;
  }
  std::ifstream file(input);
  std::string header;
  STREAMML_CHECK(std::getline(file, header), Io, "cannot read the header of '" << input << "'");
  if (header.rfind("\xEF\xBB\xBF", 0) == 0) header.erase(0, 3);
  source.schema.ignore.clear();
  for (const auto& c : split(header, source.delimiter))
    if (c != source.schema.time && c != o.count_by) source.schema.ignore.push_back(c);
}

struct WindowedCount::Graph {
  explicit Graph(const std::string& name) : ctx(name) {}
  dstream::StreamingContext ctx;
  std::optional<dstream::DStream<std::string>> keys;
  std::int64_t windows = 0;
  // The rows of the windows closed by the batch in progress, for sinks (--output): added to
  // the batch as the table WindowedCount::kTable once its windows are all seen.
  std::vector<std::string> starts, ends, keys_shown;
  std::vector<std::int64_t> ranks, counts, window_keys, window_records;
};

WindowedCount::WindowedCount(const WindowedCountOptions& o, bool int_keys, std::function<void(ClosedWindow)> sink)
    : graph_(std::make_unique<Graph>(o.name)) {
  using namespace dstream;
  using Count = std::pair<std::string, std::int64_t>;
  const Duration window = duration(o.window);
  const Duration slide = o.slide.empty() ? window : duration(o.slide);
  const Duration lateness{o.lateness == "0" || o.lateness == "0s" ? 0 : parse_duration_micros(o.lateness)};
  Graph& g = *graph_;
  auto keys = int_keys ? g.ctx.int_keys().map([](std::int64_t k) { return std::to_string(k); }) : g.ctx.string_keys();
  g.keys = keys.with_watermark(lateness);
  g.keys->map([](const std::string& k) { return Count(k, 1); })
      .count_by_key_and_window(window, slide)
      .for_each_batch([&g, sink = std::move(sink)](const std::vector<Windowed<Count>>& closed) {
        // Windows come oldest first, each window's records together.
        for (std::size_t begin = 0; begin < closed.size();) {
          ClosedWindow w{closed[begin].window.start, closed[begin].window.end, {}};
          std::size_t end = begin;
          while (end < closed.size() && closed[end].window == closed[begin].window) w.counts.push_back(closed[end++].value);
          sink(std::move(w));
          ++g.windows;
          begin = end;
        }
        if (g.keys_shown.empty()) return;
        if (Batch* batch = g.ctx.output_batch())
          batch->add_table({WindowedCount::kTable,
                            {"window_start", "window_end", "rank", "key", "count", "window_keys", "window_records"},
                            {std::move(g.starts), std::move(g.ends), std::move(g.ranks), std::move(g.keys_shown),
                             std::move(g.counts), std::move(g.window_keys), std::move(g.window_records)}});
        g.starts.clear(), g.ends.clear(), g.ranks.clear(), g.keys_shown.clear(), g.counts.clear();
        g.window_keys.clear(), g.window_records.clear();
      });
}

WindowedCount::WindowedCount(const WindowedCountOptions& o, bool int_keys, std::ostream& out)
    : WindowedCount(o, int_keys, [this, &out, top = o.top](ClosedWindow w) {
        using Count = std::pair<std::string, std::int64_t>;
        std::int64_t records = 0;
        for (const auto& c : w.counts) records += c.second;
        const std::size_t shown = std::min(top, w.counts.size());
        std::partial_sort(w.counts.begin(), w.counts.begin() + std::ptrdiff_t(shown), w.counts.end(),
                          [](const Count& a, const Count& b) {
                            return a.second > b.second || (a.second == b.second && a.first < b.first);
                          });
        const std::int64_t length = w.end - w.start;
        out << "window " << format_event_time(w.start) << " +";
        if (length % kMicrosPerSecond == 0) out << length / kMicrosPerSecond << "s:";
        else out << double(length) / 1000.0 << "ms:";
        Graph& g = *graph_;  // built by the time windows close
        for (std::size_t i = 0; i < shown; ++i) {
          out << (i ? ", " : " ") << w.counts[i].first << " " << w.counts[i].second;
          g.starts.push_back(format_event_time(w.start));
          g.ends.push_back(format_event_time(w.end));
          g.ranks.push_back(std::int64_t(i) + 1);
          g.keys_shown.push_back(w.counts[i].first);
          g.counts.push_back(w.counts[i].second);
          g.window_keys.push_back(std::int64_t(w.counts.size()));
          g.window_records.push_back(records);
        }
        out << " (" << w.counts.size() << " keys, " << records << " records)\n";
      }) {}

WindowedCount::~WindowedCount() = default;
std::unique_ptr<Stage> WindowedCount::stage() { return graph_->ctx.stage(); }
std::int64_t WindowedCount::windows() const { return graph_->windows; }
std::int64_t WindowedCount::late_records() const { return graph_->keys->late_count(); }

}  // namespace streamml
