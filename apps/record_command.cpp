// `streamml record --input kafka://... --out FILE`: every message of a topic as a line of a file —
// its payload as it was sent (a CSV line, or a JSON object), then the columns of the message
// itself: @key, @timestamp (ISO 8601, the message timestamp), @topic, @partition, @offset. The
// lines come in the order a replay of the topic learns them: read through the same Kafka source
// and pipeline, partitions merged by event time (--time) in (event time, topic, partition,
// offset) order. So `replay` of the file with the settings of a replay of the topic (--key @key,
// the same --time and batches) learns the same model bit for bit. Columns named "@..." are never
// implicit features of the file.
#include "apps/record_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/event_time.h"
#include "streaming/formats/message_columns.h"
#include "streaming/pipeline.h"
#include "streaming/progress.h"
#include "streaming/sinks/sink_rows.h"

namespace streamml {

namespace {

// The id roles under which the batch carries each message's payload text and metadata.
struct Field {
  const char* role;
  const char* column;
};
// The offset comes as the one feature (below).
constexpr Field kFields[] = {{"value", "@value"},     {"msg_key", "@key"}, {"msg_timestamp", "@timestamp"},
                             {"msg_topic", "@topic"}, {"msg_partition", "@partition"}};
constexpr std::size_t kIds = 5;

// The recorded file, written as batches come (nothing to resume: a record run is redone).
class RecordedTopicSink : public Sink {
 public:
  RecordedTopicSink(std::string path, RowFormat format, std::vector<std::string> payload_names)
      : path_(std::move(path)), format_(format), payload_names_(std::move(payload_names)) {}

  std::string name() const override { return "record:" + path_; }
  void open(const std::optional<std::string>&) override {
    file_.open(path_, std::ios::binary | std::ios::trunc);
    STREAMML_CHECK(file_.good(), Io, "cannot write '" << path_ << "': " << std::strerror(errno));
    std::vector<std::string> meta;
    for (std::size_t i = 1; i < kIds; ++i) meta.push_back(kFields[i].column);
    meta.push_back("@offset");
    meta_ = std::make_unique<RowEncoder>(format_, meta);
    if (format_ == RowFormat::Csv) {
      std::string header;
      RowEncoder(format_, payload_names_).header(header);
      header.pop_back();
      header += ',';
      meta_->header(header);
      file_ << header;
    }
  }
  void write(const Batch& batch) override {
    if (batch.rows == 0) return;
    const KeyColumn* fields[kIds];
    for (std::size_t f = 0; f < kIds; ++f) {
      fields[f] = batch.id(kFields[f].role);
      STREAMML_CHECK(fields[f] != nullptr, Runtime, "record: batch " << batch.index << " lacks " << kFields[f].column);
    }
    std::string line;
    for (std::size_t i = 0; i < batch.rows; ++i) {
      std::string value = id_text(*fields[0], i);
      meta_->begin(line);
      meta_->cell(line, std::string_view(id_text(*fields[1], i)));
      std::int64_t us = 0;
      const std::string t = id_text(*fields[2], i);
      std::from_chars(t.data(), t.data() + t.size(), us);
      meta_->cell(line, std::string_view(us == kNoTimestamp ? std::string() : format_event_time(us)));
      meta_->cell(line, std::string_view(id_text(*fields[3], i)));
      const std::string p = id_text(*fields[4], i);
      std::int64_t partition = 0;
      std::from_chars(p.data(), p.data() + p.size(), partition);
      meta_->cell(line, partition);
      const auto offset = std::int64_t(batch.features[i]);  // exact: offsets are far below 2^53
      meta_->cell(line, offset);
      meta_->end(line);
      if (format_ == RowFormat::Csv) {
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
        file_ << value << ',' << line;
      } else {
        // {"payload": ...} + {"@key": ...} -> {"payload": ..., "@key": ...}
        while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
        STREAMML_CHECK(!value.empty() && value.back() == '}', InvalidInput,
                       "record: the message at " << id_text(*fields[3], i) << "/" << p
                                                 << " offset " << offset << " is not a JSON object");
        value.pop_back();
        const bool empty = value.find_first_not_of(" \t\r\n{") == std::string::npos;
        file_ << value << (empty ? "" : ",") << std::string_view(line).substr(1);
      }
      line.clear();
      ++records_;
    }
    STREAMML_CHECK(file_.good(), Io, "failed writing '" << path_ << "'");
  }
  std::string flush() override {
    file_.flush();
    return "{}";
  }
  void sync() override {}
  void close() override {
    file_.close();
    STREAMML_CHECK(!file_.fail(), Io, "failed writing '" << path_ << "'");
  }
  std::int64_t records() const { return records_; }

