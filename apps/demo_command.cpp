#include "apps/demo_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

CLI::App* add_demo(CLI::App& app, DemoArgs& a) {
  auto* demo = app.add_subcommand(
      "demo", "The decision system on the bundled streams (clicks -> CTR scores; monitoring -> anomalies -> "
              "auto-scaling; transactions -> churn risk -> retention offers), one event-time clock, judged against their truth");
  demo->add_option("--data", a.system.data_dir, "Folder of the recorded streams and their truth")->capture_default_str();
  demo->add_option("--out", a.system.out_dir, "Output folder: decisions/, summary.json, the lanes' reports")->capture_default_str();
  demo->add_option("--checkpoint-dir", a.system.checkpoint_dir, "Checkpoints (default: <out>/checkpoints)");
  demo->add_option("--checkpoint-every", a.system.checkpoint_every, "Checkpoint every N batches (hours); 0: none")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  demo->add_flag("--resume", a.system.resume, "Go on from the newest checkpoints (outputs cut back to them)");
  demo->add_option("--speed", a.system.speed, "Replay at X times the recorded pace (0: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  demo->add_option("--threads", a.system.threads, "Threads per lane (0: every core)");
  demo->add_option("--kafka", a.system.kafka,
                   "Read each stream from a Kafka topic it is produced into, and write the decisions to topics too: "
                   "'mock' (librdkafka's mock cluster in this process) or bootstrap servers HOST:PORT; --speed paces "
                   "the producers");
  demo->add_flag("--quiet", a.quiet, "No progress line");
  return demo;
}

DemoOutcome run_and_judge(const DecisionSystemSettings& s) {
  DemoOutcome o;
  o.report = run_decision_system(s);
  o.figures = judge_decision_system(s);
  JsonWriter w(true);
  w.begin_object();
  w.key("run").begin_object();
  w.key("ticks").value(o.report.ticks).key("wall_seconds").value(o.report.wall_seconds).key("resumed").value(s.resume);
  w.key("lanes").begin_array();
  for (const auto& lane : o.report.lanes) w.value(lane.lane);
  w.end_array();
  w.end_object();
  w.key("figures").raw(o.figures.to_json());
  w.end_object();
  o.summary_json = w.str() + "\n";
  const std::filesystem::path summary = std::filesystem::path(s.out_dir) / "summary.json";
  std::ofstream f(summary);
  f << o.summary_json;
  STREAMML_CHECK(f.good(), Io, "cannot write " << summary.string());
  return o;
}

int run_demo(const DemoArgs& a, std::ostream& out) {
  DecisionSystemSettings s = a.system;
  s.progress = !a.quiet;
  const DemoOutcome o = run_and_judge(s);
  char head[256];
  std::int64_t records = 0;
  for (const auto& lane : o.report.lanes) records += lane.pipeline.records;
  std::snprintf(head, sizeof head, "decision system: %lld hours of event time, %lld records in %.1f s\n",
                (long long)o.report.ticks, (long long)records, o.report.wall_seconds);
  out << head << o.figures.text() << "decisions: " << s.decisions_dir() << "/   summary: "
      << (std::filesystem::path(s.out_dir) / "summary.json").string() << "\n";
  return 0;
}

}  // namespace streamml
