#include "algorithms/optimize/mps_format.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fast_float/fast_float.h>

#include "core/error.h"

namespace streamml {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInfiniteBound = 1e25;  // CoinMpsIO's: bound values beyond it are infinite
constexpr int kMaxIndex = std::numeric_limits<int>::max() - 1;  // rows and columns are ints (CSC)

// The sections in the order a file must give them; OBJSENSE and OBJNAME share a place.
enum class Section { Start, Name, Header, Rows, Columns, Rhs, Ranges, Bounds, End };

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// One card: its line number and its blank-separated fields.
struct Card {
  int line = 0;
  bool opens_section = false;  // starts in column 1
  std::vector<std::string_view> fields;
};

// A row's place: its index among the constraints, or the objective, or a dropped free row.
constexpr int kObjective = -1, kFreeRow = -2;

enum class RowType { E, L, G };

// What BOUNDS may say of a column.
enum class Bound { Up, Lo, Fx, Fr, Mi, Pl, Bv, Li, Ui };

class MpsReader {
 public:
  MpsReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  LpModel read() {
    Card card;
    while (next_card(card)) {
      if (card.opens_section) {
        open_section(card);
        if (section_ == Section::End) break;
        continue;
      }
      switch (section_) {
        case Section::Start:
          fail(card, "a data card before the first section (expected NAME, OBJSENSE, OBJNAME or ROWS)");
        case Section::Name: fail(card, "a data card after NAME (expected OBJSENSE, OBJNAME or ROWS)");
        case Section::Header: header_value(card); break;
        case Section::Rows: row_card(card); break;
        case Section::Columns: column_card(card); break;
        case Section::Rhs: rhs_card(card, false); break;
        case Section::Ranges: rhs_card(card, true); break;
        case Section::Bounds: bound_card(card); break;
        case Section::End: break;
      }
    }
    STREAMML_CHECK(section_ == Section::End, InvalidInput,
                   source_ << " ends at line " << line_ - 1 << " before ENDATA (a truncated file?)");
    if (next_card(card)) fail(card, "text after ENDATA");
    return build();
  }

