#include "streaming/dstream/window_grid.h"

#include <limits>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml::dstream {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

void check_spans(const char* op, std::int64_t length, std::int64_t slide, const char* unit) {
  STREAMML_CHECK(length > 0, InvalidInput, op << ": the window length must be > 0, got " << length << " " << unit);
  STREAMML_CHECK(slide > 0, InvalidInput, op << ": the slide must be > 0, got " << slide << " " << unit);
  STREAMML_CHECK(length % slide == 0, InvalidInput,
                 op << ": the slide (" << slide << " " << unit << ") must divide the window length (" << length << " "
                    << unit << ")");
}

}  // namespace

WindowGrid::WindowGrid(const char* op, Batches length, Batches slide)
    : by_time_(false), length_(length.count), slide_(slide.count), panes_(length.count) {
  check_spans(op, length_, slide_, "batches");
  next_start_ = slide_ - panes_;  // the first window is emitted after batch slide - 1
}

WindowGrid::WindowGrid(const char* op, Duration length, Duration slide)
    : by_time_(true), length_(length.micros), slide_(slide.micros), panes_(0) {
  check_spans(op, length_, slide_, "µs");
  panes_ = length_ / slide_;
  next_start_ = std::numeric_limits<std::int64_t>::min() / 4;
}

std::vector<std::int64_t> WindowGrid::due(const BatchInfo& info, const Watermark* watermark) {
  std::vector<std::int64_t> out;
  if (!by_time_) {
    if (info.end_of_stream) return out;
    const std::int64_t b = info.index;
    if ((b + 1) % slide_ == 0) out.push_back(b - panes_ + 1);
    next_start_ = ((b + 1) / slide_ + 1) * slide_ - panes_;
    return out;
  }
  if (nonempty_.empty()) return out;
  std::int64_t last;  // the last window start that is closed now
  if (info.end_of_stream) {
    last = *nonempty_.rbegin();
  } else {
    STREAMML_CHECK(watermark != nullptr, Runtime, "an event-time window without a watermark");
    if (watermark->value == Watermark::kNone) return out;
    last = floor_div(watermark->value, slide_) - panes_;
  }
  std::int64_t s = next_start_;
  while (s <= last) {
    const auto it = nonempty_.lower_bound(s);
    if (it == nonempty_.end()) break;
    s = std::max(s, *it - panes_ + 1);
    if (s > last) break;
    out.push_back(s);
    ++s;
  }
  next_start_ = std::max(next_start_, last + 1);
  return out;
}

void WindowGrid::forget_before(std::int64_t pane) { nonempty_.erase(nonempty_.begin(), nonempty_.lower_bound(pane)); }

std::string WindowGrid::settings() const {
  return "\"length\":" + std::to_string(length_) + ",\"slide\":" + std::to_string(slide_) + ",\"unit\":\"" +
         (by_time_ ? "us" : "batches") + "\"";
}

void WindowGrid::save(StateWriter& out) const {
  out.write_int("next_window_start", next_start_);
  out.write_ints("nonempty_panes", std::vector<std::int64_t>(nonempty_.begin(), nonempty_.end()));
}

WindowGrid WindowGrid::loaded(const StateReader& in) const {
  WindowGrid g = *this;
  g.next_start_ = in.read_int("next_window_start");
  const auto panes = in.read_ints("nonempty_panes");
  g.nonempty_ = std::set<std::int64_t>(panes.begin(), panes.end());
  return g;
}

}  // namespace streamml::dstream
