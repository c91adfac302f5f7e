#include "algorithms/optimize/model_io.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CoinError.hpp>
#include <CoinFileIO.hpp>
#include <CoinMpsIO.hpp>

#include "algorithms/optimize/coin_bridge.h"
#include "algorithms/optimize/lp_format.h"
#include "core/error.h"

namespace streamml {

namespace {

void require_readable(const std::string& path, const char* what) {
  std::error_code ec;
  STREAMML_CHECK(std::filesystem::is_regular_file(path, ec), Io, what << " file '" << path << "' does not exist or is not a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  STREAMML_CHECK(f != nullptr, Io, what << " file '" << path << "' cannot be read");
  std::fclose(f);
}

std::string upper_word(const char* s) {
  while (*s && std::isspace(static_cast<unsigned char>(*s))) ++s;
  std::string w;
  while (*s && !std::isspace(static_cast<unsigned char>(*s))) w += char(std::toupper(static_cast<unsigned char>(*s++)));
  return w;
}

// Whether the MPS header (the cards before ROWS) declares OBJSENSE MAX, on the same card or
// the next. CoinUtils 2.11 reads and ignores that section.
bool mps_maximises(const std::string& path) {
  std::unique_ptr<CoinFileInput> in(CoinFileInput::create(path));
  char line[1024];
  bool in_objsense = false;
  while (in->gets(line, sizeof line)) {
    const std::string first = upper_word(line);
    if (first.empty() || line[0] == '*') continue;
    if (first == "ROWS") return false;
    if (in_objsense) return first == "MAX" || first == "MAXIMIZE";
    if (first == "OBJSENSE") {
      const char* rest = line;
      while (*rest && std::isspace(static_cast<unsigned char>(*rest))) ++rest;
      rest += 8;
      const std::string second = upper_word(rest);
      if (!second.empty()) return second == "MAX" || second == "MAXIMIZE";
      in_objsense = true;
    }
  }
  return false;
}

// CoinUtils 2.11's MPS card reader dereferences a null pointer on cards with quoted fields other
// than a well-formed integer marker (an unclosed quote, a 'MARKER' among other fields, a quoted
// name; found by fuzz_mps_model), so such cards are refused here first, naming the line: a quote
// (') may appear only in a COLUMNS card that reads exactly "name 'MARKER' 'INTORG'|'INTEND'",
// every other COLUMNS card has 3 or 5 fields (column, row, value[, row, value]), and a card holds
// printable ASCII only (MPS is ASCII; NUL bytes and control characters crashed the reader too).
void check_mps_cards(const std::string& path) {
  {  // the bytes first (a line read as text would stop at a NUL)
    std::unique_ptr<CoinFileInput> raw(CoinFileInput::create(path));
    std::vector<char> block(1 << 16);
    std::int64_t number = 1;
    for (int n; (n = raw->read(block.data(), int(block.size()))) > 0;)
      for (int i = 0; i < n; ++i) {
        const char c = block[std::size_t(i)];
        const auto b = static_cast<unsigned char>(c);
        STREAMML_CHECK((b >= 0x20 && b < 0x7f) || c == '\t' || c == '\r' || c == '\n', InvalidInput,
                       "MPS file '" << path << "' line " << number << ": byte 0x" << std::hex << int(b) << std::dec
                                    << " is not printable ASCII (MPS is ASCII text)");
        number += c == '\n';
      }
  }
  std::unique_ptr<CoinFileInput> in(CoinFileInput::create(path));
  std::vector<char> line(1 << 16);
  bool columns = false;
  for (std::int64_t number = 1; in->gets(line.data(), int(line.size())); ++number) {
    const std::string text(line.data());
    if (text.empty() || text[0] == '*') continue;
    if (!std::isspace(static_cast<unsigned char>(text[0]))) {
      STREAMML_CHECK(text.find('\'') == std::string::npos, InvalidInput,
                     "MPS file '" << path << "' line " << number << ": a quote (') in a section card");
      columns = upper_word(text.c_str()) == "COLUMNS";
      continue;
    }
    std::vector<std::string> fields;
    std::istringstream words(text);
    for (std::string w; words >> w;) fields.push_back(w);
    if (columns && text.find('\'') == std::string::npos) {
      STREAMML_CHECK(fields.empty() || fields.size() == 3 || fields.size() == 5, InvalidInput,
                     "MPS file '" << path << "' line " << number << ": a COLUMNS card has " << fields.size()
                                  << " fields, expected 3 or 5 (column, row, value[, row, value])");
      continue;
    }
    if (text.find('\'') == std::string::npos) continue;
    const bool marker = columns && fields.size() == 3 && fields[1] == "'MARKER'" &&
                        (fields[2] == "'INTORG'" || fields[2] == "'INTEND'");
    STREAMML_CHECK(marker, InvalidInput,
                   "MPS file '" << path << "' line " << number
                                << ": a quote (') may appear only in an integer marker card in COLUMNS, which must read "
                                   "\"name 'MARKER' 'INTORG'\" or \"name 'MARKER' 'INTEND'\"");
  }
}

// What both readers leave in their own objects, as an LpModel. `infinity`: the reader's; values
// at or beyond it are infinite.
template <class Reader>
LpModel model_from(const Reader& r, const CoinPackedMatrix& matrix, double infinity, double offset_rhs) {
  LpModel m;
  const int rows = r.getNumRows(), cols = r.getNumCols();
  m.A = coin::from_packed(matrix);
  m.objective = Eigen::Map<const Eigen::VectorXd>(r.getObjCoefficients(), cols);
  // The objective row's right-hand side b makes the objective c·x - b.
  m.objective_offset = -offset_rhs;
  m.col_lower.resize(cols);
  m.col_upper.resize(cols);
  m.row_lower.resize(rows);
  m.row_upper.resize(rows);
  for (int j = 0; j < cols; ++j) {
    m.col_lower[j] = coin::from_coin(r.getColLower()[j], infinity);
    m.col_upper[j] = coin::from_coin(r.getColUpper()[j], infinity);
  }
  for (int i = 0; i < rows; ++i) {
    m.row_lower[i] = coin::from_coin(r.getRowLower()[i], infinity);
    m.row_upper[i] = coin::from_coin(r.getRowUpper()[i], infinity);
  }
  m.integrality.assign(std::size_t(cols), 0);
  for (int j = 0; j < cols; ++j) m.integrality[std::size_t(j)] = r.isInteger(j) ? 1 : 0;
  if (!m.is_mip()) m.integrality.clear();
  for (int i = 0; i < rows; ++i) m.row_names.emplace_back(r.rowName(i));
  for (int j = 0; j < cols; ++j) m.col_names.emplace_back(r.columnName(j));
  return m;
}

void negate_objective(LpModel& m) {
  m.objective = -m.objective;
  m.objective_offset = -m.objective_offset;
}

}  // namespace

LpModel read_mps(const std::string& path) {
  require_readable(path, "MPS");
  check_mps_cards(path);
  const bool maximise = mps_maximises(path);
  CoinMpsIO mps;
  coin::QuietHandler handler;
  mps.passInMessageHandler(&handler);
  int errors = 0;
  try {
    // An empty extension: the name is used as given (".gz" is recognised by its content).
    errors = mps.readMps(path.c_str(), "");
  } catch (const CoinError& e) {
    STREAMML_FAIL(InvalidInput, "MPS file '" << path << "': " << e.message());
  }
  STREAMML_CHECK(errors == 0, InvalidInput,
                 "MPS file '" << path << "' is not a valid MPS model (" << errors << " errors; the reader said: "
                              << handler.last_messages() << ")");
  LpModel m = model_from(mps, *mps.getMatrixByCol(), mps.getInfinity(), mps.objectiveOffset());
  m.name = mps.getProblemName();
  if (maximise) negate_objective(m);
  m.validate();
  return m;
}

LpModel read_lp(const std::string& path) {
  require_readable(path, "LP");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  STREAMML_CHECK(in.good() || in.eof(), Io, "LP file '" << path << "' cannot be read");
  return parse_lp(text.str(), "LP file '" + path + "'");
}

void write_mps(const LpModel& model, const std::string& path) {
  model.validate();
  CoinMpsIO mps;
  coin::QuietHandler handler;
  mps.passInMessageHandler(&handler);
  std::vector<double> cl(std::size_t(model.cols())), cu(cl.size()), rl(std::size_t(model.rows())), ru(rl.size());
  for (std::size_t j = 0; j < cl.size(); ++j) {
    cl[j] = coin::to_coin(model.col_lower[Eigen::Index(j)]);
    cu[j] = coin::to_coin(model.col_upper[Eigen::Index(j)]);
  }
  for (std::size_t i = 0; i < rl.size(); ++i) {
    rl[i] = coin::to_coin(model.row_lower[Eigen::Index(i)]);
    ru[i] = coin::to_coin(model.row_upper[Eigen::Index(i)]);
  }
  std::vector<char> integer(cl.size(), 0);
  for (std::size_t j = 0; j < model.integrality.size(); ++j) integer[j] = char(model.integrality[j]);
  std::vector<std::string> rows = model.row_names, cols = model.col_names;
  if (rows.empty())
    for (Eigen::Index i = 0; i < model.rows(); ++i) rows.push_back("R" + std::to_string(i));
  if (cols.empty())
    for (Eigen::Index j = 0; j < model.cols(); ++j) cols.push_back("C" + std::to_string(j));
  mps.setMpsData(coin::to_packed(model.A), COIN_DBL_MAX, cl.data(), cu.data(), model.objective.data(),
                 integer.data(), rl.data(), ru.data(), cols, rows);
  mps.setProblemName(model.name.empty() ? "streamml" : model.name.c_str());
  mps.setObjectiveOffset(-model.objective_offset);
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  const int status = mps.writeMps(path.c_str(), gz ? 1 : 0, 1);
  STREAMML_CHECK(status == 0, Io, "cannot write MPS file '" << path << "' (" << handler.last_messages() << ")");
}

}  // namespace streamml
