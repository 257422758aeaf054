#include "cpsf/output/portfolio_writers.hpp"

#include <cmath>
#include <cstdio>

#include "cpsf/base/terminal.hpp"
#include "cpsf/output/csv.hpp"
#include "cpsf/output/json_writer.hpp"
#include "cpsf/output/text_format.hpp"

namespace cpsf {

namespace {

// An amount for people (text_format.hpp's money()); a ratio by `spec`.
std::string fmt(double x) { return money(x); }
std::string fmt(double x, const char* spec) {
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
    w.key("value_per_cost_stderr").number(m.value_per_cost_stderr);
    w.key("net");
    r.annual ? w.number(m.net) : w.null();
    w.key("alone");
    write_mean_stderr(w, m.alone, m.alone_stderr);
    w.key("pays");
    r.annual ? w.boolean(m.pays) : w.null();  // costs are annual: per-trial losses are no match
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

const char* goal_description(PortfolioGoal goal) {
  return goal == PortfolioGoal::Net ? "net (expected annual loss + annual cost of the chosen controls)"
                                    : "loss (expected residual loss)";
}

// The plain words on money: the chosen set's net benefit and no candidate paying for itself,
// both for annual losses only.
void money_lines(std::string& out, const PortfolioResult& r, const std::string& unit) {
  if (!r.annual) return;
  const std::string per = unit.empty() ? std::string(" per year") : unit + "/year";
  out += "net benefit of the chosen set " + fmt(r.reduction - r.cost) + " ± " + fmt(r.reduction_stderr) + per +
         " (loss removed − cost)\n";
  if (r.none_pays) {
    out += "no candidate pays for itself: none removes more loss a year on its own than it costs\n";
  }
}

// Each candidate's value with respect to the chosen set, per unit cost (with its SE), its
// net benefit, and whether it pays for itself on its own.
void marginal_table(std::string& out, const PortfolioResult& r) {
  char buf[512];
  out +=
      "marginal value with respect to the chosen set (loss removed by the control, the others as chosen; "
      "net = value − cost; pays: removes more than it costs on its own):\n";
  const std::size_t w = column_width(r.marginal, 30, [](const MarginalValue& m) { return m.control; });
  std::snprintf(buf, sizeof buf, " %12s %6s %12s %10s %11s %10s %12s %5s", "cost", "chosen", "value", "SE",
                "value/cost", "SE", "net", "pays");
  out += "  " + pad_right("control", w) + buf + "\n";
  for (const auto& m : r.marginal) {
    std::snprintf(buf, sizeof buf, " %12s %6s %12s %10s %11s %10s %12s %5s", fmt(m.cost).c_str(),
                  m.chosen ? "yes" : "no", fmt(m.value).c_str(), fmt(m.stderr_).c_str(),
                  fmt(m.value_per_cost, "%.4g").c_str(), fmt(m.value_per_cost_stderr, "%.3g").c_str(),
                  r.annual ? fmt(m.net).c_str() : "n/a",
                  !r.annual ? "n/a"
                  : m.pays  ? "yes"
                            : "no");
    out += "  " + pad_right(m.control, w) + buf + "\n";
  }
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
  w.key("goal").string(portfolio_goal_name(r.goal));
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
  w.key("net_benefit");  // what the chosen set removes less what it costs (paired SE)
  r.annual ? write_mean_stderr(w, r.reduction - r.cost, r.reduction_stderr) : w.null();
  w.key("none_pays");
  r.annual ? w.boolean(r.none_pays) : w.null();
  w.key("costs_more_than_removes");
  r.annual ? w.boolean(r.costs_more_than_removes) : w.null();
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
  const auto est = [](const LossEstimate& e) { return fmt(e.mean) + " ± " + fmt(e.stderr_); };
  line("Control portfolio" + (context.scenario_name.empty() ? "" : " for " + terminal_safe(context.scenario_name)) +
       ": " + portfolio_method_name(r.method) + " search over " + std::to_string(r.candidates.size()) +
       " candidates, budget " + fmt(r.budget) + unit);
  line("goal: " + std::string(goal_description(r.goal)) + "; objective: " + std::string(objective_name(r)) + "; " +
       std::to_string(r.trials) + " trials, seed " + std::to_string(r.seed) + ", common random numbers; " +
       std::to_string(r.simulations) + " simulations");
  line("loss with no candidate     " + est(r.none) + per);
  line("loss with every candidate  " + est(r.all) + per + "  (cost " + fmt(r.total_cost) + unit + ")");
  line("loss with the chosen set   " + est(r.loss) + per + "  (cost " + fmt(r.cost) + unit + ")");
  line("the chosen set removes     " + fmt(r.reduction) + " ± " + fmt(r.reduction_stderr) + per + " (paired SE)");
  line("chosen: " + (r.chosen.empty() ? std::string("(none)") : ids(r.chosen)));
  if (r.method == PortfolioMethod::Exact && r.greedy_loss.mean != r.loss.mean) {
    line("(greedy would reach " + est(r.greedy_loss) + per + ")");
  }
  money_lines(out, r, unit);
  marginal_table(out, r);
  char buf[512];
  if (!r.frontier.empty()) {
    line("efficient frontier (" + std::string(portfolio_method_name(r.method)) + "):");
    std::snprintf(buf, sizeof buf, "  %12s %12s %12s %10s  %s", "budget", "cost", "loss", "SE", "chosen");
    line(buf);
    for (const auto& f : r.frontier) {
      std::snprintf(buf, sizeof buf, "  %12s %12s %12s %10s  ", fmt(f.budget).c_str(), fmt(f.cost).c_str(),
                    fmt(f.loss.mean).c_str(), fmt(f.loss.stderr_).c_str());
      line(buf + (f.chosen.empty() ? std::string("(none)") : ids(f.chosen)));
    }
  }
  return out;
}

}  // namespace cpsf

namespace cpsf {

std::vector<std::string> portfolio_warnings(const PortfolioResult& r, const std::string& currency) {
  std::vector<std::string> out;
  if (r.goal != PortfolioGoal::Loss || !r.costs_more_than_removes) return out;
  const std::string unit = currency.empty() ? "" : " " + terminal_safe(currency);
  out.push_back("the chosen controls cost " + fmt(r.cost) + unit + " a year and remove " + fmt(r.reduction) + " ± " +
                fmt(r.reduction_stderr) + unit +
                " a year: they cost more than they remove (the loss goal spends the budget while a control removes "
                "any loss; the net-benefit goal, --goal net or goal=\"net\" in Python, minimises loss plus cost)");
  return out;
}

}  // namespace cpsf
