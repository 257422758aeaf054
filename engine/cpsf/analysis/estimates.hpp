// The estimates of a run (docs/design.md §6), computed from a SimulationResult: per-asset
// probabilities with Wilson intervals and times to compromise, loss distributions
// (mean with standard error, VaR 95/99, expected shortfall 99, exceedance curve),
// per enterprise, the layer × element table, inherent vs residual. Written by
// output/results_json.hpp, output/results_csv.hpp and output/run_summary.hpp
// (docs/results-format.md).
#pragma once

#include <array>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cpsf/analysis/chokepoints.hpp"
#include "cpsf/analysis/paths.hpp"
#include "cpsf/base/statistics.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/sim/simulation.hpp"

namespace cpsf {

// An estimate of nothing (a run that completed no trial) is NaN, written null: never 0.
inline constexpr double kNoEstimate = std::numeric_limits<double>::quiet_NaN();

// Of no loss at all: every number kNoEstimate, no exceedance point.
struct LossSummary {
  double mean = kNoEstimate, stderr_ = kNoEstimate;  // standard error of the mean
  Interval ci95{kNoEstimate, kNoEstimate};           // mean ± 1.96 SE
  double var95 = kNoEstimate, var99 = kNoEstimate, es99 = kNoEstimate, max = kNoEstimate;
  struct Point {
    double threshold, probability, stderr_;
  };
  std::vector<Point> exceedance;  // P(L ≥ threshold)
};

// Thresholds: every distinct loss when there are at most 64, else 64 points spread
// over the observed range (quantiles of the positive losses).
// From the statistics a run keeps (run_statistics.hpp): the mean and its standard error
// from the moments, VaR, ES, the maximum and the exceedance from the histogram
// (histogram.hpp: exact when each value is alone in its bin, else within its bounds).
LossSummary summarise_losses(const LossStatistics& losses);
LossSummary summarise_losses(const LossStatistics& losses, std::span<const double> thresholds);
// The same of per-trial losses, folded as a run folds them (loss_statistics_of).
LossSummary summarise_losses(std::span<const double> losses);
LossSummary summarise_losses(std::span<const double> losses, std::span<const double> thresholds);

struct AssetEstimates {  // with no trial, p and its interval are kNoEstimate
  std::uint32_t index;
  std::uint64_t hits = 0;
  double p = 0;
  Interval ci95{0, 1};
  double mean_time = 0, sd_time = 0;                    // given compromise; NaN when never compromised
  std::optional<std::array<double, 3>> time_quantiles;  // p50, p90, p99 (tracked assets)
  std::uint64_t inherent_hits = 0;
  double inherent_p = 0;
  Interval inherent_ci95{0, 1};
  // Annualised runs: P(compromised at least once in a year), Wilson interval over the
  // simulated years (SimulationResult::annual_hits); nothing without annual frequencies.
  struct Annual {
    std::uint64_t years = 0;  // years in which it fell
    double p = kNoEstimate;
    Interval ci95{kNoEstimate, kNoEstimate};
  };
  std::optional<Annual> annual;
};

// One layer × element cell's share of the loss (docs/methods.md §8.1): its assets' own
// losses plus the production and cascade losses attributed to their fall, per trial.
struct LayerElementCell {
  double own = kNoEstimate;                          // mean per trial of its assets' own losses (C + I + A)
  double production = kNoEstimate;                   // ... of its enterprises' own production losses
  double cascade = kNoEstimate;                      // ... of the cascade losses their shocks caused
  double mean = kNoEstimate, stderr_ = kNoEstimate;  // the whole: own + production + cascade
  // mean / the mean loss: a ratio estimator, its 95% interval by the delta method
  // (Σ (x_j − share · L_j)² …), clamped to [0, 1]; 0 (and [0, 0]) when the mean loss is 0.
  double share = kNoEstimate;
  Interval share_ci95{kNoEstimate, kNoEstimate};
};
using LayerElementProfile = std::array<LayerElementCell, kCells>;

// The cells of the main residual view of `r`, a run of `m` (cell = layer × 6 + element);
// every number kNoEstimate with no trial. `own` is Σ p̂(v) · loss(v), the same doubles as
// Estimates::cell_loss. estimate() and compare() both use it.
LayerElementProfile layer_element_profile(const Model& m, const SimulationResult& r);

// The mean loss per trial that the asset's own compromise causes: P(compromised) × its
// confidentiality + integrity + availability loss, charged once per trial it falls. Not the
// production its outage stops nor the cascade to customers (those are per enterprise, and
// counted in the loss of the enterprises that lose production). attack-graph.graphml's and
// assets.csv's `expected_loss`, the layer × element cells' sum and the summary's ranking.
inline double expected_own_loss(const Model& m, const AssetEstimates& a) { return a.p * m.asset_loss[a.index]; }

// Everything a run estimates, for the writers of output/ and the Python package.
struct Estimates {
  std::uint64_t trials = 0;
  std::vector<AssetEstimates> assets;  // main view
  LossSummary loss, inherent_loss;
  // Inherent − residual, paired (common random numbers).
  double removed_mean = kNoEstimate, removed_stderr = kNoEstimate;
  struct Enterprise {
    LossSummary residual;                // direct + cascade
    double inherent_mean = kNoEstimate;  // direct + cascade, controls off
    // Direct: its compromised assets' losses plus its own production loss; cascade: the
    // production it lost because suppliers were out (cascade.hpp). Residual, mean ± SE.
    double direct_mean = kNoEstimate, direct_stderr = kNoEstimate, cascade_mean = kNoEstimate,
           cascade_stderr = kNoEstimate;
  };
  std::vector<Enterprise> enterprises;
  // Supply-chain-wide cascade loss per trial (residual), mean ± SE, and its share of the mean loss.
  double cascade_mean = kNoEstimate, cascade_stderr = kNoEstimate;
  PathSummary paths;
  // Chokepoints of each threat (residual weaknesses) to the tracked assets, threat by
  // threat; empty when not computed (`chokepoints_note` says why).
  struct ThreatChokepoints {
    std::string threat;
    std::vector<Chokepoint> targets;
  };
  std::vector<ThreatChokepoints> chokepoints;
  std::string chokepoints_note;
  // Names of every relation the paths and chokepoints above mention.
  RelationLabels relation_labels;
  // [layer][element]: expected direct loss and expected compromised assets per trial.
  double cell_loss[3][6] = {};
  double cell_count[3][6] = {};
  // The cells' whole loss (own, production, cascade) and share of the loss, [layer × 6 + element].
  LayerElementProfile cells;
  struct Threat {
    std::string id;
    std::vector<AssetEstimates> assets;
    LossSummary loss;
    std::optional<double> inherent_mean;
  };
  std::vector<Threat> threats;
  std::optional<LossSummary> annual, annual_inherent;
};

struct EstimateOptions {
  std::size_t path_top_k = 5;  // most frequent paths reported per tracked asset
  // Chokepoints to the tracked assets: computed unless off; `Auto` skips graphs above
  // kChokepointAutoRelations relations (the max flows then dominate a run).
  enum class Chokepoints { Auto, On, Off } chokepoints = Chokepoints::Auto;
  unsigned threads = 0;  // for the chokepoints; never changes a number
};
inline constexpr std::size_t kChokepointAutoRelations = 2'000'000;

// The estimates of `result`, a run of `model`; deterministic, whatever `options.threads`.
Estimates estimate(const Model& model, const SimulationResult& result, const EstimateOptions& options = {});

}  // namespace cpsf
