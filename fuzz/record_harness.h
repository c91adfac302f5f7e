// The record targets' shared half: the user's choices (delimiter, header, roles of the first
// columns, NaN policy, key type) read off the input's first bytes, and a source drained chunk by
// chunk with the properties every parsed block keeps.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "streaming/record_source.h"

namespace streamml::fuzz {

// Seven control bytes: flags, then for label, key, time, categorical, text and an id of role
// "item" the column given that role (0: none; c: column (c - 1) mod columns).
struct RecordChoices {
  std::uint8_t flags = 0, roles[6] = {0, 0, 0, 0, 0, 0};

  static RecordChoices read(FuzzInput& in) {
    RecordChoices c;
    c.flags = in.byte();
    for (auto& r : c.roles) r = in.byte();
    return c;
  }
  // The options before the column names are known (CSV without a header names its own).
  FormatOptions base() const {
    FormatOptions o;
    static const char delimiters[] = {',', ';', '\t', '|'};
    o.delimiter = delimiters[flags & 3];
    o.header = (flags & 4) == 0;
    o.allow_non_finite = (flags & 8) != 0;
    o.schema.key_type = (flags & 16) ? KeyType::Int64 : KeyType::String;
    o.schema.hash_bits = (flags & 32) ? 18 : 4;
    if (!o.header) o.column_names = {"a", "b", "c", "d"};
    return o;
  }
  bool any_role() const {
    for (auto r : roles)
      if (r) return true;
    return false;
  }
  // The roles given to columns of a schema read with base().
  FormatOptions with_roles(const Schema& schema) const {
    FormatOptions o = base();
    const std::size_t n = schema.n_columns();
    if (n == 0) return o;
    const auto name = [&](std::uint8_t r) { return schema.columns()[(r - 1u) % n].name; };
    if (roles[0]) o.schema.label = name(roles[0]);
    if (roles[1]) o.schema.key = name(roles[1]);
    if (roles[2]) o.schema.time = name(roles[2]);
    if (roles[3]) o.schema.categorical = {name(roles[3])};
    if (roles[4]) o.schema.text = {name(roles[4])};
    if (roles[5]) o.schema.ids = {{"item", name(roles[5])}};
    return o;
  }
};

// Reads every chunk and parses it, checking what each block must keep: one end position per
// good record, every record of the chunk either good or bad, record counts increasing within
// the chunk, and a batch whose columns all have one value per record.
inline void drain(Source& source) {
  for (int guard = 0; guard < 100000; ++guard) {
    auto chunk = source.read_chunk();
    if (!chunk) return;
    const std::int64_t begin = chunk->begin_record, end = chunk->end_record;
    const bool messages = chunk->has_messages();
    const std::size_t n_messages = chunk->messages.size();
    RecordBlock block = source.parse(std::move(*chunk));
    const std::size_t good = block.records.rows;
    block.records.validate();
    STREAMML_FUZZ_ASSERT(block.end_offsets.size() == good && block.end_lines.size() == good &&
                             block.end_records.size() == good,
                         "%zu good records, %zu/%zu/%zu ends", good, block.end_offsets.size(),
                         block.end_lines.size(), block.end_records.size());
    STREAMML_FUZZ_ASSERT(std::int64_t(good + block.bad.size()) == end - begin,
                         "%zu good + %zu bad records, the chunk held %lld", good, block.bad.size(),
                         (long long)(end - begin));
    if (messages) {
      STREAMML_FUZZ_ASSERT(good + block.bad.size() == n_messages && block.end_partitions.size() == good,
                           "%zu messages, %zu good, %zu bad", n_messages, good, block.bad.size());
    }
    std::int64_t last = begin;
    for (std::int64_t r : block.end_records) {
      STREAMML_FUZZ_ASSERT(r > last && r <= end, "record end %lld after %lld (chunk ends at %lld)", (long long)r,
                           (long long)last, (long long)end);
      last = r;
    }
  }
}

}  // namespace streamml::fuzz
