// `streamml replay`: a recorded file, or a Kafka topic, through the pipeline, with progress and a
// summary.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "apps/kafka_command.h"
#include "apps/windowed_count.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"
#include "streaming/sinks/file_sink.h"

namespace streamml {

struct ReplayOptions {
  std::string input;
  std::string format = "auto";
  std::string key_type = "string";
  std::string item;                     // --item COL: the id of role "item"
  std::vector<std::string> ids;         // --id ROLE=COLUMN
  std::string delimiter = ",";
  std::string batch_interval;           // empty: batch by count
  std::string on_bad = "skip";
  std::string checkpoint_when_busy = "wait";
  FileSourceOptions source;
  PipelineSettings pipeline;           // batching, speed, threads (bad-record policy: source's)
  std::string learner;                  // empty: none, the stream's figures only
  std::vector<std::string> params;      // "key=value"
  std::string curve_path;               // learning curve CSV (with a learner)
  std::string summary_path;
  // --output PATH [--output-columns a,b] [--output-format csv|jsonl]: with --count-by the
  // windows table, else one row per record with the chosen output columns (FileSink).
  std::string output_path;
  std::vector<std::string> output_columns;  // empty: every one
  std::string output_format = "auto";
  // --output-table TABLE=PATH (repeatable): a stage's result table to its own output, written
  // as --output writes (a file or a topic; format from the path; every column).
  std::vector<std::string> output_tables;
  // After --learner churn: --top-risk K (the table "top_risk"), --retention with
  // --retention-param key=value (the table "retention", each record's "retention.offer"),
  // deciding every --decide-every of event time (streaming/stages/retention_stage.h).
  std::size_t top_risk = 0;
  bool retention = false;
  std::vector<std::string> retention_params;
  std::string decide_every;
  WindowedCountOptions count;           // --count-by COL --window 60s --slide 1s --top N
  KafkaInputOptions kafka;              // --input kafka://HOST:PORT/topic: the topic's flags
  bool quiet = false;
};

// Runs the replay; prints the human summary to `out`, progress to stderr, and writes the
// JSON summary when asked. Returns the exit code (0). Throws streamml::Error on failure.
int run_replay(ReplayOptions options, std::ostream& out);

}  // namespace streamml
