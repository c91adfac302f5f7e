#include "streaming/transports/memory_transport.h"

#include <simdjson.h>

#include "core/error.h"

namespace streamml {

MemoryTransport::MemoryTransport(std::string topic, std::vector<std::vector<MemoryMessage>> partitions,
                                 std::size_t messages_per_chunk)
    : topic_(std::move(topic)), partitions_(std::move(partitions)), per_chunk_(messages_per_chunk) {
  STREAMML_CHECK(!partitions_.empty(), InvalidInput, "memory transport '" << topic_ << "' needs at least one partition");
  STREAMML_CHECK(per_chunk_ > 0, InvalidInput, "messages_per_chunk must be positive, got 0");
  auto names = std::make_shared<std::vector<std::string>>();
  for (std::size_t p = 0; p < partitions_.size(); ++p) names->push_back(topic_ + "/" + std::to_string(p));
  names_ = std::move(names);
  next_.assign(partitions_.size(), 0);
  first_.assign(partitions_.size(), 0);
}

MemoryTransport MemoryTransport::of_values(std::string topic, const std::vector<std::vector<std::string>>& partitions,
                                           std::size_t messages_per_chunk) {
  std::vector<std::vector<MemoryMessage>> messages(partitions.size());
  for (std::size_t p = 0; p < partitions.size(); ++p)
    for (const auto& v : partitions[p]) messages[p].push_back({v, std::nullopt, 0});
  return MemoryTransport(std::move(topic), std::move(messages), messages_per_chunk);
}

std::optional<Chunk> MemoryTransport::read_chunk() {
  // The order is fixed by the offsets alone: round k takes offsets [k N, (k + 1) N) of each
  // partition in turn, so where a resumed read goes on follows from its position.
  const std::size_t n = partitions_.size();
  const auto round_of = [&](std::size_t p) { return std::size_t(next_[p] - first_[p]) / per_chunk_; };
  std::size_t best = n;
  for (std::size_t p = 0; p < n; ++p)
    if (std::size_t(next_[p]) < partitions_[p].size() && (best == n || round_of(p) < round_of(best))) best = p;
  if (best == n) return std::nullopt;
  {
    const std::size_t p = best;
    const auto& messages = partitions_[p];
    Chunk c;
    c.sequence = sequence_++;
    c.partitions = names_;
    c.partition_ends.assign(n, -1);
    c.begin_record = records_;
    const std::size_t end =
        std::min(messages.size(), std::size_t(first_[p]) + (round_of(p) + 1) * per_chunk_);
    for (std::size_t i = std::size_t(next_[p]); i < end; ++i) {
      const MemoryMessage& m = messages[i];
      Message out;
      out.begin = std::uint32_t(c.bytes.size());
      out.size = std::uint32_t(m.value.size());
      out.partition = std::int32_t(p);
      out.offset = std::int64_t(i);
      out.timestamp = m.timestamp;
      if (m.key) {
        out.has_key = true;
        out.key_begin = std::uint32_t(c.keys.size());
        out.key_size = std::uint32_t(m.key->size());
        c.keys += *m.key;
      }
      c.bytes += m.value;
      c.bytes += '\n';  // records end with a line end, as a format expects of any record
      c.messages.push_back(out);
    }
    c.bytes.reserve(c.bytes.size() + simdjson::SIMDJSON_PADDING);
    records_ += std::int64_t(end - std::size_t(next_[p]));
    next_[p] = std::int64_t(end);
    c.partition_ends[p] = next_[p];
    c.end_record = records_;
    return c;
  }
}

std::optional<FirstRecord> MemoryTransport::first_record(bool consume) {
  if (partitions_[0].empty()) return std::nullopt;
  FirstRecord first{partitions_[0][0].value, 0};
  if (consume) {
    first_[0] = 1;
    if (next_[0] == 0) next_[0] = 1;
  }
  return first;
}

Position MemoryTransport::position() const {
  Position pos;
  pos.records = records_;
  for (std::size_t p = 0; p < partitions_.size(); ++p) pos.partitions[(*names_)[p]] = next_[p];
  return pos;
}

void MemoryTransport::seek(const Position& position) {
  STREAMML_CHECK(position.offset == 0 && position.line == 0, InvalidInput,
                 "position of '" << name() << "' has a byte offset or a line; a message transport has partitions");
  std::vector<std::int64_t> next = first_;
  for (const auto& [partition, offset] : position.partitions) {
    std::size_t p = 0;
    while (p < names_->size() && (*names_)[p] != partition) ++p;
    STREAMML_CHECK(p < names_->size(), InvalidInput,
                   "position names partition '" << partition << "', which '" << name() << "' does not have");
    STREAMML_CHECK(offset >= first_[p] && std::size_t(offset) <= partitions_[p].size(), InvalidInput,
                   "position offset " << offset << " of partition '" << partition << "' is outside its messages ("
                                      << first_[p] << " to " << partitions_[p].size() << ")");
    next[p] = offset;
  }
  next_ = std::move(next);
  records_ = position.records;
  sequence_ = 0;
}

std::optional<std::int64_t> MemoryTransport::total_size() const {
  std::int64_t n = 0;
  for (const auto& p : partitions_) n += std::int64_t(p.size());
  return n;
}

}  // namespace streamml
