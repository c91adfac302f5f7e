// streamml._Pipeline: the C++ Pipeline (streaming/pipeline.h) from Python, behind
// streamml.Pipeline (streamml/pipeline.py).
//
// The source is a streamml.Replay that has not started (its stream is taken over); learner
// stages are the estimators' compiled learners, shared, so the estimator has learned when run()
// returns; the whole run happens in C++ with the GIL released. Python is called only by a
// callback stage the user adds: it gets each batch (a copy, with the outputs of earlier stages)
// as a streamml.Batch, with the GIL taken for the call. An exception it raises stops the run
// and is raised again, as it was, by run().
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/evaluation/prequential.h"
#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/churn/churn_model.h"
#include "apps/windowed_count.h"
#include "bindings/python/learner.h"
#include "core/error.h"
#include "streaming/kafka/kafka_sink.h"
#include "streaming/pipeline.h"
#include "streaming/sinks/file_sink.h"
#include "streaming/stages/retention_stage.h"

namespace streamml::python {

namespace {

// A copy of a batch with what the stages added so far, for a callback.
Batch copy_for_callback(const Batch& b) {
  Batch out = b.clone();
  for (const auto& column : b.outputs) out.outputs.push_back({column.name, column.values});
  return out;
}

class PyPipeline {
 public:
  PyPipeline(const py::handle& source, PipelineSettings settings) {
    StreamParts stream = take_stream(source);
    layout_ = StreamLayout::of(stream.source->schema());
    settings.batching = stream.batching;
    settings.bad_records = stream.bad_records;
    settings.first_batch_index = stream.first_index;
    pipeline_.emplace(std::move(stream.source), std::move(settings));
  }

  void add_learner(const std::string& name, const py::object& core, const py::dict& evaluation) {
    EvaluationSettings e;
    std::shared_ptr<Learner> learner = core.cast<const PyLearner&>().shared_learner();
    if (learner->role() == LearnerRole::Recommender)  // ranked: top_n, window
      e.ranking = settings_of(PrequentialRanking::settings_table(), evaluation);
    else
      e.prequential = settings_of(PrequentialEvaluator::settings_table(), evaluation);
    pipeline_->add_learner(name, std::move(learner), e);
    keep_.push_back(core);
  }

  // state: None (undeclared), "stateless", or the compiled object (a _Stateful) it updates.
  void add_callback(const std::string& name, const py::function& fn, const py::object& state) {
    auto call = [this, name, fn, layout = layout_](Batch& batch) {
      py::gil_scoped_acquire gil;
      try {
        fn(to_python(copy_for_callback(batch), layout));
      } catch (py::error_already_set& e) {
        raised_ = std::move(e);
        STREAMML_FAIL(Runtime, "the Python callback raised " << raised_->what());
      }
    };
    if (state.is_none()) {
      pipeline_->add_stage(name, call, StageState::Undeclared);
    } else if (py::isinstance<py::str>(state)) {
      STREAMML_CHECK(state.cast<std::string>() == "stateless", InvalidInput,
                     "callback stage '" << name << "': state must be \"stateless\" or the streamml model it "
                                        << "updates, got '" << state.cast<std::string>() << "'");
      pipeline_->add_stage(name, call, StageState::Stateless);
    } else {
      pipeline_->add_stage(name, call, state.cast<PyStateful&>().stateful());
    }
    keep_.push_back(fn);
    keep_.push_back(state);
  }

  // The DStream graph keys -> with_watermark -> count_by_key_and_window (apps/windowed_count.h,
  // what `streamml replay --count-by` runs) as a stage; its closed windows are kept for
  // counted_windows(name).
  void add_count_by_window(const std::string& name, const std::string& window, const std::string& slide,
                           const std::string& lateness) {
    STREAMML_CHECK(layout_->has_keys && layout_->has_event_times, InvalidInput,
                   "count_by_window '" << name << "' counts the stream's keys in windows of event time: "
                                       << "replay it with key=<the column to count> and time=<its event-time column>");
    WindowedCountOptions o;
    o.count_by = "key";
    o.window = window;
    o.slide = slide;
    o.lateness = lateness;
    o.name = name;
    Counted& counted = counted_.emplace_back();
    counted.name = name;
    counted.graph = std::make_unique<WindowedCount>(o, layout_->key_type == KeyType::Int64,
                                                    [&counted](ClosedWindow w) { counted.windows.push_back(std::move(w)); });
    pipeline_->add_stage(counted.graph->stage());
  }

  // The churn pipeline's decisions from a churn stage's model (streamml.ChurnModel's compiled
  // core, added before): the top-risk list and the retention plan as result tables.
  // every: a duration ("1d", "3600s"); empty: every batch.
  void add_top_risk(const std::string& name, const py::object& churn, std::size_t k, const std::string& every) {
    pipeline_->add_stage(std::make_unique<TopRiskStage>(name, churn_of(name, churn), k, micros(every)));
  }
  void add_retention(const std::string& name, const py::object& churn, const py::dict& settings, const std::string& every) {
    pipeline_->add_stage(
        std::make_unique<RetentionStage>(name, churn_of(name, churn), retention_settings(settings), micros(every)));
  }

