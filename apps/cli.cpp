#include "apps/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <ostream>

#include "algorithms/registry.h"
#include "apps/demo_command.h"
#include "apps/inspect_command.h"
#include "apps/kafka_command.h"
#include "apps/record_command.h"
#include "apps/replay_command.h"
#include "core/error.h"
#include "core/event_time.h"
#include "core/settings.h"
#include "datasets/generator.h"

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
  replay->add_option("--input,-i", o.input, "File to replay, or a topic: kafka://HOST:PORT/TOPIC[,TOPIC2]")
      ->required()
      ->check(CLI::Validator(
          [](std::string& v) { return is_kafka_url(v) ? std::string() : CLI::ExistingFile(v); }, "FILE|kafka://..."));
  replay->add_option("--format", o.format, "csv or jsonl (default: from the extension)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl", "ndjson", "json"}));
  replay->add_option("--label", o.source.schema.label, "Label column");
  replay->add_option("--features", lists[0], "Comma-separated dense feature columns (default: all others)");
  replay->add_option("--key", o.source.schema.key, "Key column (user, device, ...)");
  replay->add_option("--key-type", o.key_type, "string or int: of the key and every id column")
      ->check(CLI::IsMember({"string", "int"}));
  replay->add_option("--item", o.item, "Item id column (what a user rated or bought): the id of role 'item'");
  replay->add_option("--id", o.ids, "A further id column with a role, as ROLE=COLUMN (repeatable), e.g. service=svc");
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
  replay->add_option("--max-bad-fraction", o.source.bad_records.max_bad_fraction,
                     "Stop when more than this share of the records are bad (default 0.5; 1: never)")
      ->check(CLI::Range(0.0, 1.0));
  replay->add_option("--dead-letter", o.source.bad_records.dead_letter_path,
                     "Write skipped records to this JSON Lines file with their line numbers");
  replay->add_option("--learner", o.learner, "Learner to train on the stream");
  replay->add_option("--param", o.params, "Learner setting as key=value (repeatable)");
  replay->add_option("--curve", o.curve_path, "Write the learner's prequential learning curve as CSV here");
  replay->add_option("--summary", o.summary_path, "Write the run summary as JSON here");
  replay->add_option("--output", o.output_path,
                     "Write results here, exactly once across --resume: one row per record (id columns, event time, "
                     "position, the stages' output columns such as logreg.probability), or with --count-by one row per "
                     "key shown per window. kafka://HOST:PORT/TOPIC: one message per row, keyed by the record's key, "
                     "at least once with its batch and source partition/offset (idempotent producer; acknowledged at "
                     "every checkpoint)");
  replay->add_option("--output-columns", lists[5], "Comma-separated output columns to write (default: every one)");
  replay->add_option("--output-format", o.output_format, "csv or jsonl (default: from --output's extension; jsonl for a topic)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}));
  replay->add_option("--output-table", o.output_tables,
                     "A stage's result table to its own output, as TABLE=PATH (repeatable), written as --output writes "
                     "(a file or kafka://...; format from the extension; every column): e.g. top_risk=top.csv and "
                     "retention=plan.csv with --learner churn --top-risk K --retention");
  replay->add_option("--top-risk", o.top_risk,
                     "--learner churn: the K riskiest customers after each decision, as the result table 'top_risk' "
                     "(rank, customer, risk, value, idle_days)")
      ->check(CLI::PositiveNumber);
  replay->add_flag("--retention", o.retention,
                   "--learner churn: a retention budget allocated by a MIP after each decision (which of the riskiest "
                   "customers get which offer), as the result table 'retention' and each record's retention.offer");
  replay->add_option("--retention-param", o.retention_params,
                     "--retention setting as key=value (repeatable): budget (500), offer_cost (5,25), offer_uplift "
                     "(0.1,0.35), offer_capacity (none), candidates (200), max_idle_days (0: no limit; else offers only to "
                     "customers who bought within that many days), relax (false)");
  replay->add_option("--decide-every", o.decide_every,
                     "--top-risk/--retention: decide only after the batches whose event-time interval ends on a "
                     "multiple of this, e.g. 1d with --batch-interval 1h (default: after every batch)");
  replay->add_option("--checkpoint-dir", o.pipeline.checkpoint.dir,
                     "Save versioned HDF5 checkpoints of the learner and the stream's position here");
  replay->add_option("--checkpoint-every", o.pipeline.checkpoint.every_batches,
                     "Checkpoint after every N batches (and at the end)")
      ->check(CLI::NonNegativeNumber);
  replay->add_option("--checkpoint-seconds", o.pipeline.checkpoint.every_seconds,
                     "Checkpoint when T seconds of wall time have passed since the last one")
      ->check(CLI::NonNegativeNumber);
  replay->add_option("--checkpoint-when-busy", o.checkpoint_when_busy,
                     "A checkpoint due while the last one is still being written: wait for the disk (default; "
                     "checkpoints after exactly every N batches) or defer it (the stream never waits for the disk)")
      ->check(CLI::IsMember({"wait", "defer"}));
  replay->add_option("--keep-checkpoints", o.pipeline.checkpoint.keep_last,
                     "Keep only the newest N checkpoints (default: all)");
  replay->add_flag("--resume", o.pipeline.checkpoint.resume,
                   "Go on from the newest complete checkpoint in --checkpoint-dir (a fresh start if there is none)");
  replay->add_option("--count-by", o.count.count_by,
                     "Count this column's values in windows of event time (needs --time, --window); prints the top keys per window");
  replay->add_option("--window", o.count.window, "--count-by: window length, e.g. 60s");
  replay->add_option("--slide", o.count.slide, "--count-by: how far windows slide, e.g. 1s (default: the window)");
  replay->add_option("--lateness", o.count.lateness, "--count-by: allowed lateness of records behind the newest (default 0s)");
  replay->add_option("--top", o.count.top, "--count-by: keys shown per window (default 5)")->check(CLI::PositiveNumber);
  replay->add_flag("--quiet,-q", o.quiet, "No progress line");
  add_kafka_input_flags(replay, o.kafka);
}

