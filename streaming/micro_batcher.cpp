#include "streaming/micro_batcher.h"

#include <algorithm>

#include "core/error.h"

namespace streamml {

void BatchingSettings::validate() const {
  STREAMML_CHECK(interval_us > 0 || batch_size > 0, InvalidInput,
                 "batch_size must be positive when batching by count, got 0");
  STREAMML_CHECK(interval_us >= 0, InvalidInput,
                 "batch interval must be positive, got " << interval_us << " us");
}

MicroBatcher::MicroBatcher(BatchingSettings settings, Position start, std::int64_t first_index,
                           std::optional<EventTime> interval_start)
    : settings_(settings),
      last_end_(start),
      stream_end_(start),
      first_index_(first_index),
      next_index_(first_index),
      consumed_records_(start.records) {
  settings_.validate();
  if (settings_.interval_us > 0 && (interval_start || settings_.origin)) {
    open_start_ = interval_start ? *interval_start : *settings_.origin;
    have_origin_ = true;
  }
}

// Folds the positions of block rows [begin, end) into p: a byte stream's counters after the
// last row, or each partition's next offset after its last row among them. The batcher never
// asks which transport it is.
void MicroBatcher::advance(Position& p, const RecordBlock& block, std::size_t begin, std::size_t end) {
  if (begin == end) return;
  p.records = block.end_records[end - 1];
  if (!block.has_partitions()) {
    p.offset = block.end_offsets[end - 1];
    p.line = block.end_lines[end - 1];
    return;
  }
  last_row_.assign(block.partitions->size(), -1);
  for (std::size_t r = begin; r < end; ++r) last_row_[std::size_t(block.end_partitions[r])] = std::int64_t(r);
  for (std::size_t i = 0; i < last_row_.size(); ++i)
    if (last_row_[i] >= 0) p.partitions[(*block.partitions)[i]] = block.end_offsets[std::size_t(last_row_[i])];
  // Merge times never decrease in merge order: the last row's is the latest.
  if (!block.merge_times.empty()) p.watermark = std::max(p.watermark.value_or(INT64_MIN), block.merge_times[end - 1]);
}

void MicroBatcher::merge_partitions() {
  STREAMML_CHECK(next_index_ == first_index_ && !open_ && ready_.empty(), Runtime,
                 "merge_partitions() must come before the first record");
  merge_ = std::make_unique<PartitionMerge>(last_end_);
}

void MicroBatcher::advance_time(EventTime t) {
  if (settings_.interval_us <= 0 || !have_origin_ || !layout_) return;
  const EventTime open_end = open_start_ + settings_.interval_us;
  if (t < open_end) return;
  if (!open_) open_batch(*layout_);  // the interval at open_start_ had no record: it closes empty
  close_open_batch(last_end_);
  const std::int64_t gap = (t - open_end) / settings_.interval_us;  // further intervals ending by t
  if (gap > 0) {
    ready_.emplace_back(EmptyRun{next_index_, gap, open_end, last_end_});
    next_index_ += gap;
  }
  open_start_ = open_end + gap * settings_.interval_us;  // the next record opens it
}

void MicroBatcher::open_batch(const Batch& like) {
  if (!layout_) layout_ = like.empty_like();
  open_ = like.empty_like();
  open_->index = next_index_++;
  if (settings_.interval_us > 0) {
    open_->interval_start = open_start_;
    open_->interval_end = open_start_ + settings_.interval_us;
  }
}

void MicroBatcher::close_open_batch(const Position& end) {
  open_->end_position = end;
  ready_.emplace_back(std::move(*open_));
  open_.reset();
}

// Appends block rows [begin, end) to the open batch; the bad records interleaved with them
// (and any before them since the last good record) are that batch's.
void MicroBatcher::take_rows(const RecordBlock& block, std::size_t begin, std::size_t end) {
  if (begin == end) return;
  const std::int64_t consumed = block.end_records[end - 1];
  open_->skipped_records += pending_bad_ + consumed - consumed_records_ - std::int64_t(end - begin);
  pending_bad_ = 0;
  consumed_records_ = consumed;
  open_->append(block.records, begin, end);
  advance(last_end_, block, begin, end);
}

void MicroBatcher::push(RecordBlock&& block) {
  if (!merge_) return cut(std::move(block));
  merge_->push(std::move(block));
  while (auto merged = merge_->pop()) cut(std::move(*merged));
  if (const auto frontier = merge_->frontier()) advance_time(*frontier);
}

void MicroBatcher::cut(RecordBlock&& block) {
  const Batch& records = block.records;
  STREAMML_CHECK(block.end_offsets.size() == records.rows && block.end_records.size() == records.rows &&
                     block.end_lines.size() == records.rows &&
                     (!block.has_partitions() || block.end_partitions.size() == records.rows),
                 Runtime, "record block has " << records.rows << " records but "
                                              << block.end_records.size() << " record positions");
  const bool by_time = settings_.interval_us > 0;
  STREAMML_CHECK(!by_time || records.rows == 0 || records.has_event_times(), InvalidInput,
                 "batching by event-time interval needs an event-time column (--time COL)");
  // Merged partitions are cut by merge time: a late record goes where its partition stood, so
  // which batch takes it does not depend on when the other partitions delivered.
  const std::vector<EventTime>& times = block.merge_times.empty() ? records.event_times : block.merge_times;
  std::size_t row = 0;
  while (row < records.rows) {
    if (!by_time) {
      if (!open_) open_batch(records);
      const std::size_t take = std::min(records.rows - row, settings_.batch_size - open_->rows);
      take_rows(block, row, row + take);
      row += take;
      if (open_->rows == settings_.batch_size) close_open_batch(last_end_);
      continue;
    }
    const EventTime t = times[row];
    if (!have_origin_) {
      // Floor to a multiple of the interval (towards -inf for times before 1970).
      const std::int64_t I = settings_.interval_us;
      open_start_ = (t >= 0 ? t / I : -((-t + I - 1) / I)) * I;
      have_origin_ = true;
    }
    if (!open_) open_batch(records);
    const EventTime open_end = open_start_ + settings_.interval_us;
    if (t >= open_end) {
      close_open_batch(last_end_);
      const std::int64_t gap = (t - open_end) / settings_.interval_us;
      if (gap > 0) {
        ready_.emplace_back(EmptyRun{next_index_, gap, open_end, last_end_});
        next_index_ += gap;
      }
      open_start_ = open_end + gap * settings_.interval_us;
      continue;  // the record opens the next batch
    }
    // Every following record before the interval's end joins this batch.
    std::size_t end = row;
    while (end < records.rows && times[end] < open_end) {
      late_ += records.event_times[end] < open_start_;
      ++end;
    }
    take_rows(block, row, end);
    row = end;
  }
  if (block.has_partitions()) {
    for (std::size_t i = 0; i < block.partition_ends.size(); ++i)
      if (block.partition_ends[i] >= 0) stream_end_.partitions[(*block.partitions)[i]] = block.partition_ends[i];
  } else {
    stream_end_.offset = block.end_offset;
    stream_end_.line = block.end_line;
  }
  stream_end_.records = block.end_record;
  pending_bad_ += block.end_record - consumed_records_;
  consumed_records_ = block.end_record;
}

void MicroBatcher::finish() {
  if (merge_) {
    merge_->finish();
    while (auto merged = merge_->pop()) cut(std::move(*merged));
  }
  // The last batch ends where the stream ends, trailing bad records included.
  if (!open_ && pending_bad_ > 0) {
    open_ = layout_ ? layout_->empty_like() : Batch{};
    open_->index = next_index_++;
    if (settings_.interval_us > 0 && have_origin_) {
      open_->interval_start = open_start_;
      open_->interval_end = open_start_ + settings_.interval_us;
    }
  }
  if (open_) {
    open_->skipped_records += pending_bad_;
    pending_bad_ = 0;
    close_open_batch(stream_end_);
  }
}

std::optional<Batch> MicroBatcher::pop() {
  if (ready_.empty()) return std::nullopt;
  if (auto* batch = std::get_if<Batch>(&ready_.front())) {
    Batch out = std::move(*batch);
    ready_.pop_front();
    return out;
  }
  auto& run = std::get<EmptyRun>(ready_.front());
  Batch out = layout_->empty_like();  // empty, but with the stream's columns
  out.index = run.first_index;
  out.interval_start = run.first_start;
  out.interval_end = run.first_start + settings_.interval_us;
  out.end_position = run.position;
  if (--run.count == 0) {
    ready_.pop_front();
  } else {
    ++run.first_index;
    run.first_start += settings_.interval_us;
  }
  return out;
}

}  // namespace streamml
