// Sink: where a pipeline's results leave it — every batch, in order, after the stages.
//
// Exactly-once output across crashes, as the checkpoint coordinator drives it:
//   - at a checkpoint, between two batches, flush() hands everything written so far to the
//     operating system and returns the sink's mark (for a file: its length, with what the sink
//     needs to go on), which the manifest records;
//   - before the manifest is published, sync() makes those bytes durable (fsync), on the
//     checkpoint writer's thread while the stream goes on;
//   - on resume, open(mark) cuts the output back to the mark of the checkpoint resumed from
//     and continues there; the batches after it are replayed and written again, once.
// So whatever moment a crash hits, the output of a resumed run is byte for byte the output of
// an uninterrupted one (as for the dead-letter file, bad_records.h).
#pragma once

#include <optional>
#include <string>

#include "core/batch.h"

namespace streamml {

class Sink {
 public:
  virtual ~Sink() = default;
  // Unique in a pipeline: it names the sink's mark in checkpoints, and errors.
  virtual std::string name() const = 0;
  // Before the first batch. nullopt: a fresh start (the output begins empty); else the mark a
  // checkpoint recorded: the output is cut back to it. Throws Error(InvalidInput) when the
  // output no longer holds what the mark says (shortened or replaced since).
  virtual void open(const std::optional<std::string>& mark) = 0;
  // Every batch after the stages, in stream order, empty ones included; last the end-of-stream
  // batch (Stage::finish), which holds no records, only result tables.
  virtual void write(const Batch& batch) = 0;
  // At a checkpoint (pipeline thread, between batches): everything written so far handed to
  // the operating system; returns its mark, text that only this sink reads back (open).
  virtual std::string flush() = 0;
  // Makes everything flush() handed over durable. Called from the checkpoint writer's thread,
  // possibly while write() runs on the pipeline's: it must be safe alongside write().
  virtual void sync() = 0;
  // The stream ended (after the end-of-stream batch): everything written, durable, closed.
  virtual void close() = 0;
};

}  // namespace streamml
