// The compiled model: a validated scenario frozen into flat arrays for the attacks (sim/attack.hpp).
//
// The relations are sorted by source asset straight into compressed sparse rows: out-edges
// of asset v are [out_begin[v], out_begin[v + 1]) in the edge arrays, in relation order.
// Controls are folded into each step's probability once, here, so an attack only
// compares a uniform with a number (docs/design.md §4 step 2).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cpsf/base/distributions.hpp"
#include "cpsf/model/cascade.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

inline constexpr double kNever = std::numeric_limits<double>::infinity();

// Where attacks begin, as compile() builds each threat's entries: a threat with entry
// points enters there only; one without enters at every asset with `exposure` > 0, and
// so does the implicit threat of a scenario without threats. The validator and the
// summary count entries by the same rules.
inline bool enters_at_exposures(const v1::Threat& threat) { return threat.entry_points().empty(); }
inline bool exposures_used(const v1::Scenario& scenario) {
  if (scenario.threats().empty()) return true;
  for (const auto& t : scenario.threats()) {
    if (enters_at_exposures(t)) return true;
  }
  return false;
}

// One attacker profile as an attack sees it.
struct CompiledThreat {
  std::string id;
  std::vector<std::uint32_t> entry_assets;  // asset indices
  std::vector<double> entry_probability;    // same order
  // Multiplies the probability of every step whose p the scenario writes (Model::step_scale_on);
  // a p from the attack-step library already depends on the threat's capability.
  double step_scale = 1.0;
  std::optional<double> annual_frequency;  // attacks a year, when given
  std::vector<std::uint32_t> objectives;   // asset indices
  // Which of the model's step sets this threat attacks with: its capability's index
  // (resolve_steps.hpp) when the model keeps one set per capability, else 0.
  std::uint8_t step_set = 0;
};

struct Model {
  // ---- assets (index = position in the scenario's asset list) ----
  std::vector<std::string> asset_id;
  std::vector<std::uint32_t> asset_owner;    // enterprise index
  std::vector<std::uint8_t> asset_layer;     // 0..2 for L1..L3
  std::vector<std::uint8_t> asset_element;   // 0..5 for ORGANIZATION..SYSTEM
  std::vector<std::uint8_t> asset_all_gate;  // 1 = ALL gate
  std::vector<std::uint8_t> asset_target;    // 1 = flagged target
  std::vector<double> asset_containment;
  std::vector<double> asset_loss;        // confidentiality + integrity + availability
  std::vector<std::uint32_t> in_degree;  // incoming relations (ALL gates need them all)
  // Availability-critical assets: the share of the owner's operations that stops while
  // the asset is out (0: not critical), and its outage-days law (index into distributions).
  std::vector<double> asset_operations_share;
  std::vector<std::uint32_t> asset_outage;

  // ---- relations in CSR order (sorted by source asset) ----
  std::vector<std::uint32_t> out_begin;      // size assets + 1
  std::vector<std::uint32_t> edge_target;    // asset index
  std::vector<std::uint32_t> edge_relation;  // index in the scenario's relation list: the random address
  // The step sets: one, or one per threat capability (kCapabilities, resolve_steps.hpp)
  // when a step taken from the attack-step library differs between capabilities. The
  // arrays below hold step_sets × relation_count() values, set by set, so a threat's
  // set is one contiguous slice (CompiledThreat::step_set).
  std::uint8_t step_sets = 1;
  std::vector<double> edge_p_residual;  // p × Π(1 − efficacy) of the controls in force
  std::vector<double> edge_p_inherent;  // p with no controls; empty when no control lowers any step
  std::vector<std::uint32_t> edge_ttc;  // index into distributions
  // The step probabilities of one set an attack compares with, controls on or off.
  [[nodiscard]] std::span<const double> step_probabilities(bool controls_on, std::uint8_t set = 0) const {
    const auto& p = controls_on || edge_p_inherent.empty() ? edge_p_residual : edge_p_inherent;
    return std::span<const double>(p).subspan(static_cast<std::size_t>(set) * relation_count(), relation_count());
  }
  // The time-to-compromise laws (indices into distributions) of one set.
  [[nodiscard]] std::span<const std::uint32_t> step_times(std::uint8_t set = 0) const {
    return std::span<const std::uint32_t>(edge_ttc).subspan(static_cast<std::size_t>(set) * relation_count(),
                                                            relation_count());
  }
  // 1 where the step's p is written in the scenario, 0 where it comes from the attack-step
  // library (by the threat's capability, which step_scale must not scale again); empty
  // when every p is written, so today's scenarios keep their arrays and their numbers.
  std::vector<std::uint8_t> edge_p_written;
  // The factor threat t's step_scale puts on edge e's probability.
  [[nodiscard]] double step_scale_on(const CompiledThreat& t, std::uint32_t e) const {
    return edge_p_written.empty() || edge_p_written[e] != 0 ? t.step_scale : 1.0;
  }
  // Relation ids in scenario order, for reports; empty when no relation has one.
  std::vector<std::string> relation_id;
  std::vector<Distribution> distributions;  // deduplicated time-to-compromise laws

  // ---- enterprises and the supply-chain cascade ----
  std::vector<std::string> enterprise_id;
  std::vector<double> enterprise_output;  // money per day of total outage
  std::vector<SupplyLink> supply_links;   // dependencies, in enterprise indices
  // Whether an attack can cause production loss at all (some critical asset whose owner
  // has an output): otherwise the cascade is skipped.
  bool has_production = false;

  std::vector<CompiledThreat> threats;  // never empty: without threats, one from exposures
  bool implicit_threat = false;         // threats[0] was made from asset exposures

  std::optional<double> horizon;  // days; none = any finite arrival counts

  [[nodiscard]] std::size_t asset_count() const { return asset_id.size(); }
  [[nodiscard]] std::size_t relation_count() const { return edge_target.size(); }
  // Bytes the attacks' graph arrays (CSR rows, edge arrays, distribution table)
  // hold per relation (docs/performance.md).
  [[nodiscard]] double frozen_bytes_per_relation() const;
};

// Compiles a scenario that validate() accepted, with its attack-step library (the bundled
// one with the scenario's `library` over it: EffectiveLibrary). Throws
// std::invalid_argument on what validation would have refused.
Model compile(const v1::Scenario& scenario);

// The distribution a schema Distribution describes (absent: fixed 0 days).
Distribution to_distribution(const v1::Distribution& d);

}  // namespace cpsf
