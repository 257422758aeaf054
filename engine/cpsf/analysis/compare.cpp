#include "cpsf/analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "cpsf/analysis/baseline_variants.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Errors about one scenario name it, so a table of ten files says which one is wrong.
[[noreturn]] void fail(const std::string& label, const std::string& message) {
  throw std::invalid_argument("scenario " + quoted(label) + ": " + message);
}

// The scenario with only `threat` left to attack.
void keep_threat(v1::Scenario& s, const std::string& label, const std::string& threat) {
  int found = -1;
  for (int i = 0; i < s.threats_size(); ++i) {
    if (s.threats(i).id() == threat) found = i;
  }
  if (found < 0) {
    std::string known;
    for (const auto& t : s.threats()) known += (known.empty() ? "" : ", ") + t.id();
    fail(label, "threat " + quoted(threat) + " is not defined (fix: " +
                    (known.empty() ? std::string("it has no threats; drop --threat or add the threat")
                                   : "choose one of its threats: " + known) +
                    ")");
  }
  v1::Threat kept = s.threats(found);
  s.clear_threats();
  *s.add_threats() = std::move(kept);
}

// Checks, before anything runs, that every variant can be made for this scenario.
void check_variants(const v1::Scenario& s, const std::string& label, const std::vector<BaselineVariant>& variants) {
  for (const auto& v : variants) {
    const std::string& b = v.name;
    if (b == kAsIs) continue;
    if (b == kSupplierRule) {
      try {
        check_baseline_defined(s, kSupplierRuleHigh);
        check_baseline_defined(s, kSupplierRuleLow);
      } catch (const std::invalid_argument& e) {
        fail(label, std::string("the supplier rule needs SCS-3 and SCS-4: ") + e.what());
      }
    } else if (b == "SCS-5") {
      try {
        check_baseline_defined(s, b);
      } catch (const std::invalid_argument& e) {
        fail(label, e.what());
      }
    } else if (CatalogueIndex(s).find_baseline(b) == nullptr) {
      // An unknown name may be a misspelt keyword as well as a baseline.
      std::string known;
      for (const auto& id : defined_baselines(s)) known += ", " + id;
      fail(label, "baseline " + quoted(b) + " is not defined (fix: use " + kAsIs + ", " + kSupplierRule + known +
                      ", or define it under the scenario's baselines)");
    }
  }
}

// Distribution-free interval of the `level` quantile: the order statistics whose ranks
// bracket n·level by z binomial standard deviations (normal approximation).
Interval quantile_interval(std::span<const double> sorted, double level) {
  const double n = static_cast<double>(sorted.size());
  const double centre = n * level;
  const double spread = kZ95 * std::sqrt(n * level * (1.0 - level));
  const auto rank = [&](double r) {
    return static_cast<std::size_t>(std::clamp(r, 1.0, n)) - 1;  // 1-based rank → index
  };
  return {sorted[rank(std::floor(centre - spread))], sorted[rank(std::ceil(centre + spread))]};
}

struct MeanSe {
  double mean, stderr_;
};
// Folded as a run folds its trials (moments_of), so a row's numbers are the run's.
MeanSe mean_se(std::span<const double> x) {
  const MomentAccumulator m = moments_of(x);
  return {x.empty() ? kNaN : m.mean, x.size() > 1 ? m.standard_error() : kNaN};
}

// P(some target or objective falls), from the per-trial arrival times of tracked assets.
void target_probability(const Model& m, const SimulationResult& r, CompareRow& row) {
  std::vector<std::uint8_t> wanted(m.asset_count(), 0);
  for (std::size_t v = 0; v < m.asset_count(); ++v) wanted[v] = m.asset_target[v];
  for (const auto& t : m.threats) {
    for (const std::uint32_t v : t.objectives) wanted[v] = 1;
  }
  row.targets = static_cast<std::size_t>(std::count(wanted.begin(), wanted.end(), 1));
  std::vector<std::size_t> slots;
  for (std::size_t k = 0; k < r.tracked.size(); ++k) {
    if (wanted[r.tracked[k]]) slots.push_back(k);
  }
  if (row.targets == 0 || slots.size() < row.targets) return;  // none, or not every one tracked
  const std::size_t width = r.tracked.size();
  std::uint64_t hit = 0;
  for (std::uint64_t j = 0; j < r.trials; ++j) {
    const double* arrival = r.tracked_arrival.data() + j * width;
    hit += std::any_of(slots.begin(), slots.end(), [&](std::size_t k) { return !std::isnan(arrival[k]); });
  }
  row.target_trials = hit;
  row.p_target = r.trials ? static_cast<double>(hit) / static_cast<double>(r.trials) : 0.0;
  row.p_target_ci = wilson_interval(hit, r.trials);
}

