#include "streaming/dstream/graph.h"

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"
#include "streaming/dstream/dstream.h"
#include "streaming/pipeline.h"

namespace streamml::dstream {

Duration duration(std::string_view text) { return {parse_duration_micros(text)}; }

NodeBase::NodeBase(StreamingContext& ctx, std::string op, std::vector<NodeBase*> parents, std::string settings)
    : ctx_(ctx), op_(std::move(op)), settings_(std::move(settings)), id_(ctx.next_id()) {
  for (NodeBase* p : parents) {
    STREAMML_CHECK(p != nullptr && &p->ctx_ == &ctx, InvalidInput,
                   "operator '" << op_ << "': its input belongs to another StreamingContext");
    parents_.push_back(p->id());
    if (!watermark_) watermark_ = p->watermark_;
  }
  if (!parents.empty()) cadence_ = parents.front()->cadence_;
}

std::string NodeBase::label() const { return "#" + std::to_string(id_) + " " + op_; }

std::string NodeBase::describe() const {
  std::string s = "{\"id\":" + std::to_string(id_) + ",\"op\":\"" + op_ + "\",\"inputs\":[";
  for (std::size_t i = 0; i < parents_.size(); ++i) s += (i ? "," : "") + std::to_string(parents_[i]);
  s += "]";
  if (!settings_.empty()) s += "," + settings_;
  return s + "}";
}

void NodeBase::rethrow_here() const {
  const std::string where = "dstream operator " + label() + " failed on batch " +
                            std::to_string(ctx_.info().index) + (ctx_.info().end_of_stream ? " (end of stream)" : "");
  try {
    throw;
  } catch (const OperatorError&) {
    throw;
  } catch (const Error& e) {
    throw OperatorError(e.kind(), where + ": " + e.message(), e.location());
  } catch (const std::exception& e) {
    throw OperatorError(ErrorKind::Runtime, where + ": " + e.what());
  } catch (...) {
    throw OperatorError(ErrorKind::Runtime, where + ": an exception that is not a std::exception");
  }
}

namespace {

class ContextStage : public Stage {
 public:
  explicit ContextStage(StreamingContext& ctx) : ctx_(ctx) {}
  std::string name() const override { return ctx_.name(); }
  void process(Batch& batch) override { ctx_.process(batch); }
  void finish(Batch& end) override { ctx_.finish(&end); }
  Stateful* stateful() override { return &ctx_; }

 private:
  StreamingContext& ctx_;
};

}  // namespace

StreamingContext::StreamingContext(std::string name) : name_(std::move(name)) {}
StreamingContext::~StreamingContext() = default;

DStream<std::string> StreamingContext::lines() {
  return from_batches<std::string>([](const Batch& b, std::size_t i) -> const std::string& {
    const auto* keys = std::get_if<std::vector<std::string>>(&b.keys);
    STREAMML_CHECK(keys != nullptr, InvalidInput,
                   "lines() reads the text of each line, but the batches have no text column: "
                   "read the file with open_line_source (streaming/file_source.h)");
    return (*keys)[i];
  });
}

DStream<std::string> StreamingContext::string_keys() {
  return from_batches<std::string>([](const Batch& b, std::size_t i) -> const std::string& {
    const auto* keys = std::get_if<std::vector<std::string>>(&b.keys);
    STREAMML_CHECK(keys != nullptr, InvalidInput, "string_keys(): the batches have no string key column");
    return (*keys)[i];
  });
}

DStream<std::int64_t> StreamingContext::int_keys() {
  return from_batches<std::int64_t>([](const Batch& b, std::size_t i) {
    const auto* keys = std::get_if<std::vector<std::int64_t>>(&b.keys);
    STREAMML_CHECK(keys != nullptr, InvalidInput, "int_keys(): the batches have no integer key column");
    return (*keys)[i];
  });
}

std::unique_ptr<Stage> StreamingContext::stage() { return std::make_unique<ContextStage>(*this); }

PipelineReport StreamingContext::run(std::unique_ptr<Source> source, const PipelineSettings& settings,
                                     ProgressReporter* progress) {
  Pipeline pipeline(std::move(source), settings);
  pipeline.add_stage(stage());
  return pipeline.run(progress);
}

void StreamingContext::run_graph(BatchInfo info, const Batch* batch, Batch* output) {
  info_ = info;
  batch_ = batch;
  output_ = output;
  struct Forget {  // every node forgets the batch, also when an operator failed
    StreamingContext& c;
    ~Forget() {
      c.batch_ = nullptr;
      c.output_ = nullptr;
      for (auto& node : c.nodes_) node->forget();
    }
  } forget{*this};
  for (auto& node : nodes_)
    if (node->is_output() || node->has_state()) node->evaluate();
}

void StreamingContext::process(Batch& batch) {
  STREAMML_CHECK(!finished_, InvalidInput, "dstream '" << name_ << "': a batch after the end of the stream");
  if (const auto end = batch.event_time_end()) note_time(*end);
  next_index_ = batch.index + 1;
  run_graph(BatchInfo{batch.index, clock_, false}, &batch, &batch);
}

void StreamingContext::run_batch(std::optional<EventTime> clock) {
  STREAMML_CHECK(!finished_, InvalidInput, "dstream '" << name_ << "': a batch after the end of the stream");
  if (clock) note_time(*clock);
  run_graph(BatchInfo{next_index_++, clock_, false}, nullptr, nullptr);
}

void StreamingContext::note_time(EventTime t) { clock_ = clock_ ? std::max(*clock_, t) : t; }

void StreamingContext::finish(Batch* end) {
  if (finished_) return;
  finished_ = true;
  run_graph(BatchInfo{next_index_, clock_, true}, nullptr, end);
}

std::string StreamingContext::params_json() const {
  std::string s = "{\"name\":";
  JsonWriter w;
  w.value(name_);
  s += w.str() + ",\"operators\":[";
  for (std::size_t i = 0; i < nodes_.size(); ++i) s += (i ? "," : "") + nodes_[i]->describe();
  return s + "]}";
}

void StreamingContext::save_state(StateWriter& out) const {
  out.write_int("next_batch_index", next_index_);
  out.write_bool("has_clock", clock_.has_value());
  out.write_int("clock", clock_.value_or(0));
  for (const auto& node : nodes_) {
    if (!node->has_state()) continue;
    StateWriter g = out.group(std::to_string(node->id()) + "_" + node->op());
    node->save_state(g);
  }
}

void StreamingContext::load_state(const std::string& params, const StateReader& in) {
  const std::string mine = params_json();
  STREAMML_CHECK(params == mine, InvalidInput,
                 in.file() << ": the checkpoint is of another DStream graph: saved " << params
                           << ", this program builds " << mine);
  const std::int64_t next = in.read_int("next_batch_index");
  const bool has_clock = in.read_bool("has_clock");
  const EventTime clock = in.read_int("clock");
  try {
    for (auto& node : nodes_)
      if (node->has_state()) node->load_state(in.group(std::to_string(node->id()) + "_" + node->op()));
  } catch (...) {
    for (auto& node : nodes_) node->discard_loaded();
    throw;
  }
  for (auto& node : nodes_) node->commit_loaded();
  next_index_ = next;
  clock_ = has_clock ? std::optional<EventTime>(clock) : std::nullopt;
}

}  // namespace streamml::dstream
