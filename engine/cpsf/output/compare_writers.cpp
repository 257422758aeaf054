#include "cpsf/output/compare_writers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "cpsf/base/terminal.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/output/csv.hpp"
#include "cpsf/output/text_format.hpp"

namespace cpsf {

namespace {

using Json = nlohmann::ordered_json;

Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }
Json interval(Interval i) { return Json::array({number(i.low), number(i.high)}); }
Json interval(double mean, double se) { return interval({mean - kZ95 * se, mean + kZ95 * se}); }

const CompareScenarioInfo& info_of(const CompareResult& r, const std::string& label) {
  for (const auto& s : r.scenarios) {
    if (s.label == label) return s;
  }
  throw std::logic_error("compare: row of unknown scenario " + label);
}

}  // namespace

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

}  // namespace cpsf
