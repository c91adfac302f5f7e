// streamml.Replay: an iterator of micro-batches over a recorded file or in-memory arrays.
//
// A thin wrapper of streaming::BatchReader: the GIL is released while the reader reads,
// parses and batches (other Python threads run meanwhile), and taken back to hand the batch
// over to NumPy. _open_replay and _from_arrays are the compiled halves of streamml.replay
// and streamml.from_arrays (streamml/__init__.py), which own the Python signatures.
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "bindings/python/bindings.h"
#include "core/error.h"
#include "core/event_time.h"
#include "core/finite.h"
#include "streaming/batch_reader.h"
#include "streaming/file_source.h"
#include "streaming/kafka/kafka_transport.h"
#include "streaming/memory_source.h"

namespace streamml::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

class Replay {
 public:
  // The reader is made at the first next(): until then the stream can be handed to a pipeline
  // instead (take()).
  Replay(std::unique_ptr<Source> source, BatchingSettings batching, BadRecordPolicy bad,
         std::int64_t first_index = 0)
      : layout_(StreamLayout::of(source->schema())),
        position_(source->position()),
        stream_{std::move(source), batching, std::move(bad), first_index} {}

  py::object next() {
    // Like a generator, an iterator advanced from two threads at once is an error, not a race.
    STREAMML_CHECK(!busy_, Runtime, "this replay is already being advanced by another thread");
    if (stream_.source)
      reader_ = std::make_unique<BatchReader>(std::move(stream_.source), stream_.batching, stream_.bad_records,
                                              stream_.first_index);
    if (!reader_) throw py::stop_iteration();
    busy_ = true;
    std::optional<Batch> batch;
    try {
      py::gil_scoped_release release;
      batch = reader_->next();
    } catch (...) {
      // Like a generator that raised: the stream is over (the counts stay readable).
      busy_ = false;
      finish();
      throw;
    }
    busy_ = false;
    if (!batch) {
      finish();
      throw py::stop_iteration();
    }
    position_ = batch->end_position;
    return to_python(std::move(*batch), layout_);
  }

  // Keeps the totals and closes the source.
  void finish() {
    bad_ = reader_->bad_records();
    late_ = reader_->late_records();
    reader_.reset();
  }

  StreamParts take() {
    STREAMML_CHECK(stream_.source != nullptr, InvalidInput,
                   "this replay has been iterated or given to a pipeline already: a pipeline needs a fresh one "
                   "(streamml.replay(...) or streamml.from_arrays(...))");
    return std::move(stream_);
  }

  std::int64_t bad_records() const { return reader_ ? reader_->bad_records() : bad_; }
  std::int64_t late_records() const { return reader_ ? reader_->late_records() : late_; }
  const Position& position() const { return position_; }
  const StreamLayout& layout() const { return *layout_; }

 private:
  std::shared_ptr<const StreamLayout> layout_;
  Position position_;
  StreamParts stream_;  // until the first next()
  std::unique_ptr<BatchReader> reader_;
  std::int64_t bad_ = 0, late_ = 0;
  bool busy_ = false;
};

// batch_interval: None (batch by count), seconds as a number, or a duration string ("1s").
std::int64_t interval_micros(const py::object& interval) {
  if (interval.is_none()) return 0;
  if (py::isinstance<py::str>(interval)) return parse_duration_micros(interval.cast<std::string>());
  if (py::isinstance<py::bool_>(interval) || !PyNumber_Check(interval.ptr()))
    STREAMML_FAIL(InvalidInput,
                  "batch_interval must be seconds (a number) or a duration such as \"1s\", got "
                      << py::repr(interval).cast<std::string>());
  const double seconds = interval.cast<double>();
  STREAMML_CHECK(std::isfinite(seconds) && seconds > 0, InvalidInput,
                 "batch_interval must be a positive number of seconds, got " << seconds);
  const auto micros = std::llround(seconds * double(kMicrosPerSecond));
  STREAMML_CHECK(micros > 0, InvalidInput,
                 "batch_interval must be at least one microsecond, got " << seconds << " s");
  return micros;
}

BatchingSettings batching_of(std::int64_t batch_size, const py::object& batch_interval) {
  STREAMML_CHECK(batch_size > 0, InvalidInput, "batch_size must be positive, got " << batch_size);
  BatchingSettings s;
  s.batch_size = std::size_t(batch_size);
  s.interval_us = interval_micros(batch_interval);
  s.validate();
  return s;
}

