// The one CSV writer: every CSV the engine writes (assets.csv, losses.csv, enterprises.csv,
// paths.csv, chokepoints.csv, compare.csv, frontier.csv, the inventory) appends its cells
// through these functions (docs/results-format.md, "CSV files").
//
// Text cells hold ids and names from the scenario. They are quoted per RFC 4180 when they
// hold a comma, a quote (doubled), CR or LF. A text cell that a spreadsheet would read as
// a formula (it starts with =, +, -, @, tab or CR; `=cmd|' /C calc'!A0` runs a program) is
// written with a leading apostrophe, as OWASP recommends, and so is one that starts with
// an apostrophe itself: one leading ' is always the writer's, and dropping it gives the
// text back exactly. Numbers are the engine's own and are written as numbers (a negative
// number stays a number).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cpsf::csv {

// Appends a text cell (in place: the writers append 10^6 rows without temporaries).
void text(std::string& out, std::string_view s);
// Appends a number in the fewest significant digits that read back to the same double
// (0.3007, not printf's %.17g 0.30070000000000002), written out in plain decimals when
// 1e-5 <= |x| < 1e15 (2400000, 0.00012) and with an exponent otherwise (1.5e-07, 2e+20);
// nothing when not finite. Every number of every CSV, the inventory's included.
void number(std::string& out, double x);
void count(std::string& out, std::uint64_t x);
// Appends a list of ids as one text cell holding a JSON array of strings, UTF-8 as it is:
// ["c1;c2","c3"]. A spreadsheet shows it as written; json.loads reads it back.
void list(std::string& out, const std::vector<std::string>& items);

}  // namespace cpsf::csv
