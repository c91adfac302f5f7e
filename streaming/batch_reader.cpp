#include "streaming/batch_reader.h"

namespace streamml {

BatchReader::BatchReader(std::unique_ptr<Source> source, BatchingSettings batching,
                         BadRecordPolicy bad_records, std::int64_t first_index)
    : source_(std::move(source)),
      batcher_(batching, source_->position(), first_index),
      bad_(std::move(bad_records), display_name(*source_)) {
  if (merges_partitions(*source_)) batcher_.merge_partitions();
}

std::optional<Batch> BatchReader::next() {
  while (true) {
    if (auto batch = batcher_.pop()) {
      if (good_ == 0 && skipped_ == 0) first_batch_all_bad_ = batch->rows == 0 && batch->skipped_records > 0;
      good_ += std::int64_t(batch->rows);
      skipped_ += batch->skipped_records;
      bad_.check_fraction(good_, skipped_, false, first_batch_all_bad_);
      return batch;
    }
    if (error_) {
      const Error error = *error_;
      error_.reset();
      throw error;
    }
    if (finished_) {
      if (!error_) bad_.check_fraction(good_, bad_.count(), true, first_batch_all_bad_);
      return std::nullopt;
    }
    if (auto chunk = source_->read_chunk()) {
      RecordBlock block = source_->parse(std::move(*chunk));
      error_ = bad_.admit(block);
      batcher_.push(std::move(block));
      // The batch open at a fatal record is incomplete: it is never emitted.
      finished_ = error_.has_value();
    } else {
      if (!source_->stopped()) batcher_.finish();  // stopped: the open batch is incomplete
      finished_ = true;
    }
  }
}

}  // namespace streamml
