#include "cpsf/output/compare_writers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "cpsf/base/terminal.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/output/csv.hpp"
#include "cpsf/output/json_writer.hpp"
#include "cpsf/output/layer_element.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/output/text_format.hpp"

namespace cpsf {

namespace {

void write_loss(JsonWriter& w, const CompareRow& row) {
  w.begin_object();
  w.key("mean").number(row.mean);
  w.key("stderr").number(row.stderr_);
  w.key("ci95").numbers({row.ci95.low, row.ci95.high});
  w.key("var95").number(row.var95);
  w.key("var95_ci95").numbers({row.var95_ci.low, row.var95_ci.high});
  w.key("var99").number(row.var99);
  w.key("var99_ci95").numbers({row.var99_ci.low, row.var99_ci.high});
  w.key("es99").number(row.es99);
  w.end_object();
}

void write_p_any_target(JsonWriter& w, const CompareRow& row) {
  if (!row.target_trials) return w.null();
  w.begin_object();
  w.key("targets").count(row.targets);
  w.key("compromised_trials").count(*row.target_trials);
  w.key("p").number(row.p_target);
  w.key("ci95").numbers({row.p_target_ci.low, row.p_target_ci.high});
  w.end_object();
}

void write_supplier_decisions(JsonWriter& w, const std::vector<SupplierDecision>& decisions) {
  w.begin_array();
  for (const auto& d : decisions) {
    w.begin_object();
    w.key("enterprise").string(d.enterprise);
    w.key("baseline").string(d.baseline);
    w.key("previous_baseline").string(d.previous_baseline);
    w.key("customers").strings(d.customers);
    w.key("reasons").begin_array();
    for (const auto& why : d.reasons) {
      w.begin_object();
      w.key("reason").string(supplier_reason_name(why.kind));
      w.key("customer").string(why.customer);
      if (why.kind == SupplierReason::Kind::ReachesSystems) {
        w.key("relation").string(why.relation);
        w.key("relations").count(why.relations);
      }
      w.key("text").string(describe(why));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

// The row's money: what the variant's controls cost a year, the annual loss they remove
// from the scenario as it is, and the difference (null without annual losses).
void write_money(JsonWriter& w, const CompareRow& row) {
  w.key("cost").number(row.cost);
  w.key("removed");
  row.removed_mean ? write_mean_stderr_ci(w, *row.removed_mean, *row.removed_stderr) : w.null();
  w.key("net_benefit");
  row.removed_mean ? write_mean_stderr_ci(w, *row.removed_mean - row.cost, *row.removed_stderr) : w.null();
}

// The row's sector profile: its 18 layer × element cells, as results.json's layer_element[]
// writes them (without the expected compromised assets, which compare does not count).
void write_row_profile(JsonWriter& w, const CompareRow& row) {
  w.key("layer_element").begin_array();
  for (std::size_t c = 0; c < kCells; ++c) {
    const LayerElementCell& cell = row.layer_element[c];
    w.begin_object();
    w.key("layer").string(kLayerNames[c / 6]);
    w.key("element").string(kElementNames[c % 6]);
    w.key("expected_loss").number(cell.own);
    write_cell_loss(w, cell);
    w.end_object();
  }
  w.end_array();
}

void write_row(JsonWriter& w, const CompareResult& r, const CompareRow& row) {
  w.begin_object();
  w.key("scenario").string(row.scenario);
  w.key("baseline").string(row.baseline);
  w.key("trials").count(row.trials);
  w.key("loss");
  write_loss(w, row);
  w.key("p_any_target");
  write_p_any_target(w, row);
  w.key("inherent");
  write_mean_stderr(w, row.inherent_mean, row.inherent_stderr);
  w.key("reduction");
  write_mean_stderr_ci(w, row.reduction_mean, row.reduction_stderr);
  w.key("annual");
  row.annual_mean ? write_mean_stderr_ci(w, *row.annual_mean, *row.annual_stderr) : w.null();
  w.key("difference").begin_object();
  w.key("from").string(r.baselines.front());
  w.key("mean").number(row.diff_mean);
  w.key("stderr").number(row.diff_stderr);
  w.key("ci95").numbers({row.diff_mean - kZ95 * row.diff_stderr, row.diff_mean + kZ95 * row.diff_stderr});
  w.end_object();
  w.key("changed_enterprises").count(row.changed);
  w.key("no_effect");
  row.no_effect ? w.string(*row.no_effect) : w.null();
  write_money(w, row);
  if (row.baseline == kSupplierRule) {
    w.key("supplier_rule");
    write_supplier_decisions(w, row.decisions);
  }
  write_row_profile(w, row);
  w.end_object();
}

const CompareScenarioInfo& info_of(const CompareResult& r, const std::string& label) {
  for (const auto& s : r.scenarios) {
    if (s.label == label) return s;
  }
  throw std::logic_error("compare: row of unknown scenario " + label);
}

}  // namespace

std::string compare_json(const CompareResult& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_format_and_engine(w, "cpsf.compare.v1");
  w.key("generator").string("philox4x32-10");
  w.key("seed").count(r.seed);
  w.key("trials").count(r.trials);
  w.key("threat");
  r.threat ? w.string(*r.threat) : w.null();
  w.key("baselines").strings(r.baselines);
  w.key("pairing").string(
      "common random numbers: every variant of a scenario uses the same seed and trials, so differences are "
      "per-trial (paired); differences are from the first baseline");
  w.key("scenarios").begin_array();
  for (const auto& s : r.scenarios) {
    w.begin_object();
    w.key("label").string(s.label);
    w.key("file").string(s.file);
    w.key("name").string(s.name);
    w.key("currency").string(s.currency);
    w.key("threats").strings(s.threats);
    w.end_object();
  }
  w.end_array();
  w.key("rows").begin_array();
  for (const auto& row : r.rows) write_row(w, r, row);
  w.end_array();
  w.key("warnings").strings(r.warnings);
  w.end_object();
  out += '\n';
  return out;
}

namespace {

// compare.csv's last columns: cost, removed_mean, removed_stderr, net_benefit_mean,
// net_benefit_stderr (the last four empty without annual losses).
void money_csv(std::string& out, const CompareRow& row) {
  csv::number(out, row.cost);
  if (!row.removed_mean) {
    out += ",,,,";
    return;
  }
  for (const double x : {*row.removed_mean, *row.removed_stderr, *row.removed_mean - row.cost, *row.removed_stderr}) {
    out += ',';
    csv::number(out, x);
  }
}

}  // namespace

std::string compare_profile_csv(const CompareResult& r) {
  std::string out = "scenario,baseline,layer,element,loss_mean,loss_stderr,share,share_ci95_low,share_ci95_high\n";
  for (const auto& row : r.rows) {
    for (std::size_t c = 0; c < kCells; ++c) {
      const LayerElementCell& cell = row.layer_element[c];
      csv::text(out, row.scenario);
      out += ',';
      csv::text(out, row.baseline);
      out += ',';
      out += kLayerNames[c / 6];
      out += ',';
      out += kElementNames[c % 6];
      for (const double x : {cell.mean, cell.stderr_, cell.share, cell.share_ci95.low, cell.share_ci95.high}) {
        out += ',';
        csv::number(out, x);
      }
      out += '\n';
    }
  }
  return out;
}

std::string compare_csv(const CompareResult& r) {
  std::string out =
      "scenario,baseline,currency,trials,seed,mean,stderr,ci95_low,ci95_high,var95,var95_ci95_low,var95_ci95_high,"
      "var99,var99_ci95_low,var99_ci95_high,es99,targets,target_trials,p_any_target,p_any_target_ci95_low,"
      "p_any_target_ci95_high,inherent_mean,inherent_stderr,reduction_mean,reduction_stderr,annual_mean,"
      "annual_stderr,difference_from,difference_mean,difference_stderr,changed_enterprises,cost,removed_mean,"
      "removed_stderr,net_benefit_mean,net_benefit_stderr\n";
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
    count(row.changed);
    money_csv(out, row);
    out += '\n';
  }
  return out;
}

namespace {

// Under the table: each variant that changed baselines but no step, and why.
std::string no_effect_notes(const CompareResult& r) {
  std::string out;
  for (const auto& row : r.rows) {
    if (!row.no_effect) continue;
    out += terminal_safe(row.scenario) + ", " + terminal_safe(row.baseline) + ": changed " +
           std::to_string(row.changed) + (row.changed == 1 ? " baseline" : " baselines") +
           " but no step: " + terminal_safe(*row.no_effect) + "\n";
  }
  return out;
}

// Under the table: each row's annual cost beside the annual loss it removes.
std::string money_lines(const CompareResult& r) {
  const bool any = std::any_of(r.rows.begin(), r.rows.end(), [](const CompareRow& x) { return x.changed > 0; });
  if (!any) return "";
  std::string out =
      "money, a year, against the scenario as it is (cost: the controls the variant adds to the enterprises it "
      "changes, from the baselines' cost):\n";
  const std::size_t w_scen = column_width(r.rows, 8, [](const CompareRow& x) { return x.scenario; });
  const std::size_t w_base = column_width(r.rows, 8, [](const CompareRow& x) { return x.baseline; });
  out += "  " + pad_right("scenario", w_scen) + " " + pad_right("baseline", w_base) + align_right("cost", 14) +
         align_right("loss removed ± SE", 26) + align_right("net benefit ± SE", 26) + "\n";
  for (const auto& row : r.rows) {
    const auto pm = [](double m, double se) { return money(m) + " ± " + money(se); };
    out += "  " + pad_right(row.scenario, w_scen) + " " + pad_right(row.baseline, w_base) +
           align_right(money(row.cost), 14);
    if (row.removed_mean) {
      out += align_right(pm(*row.removed_mean, *row.removed_stderr), 26) +
             align_right(pm(*row.removed_mean - row.cost, *row.removed_stderr), 26);
    } else {
      out += align_right("n/a (per trial)", 26) + align_right("n/a", 26);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

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
  const auto pm = [](double m, double se) { return money(m) + " ± " + money(se); };
  const auto g = [](double x) { return money(x); };
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
  out += no_effect_notes(r);
  out += money_lines(r);
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
