#include "streaming/batch_reader.h"

namespace streamml {

BatchReader::BatchReader(std::unique_ptr<Source> source, BatchingSettings batching,
                         BadRecordPolicy bad_records, std::int64_t first_index)
    : source_(std::move(source)),
      batcher_(batching, source_->position(), first_index),
      bad_(std::move(bad_records), display_name(*source_)) {}

std::optional<Batch> BatchReader::next() {
  while (true) {
    if (auto batch = batcher_.pop()) return batch;
    if (error_) {
      const Error error = *error_;
      error_.reset();
      throw error;
    }
    if (finished_) return std::nullopt;
    if (auto chunk = source_->read_chunk()) {
      RecordBlock block = source_->parse(std::move(*chunk));
      error_ = bad_.admit(block);
      batcher_.push(std::move(block));
      // The batch open at a fatal record is incomplete: it is never emitted.
      finished_ = error_.has_value();
    } else {
      batcher_.finish();
      finished_ = true;
    }
  }
}

}  // namespace streamml
