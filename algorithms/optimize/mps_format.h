// streamml's own reader of the MPS format (fixed or free; what CoinMpsIO reads and writes), so
// an MPS file of any content is read without handing it to CoinMpsIO, whose card reader
// dereferences a null pointer on some malformed cards (CoinUtils 2.11; fuzz_mps_model, issue 17).
//
//   NAME  name                                   optional; the first word is the name, the rest
//                                                a comment (or free MPS's FREE), as CoinMpsIO reads it
//   OBJSENSE [MAX|MIN]   OBJNAME [row]           optional, before ROWS; the value on the same
//                                                card (free MPS) or the next card
//   ROWS       N|E|L|G name                      the first N row (or OBJNAME's) is the objective;
//                                                other N rows are free rows, dropped with their
//                                                entries (as CoinMpsIO does)
//   COLUMNS    column row value [row value]      a column's entries together; integer columns
//              name 'MARKER' 'INTORG' ... name 'MARKER' 'INTEND'   (an open one ends with COLUMNS)
//   RHS        [set] row value [row value]       right-hand sides (default 0); on the objective
//                                                row, minus the objective's constant
//   RANGES     [set] row value [row value]       E: [b, b+R] for R > 0, [b+R, b] for R < 0;
//                                                L: [b-|R|, b]; G: [b, b+|R|]
//   BOUNDS     type [set] column [value]         UP LO FX FR MI PL BV LI UI
//   ENDATA
//
// Cards are split at blanks (fixed-format files whose names hold no blanks read the same); a
// card starting in column 1 opens a section, others are data; '*' in column 1 starts a
// comment card. Section names and types are case-insensitive. Bounds follow CoinMpsIO: default
// [0, +inf); UP with a negative value and no lower bound makes the lower bound -inf; bound
// values above 1e25 (below -1e25) are infinite; an integer column without any bound card is
// binary, [0, 1] (IBM's MPSX convention, which CoinMpsIO keeps); BV's value, if any, is unused.
// Numbers are read correctly rounded (fast_float; CoinMpsIO's own conversion can be an ulp off).
// Exact zeros are dropped from the matrix. OBJSENSE MAX is read as the minimisation of the
// negated objective (model_io.h).
//
// Refused with Error(InvalidInput) naming the source, the line and the problem: bytes that are
// not printable ASCII, sections out of order or unknown, quadratic, conic, SOS, semi-continuous
// and indicator sections (an LpModel holds none), a card with the wrong number of fields, a
// number that is not one, names of unknown or repeated rows and columns, a column whose entries
// are not together, a second entry, right-hand side, range or bound of one kind for the same
// row or column, a second RHS, RANGES or BOUNDS set, and a file that ends before ENDATA.
#pragma once

#include <string>
#include <string_view>

#include "algorithms/optimize/lp_model.h"

namespace streamml {

// `text` is the file's content; `source` names it in messages ("MPS file 'm.mps'").
LpModel parse_mps(std::string_view text, const std::string& source);

}  // namespace streamml
