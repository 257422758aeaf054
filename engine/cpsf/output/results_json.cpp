#include "cpsf/output/results_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "cpsf/base/version.hpp"
#include "cpsf/output/layer_element.hpp"

namespace cpsf {

namespace {

nlohmann::ordered_json number(double x) { return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr); }

nlohmann::ordered_json loss_json(const LossSummary& s) {
  nlohmann::ordered_json j{{"mean", number(s.mean)},   {"stderr", number(s.stderr_)},
                   {"ci95", {number(s.ci95.low), number(s.ci95.high)}},
                   {"var95", number(s.var95)}, {"var99", number(s.var99)},
                   {"es99", number(s.es99)},   {"max", number(s.max)}};
  auto& curve = j["exceedance"] = nlohmann::ordered_json::array();
  for (const auto& p : s.exceedance) {
    curve.push_back({{"threshold", p.threshold}, {"probability", p.probability}, {"stderr", p.stderr_}});
  }
  return j;
}

// Writes JSON laid out exactly as nlohmann's dump(1) does (one space per level,
// "key": value, [] and {} when empty, numbers by the same shortest round-trip
// conversion), so that results.json's per-asset arrays go straight into the output:
// building a json node per field was most of the write time at 10^6 assets. Smaller
// parts are nlohmann values, dumped in place.
class JsonStream {
 public:
  explicit JsonStream(std::string& out) : out_(out) {}

  JsonStream& key(std::string_view name) {  // a plain ASCII name: nothing to escape
    next();
    out_ += '"';
    out_ += name;
    out_ += "\": ";
    after_key_ = true;
    return *this;
  }
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void number(double x) {
    next();
    if (!std::isfinite(x)) {
      out_ += "null";
      return;
    }
    char buf[64];
    out_.append(buf, nlohmann::detail::to_chars(buf, buf + sizeof buf, x));
  }
  void count(std::uint64_t x) {
    next();
    out_ += std::to_string(x);
  }
  void boolean(bool x) {
    next();
    out_ += x ? "true" : "false";
  }
  void string(std::string_view s) {
    next();
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
    });
    if (plain) {
      out_ += '"';
      out_ += s;
      out_ += '"';
    } else {  // escaped, and checked as UTF-8, by nlohmann itself
      out_ += nlohmann::ordered_json(std::string(s)).dump();
    }
  }
  void json(const nlohmann::ordered_json& j) {
    next();
    const std::string text = j.dump(1);
    for (const char c : text) {  // indented to this depth (strings hold no raw newline)
      out_ += c;
      if (c == '\n') out_.append(depth_, ' ');
    }
  }
  // Each member of `object`, in order, as members of the object being written.
  void members(const nlohmann::ordered_json& object) {
    for (const auto& [name, value] : object.items()) key(name).json(value);
  }

 private:
  // Separator and indentation before a value, unless it is a member's value.
  void next() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    out_ += first_.back() ? "\n" : ",\n";
    first_.back() = false;
    out_.append(depth_, ' ');
  }
  void open(char bracket) {
    next();
    out_ += bracket;
    ++depth_;
    first_.push_back(true);
  }
  void close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    --depth_;
    if (!empty) {
      out_ += '\n';
      out_.append(depth_, ' ');
    }
    out_ += bracket;
  }

  std::string& out_;
  std::size_t depth_ = 0;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// "p_compromised": p, "ci95": [low, high]
void write_p_compromised(JsonStream& w, double p, const Interval& ci) {
  w.key("p_compromised").number(p);
  w.key("ci95").begin_array();
  w.number(ci.low);
  w.number(ci.high);
  w.end_array();
}

void write_asset(JsonStream& w, const Model& m, const AssetReport& a, bool inherent) {
  w.begin_object();
  w.key("id").string(m.asset_id[a.index]);
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
  w.end_object();
}

}  // namespace

