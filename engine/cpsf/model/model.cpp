#include "cpsf/model/model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cpsf/base/id_index.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace {

// Strongest efficacy per requirement for one relation: a requirement implemented
// twice at one place is one barrier, not two. A control without an efficacy takes it
// from the library for the relation's step (StepResolver::efficacy).
class ControlResolver {
 public:
  ControlResolver(const v1::Scenario& s, const StepResolver& steps) : catalogue_(s), steps_(steps) {
    for (const auto& c : s.controls()) {
      if (c.implemented()) controls_.push_back(&c);
    }
    // Controls every enterprise claims through its baseline.
    baseline_controls_.resize(static_cast<std::size_t>(s.enterprises_size()));
    for (int i = 0; i < s.enterprises_size(); ++i) {
      const auto& e = s.enterprises(i);
      if (e.baseline().empty()) continue;
      for (auto& bc : catalogue_.controls_of(e.baseline())) {
        baseline_controls_[static_cast<std::size_t>(i)][bc.requirement()].push_back(std::move(bc));
      }
    }
  }

  // Efficacy of the strongest control for `requirement` that covers relation r → asset v.
  double efficacy(const std::string& requirement, const v1::Relation& r, const ResolvedStep& step,
                  const v1::Asset& target, std::uint32_t target_owner) const {
    double best = 0.0;
    if (target_owner < baseline_controls_.size()) {
      const auto& m = baseline_controls_[target_owner];
      if (auto it = m.find(requirement); it != m.end()) {
        for (const auto& bc : it->second) {
          best = std::max(best, resolved(explicit_efficacy(bc), bc.level(), requirement, step, r));
        }
      }
    }
    for (const v1::Control* c : controls_) {
      if (c->requirement() != requirement || (c->has_efficacy() && c->efficacy() <= best)) continue;
      if (control_covers(*c, r, target)) {
        best = std::max(best, resolved(explicit_efficacy(*c), c->level(), requirement, step, r));
      }
    }
    return best;
  }

 private:
  double resolved(std::optional<double> given, v1::Level level, const std::string& requirement,
                  const ResolvedStep& step, const v1::Relation& r) const {
    const auto e = steps_.efficacy(given, level, requirement, step);
    if (!e.value) {
      throw std::invalid_argument("no efficacy for " + requirement + " on relation " + r.id() +
                                  " (neither given nor in the library)");
    }
    return *e.value;
  }

  CatalogueIndex catalogue_;
  const StepResolver& steps_;
  std::vector<const v1::Control*> controls_;
  std::vector<std::unordered_map<std::string, std::vector<v1::BaselineControl>>> baseline_controls_;
};

}  // namespace

Distribution to_distribution(const v1::Distribution& d) {
  using F = v1::Distribution;
  switch (d.family_case()) {
    case F::kFixed:
      return Distribution::fixed(d.fixed().value());
    case F::kExponential:
      return Distribution::exponential(d.exponential().mean());
    case F::kLognormal:
      return Distribution::lognormal(d.lognormal().mu(), d.lognormal().sigma());
    case F::kGamma:
      return Distribution::gamma(d.gamma().shape(), d.gamma().scale());
    case F::kUniform:
      return Distribution::uniform(d.uniform().min(), d.uniform().max());
    case F::kPert:
      return Distribution::pert(d.pert().min(), d.pert().mode(), d.pert().max(),
                                d.pert().has_lambda() ? d.pert().lambda() : 4.0);
    case F::FAMILY_NOT_SET:
      break;
  }
  return Distribution::fixed(0.0);
}

double Model::frozen_bytes_per_relation() const {
  if (edge_target.empty()) return 0.0;
  const double bytes = static_cast<double>(
      out_begin.size() * sizeof(std::uint32_t) + edge_target.size() * sizeof(std::uint32_t) * 2 +
      edge_ttc.size() * sizeof(std::uint32_t) + edge_p_residual.size() * sizeof(double) +
      edge_p_inherent.size() * sizeof(double) + edge_p_written.size() + distributions.size() * sizeof(Distribution));
  return bytes / static_cast<double>(edge_target.size());
}

