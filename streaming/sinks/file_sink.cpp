#include "streaming/sinks/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "core/error.h"
#include "core/event_time.h"
#include "core/file_sync.h"
#include "core/json.h"

namespace streamml {

namespace {

constexpr std::size_t kBlockBytes = std::size_t(1) << 20;

std::string errno_text() { return std::strerror(errno); }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void write_all(int fd, const char* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    STREAMML_CHECK(w > 0, Io, "cannot write output '" << path << "': " << errno_text());
    data += w;
    n -= std::size_t(w);
  }
}

// One cell of a column (outputs and table columns are of one of three types).
void add_cell(RowEncoder& row, std::string& out, const OutputValues& values, std::size_t i) {
  std::visit([&](const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    if constexpr (std::is_same_v<T, std::string>) row.cell(out, std::string_view(v[i]));
    else row.cell(out, v[i]);
  }, values);
}

void add_id(RowEncoder& row, std::string& out, const KeyColumn& ids, std::size_t i) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) row.cell(out, std::string_view((*s)[i]));
  else if (const auto* n = std::get_if<std::vector<std::int64_t>>(&ids)) row.cell(out, (*n)[i]);
}

std::vector<std::string> strings_of(simdjson::dom::element e, const std::string& what) {
  std::vector<std::string> out;
  simdjson::dom::array array;
  STREAMML_CHECK(!e.get_array().get(array), InvalidInput, what << " is not a list of names");
  for (simdjson::dom::element v : array) {
    std::string_view s;
    STREAMML_CHECK(!v.get_string().get(s), InvalidInput, what << " holds a value that is not a name");
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

void FileSinkSettings::validate() const {
  STREAMML_CHECK(!path.empty(), InvalidInput, "file sink: the output path is empty");
  resolve_row_format(format, path);
  for (std::size_t i = 0; i < columns.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      STREAMML_CHECK(columns[i] != columns[j], InvalidInput, "output column '" << columns[i] << "' is named twice");
}

FileSink::FileSink(FileSinkSettings settings) : settings_(std::move(settings)) {
  settings_.validate();
  format_ = resolve_row_format(settings_.format, settings_.path);
}

FileSink::~FileSink() {
  if (fd_ < 0) return;
  // Not a crash (that leaves the buffer unwritten): an error stopped the pipeline. The rows of
  // the batches delivered so far are kept; a resume cuts the file back to its checkpoint anyway.
  try {
    write_out();
  } catch (const Error&) {
  }
  ::close(fd_);
}

std::string FileSink::name() const {
  return "file:" + settings_.path + (settings_.table.empty() ? "" : "#" + settings_.table);
}

void FileSink::open(const std::optional<std::string>& mark) {
  STREAMML_CHECK(fd_ < 0, Runtime, "output '" << settings_.path << "' is opened twice");
  const std::string& path = settings_.path;
  std::int64_t length = 0;
  chosen_.clear();
  expected_names_.clear();
  rows_ = 0;
  if (mark) {
    simdjson::dom::parser parser;
    const simdjson::padded_string text(*mark);
    simdjson::dom::element root;
    const std::string what = "the checkpoint's mark of output '" + path + "'";
    STREAMML_CHECK(!parser.parse(text).get(root), InvalidInput, what << " is not JSON: " << *mark);
    STREAMML_CHECK(!root["bytes"].get(length) && !root["rows"].get(rows_) && length >= 0 && rows_ >= 0, InvalidInput,
                   what << " lacks its length or row count: " << *mark);
    expected_names_ = strings_of(root["names"], what);
    chosen_ = strings_of(root["chosen"], what);
  }
  // A fresh start begins the file anew; a resume keeps what the checkpoint covers.
  const int flags = O_WRONLY | O_CLOEXEC | (mark ? 0 : O_CREAT | O_TRUNC);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0 && mark && errno == ENOENT && length == 0) fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT, 0644);
  // A resumed output that is gone is the user's to sort out; other failures are the system's.
  STREAMML_CHECK(fd_ >= 0 || !mark || errno != ENOENT, InvalidInput,
                 "output '" << path << "' is gone, but the checkpoint being resumed wrote " << length
                            << " bytes to it: start afresh (without --resume) to write it anew");
  STREAMML_CHECK(fd_ >= 0, Io, "cannot open output '" << path << "': " << errno_text());
  if (mark) {
    struct stat st {};
    STREAMML_CHECK(::fstat(fd_, &st) == 0, Io, "cannot read the size of output '" << path << "': " << errno_text());
    STREAMML_CHECK(st.st_size >= length, InvalidInput,
                   "output '" << path << "' has " << st.st_size << " bytes, but the checkpoint being resumed wrote "
                              << length << ": it was changed since; start afresh (without --resume) to write it anew");
    STREAMML_CHECK(::ftruncate(fd_, off_t(length)) == 0, Io, "cannot cut output '" << path << "' back to " << length
                                                                                   << " bytes: " << errno_text());
  }
  STREAMML_CHECK(::lseek(fd_, off_t(length), SEEK_SET) == length, Io,
                 "cannot seek in output '" << path << "': " << errno_text());
  written_ = length;
  buffer_.clear();
  encoder_.reset();
  // The file's name must survive a crash as its rows do.
  const auto dir = std::filesystem::path(path).parent_path();
  fsync_path(dir.empty() ? "." : dir.string(), true);
}

void FileSink::choose_columns(const std::vector<std::string>& available, const Batch& batch, const std::string& what) {
  // A resumed file has its columns: the mark's. Else the settings' or every one available.
  if (chosen_.empty() && expected_names_.empty()) chosen_ = settings_.columns.empty() ? available : settings_.columns;
  for (const auto& c : chosen_)
    STREAMML_CHECK(std::find(available.begin(), available.end(), c) != available.end(), InvalidInput,
                   "output '" << settings_.path << "': " << what << " has no column '" << c << "' (batch " << batch.index
                              << " has: " << join(available) << ")");
  std::vector<std::string> names;
  if (settings_.table.empty()) {
    has_keys_ = batch.has_keys();
    has_times_ = batch.has_event_times();
    id_roles_.clear();
    names = {"record", "batch"};
    if (has_keys_) names.push_back("key");
    for (const auto& c : batch.ids) {
      id_roles_.push_back(c.role);
      names.push_back(c.role);
    }
    if (has_times_) names.push_back("event_time");
    names.push_back("position");
  } else {
    names = {"batch"};
  }
  for (const auto& c : chosen_) {
    STREAMML_CHECK(std::find(names.begin(), names.end(), c) == names.end(), InvalidInput,
                   "output '" << settings_.path << "': column '" << c << "' has the name of a column the sink writes itself");
    names.push_back(c);
  }
  if (!expected_names_.empty())
    STREAMML_CHECK(names == expected_names_, InvalidInput,
                   "output '" << settings_.path << "' was begun with the columns " << join(expected_names_)
                              << ", the resumed stream has " << join(names) << ": resume with the same settings");
  encoder_ = std::make_unique<RowEncoder>(format_, names);
  if (written_ + std::int64_t(buffer_.size()) == 0) encoder_->header(buffer_);
  expected_names_ = names;
}

void FileSink::write(const Batch& batch) {
  STREAMML_CHECK(fd_ >= 0, Runtime, "output '" << settings_.path << "' is written before it is opened");
  const std::size_t size = buffer_.size();
  const std::int64_t rows = rows_;
  try {
    if (settings_.table.empty()) {
      write_records(batch);
    } else if (const ResultTable* table = batch.table(settings_.table)) {
      write_table(batch, *table);
    }
  } catch (...) {
    buffer_.resize(size);  // a batch is written whole or not at all
    rows_ = rows;
    throw;
  }
  if (buffer_.size() >= kBlockBytes) write_out();
}

void FileSink::write_records(const Batch& batch) {
  if (batch.rows == 0) return;
  if (!encoder_) {
    std::vector<std::string> available;
    for (const auto& c : batch.outputs) available.push_back(c.name);
    choose_columns(available, batch, "batch " + std::to_string(batch.index));
  }
  STREAMML_CHECK(batch.has_keys() == has_keys_ && batch.has_event_times() == has_times_ && batch.ids.size() == id_roles_.size(),
                 InvalidInput, "output '" << settings_.path << "': batch " << batch.index << " has other id or time columns than the first");
  std::vector<const OutputValues*> columns;
  for (const auto& name : chosen_) {
    const OutputColumn* c = batch.output(name);
    STREAMML_CHECK(c != nullptr, InvalidInput,
                   "output '" << settings_.path << "': batch " << batch.index << " has no output column '" << name << "'");
    columns.push_back(&c->values);
  }
  const std::string position = batch.end_position.to_json();
  RowEncoder& row = *encoder_;
  for (std::size_t i = 0; i < batch.rows; ++i) {
    row.begin(buffer_);
    row.cell(buffer_, rows_ + std::int64_t(i));
    row.cell(buffer_, batch.index);
    if (has_keys_) add_id(row, buffer_, batch.keys, i);
    for (const auto& c : batch.ids) add_id(row, buffer_, c.values, i);
    if (has_times_) row.cell(buffer_, std::string_view(format_event_time(batch.event_times[i])));
    row.json_cell(buffer_, position);
    for (const OutputValues* c : columns) add_cell(row, buffer_, *c, i);
    row.end(buffer_);
  }
  rows_ += std::int64_t(batch.rows);
}

void FileSink::write_table(const Batch& batch, const ResultTable& table) {
  if (!encoder_) choose_columns(table.columns, batch, "result table '" + table.name + "'");
  std::vector<const OutputValues*> columns;
  for (const auto& name : chosen_) {
    const auto at = std::find(table.columns.begin(), table.columns.end(), name);
    STREAMML_CHECK(at != table.columns.end(), InvalidInput,
                   "output '" << settings_.path << "': result table '" << table.name << "' of batch " << batch.index
                              << " has no column '" << name << "'");
    columns.push_back(&table.values[std::size_t(at - table.columns.begin())]);
  }
  RowEncoder& row = *encoder_;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    row.begin(buffer_);
    row.cell(buffer_, batch.index);
    for (const OutputValues* c : columns) add_cell(row, buffer_, *c, i);
    row.end(buffer_);
  }
  rows_ += std::int64_t(table.rows());
}

void FileSink::write_out() {
  if (buffer_.empty()) return;
  write_all(fd_, buffer_.data(), buffer_.size(), settings_.path);
  written_ += std::int64_t(buffer_.size());
  buffer_.clear();
}

std::string FileSink::flush() {
  write_out();
  JsonWriter w;
  w.begin_object();
  w.key("bytes").value(written_);
  w.key("rows").value(rows_);
  w.key("names").begin_array();
  for (const auto& n : expected_names_) w.value(n);
  w.end_array();
  w.key("chosen").begin_array();
  for (const auto& n : chosen_) w.value(n);
  w.end_array();
  w.end_object();
  return w.str();
}

void FileSink::sync() {
  STREAMML_CHECK(::fsync(fd_) == 0, Io, "fsync of output '" << settings_.path << "' failed: " << errno_text());
}

void FileSink::close() {
  if (fd_ < 0) return;
  write_out();
  sync();
  const int rc = ::close(fd_);
  fd_ = -1;
  STREAMML_CHECK(rc == 0, Io, "cannot close output '" << settings_.path << "': " << errno_text());
}

}  // namespace streamml
