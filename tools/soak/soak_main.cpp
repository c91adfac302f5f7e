// streamml_soak: the soak run (tools/soak/soak.h). Writes <out>/soak_<kind>.csv, prints the
// figures and the verdict, and exits 1 when a check fails.
//   streamml_soak --kind logreg --records 100000000 --out build/soak
//   streamml_soak --kind als --records 10000000 --out build/soak
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "tools/soak/soak.h"

int main(int argc, char** argv) {
  using namespace streamml;
  SoakSettings s;
  std::string kind = "logreg", out = "soak";
  CLI::App app{"Soak run: a long generated stream through a checkpointed pipeline, judged for flat memory, "
               "checkpoint size and throughput"};
  app.add_option("--kind", kind, "logreg (learner + DStream window) or als (interaction store under its bound)")
      ->check(CLI::IsMember({"logreg", "als"}));
  app.add_option("--records", s.stream.records, "Records in the stream")->check(CLI::PositiveNumber);
  app.add_option("--users", s.stream.users, "Distinct users (keys)");
  app.add_option("--items", s.stream.items, "Distinct items");
  app.add_option("--seed", s.stream.seed, "Seed of the generated stream");
  app.add_option("--batch-size", s.batch_size, "Records per batch");
  app.add_option("--checkpoint-every", s.checkpoint_every, "Batches between checkpoints");
  app.add_option("--keep-checkpoints", s.keep_checkpoints, "Checkpoints kept");
  app.add_option("--sample-every", s.sample_every, "Batches between samples");
  app.add_option("--threads", s.threads, "Worker threads (0: every core)");
  app.add_option("--max-per-user", s.als_max_per_user, "als: the store's cap per user");
  app.add_option("--horizon", s.als_horizon_seconds, "als: the store's horizon in seconds of event time");
  app.add_option("--warmup", s.warmup, "Share of the records before samples are judged");
  app.add_option("--rss-tolerance", s.rss_tolerance, "Allowed RSS growth, second half over first (0.05: 5 %)");
  app.add_option("--rss-slack-mb", s.rss_slack_mb, "Allowed RSS growth in MB on top of the tolerance");
  app.add_option("--checkpoint-slack", s.checkpoint_slack_bytes, "Allowed spread of a checkpoint's size in bytes");
  app.add_option("--checkpoint-tolerance", s.checkpoint_tolerance,
                 "Allowed spread of a checkpoint's size as a share of the largest (default: 0 logreg, 0.05 als)");
  app.add_flag("--judge-throughput", s.judge_throughput, "Also require the second half's median records/s "
                                                          ">= throughput-ratio x the first half's");
  app.add_option("--throughput-ratio", s.throughput_ratio, "See --judge-throughput");
  app.add_option("--out", out, "Directory for soak_<kind>.csv and the checkpoints");
  CLI11_PARSE(app, argc, argv);
  try {
    s.kind = kind == "als" ? SoakKind::Als : SoakKind::Logreg;
    std::filesystem::create_directories(out);
    s.checkpoint_dir = out + "/checkpoints_" + kind;
    const SoakResult r = run_soak(s);
    const std::string csv = out + "/soak_" + kind + ".csv";
    std::ofstream(csv) << soak_csv(r);
    const auto& first = r.samples.front();
    const auto& last = r.samples.back();
    std::printf("soak %s: %lld records in %.1f s (%.0f records/s), %lld checkpoints, RSS %.1f MB after %lld records, "
                "%.1f MB at the end\n",
                kind.c_str(), (long long)r.records, r.wall_seconds, r.wall_seconds > 0 ? r.records / r.wall_seconds : 0,
                (long long)r.checkpoints_written, first.rss_bytes / 1e6, (long long)first.records, last.rss_bytes / 1e6);
    for (std::size_t k = 0; k < r.stages.size(); ++k)
      std::printf("  checkpoint '%s': %lld bytes at the end\n", r.stages[k].c_str(), (long long)last.checkpoint_bytes[k]);
    bool pass = true;
    for (const auto& c : judge_soak(r, s)) {
      std::printf("  %s %s: %s\n", c.pass ? "PASS" : "FAIL", c.name.c_str(), c.detail.c_str());
      pass = pass && c.pass;
    }
    std::printf("samples: %s\n%s\n", csv.c_str(), pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "streamml_soak: %s\n", e.what());
    return 2;
  }
}
