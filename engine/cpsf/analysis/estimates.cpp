#include "cpsf/analysis/estimates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxThresholds = 64;

std::vector<double> default_thresholds(std::span<const double> sorted) {
  std::vector<double> distinct;
  for (const double x : sorted) {
    if (distinct.empty() || distinct.back() != x) distinct.push_back(x);
    if (distinct.size() > kMaxThresholds) break;
  }
  if (distinct.size() <= kMaxThresholds) return distinct;
  std::vector<double> t{0.0};
  const auto first_positive = std::upper_bound(sorted.begin(), sorted.end(), 0.0);
  const std::span<const double> positive(first_positive, sorted.end());
  for (std::size_t k = 0; k + 1 < kMaxThresholds; ++k) {
    const double q = quantile(positive, static_cast<double>(k) / static_cast<double>(kMaxThresholds - 2));
    if (q != t.back()) t.push_back(q);
  }
  return t;
}

// `view_annual_hits`: the years each asset fell in (the main view of an annualised run), or empty.
AssetEstimates asset_estimates(std::uint32_t v, const ViewResult& view, bool inherent, std::uint64_t trials,
                               std::span<const std::uint64_t> view_annual_hits = {}) {
  AssetEstimates a;
  a.index = v;
  a.hits = view.residual.hits[v];
  a.p = trials ? static_cast<double>(a.hits) / static_cast<double>(trials) : kNoEstimate;
  a.ci95 = trials ? wilson_interval(a.hits, trials) : Interval{kNoEstimate, kNoEstimate};
  if (a.hits > 0) {
    const double n = static_cast<double>(a.hits);
    const double sum = static_cast<double>(view.residual.time_sum[v]) / kTimeScale;
    const double square = static_cast<double>(view.residual.time_square[v]) / kTimeScale;
    a.mean_time = sum / n;
    a.sd_time = a.hits > 1 ? std::sqrt(std::max(0.0, (square - sum * sum / n) / (n - 1))) : kNaN;
  } else {
    a.mean_time = a.sd_time = kNaN;
  }
  if (!view_annual_hits.empty()) {
    AssetEstimates::Annual y;
    y.years = view_annual_hits[v];
    if (trials) {
      y.p = static_cast<double>(y.years) / static_cast<double>(trials);
      y.ci95 = wilson_interval(y.years, trials);
    }
    a.annual = y;
  }
  if (inherent) {
    a.inherent_hits = view.inherent.hits[v];
    a.inherent_p = trials ? static_cast<double>(a.inherent_hits) / static_cast<double>(trials) : kNoEstimate;
    a.inherent_ci95 = trials ? wilson_interval(a.inherent_hits, trials) : Interval{kNoEstimate, kNoEstimate};
  }
  return a;
}

}  // namespace

LossSummary summarise_losses(std::span<const double> losses) {
  const auto sorted = sorted_copy(losses);
  return summarise_losses(losses, default_thresholds(sorted));
}

LossSummary summarise_losses(std::span<const double> losses, std::span<const double> thresholds) {
  LossSummary s;
  if (losses.empty()) return s;
  const auto sorted = sorted_copy(losses);
  const double n = static_cast<double>(losses.size());
  s.mean = mean(losses);
  s.stderr_ = losses.size() > 1 ? standard_error(losses) : kNaN;
  s.ci95 = {s.mean - kZ95 * s.stderr_, s.mean + kZ95 * s.stderr_};
  s.var95 = value_at_risk(sorted, 0.95);
  s.var99 = value_at_risk(sorted, 0.99);
  s.es99 = expected_shortfall(sorted, 0.99);
  s.max = sorted.back();
  for (const double t : thresholds) {
    const double p = exceedance_probability(sorted, t);
    s.exceedance.push_back({t, p, std::sqrt(p * (1 - p) / n)});
  }
  return s;
}

