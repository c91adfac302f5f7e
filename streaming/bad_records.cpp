#include "streaming/bad_records.h"

#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/error.h"
#include "core/durable_file.h"
#include "core/json.h"
#include "core/position.h"
#include "streaming/source.h"

namespace streamml {

namespace {
// The summary keeps a handful of examples; the dead-letter file has them all.
constexpr std::size_t kMaxExamples = 10;
}  // namespace

std::string describe(const BadRecord& bad, const std::string& file) {
  if (!bad.partition.empty())
    return file + ": " + bad.partition + " offset " + std::to_string(bad.offset) +
           (bad.column > 0 ? " column " + std::to_string(bad.column) : std::string()) + ": " + bad.reason;
  std::string out = file + ":" + std::to_string(bad.line);
  if (bad.column > 0) out += ":" + std::to_string(bad.column);
  out += ": " + bad.reason;
  return out;
}

void BadRecordPolicy::validate() const {
  STREAMML_CHECK(max_bad_fraction >= 0 && max_bad_fraction <= 1, InvalidInput,
                 "max_bad_fraction must be in [0, 1], got " << max_bad_fraction);
}

void BadRecordHandler::check_fraction(std::int64_t good, std::int64_t bad, bool at_end, bool first_batch_all_bad) const {
  if (policy_.on_bad != OnBadRecord::Skip || bad == 0) return;
  const std::int64_t seen = good + bad;
  if (!at_end && seen < BadRecordPolicy::kBadFractionMinRecords) return;
  if (double(bad) <= policy_.max_bad_fraction * double(seen)) return;
  std::ostringstream out;
  out << bad << " of " << seen << " records of " << file_ << " were bad (" << int(100.0 * double(bad) / double(seen))
      << "%), more than the " << policy_.max_bad_fraction << " the bad-record policy allows (max_bad_fraction)";
  if (!examples_.empty()) out << "; the first: " << examples_.front();
  if (first_batch_all_bad)
    out << ". The first batch held no good record at all: the settings do not fit the data. Check that every "
           "text column has a role (--key, --categorical, --text or --ignore), the --delimiter and the --time "
           "column";
  throw Error(ErrorKind::InvalidInput, out.str());
}

BadRecordHandler::BadRecordHandler(BadRecordPolicy policy, std::string file)
    : policy_(std::move(policy)), file_(std::move(file)) {
  // A fresh run's dead-letter file holds this run's bad records only, or does not exist.
  if (!policy_.dead_letter_path.empty() && !policy_.dead_letter_append)
    std::remove(policy_.dead_letter_path.c_str());
}

void BadRecordHandler::handle(const std::vector<BadRecord>& bad) {
  if (bad.empty()) return;
  if (policy_.on_bad == OnBadRecord::Error) STREAMML_FAIL(InvalidInput, describe(bad.front(), file_));

  // Opened on the first bad record so a clean stream leaves no empty dead-letter file behind.
  if (!policy_.dead_letter_path.empty() && !dead_letter_) {
    auto out = std::make_unique<std::ofstream>(policy_.dead_letter_path,
                                               std::ios::binary | std::ios::app);
    STREAMML_CHECK(out->is_open(), Io,
                   "cannot open dead-letter file '" << policy_.dead_letter_path
                                                    << "': " << std::strerror(errno));
    dead_letter_ = std::move(out);
  }
  for (const auto& b : bad) {
    ++count_;
    if (examples_.size() < kMaxExamples) examples_.push_back(describe(b, file_));
    if (dead_letter_) {
      JsonWriter w;
      w.begin_object();
      w.key("file").value(file_);
      if (b.partition.empty()) {
        w.key("line").value(b.line);
      } else {
        w.key("partition").value(b.partition);
        w.key("offset").value(b.offset);
      }
      w.key("column").value(b.column);
      w.key("reason").value(b.reason);
      w.key("record").value(b.text);
      w.end_object();
      *dead_letter_ << w.str() << '\n';
    }
  }
  if (dead_letter_) {
    // Flushed per call so the file is complete up to the last handled chunk if we stop later.
    dead_letter_->flush();
    STREAMML_CHECK(dead_letter_->good(), Io,
                   "cannot write dead-letter file '" << policy_.dead_letter_path
                                                     << "': " << std::strerror(errno));
  }
}

std::optional<Error> BadRecordHandler::admit(RecordBlock& block) {
  if (block.bad.empty()) return std::nullopt;
  if (policy_.on_bad == OnBadRecord::Skip) {
    handle(block.bad);
    return std::nullopt;
  }
  // The good records before the first bad one, by their place in the stream.
  const BadRecord& first = block.bad.front();
  std::size_t keep = 0;
  while (keep < block.records.rows && block.end_records[keep] < first.record) ++keep;
  Error error(ErrorKind::InvalidInput, describe(first, file_));
  Batch kept = block.records.empty_like();
  kept.append(block.records, 0, keep);
  block.records = std::move(kept);
  block.end_offsets.resize(keep);
  block.end_lines.resize(keep);
  block.end_records.resize(keep);
  if (!block.end_partitions.empty()) block.end_partitions.resize(keep);
  block.bad.clear();
  if (keep > 0) {
    block.end_offset = block.end_offsets.back();
    block.end_line = block.end_lines.back();
    block.end_record = block.end_records.back();
  }
  if (block.has_partitions()) {
    // Each partition ends after its last kept record (or where the chunk found it).
    std::vector<std::int64_t> ends(block.partition_ends.size(), -1);
    for (std::size_t k = 0; k < keep; ++k) ends[std::size_t(block.end_partitions[k])] = block.end_offsets[k];
    block.partition_ends = std::move(ends);
  }
  return error;
}

void trim_dead_letter(const std::string& path, const Position& position) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // A last line without its newline is an entry the disk took only part of (full, or the
  // process killed mid-write). The run stopped on it, so its record is past the checkpoint:
  // it goes, and the resumed run writes it again whole.
  const std::size_t complete = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  std::string kept;
  simdjson::dom::parser parser;
  std::size_t begin = 0;
  for (std::int64_t n = 1; begin < complete; ++n) {
    const std::size_t end = text.find('\n', begin);
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    const simdjson::padded_string padded(line);
    simdjson::dom::element entry;
    std::int64_t record_line = 0, offset = 0;
    std::string_view partition;
    bool before = false;
    const bool parsed = !parser.parse(padded).get(entry);
    if (parsed && !entry["line"].get(record_line)) {
      before = record_line <= position.line;  // a byte stream's record, by its line
    } else if (parsed && !entry["partition"].get(partition) && !entry["offset"].get(offset)) {
      // A message, by its offset in its partition: kept if the checkpoint had read past it.
      const auto at = position.partitions.find(std::string(partition));
      before = at != position.partitions.end() && offset < at->second;
    } else {
      STREAMML_FAIL(InvalidInput, path << ":" << n
                                       << ": not a dead-letter entry (no integer 'line', nor 'partition' and "
                                          "'offset'): cannot trim it for resume");
    }
    if (before) kept += line + "\n";
  }
  if (kept.size() == text.size()) return;  // nothing past the checkpoint
  replace_file(path, kept);
}

}  // namespace streamml
