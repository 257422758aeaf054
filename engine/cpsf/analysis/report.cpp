#include "cpsf/analysis/report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

#include "cpsf/output/csv.hpp"
#include "cpsf/base/terminal.hpp"
#include "cpsf/base/version.hpp"

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxThresholds = 64;
const char* const kLayerNames[3] = {"L1", "L2", "L3"};
const char* const kElementNames[6] = {"ORGANIZATION", "PEOPLE", "COMPONENT", "DATA", "PROCEDURE", "SYSTEM"};

// The model's layer and element by name; "?" for a value outside the tables, which
// compile() refuses but a hand-made Model could hold: a writer never reads past them.
const char* layer_name(std::uint8_t layer) { return layer < 3 ? kLayerNames[layer] : "?"; }
const char* element_name(std::uint8_t element) { return element < 6 ? kElementNames[element] : "?"; }

std::vector<double> default_thresholds(std::span<const double> sorted) {
  std::vector<double> distinct;
  for (const double x : sorted) {
    if (distinct.empty() || distinct.back() != x) distinct.push_back(x);
    if (distinct.size() > kMaxThresholds) break;
  }
  if (distinct.size() <= kMaxThresholds) return distinct;
  std::vector<double> t{0.0};
  const auto first_positive = std::upper_bound(sorted.begin(), sorted.end(), 0.0);
  const std::span<const double> positive(first_positive, sorted.end());
  for (std::size_t k = 0; k + 1 < kMaxThresholds; ++k) {
    const double q = quantile(positive, static_cast<double>(k) / static_cast<double>(kMaxThresholds - 2));
    if (q != t.back()) t.push_back(q);
  }
  return t;
}

AssetReport asset_report(std::uint32_t v, const ViewResult& view, bool inherent, std::uint64_t trials) {
  AssetReport a;
  a.index = v;
  a.hits = view.residual.hits[v];
  a.p = trials ? static_cast<double>(a.hits) / static_cast<double>(trials) : kNoEstimate;
  a.ci95 = trials ? wilson_interval(a.hits, trials) : Interval{kNoEstimate, kNoEstimate};
  if (a.hits > 0) {
    const double n = static_cast<double>(a.hits);
    const double sum = static_cast<double>(view.residual.time_sum[v]) / kTimeScale;
    const double square = static_cast<double>(view.residual.time_square[v]) / kTimeScale;
    a.mean_time = sum / n;
    a.sd_time = a.hits > 1 ? std::sqrt(std::max(0.0, (square - sum * sum / n) / (n - 1))) : kNaN;
  } else {
    a.mean_time = a.sd_time = kNaN;
  }
  if (inherent) {
    a.inherent_hits = view.inherent.hits[v];
    a.inherent_p = trials ? static_cast<double>(a.inherent_hits) / static_cast<double>(trials) : kNoEstimate;
    a.inherent_ci95 = trials ? wilson_interval(a.inherent_hits, trials) : Interval{kNoEstimate, kNoEstimate};
  }
  return a;
}

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

LossSummary summarise_losses(std::span<const double> losses) {
  const auto sorted = sorted_copy(losses);
  return summarise_losses(losses, default_thresholds(sorted));
}

LossSummary summarise_losses(std::span<const double> losses, std::span<const double> thresholds) {
  LossSummary s;
  if (losses.empty()) return s;
  const auto sorted = sorted_copy(losses);
  const double n = static_cast<double>(losses.size());
  s.mean = mean(losses);
  s.stderr_ = losses.size() > 1 ? standard_error(losses) : kNaN;
  s.ci95 = {s.mean - kZ95 * s.stderr_, s.mean + kZ95 * s.stderr_};
  s.var95 = value_at_risk(sorted, 0.95);
  s.var99 = value_at_risk(sorted, 0.99);
  s.es99 = expected_shortfall(sorted, 0.99);
  s.max = sorted.back();
  for (const double t : thresholds) {
    const double p = exceedance_probability(sorted, t);
    s.exceedance.push_back({t, p, std::sqrt(p * (1 - p) / n)});
  }
  return s;
}