namespace {

// The model's table of distinct distributions: equal laws share one entry. Looked up once
// per relation, and a generated chain draws a mean for each, so at 10^7 relations the table
// holds 10^7 laws: open addressing (linear probing, at most half full) over the table's own
// entries, 4 bytes a slot, where a std::unordered_map allocated a node per law. Laws are equal
// as their parameters compare equal (−0 == +0, hashed alike); there is no NaN, since
// Distribution's factories refuse non-finite parameters.
class DistributionTable {
 public:
  // `table` starts empty.
  explicit DistributionTable(std::vector<Distribution>& table) : table_(table), slots_(16, kEmpty) {}
  std::uint32_t index_of(const Distribution& d) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(d) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == kEmpty) break;
      if (same(table_[slots_[i]], d)) return slots_[i];
    }
    table_.push_back(d);
    const auto index = static_cast<std::uint32_t>(table_.size() - 1);
    if (table_.size() * 2 > slots_.size()) {
      slots_.assign(slots_.size() * 2, kEmpty);
      for (std::uint32_t i = 0; i < table_.size(); ++i) insert(i);
    } else {
      insert(index);
    }
    return index;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFU;

  static bool same(const Distribution& x, const Distribution& y) {
    return x.family == y.family && x.a == y.a && x.b == y.b && x.c == y.c && x.d == y.d;
  }
  static std::size_t hash(const Distribution& d) {
    std::uint64_t h = static_cast<std::uint64_t>(d.family);
    for (const double v : {d.a, d.b, d.c, d.d}) {
      const std::uint64_t bits = v == 0 ? 0 : std::bit_cast<std::uint64_t>(v);  // −0 as +0
      h = (h ^ bits) * 0x9E3779B97F4A7C15ULL;
      h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
  }
  void insert(std::uint32_t index) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash(table_[index]) & mask;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = index;
  }

  std::vector<Distribution>& table_;
  std::vector<std::uint32_t> slots_;
};

// Enterprises, and the supply dependencies between them (SupplyLink, cascade.hpp).
// Returns the enterprise ids' index: ids map to the first enterprise that has them
// (validation refuses duplicates).
IdIndex compile_enterprises(const v1::Scenario& s, Model& m) {
  IdIndex enterprise_index(static_cast<std::size_t>(s.enterprises_size()));
  for (int i = 0; i < s.enterprises_size(); ++i) {
    enterprise_index.emplace(s.enterprises(i).id(), static_cast<std::uint32_t>(i));
    m.enterprise_id.push_back(s.enterprises(i).id());
    m.enterprise_output.push_back(s.enterprises(i).daily_output());
  }
  for (const auto& d : s.dependencies()) {
    const std::uint32_t customer = enterprise_index.find(d.customer());
    const std::uint32_t supplier = enterprise_index.find(d.supplier());
    if (customer == IdIndex::kAbsent || supplier == IdIndex::kAbsent) {
      throw std::invalid_argument("dependency of unknown enterprises");
    }
    if (d.share() > 0) m.supply_links.push_back({customer, supplier, d.share(), d.buffer_days()});
  }
  return enterprise_index;
}

// The assets' arrays, then their production: operations share and outage law. Returns
// the asset ids' index.
IdIndex compile_assets(const v1::Scenario& s, const IdIndex& enterprise_index, DistributionTable& distributions,
                       Model& m) {
  const auto n = static_cast<std::size_t>(s.assets_size());
  IdIndex asset_index(n);
  m.asset_id.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = s.assets(static_cast<int>(i));
    if (!asset_index.emplace(a.id(), static_cast<std::uint32_t>(i)).second) {
      throw std::invalid_argument("duplicate asset id " + a.id());
    }
    m.asset_id.push_back(a.id());
    const std::uint32_t owner = enterprise_index.find(a.owner());
    if (owner == IdIndex::kAbsent) throw std::invalid_argument("asset " + a.id() + " has no known owner");
    m.asset_owner.push_back(owner);
    // proto3 enums are open: a number outside the enum (validation refuses it) must not
    // become an index into the report's tables.
    if (!v1::Layer_IsValid(a.layer()) || !v1::Element_IsValid(a.element()) || !v1::Gate_IsValid(a.gate())) {
      throw std::invalid_argument("asset '" + a.id() + "' has a layer, element or gate number outside the schema");
    }
    m.asset_layer.push_back(static_cast<std::uint8_t>(std::max(0, a.layer() - 1)));
    m.asset_element.push_back(static_cast<std::uint8_t>(std::max(0, a.element() - 1)));
    m.asset_all_gate.push_back(a.gate() == v1::ALL ? 1 : 0);
    m.asset_target.push_back(a.target() ? 1 : 0);
    m.asset_containment.push_back(a.containment());
    m.asset_loss.push_back(a.loss().confidentiality() + a.loss().integrity() + a.loss().availability());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& loss = s.assets(static_cast<int>(i)).loss();
    const double share = loss.has_outage_days() ? loss.operations_share() : 0.0;
    m.asset_operations_share.push_back(share);
    m.asset_outage.push_back(share > 0 ? distributions.index_of(to_distribution(loss.outage_days())) : 0);
    m.has_production |= share > 0 && m.enterprise_output[m.asset_owner[i]] > 0;
  }
  return asset_index;
}

