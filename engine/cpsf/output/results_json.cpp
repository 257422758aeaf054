#include "cpsf/output/results_json.hpp"

#include <cmath>

#include "cpsf/output/json_writer.hpp"
#include "cpsf/output/layer_element.hpp"

namespace cpsf {

namespace {

// "p_compromised": p, "ci95": [low, high]
void write_p_compromised(JsonWriter& w, double p, const Interval& ci) {
  w.key("p_compromised").number(p);
  w.key("ci95").numbers({ci.low, ci.high});
}

void write_loss(JsonWriter& w, const LossSummary& s) {
  w.begin_object();
  w.key("mean").number(s.mean);
  w.key("stderr").number(s.stderr_);
  w.key("ci95").numbers({s.ci95.low, s.ci95.high});
  w.key("var95").number(s.var95);
  w.key("var99").number(s.var99);
  w.key("es99").number(s.es99);
  w.key("max").number(s.max);
  w.key("exceedance").begin_array();
  for (const auto& p : s.exceedance) {
    w.begin_object();
    w.key("threshold").number(p.threshold);
    w.key("probability").number(p.probability);
    w.key("stderr").number(p.stderr_);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// What was run: the scenario, the random numbers, how far the run went, the view.
void write_run(JsonWriter& w, const SimulationResult& r, const OutputContext& ctx) {
  write_scenario(w, ctx);
  w.key("generator").string("philox4x32-10");
  w.key("seed").count(r.seed);
  w.key("trials").count(r.trials);
  w.key("trials_planned").count(r.trials_planned);
  w.key("partial").boolean(r.partial);
  w.key("stopped_by_precision").boolean(r.stopped_by_precision);
  w.key("horizon");
  r.horizon ? w.number(*r.horizon) : w.null();
  w.key("view").string(r.combined ? "all-threats: every threat attacks once per trial; an asset counts once"
                                  : "threat '" + r.threats.front().id + "': one attack per trial");
}

// The display label at `index`, empty when the scenario gives none (ScenarioLabels).
const std::string& label_at(const std::vector<std::string>& labels, std::size_t index) {
  static const std::string none;
  return index < labels.size() ? labels[index] : none;
}

void write_asset(JsonWriter& w, const Model& m, const AssetEstimates& a, bool inherent, const ScenarioLabels& labels) {
  w.begin_object();
  w.key("id").string(m.asset_id[a.index]);
  w.key("name").string(label_at(labels.asset_name, a.index));
  w.key("owner").string(m.enterprise_id[m.asset_owner[a.index]]);
  w.key("layer").string(layer_name(m.asset_layer[a.index]));
  w.key("element").string(element_name(m.asset_element[a.index]));
  w.key("target").boolean(m.asset_target[a.index] != 0);
  w.key("compromised_trials").count(a.hits);
  write_p_compromised(w, a.p, a.ci95);
  w.key("time_to_compromise").begin_object();
  w.key("mean").number(a.mean_time);
  w.key("sd").number(a.sd_time);
  if (a.time_quantiles) {
    w.key("p50").number((*a.time_quantiles)[0]);
    w.key("p90").number((*a.time_quantiles)[1]);
    w.key("p99").number((*a.time_quantiles)[2]);
  }
  w.end_object();
  if (inherent) {
    w.key("inherent").begin_object();
    write_p_compromised(w, a.inherent_p, a.inherent_ci95);
    w.end_object();
  }
  // Per year, where every threat has an annual frequency; null where not.
  w.key("annual");
  if (a.annual) {
    w.begin_object();
    write_p_compromised(w, a.annual->p, a.annual->ci95);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

// "loss", and with a controls-off run "inherent" and "controls_effect".
void write_losses(JsonWriter& w, const SimulationResult& r, const Estimates& est) {
  w.key("loss");
  write_loss(w, est.loss);
  if (!r.has_inherent) return;
  w.key("inherent").begin_object();
  w.key("loss");
  write_loss(w, est.inherent_loss);
  w.end_object();
  w.key("controls_effect").begin_object();
  w.key("loss_removed").number(est.removed_mean);
  w.key("stderr").number(est.removed_stderr);
  w.key("ci95").numbers({est.removed_mean - kZ95 * est.removed_stderr, est.removed_mean + kZ95 * est.removed_stderr});
  w.end_object();
}

void write_enterprises(JsonWriter& w, const Model& m, const SimulationResult& r, const Estimates& est,
                       const ScenarioLabels& labels) {
  w.key("enterprises").begin_array();
  for (std::size_t e = 0; e < est.enterprises.size(); ++e) {
    const auto& re = est.enterprises[e];
    w.begin_object();
    w.key("id").string(m.enterprise_id[e]);
    w.key("name").string(label_at(labels.enterprise_name, e));
    w.key("role").string(label_at(labels.enterprise_role, e));
    w.key("sector").string(label_at(labels.enterprise_sector, e));
    w.key("loss");
    write_loss(w, re.residual);
    w.key("direct");
    write_mean_stderr(w, re.direct_mean, re.direct_stderr);
    w.key("cascade");
    write_mean_stderr(w, re.cascade_mean, re.cascade_stderr);
    if (r.has_inherent) w.key("inherent_loss_mean").number(re.inherent_mean);
    w.end_object();
  }
  w.end_array();
}

void write_cascade(JsonWriter& w, const Model& m, const SimulationResult& r, const Estimates& est) {
  const double share = est.loss.mean > 0           ? est.cascade_mean / est.loss.mean
                       : std::isnan(est.loss.mean) ? kNoEstimate  // no trial
                                                   : 0.0;
  w.key("cascade").begin_object();
  w.key("production_modelled").boolean(r.has_production);
  w.key("dependencies").count(m.supply_links.size());
  w.key("spectral_radius").number(r.spectral_radius);
  w.key("loss_mean").number(est.cascade_mean);
  w.key("stderr").number(est.cascade_stderr);
  w.key("share_of_loss").number(share);
  w.end_object();
}

// Relations by their labels, assets by their ids.
void write_relations(JsonWriter& w, const Estimates& est, const std::vector<std::uint32_t>& relations) {
  w.begin_array();
  for (const std::uint32_t rel : relations) w.string(est.relation_labels(rel));
  w.end_array();
}
void write_assets(JsonWriter& w, const Model& m, const std::vector<std::uint32_t>& assets) {
  w.begin_array();
  for (const std::uint32_t a : assets) w.string(m.asset_id[a]);
  w.end_array();
}

void write_path(JsonWriter& w, const Model& m, const Estimates& est, const AttackPath& p) {
  w.begin_object();
  w.key("assets");
  write_assets(w, m, p.assets);
  w.key("relations");
  write_relations(w, est, p.relations);
  w.key("trials").count(p.trials);
  w.key("frequency").number(p.frequency);
  w.key("ci95").numbers({p.ci95.low, p.ci95.high});
  w.key("share").number(p.share);
  w.end_object();
}

void write_paths(JsonWriter& w, const Model& m, const Estimates& est) {
  w.key("paths").begin_object();
  w.key("successful_paths").count(est.paths.successful_paths);
  w.key("targets").begin_array();
  for (const auto& t : est.paths.targets) {
    w.begin_object();
    w.key("asset").string(m.asset_id[t.target]);
    w.key("compromised_trials").count(t.compromised_trials);
    w.key("distinct_paths").count(t.distinct_paths);
    w.key("top").begin_array();
    for (const auto& p : t.top) write_path(w, m, est, p);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("relations").begin_array();
  for (const auto& rs : est.paths.relations) {
    w.begin_object();
    w.key("relation").string(est.relation_labels(rs.relation));
    w.key("paths").count(rs.paths);
    w.key("share").number(rs.share);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_chokepoint(JsonWriter& w, const Model& m, const Estimates& est, const Chokepoint& c) {
  const auto count_or_null = [&](std::uint32_t x, std::uint32_t none) { x == none ? w.null() : w.count(x); };
  w.begin_object();
  w.key("asset").string(m.asset_id[c.target]);
  w.key("reachable").boolean(c.reachable);
  w.key("entry").boolean(c.entry);
  w.key("cut_size");
  count_or_null(c.cut_size, kNoCut);
  w.key("cut_relations");
  write_relations(w, est, c.cut_relations);
  w.key("asset_cut_size");
  count_or_null(c.asset_cut_size, kNoCut);
  w.key("cut_assets");
  write_assets(w, m, c.cut_assets);
  w.key("depth");
  count_or_null(c.depth, kUnreachable);
  w.key("exact").boolean(c.exact);
  w.end_object();
}

void write_chokepoints(JsonWriter& w, const Model& m, const Estimates& est) {
  w.key("chokepoints").begin_object();
  w.key("weaknesses").string("residual (controls on)");
  if (!est.chokepoints_note.empty()) w.key("note").string(est.chokepoints_note);
  w.key("threats").begin_array();
  for (const auto& tc : est.chokepoints) {
    w.begin_object();
    w.key("threat").string(tc.threat);
    w.key("targets").begin_array();
    for (const auto& c : tc.targets) write_chokepoint(w, m, est, c);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_layer_element(JsonWriter& w, const Estimates& est) {
  w.key("layer_element").begin_array();
  for (std::size_t l = 0; l < 3; ++l) {
    for (std::size_t e = 0; e < 6; ++e) {
      const LayerElementCell& cell = est.cells[l * 6 + e];
      w.begin_object();
      w.key("layer").string(kLayerNames[l]);
      w.key("element").string(kElementNames[e]);
      w.key("expected_loss").number(est.cell_loss[l][e]);
      w.key("expected_compromised").number(est.cell_count[l][e]);
      write_cell_loss(w, cell);
      w.end_object();
    }
  }
  w.end_array();
}

void write_threats(JsonWriter& w, const Model& m, const Estimates& est) {
  w.key("threats").begin_array();
  for (std::size_t k = 0; k < est.threats.size(); ++k) {
    const auto& t = est.threats[k];
    w.begin_object();
    w.key("id").string(t.id);
    w.key("loss");
    write_loss(w, t.loss);
    if (t.inherent_mean) w.key("inherent_loss_mean").number(*t.inherent_mean);
    if (m.threats[k].annual_frequency) w.key("annual_frequency").number(*m.threats[k].annual_frequency);
    // With one threat its assets are the main view's `assets`: not written twice.
    if (est.threats.size() > 1) {
      w.key("assets").begin_array();
      for (const auto& a : t.assets) {
        w.begin_object();
        w.key("id").string(m.asset_id[a.index]);
        write_p_compromised(w, a.p, a.ci95);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
}

void write_annual(JsonWriter& w, const Estimates& est) {
  if (!est.annual) return;
  w.key("annual").begin_object();
  w.key("loss");
  write_loss(w, *est.annual);
  if (est.annual_inherent) {
    w.key("inherent_loss");
    write_loss(w, *est.annual_inherent);
  }
  w.end_object();
}

}  // namespace

void write_cell_loss(JsonWriter& w, const LayerElementCell& cell) {
  w.key("production_loss").number(cell.production);
  w.key("cascade_loss").number(cell.cascade);
  w.key("loss");
  write_mean_stderr(w, cell.mean, cell.stderr_);
  w.key("share").begin_object();
  w.key("value").number(cell.share);
  w.key("ci95").numbers({cell.share_ci95.low, cell.share_ci95.high});
  w.end_object();
}

std::string results_json(const Model& m, const SimulationResult& r, const Estimates& est, const OutputContext& ctx) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_format_and_engine(w, "cpsf.results.v1");
  write_run(w, r, ctx);
  w.key("assets").begin_array();
  // Room for the whole document in one allocation, sized from the first assets' own bytes:
  // a guess too small doubles a string of hundreds of megabytes at 10^6 assets (a copy and
  // as many fresh pages again), and room never written is never touched.
  constexpr std::size_t kSample = 64;
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < est.assets.size(); ++i) {
    if (i == kSample) {
      const std::size_t per_asset = (out.size() - start) / kSample + 1;
      out.reserve(out.size() + (est.assets.size() - i) * per_asset * 5 / 4 + (std::size_t{1} << 20));
    }
    write_asset(w, m, est.assets[i], r.has_inherent, ctx.labels);
  }
  w.end_array();
  write_losses(w, r, est);
  write_enterprises(w, m, r, est, ctx.labels);
  write_cascade(w, m, r, est);
  write_paths(w, m, est);
  write_chokepoints(w, m, est);
  write_layer_element(w, est);
  write_threats(w, m, est);
  write_annual(w, est);
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace cpsf
