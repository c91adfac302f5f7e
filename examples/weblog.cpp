// Web-log analysis over a generated access log in the Common Log Format: page hits per
// batch and in total, and the stream of lines with an HTTP status >= 400.
#include <fstream>
#include <iostream>
#include <map>

#include "datasets/weblog.h"
#include "example_util.h"
#include "streaming/dstream/dstream.h"
#include "streaming/file_source.h"
#include "streaming/formats/lines_format.h"
#include "streaming/pipeline.h"

using namespace streamml;
using namespace streamml::dstream;

struct Request {
  std::string path;
  int status = 0;
};

// "host - user [time] "GET /path HTTP/1.1" status bytes"
Request parse_request(const std::string& line) {
  Request r;
  const auto quote = line.find('"');
  const auto space = line.find(' ', quote + 1);
  r.path = line.substr(space + 1, line.find(' ', space + 1) - space - 1);
  const auto end_quote = line.find('"', space);
  r.status = std::stoi(line.substr(end_quote + 2, 3));
  return r;
}

int main() {
  const auto dir = examples::scratch("weblog");
  StreamOptions gen;
  gen.out = (dir / "access.log").string();
  gen.events = 30000;
  generate_weblog(gen);

  StreamingContext ctx("weblog");
  auto requests = ctx.lines().map(parse_request);
  std::map<std::string, std::int64_t> hits;
  std::vector<std::string> errors;
  requests.map([](const Request& r) { return std::pair<std::string, std::int64_t>(r.path, 1); })
      .reduce_by_key(std::plus<std::int64_t>())
      .for_each_batch([&](const std::vector<std::pair<std::string, std::int64_t>>& batch) {
        for (const auto& [path, n] : batch) hits[path] += n;
      });
  ctx.lines()
      .filter([](const std::string& line) { return parse_request(line).status >= 400; })
      .for_each_batch([&](const std::vector<std::string>& lines) { errors.insert(errors.end(), lines.begin(), lines.end()); });
  LineSourceOptions source;
  source.event_time = common_log_time;
  PipelineSettings settings;
  settings.batching.interval_us = 10 * kMicrosPerSecond;  // 10 s of the log per batch
  const PipelineReport report = ctx.run(open_line_source(gen.out, source), settings);
  std::cout << report.records << " requests in " << report.batches << " batches, " << errors.size()
            << " with status >= 400; /products/22 (a broken link) " << hits["/products/22"] << " hits; first error: "
            << (errors.empty() ? "" : errors.front()) << "\n";

  std::map<std::string, std::int64_t> brute_hits;
  std::vector<std::string> brute_errors;
  std::ifstream file(gen.out);
  for (std::string line; std::getline(file, line);) {
    const Request r = parse_request(line);
    brute_hits[r.path] += 1;
    if (r.status >= 400) brute_errors.push_back(line);
  }
  examples::check(hits == brute_hits && errors == brute_errors,
                  "brute-force hits per page and error lines in file order, from the log");
}