std::size_t changed_baselines(const v1::Scenario& before, const v1::Scenario& after) {
  std::size_t n = 0;
  for (int i = 0; i < before.enterprises_size(); ++i)
    n += before.enterprises(i).baseline() != after.enterprises(i).baseline();
  return n;
}

// Labels from file paths alone: the stem, or the directory of a file named scenario.*,
// with as many parent directories as it takes to tell them apart ("a/x", "b/x"); past
// the top, the path as given (two files differing only in their extension).
std::vector<std::string> file_labels(const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  std::vector<std::vector<std::string>> parts(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    for (const auto& c : fs::path(files[i]).lexically_normal()) {
      if (!c.empty() && c != "/") parts[i].push_back(c.string());
    }
    if (!parts[i].empty()) parts[i].back() = fs::path(parts[i].back()).stem().string();
    // "default/scenario.textproto" is the default scenario: the directory names it.
    if (parts[i].size() >= 2 && parts[i].back() == "scenario") parts[i].pop_back();
  }
  std::vector<std::size_t> depth(files.size(), 1);
  const auto label = [&](std::size_t i) {
    const auto& c = parts[i];
    if (depth[i] > c.size()) return files[i];
    std::string out;
    for (std::size_t k = c.size() - depth[i]; k < c.size(); ++k) out += (out.empty() ? "" : "/") + c[k];
    return out;
  };
  for (;;) {
    std::map<std::string, std::vector<std::size_t>> by_label;
    for (std::size_t i = 0; i < files.size(); ++i) by_label[label(i)].push_back(i);
    bool grew = false;
    for (const auto& [_, group] : by_label) {
      if (group.size() < 2) continue;
      for (const std::size_t i : group) {
        if (depth[i] <= parts[i].size()) {
          ++depth[i];
          grew = true;
        }
      }
    }
    if (!grew) break;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < files.size(); ++i) out.push_back(label(i));
  return out;
}

// Two paths naming one file: the same path written two ways, or two names of one file.
bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  if (fs::path(a).lexically_normal() == fs::path(b).lexically_normal()) return true;
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

}  // namespace

std::vector<std::string> compare_labels(const std::vector<std::string>& names, const std::vector<std::string>& files) {
  if (names.size() != files.size()) throw std::invalid_argument("compare_labels: one name per file");
  const std::size_t n = names.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!files[i].empty() && !files[j].empty() && same_file(files[i], files[j])) {
        throw std::invalid_argument("scenario files " + quoted(files[j]) + " and " + quoted(files[i]) +
                                    " are the same file (fix: give each file once; a baseline list compares "
                                    "variants)");
      }
    }
  }
  // The files' own labels, told apart among every file given.
  std::vector<std::string> with_file;
  for (const auto& f : files) {
    if (!f.empty()) with_file.push_back(f);
  }
  const auto by_path = file_labels(with_file);
  std::vector<std::string> file_label(n);
  for (std::size_t i = 0, k = 0; i < n; ++i) {
    if (!files[i].empty()) file_label[i] = by_path[k++];
  }
  std::vector<std::string> base(n);
  for (std::size_t i = 0; i < n; ++i) {
    base[i] = !names[i].empty() ? names[i] : !files[i].empty() ? file_label[i] : "scenario " + std::to_string(i + 1);
  }
  // A name shared by scenarios from files: each told apart by its file, among the group.
  std::vector<std::string> label = base;
  std::map<std::string, std::vector<std::size_t>> by_base;
  for (std::size_t i = 0; i < n; ++i) by_base[base[i]].push_back(i);
  for (const auto& [name, group] : by_base) {
    if (group.size() < 2) continue;
    std::vector<std::string> group_files;
    std::vector<std::size_t> members;
    for (const std::size_t i : group) {
      if (files[i].empty() || names[i].empty()) continue;  // an unnamed one is labelled by its file already
      group_files.push_back(files[i]);
      members.push_back(i);
    }
    const auto told = file_labels(group_files);
    for (std::size_t k = 0; k < members.size(); ++k) label[members[k]] = name + " (" + told[k] + ")";
  }
  // Whatever is still alike, and a made label that a scenario already has: numbered in order.
  std::set<std::string> taken(label.begin(), label.end());
  std::set<std::string> used;
  for (std::size_t i = 0; i < n; ++i) {
    if (used.insert(label[i]).second) continue;
    for (std::size_t k = 2;; ++k) {
      const std::string candidate = label[i] + " (" + std::to_string(k) + ")";
      if (!taken.count(candidate) && used.insert(candidate).second) {
        label[i] = candidate;
        break;
      }
    }
  }
  return label;
}

