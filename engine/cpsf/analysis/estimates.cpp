#include "cpsf/analysis/estimates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxThresholds = 64;

// Every distinct value when the histogram holds at most kMaxThresholds (each alone in its
// bin), else 0 and the low ends of the bins holding kMaxThresholds − 1 evenly spaced
// quantiles of the positive losses: values that occurred, at which P(L ≥ t) is exact.
std::vector<double> default_thresholds(const LogHistogram& h) {
  std::vector<double> t = h.distinct_values(kMaxThresholds);
  if (!t.empty() || h.count() == h.zeros()) return t;
  t.assign(1, 0.0);
  const std::uint64_t positive = h.count() - h.zeros();
  for (std::size_t k = 0; k + 1 < kMaxThresholds; ++k) {
    const double at = std::ceil(rank_position(positive, static_cast<double>(k) / (kMaxThresholds - 2)));
    const double q = h.positive_bin_min_at_rank(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(at)));
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

LossSummary summarise_losses(std::span<const double> losses) { return summarise_losses(loss_statistics_of(losses)); }

LossSummary summarise_losses(std::span<const double> losses, std::span<const double> thresholds) {
  return summarise_losses(loss_statistics_of(losses), thresholds);
}

LossSummary summarise_losses(const LossStatistics& losses) {
  return summarise_losses(losses, default_thresholds(losses.histogram));
}

LossSummary summarise_losses(const LossStatistics& losses, std::span<const double> thresholds) {
  LossSummary s;
  const LogHistogram& h = losses.histogram;
  if (losses.moments.n == 0) return s;
  const double n = static_cast<double>(losses.moments.n);
  s.mean = losses.moments.mean;
  s.stderr_ = losses.moments.n > 1 ? losses.moments.standard_error() : kNaN;
  s.ci95 = {s.mean - kZ95 * s.stderr_, s.mean + kZ95 * s.stderr_};
  s.var95 = h.quantile(0.95);
  s.var99 = h.quantile(0.99);
  s.es99 = h.expected_shortfall(0.99);
  s.max = h.max();
  for (const double t : thresholds) {
    const double p = h.count_at_or_above(t) / n;
    s.exceedance.push_back({t, p, std::sqrt(p * (1 - p) / n)});
  }
  return s;
}

namespace {

// With no trial (cancelled before the first round) every estimate is kNoEstimate (null),
// not 0; the ids, counts and structure are all there.
double mean_of(const MomentAccumulator& x) { return x.n == 0 ? kNoEstimate : x.mean; }
double stderr_of(const MomentAccumulator& x) { return x.n > 1 ? x.standard_error() : kNaN; }

// Arrival-time quantiles of the tracked assets, from their histograms.
void estimate_time_quantiles(const SimulationResult& r, Estimates& est) {
  for (std::size_t k = 0; k < r.tracked.size(); ++k) {
    const LogHistogram& times = r.stats.tracked_arrival[k];
    if (times.count() == 0) continue;
    est.assets[r.tracked[k]].time_quantiles =
        std::array<double, 3>{times.quantile(0.5), times.quantile(0.9), times.quantile(0.99)};
  }
}

// The main view's loss, and with a controls-off run its loss and what the controls remove.
void estimate_losses(const SimulationResult& r, Estimates& est) {
  est.loss = summarise_losses(r.stats.view_loss[r.main_slot()]);
  if (!r.has_inherent) return;
  est.inherent_loss = summarise_losses(r.stats.view_loss[r.main_slot() + 1]);
  est.removed_mean = mean_of(r.stats.removed);
  est.removed_stderr = stderr_of(r.stats.removed);
}

// Each enterprise's direct and cascade loss, and the cascade loss of the whole chain.
void estimate_enterprises(const SimulationResult& r, Estimates& est) {
  const RunStatistics& st = r.stats;
  for (std::size_t e = 0; e < r.enterprises; ++e) {
    Estimates::Enterprise out{summarise_losses(st.enterprise_loss[e]),
                              r.has_inherent ? mean_of(st.enterprise_inherent[e]) : kNaN};
    out.direct_mean = mean_of(st.enterprise_direct[e]);
    out.direct_stderr = stderr_of(st.enterprise_direct[e]);
    out.cascade_mean = mean_of(st.enterprise_cascade[e]);
    out.cascade_stderr = stderr_of(st.enterprise_cascade[e]);
    est.enterprises.push_back(std::move(out));
  }
  est.cascade_mean = mean_of(st.chain_cascade);
  est.cascade_stderr = stderr_of(st.chain_cascade);
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
  for (std::size_t k = 0; k < r.threats.size(); ++k) {
    const ViewResult& view = r.threats[k];
    Estimates::Threat t;
    t.id = view.id;
    for (std::uint32_t v = 0; v < m.asset_count(); ++v) {
      t.assets.push_back(asset_estimates(v, view, r.has_inherent, r.trials));
    }
    t.loss = summarise_losses(r.stats.view_loss[k * 2]);
    if (r.has_inherent) t.inherent_mean = mean_of(r.stats.view_loss[k * 2 + 1].moments);
    est.threats.push_back(std::move(t));
  }
}

}  // namespace

LayerElementProfile layer_element_profile(const Model& m, const SimulationResult& r) {
  LayerElementProfile cells;
  if (r.trials == 0) return cells;
  for (auto& cell : cells) cell.own = 0.0;
  const std::vector<std::uint64_t>& hits = r.main().residual.hits;
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) {  // as estimate_cells adds them, in asset order
    const auto l = m.asset_layer[v], e = m.asset_element[v];
    const double p = static_cast<double>(hits[v]) / static_cast<double>(r.trials);
    if (l < 3 && e < 6) cells[static_cast<std::size_t>(l * 6 + e)].own += p * m.asset_loss[v];
  }
  const double n = static_cast<double>(r.trials);
  for (std::size_t c = 0; c < kCells; ++c) {
    LayerElementCell& cell = cells[c];
    const CoMomentAccumulator& xy = r.stats.cells[c];
    const double loss_mean = xy.y.mean;
    cell.mean = xy.x.mean;
    cell.stderr_ = stderr_of(xy.x);
    cell.production = static_cast<double>(r.cell_production[c]) / kLossScale / n;
    cell.cascade = static_cast<double>(r.cell_cascade[c]) / kLossScale / n;
    if (!(loss_mean > 0.0)) {
      cell.share = 0.0;
      cell.share_ci95 = {0.0, 0.0};
      continue;
    }
    // Delta method for the ratio of means R = x̄ / L̄: Var(R) ≈ Var(x − R L) / (n L̄²),
    // Var(x − R L) = Var(x) − 2 R Cov(x, L) + R² Var(L).
    cell.share = cell.mean / loss_mean;
    const double var = xy.x.variance() - 2.0 * cell.share * xy.covariance() + cell.share * cell.share * xy.y.variance();
    const double se = xy.x.n > 1 ? std::sqrt(std::max(0.0, var) / n) / loss_mean : kNaN;
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
    est.annual = summarise_losses(r.stats.annual_residual);
    if (r.has_inherent) est.annual_inherent = summarise_losses(r.stats.annual_inherent);
  }
  return est;
}

}  // namespace cpsf
