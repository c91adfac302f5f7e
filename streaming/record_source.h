// RecordSource: a transport (where the bytes come from) composed with a record format (how the
// records are written) into a Source. Every text source is one: a CSV or JSON Lines file, a
// log file of lines, messages in memory, a Kafka topic.
#pragma once

#include <memory>
#include <string>

#include "streaming/formats/format.h"
#include "streaming/source.h"
#include "streaming/transport.h"

namespace streamml {

enum class FileFormat { Auto, Csv, JsonLines };

// "csv" / "jsonl" (also "ndjson", "json") / "auto"; throws Error(InvalidInput) for anything else.
FileFormat parse_file_format(const std::string& text);

class RecordSource : public Source {
 public:
  // The format has already read what it needs of the transport (a header).
  RecordSource(std::unique_ptr<Transport> transport, std::unique_ptr<RecordFormat> format);

  // "<format>:<transport>", e.g. "csv:data/clicks.csv": the `source` of its positions.
  std::string name() const override { return format_->kind() + ":" + transport_->name(); }
  const Schema& schema() const override { return format_->schema(); }
  std::optional<Chunk> read_chunk() override { return transport_->read_chunk(); }
  RecordBlock parse(Chunk chunk) const override { return format_->parse(std::move(chunk)); }
  Position position() const override;
  // Throws Error(InvalidInput) for a position of another source, then as the transport does.
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return transport_->total_size(); }
  bool has_partitions() const override { return transport_->is_message_transport(); }
  void checkpointed(const Position& position) override { transport_->checkpointed(position); }
  std::string progress() const override { return transport_->progress(); }
  bool stopped() const override { return transport_->stopped(); }

  Transport& transport() { return *transport_; }

 private:
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<RecordFormat> format_;
};

// How a format cuts a byte stream into records: CSV at line ends outside quotes.
Framing framing_of(FileFormat format);
// A source of CSV or JSON Lines records over any transport (Auto is refused: there is no file
// name to tell the format from). The format reads its header through the transport first.
std::unique_ptr<Source> open_record_source(std::unique_ptr<Transport> transport, FileFormat format,
                                           const FormatOptions& options);

}  // namespace streamml