Report make_report(const Model& m, const SimulationResult& r, const ReportOptions& options) {
  Report rep;
  rep.trials = r.trials;
  const ViewResult& main = r.main();
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) rep.assets.push_back(asset_report(v, main, r.has_inherent, r.trials));
  // Exact arrival-time quantiles for the tracked assets.
  for (std::size_t k = 0; k < r.tracked.size(); ++k) {
    std::vector<double> times;
    for (std::uint64_t j = 0; j < r.trials; ++j) {
      const double t = r.tracked_arrival[j * r.tracked.size() + k];
      if (!std::isnan(t)) times.push_back(t);
    }
    if (times.empty()) continue;
    std::sort(times.begin(), times.end());
    rep.assets[r.tracked[k]].time_quantiles =
        std::array<double, 3>{quantile(times, 0.5), quantile(times, 0.9), quantile(times, 0.99)};
  }
  // With no trial (cancelled before the first round) every estimate below is
  // kNoEstimate (null), not 0; the ids, counts and structure are all there.
  const auto mean_of = [](std::span<const double> x) { return x.empty() ? kNoEstimate : mean(x); };
  const auto se_of = [](std::span<const double> x) { return x.size() > 1 ? standard_error(x) : kNaN; };
  rep.loss = summarise_losses(main.residual_loss);
  if (r.has_inherent) {
    rep.inherent_loss = summarise_losses(main.inherent_loss);
    std::vector<double> removed(r.trials);
    for (std::uint64_t j = 0; j < r.trials; ++j) removed[j] = main.inherent_loss[j] - main.residual_loss[j];
    rep.removed_mean = mean_of(removed);
    rep.removed_stderr = se_of(removed);
  }
  std::vector<double> chain_cascade(r.trials, 0.0);
  for (std::size_t e = 0; e < r.enterprises; ++e) {
    std::vector<double> total(r.trials), direct(r.trials), cascaded(r.trials), inherent(r.has_inherent ? r.trials : 0);
    for (std::uint64_t j = 0; j < r.trials; ++j) {
      const std::size_t at = j * r.enterprises + e;
      direct[j] = r.enterprise_residual_loss[at];
      cascaded[j] = r.enterprise_residual_cascade[at];
      total[j] = direct[j] + cascaded[j];
      chain_cascade[j] += cascaded[j];
      if (r.has_inherent) inherent[j] = r.enterprise_inherent_loss[at] + r.enterprise_inherent_cascade[at];
    }
    Report::Enterprise out{summarise_losses(total), r.has_inherent ? mean_of(inherent) : kNaN};
    out.direct_mean = mean_of(direct);
    out.direct_stderr = se_of(direct);
    out.cascade_mean = mean_of(cascaded);
    out.cascade_stderr = se_of(cascaded);
    rep.enterprises.push_back(std::move(out));
  }
  rep.cascade_mean = mean_of(chain_cascade);
  rep.cascade_stderr = se_of(chain_cascade);
  rep.paths = summarise_paths(m, r, options.path_top_k);
  using CP = ReportOptions::Chokepoints;
  if (options.chokepoints == CP::Off) {
    rep.chokepoints_note = "not computed (--chokepoints off)";
  } else if (options.chokepoints == CP::Auto && m.relation_count() > kChokepointAutoRelations) {
    rep.chokepoints_note = "not computed: more than " + std::to_string(kChokepointAutoRelations) +
                           " relations (force with --chokepoints on)";
  } else if (r.tracked.empty()) {
    rep.chokepoints_note = "no targets or objectives";
  } else {
    for (std::size_t k = 0; k < m.threats.size(); ++k) {
      rep.chokepoints.push_back({m.threats[k].id, chokepoints(m, k, true, &r.tracked, options.threads)});
    }
  }
  std::vector<std::uint32_t> named = relations_of(rep.paths);
  for (const auto& tc : rep.chokepoints) {
    for (const auto& c : tc.targets) named.insert(named.end(), c.cut_relations.begin(), c.cut_relations.end());
  }
  rep.relation_labels = RelationLabels(m, named);

  if (r.trials == 0) {  // empty cells too: an expected loss of no trial is not 0
    for (auto* cells : {&rep.cell_loss, &rep.cell_count}) {
      for (auto& row : *cells) std::fill(std::begin(row), std::end(row), kNoEstimate);
    }
  }
  for (const auto& a : rep.assets) {
    const auto l = m.asset_layer[a.index], e = m.asset_element[a.index];
    if (l >= 3 || e >= 6) continue;  // not a cell (see layer_name)
    rep.cell_loss[l][e] += a.p * m.asset_loss[a.index];
    rep.cell_count[l][e] += a.p;
  }
  for (const auto& view : r.threats) {
    Report::ThreatReport t;
    t.id = view.id;
    for (std::uint32_t v = 0; v < m.asset_count(); ++v) t.assets.push_back(asset_report(v, view, r.has_inherent, r.trials));
    t.loss = summarise_losses(view.residual_loss);
    if (r.has_inherent) t.inherent_mean = mean_of(view.inherent_loss);
    rep.threats.push_back(std::move(t));
  }
  if (r.has_annual) {
    rep.annual = summarise_losses(r.annual_residual_loss);
    if (r.has_inherent) rep.annual_inherent = summarise_losses(r.annual_inherent_loss);
  }
  return rep;
}

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