namespace {

// With no trial (cancelled before the first round) every estimate is kNoEstimate (null),
// not 0; the ids, counts and structure are all there.
double mean_of(std::span<const double> x) { return x.empty() ? kNoEstimate : mean(x); }
double stderr_of(std::span<const double> x) { return x.size() > 1 ? standard_error(x) : kNaN; }

// Exact arrival-time quantiles for the tracked assets.
void estimate_time_quantiles(const SimulationResult& r, Estimates& est) {
  for (std::size_t k = 0; k < r.tracked.size(); ++k) {
    std::vector<double> times;
    for (std::uint64_t j = 0; j < r.trials; ++j) {
      const double t = r.tracked_arrival[j * r.tracked.size() + k];
      if (!std::isnan(t)) times.push_back(t);
    }
    if (times.empty()) continue;
    std::sort(times.begin(), times.end());
    est.assets[r.tracked[k]].time_quantiles =
        std::array<double, 3>{quantile(times, 0.5), quantile(times, 0.9), quantile(times, 0.99)};
  }
}

// The main view's loss, and with a controls-off run its loss and what the controls remove.
void estimate_losses(const SimulationResult& r, Estimates& est) {
  const ViewResult& main = r.main();
  est.loss = summarise_losses(main.residual_loss);
  if (!r.has_inherent) return;
  est.inherent_loss = summarise_losses(main.inherent_loss);
  std::vector<double> removed(r.trials);
  for (std::uint64_t j = 0; j < r.trials; ++j) removed[j] = main.inherent_loss[j] - main.residual_loss[j];
  est.removed_mean = mean_of(removed);
  est.removed_stderr = stderr_of(removed);
}

// Each enterprise's direct and cascade loss, and the cascade loss of the whole chain.
void estimate_enterprises(const SimulationResult& r, Estimates& est) {
  std::vector<double> chain_cascade(r.trials, 0.0);
  for (std::size_t e = 0; e < r.enterprises; ++e) {
    std::vector<double> total(r.trials), direct(r.trials), cascaded(r.trials), inherent(r.has_inherent ? r.trials : 0);
    for (std::uint64_t j = 0; j < r.trials; ++j) {
      const std::size_t at = j * r.enterprises + e;
      direct[j] = r.enterprise_residual_loss[at];
      cascaded[j] = r.enterprise_residual_cascade[at];
      total[j] = direct[j] + cascaded[j];
      chain_cascade[j] += cascaded[j];
      if (r.has_inherent) inherent[j] = r.enterprise_inherent_loss[at] + r.enterprise_inherent_cascade[at];
    }
    Estimates::Enterprise out{summarise_losses(total), r.has_inherent ? mean_of(inherent) : kNaN};
    out.direct_mean = mean_of(direct);
    out.direct_stderr = stderr_of(direct);
    out.cascade_mean = mean_of(cascaded);
    out.cascade_stderr = stderr_of(cascaded);
    est.enterprises.push_back(std::move(out));
  }
  est.cascade_mean = mean_of(chain_cascade);
  est.cascade_stderr = stderr_of(chain_cascade);
}

// The chokepoints of every threat to the tracked assets, or the note that says why not.
void estimate_chokepoints(const Model& m, const SimulationResult& r, const EstimateOptions& options, Estimates& est) {
  using CP = EstimateOptions::Chokepoints;
  if (options.chokepoints == CP::Off) {
    est.chokepoints_note = "not computed (--chokepoints off)";
  } else if (options.chokepoints == CP::Auto && m.relation_count() > kChokepointAutoRelations) {
    est.chokepoints_note = "not computed: more than " + std::to_string(kChokepointAutoRelations) +
                           " relations (force with --chokepoints on)";
  } else if (r.tracked.empty()) {
    est.chokepoints_note = "no targets or objectives";
  } else {
    for (std::size_t k = 0; k < m.threats.size(); ++k) {
      est.chokepoints.push_back({m.threats[k].id, chokepoints(m, k, true, &r.tracked, options.threads)});
    }
  }
}

// The names of every relation the paths and chokepoints mention.
void name_relations(const Model& m, Estimates& est) {
  std::vector<std::uint32_t> named = relations_of(est.paths);
  for (const auto& tc : est.chokepoints) {
    for (const auto& c : tc.targets) named.insert(named.end(), c.cut_relations.begin(), c.cut_relations.end());
  }
  est.relation_labels = RelationLabels(m, named);
}

// The layer × element table of expected direct loss and expected compromised assets, and
// each cell's whole attributed loss.
void estimate_cells(const Model& m, const SimulationResult& r, Estimates& est) {
  est.cells = layer_element_profile(m, r);
  if (r.trials == 0) {  // empty cells too: an expected loss of no trial is not 0
    for (auto* cells : {&est.cell_loss, &est.cell_count}) {
      for (auto& row : *cells) std::fill(std::begin(row), std::end(row), kNoEstimate);
    }
  }
  for (const auto& a : est.assets) {
    const auto l = m.asset_layer[a.index], e = m.asset_element[a.index];
    if (l >= 3 || e >= 6) continue;  // not a cell: compile() refuses these, a hand-made Model may hold them
    est.cell_loss[l][e] += expected_own_loss(m, a);
    est.cell_count[l][e] += a.p;
  }
}

void estimate_threats(const Model& m, const SimulationResult& r, Estimates& est) {
  for (const auto& view : r.threats) {
    Estimates::Threat t;
    t.id = view.id;
    for (std::uint32_t v = 0; v < m.asset_count(); ++v) {
      t.assets.push_back(asset_estimates(v, view, r.has_inherent, r.trials));
    }
    t.loss = summarise_losses(view.residual_loss);
    if (r.has_inherent) t.inherent_mean = mean_of(view.inherent_loss);
    est.threats.push_back(std::move(t));
  }
}

}  // namespace