// The relations' endpoints, and the relations in compressed rows by source asset, each
// row in relation order (a stable counting sort), so the frozen form does not depend on
// insertion details. Fills out_begin and in_degree; returns the relation index at each
// row position, and sets relation_to[i] to relation i's target asset.
std::vector<std::uint32_t> sort_by_source(const v1::Scenario& s, const IdIndex& asset_index,
                                          std::vector<std::uint32_t>& relation_to, Model& m) {
  const std::size_t n = m.asset_count();
  const auto r_count = static_cast<std::size_t>(s.relations_size());
  std::vector<std::uint32_t> relation_from(r_count);
  relation_to.assign(r_count, 0);
  m.out_begin.assign(n + 1, 0);
  m.in_degree.assign(n, 0);
  for (std::size_t i = 0; i < r_count; ++i) {
    const auto& r = s.relations(static_cast<int>(i));
    const std::uint32_t from = asset_index.find(r.from());
    const std::uint32_t to = asset_index.find(r.to());
    if (from == IdIndex::kAbsent || to == IdIndex::kAbsent) {
      throw std::invalid_argument("relation " + r.id() + " joins unknown assets");
    }
    relation_from[i] = from;
    relation_to[i] = to;
    ++m.out_begin[from + 1];
    ++m.in_degree[to];
  }
  for (std::size_t v = 0; v < n; ++v) m.out_begin[v + 1] += m.out_begin[v];
  std::vector<std::uint32_t> row_order(r_count);  // relation index at each row position
  std::vector<std::uint32_t> next(m.out_begin.begin(), m.out_begin.end() - 1);
  for (std::size_t i = 0; i < r_count; ++i) row_order[next[relation_from[i]]++] = static_cast<std::uint32_t>(i);
  return row_order;
}

// The controls' factor on a step: Π(1 − efficacy) over the requirements that mitigate it,
// each requirement once, applied to each capability's p in turn (in the order of the
// requirements, as p × (1 − e1) × (1 − e2)..., so that a step's number does not depend on
// how many sets the model keeps).
void apply_controls(const v1::Scenario& s, const v1::Relation& r, const ResolvedStep& step, std::uint32_t target,
                    const ControlResolver& controls, const StepResolver& steps, const Model& m,
                    std::array<double, kCapabilities>& residual, int sets, std::vector<std::string_view>& listed) {
  // A requirement listed twice is one barrier. Lists are short and a scan beats a set;
  // a long one (the file is untrusted) gets a set, so the check stays linear.
  constexpr std::size_t kScanUpTo = 16;
  listed.clear();
  steps.for_each_requirement(r, step, [&](std::string_view id) { listed.push_back(id); });
  std::unordered_set<std::string_view> seen;
  const v1::Asset& asset = s.assets(static_cast<int>(target));
  for (std::size_t k = 0; k < listed.size(); ++k) {
    const std::string_view requirement = listed[k];
    const bool repeated = listed.size() <= kScanUpTo
                              ? std::find(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(k),
                                          requirement) != listed.begin() + static_cast<std::ptrdiff_t>(k)
                              : !seen.insert(requirement).second;
    if (repeated) continue;
    const double e = controls.efficacy(std::string(requirement), r, step, asset, m.asset_owner[target]);
    for (int c = 0; c < sets; ++c) residual[c] *= 1.0 - e;
  }
}

// Whether any relation's step differs between threat capabilities (only a step taken from
// the library can): then the model keeps one step set per capability.
bool steps_differ_by_capability(const v1::Scenario& s, const StepResolver& steps,
                                const std::vector<std::uint32_t>& relation_to) {
  for (int i = 0; i < s.relations_size(); ++i) {
    const auto& r = s.relations(i);
    if (r.step().has_p() && r.step().has_ttc()) continue;
    const auto element = s.assets(static_cast<int>(relation_to[static_cast<std::size_t>(i)])).element();
    if (steps.resolve(r, element).by_capability()) return true;
  }
  return false;
}

