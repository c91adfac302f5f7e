// What flows between DStream operators: one micro-batch of typed records, with the event time
// of each record when the stream has them, and the small value types of the DStream API.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/event_time.h"

namespace streamml::dstream {

// One batch of a DStream<T>: values in stream order and, for a timed stream, the event time of
// each (times.size() == values.size()); an untimed stream leaves times empty.
template <class T>
struct Records {
  std::vector<T> values;
  std::vector<EventTime> times;
  bool timed = false;

  std::size_t size() const { return values.size(); }
  void clear() {
    values.clear();
    times.clear();
  }
};

// Which batch the graph is processing. `clock` is the stream's event-time clock: the end of the
// batch's interval (batches cut by event time), else the latest event time seen so far (nullopt
// before any). The flush after the last batch has end_of_stream set: only event-time windows
// emit there (what the watermark had held back).
struct BatchInfo {
  std::int64_t index = 0;
  std::optional<EventTime> clock;
  bool end_of_stream = false;
};

// Spans of the DStream API: counted in batches, or in event time (microseconds).
struct Batches {
  std::int64_t count = 0;
};
struct Duration {
  std::int64_t micros = 0;
};
inline Duration milliseconds(std::int64_t n) { return {n * 1000}; }
inline Duration seconds(std::int64_t n) { return {n * kMicrosPerSecond}; }
inline Duration minutes(std::int64_t n) { return {n * 60 * kMicrosPerSecond}; }
inline Duration hours(std::int64_t n) { return {n * 3600 * kMicrosPerSecond}; }
inline Duration days(std::int64_t n) { return {n * 86400 * kMicrosPerSecond}; }
// "60s", "500ms", "30d" (parse_duration_micros).
Duration duration(std::string_view text);

// An event-time window [start, end).
struct Window {
  EventTime start = 0;
  EventTime end = 0;
  bool operator==(const Window& o) const { return start == o.start && end == o.end; }
  bool operator<(const Window& o) const { return start < o.start || (start == o.start && end < o.end); }
};

// A result of an event-time window: the window it belongs to, and the value.
template <class T>
struct Windowed {
  Window window;
  T value;
  bool operator==(const Windowed& o) const { return window == o.window && value == o.value; }
};

template <class T>
struct is_pair : std::false_type {};
template <class K, class V>
struct is_pair<std::pair<K, V>> : std::true_type {};

// The key and value types of a keyed stream's records (NotKeyed for other records, so the
// keyed operators' signatures can name them on any stream).
struct NotKeyed {};
template <class T>
struct KeyedTraits {
  using Key = NotKeyed;
  using Value = NotKeyed;
};
template <class K, class V>
struct KeyedTraits<std::pair<K, V>> {
  using Key = K;
  using Value = V;
};
template <class T>
using key_t = typename KeyedTraits<T>::Key;
template <class T>
using value_t = typename KeyedTraits<T>::Value;

}  // namespace streamml::dstream
