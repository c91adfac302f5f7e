// Word count over a replayed text log, the classic: words per batch, and the running total.
//   build/examples/word_count [file]   (default data/text_log.txt)
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "example_util.h"
#include "streaming/dstream/dstream.h"
#include "streaming/file_source.h"
#include "streaming/formats/lines_format.h"
#include "streaming/pipeline.h"

using namespace streamml;
using namespace streamml::dstream;
using WordCount = std::pair<std::string, std::int64_t>;

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "data/text_log.txt";
  StreamingContext ctx("wordcount");
  std::map<std::string, std::int64_t> totals;
  auto counts = ctx.lines()
                    .flat_map(split_words)
                    .map([](const std::string& w) { return WordCount(w, 1); })
                    .reduce_by_key(std::plus<std::int64_t>());
  counts.for_each_batch([](const std::vector<WordCount>& batch, const BatchInfo& info) {
    if (info.index < 3) std::cout << "batch " << info.index << ": " << batch.size() << " distinct words\n";
  });
  counts.update_state_by_key<std::int64_t>([](const std::vector<std::int64_t>& now, const std::optional<std::int64_t>& total) {
          std::int64_t sum = total.value_or(0);
          for (auto n : now) sum += n;
          return std::optional<std::int64_t>(sum);
        })
      .for_each_batch([&](const std::vector<WordCount>& state) { totals = std::map<std::string, std::int64_t>(state.begin(), state.end()); });

  PipelineSettings settings;
  settings.batching.batch_size = 500;  // lines per batch
  const PipelineReport report = ctx.run(open_line_source(path), settings);
  std::vector<WordCount> top(totals.begin(), totals.end());
  std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
  std::cout << report.records << " lines in " << report.batches << " batches; top words:";
  for (std::size_t i = 0; i < std::min<std::size_t>(5, top.size()); ++i) std::cout << " " << top[i].first << "=" << top[i].second;
  std::cout << "\n";

  std::map<std::string, std::int64_t> brute;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    for (const auto& w : split_words(line)) brute[w] += 1;
  examples::check(totals == brute, "brute-force count of every word in the file");
}
