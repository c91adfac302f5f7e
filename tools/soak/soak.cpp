#include "tools/soak/soak.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/recommend/als.h"
#include "core/checkpoint_store.h"
#include "core/error.h"
#include "streaming/dstream/dstream.h"
#include "streaming/pipeline.h"

namespace streamml {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? std::int64_t(st.st_size) : 0;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::string mb(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

// Takes a sample every `every` batches (and at the end) while the pipeline runs.
class Sampler {
 public:
  Sampler(const SoakSettings& settings, SoakResult& result, const AlternatingLeastSquares* als)
      : settings_(settings), result_(result), als_(als), store_(settings.checkpoint_dir), t0_(Clock::now()) {}

  void after(const Batch& batch) {
    records_ += std::int64_t(batch.rows);
    ++batches_;
    if (batches_ % settings_.sample_every == 0) take();
  }

  void take() {
    SoakSample s;
    s.records = records_;
    s.batches = batches_;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    s.rss_bytes = resident_bytes();
    const double dt = s.seconds - last_seconds_;
    s.records_per_second = dt > 0 ? double(records_ - last_records_) / dt : 0;
    for (const auto& name : result_.stages) {
      const auto latest = store_.latest(name);
      s.checkpoint_bytes.push_back(latest ? file_size(store_.path(name, *latest)) : 0);
    }
    if (als_) s.store_cells = std::int64_t(als_->store().size());
    last_seconds_ = s.seconds;
    last_records_ = records_;
    result_.samples.push_back(std::move(s));
  }

 private:
  const SoakSettings& settings_;
  SoakResult& result_;
  const AlternatingLeastSquares* als_;
  CheckpointStore store_;
  Clock::time_point t0_;
  std::int64_t records_ = 0, batches_ = 0, last_records_ = 0;
  double last_seconds_ = 0;
};

PipelineSettings pipeline_settings(const SoakSettings& s) {
  PipelineSettings p;
  p.batching.batch_size = s.batch_size;
  p.threads = s.threads;
  p.checkpoint.dir = s.checkpoint_dir;
  p.checkpoint.every_batches = s.checkpoint_every;
  p.checkpoint.keep_last = s.keep_checkpoints;
  return p;
}

}  // namespace

std::int64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  STREAMML_CHECK(f != nullptr, Io, "cannot open /proc/self/statm to read the resident memory");
  long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  STREAMML_CHECK(got == 2, Io, "/proc/self/statm: expected two numbers, read " << got);
  return std::int64_t(resident) * std::int64_t(::sysconf(_SC_PAGESIZE));
}

void SoakSettings::validate() const {
  stream.validate();
  STREAMML_CHECK(!checkpoint_dir.empty(), InvalidInput, "soak: a checkpoint directory is required");
  STREAMML_CHECK(batch_size >= 1, InvalidInput, "soak: batch_size must be >= 1, got 0");
  STREAMML_CHECK(checkpoint_every >= 1, InvalidInput, "soak: checkpoint_every must be >= 1, got " << checkpoint_every);
  STREAMML_CHECK(sample_every >= 1, InvalidInput, "soak: sample_every must be >= 1, got " << sample_every);
  STREAMML_CHECK(keep_checkpoints >= 1, InvalidInput, "soak: keep_checkpoints must be >= 1, got 0");
  STREAMML_CHECK(warmup >= 0 && warmup < 1, InvalidInput, "soak: warmup must be in [0, 1), got " << warmup);
}

SoakResult run_soak(const SoakSettings& settings) {
  settings.validate();
  std::filesystem::remove_all(settings.checkpoint_dir);
  std::filesystem::create_directories(settings.checkpoint_dir);
  SoakResult result;
  SyntheticStream stream = settings.stream;
  PipelineSettings ps = pipeline_settings(settings);

  std::shared_ptr<AlternatingLeastSquares> als;
  std::unique_ptr<dstream::StreamingContext> window;
  if (settings.kind == SoakKind::Als) {
    result.kind = "als";
    stream.labels = false;
    AlsSettings a;
    a.implicit_prefs = true;
    a.rank = settings.als_rank;
    a.max_per_user = settings.als_max_per_user;
    a.horizon = settings.als_horizon_seconds;
    als = std::make_shared<AlternatingLeastSquares>(a);
    result.stages = {"als"};
    result.store_bound = stream.users * settings.als_max_per_user;
  } else {
    result.kind = "logreg";
    window = std::make_unique<dstream::StreamingContext>("window");
    using namespace dstream;
    window->int_keys()
        .map([](std::int64_t user) { return std::pair<std::int64_t, std::int64_t>(user % 1000, 1); })
        .with_watermark(seconds(2))
        .count_by_key_and_window(seconds(60), seconds(10))
        .count()
        .for_each_batch([](const std::vector<std::int64_t>&) {});
    result.stages = {"ctr", "window"};
  }

  Sampler sampler(settings, result, als.get());
  Pipeline pipeline(std::make_unique<SyntheticSource>(stream), ps);
  if (als) {
    pipeline.add_stage("als", [&](Batch& b) { als->partial_fit(b); }, *als);
  } else {
    LogisticRegressionSGDSettings lr;
    lr.mode = LogisticMode::Online;
    lr.fit_intercept = true;
    lr.step_size = 0.05;
    pipeline.add_learner("ctr", std::make_shared<LogisticRegressionSGD>(lr));
    pipeline.add_stage(window->stage());
  }
  pipeline.add_stage("sampler", [&](Batch& b) { sampler.after(b); }, StageState::Stateless);
  const PipelineReport report = pipeline.run();
  sampler.take();  // after the last checkpoint
  result.records = report.records;
  result.wall_seconds = report.wall_seconds;
  result.checkpoints_written = report.checkpoints_written;
  return result;
}

