// The DStream graph: operators as nodes, and the StreamingContext that runs them once per
// micro-batch as one stage of the pipeline and checkpoints their state.
//
// A node computes its output for the current batch when first asked (pull, as Spark's
// DStream.compute does) and keeps it until the batch ends, so a stream read by two operators
// is computed once. Every batch the context asks each output and each stateful operator, in
// the order they were created (a topological order: operators are made from existing ones).
// A node's output is null when its stream has no batch now (a window by batch count between
// two slides; any stream at the end-of-stream flush except event-time windows).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/error.h"
#include "core/stateful.h"
#include "streaming/dstream/records.h"
#include "streaming/stage.h"

namespace streamml {
class Source;
class ProgressReporter;
struct PipelineSettings;
struct PipelineReport;
class StateReader;
class StateWriter;
}  // namespace streamml

namespace streamml::dstream {

class StreamingContext;

// The event-time progress of a stream (with_watermark): the maximum event time seen minus
// the allowed lateness, updated after each batch; +infinity at the end-of-stream flush.
struct Watermark {
  static constexpr EventTime kNone = INT64_MIN;
  EventTime value = kNone;
  EventTime lateness = 0;
};

class NodeBase {
 public:
  // settings: the operator's settings as JSON members (`"length":3,"slide":1`), part of the
  // graph's description a checkpoint is checked against.
  NodeBase(StreamingContext& ctx, std::string op, std::vector<NodeBase*> parents, std::string settings = "");
  virtual ~NodeBase() = default;
  NodeBase(const NodeBase&) = delete;
  NodeBase& operator=(const NodeBase&) = delete;

  const std::string& op() const { return op_; }
  std::size_t id() const { return id_; }
  // "#3 reduce_by_key", for messages.
  std::string label() const;
  std::string describe() const;
  StreamingContext& context() const { return ctx_; }

  // Computes this batch's output (once per batch); forget() drops it when the batch is done.
  virtual void evaluate() = 0;
  virtual void forget() = 0;
  virtual bool is_output() const { return false; }

  // Operators that keep state across batches (windows, watermarks, keyed state) save it in
  // the context's checkpoint. load_state decodes into a pending copy that commit_loaded()
  // installs once every node has loaded, so a failed load changes nothing.
  virtual bool has_state() const { return false; }
  virtual void save_state(StateWriter& /*out*/) const {}
  virtual void load_state(const StateReader& /*in*/) {}
  virtual void commit_loaded() {}
  virtual void discard_loaded() {}

  // The watermark in effect on this stream (from the nearest with_watermark upstream).
  const Watermark* watermark() const { return watermark_; }
  // How often the stream has a batch: every `cadence` batches (a window by count slides by
  // it); 0 for event-time windows' streams. join and union need equal cadences.
  std::int64_t cadence() const { return cadence_; }

 protected:
  // Rethrows the exception in flight as an Error naming this operator and the batch.
  [[noreturn]] void rethrow_here() const;

  StreamingContext& ctx_;
  const Watermark* watermark_ = nullptr;
  std::int64_t cadence_ = 1;

 private:
  std::string op_;
  std::string settings_;
  std::vector<std::size_t> parents_;
  std::size_t id_;
};

// A non-owning reference to a callable (the sink of a streamed block): two pointers, one
// indirect call, no allocation.
template <class Signature>
class FunctionRef;
template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit, like std::function_ref
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, A... a) -> R { return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<A>(a)...); }) {}
  R operator()(A... a) const { return call_(object_, std::forward<A>(a)...); }

 private:
  void* object_;
  R (*call_)(void*, A...);
};

// Records per block when a batch is streamed (fixed, so the work split never depends on the
// thread count).
constexpr std::size_t kStreamBlock = 1024;

template <class T>
class Node : public NodeBase {
 public:
  using NodeBase::NodeBase;
  using value_type = T;
  using Sink = FunctionRef<void(T&&, EventTime)>;

  // This batch's records; null when the stream has no batch now.
  const Records<T>* get() {
    if (!done_) {
      try {
        has_ = compute(out_);
      } catch (...) {
        rethrow_here();
      }
      done_ = true;
    }
    return has_ ? &out_ : nullptr;
  }
  void evaluate() override { get(); }
  void forget() override {
    done_ = has_ = false;
    out_.clear();
    out_.timed = false;
  }

  // Streaming, how keyed operators read their input without storing the stateless operators'
  // intermediate batches (operator fusion, as Spark pipelines narrow transformations): the
  // batch in `blocks()` blocks (-1: no batch now), block k's records in order through
  // stream(k, sink), blocks in parallel. map, flat_map, filter and the roots stream through
  // their input; other operators serve their stored output. A fused function runs once per
  // consumer of its stream (like an uncached RDD in Spark).
  virtual std::int64_t blocks() {
    const Records<T>* r = get();
    return r ? std::int64_t((r->size() + kStreamBlock - 1) / kStreamBlock) : -1;
  }
  // Whether the streamed records carry event times (after blocks()).
  virtual bool timed() {
    const Records<T>* r = get();
    return r && r->timed;
  }
  virtual void stream(std::size_t block, Sink sink) {
    const Records<T>& r = *get();
    const std::size_t end = std::min(r.size(), (block + 1) * kStreamBlock);
    for (std::size_t i = block * kStreamBlock; i < end; ++i) sink(T(r.values[i]), r.timed ? r.times[i] : 0);
  }

