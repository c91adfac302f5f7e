// LineSource: a text file replayed as a stream of lines (a log, a text corpus), each line a
// record whose text is held in the batch's string key column (what dstream's
// StreamingContext::lines() reads). Empty lines are not records. With an event-time function
// the records get event times (so batches can be cut by event time); a line it cannot read a
// time from is a bad record, handled by the pipeline's bad-record policy.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/event_time.h"
#include "streaming/text_file_source.h"

namespace streamml {

struct LineSourceOptions {
  // nullopt: the line has no readable time (a bad record). Called in parallel.
  std::function<std::optional<EventTime>(std::string_view line)> event_time;
  std::size_t chunk_bytes = std::size_t(1) << 20;
};

class LineSource : public TextFileSource {
 public:
  // Throws Error(Io) naming the file if it cannot be read.
  LineSource(const std::string& path, LineSourceOptions options = {});
  RecordBlock parse(Chunk chunk) const override;

 private:
  LineSourceOptions options_;
};

std::unique_ptr<Source> open_line_source(const std::string& path, LineSourceOptions options = {});

// The time of a Common Log Format line, "[10/Oct/2000:13:55:36 -0700]"; nullopt if it has none.
std::optional<EventTime> common_log_time(std::string_view line);

}  // namespace streamml
