// Replay throughput of the whole pipeline (read -> parallel parse -> batch -> a stage) on a
// CSV and a JSON Lines file of 20 numeric columns, with 1 and 2 worker threads.
//   build/bench/bench_pipeline --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "streaming/file_source.h"
#include "streaming/pipeline.h"

namespace {

constexpr int kColumns = 20;
constexpr int kRows = 200'000;

// The same file for every benchmark in the run: 20 normal columns printed with 6 decimals,
// plus a label column, from a fixed seed.
const std::string& data_file(bool jsonl) {
  static std::string paths[2];
  std::string& path = paths[jsonl];
  if (!path.empty()) return path;
  path = (std::filesystem::temp_directory_path() /
          (std::string("streamml_bench_pipeline") + (jsonl ? ".jsonl" : ".csv")))
             .string();
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::ofstream out(path);
  char buf[64];
  if (!jsonl) {
    for (int j = 0; j < kColumns; ++j) out << "x" << j << ",";
    out << "y\n";
  }
  for (int i = 0; i < kRows; ++i) {
    if (jsonl) out << "{";
    for (int j = 0; j < kColumns; ++j) {
      std::snprintf(buf, sizeof buf, "%.6f", normal(rng));
      if (jsonl) out << "\"x" << j << "\":" << buf << ",";
      else out << buf << ",";
    }
    if (jsonl) out << "\"y\":" << (i % 2) << "}\n";
    else out << (i % 2) << "\n";
  }
  return path;
}

void replay(benchmark::State& state, bool jsonl) {
  const std::string& path = data_file(jsonl);
  const auto bytes = std::int64_t(std::filesystem::file_size(path));
  for (auto _ : state) {
    streamml::FileSourceOptions in;
    in.schema.label = "y";
    streamml::PipelineSettings settings;
    settings.batching.batch_size = 10'000;
    settings.threads = std::size_t(state.range(0));
    streamml::Pipeline pipeline(streamml::open_file_source(path, in), settings);
    double sum = 0;
    pipeline.add_stage("sum", [&](streamml::Batch& b) { sum += b.dense().sum(); });
    const auto report = pipeline.run();
    if (report.records != kRows) state.SkipWithError("wrong record count");
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_ReplayCsv(benchmark::State& state) { replay(state, false); }
void BM_ReplayJsonLines(benchmark::State& state) { replay(state, true); }

BENCHMARK(BM_ReplayCsv)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReplayJsonLines)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