LayerElementProfile layer_element_profile(const Model& m, const SimulationResult& r) {
  LayerElementProfile cells;
  if (r.trials == 0 || r.cell_loss.size() != r.trials * kCells) return cells;
  for (auto& cell : cells) cell.own = 0.0;
  const std::vector<std::uint64_t>& hits = r.main().residual.hits;
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) {  // as estimate_cells adds them, in asset order
    const auto l = m.asset_layer[v], e = m.asset_element[v];
    const double p = static_cast<double>(hits[v]) / static_cast<double>(r.trials);
    if (l < 3 && e < 6) cells[static_cast<std::size_t>(l * 6 + e)].own += p * m.asset_loss[v];
  }
  const std::span<const double> total = r.main().residual_loss;
  const double loss_mean = mean(total);
  const double n = static_cast<double>(r.trials);
  std::vector<double> x(r.trials), d(r.trials);
  for (std::size_t c = 0; c < kCells; ++c) {
    LayerElementCell& cell = cells[c];
    for (std::uint64_t j = 0; j < r.trials; ++j) x[j] = r.cell_loss[j * kCells + c];
    cell.mean = mean(x);
    cell.stderr_ = stderr_of(x);
    cell.production = static_cast<double>(r.cell_production[c]) / kLossScale / n;
    cell.cascade = static_cast<double>(r.cell_cascade[c]) / kLossScale / n;
    if (!(loss_mean > 0.0)) {
      cell.share = 0.0;
      cell.share_ci95 = {0.0, 0.0};
      continue;
    }
    // Delta method for the ratio of means R = x̄ / L̄: Var(R) ≈ Var(x − R L) / (n L̄²).
    cell.share = cell.mean / loss_mean;
    for (std::uint64_t j = 0; j < r.trials; ++j) d[j] = x[j] - cell.share * total[j];
    const double se = stderr_of(d) / loss_mean;
    const double half = std::isfinite(se) ? kZ95 * se : 1.0;  // one trial: no information
    cell.share_ci95 = {std::clamp(cell.share - half, 0.0, 1.0), std::clamp(cell.share + half, 0.0, 1.0)};
  }
  return cells;
}

Estimates estimate(const Model& m, const SimulationResult& r, const EstimateOptions& options) {
  Estimates est;
  est.trials = r.trials;
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) {
    est.assets.push_back(asset_estimates(v, r.main(), r.has_inherent, r.trials, r.annual_hits));
  }
  estimate_time_quantiles(r, est);
  estimate_losses(r, est);
  estimate_enterprises(r, est);
  est.paths = summarise_paths(m, r, options.path_top_k);
  estimate_chokepoints(m, r, options, est);
  name_relations(m, est);
  estimate_cells(m, r, est);
  estimate_threats(m, r, est);
  if (r.has_annual) {
    est.annual = summarise_losses(r.annual_residual_loss);
    if (r.has_inherent) est.annual_inherent = summarise_losses(r.annual_inherent_loss);
  }
  return est;
}

}  // namespace cpsf
