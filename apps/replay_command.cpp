#include "apps/replay_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "algorithms/registry.h"
#include "core/error.h"
#include "streaming/kafka/kafka_sink.h"
#include "streaming/progress.h"
#include "core/json.h"
#include "streaming/stages/clustering_stage.h"
#include "streaming/stages/decision_stage.h"
#include "streaming/stages/prequential_stage.h"
#include "streaming/stages/recommender_stage.h"
#include "streaming/stages/retention_stage.h"

namespace streamml {

namespace {

void print_summary(const PipelineReport& r, std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line,
                "replayed %s: %lld records in %lld batches (%lld empty), %lld bad, %lld late\n",
                r.source.c_str(), (long long)r.records, (long long)r.batches,
                (long long)r.empty_batches, (long long)r.bad_records, (long long)r.late_records);
  out << line;
  std::snprintf(line, sizeof line, "%.3f s wall, %.0f records/s, %.1f MB/s, %zu threads\n",
                r.wall_seconds, r.records_per_second(), r.megabytes_per_second(), r.threads);
  out << line;
  out << "stage seconds:";
  for (const auto& t : r.times) {
    std::snprintf(line, sizeof line, " %s %.3f", t.name.c_str(), t.seconds);
    out << line;
  }
  out << "\n";
  if (r.idle_passes > 0)
    out << "partitions passed over while idle: " << r.idle_passes << " times; " << r.placed_after_idle
        << " records placed later than their event time because of it\n";
  for (const auto& e : r.bad_examples) out << "  bad record: " << e << "\n";
  for (const auto& note : r.resume_notes) out << "resume: " << note << "\n";
  if (r.resumed_from > 0)
    out << "resumed from checkpoint " << r.resumed_from << " (after batch " << r.resumed_batch_index << "): "
        << r.records_skipped << " records before it skipped\n";
  if (r.checkpoints_written > 0) {
    std::snprintf(line, sizeof line, "wrote %lld checkpoints (newest: version %lld) in %.3f s\n",
                  (long long)r.checkpoints_written, (long long)r.last_checkpoint, r.checkpoint_seconds);
    out << line;
  }
}

// About twenty evenly spaced lines of the prequential learning curve, as a table.
void print_learning_curve(const PrequentialEvaluator& evaluator, std::ostream& out) {
  const auto& curve = evaluator.curve();
  if (curve.empty()) return;
  out << "learning curve (test-then-train; window of " << evaluator.settings().window
      << " predictions):\n";
  out << "   batch   records   window_auc  window_logloss  window_acc  cumulative_auc\n";
  const std::size_t step = std::max<std::size_t>(1, curve.size() / 20);
  char line[160];
  auto print = [&](const PrequentialPoint& p) {
    std::snprintf(line, sizeof line, "%8lld %9lld %12.4f %15.4f %11.4f %15.4f\n",
                  (long long)p.batch, (long long)p.cumulative_metrics.count, p.window_metrics.auc,
                  p.window_metrics.log_loss, p.window_metrics.accuracy, p.cumulative_metrics.auc);
    out << line;
  };
  for (std::size_t i = 0; i < curve.size(); i += step) print(curve[i]);
  if ((curve.size() - 1) % step != 0) print(curve.back());
  const PrequentialMetrics c = evaluator.cumulative();
  std::snprintf(line, sizeof line,
                "whole stream: %lld predictions, log loss %.4f, accuracy %.4f, AUC %.4f (+- %.4f)\n",
                (long long)c.count, c.log_loss, c.accuracy, c.auc,
                evaluator.cumulative_auc_error_bound());
  out << line;
}

// Cluster sizes in the last batch, and the noise (anomalies) over the stream when there is any.
void print_clustering(const ClusteringStage& stage, std::ostream& out) {
  if (stage.noise_history().empty()) return;
  out << stage.name() << ": last batch";
  for (const auto& [label, n] : stage.last_batch_sizes())
    out << (label < 0 ? "  noise " : "  cluster " + std::to_string(label) + ": ") << n;
  out << "\n";
  if (stage.noise_records() > 0)  // k-means has no noise; DBSCAN's noise points are the stream's anomalies
    out << stage.name() << ": " << stage.noise_records() << " noise points (anomalies) in " << stage.batches_with_noise()
        << " of " << stage.noise_history().count() << " batches\n";
}

// What a decision stage decided over the stream, and the learner's last state.
void print_decisions(const DecisionStage& stage, std::ostream& out) {
  const DecisionTotals& t = stage.totals();
  if (t.decisions == 0) return;
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %lld decisions; cost %.6g in all, %.6g for the last; changed %.6g in all; %lld reversals\n",
                stage.name().c_str(), (long long)t.decisions, t.cost, t.last.cost, t.changed, (long long)t.reversals);
  out << line;
  JsonWriter model;
  model.begin_object();
  stage.learner().write_summary(model);
  model.end_object();
  out << stage.name() << ": last decision " << model.str() << "\n";
}

