#include "cpsf/model/catalogue.hpp"

#include <google/protobuf/text_format.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

namespace cpsf {

namespace detail {
extern const char* const kCatalogueText;
extern const char* const kCatalogueFile;
}  // namespace detail

const v1::Catalogue& builtin_catalogue() {
  static const v1::Catalogue catalogue = [] {
    v1::Catalogue c;
    if (!google::protobuf::TextFormat::ParseFromString(detail::kCatalogueText, &c)) {
      std::fprintf(stderr, "cpsf: the built-in catalogue (%s) does not parse; this build is broken\n",
                   detail::kCatalogueFile);
      std::abort();
    }
    return c;
  }();
  return catalogue;
}

bool is_requirement_id(std::string_view id) {
  if (id.substr(0, 4) != "CPS.") return false;
  id.remove_prefix(4);
  std::size_t letters = 0;
  while (letters < id.size() && id[letters] >= 'A' && id[letters] <= 'Z') ++letters;
  if (letters < 2 || letters > 3 || letters + 1 >= id.size() || id[letters] != '-') return false;
  const std::string_view number = id.substr(letters + 1);
  if (number.empty() || number.size() > 4 || number[0] == '0') return false;
  for (const char c : number) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

CatalogueIndex::CatalogueIndex(const v1::Scenario& scenario) {
  const v1::Catalogue& builtin = builtin_catalogue();
  for (const auto& c : builtin.categories()) categories_.emplace(c.code(), true);
  for (const auto& r : builtin.requirements()) requirements_.emplace(r.id(), &r);
  for (const auto& b : builtin.baselines()) {
    baselines_.emplace(b.id(), &b);
    builtin_baselines_.emplace(b.id(), &b);
  }
  for (const auto& r : scenario.requirements()) requirements_.insert_or_assign(r.id(), &r);
  for (const auto& b : scenario.baselines()) baselines_.insert_or_assign(b.id(), &b);
}

bool CatalogueIndex::has_requirement(std::string_view id) const { return requirements_.count(std::string(id)) > 0; }

bool CatalogueIndex::has_category(std::string_view code) const { return categories_.count(std::string(code)) > 0; }

const v1::Baseline* CatalogueIndex::find_baseline(std::string_view id) const {
  const auto it = baselines_.find(std::string(id));
  return it == baselines_.end() ? nullptr : it->second;
}

bool CatalogueIndex::is_builtin_baseline(std::string_view id) const {
  return builtin_baselines_.count(std::string(id)) > 0;
}

std::vector<v1::BaselineControl> CatalogueIndex::controls_of(std::string_view baseline_id) const {
  // By requirement, then whether the efficacy is given.
  std::map<std::pair<std::string, bool>, v1::BaselineControl> strongest;
  std::set<std::string> visiting;
  bool cycle = false;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    const v1::Baseline* b = find_baseline(id);
    if (b == nullptr || cycle) return;
    if (!visiting.insert(id).second) {
      cycle = true;
      return;
    }
    for (const auto& parent : b->extends()) visit(parent);
    for (const auto& c : b->controls()) {
      auto [it, fresh] = strongest.emplace(std::make_pair(c.requirement(), c.has_efficacy()), c);
      if (fresh) continue;
      if (c.has_efficacy() ? c.efficacy() > it->second.efficacy() : c.level() > it->second.level()) it->second = c;
    }
    visiting.erase(id);
  };
  visit(std::string(baseline_id));
  std::vector<v1::BaselineControl> out;
  if (cycle) return out;
  for (auto& [_, c] : strongest) out.push_back(c);
  return out;
}

}  // namespace cpsf