  // A FileSink (or a KafkaSink for kafka://HOST:PORT/TOPIC, with librdkafka properties):
  // one row per record, or the rows of the result table `table`.
  void add_output(const std::string& path, const std::string& table, const std::vector<std::string>& columns,
                  const std::string& format, const std::map<std::string, std::string>& kafka_config) {
    if (is_kafka_url(path)) {
      KafkaSinkSettings sink;
      sink.endpoint = parse_kafka_url(path);
      for (const auto& kv : kafka_config) sink.endpoint.config.push_back(kv);
      sink.table = table;
      sink.columns = columns;
      sink.format = parse_row_format(format);
      pipeline_->add_sink(std::make_unique<KafkaSink>(std::move(sink)));
      return;
    }
    STREAMML_CHECK(kafka_config.empty(), InvalidInput, "kafka_config is for a kafka://HOST:PORT/TOPIC output, got '" << path << "'");
    FileSinkSettings sink;
    sink.path = path;
    sink.table = table;
    sink.columns = columns;
    sink.format = parse_row_format(format);
    pipeline_->add_sink(std::make_unique<FileSink>(std::move(sink)));
  }

  // One row per (window, key): window_start, window_end (datetime64[us]), key (str), count.
  py::dict counted_windows(const std::string& name) const {
    for (const Counted& c : counted_) {
      if (c.name != name) continue;
      std::vector<std::int64_t> starts, ends, counts;
      py::list keys;
      for (const ClosedWindow& w : c.windows) {
        for (const auto& [key, count] : w.counts) {
          starts.push_back(w.start);
          ends.push_back(w.end);
          keys.append(key);
          counts.push_back(count);
        }
      }
      const auto n = py::ssize_t(counts.size());
      py::dict out;
      out["window_start"] = adopt_vector(std::move(starts), {n}, py::dtype("datetime64[us]"));
      out["window_end"] = adopt_vector(std::move(ends), {n}, py::dtype("datetime64[us]"));
      out["key"] = py::array(keys).attr("astype")("object");
      out["count"] = adopt_vector(std::move(counts), {n});
      out["late_records"] = c.graph->late_records();
      return out;
    }
    STREAMML_FAIL(InvalidInput, "no count_by_window stage named '" << name << "'");
  }

  static EventTime micros(const std::string& every) { return every.empty() ? 0 : parse_duration_micros(every); }

  std::shared_ptr<const ChurnModel> churn_of(const std::string& stage, const py::object& core) {
    auto churn = std::dynamic_pointer_cast<const ChurnModel>(core.cast<const PyLearner&>().shared_learner());
    STREAMML_CHECK(churn != nullptr, InvalidInput, "stage '" << stage << "' decides from a streamml.ChurnModel, got a "
                                                             << core.cast<const PyLearner&>().shared_learner()->type());
    keep_.push_back(core);
    return churn;
  }

  std::string run() {
    try {
      py::gil_scoped_release release;
      return pipeline_->run().to_json();
    } catch (const Error&) {
      if (raised_) {
        py::error_already_set original = std::move(*raised_);
        raised_.reset();
        throw original;  // the callback's own exception, as it was raised
      }
      throw;
    }
  }

 private:
  std::optional<Pipeline> pipeline_;
  std::shared_ptr<const StreamLayout> layout_;
  std::vector<py::object> keep_;  // the learners, callbacks and states the stages use
  std::optional<py::error_already_set> raised_;
  struct Counted {
    std::string name;
    std::unique_ptr<WindowedCount> graph;
    std::vector<ClosedWindow> windows;
  };
  std::list<Counted> counted_;  // a list: the sinks keep pointers to their entries
};

}  // namespace

void bind_pipeline(py::module_& m) {
  py::class_<PyPipeline>(m, "_Pipeline", "The compiled pipeline behind streamml.Pipeline; use that class instead.")
      .def(py::init([](const py::object& source, const std::string& checkpoint_dir, std::int64_t checkpoint_every,
                       double checkpoint_seconds, std::int64_t keep_checkpoints, bool resume, std::int64_t threads,
                       double speed) {
             STREAMML_CHECK(keep_checkpoints >= 0 && threads >= 0, InvalidInput,
                            "keep_checkpoints and threads must be >= 0, got " << keep_checkpoints << " and " << threads);
             PipelineSettings s;
             s.checkpoint.dir = checkpoint_dir;
             s.checkpoint.every_batches = checkpoint_every;
             s.checkpoint.every_seconds = checkpoint_seconds;
             s.checkpoint.keep_last = std::size_t(keep_checkpoints);
             s.checkpoint.resume = resume;
             s.threads = std::size_t(threads);
             s.speed = speed;
             return std::make_unique<PyPipeline>(source, std::move(s));
           }),
           py::arg("source"), py::kw_only(), py::arg("checkpoint_dir"), py::arg("checkpoint_every"),
           py::arg("checkpoint_seconds"), py::arg("keep_checkpoints"), py::arg("resume"), py::arg("threads"),
           py::arg("speed"))
      .def("add_learner", &PyPipeline::add_learner, py::arg("name"), py::arg("core"), py::arg("evaluation"))
      .def("add_callback", &PyPipeline::add_callback, py::arg("name"), py::arg("fn"), py::arg("state"))
      .def("add_count_by_window", &PyPipeline::add_count_by_window, py::arg("name"), py::arg("window"),
           py::arg("slide"), py::arg("lateness"))
      .def("counted_windows", &PyPipeline::counted_windows, py::arg("name"))
      .def("add_top_risk", &PyPipeline::add_top_risk, py::arg("name"), py::arg("churn"), py::arg("k"), py::arg("every"))
      .def("add_retention", &PyPipeline::add_retention, py::arg("name"), py::arg("churn"), py::arg("settings"),
           py::arg("every"))
      .def("add_output", &PyPipeline::add_output, py::arg("path"), py::arg("table"), py::arg("columns"),
           py::arg("format"), py::arg("kafka_config"))
      .def("run", &PyPipeline::run, "Runs the stream to its end; the report as the command line's --summary JSON.");
}

}  // namespace streamml::python
