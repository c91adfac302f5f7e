// Models from and to files. Both readers are streamml's own (a file of any content is read
// without handing it to CoinUtils 2.11's readers, which crash or corrupt memory on some
// malformed input: issue 17); the writer is CoinMpsIO's.
//
//   read_mps: fixed or free MPS (mps_format.h), plain or gzip-compressed (recognised by its
//     content). OBJSENSE MAX is read as the minimisation of the negated objective (the
//     reformulation CoinLpIO applies to an LP file's "Maximize"), so the objective solve()
//     reports is the negated maximum.
//   read_lp: CPLEX LP format (lp_format.h), plain or gzip-compressed; "Maximize" as above.
//   write_mps: MPS with extra accuracy (CoinMpsIO format 1), gzip-compressed when the name ends
//     in ".gz"; names are kept (R0000000 / C0000000 when the model has none).
// Integer columns come from MARKER INTORG sections (and BV/LI/UI bounds) / an LP file's General
// and Binary sections. A missing or unreadable file is Error(Io); a file that is not a model,
// Error(InvalidInput) naming the file, the line and the problem. Every model read is validate()d.
#pragma once

#include <string>

#include "algorithms/optimize/lp_model.h"

namespace streamml {

LpModel read_mps(const std::string& path);
LpModel read_lp(const std::string& path);
void write_mps(const LpModel& model, const std::string& path);

}  // namespace streamml
