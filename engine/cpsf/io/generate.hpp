// Synthetic supply chains of a given size and shape (`cpsf generate`), for benchmarks
// and for trying the engine on chains too large to write by hand.
//
// Structure: enterprises form a supply tree (enterprise 0 is the OEM; enterprise i > 0
// supplies enterprise (i − 1) / fan_out). Each enterprise has an IT network (L3), an OT
// segment (L2) reached through a few gateways, and people (L1) who are the usual entry
// points. Relations are mostly local (within the enterprise, mostly within a segment),
// with a share of supplier → customer trust and remote-access relations. Everything is
// drawn from Philox streams keyed by the seed, so a seed gives the same chain anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpsf/base/limits.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

struct GenerateOptions {
  std::uint32_t enterprises = 10;
  std::uint32_t assets_per_enterprise = 100;
  double relations_per_asset = 4.0;    // mean out-degree
  double cross_share = 0.02;           // share of relations from a supplier into its customer
  double ot_share = 0.2;               // share of each enterprise's assets in its OT segment
  double entry_share = 0.01;           // share of assets that are entry points
  double entry_probability = 0.3;      // their exposure
  double p_min = 0.05, p_max = 0.5;    // step success probability, uniform in [p_min, p_max]
  double ttc_min = 0.5, ttc_max = 10;  // mean time to compromise (exponential), uniform in range
  std::uint32_t fan_out = 3;           // suppliers per customer in the supply tree
  std::optional<double> horizon;       // days
  std::uint64_t trials = 1000;         // written to settings
  std::uint64_t seed = 1;
  bool relation_ids = false;  // give relations ids (costs memory at 10^7 relations)

  // What is wrong with these options (limits.hpp), one sentence each naming the option
  // (empty: nothing); check() throws std::invalid_argument with them all.
  [[nodiscard]] std::vector<std::string> problems() const;
  void check() const { throw_if_any(problems()); }
};

// Throws std::invalid_argument on options out of range (GenerateOptions::check).
v1::Scenario generate(const GenerateOptions& options);

}  // namespace cpsf