std::string assets_csv(const Model& m, const Report& rep) {
  std::string out =
      "id,owner,layer,element,target,compromised_trials,p_compromised,ci95_low,ci95_high,mean_time,sd_time,"
      "inherent_p_compromised\n";
  out.reserve(out.size() + rep.assets.size() * 160);
  for (const auto& a : rep.assets) {
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

std::string text_summary(const Model& m, const SimulationResult& r, const Report& rep, const OutputContext& ctx) {
  // Ids and names are the scenario's: every one goes through terminal_safe (pad_right
  // escapes too), and table columns are padded by display width.
  std::string out;
  const auto add = [&](const char* fmt, auto... args) {  // printf onto `out`, of any length
    const int n = std::snprintf(nullptr, 0, fmt, args...);
    if (n <= 0) return;
    const std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(n) + 1);
    std::snprintf(out.data() + at, static_cast<std::size_t>(n) + 1, fmt, args...);
    out.resize(at + static_cast<std::size_t>(n));
  };
  const std::string currency = terminal_safe(ctx.currency);
  const char* cur = currency.c_str();
  out += terminal_safe(ctx.scenario_name.empty() ? ctx.scenario_file : ctx.scenario_name);
  add(": %llu trials%s%s, seed %llu\n", static_cast<unsigned long long>(r.trials),
      r.partial ? " (PARTIAL: interrupted)" : "", r.stopped_by_precision ? " (target precision reached)" : "",
      static_cast<unsigned long long>(r.seed));
  out += "view: " +
         (r.combined ? std::string("every threat attacks once per trial")
                     : "one attack per trial by '" + terminal_safe(r.threats.front().id) + "'") +
         "\n";
  add("loss per trial      mean %.6g %s ± %.3g (SE)   VaR95 %.6g   VaR99 %.6g   ES99 %.6g\n", rep.loss.mean, cur,
      rep.loss.stderr_, rep.loss.var95, rep.loss.var99, rep.loss.es99);
  if (r.has_inherent) {
    add("without controls    mean %.6g %s;  controls remove %.6g ± %.3g (SE)\n", rep.inherent_loss.mean, cur,
        rep.removed_mean, rep.removed_stderr);
  }
  if (rep.annual) add("annualised          mean %.6g %s/year ± %.3g   VaR99 %.6g\n", rep.annual->mean, cur, rep.annual->stderr_, rep.annual->var99);
  if (r.has_production) {
    add("of which cascade    mean %.6g %s ± %.3g (production lost through supply dependencies, %.1f%% of the loss)\n",
        rep.cascade_mean, cur, rep.cascade_stderr, rep.loss.mean > 0 ? 100.0 * rep.cascade_mean / rep.loss.mean : 0.0);
    out += "enterprises (mean loss per trial):\n";
    const std::size_t w = column_width(m.enterprise_id, 16, [](const std::string& id) { return id; });
    out += "  " + pad_right("enterprise", w);
    add(" %14s %14s %14s\n", "direct", "cascade", "total");
    for (std::size_t e = 0; e < rep.enterprises.size(); ++e) {
      const auto& re = rep.enterprises[e];
      out += "  " + pad_right(m.enterprise_id[e], w);
      add(" %14.6g %14.6g %14.6g\n", re.direct_mean, re.cascade_mean, re.residual.mean);
    }
  }
  // The riskiest assets by expected loss, then targets.
  std::vector<const AssetReport*> order;
  for (const auto& a : rep.assets) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(), [&](const AssetReport* a, const AssetReport* b) {
    return a->p * m.asset_loss[a->index] > b->p * m.asset_loss[b->index];
  });
  if (order.size() > 10) order.resize(10);
  out += "assets by expected loss (top 10):\n";
  const std::size_t w_asset = column_width(order, 28, [&](const AssetReport* a) { return m.asset_id[a->index]; });
  out += "  " + pad_right("asset", w_asset);
  add(" %10s  %-21s %10s %12s\n", "P(comp.)", "95% CI", "mean days", "exp. loss");
  for (const AssetReport* a : order) {
    out += "  " + pad_right(m.asset_id[a->index], w_asset);
    add(" %10.5f  [%8.5f, %8.5f] %10.3g %12.6g%s\n", a->p, a->ci95.low, a->ci95.high, a->mean_time,
        a->p * m.asset_loss[a->index], m.asset_target[a->index] ? "  (target)" : "");
  }
  if (!rep.paths.targets.empty()) {
    out += "most frequent attack path to each target:\n";
    const std::size_t w = column_width(rep.paths.targets, 24, [&](const auto& t) { return m.asset_id[t.target]; });
    for (const auto& t : rep.paths.targets) {
      out += "  " + pad_right(m.asset_id[t.target], w);
      if (t.top.empty()) {
        out += " never reached\n";
        continue;
      }
      std::string chain;
      for (const std::uint32_t a : t.top[0].assets)
        chain += (chain.empty() ? "" : " > ") + terminal_safe(m.asset_id[a]);
      add(" %5.1f%% of %llu falls: ", 100.0 * t.top[0].share, static_cast<unsigned long long>(t.compromised_trials));
      out += chain + "\n";
    }
  }
  if (!rep.chokepoints.empty()) {
    out += "chokepoints (residual weaknesses; cut = fewest relations that cut every path, depth = fewest steps):\n";
    const std::size_t w_threat = column_width(rep.chokepoints, 18, [](const auto& tc) { return tc.threat; });
    std::size_t w_target = 24;
    for (const auto& tc : rep.chokepoints) {
      w_target = std::max(w_target, column_width(tc.targets, 24, [&](const auto& c) { return m.asset_id[c.target]; }));
    }
    for (const auto& tc : rep.chokepoints) {
      for (const auto& c : tc.targets) {
        if (!c.reachable) continue;
        out += "  " + pad_right(tc.threat, w_threat) + " " + pad_right(m.asset_id[c.target], w_target);
        if (c.entry) {
          out += " is an entry point: no relation cut protects it\n";
          continue;
        }
        std::string cut;
        for (const std::uint32_t rel : c.cut_relations) {
          cut += (cut.empty() ? "" : ", ") + terminal_safe(rep.relation_labels(rel));
        }
        add(" cut %u, depth %u%s: ", c.cut_size, c.depth, c.exact ? "" : " (upper bound: ALL gate)");
        out += cut + "\n";
      }
    }
  }
  out += "expected loss by layer x element:\n       ORGANIZATION     PEOPLE  COMPONENT       DATA  PROCEDURE     SYSTEM\n";
  for (int l = 0; l < 3; ++l) {
    add("  %s ", kLayerNames[l]);
    for (int e = 0; e < 6; ++e) add(" %10.4g", rep.cell_loss[l][e]);
    out += "\n";
  }
  return out;
}

}  // namespace cpsf
