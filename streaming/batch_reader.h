// BatchReader: pulls micro-batches from a source on the calling thread, without a pipeline.
// It is what Python's streamml.replay() and simple C++ loops use; the Pipeline does the same
// work with parallel parsing. Both go through the same Source::parse and MicroBatcher, so
// they produce identical batches.
#pragma once

#include <memory>
#include <optional>

#include "streaming/bad_records.h"
#include "streaming/micro_batcher.h"
#include "streaming/source.h"

namespace streamml {

class BatchReader {
 public:
  // Reads from the source's current position; `first_index` numbers the first batch.
  BatchReader(std::unique_ptr<Source> source, BatchingSettings batching,
              BadRecordPolicy bad_records = {}, std::int64_t first_index = 0);

  // The next batch, or nullopt at the end of the stream. Under OnBadRecord::Error, throws
  // Error(InvalidInput) naming file:line:column of the first bad record, after returning
  // every complete batch before it.
  std::optional<Batch> next();

  const Source& source() const { return *source_; }
  std::int64_t bad_records() const { return bad_.count(); }
  std::int64_t late_records() const { return batcher_.late_records(); }

 private:
  std::unique_ptr<Source> source_;
  MicroBatcher batcher_;
  BadRecordHandler bad_;
  std::int64_t good_ = 0, skipped_ = 0;  // records in the batches handed out, good and bad
  bool first_batch_all_bad_ = false;
  std::optional<Error> error_;  // raised once the batches before it are delivered
  bool finished_ = false;
};

}  // namespace streamml
