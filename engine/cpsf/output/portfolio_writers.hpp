// The files of `cpsf optimise` (docs/results-format.md): optimise.json, frontier.csv and
// the table it prints.
#pragma once

#include <string>
#include <vector>

#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// optimise.json (deterministic: no time stamps, no thread count), frontier.csv, and a
// readable table for the terminal.
std::string portfolio_json(const PortfolioResult& result, const OutputContext& context);
std::string frontier_csv(const PortfolioResult& result);
std::string portfolio_text(const PortfolioResult& result, const OutputContext& context);
// What to warn about, one sentence each (no prefix): under the loss goal, a chosen set that
// costs more a year than it removes, naming the net-benefit goal.
std::vector<std::string> portfolio_warnings(const PortfolioResult& result, const std::string& currency);

}  // namespace cpsf
