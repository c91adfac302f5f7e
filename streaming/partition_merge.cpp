#include "streaming/partition_merge.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"

namespace streamml {

PartitionMerge::PartitionMerge(const Position& start)
    : names_(std::make_shared<const std::vector<std::string>>()), records_(start.records) {
  if (start.watermark) floor_ = *start.watermark;
}

std::size_t PartitionMerge::partition_index(const std::string& name) {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  Partition p;
  p.name = name;
  // "clicks/3": topic "clicks", partition 3 (a name without a number sorts by name alone).
  const auto slash = name.rfind('/');
  p.topic = name.substr(0, slash == std::string::npos ? name.size() : slash);
  if (slash != std::string::npos) std::from_chars(name.data() + slash + 1, name.data() + name.size(), p.number);
  partitions_.push_back(std::move(p));
  auto names = std::make_shared<std::vector<std::string>>(*names_);  // blocks released keep the old list
  names->push_back(name);
  names_ = std::move(names);
  return index_[name] = partitions_.size() - 1;
}

void PartitionMerge::add(std::size_t p, const std::shared_ptr<const RecordBlock>& block, std::int32_t row,
                         EventTime time, std::int64_t offset) {
  Partition& part = partitions_[p];
  const EventTime key = std::max({time, part.watermark, floor_});
  // Placed later than both its own time and its partition's: the release went past it while
  // the partition was idle.
  if (row >= 0 && key == floor_ && time < floor_ && part.watermark < floor_) ++floored_;
  part.watermark = key;
  part.items.push_back({block, row, key, offset});
  max_held_ = std::max(max_held_, ++held_);
}

void PartitionMerge::push(RecordBlock&& block) {
  STREAMML_CHECK(block.has_partitions(), Runtime, "merging partitions needs a block of messages");
  auto shared = std::make_shared<const RecordBlock>(std::move(block));
  const RecordBlock& b = *shared;
  if (b.partitions != last_names_) {
    last_map_.clear();
    for (const auto& name : *b.partitions) last_map_.push_back(partition_index(name));
    last_names_ = b.partitions;
  }
  // Good and bad records interleaved as they were in the chunk (by record number).
  const bool times = b.records.has_event_times();
  std::size_t bad = 0;
  for (std::size_t r = 0; r <= b.records.rows; ++r) {
    const std::int64_t record = r < b.records.rows ? b.end_records[r] : INT64_MAX;
    for (; bad < b.bad.size() && b.bad[bad].record < record; ++bad)
      add(partition_index(b.bad[bad].partition), shared, -1, kStartOfTime, b.bad[bad].offset);
    if (r == b.records.rows) break;
    add(last_map_[std::size_t(b.end_partitions[r])], shared, std::int32_t(r),
        times ? b.records.event_times[r] : kStartOfTime, b.end_offsets[r] - 1);
  }
  if (b.partition_states.empty()) {
    for (std::size_t i : last_map_) partitions_[i].state = PartitionState::Open;
  } else {
    for (std::size_t i = 0; i < b.partition_states.size() && i < last_map_.size(); ++i) {
      Partition& part = partitions_[last_map_[i]];
      if (b.partition_states[i] == PartitionState::Idle && part.state != PartitionState::Idle) ++idle_passes_;
      part.state = b.partition_states[i];
    }
  }
  EventTime before = kEndOfTime;
  for (const Partition& part : partitions_)
    if (part.state == PartitionState::Open) before = std::min(before, part.watermark);
  release(before);
}

void PartitionMerge::finish() { release(kEndOfTime); }

std::optional<EventTime> PartitionMerge::frontier() const {
  if (partitions_.empty()) return std::nullopt;
  // Nothing is known past the latest record seen, even when no partition holds the stream.
  EventTime open = kEndOfTime, latest = kStartOfTime;
  for (const Partition& part : partitions_) {
    latest = std::max(latest, part.watermark);
    if (part.state == PartitionState::Open) open = std::min(open, part.watermark);
  }
  return std::min(open, latest);
}

std::optional<RecordBlock> PartitionMerge::pop() {
  if (ready_.empty()) return std::nullopt;
  RecordBlock out = std::move(ready_.front());
  ready_.pop_front();
  return out;
}

// Releases every held record whose merge time is before `before`, in merge order.
void PartitionMerge::release(EventTime before) {
  auto sorts_before = [&](const Partition& a, const Partition& b) {
    const Item& x = a.items.front();
    const Item& y = b.items.front();
    if (x.key != y.key) return x.key < y.key;
    if (a.topic != b.topic) return a.topic < b.topic;
    return a.number < b.number;
  };
  auto ready = [&](const Partition& p) { return !p.items.empty() && p.items.front().key < before; };

  std::optional<RecordBlock> out;
  std::shared_ptr<const RecordBlock> run_block;  // rows [run_begin, run_end) of it wait to be appended
  std::size_t run_begin = 0, run_end = 0;
  auto flush_run = [&] {
    if (run_block && run_end > run_begin) out->records.append(run_block->records, run_begin, run_end);
    run_block.reset();
  };
  while (true) {
    std::size_t best = partitions_.size(), second = partitions_.size();
    for (std::size_t q = 0; q < partitions_.size(); ++q) {
      if (!ready(partitions_[q])) continue;
      if (best == partitions_.size() || sorts_before(partitions_[q], partitions_[best])) {
        second = best;
        best = q;
      } else if (second == partitions_.size() || sorts_before(partitions_[q], partitions_[second])) {
        second = q;
      }
    }
    if (best == partitions_.size()) break;
    Partition& part = partitions_[best];
    // Take from this partition for as long as it stays first.
    do {
      Item item = std::move(part.items.front());
      part.items.pop_front();
      --held_;
      if (!out) {
        out.emplace();
        out->records = item.block->records.empty_like();
        out->partitions = names_;
        out->partition_ends.assign(names_->size(), -1);
      }
      ++records_;
      floor_ = std::max(floor_, item.key);
      out->partition_ends[best] = item.offset + 1;
      out->end_record = records_;
      if (item.row < 0) continue;
      out->add_message_end(std::int32_t(best), item.offset + 1, records_);
      out->merge_times.push_back(item.key);
      const auto row = std::size_t(item.row);
      if (run_block == item.block && run_end == row) {
        ++run_end;
      } else {
        flush_run();
        run_block = std::move(item.block);
        run_begin = row;
        run_end = row + 1;
      }
    } while (ready(part) && (second == partitions_.size() || sorts_before(part, partitions_[second])));
  }
  flush_run();
  if (out) ready_.push_back(std::move(*out));
}

bool merges_partitions(const Source& source) {
  return source.has_partitions() && source.schema().time_column().has_value();
}

}  // namespace streamml
