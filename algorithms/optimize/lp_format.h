// streamml's own reader of the CPLEX LP format (what CPLEX writes and CoinLpIO reads), so an
// LP file of any content is read without handing it to CoinLpIO, which corrupts memory on some
// malformed text (CoinUtils 2.11: a negative memcpy in CoinLpIO::fscanfLpIO; issue 17).
//
//   \ comment to the end of the line (also '/' at the start of a word, as CoinLpIO reads it)
//   \* a block comment, which may span lines, closed by *\ (a star, then a backslash)
//   Minimize | Maximize (Min, Max, Minimise, Maximise, Minimum, Maximum)
//    [name:] 3 x + 2 y - z + 4          objective; a constant term is the objective offset
//   Subject To (such that, st, s.t.)
//    [name:] x + y <= 4                  <=, =<, <, >=, =>, >, =; the right-hand side a number
//    [name:] -2 <= x - y <= 5            a ranged row
//   Bounds
//    x >= 1 | x <= 4 | 1 <= x <= 4 | 4 >= x >= 1 | x = 3 | x free | -inf <= x   (inf, infinity)
//   Generals | Integers (General, Integer, Gen)     names, any number per line
//   Binaries (Binary, Bin)                          integer, bounds narrowed to [0, 1]
//   End
//
// Keywords are case-insensitive and start a section only as the first word of a line. Columns
// are numbered in order of first appearance (objective, rows, then bounds and integer
// sections, where a new name adds a column, as CPLEX does); unnamed rows are "cons<k>" and
// repeated terms of one column in a row or the objective are added (CPLEX). Default bounds are
// [0, +inf). Names are at most 255 characters of letters, digits and !"#$%&()/,.;?@_`'{}|~
// (not starting with a digit or '.'). "Maximize" is read as the minimisation of the negated
// objective (model_io.h).
//
// Refused with Error(InvalidInput) naming the source, the line and the problem: quadratic
// terms, semi-continuous variables and SOS sections (LpModel holds none of them), more than
// one objective, duplicate row names, a row without comparison or right-hand side, numbers out
// of double's range, anything else the grammar above does not produce.
#pragma once

#include <string>
#include <string_view>

#include "algorithms/optimize/lp_model.h"

namespace streamml {

// `text` is the file's content; `source` names it in messages ("LP file 'm.lp'").
LpModel parse_lp(std::string_view text, const std::string& source);

}  // namespace streamml
