#include "streaming/kafka/file_producer.h"

#include <chrono>
#include <optional>
#include <string_view>
#include <thread>

#include "core/error.h"

namespace streamml {

int key_partition(std::string_view key, int partitions) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (const char c : key) h = (h ^ std::uint8_t(c)) * 1099511628211ull;
  return int(h % std::uint64_t(partitions));
}

FileProducerReport produce_file(KafkaProducer& producer, const std::string& topic, const FileProducerSettings& s) {
  STREAMML_CHECK(s.partitions >= 0 && (s.already.empty() || int(s.already.size()) == s.partitions), InvalidInput,
                 "kafka produce: " << s.already.size() << " partitions' counts already produced, for " << s.partitions
                                   << " partitions");
  STREAMML_CHECK(s.partitions == 0 || !s.key.empty(), InvalidInput, "kafka produce: partitioning by key needs the key column");
  std::vector<std::int64_t> skip = s.already;
  skip.resize(std::size_t(s.partitions), 0);
  STREAMML_CHECK(s.speed >= 0, InvalidInput, "kafka produce: speed must be >= 0, got " << s.speed);
  STREAMML_CHECK(s.speed == 0 || !s.time.empty(), InvalidInput, "--speed needs the event-time column: add --time COL");
  FileSourceOptions o;
  o.format = s.format;
  o.delimiter = s.delimiter;
  o.schema.key = s.key;
  o.schema.time = s.time;
  o.bad_records.on_bad = OnBadRecord::Error;
  // Only the key and the time are read; every other column travels as written.
  const auto header = open_file_source(s.input, o);
  for (const Column& col : header->schema().columns())
    if (col.name != s.key && col.name != s.time) o.schema.ignore.push_back(col.name);
  auto source = open_file_source(s.input, o);
  FileProducerReport report;
  report.csv = file_format_of(s.input, o.format) == FileFormat::Csv;
  if (report.csv)
    for (const Column& col : source->schema().columns()) report.columns.push_back(col.name);

  const auto wall0 = std::chrono::steady_clock::now();
  std::optional<EventTime> first_time;
  while (auto chunk = source->read_chunk()) {
    if (s.stop && s.stop->load()) break;
    const std::string bytes = chunk->bytes.substr(0, std::size_t(chunk->end_offset - chunk->begin_offset));
    const std::int64_t base = chunk->begin_offset;
    RecordBlock block = source->parse(std::move(*chunk));
    STREAMML_CHECK(block.bad.empty(), InvalidInput,
                   s.input << ":" << block.bad.front().line << ": " << block.bad.front().reason
                           << " (kafka produce sends only whole, readable records)");
    std::int64_t begin = base;
    const Batch& b = block.records;
    for (std::size_t r = 0; r < b.rows; ++r) {
      const std::int64_t end = block.end_offsets[r];
      std::string_view text(bytes.data() + (begin - base), std::size_t(end - begin));
      begin = end;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
      std::optional<std::string> key;
      if (auto* k = std::get_if<std::vector<std::string>>(&b.keys)) key = (*k)[r];
      if (auto* k = std::get_if<std::vector<std::int64_t>>(&b.keys)) key = std::to_string((*k)[r]);
      int partition = -1;
      if (s.partitions > 0) {
        STREAMML_CHECK(key.has_value(), InvalidInput, s.input << ": a record without its key '" << s.key << "'");
        partition = key_partition(*key, s.partitions);
        if (skip[std::size_t(partition)] > 0) {  // in the topic already
          --skip[std::size_t(partition)];
          ++report.skipped;
          continue;
        }
      }
      std::optional<EventTime> t;
      if (b.has_event_times()) {
        t = b.event_times[r];
        if (!first_time) first_time = t;  // the pace counts from the first record sent
        if (s.speed > 0) {
          const auto due = wall0 + std::chrono::microseconds(std::int64_t(double(*t - *first_time) / s.speed));
          std::this_thread::sleep_until(due);
        }
      }
      producer.send(topic, partition, text, key ? std::optional<std::string_view>(*key) : std::nullopt, t);
      ++report.sent;
    }
  }
  producer.flush();
  return report;
}

}  // namespace streamml