 private:
  std::string path_;
  RowFormat format_;
  std::vector<std::string> payload_names_;
  std::unique_ptr<RowEncoder> meta_;
  std::ofstream file_;
  std::int64_t records_ = 0;
};

}  // namespace

void add_record_command(CLI::App& app, RecordOptions& o) {
  auto* record = app.add_subcommand(
      "record", "Write a live topic to a file replay reads: each message's payload, then @key, @timestamp, @topic, "
                "@partition, @offset, in the order a replay of the topic learns them");
  record->add_option("--input,-i", o.input, "The topic: kafka://HOST:PORT/TOPIC[,TOPIC2]")->required();
  record->add_option("--out,-o", o.out, "File to write (.csv or .jsonl)")->required();
  record->add_option("--format", o.format, "Of the messages: csv or jsonl (default: from --out's extension)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}));
  record->add_option("--columns", o.columns, "CSV messages without a header message: their comma-separated names")
      ->delimiter(',');
  record->add_option("--time", o.time,
                     "Event-time column (or @timestamp): partitions are merged by it as replay merges them");
  record->add_flag("--quiet,-q", o.quiet, "No progress line");
  add_kafka_input_flags(record, o.kafka);
}

int run_record(const RecordOptions& o, std::ostream& out) {
  STREAMML_CHECK(is_kafka_url(o.input), InvalidInput, "record reads a topic: --input kafka://HOST:PORT/TOPIC, got '" << o.input << "'");
  const RowFormat file_format = resolve_row_format(RowFormat::Auto, o.out);
  FileSourceOptions source;
  source.format = o.format == "auto" ? (file_format == RowFormat::Csv ? FileFormat::Csv : FileFormat::JsonLines)
                                     : parse_file_format(o.format);
  STREAMML_CHECK((source.format == FileFormat::Csv) == (file_format == RowFormat::Csv), InvalidInput,
                 "record keeps each message as it was sent: " << o.format << " messages go to a "
                                                              << (source.format == FileFormat::Csv ? ".csv" : ".jsonl")
                                                              << " file, got '" << o.out << "'");
  source.column_names = o.columns;
  source.schema.time = o.time;
  // The offset as the one explicit feature (always a number), so that the payload's own
  // columns are read past, not parsed: the file keeps their text as sent.
  source.schema.features = {"@offset"};
  for (const Field& f : kFields) source.schema.ids.emplace_back(f.role, f.column);
  source.bad_records.on_bad = OnBadRecord::Error;

  auto kafka = open_kafka_source(o.input, o.kafka, source);
  std::vector<std::string> payload;
  const auto& message_names = message_column_names();
  for (const Column& c : kafka->schema().columns())
    if (std::find(message_names.begin(), message_names.end(), c.name) == message_names.end()) payload.push_back(c.name);
  STREAMML_CHECK(file_format != RowFormat::Csv || !payload.empty(), InvalidInput,
                 "record: CSV messages need their column names: --columns a,b,... (or a header message)");
  PipelineSettings settings;
  if (!o.time.empty()) settings.batching.interval_us = 1'000'000;  // batches only bound memory; the order is the merge's
  settings.bad_records = source.bad_records;
  Pipeline pipeline(std::move(kafka), settings);
  auto sink = std::make_unique<RecordedTopicSink>(o.out, file_format, payload);
  const RecordedTopicSink* recorded = sink.get();
  pipeline.add_sink(std::move(sink));
  ProgressReporter progress(stderr);
  const PipelineReport report = pipeline.run(o.quiet ? nullptr : &progress);
  out << "recorded " << recorded->records() << " messages of " << o.input.substr(o.input.rfind('/') + 1) << " to "
      << o.out << (o.time.empty() ? " in arrival order per partition" : " merged by " + o.time) << "\n";
  (void)report;
  return 0;
}

}  // namespace streamml
