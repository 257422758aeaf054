#include "cpsf/analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "cpsf/model/catalogue.hpp"
#include "cpsf/output/csv.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/analysis/report.hpp"
#include "cpsf/base/terminal.hpp"
#include "cpsf/sim/attack.hpp"
#include "cpsf/base/version.hpp"

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Json = nlohmann::ordered_json;

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
void check_variants(const v1::Scenario& s, const std::string& label, const std::vector<std::string>& baselines) {
  for (const auto& b : baselines) {
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
MeanSe mean_se(std::span<const double> x) { return {mean(x), x.size() > 1 ? standard_error(x) : kNaN}; }

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

// printf into a string of any length (labels and names are the user's, unbounded).
template <class... Args>
std::string format(const char* fmt, Args... args) {
  const int n = std::snprintf(nullptr, 0, fmt, args...);
  if (n <= 0) return {};
  std::string out(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, args...);
  out.pop_back();
  return out;
}

Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }
Json interval(Interval i) { return Json::array({number(i.low), number(i.high)}); }
Json interval(double mean, double se) { return interval({mean - kZ95 * se, mean + kZ95 * se}); }

std::string xml(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const CompareScenarioInfo& info_of(const CompareResult& r, const std::string& label) {
  for (const auto& s : r.scenarios) {
    if (s.label == label) return s;
  }
  throw std::logic_error("compare: row of unknown scenario " + label);
}

}  // namespace

namespace {

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

CompareResult compare(const std::vector<CompareInput>& inputs, const CompareOptions& o) {
  if (inputs.empty()) throw std::invalid_argument("no scenario to compare (fix: give at least one scenario)");
  if (o.baselines.empty()) {
    throw std::invalid_argument(
        "no baseline to compare (fix: give at least one of as-is, supplier-rule or a baseline id)");
  }
  o.check();
  {
    std::unordered_set<std::string> seen;
    for (const auto& b : o.baselines) {
      if (b.empty()) {
        throw std::invalid_argument("an empty baseline name (fix: use as-is, supplier-rule or a baseline id)");
      }
      if (!seen.insert(b).second)
        throw std::invalid_argument("baseline " + quoted(b) + " is given twice (fix: give it once)");
    }
  }
  std::unordered_set<std::string> labels;
  for (const auto& in : inputs) {
    if (in.label.empty()) throw std::invalid_argument("a scenario without a label (fix: label every scenario)");
    if (!labels.insert(in.label).second) {
      throw std::invalid_argument("scenario label " + quoted(in.label) +
                                  " is used twice (fix: give each its own label)");
    }
  }
  // Every error before the first run: a long comparison must not fail half way.
  for (const auto& in : inputs) {
    if (o.threat) {
      v1::Scenario copy;
      copy.mutable_threats()->CopyFrom(in.scenario.threats());
      keep_threat(copy, in.label, *o.threat);
    }
    check_variants(in.scenario, in.label, o.baselines);
    for (const auto& e : in.scenario.enterprises()) {
      if (e.baseline().empty()) continue;
      try {
        check_baseline_defined(in.scenario, e.baseline());
      } catch (const std::invalid_argument& err) {
        fail(in.label, "enterprise " + quoted(e.id()) + ": " + err.what());
      }
    }
  }

  CompareResult result;
  result.trials = o.run.trials;
  result.seed = o.run.seed;
  result.threat = o.threat;
  result.baselines = o.baselines;
  RunOptions run = o.run;
  run.target_relative_stderr = 0.0;  // the same trials everywhere: pairs need equal lengths
  run.paths = false;
  run.path_loss_threshold.reset();

  const std::size_t total = inputs.size() * o.baselines.size();
  std::size_t index = 0;
  for (const auto& in : inputs) {
    v1::Scenario base = in.scenario;
    if (o.threat) keep_threat(base, in.label, *o.threat);
    CompareScenarioInfo info{in.label, in.file, base.name(), base.currency(), {}};
    std::vector<double> first_residual, inherent;  // per trial, kept for the pairs
    for (std::size_t b = 0; b < o.baselines.size(); ++b) {
      const std::string& name = o.baselines[b];
      if (o.on_run) o.on_run(index++, total, in.label, name);
      CompareRow row;
      row.scenario = in.label;
      row.baseline = name;
      Model model;
      {
        v1::Scenario variant = base;
        try {
          if (name == kSupplierRule) {
            row.decisions = apply_supplier_rule(variant);
          } else if (name != kAsIs) {
            assign_baseline(variant, name);
          }
          row.changed = changed_baselines(base, variant);
          model = compile(variant);
        } catch (const std::invalid_argument& e) {
          fail(in.label, std::string(e.what()) + " (with baseline " + quoted(name) + ")");
        }
      }
      if (b == 0) {
        for (const auto& t : model.threats) info.threats.push_back(t.id);
      }
      run.inherent = b == 0;  // controls off does not depend on the baseline: run it once
      const SimulationResult r = simulate(model, run);
      if (r.partial) throw CompareCancelled();
      const ViewResult& view = r.main();
      row.trials = r.trials;

      const LossSummary loss = summarise_losses(view.residual_loss, {});
      row.mean = loss.mean;
      row.stderr_ = loss.stderr_;
      row.ci95 = loss.ci95;
      row.var95 = loss.var95;
      row.var99 = loss.var99;
      row.es99 = loss.es99;
      {
        const auto sorted = sorted_copy(view.residual_loss);
        row.var95_ci = quantile_interval(sorted, 0.95);
        row.var99_ci = quantile_interval(sorted, 0.99);
      }
      target_probability(model, r, row);
      if (b == 0) {
        const PerTrial& source = r.has_inherent ? view.inherent_loss : view.residual_loss;
        inherent.assign(source.begin(), source.end());
        first_residual.assign(view.residual_loss.begin(), view.residual_loss.end());
      }
      const auto inh = mean_se(inherent);
      row.inherent_mean = inh.mean;
      row.inherent_stderr = inh.stderr_;
      std::vector<double> paired(r.trials);
      for (std::uint64_t j = 0; j < r.trials; ++j) paired[j] = inherent[j] - view.residual_loss[j];
      const auto reduction = mean_se(paired);
      row.reduction_mean = reduction.mean;
      row.reduction_stderr = reduction.stderr_;
      for (std::uint64_t j = 0; j < r.trials; ++j) paired[j] = view.residual_loss[j] - first_residual[j];
      const auto diff = mean_se(paired);
      row.diff_mean = diff.mean;
      row.diff_stderr = b == 0 ? 0.0 : diff.stderr_;
      if (r.has_annual) {
        const auto annual = mean_se(r.annual_residual_loss);
        row.annual_mean = annual.mean;
        row.annual_stderr = annual.stderr_;
      }
      result.rows.push_back(std::move(row));
    }
    result.scenarios.push_back(std::move(info));
  }
  return result;
}

// ---- outputs ----------------------------------------------------------------------------------

std::string compare_json(const CompareResult& r) {
  Json j;
  j["format"] = "cpsf.compare.v1";
  j["engine"] = {{"version", kEngineVersion},
                 {"schema", kSchemaVersion},
                 {"git_revision", kGitRevision},
                 {"semantics", "attack-step semantics v1 (DESIGN §4)"}};
  j["generator"] = "philox4x32-10";
  j["seed"] = r.seed;
  j["trials"] = r.trials;
  j["threat"] = r.threat ? Json(*r.threat) : Json(nullptr);
  j["baselines"] = r.baselines;
  j["pairing"] =
      "common random numbers: every variant of a scenario uses the same seed and trials, so differences are "
      "per-trial (paired); differences are from the first baseline";
  auto& scenarios = j["scenarios"] = Json::array();
  for (const auto& s : r.scenarios) {
    scenarios.push_back(
        {{"label", s.label}, {"file", s.file}, {"name", s.name}, {"currency", s.currency}, {"threats", s.threats}});
  }
  auto& rows = j["rows"] = Json::array();
  for (const auto& row : r.rows) {
    Json rj{{"scenario", row.scenario}, {"baseline", row.baseline}, {"trials", row.trials}};
    rj["loss"] = {{"mean", number(row.mean)},
                  {"stderr", number(row.stderr_)},
                  {"ci95", interval(row.ci95)},
                  {"var95", number(row.var95)},
                  {"var95_ci95", interval(row.var95_ci)},
                  {"var99", number(row.var99)},
                  {"var99_ci95", interval(row.var99_ci)},
                  {"es99", number(row.es99)}};
    if (row.target_trials) {
      rj["p_any_target"] = {{"targets", row.targets},
                            {"compromised_trials", *row.target_trials},
                            {"p", number(row.p_target)},
                            {"ci95", interval(row.p_target_ci)}};
    } else {
      rj["p_any_target"] = nullptr;
    }
    rj["inherent"] = {{"mean", number(row.inherent_mean)}, {"stderr", number(row.inherent_stderr)}};
    rj["reduction"] = {{"mean", number(row.reduction_mean)},
                       {"stderr", number(row.reduction_stderr)},
                       {"ci95", interval(row.reduction_mean, row.reduction_stderr)}};
    if (row.annual_mean) {
      rj["annual"] = {{"mean", number(*row.annual_mean)},
                      {"stderr", number(*row.annual_stderr)},
                      {"ci95", interval(*row.annual_mean, *row.annual_stderr)}};
    } else {
      rj["annual"] = nullptr;
    }
    rj["difference"] = {{"from", r.baselines.front()},
                        {"mean", number(row.diff_mean)},
                        {"stderr", number(row.diff_stderr)},
                        {"ci95", interval(row.diff_mean, row.diff_stderr)}};
    rj["changed_enterprises"] = row.changed;
    if (row.baseline == kSupplierRule) {
      auto& decisions = rj["supplier_rule"] = Json::array();
      for (const auto& d : row.decisions) {
        Json reasons = Json::array();
        for (const auto& why : d.reasons) {
          Json w{{"reason", supplier_reason_name(why.kind)}, {"customer", why.customer}};
          if (why.kind == SupplierReason::Kind::ReachesSystems) {
            w["relation"] = why.relation;
            w["relations"] = why.relations;
          }
          w["text"] = describe(why);
          reasons.push_back(std::move(w));
        }
        decisions.push_back({{"enterprise", d.enterprise},
                             {"baseline", d.baseline},
                             {"previous_baseline", d.previous_baseline},
                             {"customers", d.customers},
                             {"reasons", std::move(reasons)}});
      }
    }
    rows.push_back(std::move(rj));
  }
  return j.dump(1) + "\n";
}

std::string compare_csv(const CompareResult& r) {
  std::string out =
      "scenario,baseline,currency,trials,seed,mean,stderr,ci95_low,ci95_high,var95,var95_ci95_low,var95_ci95_high,"
      "var99,var99_ci95_low,var99_ci95_high,es99,targets,target_trials,p_any_target,p_any_target_ci95_low,"
      "p_any_target_ci95_high,inherent_mean,inherent_stderr,reduction_mean,reduction_stderr,annual_mean,"
      "annual_stderr,difference_from,difference_mean,difference_stderr,changed_enterprises\n";
  for (const auto& row : r.rows) {
    const auto& info = info_of(r, row.scenario);
    const bool p = row.target_trials.has_value();
    const auto text = [&](const std::string& s) { csv::text(out, s), out += ','; };
    const auto num = [&](double x) { csv::number(out, x), out += ','; };
    const auto count = [&](std::uint64_t x) { csv::count(out, x), out += ','; };
    const auto maybe = [&](bool present, double x) { present ? num(x) : void(out += ','); };
    text(row.scenario);
    text(row.baseline);
    text(info.currency);
    count(row.trials);
    count(r.seed);
    for (const double x : {row.mean, row.stderr_, row.ci95.low, row.ci95.high, row.var95, row.var95_ci.low,
                           row.var95_ci.high, row.var99, row.var99_ci.low, row.var99_ci.high, row.es99}) {
      num(x);
    }
    count(row.targets);
    p ? count(*row.target_trials) : void(out += ',');
    maybe(p, row.p_target);
    maybe(p, row.p_target_ci.low);
    maybe(p, row.p_target_ci.high);
    for (const double x : {row.inherent_mean, row.inherent_stderr, row.reduction_mean, row.reduction_stderr}) num(x);
    maybe(row.annual_mean.has_value(), row.annual_mean.value_or(0.0));
    maybe(row.annual_stderr.has_value(), row.annual_stderr.value_or(0.0));
    text(r.baselines.front());
    num(row.diff_mean);
    num(row.diff_stderr);
    csv::count(out, row.changed);
    out += '\n';
  }
  return out;
}

std::string compare_text(const CompareResult& r) {
  std::string out;
  const auto add = [&](const char* fmt, auto... args) { out += format(fmt, args...); };
  const auto n_scen = r.scenarios.size(), n_base = r.baselines.size();
  add("compare: %zu scenario%s x %zu baseline%s, %llu trials each, seed %llu (common random numbers)\n", n_scen,
      n_scen == 1 ? "" : "s", n_base, n_base == 1 ? "" : "s", static_cast<unsigned long long>(r.trials),
      static_cast<unsigned long long>(r.seed));
  // Labels, names and ids are the user's: escaped (pad_right and align_right escape too),
  // and the table's columns padded by display width, long labels cut ("…"). The lines
  // above the table give each label in full.
  out += "threats: " +
         (r.threat ? "only '" + terminal_safe(*r.threat) + "'"
                   : std::string("every threat of each scenario attacks once per trial")) +
         "\n";
  const std::size_t w_scen = column_width(r.rows, 8, [](const CompareRow& x) { return x.scenario; });
  const std::size_t w_base = column_width(r.rows, 8, [](const CompareRow& x) { return x.baseline; });
  for (const auto& s : r.scenarios) {
    out += "  " + terminal_safe(s.label);
    if (!s.name.empty() && s.label.rfind(s.name, 0) != 0) out += " (" + terminal_safe(s.name) + ")";  // a label given
    if (!s.currency.empty()) out += " [" + terminal_safe(s.currency) + "]";
    if (!s.file.empty()) out += "  " + terminal_safe(s.file);
    out += "\n";
  }
  const bool annual =
      std::any_of(r.rows.begin(), r.rows.end(), [](const CompareRow& x) { return x.annual_mean.has_value(); });
  out += "loss per trial (mean ± SE), its tail, P(any target or objective compromised), and the paired differences:\n";
  out += "  " + pad_right("scenario", w_scen) + " " + pad_right("baseline", w_base);
  out += align_right("mean loss ± SE", 24) + align_right("VaR95", 12) + align_right("VaR99", 12) +
         align_right("ES99", 12) + align_right("P(target) [95% CI]", 26) + align_right("inherent", 12) +
         align_right("reduction ± SE", 24) + align_right("Δ vs " + r.baselines.front() + " ± SE", 24);
  if (annual) out += align_right("annual mean ± SE", 24);
  out += "\n";
  const auto pm = [](double m, double se) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g ± %.3g", m, se);
    return std::string(b);
  };
  const auto g = [](double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.5g", x);
    return std::string(b);
  };
  for (const auto& row : r.rows) {
    std::string p = "n/a";
    if (row.target_trials) {
      char b[64];
      std::snprintf(b, sizeof b, "%.4f [%.4f, %.4f]", row.p_target, row.p_target_ci.low, row.p_target_ci.high);
      p = b;
    }
    const bool first = row.baseline == r.baselines.front();
    out += "  " + pad_right(row.scenario, w_scen) + " " + pad_right(row.baseline, w_base);
    out += align_right(pm(row.mean, row.stderr_), 24) + align_right(g(row.var95), 12) + align_right(g(row.var99), 12) +
           align_right(g(row.es99), 12) + align_right(p, 26) + align_right(g(row.inherent_mean), 12) +
           align_right(pm(row.reduction_mean, row.reduction_stderr), 24) +
           align_right(first ? "—" : pm(row.diff_mean, row.diff_stderr), 24);
    if (annual) out += align_right(row.annual_mean ? pm(*row.annual_mean, *row.annual_stderr) : "n/a", 24);
    out += "\n";
  }
  for (const auto& row : r.rows) {
    if (row.baseline != kSupplierRule) continue;
    out += "supplier rule on " + terminal_safe(row.scenario);
    add(" (%zu supplier%s, %zu baseline%s changed):\n", row.decisions.size(), row.decisions.size() == 1 ? "" : "s",
        row.changed, row.changed == 1 ? "" : "s");
    if (row.decisions.empty()) out += "  no enterprise is a supplier in a dependency: nothing to assign\n";
    const std::size_t w_ent = column_width(row.decisions, 16, [](const SupplierDecision& d) { return d.enterprise; });
    const std::size_t w_bl = column_width(row.decisions, 6, [](const SupplierDecision& d) { return d.baseline; });
    for (const auto& d : row.decisions) {
      std::string why;
      for (const auto& reason : d.reasons) why += (why.empty() ? "" : "; ") + describe(reason);
      if (why.empty()) why = "none of the three conditions holds";
      out += "  " + pad_right(d.enterprise, w_ent) + " " + pad_right(d.baseline, w_bl) + " (was " +
             (d.previous_baseline.empty() ? std::string("none") : terminal_safe(d.previous_baseline)) +
             "): " + terminal_safe(why) + "\n";
    }
  }
  return out;
}

std::string compare_svg(const CompareResult& r) {
  // Grouped bars: one group per scenario, one bar per baseline, 95% interval whiskers.
  static const char* const kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                         "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  const std::size_t groups = r.scenarios.size(), bars = r.baselines.size();
  const double bar_w = 28, gap = 24, left = 90, right = 20, top = 50, plot_h = 300, label_h = 70;
  const double legend_h = 18.0 * static_cast<double>(bars) + 10;
  const double plot_w = std::max(240.0, static_cast<double>(groups) * (static_cast<double>(bars) * bar_w + gap) + gap);
  const double width = left + plot_w + right, height = top + plot_h + label_h + legend_h;
  double hi = 0;
  for (const auto& row : r.rows) hi = std::max({hi, row.mean, std::isfinite(row.ci95.high) ? row.ci95.high : 0.0});
  // A round axis top: 1, 2 or 5 × 10^k above the highest whisker.
  double step = 1;
  if (hi > 0) {
    const double raw = hi / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    step = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
  }
  const double axis_top = step * std::ceil(hi / step > 0 ? hi / step : 1);
  const auto y = [&](double v) { return top + plot_h - plot_h * std::clamp(v, 0.0, axis_top) / axis_top; };

  std::string out;
  const auto add = [&](const char* fmt, auto... args) { out += format(fmt, args...); };
  add("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      width, height, width, height);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::string currency;
  for (const auto& s : r.scenarios) {
    if (currency.empty())
      currency = s.currency;
    else if (s.currency != currency)
      currency = "mixed currencies";
  }
  add("<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Mean residual loss per trial%s</text>\n", left,
      currency.empty() ? "" : (" (" + xml(currency) + ")").c_str());
  add("<text x=\"%.1f\" y=\"40\" fill=\"#555\">%llu trials, seed %llu, common random numbers; whiskers: 95%% "
      "interval%s</text>\n",
      left, static_cast<unsigned long long>(r.trials), static_cast<unsigned long long>(r.seed),
      r.threat ? (" — threat " + xml(*r.threat) + " only").c_str() : "");
  for (int k = 0; k <= static_cast<int>(std::lround(axis_top / step)); ++k) {
    const double v = k * step;
    add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, left + plot_w, y(v), y(v));
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", left - 6, y(v) + 4, v);
  }
  add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, left, top, top + plot_h);
  add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, left + plot_w, top + plot_h,
      top + plot_h);
  for (std::size_t g = 0; g < groups; ++g) {
    const double x0 = left + gap + static_cast<double>(g) * (static_cast<double>(bars) * bar_w + gap);
    for (std::size_t k = 0; k < bars; ++k) {
      const auto it = std::find_if(r.rows.begin(), r.rows.end(), [&](const CompareRow& row) {
        return row.scenario == r.scenarios[g].label && row.baseline == r.baselines[k];
      });
      if (it == r.rows.end()) continue;
      const double x = x0 + static_cast<double>(k) * bar_w;
      add("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %.6g ± "
          "%.3g</title></rect>\n",
          x + 2, y(it->mean), bar_w - 4, top + plot_h - y(it->mean), kColours[k % 8], xml(it->scenario).c_str(),
          xml(it->baseline).c_str(), it->mean, it->stderr_);
      if (std::isfinite(it->ci95.low) && std::isfinite(it->ci95.high)) {
        const double cx = x + bar_w / 2, lo = y(it->ci95.low), up = y(it->ci95.high);
        add("<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"black\" fill=\"none\"/>\n", cx, lo, up,
            cx - 5, lo, cx + 5, cx - 5, up, cx + 5);
      }
    }
    const double cx = x0 + static_cast<double>(bars) * bar_w / 2;
    // Labels are scenario names, often long: cut to fit the margin, whole in the tooltip.
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-30 %.1f %.1f)\">", cx, top + plot_h + 16,
        cx, top + plot_h + 16);
    out += "<title>" + xml(r.scenarios[g].label) + "</title>" + xml(truncate_to_width(r.scenarios[g].label, 24)) +
           "</text>\n";
  }
  for (std::size_t k = 0; k < bars; ++k) {
    const double ly = top + plot_h + label_h + 18.0 * static_cast<double>(k);
    add("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", left, ly, kColours[k % 8]);
    add("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", left + 18, ly + 10, xml(r.baselines[k]).c_str());
  }
  out += "</svg>\n";
  return out;
}

}  // namespace cpsf
