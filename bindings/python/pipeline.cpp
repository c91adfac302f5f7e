// streamml._Pipeline: the C++ Pipeline (streaming/pipeline.h) from Python, behind
// streamml.Pipeline (streamml/pipeline.py).
//
// The source is a streamml.Replay that has not started (its stream is taken over); learner
// stages are the estimators' compiled learners, shared, so the estimator has learned when run()
// returns; the whole run happens in C++ with the GIL released. Python is called only by a
// callback stage the user adds: it gets each batch (a copy, with the outputs of earlier stages)
// as a streamml.Batch, with the GIL taken for the call. An exception it raises stops the run
// and is raised again, as it was, by run().
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/evaluation/prequential.h"
#include "bindings/python/learner.h"
#include "core/error.h"
#include "streaming/pipeline.h"

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
    e.prequential = settings_of(PrequentialEvaluator::settings_table(), evaluation);
    pipeline_->add_learner(name, core.cast<const PyLearner&>().shared_learner(), e);
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
      .def("run", &PyPipeline::run, "Runs the stream to its end; the report as the command line's --summary JSON.");
}

}  // namespace streamml::python
