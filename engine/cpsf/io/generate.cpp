#include "cpsf/io/generate.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "cpsf/base/random.hpp"

namespace cpsf {

namespace {

// Generation draws from its own streams, apart from the simulation's.
enum GenerateStream : std::uint32_t { kShape = 1000, kEdges = 1001, kValues = 1002 };

}  // namespace

std::vector<std::string> GenerateOptions::problems() const {
  std::vector<std::string> out;
  check_limit(out, "enterprises", limits::enterprises, enterprises);
  check_limit(out, "assets_per_enterprise", limits::assets_per_enterprise, assets_per_enterprise);
  check_limit(out, "relations_per_asset", limits::relations_per_asset, relations_per_asset);
  check_limit(out, "cross_share", limits::share, cross_share);
  check_limit(out, "ot_share", limits::share, ot_share);
  check_limit(out, "entry_share", limits::share, entry_share);
  check_limit(out, "entry_probability", limits::share, entry_probability);
  check_limit(out, "p_min", limits::share, p_min);
  check_limit(out, "p_max", limits::share, p_max);
  check_limit(out, "ttc_min", limits::ttc, ttc_min);
  check_limit(out, "ttc_max", limits::ttc, ttc_max);
  check_limit(out, "fan_out", limits::fan_out, fan_out);
  if (horizon) check_limit(out, "horizon", limits::horizon, *horizon);
  check_limit(out, "trials", limits::trials, trials);
  if (out.empty()) {  // relations between options, once each is in range
    if (p_min > p_max) {
      out.push_back("p_min (" + format_number(p_min) + ") must not exceed p_max (" + format_number(p_max) + ")");
    }
    if (ttc_min > ttc_max) {
      out.push_back("ttc_min (" + format_number(ttc_min) + ") must not exceed ttc_max (" + format_number(ttc_max) +
                    ")");
    }
    const std::uint64_t total = std::uint64_t{enterprises} * assets_per_enterprise;
    if (total > kMaxGeneratedAssets) {
      out.push_back("enterprises × assets_per_enterprise must be at most " + std::to_string(kMaxGeneratedAssets) +
                    " assets, not " + std::to_string(total));
    } else if (relations_per_asset * static_cast<double>(total) > kMaxGeneratedRelations) {
      out.push_back("enterprises × assets_per_enterprise × relations_per_asset must be at most " +
                    format_number(kMaxGeneratedRelations) + " relations, not " +
                    format_number(relations_per_asset * static_cast<double>(total)));
    }
  }
  return out;
}

namespace {

// The sizes every step shares. Each enterprise's assets are its IT assets, people first,
// then its OT segment.
struct ChainSizes {
  std::uint64_t total;  // assets in the chain
  std::uint32_t n;      // assets per enterprise
  std::uint32_t ot_count;
  std::uint32_t it_count;
  std::uint32_t people;
};

ChainSizes sizes_of(const GenerateOptions& o) {
  const std::uint64_t total = std::uint64_t{o.enterprises} * o.assets_per_enterprise;
  const std::uint32_t n = o.assets_per_enterprise;
  const auto ot_count = static_cast<std::uint32_t>(std::floor(o.ot_share * n));
  const std::uint32_t it_count = n - ot_count;
  const auto people = std::max<std::uint32_t>(1, it_count / 10);  // the first IT assets are people
  return {total, n, ot_count, it_count, people};
}

std::string asset_id(std::uint64_t e, std::uint64_t k) { return "e" + std::to_string(e) + "-a" + std::to_string(k); }

// Name, description and currency, and room for the assets and relations to come.
void describe(v1::Scenario& s, const GenerateOptions& o, const ChainSizes& sizes) {
  const std::uint64_t total = sizes.total;
  const std::uint32_t n = sizes.n;
  s.set_name("generated supply chain");
  s.set_description("cpsf generate: " + std::to_string(o.enterprises) + " enterprises x " + std::to_string(n) +
                    " assets, " + std::to_string(o.relations_per_asset) + " relations per asset, seed " +
                    std::to_string(o.seed));
  s.set_currency("kJPY");
  s.mutable_assets()->Reserve(static_cast<int>(total));
  s.mutable_relations()->Reserve(
      static_cast<int>(std::min(2e9, o.relations_per_asset * static_cast<double>(total) * 1.1)));
}

// Enterprise `e` of the supply tree, and its supply to its customer.
v1::Enterprise* add_enterprise(v1::Scenario& s, const GenerateOptions& o, std::uint32_t e) {
  auto* ent = s.add_enterprises();
  ent->set_id("e" + std::to_string(e));
  int depth = 0;
  for (std::uint32_t up = e; up > 0; up = (up - 1) / o.fan_out) ++depth;
  ent->set_role(depth == 0 ? "OEM" : "tier-" + std::to_string(depth));
  ent->set_sector("generated");
  ent->set_daily_output(e == 0 ? 100000.0 : 100000.0 / (1.0 + e));
  if (e > 0) {
    auto* dep = s.add_dependencies();
    dep->set_customer("e" + std::to_string((e - 1) / o.fan_out));
    dep->set_supplier(ent->id());
    dep->set_share(std::min(0.3, 1.0 / o.fan_out / 2));
    dep->set_buffer_days(3);
  }
  return ent;
}

// The assets of enterprise `e`: layer and element by position, entry points and losses drawn.
void add_assets(v1::Scenario& s, const GenerateOptions& o, const ChainSizes& sizes, const RandomStream& shape,
                std::uint32_t e, const v1::Enterprise* ent) {
  const std::uint32_t n = sizes.n, it_count = sizes.it_count, people = sizes.people;
  for (std::uint32_t k = 0; k < n; ++k) {
    auto* a = s.add_assets();
    const std::uint64_t global = std::uint64_t{e} * n + k;
    a->set_id(asset_id(e, k));
    a->set_owner(ent->id());
    const bool ot = k >= it_count;
    const bool person = k < people;
    a->set_layer(ot ? v1::L2 : person ? v1::L1 : v1::L3);
    a->set_element(ot       ? (k % 4 == 0 ? v1::SYSTEM : v1::COMPONENT)
                   : person ? v1::PEOPLE
                            : (k % 5 == 0 ? v1::DATA : v1::SYSTEM));
    const auto u = shape.uniform_pair(global, 0, 0);
    // Entry points: a share of the assets, and always the enterprise's first person
    // (phishing), so that no enterprise is out of reach.
    if (u[0] < o.entry_share || (k == 0 && o.entry_share > 0)) a->set_exposure(o.entry_probability);
    // Losses: data and OT matter most; one asset in fifty is a crown jewel.
    const double base = 10.0 + 990.0 * u[1];
    if (a->element() == v1::DATA)
      a->mutable_loss()->set_confidentiality(base * 5);
    else if (ot)
      a->mutable_loss()->set_availability(base * 3);
    else
      a->mutable_loss()->set_integrity(base);
    if (k % 50 == 1) a->set_target(true);
  }
}

// Where a relation out of asset k of enterprise e leads (enterprise te, asset tk), on which
// layer and of which kind, from two uniforms: u_kind picks the kind, u_pick the target.
struct RelationEnd {
  std::uint64_t te, tk;
  v1::Layer layer;
  v1::RelationKind kind;
};

RelationEnd relation_end(const GenerateOptions& o, const ChainSizes& sizes, std::uint64_t e, std::uint64_t k,
                         double u_kind, double u_pick) {
  const std::uint32_t ot_count = sizes.ot_count, it_count = sizes.it_count, people = sizes.people;
  const bool ot = k >= it_count;
  std::uint64_t te = e, tk;
  v1::Layer layer = ot ? v1::L2 : v1::L3;
  v1::RelationKind kind = v1::NETWORK;
  if (e > 0 && u_kind < o.cross_share) {
    // Supplier → customer: remote access or trust into the customer's IT.
    te = (e - 1) / o.fan_out;
    tk = people + static_cast<std::uint64_t>(u_pick * (it_count - people > 0 ? it_count - people : 1));
    layer = v1::L1;
    kind = u_kind < o.cross_share / 2 ? v1::TRUST : v1::DATA_FLOW;
  } else if (!ot && u_kind > 0.97 && ot_count > 0) {
    // IT → OT through the enterprise's few gateways (the first OT assets).
    tk = it_count + static_cast<std::uint64_t>(u_pick * std::min<std::uint32_t>(ot_count, 3));
    kind = v1::NETWORK;
  } else {
    // Local: a nearby asset of the same segment (small-world ring).
    const std::uint64_t seg_begin = ot ? it_count : 0, seg_size = ot ? ot_count : it_count;
    const std::uint64_t local = k - seg_begin;
    const auto span = std::max<std::uint64_t>(1, std::min<std::uint64_t>(seg_size - 1, 16));
    std::uint64_t offset = 1 + static_cast<std::uint64_t>(u_pick * static_cast<double>(span));
    if (u_kind > 0.9) offset = 1 + static_cast<std::uint64_t>(u_pick * static_cast<double>(seg_size - 1));  // long link
    tk = seg_begin + (local + std::min(offset, seg_size - 1)) % seg_size;
    if (ot && k % 4 == 0) kind = v1::PHYSICAL_CONTROL;
  }
  return {te, tk, layer, kind};
}

// Relations: Poisson-ish out-degree around the mean, via floor(mean + u).
void add_relations(v1::Scenario& s, const GenerateOptions& o, const ChainSizes& sizes, const RandomStream& shape,
                   const RandomStream& edges, const RandomStream& values) {
  const std::uint64_t total = sizes.total;
  const std::uint32_t n = sizes.n;
  std::uint64_t relation_count = 0;
  for (std::uint64_t global = 0; global < total; ++global) {
    const std::uint64_t e = global / n, k = global % n;
    // floor(mean + U) has expectation `mean` exactly.
    const auto degree = static_cast<std::uint32_t>(std::floor(o.relations_per_asset + shape.uniform(global, 1, 0)));
    for (std::uint32_t d = 0; d < degree; ++d) {
      const auto w = edges.words(global, d, 0);
      const double u_kind = uniform_from_words(w[0], w[1]);
      const double u_pick = uniform_from_words(w[2], w[3]);
      const auto [te, tk, layer, kind] = relation_end(o, sizes, e, k, u_kind, u_pick);
      if (te == e && tk == k) continue;
      auto* r = s.add_relations();
      if (o.relation_ids) r->set_id("r" + std::to_string(relation_count));
      r->set_from(asset_id(e, k));
      r->set_to(asset_id(te, tk));
      r->set_layer(layer);
      r->set_kind(kind);
      const auto v = values.uniform_pair(global, d, 0);
      auto* step = r->mutable_step();
      step->set_p(o.p_min + (o.p_max - o.p_min) * v[0]);
      // Means on a 0.01-day grid: realistic precision, and a small table of distinct
      // distributions in the frozen graph.
      const double mean = o.ttc_min + (o.ttc_max - o.ttc_min) * v[1];
      step->mutable_ttc()->mutable_exponential()->set_mean(std::max(0.01, std::round(mean * 100) / 100));
      ++relation_count;
    }
  }
}

}  // namespace

v1::Scenario generate(const GenerateOptions& o) {
  o.check();
  const ChainSizes sizes = sizes_of(o);
  const RandomStream shape(o.seed, kShape), edges(o.seed, kEdges), values(o.seed, kValues);
  v1::Scenario s;
  describe(s, o, sizes);
  for (std::uint32_t e = 0; e < o.enterprises; ++e) {
    const v1::Enterprise* ent = add_enterprise(s, o, e);
    add_assets(s, o, sizes, shape, e, ent);
  }
  add_relations(s, o, sizes, shape, edges, values);
  auto* settings = s.mutable_settings();
  settings->set_trials(o.trials);
  settings->set_seed(o.seed);
  if (o.horizon) settings->set_horizon(*o.horizon);
  return s;
}

}  // namespace cpsf