namespace {

// Every error before the first run (a long comparison must not fail half way): options,
// baselines, labels, and each scenario's threat and variants.
void check_inputs(const std::vector<CompareInput>& inputs, const CompareOptions& o) {
  if (inputs.empty()) throw std::invalid_argument("no scenario to compare (fix: give at least one scenario)");
  if (o.baselines.empty()) {
    throw std::invalid_argument(
        "no baseline to compare (fix: give at least one of as-is, supplier-rule or a baseline id)");
  }
  o.check();
  std::unordered_set<std::string> seen;
  for (const auto& b : o.baselines) {
    if (b.empty()) {
      throw std::invalid_argument("an empty baseline name (fix: use as-is, supplier-rule or a baseline id)");
    }
    if (!seen.insert(b).second)
      throw std::invalid_argument("baseline " + quoted(b) + " is given twice (fix: give it once)");
  }
  std::vector<BaselineVariant> variants;
  std::vector<const v1::Scenario*> scenarios;
  scenarios.reserve(inputs.size());
  for (const auto& in : inputs) scenarios.push_back(&in.scenario);
  variants.reserve(o.baselines.size());
  for (const auto& b : o.baselines) {
    variants.push_back(parse_baseline_variant(b));
    check_scope_values(scenarios, variants.back().scope, b);
  }
  std::unordered_set<std::string> labels;
  for (const auto& in : inputs) {
    if (in.label.empty()) throw std::invalid_argument("a scenario without a label (fix: label every scenario)");
    if (!labels.insert(in.label).second) {
      throw std::invalid_argument("scenario label " + quoted(in.label) +
                                  " is used twice (fix: give each its own label)");
    }
  }
  for (const auto& in : inputs) {
    if (o.threat) {
      v1::Scenario copy;
      copy.mutable_threats()->CopyFrom(in.scenario.threats());
      keep_threat(copy, in.label, *o.threat);
    }
    check_variants(in.scenario, in.label, variants);
    for (const auto& e : in.scenario.enterprises()) {
      if (e.baseline().empty()) continue;
      try {
        check_baseline_defined(in.scenario, e.baseline());
      } catch (const std::invalid_argument& err) {
        fail(in.label, "enterprise " + quoted(e.id()) + ": " + err.what());
      }
    }
  }
}

// The model of `base` under the variant `row.baseline`; fills the row's changed
// enterprises and (supplier-rule) decisions.
Model compile_variant(const v1::Scenario& base, const std::string& label, CompareRow& row, UnstatedCosts& unstated) {
  const std::string& name = row.baseline;
  v1::Scenario variant = base;
  try {
    row.decisions = apply_variant(variant, parse_baseline_variant(name));
    row.changed = changed_baselines(base, variant);
    row.cost = variant_cost(base, variant, &unstated);
    return compile(variant);
  } catch (const std::invalid_argument& e) {
    fail(label, std::string(e.what()) + " (with baseline " + quoted(name) + ")");
  }
}

std::string why_no_effect(const v1::Scenario& base, const v1::Scenario& variant);

// Sets row.no_effect when the variant's steps are those of the scenario as it is.
void explain_no_effect(const v1::Scenario& base, const Model& variant_model, CompareRow& row) {
  const Model as_is = compile(base);
  if (as_is.edge_p_residual != variant_model.edge_p_residual) return;
  v1::Scenario variant = base;
  (void)apply_variant(variant, parse_baseline_variant(row.baseline));
  row.no_effect = why_no_effect(base, variant);
}

// Why a variant that changed some enterprises' baselines changed no step probability:
// the requirements of their new baselines that the steps into their assets list (by hand
// or from the library), if any.
std::string why_no_effect(const v1::Scenario& base, const v1::Scenario& variant) {
  const CatalogueIndex catalogue(variant);
  std::set<std::string> requirements;
  std::set<std::string> changed;  // enterprise ids
  std::set<std::string> baselines;
  for (int i = 0; i < variant.enterprises_size(); ++i) {
    const auto& e = variant.enterprises(i);
    if (e.baseline() == base.enterprises(i).baseline()) continue;
    changed.insert(e.id());
    if (e.baseline().empty()) continue;
    baselines.insert(e.baseline());
    for (const auto& bc : catalogue.controls_of(e.baseline())) requirements.insert(bc.requirement());
  }
  const EffectiveLibrary library(variant);
  const StepResolver steps(library.get());
  std::unordered_map<std::string_view, const v1::Asset*> assets;
  for (const auto& a : variant.assets()) assets.emplace(a.id(), &a);
  std::set<std::string> listed;
  for (const auto& r : variant.relations()) {
    const auto it = assets.find(r.to());
    if (it == assets.end() || changed.count(it->second->owner()) == 0) continue;
    steps.for_each_requirement(r, steps.resolve(r, it->second->element()), [&](std::string_view id) {
      if (requirements.count(std::string(id)) != 0) listed.emplace(id);
    });
  }
  std::string names;
  for (const auto& b : baselines) names += (names.empty() ? "" : ", ") + b;
  if (listed.empty()) {
    return "no relation into the assets of the " + std::to_string(changed.size()) +
           " enterprise(s) it changed lists any requirement of " + (names.empty() ? "the baselines" : names) +
           " among its step's mitigations, by hand or from the attack-step library (fix: give those relations a "
           "kind whose library step lists them, or add them to step.mitigated_by; docs/library.md)";
  }
  std::string which;
  for (const auto& r : listed) which += (which.empty() ? "" : ", ") + r;
  return "the steps into those enterprises' assets that list its requirements (" + which +
         ") are already mitigated at least as strongly by the controls in force";
}

// Per trial, what a scenario's later variants are paired with: its controls-off loss
// (shared by every variant) and its first variant's residual loss.
struct ScenarioPairs {
  std::vector<double> first_residual, inherent;
};

// The row's estimates from its run; the first variant of a scenario fills `pairs`.
void estimate_row(const Model& model, const SimulationResult& r, bool first, ScenarioPairs& pairs, CompareRow& row) {
  const ViewResult& view = r.main();
  row.trials = r.trials;
  const LossSummary loss = summarise_losses(view.residual_loss, {});
  row.mean = loss.mean;
  row.stderr_ = loss.stderr_;
  row.ci95 = loss.ci95;
  row.var95 = loss.var95;
  row.var99 = loss.var99;
  row.es99 = loss.es99;
  const auto sorted = sorted_copy(view.residual_loss);
  row.var95_ci = quantile_interval(sorted, 0.95);
  row.var99_ci = quantile_interval(sorted, 0.99);
  target_probability(model, r, row);
  if (first) {
    const PerTrial& source = r.has_inherent ? view.inherent_loss : view.residual_loss;
    pairs.inherent.assign(source.begin(), source.end());
    pairs.first_residual.assign(view.residual_loss.begin(), view.residual_loss.end());
  }
  const auto inh = mean_se(pairs.inherent);
  row.inherent_mean = inh.mean;
  row.inherent_stderr = inh.stderr_;
  std::vector<double> paired(r.trials);
  for (std::uint64_t j = 0; j < r.trials; ++j) paired[j] = pairs.inherent[j] - view.residual_loss[j];
  const auto reduction = mean_se(paired);
  row.reduction_mean = reduction.mean;
  row.reduction_stderr = reduction.stderr_;
  for (std::uint64_t j = 0; j < r.trials; ++j) paired[j] = view.residual_loss[j] - pairs.first_residual[j];
  const auto diff = mean_se(paired);
  row.diff_mean = diff.mean;
  row.diff_stderr = first ? 0.0 : diff.stderr_;
  if (r.has_annual) {
    const auto annual = mean_se(r.annual_residual_loss);
    row.annual_mean = annual.mean;
    row.annual_stderr = annual.stderr_;
  }
}

// A scoped variant that matches no enterprise of a scenario changes nothing there.
void scope_warnings(const std::vector<CompareInput>& inputs, const CompareOptions& o, CompareResult& result) {
  for (const auto& b : o.baselines) {
    const BaselineVariant v = parse_baseline_variant(b);
    if (v.scope.kind == VariantScope::Kind::All) continue;
    for (const auto& in : inputs) {
      if (!scope_matches(in.scenario, v.scope).empty()) continue;
      result.warnings.push_back("baseline variant " + quoted(b) + " matches no enterprise of scenario " +
                                quoted(in.label) + ": its row there is the scenario as it is");
    }
  }
}

void unstated_cost_warnings(const UnstatedCosts& unstated, CompareResult& result) {
  for (const auto& [b, requirements] : unstated) {
    std::string which;
    for (const auto& r : requirements) which += (which.empty() ? "" : ", ") + r;
    result.warnings.push_back("baseline " + quoted(b) + " states no cost (cost 0) for " + which +
                              ": the annual cost compare reports for it counts those as free (fix: give each "
                              "control's annual cost per enterprise under the scenario's baselines, or leave it if "
                              "it is truly free)");
  }
}

// The annual loss each variant of one scenario removes from the scenario as it is,
// paired per trial. `annual[b]`: variant b's per-trial annual loss (empty: not annual).
// The as-is losses come from an as-is row, or from any row when no variant changed a
// baseline, else from one more run of the scenario as it is (same seed and trials).
void annual_removed(const v1::Scenario& base, const CompareOptions& o, RunOptions run,
                    const std::vector<std::vector<double>>& annual, std::span<CompareRow> rows) {
  if (annual.empty() || annual.front().empty()) return;
  std::vector<double> as_is;
  const auto at = std::find(o.baselines.begin(), o.baselines.end(), kAsIs);
  if (at != o.baselines.end()) {
    as_is = annual[static_cast<std::size_t>(at - o.baselines.begin())];
  } else if (std::none_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.changed > 0; })) {
    as_is = annual.front();
  } else {
    run.inherent = false;
    const SimulationResult r = simulate(compile(base), run);
    if (r.partial) throw CompareCancelled();
    as_is.assign(r.annual_residual_loss.begin(), r.annual_residual_loss.end());
  }
  std::vector<double> d(as_is.size());
  for (std::size_t b = 0; b < rows.size(); ++b) {
    for (std::size_t j = 0; j < d.size(); ++j) d[j] = as_is[j] - annual[b][j];
    const auto removed = mean_se(d);
    rows[b].removed_mean = removed.mean;
    rows[b].removed_stderr = removed.stderr_;
  }
}

}  // namespace