struct GenerateArgs {
  GenerateOptions options;
  std::string start;                        // event time text; empty: the generator's default
  std::map<std::string, std::string> given;  // the kinds' own settings from their flags, by name
};

// "anomaly_rate" -> "--anomaly-rate"
std::string flag_of(const std::string& setting) {
  std::string flag = "--" + setting;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

void add_generate(CLI::App& app, GenerateArgs& g) {
  auto* gen = app.add_subcommand(
      "generate", "Write a synthetic recorded stream with known ground truth (model beside it)");
  std::string kinds;
  for (const auto& k : generator_kinds()) kinds += (kinds.empty() ? "" : ", ") + k;
  gen->add_option("kind", g.options.kind, "What to generate: " + kinds)->required();
  gen->add_option("--out,-o", g.options.out, "Data file (.csv or .jsonl); side files go beside it")
      ->required();
  gen->add_option("--events,-n", g.options.events, "Number of events")->check(CLI::PositiveNumber);
  gen->add_option("--seed", g.options.seed, "Random seed: same seed, same bytes");
  gen->add_option("--format", g.options.format, "csv, jsonl or auto (from --out's extension)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}));
  gen->add_option("--start", g.start, "Event time of the stream's start (ISO 8601 or epoch seconds)");
  gen->add_option("--rate", g.options.rate, "Mean events per second of event time (0: the kind's default)")
      ->check(CLI::NonNegativeNumber);
  // Every kind's own settings, from its settings table: one flag per name, whose help says
  // what it means to each kind that has it ("clicks: number of users; weblog: client addresses").
  for (const auto& kind : generator_kinds()) {
    for (const SettingInfo& setting : generator_settings(kind)->settings()) {
      const std::string flag = flag_of(setting.name);
      std::string doc = kind + ": " + setting.doc + " (default " + setting.default_text;
      doc += (setting.range.empty() ? "" : ", " + setting.range) + ")";
      if (CLI::Option* shared = gen->get_option_no_throw(flag)) {
        shared->description(shared->get_description() + "; " + doc);
        continue;
      }
      std::string type = setting_type_name(setting.type);
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::toupper(c)); });
      gen->add_option_function<std::string>(
             flag, [&g, name = setting.name](const std::string& text) { g.given[name] = text; }, doc)
          ->type_name(type);
    }
  }
}