// Recall@N and MRR of a recommender against the popularity baseline: last batch, window, stream.
void print_ranking(const RecommenderStage& stage, std::ostream& out) {
  const PrequentialRanking& e = stage.evaluator();
  if (e.batches() == 0) return;
  out << stage.name() << ": prequential top-" << e.settings().top_n << " (" << e.repeats() << " repeats not scored, "
      << e.cold() << " cold):\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %-12s %9s %8s %16s %8s %12s\n", "", "scored", "recall", "popular_recall", "mrr",
                "popular_mrr");
  out << line;
  auto print = [&](const char* what, const RankingFigures& f) {
    std::snprintf(line, sizeof line, "  %-12s %9lld %8.4f %16.4f %8.4f %12.4f\n", what, (long long)f.scored, f.recall,
                  f.baseline_recall, f.mrr, f.baseline_mrr);
    out << line;
  };
  print("last batch", e.last_batch());
  print("window", e.window());
  print("stream", e.cumulative());
}

// `--learner TYPE --param k=v ...`: the learner from the registry; params named eval_* set
// the stage's own settings — a classifier's evaluation (eval_window, eval_auc_bins,
// eval_curve_recent, eval_curve_points), a clusterer's history bounds (eval_curve_recent,
// eval_curve_points, eval_max_labels) — and a classifier's own threshold is the evaluator's
// too. The stage is named after the type.
std::unique_ptr<Stage> learner_stage(const std::string& type, const std::vector<std::string>& args) {
  std::map<std::string, std::string> params = parse_params(args), evaluation;
  for (auto it = params.begin(); it != params.end();) {
    if (it->first.rfind("eval_", 0) == 0) {
      evaluation.emplace(it->first.substr(5), it->second);
      it = params.erase(it);
    } else {
      ++it;
    }
  }
  std::shared_ptr<Learner> learner = learner_registry().make_learner(type, params);
  EvaluationSettings eval;
  if (learner->role() == LearnerRole::Clusterer) {
    for (const auto& [k, v] : evaluation) ClusteringStageSettings::settings_table().set(eval.clustering, k, v);
    eval.clustering.validate();
    return make_learner_stage(type, std::move(learner), eval);
  }
  if (learner->role() == LearnerRole::Recommender) {  // ranking: eval_top_n, eval_window
    for (const auto& [k, v] : evaluation) PrequentialRanking::settings_table().set(eval.ranking, k, v);
    eval.ranking.validate();
    return make_learner_stage(type, std::move(learner), eval);
  }
  const auto& table = PrequentialEvaluator::settings_table();
  for (const auto& [k, v] : evaluation) {
    STREAMML_CHECK(k != "threshold", InvalidInput, "--param eval_threshold: the evaluation uses the learner's own threshold");
    table.set(eval.prequential, k, v);
  }
  if (const auto t = params.find("threshold"); t != params.end()) table.set(eval.prequential, "threshold", t->second);
  eval.prequential.validate();
  return make_learner_stage(type, std::move(learner), eval);
}

