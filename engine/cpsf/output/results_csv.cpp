#include "cpsf/output/results_csv.hpp"

#include "cpsf/output/csv.hpp"
#include "cpsf/output/layer_element.hpp"

namespace cpsf {

namespace {

// labels[i], or "" past its end: a ScenarioLabels vector is empty when nothing has a label.
const std::string& label(const std::vector<std::string>& labels, std::size_t i) {
  static const std::string kNone;
  return i < labels.size() ? labels[i] : kNone;
}

// Appends ",x" for each number.
void numbers(std::string& out, std::initializer_list<double> xs) {
  for (const double x : xs) {
    out += ',';
    csv::number(out, x);
  }
}

// Appends a count, or an empty cell for `none` (results.json's null).
void count_or_none(std::string& out, std::uint32_t x, std::uint32_t none) {
  if (x != none) csv::count(out, x);
}

// Appends one text cell holding the names of `items` joined by `separator`. A cell for
// reading: an id may hold the separator, and results.json keeps the lists themselves.
template <typename Name>
void joined(std::string& out, const std::vector<std::uint32_t>& items, std::string_view separator, Name name) {
  std::string cell;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) cell += separator;
    cell += name(items[i]);
  }
  csv::text(out, cell);
}

}  // namespace

std::string assets_csv(const Model& m, const Estimates& est, const ScenarioLabels& labels) {
  std::string out =
      "id,name,owner,layer,element,target,compromised_trials,p_compromised,ci95_low,ci95_high,mean_time,sd_time,"
      "inherent_p_compromised,expected_loss,annual_p_compromised,annual_ci95_low,annual_ci95_high\n";
  out.reserve(out.size() + est.assets.size() * 180);
  for (const auto& a : est.assets) {
    csv::text(out, m.asset_id[a.index]);
    out += ',';
    csv::text(out, label(labels.asset_name, a.index));
    out += ',';
    csv::text(out, m.enterprise_id[m.asset_owner[a.index]]);
    out += ',';
    out += layer_name(m.asset_layer[a.index]);
    out += ',';
    out += element_name(m.asset_element[a.index]);
    out += m.asset_target[a.index] ? ",true," : ",false,";
    csv::count(out, a.hits);
    numbers(out, {a.p, a.ci95.low, a.ci95.high, a.mean_time, a.sd_time, a.inherent_p, expected_own_loss(m, a)});
    // Per year where every threat has an annual frequency; empty cells where not.
    if (a.annual) {
      numbers(out, {a.annual->p, a.annual->ci95.low, a.annual->ci95.high});
    } else {
      out += ",,,";
    }
    out += '\n';
  }
  return out;
}

std::string losses_csv(const SimulationResult& r) {
  const ViewResult& main = r.main();
  std::string out = "trial,loss";
  if (r.has_inherent) out += ",inherent_loss";
  if (r.has_annual) out += r.has_inherent ? ",annual_loss,annual_inherent_loss" : ",annual_loss";
  out += "\n";
  for (std::uint64_t j = 0; j < r.trials; ++j) {
    csv::count(out, j);
    out += ',';
    csv::number(out, main.residual_loss[j]);
    if (r.has_inherent) {
      out += ',';
      csv::number(out, main.inherent_loss[j]);
    }
    if (r.has_annual) {
      out += ',';
      csv::number(out, r.annual_residual_loss[j]);
      if (r.has_inherent) {
        out += ',';
        csv::number(out, r.annual_inherent_loss[j]);
      }
    }
    out += '\n';
  }
  return out;
}

std::string enterprises_csv(const Model& m, const SimulationResult& r, const Estimates& est,
                            const ScenarioLabels& labels) {
  std::string out =
      "id,name,role,sector,loss_mean,loss_stderr,direct_mean,direct_stderr,cascade_mean,cascade_stderr,"
      "inherent_loss_mean\n";
  for (std::size_t e = 0; e < est.enterprises.size(); ++e) {
    const auto& re = est.enterprises[e];
    csv::text(out, m.enterprise_id[e]);
    for (const auto* column : {&labels.enterprise_name, &labels.enterprise_role, &labels.enterprise_sector}) {
      out += ',';
      csv::text(out, label(*column, e));
    }
    numbers(out, {re.residual.mean, re.residual.stderr_, re.direct_mean, re.direct_stderr, re.cascade_mean,
                  re.cascade_stderr});
    // Not computed without the controls-off view (--no-inherent): none, as results.json omits it.
    numbers(out, {r.has_inherent ? re.inherent_mean : kNoEstimate});
    out += '\n';
  }
  return out;
}

std::string paths_csv(const Model& m, const Estimates& est) {
  std::string out = "target,rank,assets,relations,trials,frequency,ci95_low,ci95_high,share\n";
  const auto asset = [&](std::uint32_t a) -> const std::string& { return m.asset_id[a]; };
  for (const auto& t : est.paths.targets) {
    for (std::size_t k = 0; k < t.top.size(); ++k) {
      const AttackPath& p = t.top[k];
      csv::text(out, m.asset_id[t.target]);
      out += ',';
      csv::count(out, k + 1);
      out += ',';
      joined(out, p.assets, " > ", asset);
      out += ',';
      joined(out, p.relations, " > ", est.relation_labels);
      out += ',';
      csv::count(out, p.trials);
      numbers(out, {p.frequency, p.ci95.low, p.ci95.high, p.share});
      out += '\n';
    }
  }
  return out;
}

std::string chokepoints_csv(const Model& m, const Estimates& est) {
  std::string out = "threat,asset,reachable,entry,cut_size,cut_relations,asset_cut_size,cut_assets,depth,exact\n";
  const auto asset = [&](std::uint32_t a) -> const std::string& { return m.asset_id[a]; };
  for (const auto& tc : est.chokepoints) {
    for (const Chokepoint& c : tc.targets) {
      csv::text(out, tc.threat);
      out += ',';
      csv::text(out, m.asset_id[c.target]);
      out += c.reachable ? ",true" : ",false";
      out += c.entry ? ",true," : ",false,";
      count_or_none(out, c.cut_size, kNoCut);
      out += ',';
      joined(out, c.cut_relations, ";", est.relation_labels);
      out += ',';
      count_or_none(out, c.asset_cut_size, kNoCut);
      out += ',';
      joined(out, c.cut_assets, ";", asset);
      out += ',';
      count_or_none(out, c.depth, kUnreachable);
      out += c.exact ? ",true\n" : ",false\n";
    }
  }
  return out;
}

}  // namespace cpsf