 private:
  // ---- cards ----------------------------------------------------------------------------------
  // The next card that is not blank or a comment; false at the end of the text.
  bool next_card(Card& card) {
    while (pos_ < text_.size()) {
      std::size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(pos_, end - pos_);
      pos_ = end + 1;
      const int number = line_++;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      for (const char c : line) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 || b >= 0x7f) && c != '\t') {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", unsigned(b));
          STREAMML_FAIL(InvalidInput, where_line(number) << "byte " << hex << " is not printable ASCII (MPS is ASCII text)");
        }
      }
      if (line.empty() || line[0] == '*') continue;
      card.line = number;
      card.opens_section = line[0] != ' ' && line[0] != '\t';
      card.fields.clear();
      for (std::size_t i = 0; i < line.size();) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) card.fields.push_back(line.substr(start, i - start));
      }
      if (!card.fields.empty()) return true;
    }
    return false;
  }

  void open_section(const Card& card) {
    const std::string word = upper(card.fields[0]);
    Section next;
    if (word == "NAME") {
      next = Section::Name;
    } else if (word == "OBJSENSE" || word == "OBJNAME") {
      next = Section::Header;
    } else if (word == "ROWS") {
      next = Section::Rows;
    } else if (word == "COLUMNS") {
      next = Section::Columns;
    } else if (word == "RHS") {
      next = Section::Rhs;
    } else if (word == "RANGES") {
      next = Section::Ranges;
    } else if (word == "BOUNDS") {
      next = Section::Bounds;
    } else if (word == "ENDATA") {
      next = Section::End;
    } else if (word == "QUADOBJ" || word == "QSECTION" || word == "QMATRIX" || word == "QCMATRIX") {
      fail(card, "section '" + word + "' (quadratic terms) is not supported: an LpModel is linear");
    } else if (word == "CSECTION") {
      fail(card, "section 'CSECTION' (conic constraints) is not supported: an LpModel is linear");
    } else if (word == "SOS" || word == "SETS") {
      fail(card, "section '" + word + "' (special ordered sets) is not supported: an LpModel holds none");
    } else if (word == "INDICATORS" || word == "GENCONS" || word == "PWLOBJ" || word == "USERCUTS" || word == "LAZYCONS") {
      fail(card, "section '" + word + "' is not supported: an LpModel holds linear rows only");
    } else {
      fail(card, "unknown section '" + std::string(card.fields[0]) +
                     "' (expected NAME, OBJSENSE, OBJNAME, ROWS, COLUMNS, RHS, RANGES, BOUNDS or ENDATA)");
    }
    if (section_ == Section::Header && !header_done_) fail(card, header_word_ + " without a value");
    const bool second_header = next == Section::Header && section_ == Section::Header &&
                               headers_seen_.find(word + ';') == std::string::npos;
    if (next <= section_ && !second_header)
      fail(card, "section '" + word + "' out of order (expected NAME, OBJSENSE/OBJNAME, ROWS, COLUMNS, RHS, RANGES, "
                                       "BOUNDS, ENDATA, each once)");
    if (next > Section::Rows && section_ < Section::Rows) fail(card, "section '" + word + "' before ROWS");
    if (next > Section::Columns && section_ < Section::Columns) fail(card, "section '" + word + "' before COLUMNS");
    if (section_ == Section::Columns) integer_ = false;  // one left open ends with COLUMNS (as CoinMpsIO reads nw460.mps)
    if (next == Section::Columns && !objective_name_.empty() && !have_objective_)
      fail(card, "OBJNAME '" + objective_name_ + "' names no N row");
    section_ = next;
    if (next == Section::Name) {
      // The first word, as CoinMpsIO reads it: what follows is a comment or free MPS's FREE.
      if (card.fields.size() > 1) name_ = std::string(card.fields[1]);
    } else if (next == Section::Header) {
      header_word_ = word;
      headers_seen_ += word + ';';
      header_done_ = false;
      if (card.fields.size() > 1) {
        Card value = card;
        value.fields.erase(value.fields.begin());
        header_value(value);
      }
    } else if (card.fields.size() > 1 && next != Section::End) {
      fail(card, "section '" + word + "' takes no value on its card, got '" + std::string(card.fields[1]) + "'");
    }
  }

  void header_value(const Card& card) {
    STREAMML_CHECK(!header_done_, InvalidInput, where(card) << "a second value for " << header_word_);
    if (card.fields.size() != 1) fail(card, header_word_ + " takes one value, got " + fields_of(card));
    header_done_ = true;
    if (header_word_ == "OBJNAME") {
      objective_name_ = std::string(card.fields[0]);
      return;
    }
    const std::string sense = upper(card.fields[0]);
    if (sense == "MAX" || sense == "MAXIMIZE" || sense == "MAXIMISE") {
      maximise_ = true;
    } else if (sense == "MIN" || sense == "MINIMIZE" || sense == "MINIMISE") {
      maximise_ = false;
    } else {
      fail(card, "OBJSENSE must be MAX or MIN, got '" + std::string(card.fields[0]) + "'");
    }
  }

  // ---- ROWS -----------------------------------------------------------------------------------
  void row_card(const Card& card) {
    if (card.fields.size() != 2) fail(card, "a ROWS card has 2 fields (type, name), got " + fields_of(card));
    const std::string type = upper(card.fields[0]);
    std::string name(card.fields[1]);
    int index;
    if (type == "N") {
      const bool objective = objective_name_.empty() ? !have_objective_ : name == objective_name_;
      index = objective ? kObjective : kFreeRow;
      have_objective_ |= objective;
    } else {
      RowType t;
      if (type == "E") t = RowType::E;
      else if (type == "L") t = RowType::L;
      else if (type == "G") t = RowType::G;
      else fail(card, "row type must be N, E, L or G, got '" + std::string(card.fields[0]) + "'");
      if (row_type_.size() >= std::size_t(kMaxIndex)) fail(card, "more rows than an int indexes");
      index = int(row_type_.size());
      row_type_.push_back(t);
      row_names_.push_back(name);
    }
    const auto [it, fresh] = rows_.emplace(std::move(name), Place{index, card.line});
    if (!fresh) fail(card, "row '" + it->first + "' named again (first at line " + std::to_string(it->second.line) + ")");
  }

  // ---- COLUMNS --------------------------------------------------------------------------------
  void column_card(const Card& card) {
    const auto& f = card.fields;
    if (f.size() == 3 && f[1] == "'MARKER'") {
      if (f[2] == "'INTORG'") {
        if (integer_) fail(card, "'INTORG' inside an integer section (opened at line " + std::to_string(integer_line_) + ")");
        integer_ = true;
        integer_line_ = card.line;
      } else if (f[2] == "'INTEND'") {
        if (!integer_) fail(card, "'INTEND' without an 'INTORG' before it");
        integer_ = false;
      } else {
        fail(card, "a marker card reads \"name 'MARKER' 'INTORG'\" or \"name 'MARKER' 'INTEND'\", got '" +
                       std::string(f[2]) + "'");
      }
      return;
    }
    if (f.size() != 3 && f.size() != 5)
      fail(card, "a COLUMNS card has 3 or 5 fields (column, row, value[, row, value]), got " + fields_of(card));
    const int j = column_for(card, f[0]);
    for (std::size_t k = 1; k < f.size(); k += 2) {
      const int i = row_of(card, f[k]);
      const double v = finite_number(card, f[k + 1]);
      if (i == kFreeRow) continue;
      // Entries of a column are together, so the column a row last saw tells a repeat.
      int& seen = i == kObjective ? objective_seen_ : row_last_column_[std::size_t(i)];
      if (seen == j) fail(card, "row '" + std::string(f[k]) + "' given twice in column '" + std::string(f[0]) + "'");
      seen = j;
      if (i == kObjective) objective_[std::size_t(j)] = v;
      else if (v != 0.0) triplets_.emplace_back(i, j, v);
    }
  }

  // The index of the column a card names: the current one, or a new one.
  int column_for(const Card& card, std::string_view name) {
    if (!col_names_.empty() && col_names_.back() == name) return int(col_names_.size()) - 1;
    if (row_last_column_.size() != row_type_.size()) row_last_column_.assign(row_type_.size(), -1);
    std::string key(name);
    const int j = int(col_names_.size());
    if (j >= kMaxIndex) fail(card, "more columns than an int indexes");
    const auto [it, fresh] = columns_.emplace(key, Place{j, card.line});
    if (!fresh)
      fail(card, "column '" + key + "' given again after other columns (first at line " +
                     std::to_string(it->second.line) + "; a column's entries must be together)");
    col_names_.push_back(std::move(key));
    objective_.push_back(0.0);
    integer_col_.push_back(integer_ ? 1 : 0);
    lower_.push_back(0.0);
    upper_.push_back(kInf);
    lower_set_.push_back(0);
    upper_set_.push_back(0);
    return j;
  }

  // ---- RHS and RANGES -------------------------------------------------------------------------
  // Cards of a set: [set] row value [row value]; one set per section.
  void rhs_card(const Card& card, bool ranges) {
    const char* section = ranges ? "RANGES" : "RHS";
    std::vector<double>& values = ranges ? range_ : rhs_;
    const auto& f = card.fields;
    std::size_t first;
    if (f.size() == 2 || f.size() == 4) first = 0;
    else if (f.size() == 3 || f.size() == 5) first = 1;
    else fail(card, std::string("a ") + section + " card has 2 to 5 fields ([set,] row, value[, row, value]), got " + fields_of(card));
    same_set(card, section, ranges ? range_set_ : rhs_set_, first ? f[0] : std::string_view());
    if (values.empty()) values.assign(row_type_.size(), kUnset);
    for (std::size_t k = first; k < f.size(); k += 2) {
      const int i = row_of(card, f[k]);
      const double v = finite_number(card, f[k + 1]);
      if (i == kFreeRow) continue;
      if (i == kObjective) {
        if (ranges) fail(card, "RANGES on the objective row '" + std::string(f[k]) + "'");
        if (objective_rhs_set_) fail(card, "a second right-hand side for the objective row '" + std::string(f[k]) + "'");
        objective_rhs_set_ = true;
        objective_rhs_ = v;
        continue;
      }
      double& slot = values[std::size_t(i)];
      if (!std::isnan(slot))
        fail(card, std::string("a second ") + (ranges ? "range" : "right-hand side") + " for row '" + std::string(f[k]) + "'");
      slot = v;
    }
  }

  // The first card of a section names its set (or none); the others must name the same.
  void same_set(const Card& card, const char* section, std::optional<std::string>& set, std::string_view name) {
    if (!set) {
      set = std::string(name);
    } else if (*set != name) {
      fail(card, std::string(section) + " set '" + std::string(name) + "' after set '" + *set +
                     "': one set is read; remove the others or keep the one the model uses");
    }
  }

  // ---- BOUNDS ---------------------------------------------------------------------------------
  void bound_card(const Card& card) {
    const auto& f = card.fields;
    const std::string type = upper(f[0]);
    Bound b;
    bool valued = true;
    if (type == "UP") b = Bound::Up;
    else if (type == "LO") b = Bound::Lo;
    else if (type == "FX") b = Bound::Fx;
    else if (type == "LI") b = Bound::Li;
    else if (type == "UI") b = Bound::Ui;
    else if (type == "FR") b = Bound::Fr, valued = false;
    else if (type == "MI") b = Bound::Mi, valued = false;
    else if (type == "PL") b = Bound::Pl, valued = false;
    else if (type == "BV") b = Bound::Bv, valued = false;
    else if (type == "SC") fail(card, "bound type SC (semi-continuous) is not supported: an LpModel holds none");
    else fail(card, "bound type must be UP, LO, FX, FR, MI, PL, BV, LI or UI, got '" + std::string(f[0]) + "'");
    // Fields after the type: [set] column [value]; BV's value is optional, so "BV a b" is a set
    // and a column unless b is a number and a a column.
    const std::size_t n = f.size() - 1;
    bool has_set;
    if (valued && (n == 2 || n == 3)) {
      has_set = n == 3;
    } else if (b == Bound::Bv && n == 2) {
      has_set = !(columns_.count(std::string(f[1])) && is_number(f[2]));
    } else if (!valued && (n == 1 || n == 2 || (b == Bound::Bv && n == 3))) {
      has_set = n >= 2;
    } else {
      fail(card, "a " + type + " bound card has " + (valued ? "3 or 4 fields (type, [set,] column, value)" : "2 or 3 fields (type, [set,] column)") +
                     ", got " + fields_of(card));
    }
    same_set(card, "BOUNDS", bound_set_, has_set ? f[1] : std::string_view());
    const std::string_view column = f[has_set ? 2 : 1];
    const auto it = columns_.find(std::string(column));
    if (it == columns_.end()) fail(card, "bound for column '" + std::string(column) + "', which COLUMNS does not name");
    const std::size_t j = std::size_t(it->second.index);
    const double v = valued ? number(card, f[has_set ? 3 : 2]) : 0.0;
    const bool sets_lower = b != Bound::Up && b != Bound::Ui && b != Bound::Pl;
    const bool sets_upper = b != Bound::Lo && b != Bound::Li && b != Bound::Mi;
    if ((sets_lower && lower_set_[j]) || (sets_upper && upper_set_[j]))
      fail(card, "a second " + std::string(sets_lower && lower_set_[j] ? "lower" : "upper") + " bound for column '" +
                     std::string(column) + "' (" + type + ")");
    switch (b) {
      case Bound::Up:
      case Bound::Ui:
        upper_[j] = v > kInfiniteBound ? kInf : v;
        if (v < 0.0 && !lower_set_[j]) lower_[j] = -kInf;  // CoinMpsIO, as CPLEX (with a warning)
        break;
      case Bound::Lo:
      case Bound::Li: lower_[j] = v < -kInfiniteBound ? -kInf : v; break;
      case Bound::Fx: lower_[j] = upper_[j] = v; break;
      case Bound::Fr: lower_[j] = -kInf, upper_[j] = kInf; break;
      case Bound::Mi: lower_[j] = -kInf; break;
      case Bound::Pl: upper_[j] = kInf; break;
      case Bound::Bv: lower_[j] = 0.0, upper_[j] = 1.0; break;
    }
    if (b == Bound::Bv || b == Bound::Li || b == Bound::Ui) integer_col_[j] = 1;
    lower_set_[j] |= sets_lower;
    upper_set_[j] |= sets_upper;
  }

  // ---- the model ------------------------------------------------------------------------------
  LpModel build() {
    STREAMML_CHECK(!col_names_.empty(), InvalidInput, source_ << " holds no model: COLUMNS names no column");
    const std::size_t rows = row_type_.size(), cols = col_names_.size();
    LpModel m;
    m.name = name_;
    m.A.resize(Eigen::Index(rows), Eigen::Index(cols));
    m.A.setFromTriplets(triplets_.begin(), triplets_.end());
    m.objective = Eigen::Map<const Eigen::VectorXd>(objective_.data(), Eigen::Index(cols));
    m.objective_offset = -objective_rhs_;  // the objective row's RHS b makes the objective c·x - b
    if (maximise_) {
      m.objective = -m.objective;
      m.objective_offset = -m.objective_offset;
    }
    m.row_lower.resize(Eigen::Index(rows));
    m.row_upper.resize(Eigen::Index(rows));
    for (std::size_t i = 0; i < rows; ++i) {
      const double b = rhs_.empty() || std::isnan(rhs_[i]) ? 0.0 : rhs_[i];
      const double r = range_.empty() ? kUnset : range_[i];
      double lo = b, up = b;
      switch (row_type_[i]) {
        case RowType::E:
          if (r > 0) up = b + r;
          else if (r < 0) lo = b + r;
          break;
        case RowType::L: lo = std::isnan(r) ? -kInf : b - std::fabs(r); break;
        case RowType::G: up = std::isnan(r) ? kInf : b + std::fabs(r); break;
      }
      m.row_lower[Eigen::Index(i)] = lo;
      m.row_upper[Eigen::Index(i)] = up;
    }
    bool mip = false;
    for (std::size_t j = 0; j < cols; ++j) {
      if (integer_col_[j] && !lower_set_[j] && !upper_set_[j]) upper_[j] = 1.0;  // no bound card: binary
      mip |= integer_col_[j] != 0;
    }
    m.col_lower = Eigen::Map<const Eigen::VectorXd>(lower_.data(), Eigen::Index(cols));
    m.col_upper = Eigen::Map<const Eigen::VectorXd>(upper_.data(), Eigen::Index(cols));
    if (mip) m.integrality = integer_col_;
    m.row_names = std::move(row_names_);
    m.col_names = std::move(col_names_);
    try {
      m.validate();
    } catch (const Error& e) {
      STREAMML_FAIL(InvalidInput, source_ << ": " << e.message());
    }
    return m;
  }

  // ---- fields ---------------------------------------------------------------------------------
  int row_of(const Card& card, std::string_view name) const {
    const auto it = rows_.find(std::string(name));
    if (it == rows_.end()) fail(card, "row '" + std::string(name) + "', which ROWS does not name");
    return it->second.index;
  }

  static bool parse(std::string_view text, double& v) {
    // from_chars takes no leading '+'; MPS writers put one ("+1.0E+00").
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
    const auto r = fast_float::from_chars(text.data(), text.data() + text.size(), v);
    return r.ec == std::errc() && r.ptr == text.data() + text.size() && !std::isnan(v);
  }
  static bool is_number(std::string_view text) {
    double v;
    return parse(text, v);
  }
  // A bound value: a number, or ±inf(inity) / out of double's range (an infinite bound).
  double number(const Card& card, std::string_view text) const {
    double v;
    if (!parse(text, v)) fail(card, "'" + std::string(text) + "' is not a number");
    return v;
  }
  double finite_number(const Card& card, std::string_view text) const {
    const double v = number(card, text);
    if (!std::isfinite(v)) fail(card, "'" + std::string(text) + "' is not a finite number");
    return v;
  }

  static std::string fields_of(const Card& card) { return std::to_string(card.fields.size()); }
  std::string where_line(int line) const { return source_ + " line " + std::to_string(line) + ": "; }
  std::string where(const Card& card) const { return where_line(card.line); }
  [[noreturn]] void fail(const Card& card, const std::string& problem) const {
    STREAMML_FAIL(InvalidInput, where(card) << problem);
  }

  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  struct Place {
    int index;
    int line;
  };

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
  Section section_ = Section::Start;

  std::string name_, header_word_, headers_seen_, objective_name_;
  bool header_done_ = false, maximise_ = false, have_objective_ = false;

  std::unordered_map<std::string, Place> rows_, columns_;
  std::vector<RowType> row_type_;
  std::vector<std::string> row_names_, col_names_;

  std::vector<Eigen::Triplet<double, int>> triplets_;
  std::vector<double> objective_;
  std::vector<std::uint8_t> integer_col_;
  std::vector<int> row_last_column_;
  int objective_seen_ = -1;
  bool integer_ = false;
  int integer_line_ = 0;

  std::vector<double> rhs_, range_;  // NaN: not given
  double objective_rhs_ = 0.0;
  bool objective_rhs_set_ = false;
  std::optional<std::string> rhs_set_, range_set_, bound_set_;  // the set each section reads

  std::vector<double> lower_, upper_;  // per column: 0 and +inf until BOUNDS says otherwise
  std::vector<std::uint8_t> lower_set_, upper_set_;
};

}  // namespace

LpModel parse_mps(std::string_view text, const std::string& source) { return MpsReader(text, source).read(); }

}  // namespace streamml
