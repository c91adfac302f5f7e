#include "apps/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "apps/replay_command.h"
#include "core/error.h"

namespace streamml {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

void add_replay(CLI::App& app, ReplayOptions& o, std::vector<std::string>& lists) {
  auto* replay = app.add_subcommand(
      "replay", "Replay a recorded stream (CSV or JSON Lines) through the micro-batch pipeline");
  replay->add_option("--input,-i", o.input, "File to replay")->required()->check(CLI::ExistingFile);
  replay->add_option("--format", o.format, "csv or jsonl (default: from the extension)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl", "ndjson", "json"}));
  replay->add_option("--label", o.source.schema.label, "Label column");
  replay->add_option("--features", lists[0], "Comma-separated dense feature columns (default: all others)");
  replay->add_option("--key", o.source.schema.key, "Key column (user, device, ...)");
  replay->add_option("--key-type", o.key_type, "string or int")->check(CLI::IsMember({"string", "int"}));
  replay->add_option("--time", o.source.schema.time,
                     "Event-time column (epoch seconds or ISO 8601): makes the file a recorded stream");
  replay->add_option("--categorical", lists[1], "Comma-separated categorical columns, hashed");
  replay->add_option("--text", lists[2], "Comma-separated text columns, hashed word by word");
  replay->add_option("--ignore", lists[3], "Comma-separated columns to skip");
  replay->add_option("--hash-bits", o.source.schema.hash_bits, "Hashed features use 2^B buckets")
      ->check(CLI::Range(1, 30));
  replay->add_option("--delimiter", o.delimiter, "CSV field delimiter (a single character; 'tab' for \\t)");
  replay->add_option("--columns", lists[4], "Comma-separated column names for a CSV without header");
  auto* size = replay->add_option("--batch-size", o.pipeline.batching.batch_size, "Records per batch (default 1000)")
                   ->check(CLI::PositiveNumber);
  replay->add_option("--batch-interval", o.batch_interval,
                     "Batch by event-time interval instead, e.g. 1s, 500ms, 1m (needs --time)")
      ->excludes(size);
  replay->add_option("--speed", o.pipeline.speed,
                     "0: as fast as possible (default); X: X times the recorded pace (needs --time)")
      ->check(CLI::NonNegativeNumber);
  replay->add_option("--threads", o.pipeline.threads, "Worker threads (default: every core)");
  replay->add_option("--on-bad", o.on_bad, "Bad records: skip (count, report) or error (stop)")
      ->check(CLI::IsMember({"skip", "error"}));
  replay->add_flag("--allow-nan", o.source.bad_records.allow_non_finite,
                   "Accept NaN/Inf and empty numeric fields (read as NaN)");
  replay->add_option("--dead-letter", o.source.bad_records.dead_letter_path,
                     "Write skipped records to this JSON Lines file with their line numbers");
  replay->add_option("--learner", o.learner, "Learner to train on the stream");
  replay->add_option("--param", o.params, "Learner setting as key=value (repeatable)");
  replay->add_option("--curve", o.curve_path, "Write the learner's prequential learning curve as CSV here");
  replay->add_option("--summary", o.summary_path, "Write the run summary as JSON here");
  replay->add_flag("--quiet,-q", o.quiet, "No progress line");
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"streamml: machine learning on streams"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("streamml ") + STREAMML_VERSION_STRING);
  ReplayOptions replay;
  std::vector<std::string> lists(5);
  add_replay(app, replay, lists);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("replay")) {
      replay.source.schema.features = split_list(lists[0]);
      replay.source.schema.categorical = split_list(lists[1]);
      replay.source.schema.text = split_list(lists[2]);
      replay.source.schema.ignore = split_list(lists[3]);
      replay.source.column_names = split_list(lists[4]);
      return run_replay(replay, std::cout);
    }
  } catch (const Error& e) {
    std::cerr << "streamml: " << e.what() << "\n";
    return e.kind() == ErrorKind::Runtime ? 1 : 2;
  } catch (const std::exception& e) {
    std::cerr << "streamml: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace streamml