std::vector<std::string> names_of(const std::optional<std::vector<std::string>>& names) {
  return names ? *names : std::vector<std::string>{};
}

std::unique_ptr<Replay> open_replay(const std::string& path, const std::optional<std::string>& format,
                                    const std::optional<std::string>& label,
                                    const std::optional<std::vector<std::string>>& features,
                                    const std::optional<std::string>& key,
                                    const std::optional<std::string>& time,
                                    const std::optional<std::vector<std::string>>& categorical,
                                    const std::optional<std::vector<std::string>>& text,
                                    const std::string& key_type, std::int64_t batch_size,
                                    const py::object& batch_interval, const std::string& on_bad,
                                    bool allow_nan, const std::optional<std::string>& dead_letter,
                                    int hash_bits, const std::string& delimiter,
                                    const std::optional<std::string>& start,
                                    std::int64_t first_index,
                                    const std::vector<std::pair<std::string, std::string>>& ids,
                                    const std::optional<std::vector<std::string>>& columns, const py::dict& kafka) {
  STREAMML_CHECK(first_index >= 0, InvalidInput, "first_index must be >= 0, got " << first_index);
  STREAMML_CHECK(on_bad == "skip" || on_bad == "error", InvalidInput,
                 "on_bad must be \"skip\" or \"error\", got \"" << on_bad << "\"");
  STREAMML_CHECK(key_type == "string" || key_type == "int", InvalidInput,
                 "key_type must be \"string\" or \"int\", got \"" << key_type << "\"");
  STREAMML_CHECK(delimiter.size() == 1, InvalidInput,
                 "delimiter must be one character, got \"" << delimiter << "\"");
  STREAMML_CHECK(hash_bits >= 1 && hash_bits <= 30, InvalidInput,
                 "hash_bits must be in [1, 30], got " << hash_bits);
  FileSourceOptions o;
  o.format = format ? parse_file_format(*format) : FileFormat::Auto;
  o.schema.label = label.value_or("");
  o.schema.key = key.value_or("");
  o.schema.time = time.value_or("");
  o.schema.features = names_of(features);
  o.schema.categorical = names_of(categorical);
  o.schema.text = names_of(text);
  o.schema.key_type = key_type == "int" ? KeyType::Int64 : KeyType::String;
  o.schema.ids = ids;
  o.schema.hash_bits = hash_bits;
  o.bad_records.on_bad = on_bad == "error" ? OnBadRecord::Error : OnBadRecord::Skip;
  o.bad_records.allow_non_finite = allow_nan;
  o.bad_records.dead_letter_path = dead_letter.value_or("");
  o.bad_records.dead_letter_append = start.has_value();  // a resumed replay adds to it
  o.delimiter = delimiter[0];
  if (columns) {
    o.column_names = *columns;
    o.header = false;
  }
  const bool is_topic = is_kafka_url(path);
  KafkaSourceSettings topic;
  if (is_topic) {
    topic.endpoint = parse_kafka_url(path);
    for (const auto& [k, v] : kafka) {
      const std::string name = py::str(k);
      if (name == "group") topic.group = py::str(v);
      else if (name == "until_end") topic.until_end = v.cast<bool>();
      else if (name == "idle_timeout_ms") topic.idle_timeout_ms = v.cast<std::int64_t>();
      else if (name == "config")
        for (const auto& [ck, cv] : v.cast<py::dict>())
          topic.endpoint.config.emplace_back(py::str(ck), py::str(cv));
      else STREAMML_FAIL(InvalidInput, "kafka= takes group, until_end, idle_timeout_ms and config, got '" << name << "'");
    }
  } else {
    STREAMML_CHECK(kafka.empty(), InvalidInput, "kafka= is for a kafka://HOST:PORT/TOPIC path, got '" << path << "'");
  }
  const BatchingSettings batching = batching_of(batch_size, batch_interval);
  const std::optional<Position> resume_at =
      start ? std::optional<Position>(Position::from_json(*start)) : std::nullopt;
  std::unique_ptr<Source> source;
  {
    py::gil_scoped_release release;  // opening reads the header: I/O
    source = is_topic ? open_kafka_source(std::move(topic), o.format, o.format_options()) : open_file_source(path, o);
    if (resume_at) source->seek(*resume_at);
  }
  return std::make_unique<Replay>(std::move(source), batching, o.bad_records, first_index);
}

