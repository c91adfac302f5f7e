#include "algorithms/optimize/model_io.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CoinError.hpp>
#include <CoinFileIO.hpp>
#include <CoinMpsIO.hpp>

#include "algorithms/optimize/coin_bridge.h"
#include "algorithms/optimize/lp_format.h"
#include "algorithms/optimize/mps_format.h"
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

// The whole file, decompressed when it is gzip (CoinFileInput recognises it by its content).
std::string read_all(const std::string& path, const char* what) {
  std::unique_ptr<CoinFileInput> in;
  try {
    in.reset(CoinFileInput::create(path));
  } catch (const CoinError& e) {
    STREAMML_FAIL(Io, what << " file '" << path << "' cannot be read: " << e.message());
  }
  std::string text;
  std::vector<char> block(1 << 16);
  for (int n; (n = in->read(block.data(), int(block.size()))) > 0;) text.append(block.data(), std::size_t(n));
  return text;
}

}  // namespace

LpModel read_mps(const std::string& path) {
  require_readable(path, "MPS");
  return parse_mps(read_all(path, "MPS"), "MPS file '" + path + "'");
}

LpModel read_lp(const std::string& path) {
  require_readable(path, "LP");
  return parse_lp(read_all(path, "LP"), "LP file '" + path + "'");
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
