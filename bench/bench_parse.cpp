// Single-thread read_chunk + parse throughput of the file sources (CSV, JSON Lines).
//
// The input is generated once: 200k records of 20 numeric columns (fixed seed), ~40 MB as
// CSV. Each iteration opens the file and reads it to the end on one thread, so the figure
// includes the serial record scan and the parse, as one pipeline token sees them.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "streaming/file_source.h"

namespace {

constexpr int kRows = 200000;
constexpr int kCols = 20;

const std::filesystem::path& bench_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / "streamml_bench_parse";
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes the CSV and JSON Lines twins of the same records once per process.
void make_inputs() {
  static bool done = false;
  if (done) return;
  done = true;
  std::mt19937_64 rng(20261121);
  std::uniform_real_distribution<double> u(-1000.0, 1000.0);
  std::ofstream csv(bench_dir() / "numeric.csv", std::ios::binary);
  std::ofstream jsonl(bench_dir() / "numeric.jsonl", std::ios::binary);
  for (int j = 0; j < kCols; ++j) csv << (j ? "," : "") << "c" << j;
  csv << "\n";
  char buf[32];
  std::string line_csv, line_json;
  for (int i = 0; i < kRows; ++i) {
    line_csv.clear();
    line_json = "{";
    for (int j = 0; j < kCols; ++j) {
      std::snprintf(buf, sizeof buf, "%.4f", u(rng));
      line_csv += (j ? "," : "");
      line_csv += buf;
      line_json += (j ? ",\"c" : "\"c") + std::to_string(j) + "\":" + buf;
    }
    csv << line_csv << "\n";
    jsonl << line_json << "}\n";
  }
}

void read_file(benchmark::State& state, const char* name) {
  make_inputs();
  const std::string path = (bench_dir() / name).string();
  std::int64_t bytes = 0, records = 0;
  for (auto _ : state) {
    auto source = streamml::open_file_source(path, {});
    while (auto chunk = source->read_chunk()) {
      streamml::RecordBlock block = source->parse(std::move(*chunk));
      bytes += block.bytes;
      records += std::int64_t(block.records.rows);
      benchmark::DoNotOptimize(block.records.features.data());
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(records);
}

void BM_ParseCsv(benchmark::State& state) { read_file(state, "numeric.csv"); }
void BM_ParseJsonLines(benchmark::State& state) { read_file(state, "numeric.jsonl"); }

BENCHMARK(BM_ParseCsv)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ParseJsonLines)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
