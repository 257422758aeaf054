// The files of `cpsf compare` (docs/results-format.md): compare.json, compare.csv,
// compare-profile.csv and the table it prints; the chart is the HTML report's (report_html.hpp).
#pragma once

#include <string>

#include "cpsf/analysis/compare.hpp"

namespace cpsf {

// compare.json (deterministic: no time stamps, no thread count), compare.csv (one line a
// row) and a terminal table.
std::string compare_json(const CompareResult& result);
std::string compare_csv(const CompareResult& result);
std::string compare_text(const CompareResult& result);
// compare-profile.csv: each row's sector profile in long format, one line per scenario ×
// baseline × layer × element: its mean loss (own, production and cascade attributed,
// docs/methods.md §8.1), standard error, share of the row's loss and its interval.
std::string compare_profile_csv(const CompareResult& result);

}  // namespace cpsf
