#include "cpsf/sim/simulation.hpp"

#include <algorithm>
#include <stdexcept>

#include "cpsf/sim/trial_loop.hpp"

namespace cpsf {

void AssetTally::add(const AssetTally& o) {
  for (std::size_t i = 0; i < hits.size(); ++i) {
    hits[i] += o.hits[i];
    time_sum[i] += o.time_sum[i];
    time_square[i] += o.time_square[i];
  }
}

std::vector<std::string> RunOptions::problems() const {
  std::vector<std::string> out;
  check_limit(out, "trials", limits::trials, trials);
  check_limit(out, "threads", limits::threads, threads);
  if (horizon) check_limit(out, "horizon", limits::horizon, *horizon);
  if (horizon && no_horizon) out.emplace_back("a horizon and no horizon exclude each other");
  check_limit(out, "target relative standard error", limits::target_rse, target_relative_stderr);
  if (path_loss_threshold) check_limit(out, "path loss threshold", limits::loss_threshold, *path_loss_threshold);
  if (per_trial && (resume != nullptr || checkpoint)) {
    out.emplace_back(
        "checkpoints hold a run's statistics, not its per-trial values: a run with per-trial values cannot be "
        "checkpointed or resumed");
  }
  return out;
}

namespace {

// Refuses what no run can do, before any work: options out of range, an empty model,
// an annual frequency out of range.
void check_runnable(const Model& model, const RunOptions& options) {
  options.check();
  if (model.asset_count() == 0) throw std::invalid_argument("the scenario has no assets");
  for (const auto& t : model.threats) {
    if (t.annual_frequency && !limits::annual_frequency.contains(*t.annual_frequency)) {
      throw std::invalid_argument(
          must_be("threat " + t.id + ": annual_frequency", limits::annual_frequency, *t.annual_frequency));
    }
  }
}

// The assets whose arrivals (and paths) the run records, at most kMaxTracked: targets,
// objectives, and those whose loss reaches the path loss threshold.
std::vector<std::uint32_t> tracked_assets(const Model& m, const RunOptions& options) {
  std::vector<std::uint32_t> tracked;
  for (std::uint32_t v = 0; v < m.asset_count() && tracked.size() < kMaxTracked; ++v) {
    bool objective = false;
    for (const auto& t : m.threats) {
      objective |= std::find(t.objectives.begin(), t.objectives.end(), v) != t.objectives.end();
    }
    const bool costly = options.path_loss_threshold && m.asset_loss[v] >= *options.path_loss_threshold;
    if (m.asset_target[v] || objective || costly) tracked.push_back(v);
  }
  return tracked;
}

// What the run is to compute, before any trial: the plan that run_trials() reads.
SimulationResult plan(const Model& m, const RunOptions& options) {
  SimulationResult result;
  result.seed = options.seed;
  result.trials_planned = options.trials;
  result.horizon = m.horizon;
  result.has_inherent = options.inherent;
  result.enterprises = m.enterprise_id.size();
  result.has_annual = std::all_of(m.threats.begin(), m.threats.end(),
                                  [&](const CompiledThreat& t) { return t.annual_frequency.has_value(); }) &&
                      !m.implicit_threat;
  result.has_production = m.has_production;
  result.tracked = tracked_assets(m, options);
  return result;
}

}  // namespace

// The run: refuse what cannot run, settle the horizon, plan, factorise the cascade, run
// the trial loop. Everything per trial is in trial_loop.cpp and attack.cpp.
SimulationResult simulate(const Model& model, const RunOptions& options) {
  check_runnable(model, options);
  Model with_horizon;  // the model with the horizon the options ask for
  const Model* m = &model;
  if (options.horizon || options.no_horizon) {
    with_horizon = model;
    with_horizon.horizon = options.no_horizon ? std::nullopt : options.horizon;
    m = &with_horizon;
  }
  SimulationResult result = plan(*m, options);
  const Cascade cascade(m->enterprise_output, m->supply_links);  // throws on an unusable A*
  result.spectral_radius = cascade.spectral_radius();
  run_trials(*m, options, cascade, result);
  return result;
}

}  // namespace cpsf
