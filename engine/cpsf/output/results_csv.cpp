#include "cpsf/output/results_csv.hpp"

#include "cpsf/output/csv.hpp"
#include "cpsf/output/layer_element.hpp"

namespace cpsf {

std::string assets_csv(const Model& m, const Estimates& est) {
  std::string out =
      "id,owner,layer,element,target,compromised_trials,p_compromised,ci95_low,ci95_high,mean_time,sd_time,"
      "inherent_p_compromised\n";
  out.reserve(out.size() + est.assets.size() * 160);
  for (const auto& a : est.assets) {
    csv::text(out, m.asset_id[a.index]);
    out += ',';
    csv::text(out, m.enterprise_id[m.asset_owner[a.index]]);
    out += ',';
    out += layer_name(m.asset_layer[a.index]);
    out += ',';
    out += element_name(m.asset_element[a.index]);
    out += m.asset_target[a.index] ? ",true," : ",false,";
    csv::count(out, a.hits);
    for (const double x : {a.p, a.ci95.low, a.ci95.high, a.mean_time, a.sd_time, a.inherent_p}) {
      out += ',';
      csv::number(out, x);
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
}  // namespace cpsf