CompareResult compare(const std::vector<CompareInput>& inputs, const CompareOptions& o) {
  check_inputs(inputs, o);
  CompareResult result;
  result.trials = o.run.trials;
  result.seed = o.run.seed;
  result.threat = o.threat;
  result.baselines = o.baselines;
  RunOptions run = o.run;
  run.target_relative_stderr = 0.0;  // the same trials everywhere: pairs need equal lengths
  run.paths = false;
  run.path_loss_threshold.reset();

  scope_warnings(inputs, o, result);
  UnstatedCosts unstated;  // baselines' controls of cost 0
  const std::size_t total = inputs.size() * o.baselines.size();
  std::size_t index = 0;
  for (const auto& in : inputs) {
    v1::Scenario base = in.scenario;
    if (o.threat) keep_threat(base, in.label, *o.threat);
    CompareScenarioInfo info{in.label, in.file, base.name(), base.currency(), {}};
    ScenarioPairs pairs;
    std::vector<std::vector<double>> annual(o.baselines.size());
    for (std::size_t b = 0; b < o.baselines.size(); ++b) {
      if (o.on_run) o.on_run(index++, total, in.label, o.baselines[b]);
      CompareRow row;
      row.scenario = in.label;
      row.baseline = o.baselines[b];
      const Model model = compile_variant(base, in.label, row, unstated);
      if (b == 0) {
        for (const auto& t : model.threats) info.threats.push_back(t.id);
      }
      if (row.changed > 0) explain_no_effect(base, model, row);
      run.inherent = b == 0;  // controls off does not depend on the baseline: run it once
      const SimulationResult r = simulate(model, run);
      if (r.partial) throw CompareCancelled();
      estimate_row(model, r, b == 0, pairs, row);
      if (r.has_annual) annual[b].assign(r.annual_residual_loss.begin(), r.annual_residual_loss.end());
      row.layer_element = layer_element_profile(model, r);
      result.rows.push_back(std::move(row));
    }
    annual_removed(base, o, run, annual, std::span(result.rows).last(o.baselines.size()));
    result.scenarios.push_back(std::move(info));
  }
  unstated_cost_warnings(unstated, result);
  return result;
}

}  // namespace cpsf