// ---- from_arrays: NumPy arrays -> one Batch -> MemorySource --------------------------------

const char* non_finite_name(double v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }

void take_keys(const py::object& keys, std::size_t n, Batch& data) {
  py::module_ np = py::module_::import("numpy");
  py::array arr = np.attr("asarray")(keys);
  STREAMML_CHECK(arr.ndim() == 1, InvalidInput, "keys must be 1-D, got " << arr.ndim() << "-D");
  STREAMML_CHECK(std::size_t(arr.shape(0)) == n, InvalidInput,
                 "keys has " << arr.shape(0) << " entries, X has " << n << " rows");
  const char kind = arr.dtype().kind();
  if (kind == 'i' || kind == 'u') {
    auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
    data.keys = std::vector<std::int64_t>(ints.data(), ints.data() + n);
    return;
  }
  STREAMML_CHECK(kind == 'U' || kind == 'O', InvalidInput,
                 "keys must be integers or str, got an array of dtype "
                     << py::str(arr.dtype()).cast<std::string>());
  std::vector<std::string> strings;
  strings.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    py::object item = arr[py::int_(i)];
    if (kind == 'O' && !py::isinstance<py::str>(item))
      STREAMML_FAIL(InvalidInput, "keys[" << i << "] is " << py::repr(item).cast<std::string>()
                                          << ", expected str (or pass integer keys)");
    strings.push_back(py::str(item).cast<std::string>());
  }
  data.keys = std::move(strings);
}

void take_times(const py::object& times, std::size_t n, Batch& data) {
  py::module_ np = py::module_::import("numpy");
  py::array arr = np.attr("asarray")(times);
  STREAMML_CHECK(arr.ndim() == 1, InvalidInput, "times must be 1-D, got " << arr.ndim() << "-D");
  STREAMML_CHECK(std::size_t(arr.shape(0)) == n, InvalidInput,
                 "times has " << arr.shape(0) << " entries, X has " << n << " rows");
  data.event_times.resize(n);
  const char kind = arr.dtype().kind();
  if (kind == 'M') {  // datetime64 of any unit: as microseconds since the epoch
    py::array us = arr.attr("astype")("datetime64[us]").attr("view")("int64");
    auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(us);
    const std::int64_t nat = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < n; ++i) {
      STREAMML_CHECK(ints.data()[i] != nat, InvalidInput, "times[" << i << "] is NaT");
      data.event_times[i] = ints.data()[i];
    }
  } else if (kind == 'i' || kind == 'u' || kind == 'f') {  // epoch seconds
    auto seconds = DoubleArray::ensure(arr);
    for (std::size_t i = 0; i < n; ++i) {
      auto t = event_time_from_seconds(seconds.data()[i]);
      STREAMML_CHECK(t.has_value(), InvalidInput,
                     "times[" << i << "] = " << seconds.data()[i] << " is not an epoch time in seconds");
      data.event_times[i] = *t;
    }
  } else if (kind == 'U' || kind == 'O') {  // ISO 8601 text or epoch seconds as text
    for (std::size_t i = 0; i < n; ++i) {
      const std::string text = py::str(arr[py::int_(i)]).cast<std::string>();
      auto t = parse_event_time(text);
      STREAMML_CHECK(t.has_value(), InvalidInput,
                     "times[" << i << "] = '" << text << "' is neither ISO 8601 nor epoch seconds");
      data.event_times[i] = *t;
    }
  } else {
    STREAMML_FAIL(InvalidInput, "times must be datetime64, epoch seconds or ISO 8601 text, got dtype "
                                    << py::str(arr.dtype()).cast<std::string>());
  }
}