int run_generate(GenerateArgs g, std::ostream& out) {
  if (!g.start.empty()) {
    const auto t = parse_event_time(g.start);
    STREAMML_CHECK(t.has_value(), InvalidInput,
                   "--start '" << g.start << "' is not an ISO 8601 time or epoch seconds");
    g.options.start = *t;
  }
  // A flag of another kind is ignored, as it always was: its help names the kinds it is for.
  if (const SettingsTableBase* table = generator_settings(g.options.kind))
    for (const auto& [name, text] : g.given)
      if (table->find(name)) g.options.settings[name] = text;
  const GenerateReport r = generate_stream(g.options);
  out << "wrote " << r.events << " " << g.options.kind << " events to " << r.out << " (" << r.format
      << "), event time " << format_event_time(r.first_event_time) << " to "
      << format_event_time(r.last_event_time) << "\n";
  for (const auto& side : r.written) out << "  and " << side << "\n";
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"streamml: machine learning on streams"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("streamml ") + STREAMML_VERSION_STRING);
  bool debug = false;
  app.add_flag("--debug", debug, "On an error, also say where in streamml's source it was found");
  ReplayOptions replay;
  std::vector<std::string> lists(6);
  add_replay(app, replay, lists);
  GenerateArgs generate;
  add_generate(app, generate);
  DemoArgs demo;
  add_demo(app, demo);
  KafkaCommands kafka;
  add_kafka_commands(app, kafka);
  RecordOptions record;
  add_record_command(app, record);
  std::string learners_name;
  auto* learners = app.add_subcommand("learners", "List the learners, or one learner's settings with their defaults");
  learners->add_option("name", learners_name, "A learner type: show each of its settings (type, default, range, doc)");
  std::string inspect_path;
  bool inspect_json = false;
  auto* inspect = app.add_subcommand("inspect", "Show what a checkpoint file, or a checkpoint directory, holds");
  inspect->add_option("path", inspect_path, "A checkpoint file (.h5) or a --checkpoint-dir directory")->required();
  inspect->add_flag("--json", inspect_json, "Print JSON");
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
      replay.output_columns = split_list(lists[5]);
      return run_replay(replay, std::cout);
    }
    if (app.got_subcommand("generate")) return run_generate(generate, std::cout);
    if (app.got_subcommand("demo")) return run_demo(demo, std::cout);
    if (app.got_subcommand("kafka")) return run_kafka_command(app, kafka, std::cout);
    if (app.got_subcommand("record")) return run_record(record, std::cout);
    if (app.got_subcommand("inspect")) return run_inspect(inspect_path, inspect_json, std::cout);
    if (app.got_subcommand("learners")) {
      std::cout << (learners_name.empty() ? describe_learners(learner_registry())
                                          : describe_learner(learner_registry().get(learners_name)));
      return 0;
    }
  } catch (const Error& e) {
    // Bad input and bad settings are the user's to fix: the message alone. An internal error
    // (or --debug) also says where it was found.
    const bool internal = e.kind() == ErrorKind::Runtime;
    std::cerr << "streamml: " << (internal || debug ? e.what() : e.message()) << "\n";
    return internal ? 1 : 2;
  } catch (const std::exception& e) {
    std::cerr << "streamml: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace streamml