// The relations as CSR edges: target, probabilities with controls on and off, time law,
// each per step set. Controls are folded into each step's probability here, once.
void compile_relations(const v1::Scenario& s, const IdIndex& asset_index, DistributionTable& distributions, Model& m) {
  std::vector<std::uint32_t> relation_to;
  std::vector<std::uint32_t> row_order = sort_by_source(s, asset_index, relation_to, m);
  const auto r_count = static_cast<std::size_t>(s.relations_size());
  if (std::any_of(s.relations().begin(), s.relations().end(), [](const auto& r) { return !r.id().empty(); })) {
    m.relation_id.reserve(r_count);
    for (const auto& r : s.relations()) m.relation_id.push_back(r.id());
  }
  const EffectiveLibrary library(s);
  const StepResolver steps(library.get());
  const ControlResolver controls(s, steps);
  const int sets = steps_differ_by_capability(s, steps, relation_to) ? kCapabilities : 1;
  m.step_sets = static_cast<std::uint8_t>(sets);
  m.edge_target.reserve(r_count);
  m.edge_p_residual.resize(r_count * static_cast<std::size_t>(sets));
  m.edge_p_inherent.resize(r_count * static_cast<std::size_t>(sets));
  m.edge_ttc.resize(r_count * static_cast<std::size_t>(sets));
  std::vector<std::string_view> listed;  // a step's requirements, reused
  m.edge_p_written.assign(r_count, 1);
  for (std::size_t e = 0; e < r_count; ++e) {
    const std::uint32_t ri = row_order[e];
    const auto& r = s.relations(static_cast<int>(ri));
    const std::uint32_t w = relation_to[ri];
    m.edge_target.push_back(w);
    const ResolvedStep step = steps.resolve(r, s.assets(static_cast<int>(w)).element());
    if (step.p_from == From::Nowhere) throw std::invalid_argument("relation " + r.id() + " has no step probability");
    m.edge_p_written[e] = step.p_from == From::Scenario ? 1 : 0;
    std::array<double, kCapabilities> residual = step.p;
    apply_controls(s, r, step, w, controls, steps, m, residual, sets, listed);
    for (int c = 0; c < sets; ++c) {
      const std::size_t at = static_cast<std::size_t>(c) * r_count + e;
      m.edge_p_inherent[at] = step.p[c];
      m.edge_p_residual[at] = residual[c];
      m.edge_ttc[at] =
          distributions.index_of(step.ttc[c] != nullptr ? to_distribution(*step.ttc[c]) : Distribution::fixed(0.0));
    }
  }
  m.edge_relation = std::move(row_order);
  // Without any control lowering a step, the inherent probabilities are the residual ones.
  if (m.edge_p_inherent == m.edge_p_residual) {
    m.edge_p_inherent.clear();
    m.edge_p_inherent.shrink_to_fit();
  }
  if (std::all_of(m.edge_p_written.begin(), m.edge_p_written.end(), [](std::uint8_t w) { return w != 0; })) {
    m.edge_p_written.clear();
    m.edge_p_written.shrink_to_fit();
  }
}

// Every asset with exposure > 0, as an entry point with that probability.
void add_exposure_entries(const v1::Scenario& s, CompiledThreat& t) {
  for (int i = 0; i < s.assets_size(); ++i) {
    const double x = s.assets(i).exposure();
    if (x > 0) {
      t.entry_assets.push_back(static_cast<std::uint32_t>(i));
      t.entry_probability.push_back(x);
    }
  }
}

// The threats; without any, one attacker enters wherever assets are exposed.
void compile_threats(const v1::Scenario& s, const IdIndex& asset_index, Model& m) {
  const auto known_asset = [&](const std::string& id, const v1::Threat& t, const char* role) {
    const std::uint32_t i = asset_index.find(id);
    if (i == IdIndex::kAbsent) {
      throw std::invalid_argument("threat '" + t.id() + "' has " + role + " at unknown asset '" + id + "'");
    }
    return i;
  };
  for (const auto& t : s.threats()) {
    CompiledThreat c;
    c.id = t.id();
    if (enters_at_exposures(t)) {
      add_exposure_entries(s, c);
    } else {
      for (const auto& e : t.entry_points()) {
        c.entry_assets.push_back(known_asset(e.asset(), t, "an entry point"));
        c.entry_probability.push_back(e.probability());
      }
    }
    c.step_scale = t.has_step_scale() ? t.step_scale() : 1.0;
    c.step_set = m.step_sets > 1 ? static_cast<std::uint8_t>(capability_index(t.capability())) : 0;
    if (t.has_annual_frequency()) c.annual_frequency = t.annual_frequency();
    for (const auto& o : t.objectives()) c.objectives.push_back(known_asset(o, t, "an objective"));
    m.threats.push_back(std::move(c));
  }
  if (m.threats.empty()) {
    CompiledThreat c;
    c.id = "exposure";
    add_exposure_entries(s, c);
    m.threats.push_back(std::move(c));
    m.implicit_threat = true;
  }
}

}  // namespace

Model compile(const v1::Scenario& s) {
  Model m;
  if (static_cast<std::size_t>(s.assets_size()) > std::numeric_limits<std::uint32_t>::max() - 1) {
    throw std::invalid_argument("too many assets");
  }
  DistributionTable distributions(m.distributions);
  const IdIndex enterprise_index = compile_enterprises(s, m);
  const IdIndex asset_index = compile_assets(s, enterprise_index, distributions, m);
  compile_relations(s, asset_index, distributions, m);
  compile_threats(s, asset_index, m);
  if (s.has_settings() && s.settings().has_horizon()) m.horizon = s.settings().horizon();
  return m;
}

}  // namespace cpsf