std::string results_json(const Model& m, const SimulationResult& r, const Report& rep, const OutputContext& ctx) {
  nlohmann::ordered_json j;
  j["format"] = "cpsf.results.v1";
  j["engine"] = {{"version", kEngineVersion}, {"schema", kSchemaVersion}, {"git_revision", kGitRevision},
                 {"semantics", "attack-step semantics v1 (DESIGN §4)"}};
  j["scenario"] = {{"file", ctx.scenario_file}, {"name", ctx.scenario_name}, {"currency", ctx.currency}};
  j["generator"] = "philox4x32-10";
  j["seed"] = r.seed;
  j["trials"] = r.trials;
  j["trials_planned"] = r.trials_planned;
  j["partial"] = r.partial;
  j["stopped_by_precision"] = r.stopped_by_precision;
  j["horizon"] = r.horizon ? nlohmann::ordered_json(*r.horizon) : nlohmann::ordered_json(nullptr);
  j["view"] = r.combined ? "all-threats: every threat attacks once per trial; an asset counts once"
                         : "threat '" + r.threats.front().id + "': one attack per trial";
  // The members around the per-asset arrays are built as nlohmann values and written in
  // order with those arrays streamed between them.
  std::string out;
  const std::size_t per_asset = 320 + (r.has_inherent ? 120 : 0) + (rep.threats.size() > 1 ? 120 * rep.threats.size() : 0);
  out.reserve(rep.assets.size() * per_asset);  // roughly: one allocation, not a series of doublings
  JsonStream w(out);
  w.begin_object();
  w.members(j);
  w.key("assets").begin_array();
  for (const auto& a : rep.assets) write_asset(w, m, a, r.has_inherent);
  w.end_array();
  j = nlohmann::ordered_json::object();
  j["loss"] = loss_json(rep.loss);
  if (r.has_inherent) {
    j["inherent"] = {{"loss", loss_json(rep.inherent_loss)}};
    j["controls_effect"] = {{"loss_removed", number(rep.removed_mean)},
                            {"stderr", number(rep.removed_stderr)},
                            {"ci95", {number(rep.removed_mean - kZ95 * rep.removed_stderr),
                                      number(rep.removed_mean + kZ95 * rep.removed_stderr)}}};
  }
  auto& enterprises = j["enterprises"] = nlohmann::ordered_json::array();
  for (std::size_t e = 0; e < rep.enterprises.size(); ++e) {
    const auto& re = rep.enterprises[e];
    nlohmann::ordered_json ej{{"id", m.enterprise_id[e]}, {"loss", loss_json(re.residual)}};
    ej["direct"] = {{"mean", number(re.direct_mean)}, {"stderr", number(re.direct_stderr)}};
    ej["cascade"] = {{"mean", number(re.cascade_mean)}, {"stderr", number(re.cascade_stderr)}};
    if (r.has_inherent) ej["inherent_loss_mean"] = number(re.inherent_mean);
    enterprises.push_back(std::move(ej));
  }
  const double cascade_share = rep.loss.mean > 0           ? rep.cascade_mean / rep.loss.mean
                               : std::isnan(rep.loss.mean) ? kNoEstimate  // no trial
                                                           : 0.0;
  j["cascade"] = {{"production_modelled", r.has_production},
                  {"dependencies", m.supply_links.size()},
                  {"spectral_radius", number(r.spectral_radius)},
                  {"loss_mean", number(rep.cascade_mean)},
                  {"stderr", number(rep.cascade_stderr)},
                  {"share_of_loss", number(cascade_share)}};
  {
    auto& pj = j["paths"];
    pj["successful_paths"] = rep.paths.successful_paths;
    auto& targets = pj["targets"] = nlohmann::ordered_json::array();
    for (const auto& t : rep.paths.targets) {
      nlohmann::ordered_json tj{{"asset", m.asset_id[t.target]},
                                {"compromised_trials", t.compromised_trials},
                                {"distinct_paths", t.distinct_paths}};
      auto& top = tj["top"] = nlohmann::ordered_json::array();
      for (const auto& p : t.top) {
        nlohmann::ordered_json steps = nlohmann::ordered_json::array(), assets = nlohmann::ordered_json::array();
        for (const std::uint32_t rel : p.relations) steps.push_back(rep.relation_labels(rel));
        for (const std::uint32_t a : p.assets) assets.push_back(m.asset_id[a]);
        top.push_back({{"assets", assets}, {"relations", steps}, {"trials", p.trials},
                       {"frequency", number(p.frequency)}, {"ci95", {number(p.ci95.low), number(p.ci95.high)}},
                       {"share", number(p.share)}});
      }
      targets.push_back(std::move(tj));
    }
    auto& rels = pj["relations"] = nlohmann::ordered_json::array();
    for (const auto& rs : rep.paths.relations) {
      rels.push_back({{"relation", rep.relation_labels(rs.relation)}, {"paths", rs.paths}, {"share", number(rs.share)}});
    }
  }
  {
    auto& cj = j["chokepoints"];
    cj["weaknesses"] = "residual (controls on)";
    if (!rep.chokepoints_note.empty()) cj["note"] = rep.chokepoints_note;
    auto& list = cj["threats"] = nlohmann::ordered_json::array();
    const auto count = [](std::uint32_t x) {
      return x == kNoCut ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(x);
    };
    for (const auto& tc : rep.chokepoints) {
      nlohmann::ordered_json tj{{"threat", tc.threat}};
      auto& targets = tj["targets"] = nlohmann::ordered_json::array();
      for (const auto& c : tc.targets) {
        nlohmann::ordered_json rels = nlohmann::ordered_json::array(), assets = nlohmann::ordered_json::array();
        for (const std::uint32_t rel : c.cut_relations) rels.push_back(rep.relation_labels(rel));
        for (const std::uint32_t a : c.cut_assets) assets.push_back(m.asset_id[a]);
        targets.push_back({{"asset", m.asset_id[c.target]}, {"reachable", c.reachable}, {"entry", c.entry},
                           {"cut_size", count(c.cut_size)}, {"cut_relations", rels},
                           {"asset_cut_size", count(c.asset_cut_size)}, {"cut_assets", assets},
                           {"depth", c.depth == kUnreachable ? nlohmann::ordered_json(nullptr)
                                                             : nlohmann::ordered_json(c.depth)},
                           {"exact", c.exact}});
      }
      list.push_back(std::move(tj));
    }
  }
  auto& cells = j["layer_element"] = nlohmann::ordered_json::array();
  for (int l = 0; l < 3; ++l) {
    for (int e = 0; e < 6; ++e) {
      cells.push_back({{"layer", kLayerNames[l]}, {"element", kElementNames[e]},
                       {"expected_loss", rep.cell_loss[l][e]}, {"expected_compromised", rep.cell_count[l][e]}});
    }
  }
  w.members(j);
  w.key("threats").begin_array();
  for (std::size_t k = 0; k < rep.threats.size(); ++k) {
    const auto& t = rep.threats[k];
    w.begin_object();
    w.key("id").string(t.id);
    w.key("loss").json(loss_json(t.loss));
    if (t.inherent_mean) w.key("inherent_loss_mean").number(*t.inherent_mean);
    if (m.threats[k].annual_frequency) w.key("annual_frequency").number(*m.threats[k].annual_frequency);
    // With one threat its assets are the main view's `assets`: not written twice.
    if (rep.threats.size() > 1) {
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
  if (rep.annual) {
    nlohmann::ordered_json annual{{"loss", loss_json(*rep.annual)}};
    if (rep.annual_inherent) annual["inherent_loss"] = loss_json(*rep.annual_inherent);
    w.key("annual").json(annual);
  }
  w.end_object();
  out += '\n';
  return out;
}
}  // namespace cpsf