std::unique_ptr<Replay> from_arrays(const DoubleArray& X, const py::object& y, const py::object& keys,
                                    const py::object& times, std::int64_t batch_size,
                                    const py::object& batch_interval, const std::string& name) {
  STREAMML_CHECK(X.ndim() == 2, InvalidInput, "X must be 2-D, got " << X.ndim() << "-D");
  const auto n = std::size_t(X.shape(0)), d = std::size_t(X.shape(1));
  const BatchingSettings batching = batching_of(batch_size, batch_interval);
  Batch data;
  data.rows = n;
  data.cols = d;
  data.features.assign(X.data(), X.data() + n * d);  // MemorySource keeps its own copy
  if (const std::size_t i = first_non_finite(data.features.data(), n * d); i < n * d)
    STREAMML_FAIL(InvalidInput, "X[" << i / d << ", " << i % d << "] is "
                                     << non_finite_name(data.features[i]) << " (row " << i / d
                                     << "): NaN and Inf are not allowed");
  if (!y.is_none()) {
    auto labels = DoubleArray::ensure(y);
    STREAMML_CHECK(labels, InvalidInput, "y must be numeric");
    STREAMML_CHECK(labels.ndim() == 1, InvalidInput, "y must be 1-D, got " << labels.ndim() << "-D");
    STREAMML_CHECK(std::size_t(labels.shape(0)) == n, InvalidInput,
                   "y has " << labels.shape(0) << " entries, X has " << n << " rows");
    data.labels.assign(labels.data(), labels.data() + n);
    if (const std::size_t i = first_non_finite(data.labels.data(), n); i < n)
      STREAMML_FAIL(InvalidInput, "y[" << i << "] is " << non_finite_name(data.labels[i])
                                       << " (row " << i << "): NaN and Inf are not allowed");
  }
  if (!keys.is_none()) take_keys(keys, n, data);
  if (!times.is_none()) take_times(times, n, data);
  auto source = std::make_unique<MemorySource>(std::move(data), 4096, name);
  BadRecordPolicy policy;
  policy.on_bad = OnBadRecord::Error;  // arrays were checked above; nothing may be skipped
  return std::make_unique<Replay>(std::move(source), batching, policy);
}

}  // namespace

StreamParts take_stream(const py::handle& replay) {
  STREAMML_CHECK(py::isinstance<Replay>(replay), InvalidInput,
                 "a pipeline's source is a streamml.replay(...) or streamml.from_arrays(...), got "
                     << std::string(py::repr(replay)));
  return replay.cast<Replay&>().take();
}

void bind_replay(py::module_& m) {
  py::class_<Replay>(m, "Replay", R"doc(
An iterator of ``streamml.Batch`` over a stream, made by ``streamml.replay`` or
``streamml.from_arrays``.

Reading and parsing run in C++ with the GIL released; each batch is handed to NumPy without
copying. After the last batch the attributes give the stream's totals. Like a generator, a
replay that raised (a bad record under on_bad="error") is over: next() then stops.

Attributes
----------
bad_records : int
    Bad records skipped so far (on_bad="skip"); 0 under on_bad="error", which raises instead.
late_records : int
    Records earlier than their batch's interval (batch_interval only); they join the open batch.
position : dict
    The position just after the last batch returned (the start before any): the same dict as
    ``Batch.end_position``.
feature_names : list of str
)doc")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &Replay::next)
      .def_property_readonly("bad_records", &Replay::bad_records)
      .def_property_readonly("late_records", &Replay::late_records)
      .def_property_readonly("position", [](const Replay& r) { return position_to_dict(r.position()); })
      .def_property_readonly("feature_names",
                             [](const Replay& r) { return py::cast(r.layout().feature_names); });

  m.def("_open_replay", &open_replay, "The compiled half of streamml.replay; call that instead.",
        py::arg("path"), py::arg("format"), py::arg("label"), py::arg("features"), py::arg("key"),
        py::arg("time"), py::arg("categorical"), py::arg("text"), py::arg("key_type"),
        py::arg("batch_size"), py::arg("batch_interval"), py::arg("on_bad"), py::arg("allow_nan"),
        py::arg("dead_letter"), py::arg("hash_bits"), py::arg("delimiter"), py::arg("start"),
        py::arg("first_index"), py::arg("ids"), py::arg("columns"), py::arg("kafka"));
  m.def("_from_arrays", &from_arrays,
        "The compiled half of streamml.from_arrays; call that instead.", py::arg("X"),
        py::arg("y"), py::arg("keys"), py::arg("times"), py::arg("batch_size"),
        py::arg("batch_interval"), py::arg("name"));
}

}  // namespace streamml::python