std::vector<SoakCheck> judge_soak(const SoakResult& r, const SoakSettings& settings) {
  std::vector<SoakCheck> checks;
  // Judged: the samples after the warm-up, and before the final one (taken after the end).
  std::vector<const SoakSample*> judged;
  const double from = settings.warmup * double(r.records);
  for (std::size_t i = 0; i + 1 < r.samples.size(); ++i)
    if (double(r.samples[i].records) > from) judged.push_back(&r.samples[i]);
  if (judged.size() < 4) {
    checks.push_back({"samples", false, std::to_string(judged.size()) +
                                            " samples after the warm-up, 4 needed: lower sample_every"});
    return checks;
  }
  const std::size_t half = judged.size() / 2;
  auto max_rss = [&](std::size_t b, std::size_t e) {
    std::int64_t m = 0;
    for (std::size_t i = b; i < e; ++i) m = std::max(m, judged[i]->rss_bytes);
    return double(m);
  };
  const double first = max_rss(0, half), second = max_rss(half, judged.size());
  const double allowed = first * (1 + settings.rss_tolerance) + settings.rss_slack_mb * 1e6;
  std::ostringstream rss;
  rss << "largest RSS " << mb(first) << " in the first half, " << mb(second) << " in the second (allowed "
      << mb(allowed) << ": +" << settings.rss_tolerance * 100 << " % + " << settings.rss_slack_mb << " MB)";
  checks.push_back({"rss", second <= allowed, rss.str()});

  const double tolerance =
      settings.checkpoint_tolerance >= 0 ? settings.checkpoint_tolerance : r.store_bound >= 0 ? 0.05 : 0.0;
  for (std::size_t k = 0; k < r.stages.size(); ++k) {
    // Checkpoints are written in the background: a fast run may take its first judged samples
    // before the first one is on disk (size 0). The sizes judged are those of the samples that
    // saw one; at least half the judged samples must have.
    std::int64_t lo = INT64_MAX, hi = 0;
    std::size_t seen = 0;
    for (const auto* s : judged) {
      if (s->checkpoint_bytes[k] <= 0) continue;
      ++seen;
      lo = std::min(lo, s->checkpoint_bytes[k]);
      hi = std::max(hi, s->checkpoint_bytes[k]);
    }
    const double spread = double(settings.checkpoint_slack_bytes) + tolerance * double(hi);
    std::ostringstream c;
    c << "'" << r.stages[k] << "' checkpoint " << (seen ? lo : 0) << " to " << hi << " bytes in the " << seen << " of "
      << judged.size() << " samples that saw one (allowed spread " << std::int64_t(spread) << ": "
      << settings.checkpoint_slack_bytes << " bytes + " << tolerance * 100 << " % of the largest)";
    checks.push_back({"checkpoint " + r.stages[k], 2 * seen >= judged.size() && double(hi - lo) <= spread, c.str()});
  }
  if (r.store_bound >= 0) {
    std::int64_t most = 0;
    for (const auto& s : r.samples) most = std::max(most, s.store_cells);
    std::ostringstream c;
    c << "store at most " << most << " cells, bound users x max_per_user = " << r.store_bound;
    checks.push_back({"store", most <= r.store_bound, c.str()});
  }
  std::vector<double> a, b;
  for (std::size_t i = 0; i < judged.size(); ++i) (i < half ? a : b).push_back(judged[i]->records_per_second);
  std::ostringstream t;
  t << "median " << std::int64_t(median(a)) << " records/s in the first half, " << std::int64_t(median(b))
    << " in the second";
  if (settings.judge_throughput) {
    t << " (at least " << settings.throughput_ratio << " of the first required)";
    checks.push_back({"throughput", median(b) >= settings.throughput_ratio * median(a), t.str()});
  } else {
    checks.push_back({"throughput", true, t.str() + " (not judged)"});
  }
  return checks;
}

std::string soak_csv(const SoakResult& r) {
  std::ostringstream out;
  out << "records,batches,seconds,rss_mb,records_per_second";
  for (const auto& s : r.stages) out << "," << s << "_checkpoint_bytes";
  out << ",store_cells\n";
  for (const auto& s : r.samples) {
    out << s.records << "," << s.batches << "," << s.seconds << "," << double(s.rss_bytes) / 1e6 << ","
        << std::int64_t(s.records_per_second);
    for (auto b : s.checkpoint_bytes) out << "," << b;
    out << "," << s.store_cells << "\n";
  }
  return out.str();
}

}  // namespace streamml
