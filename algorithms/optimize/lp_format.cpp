#include "algorithms/optimize/lp_format.h"

#include <algorithm>
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
constexpr std::size_t kMaxName = 255;  // CPLEX's limit

enum class Tok { Word, Number, Sign, Compare, Colon, End };
enum class Cmp { Le, Ge, Eq };

struct Token {
  Tok kind = Tok::End;
  std::string_view text;
  int line = 0;
  bool first_on_line = false;  // the first word of its line: may start a section
  double value = 0;            // Number: its value; Sign: +1 or -1
  Cmp cmp = Cmp::Eq;           // Compare
};

bool name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || std::string_view("!\"#$%&()_,;?@`'{}|~").find(c) != std::string_view::npos;
}
bool name_char(char c) {
  return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '/';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string shown(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", unsigned(static_cast<unsigned char>(c)));
  return std::string("byte ") + hex;
}

// The sections a line's first word may start.
enum class Section { None, Minimize, Maximize, SubjectTo, Bounds, Generals, Binaries, Unsupported, End };

class LpReader {
 public:
  LpReader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  LpModel read() {
    lex();
    const Section sense = section_at(0);
    if (sense != Section::Minimize && sense != Section::Maximize)
      fail(tokens_[0], "expected 'Minimize' or 'Maximize' first, got " + describe(tokens_[0]));
    pos_ = 1;
    read_objective();
    for (;;) {
      const Token& t = tokens_[pos_];
      const Section s = section_at(pos_);
      if (t.kind == Tok::End) break;
      pos_ += section_words(s);
      if (s == Section::SubjectTo) {
        read_rows();
      } else if (s == Section::Bounds) {
        read_bounds();
      } else if (s == Section::Generals || s == Section::Binaries) {
        read_integers(s == Section::Binaries, t);
      } else if (s == Section::End) {
        STREAMML_CHECK(tokens_[pos_].kind == Tok::End, InvalidInput,
                       where(tokens_[pos_]) << "text after 'End': " << describe(tokens_[pos_]));
        break;
      } else if (s == Section::Minimize || s == Section::Maximize) {
        fail(t, "a second objective section ('" + std::string(t.text) + "'); one objective is read");
      } else if (s == Section::Unsupported) {
        fail(t, "section '" + std::string(t.text) +
                    "' (semi-continuous variables or SOS) is not supported: an LpModel holds none");
      } else {
        fail(t, "expected a section ('Subject To', 'Bounds', 'Generals', 'Binaries' or 'End'), got " + describe(t));
      }
    }
    return build(sense == Section::Maximize);
  }

 private:
  // ---- lexing -------------------------------------------------------------------------------
  void lex() {
    const char* p = text_.data();
    const char* end = p + text_.size();
    int line = 1;
    bool line_start = true;
    bool after_space = true;
    while (p < end) {
      const char c = *p;
      if (c == '\n') {
        ++line;
        line_start = after_space = true;
        ++p;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        after_space = true;
        ++p;
        continue;
      }
      if (c == '\\' && p + 1 < end && p[1] == '*') {  // \* block comment *\.
        const int opened = line;
        p += 2;
        while (p + 1 < end && !(p[0] == '*' && p[1] == '\\')) line += *p++ == '\n';
        if (p + 1 >= end) fail_at(opened, "a block comment '\\*' is not closed by '*\\'");
        p += 2;
        after_space = true;
        continue;
      }
      if (c == '\\' || (c == '/' && after_space)) {  // a comment to the end of the line
        while (p < end && *p != '\n') ++p;
        continue;
      }
      Token t;
      t.line = line;
      const char* start = p;
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && p + 1 < end && std::isdigit(static_cast<unsigned char>(p[1])))) {
        while (p < end && std::isdigit(static_cast<unsigned char>(*p))) ++p;
        if (p < end && *p == '.') ++p;
        while (p < end && std::isdigit(static_cast<unsigned char>(*p))) ++p;
        if (p < end && (*p == 'e' || *p == 'E')) {
          const char* q = p + 1;
          if (q < end && (*q == '+' || *q == '-')) ++q;
          if (q < end && std::isdigit(static_cast<unsigned char>(*q))) {
            p = q;
            while (p < end && std::isdigit(static_cast<unsigned char>(*p))) ++p;
          }
        }
        t.kind = Tok::Number;
        const auto r = fast_float::from_chars(start, p, t.value);
        if (r.ec != std::errc() || r.ptr != p || !std::isfinite(t.value))
          fail_at(line, "number '" + std::string(start, p) + "' is not a finite double");
      } else if (name_start(c)) {
        while (p < end && name_char(*p)) ++p;
        t.kind = Tok::Word;
        if (std::size_t(p - start) > kMaxName)
          fail_at(line, "name '" + std::string(start, 32) + "...' is " + std::to_string(p - start) +
                            " characters long, at most " + std::to_string(kMaxName) + " allowed");
        t.first_on_line = line_start;
      } else if (c == '+' || c == '-') {
        t.kind = Tok::Sign;
        t.value = c == '-' ? -1 : 1;
        ++p;
      } else if (c == '<' || c == '>' || c == '=') {
        t.kind = Tok::Compare;
        ++p;
        if (c == '=' && p < end && (*p == '<' || *p == '>')) {
          t.cmp = *p == '<' ? Cmp::Le : Cmp::Ge;
          ++p;
        } else {
          if (c != '=' && p < end && *p == '=') ++p;
          t.cmp = c == '<' ? Cmp::Le : c == '>' ? Cmp::Ge : Cmp::Eq;
        }
      } else if (c == ':') {
        t.kind = Tok::Colon;
        ++p;
      } else if (c == '[') {
        fail_at(line, "quadratic terms ('[ ... ]') are not supported: an LpModel is linear");
      } else {
        fail_at(line, "unexpected character " + shown(c));
      }
      t.text = {start, std::size_t(p - start)};
      tokens_.push_back(t);
      line_start = false;
      after_space = false;
    }
    Token eof;
    eof.line = line;
    tokens_.push_back(eof);
  }

  // ---- sections -----------------------------------------------------------------------------
  // The section a line's first word at tokens_[i] starts (None when it starts none: not the
  // first word of its line, or a name followed by ':').
  Section section_at(std::size_t i) const {
    const Token& t = tokens_[i];
    if (t.kind != Tok::Word || !t.first_on_line || tokens_[i + 1].kind == Tok::Colon) return Section::None;
    const std::string w = lower(t.text);
    const auto next_is = [&](const char* word) {
      const Token& n = tokens_[i + 1];
      return n.kind == Tok::Word && n.line == t.line && lower(n.text) == word;
    };
    if (w == "minimize" || w == "minimise" || w == "minimum" || w == "min") return Section::Minimize;
    if (w == "maximize" || w == "maximise" || w == "maximum" || w == "max") return Section::Maximize;
    if ((w == "subject" && next_is("to")) || (w == "such" && next_is("that")) || w == "st" || w == "s.t." ||
        w == "st.")
      return Section::SubjectTo;
    if (w == "bounds" || w == "bound") return Section::Bounds;
    if (w == "generals" || w == "general" || w == "gen" || w == "integers" || w == "integer")
      return Section::Generals;
    if (w == "binaries" || w == "binary" || w == "bin") return Section::Binaries;
    if (w == "semi" || w == "semis" || w == "semi-continuous" || w == "sos") return Section::Unsupported;
    if (w == "end") return Section::End;
    return Section::None;
  }
  std::size_t section_words(Section s) const { return s == Section::SubjectTo && tokens_[pos_ + 1].line == tokens_[pos_].line && (lower(tokens_[pos_].text) == "subject" || lower(tokens_[pos_].text) == "such") ? 2 : 1; }
  bool at_section_or_end() const { return tokens_[pos_].kind == Tok::End || section_at(pos_) != Section::None; }

  // A linear expression: [sign] [number] name | [sign] number, terms joined by signs. Stops
  // before a comparison, a section, a label (name ':') or the end. Coefficients by column go to
  // `terms`, constants are summed into `constant`.
  void read_expression(std::vector<std::pair<Eigen::Index, double>>& terms, double& constant, const char* what) {
    bool first = true;
    for (;;) {
      if (at_section_or_end()) return;
      const Token& t = tokens_[pos_];
      if (t.kind == Tok::Compare || t.kind == Tok::Colon) return;
      if (t.kind == Tok::Word && tokens_[pos_ + 1].kind == Tok::Colon) return;  // the next label
      double sign = 1;
      const Token* sign_token = nullptr;
      if (t.kind == Tok::Sign) {
        sign = t.value;
        sign_token = &t;
        ++pos_;
      } else if (!first) {
        fail(t, std::string("expected '+', '-' or a comparison in ") + what + ", got " + describe(t));
      }
      first = false;
      const Token& u = tokens_[pos_];
      if (u.kind == Tok::Number) {
        ++pos_;
        const Token& v = tokens_[pos_];
        if (v.kind == Tok::Word && !at_section_or_end() && tokens_[pos_ + 1].kind != Tok::Colon) {
          terms.emplace_back(column(v), sign * u.value);
          ++pos_;
        } else {
          constant += sign * u.value;
        }
      } else if (u.kind == Tok::Word && !at_section_or_end() && tokens_[pos_ + 1].kind != Tok::Colon) {
        terms.emplace_back(column(u), sign);
        ++pos_;
      } else {
        fail(sign_token ? *sign_token : u, std::string("expected a number or a name after '") + (sign < 0 ? "-" : "+") +
                                               "' in " + what + ", got " + describe(u));
      }
    }
  }

  void read_objective() {
    if (tokens_[pos_].kind == Tok::Word && tokens_[pos_ + 1].kind == Tok::Colon && !at_section_or_end()) pos_ += 2;
    std::vector<std::pair<Eigen::Index, double>> terms;
    read_expression(terms, objective_offset_, "the objective");
    for (const auto& [j, a] : terms) objective_[std::size_t(j)] += a;
    const Token& t = tokens_[pos_];
    if (t.kind == Tok::Word && tokens_[pos_ + 1].kind == Tok::Colon && !at_section_or_end())
      fail(t, "a second objective '" + std::string(t.text) + "'; one objective is read");
    if (!at_section_or_end()) fail(t, "expected a term of the objective or a section, got " + describe(t));
  }

  // A signed number where a bound or right-hand side goes: [sign] number | [sign] inf(inity).
  std::optional<double> signed_number() {
    std::size_t i = pos_;
    double sign = 1;
    if (tokens_[i].kind == Tok::Sign) sign = tokens_[i++].value;
    const Token& t = tokens_[i];
    double v;
    if (t.kind == Tok::Number) {
      v = t.value;
    } else if (t.kind == Tok::Word && (lower(t.text) == "inf" || lower(t.text) == "infinity") &&
               !(t.first_on_line && section_at(i) != Section::None)) {
      v = kInf;
    } else {
      return std::nullopt;
    }
    pos_ = i + 1;
    return sign * v;
  }

  Cmp comparison(const char* what) {
    const Token& t = tokens_[pos_];
    if (t.kind != Tok::Compare) fail(t, std::string("expected a comparison (<=, >=, =) ") + what + ", got " + describe(t));
    ++pos_;
    return t.cmp;
  }

  void read_rows() {
    while (!at_section_or_end()) {
      const Token& start = tokens_[pos_];
      std::string name;
      if (start.kind == Tok::Word && tokens_[pos_ + 1].kind == Tok::Colon) {
        name = std::string(start.text);
        pos_ += 2;
      }
      if (name.empty()) name = "cons" + std::to_string(row_lower_.size());
      const auto [it, fresh] = row_lines_.emplace(name, start.line);
      if (!fresh)
        fail(start, "row name '" + name + "' is used twice (first at line " + std::to_string(it->second) + ")");
      // A ranged row starts with its bound: l <= expression <= u (or u >= expression >= l).
      double lo = -kInf, up = kInf;
      std::optional<Cmp> range;
      const std::size_t before = pos_;
      if (const auto first = signed_number(); first && tokens_[pos_].kind == Tok::Compare) {
        range = comparison("");
        STREAMML_CHECK(*range != Cmp::Eq, InvalidInput,
                       where(tokens_[pos_ - 1]) << "a ranged row takes '<=' or '>=' on both sides, got '='");
        (*range == Cmp::Le ? lo : up) = *first;
      } else {
        pos_ = before;
      }
      std::vector<std::pair<Eigen::Index, double>> terms;
      double constant = 0;
      const std::string what = "row '" + name + "'";
      read_expression(terms, constant, what.c_str());
      if (terms.empty()) fail(start, "row '" + name + "' has no variable term");
      const Cmp cmp = comparison(("after the terms of row '" + name + "'").c_str());
      const auto rhs = signed_number();
      if (!rhs) fail(tokens_[pos_], "expected the right-hand side (a number) of row '" + name + "', got " + describe(tokens_[pos_]));
      if (range) {
        STREAMML_CHECK(cmp == *range, InvalidInput,
                       where(start) << "ranged row '" << name << "' mixes '<=' and '>='");
        (cmp == Cmp::Le ? up : lo) = *rhs;
      } else {
        if (cmp != Cmp::Ge) up = *rhs;
        if (cmp != Cmp::Le) lo = *rhs;
      }
      lo -= constant;
      up -= constant;
      STREAMML_CHECK(lo != kInf && up != -kInf, InvalidInput,
                     where(start) << "row '" << name << "' gets lower bound " << lo << " and upper bound " << up
                                  << "; a lower bound cannot be +inf nor an upper bound -inf");
      const Eigen::Index i = Eigen::Index(row_lower_.size());
      for (const auto& [j, a] : terms) triplets_.emplace_back(int(i), int(j), a);
      row_lower_.push_back(lo);
      row_upper_.push_back(up);
      row_names_.push_back(name);
    }
  }

  void set_bound(Eigen::Index j, Cmp cmp, double v, const Token& at) {
    const std::size_t k = std::size_t(j);
    if (cmp != Cmp::Le) {  // >= or =: a lower bound
      STREAMML_CHECK(v != kInf, InvalidInput, where(at) << "column '" << names_[k] << "' gets lower bound +inf");
      lower_[k] = v;
    }
    if (cmp != Cmp::Ge) {
      STREAMML_CHECK(v != -kInf, InvalidInput, where(at) << "column '" << names_[k] << "' gets upper bound -inf");
      upper_[k] = v;
    }
  }

  static Cmp flipped(Cmp c) { return c == Cmp::Le ? Cmp::Ge : c == Cmp::Ge ? Cmp::Le : Cmp::Eq; }

  Eigen::Index bound_column() {
    const Token& t = tokens_[pos_];
    if (t.kind != Tok::Word || at_section_or_end()) fail(t, "expected a column name in Bounds, got " + describe(t));
    ++pos_;
    return column(t);
  }

  void read_bounds() {
    while (!at_section_or_end()) {
      const Token& start = tokens_[pos_];
      if (const auto v = signed_number()) {  // v <= x [<= u], v >= x [>= l], v = x
        const Cmp first = comparison("after the bound");
        const Eigen::Index j = bound_column();
        set_bound(j, flipped(first), *v, start);
        if (tokens_[pos_].kind == Tok::Compare) {
          const Cmp second = comparison("");
          STREAMML_CHECK(second == first && first != Cmp::Eq, InvalidInput,
                         where(start) << "a double bound on '" << names_[std::size_t(j)]
                                      << "' takes '<=' or '>=' on both sides");
          const auto w = signed_number();
          if (!w) fail(tokens_[pos_], "expected a number after '" + names_[std::size_t(j)] + "', got " + describe(tokens_[pos_]));
          set_bound(j, second, *w, start);
        }
        continue;
      }
      const Eigen::Index j = bound_column();
      const Token& t = tokens_[pos_];
      if (t.kind == Tok::Word && lower(t.text) == "free" && !at_section_or_end()) {
        lower_[std::size_t(j)] = -kInf;
        upper_[std::size_t(j)] = kInf;
        ++pos_;
        continue;
      }
      const Cmp cmp = comparison(("or 'free' after '" + names_[std::size_t(j)] + "' in Bounds").c_str());
      const auto v = signed_number();
      if (!v) fail(tokens_[pos_], "expected a number after the comparison, got " + describe(tokens_[pos_]));
      set_bound(j, cmp, *v, start);
    }
  }

  void read_integers(bool binary, const Token& header) {
    while (!at_section_or_end()) {
      const Token& t = tokens_[pos_];
      if (t.kind != Tok::Word)
        fail(t, "expected column names in '" + std::string(header.text) + "', got " + describe(t));
      const Eigen::Index j = column(t);
      integer_[std::size_t(j)] = binary ? 2 : std::max<std::uint8_t>(integer_[std::size_t(j)], 1);
      ++pos_;
    }
  }

  // ---- the model ----------------------------------------------------------------------------
  Eigen::Index column(const Token& t) {
    const auto [it, fresh] = columns_.emplace(std::string(t.text), Eigen::Index(names_.size()));
    if (fresh) {
      names_.emplace_back(t.text);
      objective_.push_back(0);
      lower_.push_back(0);
      upper_.push_back(kInf);
      integer_.push_back(0);
    }
    return it->second;
  }

  LpModel build(bool maximise) {
    LpModel m;
    const Eigen::Index n = Eigen::Index(names_.size()), rows = Eigen::Index(row_lower_.size());
    STREAMML_CHECK(n > 0, InvalidInput, source_ << " holds no model: no variable is named");
    m.A.resize(rows, n);
    m.A.setFromTriplets(triplets_.begin(), triplets_.end());  // repeated terms are added
    m.A.prune(0.0);
    m.objective = Eigen::Map<const Eigen::VectorXd>(objective_.data(), n);
    m.objective_offset = objective_offset_;
    if (maximise) {
      m.objective = -m.objective;
      m.objective_offset = -m.objective_offset;
    }
    m.col_lower = Eigen::Map<const Eigen::VectorXd>(lower_.data(), n);
    m.col_upper = Eigen::Map<const Eigen::VectorXd>(upper_.data(), n);
    m.row_lower = Eigen::Map<const Eigen::VectorXd>(row_lower_.data(), rows);
    m.row_upper = Eigen::Map<const Eigen::VectorXd>(row_upper_.data(), rows);
    bool mip = false;
    for (Eigen::Index j = 0; j < n; ++j) {
      const std::uint8_t kind = integer_[std::size_t(j)];
      mip |= kind != 0;
      if (kind == 2) {  // binary: the bounds section's bounds narrowed to [0, 1]
        m.col_lower[j] = std::max(m.col_lower[j], 0.0);
        m.col_upper[j] = std::min(m.col_upper[j], 1.0);
      }
    }
    if (mip)
      for (const std::uint8_t kind : integer_) m.integrality.push_back(kind != 0);
    m.col_names = names_;
    m.row_names = row_names_;
    try {
      m.validate();
    } catch (const Error& e) {
      STREAMML_FAIL(InvalidInput, source_ << ": " << e.message());
    }
    return m;
  }

  // ---- messages -----------------------------------------------------------------------------
  std::string where_line(int line) const { return source_ + " line " + std::to_string(line) + ": "; }
  std::string where(const Token& t) const { return where_line(t.line); }
  static std::string describe(const Token& t) {
    if (t.kind == Tok::End) return "the end of the file";
    return "'" + std::string(t.text) + "'";
  }
  [[noreturn]] void fail(const Token& t, const std::string& message) const { fail_at(t.line, message); }
  [[noreturn]] void fail_at(int line, const std::string& message) const {
    STREAMML_FAIL(InvalidInput, where_line(line) << message);
  }

  std::string_view text_;
  std::string source_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::unordered_map<std::string, Eigen::Index> columns_;
  std::vector<std::string> names_;
  std::vector<double> objective_, lower_, upper_;
  std::vector<std::uint8_t> integer_;  // 0 continuous, 1 general, 2 binary
  double objective_offset_ = 0;
  std::unordered_map<std::string, int> row_lines_;
  std::vector<std::string> row_names_;
  std::vector<double> row_lower_, row_upper_;
  std::vector<Eigen::Triplet<double, int>> triplets_;
};

}  // namespace

LpModel parse_lp(std::string_view text, const std::string& source) { return LpReader(text, source).read(); }

}  // namespace streamml
