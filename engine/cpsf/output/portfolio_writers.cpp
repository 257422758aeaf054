#include "cpsf/output/portfolio_writers.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "cpsf/base/terminal.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/output/csv.hpp"

namespace cpsf {

namespace {

std::string fmt(double x, const char* spec = "%.6g") {
  if (std::isnan(x)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}

nlohmann::ordered_json number(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json estimate_json(const LossEstimate& e) {
  return {{"mean", number(e.mean)}, {"stderr", number(e.stderr_)}};
}

const char* objective_name(const PortfolioResult& r) {
  return r.annual ? "annualised residual loss per year (every threat has an annual_frequency)"
                  : "residual loss per trial (main view)";
}

}  // namespace

std::string portfolio_json(const PortfolioResult& r, const OutputContext& context) {
  nlohmann::ordered_json j;
  j["format"] = "cpsf.optimise.v1";
  j["engine"] = {{"version", kEngineVersion},
                 {"schema", kSchemaVersion},
                 {"git_revision", kGitRevision},
                 {"semantics", "attack-step semantics v1 (DESIGN §4)"}};
  j["scenario"] = {{"file", context.scenario_file}, {"name", context.scenario_name}, {"currency", context.currency}};
  j["generator"] = "philox4x32-10";
  j["seed"] = r.seed;
  j["trials"] = r.trials;
  j["horizon"] = r.horizon ? nlohmann::ordered_json(*r.horizon) : nlohmann::ordered_json(nullptr);
  j["objective"] = r.annual ? "annual" : "per-trial";
  j["objective_description"] = objective_name(r);
  j["method"] = portfolio_method_name(r.method);
  j["budget"] = r.budget;
  auto& candidates = j["candidates"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    candidates.push_back({{"id", r.candidates[i]}, {"cost", r.candidate_cost[i]}});
  }
  j["total_cost"] = r.total_cost;
  j["chosen"] = r.chosen;
  j["cost"] = r.cost;
  j["loss"] = estimate_json(r.loss);
  j["loss_none"] = estimate_json(r.none);
  j["loss_all"] = estimate_json(r.all);
  j["reduction"] = estimate_json({r.reduction, r.reduction_stderr});
  auto& greedy = j["greedy"];
  greedy["loss"] = estimate_json(r.greedy_loss);
  auto& steps = greedy["steps"] = nlohmann::ordered_json::array();
  for (const auto& s : r.greedy) {
    steps.push_back(
        {{"control", s.control}, {"control_cost", s.control_cost}, {"cost", s.cost}, {"loss", estimate_json(s.loss)}});
  }
  auto& marginal = j["marginal"] = nlohmann::ordered_json::array();
  for (const auto& m : r.marginal) {
    marginal.push_back({{"control", m.control},
                        {"cost", m.cost},
                        {"chosen", m.chosen},
                        {"value", number(m.value)},
                        {"stderr", number(m.stderr_)},
                        {"value_per_cost", number(m.value_per_cost)}});
  }
  auto& frontier = j["frontier"] = nlohmann::ordered_json::array();
  for (const auto& f : r.frontier) {
    frontier.push_back({{"budget", f.budget}, {"cost", f.cost}, {"loss", estimate_json(f.loss)}, {"chosen", f.chosen}});
  }
  j["simulations"] = r.simulations;
  return j.dump(1) + "\n";
}

std::string frontier_csv(const PortfolioResult& r) {
  std::string out = "budget,cost,loss,stderr,chosen\n";
  for (const auto& f : r.frontier) {
    for (const double x : {f.budget, f.cost, f.loss.mean, f.loss.stderr_}) {
      csv::number(out, x);
      out += ',';
    }
    csv::list(out, f.chosen);  // ids may hold any separator: a JSON array
    out += '\n';
  }
  return out;
}

std::string portfolio_text(const PortfolioResult& r, const OutputContext& context) {
  // Control ids, names and the currency are the scenario's: escaped (pad_right escapes
  // too), and the table's id column padded by display width, long ids cut ("…").
  std::string out;
  const auto line = [&](const std::string& s) { out += s + "\n"; };
  const auto ids = [](const std::vector<std::string>& list) {
    std::string joined;
    for (const auto& id : list) joined += (joined.empty() ? "" : ", ") + terminal_safe(id);
    return joined;
  };
  const std::string unit = context.currency.empty() ? "" : " " + terminal_safe(context.currency);
  const std::string per = !r.annual ? unit : unit.empty() ? std::string(" per year") : unit + "/year";
  const auto est = [](const LossEstimate& e) { return fmt(e.mean) + " ± " + fmt(e.stderr_, "%.3g"); };
  line("Control portfolio" + (context.scenario_name.empty() ? "" : " for " + terminal_safe(context.scenario_name)) +
       ": " + portfolio_method_name(r.method) + " search over " + std::to_string(r.candidates.size()) +
       " candidates, budget " + fmt(r.budget) + unit);
  line("objective: " + std::string(objective_name(r)) + "; " + std::to_string(r.trials) + " trials, seed " +
       std::to_string(r.seed) + ", common random numbers; " + std::to_string(r.simulations) + " simulations");
  line("loss with no candidate     " + est(r.none) + per);
  line("loss with every candidate  " + est(r.all) + per + "  (cost " + fmt(r.total_cost) + unit + ")");
  line("loss with the chosen set   " + est(r.loss) + per + "  (cost " + fmt(r.cost) + unit + ")");
  line("the chosen set removes     " + fmt(r.reduction) + " ± " + fmt(r.reduction_stderr, "%.3g") + per +
       " (paired SE)");
  line("chosen: " + (r.chosen.empty() ? std::string("(none)") : ids(r.chosen)));
  if (r.method == PortfolioMethod::Exact && r.greedy_loss.mean != r.loss.mean) {
    line("(greedy would reach " + est(r.greedy_loss) + per + ")");
  }
  char buf[512];
  line("marginal value with respect to the chosen set (loss removed by the control, the others as chosen):");
  const std::size_t w = column_width(r.marginal, 30, [](const MarginalValue& m) { return m.control; });
  std::snprintf(buf, sizeof buf, " %12s %6s %12s %10s %12s", "cost", "chosen", "value", "SE", "value/cost");
  line("  " + pad_right("control", w) + buf);
  for (const auto& m : r.marginal) {
    std::snprintf(buf, sizeof buf, " %12s %6s %12s %10s %12s", fmt(m.cost).c_str(), m.chosen ? "yes" : "no",
                  fmt(m.value).c_str(), fmt(m.stderr_, "%.3g").c_str(), fmt(m.value_per_cost, "%.4g").c_str());
    line("  " + pad_right(m.control, w) + buf);
  }
  if (!r.frontier.empty()) {
    line("efficient frontier (" + std::string(portfolio_method_name(r.method)) + "):");
    std::snprintf(buf, sizeof buf, "  %12s %12s %12s %10s  %s", "budget", "cost", "loss", "SE", "chosen");
    line(buf);
    for (const auto& f : r.frontier) {
      std::snprintf(buf, sizeof buf, "  %12s %12s %12s %10s  ", fmt(f.budget).c_str(), fmt(f.cost).c_str(),
                    fmt(f.loss.mean).c_str(), fmt(f.loss.stderr_, "%.3g").c_str());
      line(buf + (f.chosen.empty() ? std::string("(none)") : ids(f.chosen)));
    }
  }
  return out;
}

}  // namespace cpsf
