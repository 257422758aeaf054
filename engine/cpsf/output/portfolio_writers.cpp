#include "cpsf/output/portfolio_writers.hpp"

#include <cmath>
#include <cstdio>

#include "cpsf/base/terminal.hpp"
#include "cpsf/output/csv.hpp"
#include "cpsf/output/json_writer.hpp"

namespace cpsf {

namespace {

std::string fmt(double x, const char* spec = "%.6g") {
  if (std::isnan(x)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}

void write_estimate(JsonWriter& w, const LossEstimate& e) { write_mean_stderr(w, e.mean, e.stderr_); }

const char* objective_name(const PortfolioResult& r) {
  return r.annual ? "annualised residual loss per year (every threat has an annual_frequency)"
                  : "residual loss per trial (main view)";
}

// "greedy": the greedy path at this budget, and where it ends.
void write_greedy(JsonWriter& w, const PortfolioResult& r) {
  w.key("greedy").begin_object();
  w.key("loss");
  write_estimate(w, r.greedy_loss);
  w.key("steps").begin_array();
  for (const auto& s : r.greedy) {
    w.begin_object();
    w.key("control").string(s.control);
    w.key("control_cost").number(s.control_cost);
    w.key("cost").number(s.cost);
    w.key("loss");
    write_estimate(w, s.loss);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_marginal(JsonWriter& w, const PortfolioResult& r) {
  w.key("marginal").begin_array();
  for (const auto& m : r.marginal) {
    w.begin_object();
    w.key("control").string(m.control);
    w.key("cost").number(m.cost);
    w.key("chosen").boolean(m.chosen);
    w.key("value").number(m.value);
    w.key("stderr").number(m.stderr_);
    w.key("value_per_cost").number(m.value_per_cost);
    w.end_object();
  }
  w.end_array();
}

void write_frontier(JsonWriter& w, const PortfolioResult& r) {
  w.key("frontier").begin_array();
  for (const auto& f : r.frontier) {
    w.begin_object();
    w.key("budget").number(f.budget);
    w.key("cost").number(f.cost);
    w.key("loss");
    write_estimate(w, f.loss);
    w.key("chosen").strings(f.chosen);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string portfolio_json(const PortfolioResult& r, const OutputContext& context) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_format_and_engine(w, "cpsf.optimise.v1");
  write_scenario(w, context);
  w.key("generator").string("philox4x32-10");
  w.key("seed").count(r.seed);
  w.key("trials").count(r.trials);
  w.key("horizon");
  r.horizon ? w.number(*r.horizon) : w.null();
  w.key("objective").string(r.annual ? "annual" : "per-trial");
  w.key("objective_description").string(objective_name(r));
  w.key("method").string(portfolio_method_name(r.method));
  w.key("budget").number(r.budget);
  w.key("candidates").begin_array();
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    w.begin_object();
    w.key("id").string(r.candidates[i]);
    w.key("cost").number(r.candidate_cost[i]);
    w.end_object();
  }
  w.end_array();
  w.key("total_cost").number(r.total_cost);
  w.key("chosen").strings(r.chosen);
  w.key("cost").number(r.cost);
  const std::pair<const char*, LossEstimate> losses[] = {
      {"loss", r.loss}, {"loss_none", r.none}, {"loss_all", r.all}, {"reduction", {r.reduction, r.reduction_stderr}}};
  for (const auto& [name, e] : losses) {
    w.key(name);
    write_estimate(w, e);
  }
  write_greedy(w, r);
  write_marginal(w, r);
  write_frontier(w, r);
  w.key("simulations").count(r.simulations);
  w.end_object();
  out += '\n';
  return out;
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