// --top-risk K / --retention after --learner churn: the decisions from the churn model's risks.
// Returns the retention stage (null without --retention), whose last plan the summary prints.
const RetentionStage* add_churn_decisions(const ReplayOptions& o, const DecisionStage* decider, Pipeline& pipeline) {
  const bool asked = o.top_risk > 0 || o.retention;
  STREAMML_CHECK(asked || (o.retention_params.empty() && o.decide_every.empty()), InvalidInput,
                 (o.decide_every.empty() ? "--retention-param" : "--decide-every")
                     << " given without --top-risk or --retention");
  STREAMML_CHECK(o.retention || o.retention_params.empty(), InvalidInput, "--retention-param given without --retention");
  if (!asked) return nullptr;
  std::shared_ptr<const ChurnModel> churn =
      decider ? std::dynamic_pointer_cast<const ChurnModel>(decider->shared_learner()) : nullptr;
  STREAMML_CHECK(churn != nullptr, InvalidInput,
                 (o.top_risk > 0 ? "--top-risk" : "--retention") << " decides from churn risks: add --learner churn, got "
                                                                 << (o.learner.empty() ? "no learner" : "--learner " + o.learner));
  const EventTime every = o.decide_every.empty() ? 0 : parse_duration_micros(o.decide_every);
  STREAMML_CHECK(o.decide_every.empty() || o.pipeline.batching.interval_us > 0, InvalidInput,
                 "--decide-every needs batches of event time: add --batch-interval");
  const RetentionStage* retention = nullptr;
  if (o.retention) {
    RetentionSettings r;
    for (const auto& [k, v] : parse_params(o.retention_params, "--retention-param")) r.set(k, v);
    auto stage = std::make_unique<RetentionStage>("retention", churn, r, every);
    retention = stage.get();
    pipeline.add_stage(std::move(stage));
  }
  if (o.top_risk > 0) pipeline.add_stage(std::make_unique<TopRiskStage>("top_risk", churn, o.top_risk, every));
  return retention;
}

void write_learning_curve(const PrequentialEvaluator& evaluator, const std::string& path) {
  std::ofstream out(path);
  STREAMML_CHECK(out.good(), Io, "cannot write the learning curve to '" << path << "'");
  out << learning_curve_csv(evaluator);
  STREAMML_CHECK(out.good(), Io, "failed writing the learning curve to '" << path << "'");
}

}  // namespace

