// Models from and to files, through COIN-OR CoinUtils' own readers and writer.
//
//   read_mps: fixed or free MPS (CoinMpsIO), plain or gzip-compressed (".gz"). CoinUtils 2.11
//     ignores an OBJSENSE section; streamml does not: OBJSENSE MAX is read as the minimisation
//     of the negated objective (the same reformulation CoinLpIO applies to an LP file's
//     "Maximize"), so the objective solve() reports is the negated maximum.
//   read_lp: CPLEX LP format, by streamml's own reader (lp_format.h: CoinLpIO corrupts memory on
//     some malformed text); "Maximize" is read as above.
//   write_mps: MPS with extra accuracy (CoinMpsIO format 1), gzip-compressed when the name ends
//     in ".gz"; names are kept (R0000000 / C0000000 when the model has none).
// Integer columns come from MARKER INTORG sections / an LP file's General and Binary sections.
// A missing or unreadable file is Error(Io); a file that is not a model, Error(InvalidInput)
// quoting the reader's message (an LP file's: the line and the problem). Every model read is validate()d.
#pragma once

#include <string>

#include "algorithms/optimize/lp_model.h"

namespace streamml {

LpModel read_mps(const std::string& path);
LpModel read_lp(const std::string& path);
void write_mps(const LpModel& model, const std::string& path);

}  // namespace streamml
