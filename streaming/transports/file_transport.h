// FileTransport: a text file as a stream of records (TextFileReader, streaming/text_file.h,
// cuts it into chunks of whole lines or CSV records). Positions are the byte offset, the
// physical line and the records consumed, so a resumed read starts exactly at a record.
#pragma once

#include <string>

#include "streaming/text_file.h"
#include "streaming/transport.h"

namespace streamml {

class FileTransport : public Transport {
 public:
  // Throws Error(Io) "cannot open 'path': <reason>".
  FileTransport(const std::string& path, Framing framing, std::size_t chunk_bytes = std::size_t(1) << 20);

  std::string name() const override { return reader_.path(); }
  std::optional<Chunk> read_chunk() override { return reader_.read_chunk(); }
  std::optional<FirstRecord> first_record(bool consume) override;
  Position position() const override;
  // The all-zero position is the start of the records (past a consumed header); any other must
  // be at or after it and at the start of a line.
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return reader_.size(); }

 private:
  TextFileReader reader_;
  std::int64_t start_offset_ = 0;  // where the records start (after a consumed header)
  std::int64_t start_line_ = 0;
};

}  // namespace streamml