int run_replay(ReplayOptions o, std::ostream& out) {
  o.source.format = parse_file_format(o.format);
  o.source.schema.key_type = o.key_type == "int" ? KeyType::Int64 : KeyType::String;
  if (!o.item.empty()) o.source.schema.ids.emplace_back("item", o.item);
  for (const auto& [role, column] : parse_params(o.ids, "--id")) o.source.schema.ids.emplace_back(role, column);
  const std::string delimiter = o.delimiter == "tab" ? "\t" : o.delimiter;
  STREAMML_CHECK(delimiter.size() == 1, InvalidInput,
                 "--delimiter must be one character (or 'tab'), got '" << o.delimiter << "'");
  o.source.delimiter = delimiter[0];
  o.source.bad_records.on_bad = o.on_bad == "error" ? OnBadRecord::Error : OnBadRecord::Skip;
  o.pipeline.checkpoint.defer_when_busy = o.checkpoint_when_busy == "defer";
  if (!o.batch_interval.empty()) o.pipeline.batching.interval_us = parse_duration_micros(o.batch_interval);
  const bool by_time = o.pipeline.batching.interval_us > 0;
  STREAMML_CHECK(!(by_time || o.pipeline.speed > 0) || !o.source.schema.time.empty(), InvalidInput,
                 (by_time ? "--batch-interval" : "--speed")
                     << " needs the event-time column of a recorded stream: add --time COL");

  if (o.count.enabled()) {
    STREAMML_CHECK(o.learner.empty(), InvalidInput, "--count-by and --learner cannot be combined: run them separately");
    prepare_windowed_count(o.count, o.input, o.source);
    // One batch per slide of event time unless the batches are cut otherwise.
    if (!by_time && o.pipeline.batching.batch_size == BatchingSettings{}.batch_size)
      o.pipeline.batching.interval_us = parse_duration_micros(o.count.slide.empty() ? o.count.window : o.count.slide);
  } else {
    STREAMML_CHECK(o.count.window.empty() && o.count.slide.empty(), InvalidInput,
                   "--window and --slide are for --count-by COL");
  }
  // Rows written from a topic name the message each came from, so that the consumers of a Kafka
  // output (at-least-once) drop what a resumed run sends again (streaming/kafka/kafka_sink.h).
  // Topic names are text: an id only under string keys.
  if (is_kafka_url(o.input) && !o.output_path.empty()) {
    auto add_id = [&](const char* role, const char* column) {
      for (const auto& [r, c] : o.source.schema.ids)
        if (r == role) return;
      o.source.schema.ids.emplace_back(role, column);
    };
    if (o.source.schema.key_type == KeyType::String) add_id(kSourceTopicRole, "@topic");
    add_id(kSourcePartitionRole, "@partition");
    add_id(kSourceOffsetRole, "@offset");
  }
  o.pipeline.bad_records = o.source.bad_records;
  Pipeline pipeline(is_kafka_url(o.input) ? open_kafka_source(o.input, o.kafka, o.source)
                                           : open_file_source(o.input, o.source),
                    o.pipeline);
  std::unique_ptr<WindowedCount> windowed;
  if (o.count.enabled()) {
    windowed = std::make_unique<WindowedCount>(o.count, o.source.schema.key_type == KeyType::Int64, out);
    pipeline.add_stage(windowed->stage());
  }
  const PrequentialStage* learner = nullptr;
  const ClusteringStage* clusterer = nullptr;
  const DecisionStage* decider = nullptr;
  const RecommenderStage* recommender = nullptr;
  if (!o.learner.empty()) {
    auto stage = learner_stage(o.learner, o.params);
    learner = dynamic_cast<const PrequentialStage*>(stage.get());
    clusterer = dynamic_cast<const ClusteringStage*>(stage.get());
    decider = dynamic_cast<const DecisionStage*>(stage.get());
    recommender = dynamic_cast<const RecommenderStage*>(stage.get());
    STREAMML_CHECK(o.curve_path.empty() || learner != nullptr, InvalidInput,
                   "--curve is the learning curve of a supervised learner; '" << o.learner << "' has none");
    pipeline.add_stage(std::move(stage));
  } else {
    STREAMML_CHECK(o.params.empty() && o.curve_path.empty(), InvalidInput,
                   (o.params.empty() ? "--curve" : "--param") << " given without --learner");
  }
  const RetentionStage* retention = add_churn_decisions(o, decider, pipeline);

  // --output and each --output-table: a topic or a file, the same sinks.
  auto add_output = [&](const std::string& path, const std::string& format, const std::vector<std::string>& columns,
                        const std::string& table) {
    if (is_kafka_url(path)) {
      KafkaSinkSettings sink;
      sink.endpoint = kafka_endpoint(path, o.kafka);
      sink.format = parse_row_format(format);
      sink.columns = columns;
      sink.table = table;
      pipeline.add_sink(std::make_unique<KafkaSink>(std::move(sink)));
    } else {
      FileSinkSettings sink;
      sink.path = path;
      sink.format = parse_row_format(format);
      sink.columns = columns;
      sink.table = table;
      pipeline.add_sink(std::make_unique<FileSink>(std::move(sink)));
    }
  };
  for (const auto& [table, path] : parse_params(o.output_tables, "--output-table")) add_output(path, "auto", {}, table);
  if (!o.output_path.empty()) {
    add_output(o.output_path, o.output_format, o.output_columns, windowed ? WindowedCount::kTable : "");
  } else {
    STREAMML_CHECK(o.output_columns.empty() && o.output_format == "auto", InvalidInput,
                   (o.output_columns.empty() ? "--output-format" : "--output-columns") << " given without --output PATH");
  }

  ProgressReporter progress(stderr);
  const PipelineReport report = pipeline.run(o.quiet ? nullptr : &progress);
  if (learner && !o.curve_path.empty()) write_learning_curve(learner->evaluator(), o.curve_path);
  print_summary(report, out);
  if (is_kafka_url(o.input))
    out << "kafka: idle-partition timeout " << (o.kafka.idle_timeout == "0" ? "off" : o.kafka.idle_timeout)
        << " (a caught-up partition quiet that long stops holding back event-time batches)\n";
  if (windowed)
    out << "count by " << o.count.count_by << ": " << windowed->windows() << " windows, " << windowed->late_records()
        << " late records dropped\n";
  if (learner) print_learning_curve(learner->evaluator(), out);
  if (clusterer) print_clustering(*clusterer, out);
  if (decider) print_decisions(*decider, out);
  if (retention)
    out << "retention: last plan " << retention->progress() << " (" << status_name(retention->last_plan().status) << ")\n";
  if (recommender) print_ranking(*recommender, out);
  if (!o.summary_path.empty()) {
    std::ofstream file(o.summary_path);
    STREAMML_CHECK(file.good(), Io, "cannot write the summary to '" << o.summary_path << "'");
    file << report.to_json() << "\n";
    STREAMML_CHECK(file.good(), Io, "failed writing the summary to '" << o.summary_path << "'");
  }
  return 0;
}

}  // namespace streamml
