#include "cpsf/analysis/paths.hpp"

#include <algorithm>
#include <unordered_map>

namespace cpsf {

namespace {

// Source and target asset of each relation index that occurs in `wanted` (one pass over
// the CSR arrays; the model keeps no per-relation endpoints).
std::unordered_map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> endpoints(
    const Model& m, const std::vector<std::uint32_t>& wanted) {
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>> out;
  for (const std::uint32_t r : wanted) out.emplace(r, std::pair<std::uint32_t, std::uint32_t>{0, 0});
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) {
    for (std::uint32_t e = m.out_begin[v]; e < m.out_begin[v + 1]; ++e) {
      if (auto it = out.find(m.edge_relation[e]); it != out.end()) it->second = {v, m.edge_target[e]};
    }
  }
  return out;
}

}  // namespace

RelationLabels::RelationLabels(const Model& m, const std::vector<std::uint32_t>& relations) {
  std::vector<std::uint32_t> unnamed;
  for (const std::uint32_t r : relations) {
    if (r < m.relation_id.size() && !m.relation_id[r].empty()) {
      labels_.emplace(r, m.relation_id[r]);
    } else {
      unnamed.push_back(r);
    }
  }
  if (unnamed.empty()) return;
  for (const auto& [r, ends] : endpoints(m, unnamed))
    labels_.emplace(r, m.asset_id[ends.first] + "->" + m.asset_id[ends.second]);
}

std::vector<std::uint32_t> relations_of(const PathSummary& summary) {
  std::vector<std::uint32_t> out;
  for (const auto& t : summary.targets) {
    for (const auto& p : t.top) out.insert(out.end(), p.relations.begin(), p.relations.end());
  }
  for (const auto& r : summary.relations) out.push_back(r.relation);
  return out;
}

std::string relation_label(const Model& m, std::uint32_t relation) { return RelationLabels(m, {relation})(relation); }

PathSummary summarise_paths(const Model& m, const SimulationResult& r, std::size_t top_k) {
  PathSummary out;
  const std::size_t n_tracked = r.tracked.size();
  std::vector<std::vector<const std::pair<const std::vector<std::uint32_t>, std::uint64_t>*>> by_target(n_tracked);
  std::unordered_map<std::uint32_t, std::uint64_t> through;
  for (const auto& entry : r.paths) {
    const std::uint32_t slot = entry.first.front();
    if (slot >= n_tracked) continue;
    by_target[slot].push_back(&entry);
    out.successful_paths += entry.second;
    std::vector<std::uint32_t> seen(entry.first.begin() + 1, entry.first.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());  // a path counts once per relation
    for (const std::uint32_t rel : seen) through[rel] += entry.second;
  }
  std::vector<std::uint32_t> on_top;
  for (std::size_t slot = 0; slot < n_tracked; ++slot) {
    TargetPaths t;
    t.target = r.tracked[slot];
    auto& list = by_target[slot];
    t.distinct_paths = list.size();
    for (const auto* e : list) t.compromised_trials += e->second;
    std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
      if (a->second != b->second) return a->second > b->second;
      if (a->first.size() != b->first.size()) return a->first.size() < b->first.size();
      return a->first < b->first;
    });
    for (std::size_t i = 0; i < list.size() && i < top_k; ++i) {
      AttackPath p;
      p.relations.assign(list[i]->first.begin() + 1, list[i]->first.end());
      p.trials = list[i]->second;
      p.frequency = r.trials ? static_cast<double>(p.trials) / static_cast<double>(r.trials) : 0.0;
      p.ci95 = wilson_interval(p.trials, r.trials);
      p.share = t.compromised_trials ? static_cast<double>(p.trials) / static_cast<double>(t.compromised_trials) : 0.0;
      on_top.insert(on_top.end(), p.relations.begin(), p.relations.end());
      t.top.push_back(std::move(p));
    }
    out.targets.push_back(std::move(t));
  }
  // The assets along the reported paths.
  const auto ends = endpoints(m, on_top);
  for (auto& t : out.targets) {
    for (auto& p : t.top) {
      if (p.relations.empty()) {
        p.assets = {t.target};  // the target is itself an entry
        continue;
      }
      p.assets.push_back(ends.at(p.relations.front()).first);
      for (const std::uint32_t rel : p.relations) p.assets.push_back(ends.at(rel).second);
    }
  }
  for (const auto& [rel, count] : through) {
    out.relations.push_back({rel, count, static_cast<double>(count) / static_cast<double>(out.successful_paths)});
  }
  std::sort(out.relations.begin(), out.relations.end(), [](const RelationShare& a, const RelationShare& b) {
    return a.paths != b.paths ? a.paths > b.paths : a.relation < b.relation;
  });
  return out;
}

}  // namespace cpsf
