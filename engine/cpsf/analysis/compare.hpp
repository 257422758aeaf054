// Sector comparison (docs/design.md §6): the same threats over several scenarios and baselines,
// one table. Each scenario is run once per baseline variant — as it is, with one
// baseline given to every enterprise, or with the SCS supplier rule (supplier_rule.hpp) —
// always with the same seed and trial count.
//
// The same seed means common random numbers: every variant of a scenario sees the same
// uniforms at the same addresses, so the difference between two baselines of one scenario
// is measured trial by trial (paired) and its standard error is that of the per-trial
// differences, far below what independent runs would give. Controls only lower step
// probabilities, so a stronger control set never raises a trial's loss (SCS-4 ≤ SCS-3,
// tested). Controls-off losses do not depend on the baseline: each scenario's inherent
// run is made once, with its first variant, and shared by the others.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/base/statistics.hpp"
#include "cpsf/model/supplier_rule.hpp"
#include "cpsf/sim/simulation.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// Baseline variants other than a baseline id.
inline constexpr const char* kAsIs = "as-is";                  // the scenario unchanged
inline constexpr const char* kSupplierRule = "supplier-rule";  // apply_supplier_rule

struct CompareInput {
  std::string label;  // unique; names the scenario in every output and error
  std::string file;   // where it came from (reported only); may be empty
  v1::Scenario scenario;
};

struct CompareOptions {
  // "as-is", "supplier-rule" or a baseline id (given to every enterprise), a baseline id
  // may be scoped to some enterprises ("SCS-4@role=tier-2", baseline_variants.hpp); at
  // least one, no repeats. Differences are taken from the first.
  std::vector<std::string> baselines{kAsIs};
  // Only this threat attacks (the others are dropped); it must exist in every scenario.
  std::optional<std::string> threat;
  // trials, seed, threads, horizon / no_horizon and cancel are used. Every run has exactly
  // `trials` trials (no stopping rule) and counts no attack paths.
  RunOptions run;
  // Called before each simulation with (index, count, scenario label, baseline).
  std::function<void(std::size_t, std::size_t, const std::string&, const std::string&)> on_run;

  // What is wrong with these options and their run options (limits.hpp), one sentence
  // each naming the option (empty: nothing); check() throws std::invalid_argument with
  // them all. The baselines and the threat are checked against the scenarios by compare().
  [[nodiscard]] std::vector<std::string> problems() const { return run.problems(); }
  void check() const { throw_if_any(problems()); }
};

// The comparison was cancelled through RunOptions::cancel (rows done so far are lost).
struct CompareCancelled : std::runtime_error {
  CompareCancelled() : std::runtime_error("the comparison was interrupted") {}
};

struct CompareRow {
  std::string scenario, baseline;  // label, variant
  std::uint64_t trials = 0;
  // Residual loss per trial (main view: every kept threat attacks once; cascade included).
  double mean = 0, stderr_ = 0;
  Interval ci95{0, 0};
  double var95 = 0, var99 = 0, es99 = 0;
  // Distribution-free 95% intervals of the VaRs: order statistics whose ranks bracket
  // n·level by 1.96 binomial standard deviations.
  Interval var95_ci{0, 0}, var99_ci{0, 0};
  // P(some target or threat objective is compromised in a trial), Wilson interval.
  // Not available (nullopt) when there is none, or more than the run tracks (kMaxTracked).
  std::size_t targets = 0;
  std::optional<std::uint64_t> target_trials;
  double p_target = 0;
  Interval p_target_ci{0, 1};
  // Controls off (shared by every variant of the scenario), and what the controls remove:
  // inherent − residual per trial, paired.
  double inherent_mean = 0, inherent_stderr = 0;
  double reduction_mean = 0, reduction_stderr = 0;
  // Annualised residual loss, when every kept threat has an annual_frequency.
  std::optional<double> annual_mean, annual_stderr;
  // This variant minus the scenario's first variant, per trial (0 ± 0 for the first).
  double diff_mean = 0, diff_stderr = 0;
  // Enterprises whose baseline the variant changed, and (supplier-rule) the decisions.
  std::size_t changed = 0;
  // Set when the variant changed some enterprise's baseline but no step's probability:
  // why (no relation into those enterprises' assets lists any of the baselines'
  // requirements, or the steps that do are already mitigated as strongly).
  std::optional<std::string> no_effect;
  std::vector<SupplierDecision> decisions;
  // Money (compare_money in compare.cpp): the annual cost of the controls the variant
  // adds to the scenario as it is (variant_cost, baseline_variants.hpp), exact; and,
  // when every kept threat has an annual_frequency, the annual loss it removes from the
  // scenario as it is, paired per trial (net benefit = removed − cost).
  double cost = 0;
  std::optional<double> removed_mean, removed_stderr;
  // The sector profile: the loss by layer × element, each cell's share of the loss with
  // its interval (docs/methods.md §8.1; estimates.hpp).
  LayerElementProfile layer_element;
};

struct CompareScenarioInfo {
  std::string label, file, name, currency;
  std::vector<std::string> threats;  // the threats that attacked
};

struct CompareResult {
  std::uint64_t trials = 0, seed = 0;
  std::optional<std::string> threat;
  std::vector<std::string> baselines;
  std::vector<CompareScenarioInfo> scenarios;
  std::vector<CompareRow> rows;  // scenario-major: scenarios × baselines, in the order given
  // Settings that may have no effect, one sentence each: a scope that matches no
  // enterprise of a scenario, a baseline whose costs are not stated (cost 0).
  std::vector<std::string> warnings;
};

// Checks every scenario and variant first (unknown baseline, SCS-5, repeated variants or
// labels, a missing threat: std::invalid_argument naming the scenario and the fix), then
// runs them. Deterministic: the same inputs give the same result at any thread count.
CompareResult compare(const std::vector<CompareInput>& scenarios, const CompareOptions& options);

// Labels for scenarios, deterministic and unique: each scenario's `name`. An unnamed one
// is labelled by its file: the stem, or the directory of a file named scenario.*
// ("sectors/automotive/scenario.textproto" is "automotive"); one with neither by its place
// ("scenario 3"). Scenarios that share a name are told apart by their files, with as
// many parent directories as it takes ("Factory (a/f)", "Factory (b/f)"); what is still
// alike (in memory) is numbered in order ("chain", "chain (2)"). `files[i]` may be empty.
// Throws std::invalid_argument when two paths name the same file (the same path, or
// another name of it: a link, ./x and x), or the lists differ in length.
std::vector<std::string> compare_labels(const std::vector<std::string>& names, const std::vector<std::string>& files);

}  // namespace cpsf
