#include "cpsf/output/run_summary.hpp"

#include <algorithm>

#include "cpsf/base/terminal.hpp"
#include "cpsf/output/layer_element.hpp"
#include "cpsf/output/text_format.hpp"

namespace cpsf {

// Ids and names are the scenario's: every one goes through terminal_safe (pad_right
// escapes too), and table columns are padded by display width.

namespace {

// The run, the view and the loss per trial (controls off, annualised, cascade).
void add_losses(std::string& out, const SimulationResult& r, const Estimates& est, const OutputContext& ctx) {
  const std::string currency = terminal_safe(ctx.currency);
  const char* cur = currency.c_str();
  out += terminal_safe(ctx.scenario_name.empty() ? ctx.scenario_file : ctx.scenario_name);
  out += format(": %llu trials%s%s, seed %llu\n", static_cast<unsigned long long>(r.trials),
                r.partial ? " (PARTIAL: interrupted)" : "", r.stopped_by_precision ? " (target precision reached)" : "",
                static_cast<unsigned long long>(r.seed));
  out += "one trial: " +
         (r.combined ? std::string("every threat attacks once (a simulated campaign; \"per trial\" below)")
                     : "one attack by '" + terminal_safe(r.threats.front().id) + "'") +
         "\n";
  const LossSummary& l = est.loss;
  out += format("loss per trial      mean %s %s ± %s (standard error; 95%% interval %s – %s)\n", money(l.mean).c_str(),
                cur, money(l.stderr_).c_str(), money(l.ci95.low).c_str(), money(l.ci95.high).c_str());
  out += format(
      "  1 trial in 20 loses at least %s (VaR95), 1 in 100 at least %s (VaR99); the worst 1%% lose %s on "
      "average (ES99)\n",
      money(l.var95).c_str(), money(l.var99).c_str(), money(l.es99).c_str());
  if (r.has_inherent) {
    out +=
        format("without controls    mean %s %s; the controls remove %s ± %s\n", money(est.inherent_loss.mean).c_str(),
               cur, money(est.removed_mean).c_str(), money(est.removed_stderr).c_str());
  }
  if (est.annual) {
    out += format("per year            mean %s %s ± %s; the 1-in-100-year loss is %s (VaR99 of the annual loss)\n",
                  money(est.annual->mean).c_str(), cur, money(est.annual->stderr_).c_str(),
                  money(est.annual->var99).c_str());
  }
  if (r.has_production) {
    out += format(
        "of which cascade    mean %s %s ± %s (production lost through supply dependencies, %.1f%% of the loss)\n",
        money(est.cascade_mean).c_str(), cur, money(est.cascade_stderr).c_str(),
        est.loss.mean > 0 ? 100.0 * est.cascade_mean / est.loss.mean : 0.0);
  }
}

// Each enterprise's direct, cascade and total mean loss.
void add_enterprises(std::string& out, const Model& m, const Estimates& est) {
  out += "enterprises (mean loss per trial):\n";
  const std::size_t w = column_width(m.enterprise_id, 16, [](const std::string& id) { return id; });
  out += "  " + pad_right("enterprise", w);
  out += format(" %14s %14s %14s\n", "direct", "cascade", "total");
  for (std::size_t e = 0; e < est.enterprises.size(); ++e) {
    const auto& re = est.enterprises[e];
    out += "  " + pad_right(m.enterprise_id[e], w);
    out += format(" %14s %14s %14s\n", money(re.direct_mean).c_str(), money(re.cascade_mean).c_str(),
                  money(re.residual.mean).c_str());
  }
}

// The riskiest assets by expected loss, then targets.
void add_assets(std::string& out, const Model& m, const Estimates& est) {
  std::vector<const AssetEstimates*> order;
  for (const auto& a : est.assets) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(), [&](const AssetEstimates* a, const AssetEstimates* b) {
    return expected_own_loss(m, *a) > expected_own_loss(m, *b);
  });
  if (order.size() > 10) order.resize(10);
  out += "assets by expected loss (top 10):\n";
  const std::size_t w_asset = column_width(order, 28, [&](const AssetEstimates* a) { return m.asset_id[a->index]; });
  out += "  " + pad_right("asset", w_asset);
  out += format(" %10s  %-21s %10s %12s\n", "P(comp.)", "95% CI", "mean days", "exp. loss");
  for (const AssetEstimates* a : order) {
    out += "  " + pad_right(m.asset_id[a->index], w_asset);
    out += format(" %10.5f  [%8.5f, %8.5f] %10.3g %12s%s\n", a->p, a->ci95.low, a->ci95.high, a->mean_time,
                  money(expected_own_loss(m, *a)).c_str(), m.asset_target[a->index] ? "  (target)" : "");
  }
}

// The most frequent path to each tracked asset.
void add_paths(std::string& out, const Model& m, const Estimates& est) {
  if (est.paths.targets.empty()) return;
  out += "most frequent attack path to each target:\n";
  const std::size_t w = column_width(est.paths.targets, 24, [&](const auto& t) { return m.asset_id[t.target]; });
  for (const auto& t : est.paths.targets) {
    out += "  " + pad_right(m.asset_id[t.target], w);
    if (t.top.empty()) {
      out += " never reached\n";
      continue;
    }
    std::string chain;
    for (const std::uint32_t a : t.top[0].assets) chain += (chain.empty() ? "" : " > ") + terminal_safe(m.asset_id[a]);
    out += format(" %5.1f%% of %llu falls: ", 100.0 * t.top[0].share,
                  static_cast<unsigned long long>(t.compromised_trials));
    out += chain + "\n";
  }
}

// The relation cut and depth of each reachable (threat, target).
void add_chokepoints(std::string& out, const Model& m, const Estimates& est) {
  if (est.chokepoints.empty()) return;
  out += "chokepoints (residual weaknesses; cut = fewest relations that cut every path, depth = fewest steps):\n";
  const std::size_t w_threat = column_width(est.chokepoints, 18, [](const auto& tc) { return tc.threat; });
  std::size_t w_target = 24;
  for (const auto& tc : est.chokepoints) {
    w_target = std::max(w_target, column_width(tc.targets, 24, [&](const auto& c) { return m.asset_id[c.target]; }));
  }
  for (const auto& tc : est.chokepoints) {
    for (const auto& c : tc.targets) {
      if (!c.reachable) continue;
      out += "  " + pad_right(tc.threat, w_threat) + " " + pad_right(m.asset_id[c.target], w_target);
      if (c.entry) {
        out += " is an entry point: no relation cut protects it\n";
        continue;
      }
      std::string cut;
      for (const std::uint32_t rel : c.cut_relations) {
        cut += (cut.empty() ? "" : ", ") + terminal_safe(est.relation_labels(rel));
      }
      out += format(" cut %u, depth %u%s: ", c.cut_size, c.depth, c.exact ? "" : " (upper bound: ALL gate)");
      out += cut + "\n";
    }
  }
}

// The layer × element table: each cell's whole loss (its assets' own losses and the
// production and cascade losses attributed to their fall, docs/methods.md §8.1) and its
// share of the loss; the cells add up to the mean loss.
void add_layer_element(std::string& out, const Estimates& est) {
  out += "loss by layer x element (mean per trial, own + production + cascade; share of the loss):\n     ";
  for (const char* element : kElementNames) out += format(" %17s", element);
  out += "\n";
  for (std::size_t l = 0; l < 3; ++l) {
    out += format("  %s ", kLayerNames[l]);
    for (std::size_t e = 0; e < 6; ++e) {
      const LayerElementCell& cell = est.cells[l * 6 + e];
      out += format(" %10.4g (%3.0f%%)", cell.mean, 100.0 * cell.share);
    }
    out += "\n";
  }
}

}  // namespace

std::string text_summary(const Model& m, const SimulationResult& r, const Estimates& est, const OutputContext& ctx) {
  std::string out;
  add_losses(out, r, est, ctx);
  if (r.has_production) add_enterprises(out, m, est);
  add_assets(out, m, est);
  add_paths(out, m, est);
  add_chokepoints(out, m, est);
  add_layer_element(out, est);
  return out;
}

}  // namespace cpsf