 protected:
  // Fills `out` (empty on entry) and returns true, or returns false for "no batch now".
  virtual bool compute(Records<T>& out) = 0;

  // compute() for streaming operators: their stream, stored.
  bool store_stream(Records<T>& out);

 private:
  Records<T> out_;
  bool done_ = false;
  bool has_ = false;
};

// The error a failing operator raises: its message already names the operator and batch, so
// operators downstream pass it on unchanged.
class OperatorError : public Error {
 public:
  using Error::Error;
};

template <class T>
class DStream;

class StreamingContext : public Stateful {
 public:
  // name: the stage's name in the pipeline (progress, summary, checkpoint directory).
  explicit StreamingContext(std::string name = "dstream");
  ~StreamingContext() override;
  StreamingContext(const StreamingContext&) = delete;
  StreamingContext& operator=(const StreamingContext&) = delete;

  // ---- where records come from
  // One record per row of each pipeline batch, made by row(batch, i) (in parallel); the
  // records carry the batch's event times when it has them.
  template <class T, class F>
  DStream<T> from_batches(F row);
  // The text of each line of a lines source (open_line_source, streaming/file_source.h), i.e. the batch's string
  // key column.
  DStream<std::string> lines();
  // The batch's string (or integer) key column: the key of each record.
  DStream<std::string> string_keys();
  DStream<std::int64_t> int_keys();
  // Records pushed by the program (tests, benchmarks, notebooks): push a batch into the
  // returned input, then call run_batch().
  template <class T>
  DStream<T> input();
  template <class T>
  void push(const DStream<T>& input, std::vector<T> values, std::vector<EventTime> times = {});

  // ---- running
  // The graph as a pipeline stage (add it with Pipeline::add_stage); the context must outlive it.
  std::unique_ptr<Stage> stage();
  // Replays a source through a pipeline whose only stage is this graph.
  PipelineReport run(std::unique_ptr<Source> source, const PipelineSettings& settings,
                     ProgressReporter* progress = nullptr);
  // One batch from the records pushed into inputs: index = the next batch index, clock as
  // given (else the largest event time pushed so far).
  void run_batch(std::optional<EventTime> clock = std::nullopt);
  // Advances the event-time clock to at least t (inputs call it for the times pushed).
  void note_time(EventTime t);
  // One batch from the pipeline.
  void process(Batch& batch);
  // The stream ended: the end-of-stream flush (event-time windows emit what they held). `end`:
  // the pipeline's end-of-stream batch (Stage::finish), which output_batch() gives meanwhile.
  void finish(Batch* end = nullptr);

  const BatchInfo& info() const { return info_; }
  const Batch* current_batch() const { return batch_; }
  // While the graph runs on a pipeline batch (or the end-of-stream one), that batch, to which
  // outputs (for_each_batch) add output columns and result tables for later stages and sinks;
  // null otherwise (run_batch outside a pipeline).
  Batch* output_batch() const { return output_; }
  const std::string& name() const { return name_; }

  // ---- Stateful (learner_type "dstream"): params is the graph (every operator with its inputs
  // and settings; a checkpoint of another graph is refused), and each stateful operator's
  // state is a group "<id>_<op>/": numbers as int64 datasets, keyed tables and retained
  // records as Codec bytes (codec.h) in string lists (one per pane, or per table).
  std::string type() const override { return "dstream"; }
  std::string params_json() const override;  // the graph: operators, their inputs and settings
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // For operators: adds a node the context owns.
  template <class N, class... Args>
  N* add(Args&&... args) {
    auto node = std::make_unique<N>(*this, std::forward<Args>(args)...);
    N* raw = node.get();
    nodes_.push_back(std::move(node));
    return raw;
  }
  std::size_t next_id() const { return nodes_.size(); }
  const NodeBase& node(std::size_t id) const { return *nodes_[id]; }

 private:
  // Runs the outputs and stateful operators on one batch, then forgets the batch.
  void run_graph(BatchInfo info, const Batch* batch, Batch* output);

  std::string name_;
  std::vector<std::unique_ptr<NodeBase>> nodes_;
  BatchInfo info_;
  const Batch* batch_ = nullptr;
  Batch* output_ = nullptr;
  std::optional<EventTime> clock_;
  std::int64_t next_index_ = 0;
  bool finished_ = false;
};

}  // namespace streamml::dstream
