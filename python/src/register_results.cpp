// cpsf._core.results.Result: one run (model, SimulationResult, Estimates) held by a
// std::shared_ptr. Per-trial arrays and tallies come out as read-only numpy arrays over
// the engine's own vectors, without a copy; their base is the Result object, so an
// array keeps the whole run alive for as long as it lives (docs/python.md, "Lifetime").
// Small tables (per asset, per enterprise, layer x element) are copied into new arrays.
//
// Pickling (cpsf.Results.__reduce__): Result._state() gives the SimulationResult as numpy
// arrays and numbers, and restore() makes a Result again from it and the scenario: the
// model and the estimates are remade by compile() and estimate(), both deterministic,
// so every number, array and document is the same as the original's.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <csignal>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cpsf/analysis/paths.hpp"
#include "cpsf/io/output_set.hpp"
#include "cpsf/io/scenario_io.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/output/run_summary.hpp"
#include "cpsf/v1/scenario.pb.h"
#include "layer_element_dict.hpp"
#include "registration.hpp"
#include "run_state.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A read-only array over `data` (rows × cols, row-major; cols = 0 for 1-D) whose base
// is `owner`, the Python object holding the shared_ptr to the run.
template <class T, class Allocator>
py::array_t<T> view_of(const std::vector<T, Allocator>& data, py::handle owner, py::ssize_t rows,
                       py::ssize_t cols = 0) {
  static const T empty{};
  const T* ptr = data.empty() ? &empty : data.data();
  std::vector<py::ssize_t> shape{rows}, strides{static_cast<py::ssize_t>(sizeof(T))};
  if (cols > 0) {
    shape.push_back(cols);
    strides = {static_cast<py::ssize_t>(sizeof(T)) * cols, static_cast<py::ssize_t>(sizeof(T))};
  }
  py::array_t<T> a(shape, strides, ptr, owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

const ViewResult& view_at(const RunState& s, int view) {
  if (view < 0) return s.result.main();
  if (static_cast<std::size_t>(view) >= s.result.threats.size()) throw py::index_error("no such threat view");
  return s.result.threats[static_cast<std::size_t>(view)];
}

void need_inherent(const RunState& s, bool inherent) {
  if (inherent && !s.result.has_inherent) throw py::value_error("the run was made with inherent=False");
}

py::dict loss_dict(const LossSummary& l) {
  py::dict d;
  d["mean"] = l.mean;
  d["stderr"] = l.stderr_;
  d["ci95_low"] = l.ci95.low;
  d["ci95_high"] = l.ci95.high;
  d["var95"] = l.var95;
  d["var99"] = l.var99;
  d["es99"] = l.es99;
  d["max"] = l.max;
  const auto n = static_cast<py::ssize_t>(l.exceedance.size());
  py::array_t<double> threshold(n), probability(n), stderr_(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    threshold.mutable_at(i) = l.exceedance[static_cast<std::size_t>(i)].threshold;
    probability.mutable_at(i) = l.exceedance[static_cast<std::size_t>(i)].probability;
    stderr_.mutable_at(i) = l.exceedance[static_cast<std::size_t>(i)].stderr_;
  }
  d["threshold"] = threshold;
  d["probability"] = probability;
  d["probability_stderr"] = stderr_;
  return d;
}

py::dict asset_dict(const std::vector<AssetEstimates>& assets) {
  const auto n = static_cast<py::ssize_t>(assets.size());
  py::array_t<std::uint64_t> hits(n), inherent_hits(n);
  py::array_t<double> p(n), low(n), high(n), mean_time(n), sd_time(n), p50(n), p90(n), p99(n), ip(n), ilow(n), ihigh(n);
  py::array_t<double> ap(n), alow(n), ahigh(n);  // annual: NaN without annual frequencies
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& a = assets[static_cast<std::size_t>(i)];
    hits.mutable_at(i) = a.hits;
    p.mutable_at(i) = a.p;
    low.mutable_at(i) = a.ci95.low;
    high.mutable_at(i) = a.ci95.high;
    mean_time.mutable_at(i) = a.mean_time;
    sd_time.mutable_at(i) = a.sd_time;
    p50.mutable_at(i) = a.time_quantiles ? (*a.time_quantiles)[0] : kNaN;
    p90.mutable_at(i) = a.time_quantiles ? (*a.time_quantiles)[1] : kNaN;
    p99.mutable_at(i) = a.time_quantiles ? (*a.time_quantiles)[2] : kNaN;
    inherent_hits.mutable_at(i) = a.inherent_hits;
    ip.mutable_at(i) = a.inherent_p;
    ilow.mutable_at(i) = a.inherent_ci95.low;
    ihigh.mutable_at(i) = a.inherent_ci95.high;
    ap.mutable_at(i) = a.annual ? a.annual->p : kNaN;
    alow.mutable_at(i) = a.annual ? a.annual->ci95.low : kNaN;
    ahigh.mutable_at(i) = a.annual ? a.annual->ci95.high : kNaN;
  }
  py::dict d;
  d["compromised_trials"] = hits;
  d["p_compromised"] = p;
  d["ci95_low"] = low;
  d["ci95_high"] = high;
  d["mean_time"] = mean_time;
  d["sd_time"] = sd_time;
  d["p50_time"] = p50;
  d["p90_time"] = p90;
  d["p99_time"] = p99;
  d["inherent_compromised_trials"] = inherent_hits;
  d["inherent_p_compromised"] = ip;
  d["inherent_ci95_low"] = ilow;
  d["inherent_ci95_high"] = ihigh;
  d["annual_p_compromised"] = ap;
  d["annual_ci95_low"] = alow;
  d["annual_ci95_high"] = ahigh;
  return d;
}

// ---- pickling --------------------------------------------------------------------------
// The layout of Result._state(); restore() refuses any other.
constexpr int kStateVersion = 3;  // 2: cell losses and annual hits; 3: run statistics, per_trial

__extension__ typedef unsigned __int128 FixedBits;  // FixedSum's two's-complement bits

// 128-bit fixed-point sums as a (n, 2) uint64 array: low and high 64 bits of each.
py::array_t<std::uint64_t> fixed_sums(const std::vector<FixedSum>& v) {
  py::array_t<std::uint64_t> a({static_cast<py::ssize_t>(v.size()), py::ssize_t{2}});
  auto w = a.mutable_unchecked<2>();
  for (py::ssize_t i = 0; i < static_cast<py::ssize_t>(v.size()); ++i) {
    const auto u = static_cast<FixedBits>(v[static_cast<std::size_t>(i)]);
    w(i, 0) = static_cast<std::uint64_t>(u);
    w(i, 1) = static_cast<std::uint64_t>(u >> 64);
  }
  return a;
}

py::dict tally_state(const AssetTally& t, py::handle owner) {
  py::dict d;
  d["hits"] = view_of(t.hits, owner, static_cast<py::ssize_t>(t.hits.size()));
  d["time_sum"] = fixed_sums(t.time_sum);
  d["time_square"] = fixed_sums(t.time_square);
  return d;
}

py::dict view_state(const ViewResult& v, py::handle owner) {
  py::dict d;
  d["id"] = v.id;
  d["residual"] = tally_state(v.residual, owner);
  d["inherent"] = tally_state(v.inherent, owner);
  d["residual_loss"] = view_of(v.residual_loss, owner, static_cast<py::ssize_t>(v.residual_loss.size()));
  d["inherent_loss"] = view_of(v.inherent_loss, owner, static_cast<py::ssize_t>(v.inherent_loss.size()));
  return d;
}

// Result._state(): everything simulate() returned. Arrays of the engine's memory are
// views (pickle copies them once, as raw data); the 128-bit sums and the path table
// are new arrays.
py::dict result_state(py::object self) {
  const SimulationResult& r = self.cast<const RunState&>().result;
  const auto whole = [&](const auto& v) { return view_of(v, self, static_cast<py::ssize_t>(v.size())); };
  py::dict d;
  d["version"] = kStateVersion;
  d["trials"] = r.trials;
  d["trials_planned"] = r.trials_planned;
  d["partial"] = r.partial;
  d["stopped_by_precision"] = r.stopped_by_precision;
  d["seed"] = r.seed;
  d["threads"] = r.threads;
  d["horizon"] = r.horizon;
  d["has_inherent"] = r.has_inherent;
  d["steps_tried"] = r.steps_tried;
  d["per_trial"] = r.per_trial;
  {
    std::vector<std::uint8_t> bytes;
    r.stats.write(bytes);
    d["stats"] = py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  py::list threats;
  for (const auto& v : r.threats) threats.append(view_state(v, self));
  d["threats"] = threats;
  d["combined"] = r.combined ? py::object(view_state(*r.combined, self)) : py::object(py::none());
  d["enterprises"] = r.enterprises;
  d["enterprise_residual_loss"] = whole(r.enterprise_residual_loss);
  d["enterprise_inherent_loss"] = whole(r.enterprise_inherent_loss);
  d["enterprise_residual_cascade"] = whole(r.enterprise_residual_cascade);
  d["enterprise_inherent_cascade"] = whole(r.enterprise_inherent_cascade);
  d["has_production"] = r.has_production;
  d["spectral_radius"] = r.spectral_radius;
  // The path table: key lengths, the keys one after another, and the trials of each.
  std::vector<std::uint32_t> lengths, keys;
  std::vector<std::uint64_t> counts;
  for (const auto& [key, n] : r.paths) {
    lengths.push_back(static_cast<std::uint32_t>(key.size()));
    keys.insert(keys.end(), key.begin(), key.end());
    counts.push_back(n);
  }
  d["path_lengths"] = py::array_t<std::uint32_t>(static_cast<py::ssize_t>(lengths.size()), lengths.data());
  d["path_keys"] = py::array_t<std::uint32_t>(static_cast<py::ssize_t>(keys.size()), keys.data());
  d["path_trials"] = py::array_t<std::uint64_t>(static_cast<py::ssize_t>(counts.size()), counts.data());
  d["tracked"] = whole(r.tracked);
  d["tracked_arrival"] = whole(r.tracked_arrival);
  d["has_annual"] = r.has_annual;
  d["annual_residual_loss"] = whole(r.annual_residual_loss);
  d["annual_inherent_loss"] = whole(r.annual_inherent_loss);
  d["annual_hits"] = whole(r.annual_hits);
  d["cell_loss"] = whole(r.cell_loss);
  d["cell_production"] = fixed_sums(r.cell_production);
  d["cell_cascade"] = fixed_sums(r.cell_cascade);
  return d;
}

[[noreturn]] void bad_state(const std::string& what) {
  throw py::value_error("cannot restore the run: " + what +
                        " (was it pickled from another scenario or another "
                        "version of cpsf?)");
}

// A 1-D array of T of `size` elements (any size when size is -1) into `out`.
template <class T, class Allocator>
void read_array(const py::dict& d, const char* key, std::vector<T, Allocator>& out, std::int64_t size) {
  if (!d.contains(key)) bad_state(std::string("no '") + key + "'");
  const auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(d[key]);
  if (!a || a.ndim() != 1 || (size >= 0 && a.size() != size))
    bad_state(std::string("'") + key + "' has the wrong shape");
  out.assign(a.data(), a.data() + a.size());
}

void read_fixed_sums(const py::dict& d, const char* key, std::vector<FixedSum>& out, std::int64_t size) {
  const auto a = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(d[key]);
  if (!a || a.ndim() != 2 || a.shape(1) != 2 || a.shape(0) != size)
    bad_state(std::string("'") + key + "' has the wrong shape");
  out.resize(static_cast<std::size_t>(size));
  const auto r = a.unchecked<2>();
  for (py::ssize_t i = 0; i < size; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<FixedSum>((static_cast<FixedBits>(r(i, 1)) << 64) | r(i, 0));
  }
}

// A tally holds one count per asset, or nothing (the mode was not run).
void read_tally(const py::dict& d, AssetTally& t, std::size_t assets, bool wanted) {
  const auto n = static_cast<std::int64_t>(wanted ? assets : 0);
  read_array(d, "hits", t.hits, n);
  read_fixed_sums(d, "time_sum", t.time_sum, n);
  read_fixed_sums(d, "time_square", t.time_square, n);
}

ViewResult read_view(const py::handle& h, std::size_t assets, std::int64_t trials, bool inherent) {
  const auto d = h.cast<py::dict>();
  ViewResult v;
  v.id = d["id"].cast<std::string>();
  read_tally(d["residual"].cast<py::dict>(), v.residual, assets, true);
  read_tally(d["inherent"].cast<py::dict>(), v.inherent, assets, inherent);
  read_array(d, "residual_loss", v.residual_loss, trials);
  read_array(d, "inherent_loss", v.inherent_loss, inherent ? trials : 0);
  return v;
}

// The layer × element cells and the annual hits (after has_annual and trials are read).
void read_attribution(const py::dict& d, SimulationResult& r, std::size_t assets) {
  read_array(d, "annual_hits", r.annual_hits, r.has_annual ? static_cast<std::int64_t>(assets) : 0);
  read_array(d, "cell_loss", r.cell_loss, r.per_trial ? static_cast<std::int64_t>(r.trials * kCells) : 0);
  read_fixed_sums(d, "cell_production", r.cell_production, static_cast<std::int64_t>(kCells));
  read_fixed_sums(d, "cell_cascade", r.cell_cascade, static_cast<std::int64_t>(kCells));
}

// The run's statistics: as the run folded them, and of the same shape as its views.
void read_statistics(const py::dict& d, SimulationResult& r) {
  if (!d.contains("stats")) bad_state("no 'stats'");
  const auto text = d["stats"].cast<std::string>();
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  std::size_t at = 0;
  try {
    r.stats.read(bytes, at);
  } catch (const std::runtime_error& e) {
    bad_state(e.what());
  }
  const std::size_t slots = (r.threats.size() + (r.combined ? 1 : 0)) * 2;
  if (at != bytes.size() || r.stats.view_loss.size() != slots || r.stats.enterprise_loss.size() != r.enterprises ||
      r.stats.tracked_arrival.size() != r.tracked.size() || r.stats.view_loss[r.main_slot()].moments.n != r.trials) {
    bad_state("the statistics differ from the run's");
  }
}

// cpsf._core.results.restore: the Result that Result._state() was taken from, given the
// scenario it was run on (cpsf.Results keeps a copy).
std::shared_ptr<RunState> restore(const py::bytes& data, const std::string& file, const py::dict& d) {
  if (!d.contains("version") || d["version"].cast<int>() != kStateVersion) bad_state("unknown state layout");
  auto state = compiled_state(data, file);
  const Model& m = state->model;
  SimulationResult& r = state->result;
  r.trials = d["trials"].cast<std::uint64_t>();
  r.trials_planned = d["trials_planned"].cast<std::uint64_t>();
  r.partial = d["partial"].cast<bool>();
  r.stopped_by_precision = d["stopped_by_precision"].cast<bool>();
  r.seed = d["seed"].cast<std::uint64_t>();
  r.threads = d["threads"].cast<unsigned>();
  r.horizon = d["horizon"].cast<std::optional<double>>();
  r.has_inherent = d["has_inherent"].cast<bool>();
  r.steps_tried = d["steps_tried"].cast<std::uint64_t>();
  if (r.trials >= kMaxTrials) bad_state("too many trials");
  r.per_trial = d["per_trial"].cast<bool>();
  const std::size_t assets = m.asset_count();
  // Per-trial arrays hold every trial, or nothing (a run without them).
  const auto trials = r.per_trial ? static_cast<std::int64_t>(r.trials) : 0;
  const auto threats = d["threats"].cast<py::list>();
  if (threats.size() != m.threats.size() || m.threats.empty()) bad_state("the threats differ from the scenario's");
  for (const auto& v : threats) r.threats.push_back(read_view(v, assets, trials, r.has_inherent));
  if (!d["combined"].is_none()) r.combined = read_view(d["combined"], assets, trials, r.has_inherent);
  if (r.combined.has_value() != (m.threats.size() > 1)) bad_state("the views differ from the scenario's");
  r.enterprises = d["enterprises"].cast<std::size_t>();
  if (r.enterprises != m.enterprise_id.size()) bad_state("the enterprises differ from the scenario's");
  const auto per_enterprise = trials * static_cast<std::int64_t>(r.enterprises);
  read_array(d, "enterprise_residual_loss", r.enterprise_residual_loss, per_enterprise);
  read_array(d, "enterprise_residual_cascade", r.enterprise_residual_cascade, per_enterprise);
  read_array(d, "enterprise_inherent_loss", r.enterprise_inherent_loss, r.has_inherent ? per_enterprise : 0);
  read_array(d, "enterprise_inherent_cascade", r.enterprise_inherent_cascade, r.has_inherent ? per_enterprise : 0);
  r.has_production = d["has_production"].cast<bool>();
  r.spectral_radius = d["spectral_radius"].cast<double>();
  read_array(d, "tracked", r.tracked, -1);
  if (r.tracked.size() > kMaxTracked) bad_state("too many tracked assets");
  for (const std::uint32_t v : r.tracked) {
    if (v >= assets) bad_state("a tracked asset is not in the scenario");
  }
  read_array(d, "tracked_arrival", r.tracked_arrival, trials * static_cast<std::int64_t>(r.tracked.size()));
  std::vector<std::uint32_t> lengths, keys;
  std::vector<std::uint64_t> counts;
  read_array(d, "path_lengths", lengths, -1);
  read_array(d, "path_keys", keys, -1);
  read_array(d, "path_trials", counts, static_cast<std::int64_t>(lengths.size()));
  std::size_t at = 0;
  for (std::size_t k = 0; k < lengths.size(); ++k) {
    // {tracked slot, relation indices entry → asset}
    if (lengths[k] == 0 || lengths[k] > keys.size() - at) bad_state("the path table is cut short");
    std::vector<std::uint32_t> key(keys.begin() + static_cast<std::ptrdiff_t>(at),
                                   keys.begin() + static_cast<std::ptrdiff_t>(at + lengths[k]));
    at += lengths[k];
    if (key[0] >= r.tracked.size()) bad_state("a path leads to an untracked asset");
    for (std::size_t i = 1; i < key.size(); ++i) {
      if (key[i] >= m.relation_count()) bad_state("a path takes a relation not in the scenario");
    }
    r.paths.emplace(std::move(key), counts[k]);
  }
  if (at != keys.size()) bad_state("the path table is too long");
  r.has_annual = d["has_annual"].cast<bool>();
  read_array(d, "annual_residual_loss", r.annual_residual_loss, r.has_annual ? trials : 0);
  read_array(d, "annual_inherent_loss", r.annual_inherent_loss, r.has_annual && r.has_inherent ? trials : 0);
  read_attribution(d, r, assets);
  read_statistics(d, r);
  {
    py::gil_scoped_release release;
    state->estimates = estimate(state->model, state->result);
  }
  return state;
}

using State = RunState;
using ResultClass = py::class_<State, std::shared_ptr<State>>;

// The run: its counts, seed, threads, horizon, views and scenario.
void def_run(ResultClass& c) {
  c.def_property_readonly("trials", [](const State& s) { return s.result.trials; })
      .def_property_readonly("trials_planned", [](const State& s) { return s.result.trials_planned; })
      .def_property_readonly("partial", [](const State& s) { return s.result.partial; })
      .def_property_readonly("stopped_by_precision", [](const State& s) { return s.result.stopped_by_precision; })
      .def_property_readonly("seed", [](const State& s) { return s.result.seed; })
      .def_property_readonly("threads", [](const State& s) { return s.result.threads; })
      .def_property_readonly("horizon", [](const State& s) { return s.result.horizon; })
      .def_property_readonly("has_inherent", [](const State& s) { return s.result.has_inherent; })
      .def_property_readonly("per_trial", [](const State& s) { return s.result.per_trial; })
      .def_property_readonly("has_annual", [](const State& s) { return s.result.has_annual; })
      .def_property_readonly("combined", [](const State& s) { return s.result.combined.has_value(); })
      .def_property_readonly("implicit_threat", [](const State& s) { return s.model.implicit_threat; })
      .def_property_readonly("file", [](const State& s) { return s.context.scenario_file; })
      .def_property_readonly("name", [](const State& s) { return s.context.scenario_name; })
      .def_property_readonly("currency", [](const State& s) { return s.context.currency; });
}

// The model: the ids that order every per-asset array; compiled step probabilities.
void def_model(ResultClass& c) {
  c.def_property_readonly("asset_ids", [](const State& s) { return s.model.asset_id; })
      .def_property_readonly("enterprise_ids", [](const State& s) { return s.model.enterprise_id; })
      .def_property_readonly("threat_ids",
                             [](const State& s) {
                               std::vector<std::string> ids;
                               for (const auto& t : s.model.threats) ids.push_back(t.id);
                               return ids;
                             })
      .def_property_readonly("threat_annual_frequency",
                             [](const State& s) {
                               std::vector<std::optional<double>> f;
                               for (const auto& t : s.model.threats) f.push_back(t.annual_frequency);
                               return f;
                             })
      .def(
          "relation_p",
          [](const State& s, bool inherent) {
            // The compiled step probability (controls folded in, or not), in scenario order.
            // The first step set: COMMON_ATTACKS where the model keeps one per capability.
            const auto compiled = s.model.step_probabilities(!inherent);
            py::array_t<double> p(static_cast<py::ssize_t>(s.model.relation_count()));
            for (std::size_t k = 0; k < s.model.relation_count(); ++k) {
              p.mutable_at(static_cast<py::ssize_t>(s.model.edge_relation[k])) = compiled[k];
            }
            return p;
          },
          py::arg("inherent") = false,
          "Each relation's step probability as compiled: p with the implemented controls folded in "
          "(residual), or p alone (inherent=True); scenario order; a copy. Where a step taken from the "
          "attack-step library differs by threat capability, the COMMON_ATTACKS set.");
}

// The per-trial arrays exist only when the run kept them.
void need_per_trial(const State& s) {
  if (!s.result.per_trial) {
    throw py::value_error(
        "this run kept no per-trial values (per_trial=False): run it again with per_trial=True for "
        "per-trial arrays; every estimate is there without them");
  }
}

// Per-trial arrays and tallies: zero copy.
void def_per_trial(ResultClass& c) {
  c.def(
       "losses",
       [](const py::object& self, int view, bool inherent) {
         const auto& s = self.cast<const State&>();
         need_inherent(s, inherent);
         need_per_trial(s);
         const ViewResult& v = view_at(s, view);
         const auto& data = inherent ? v.inherent_loss : v.residual_loss;
         return view_of(data, self, static_cast<py::ssize_t>(data.size()));
       },
       py::arg("view") = -1, py::arg("inherent") = false,
       "Per-trial direct loss of a view (-1: main, k: threat k), residual or inherent; zero copy.")
      .def(
          "hits",
          [](const py::object& self, int view, bool inherent) {
            const auto& s = self.cast<const State&>();
            need_inherent(s, inherent);
            const ViewResult& v = view_at(s, view);
            const auto& data = inherent ? v.inherent.hits : v.residual.hits;
            return view_of(data, self, static_cast<py::ssize_t>(data.size()));
          },
          py::arg("view") = -1, py::arg("inherent") = false,
          "Trials in which each asset fell (uint64, asset order); zero copy.")
      .def(
          "enterprise_losses",
          [](const py::object& self, bool inherent, const std::string& part) {
            const auto& s = self.cast<const State&>();
            need_inherent(s, inherent);
            need_per_trial(s);
            if (part != "direct" && part != "cascade") throw py::value_error("part must be 'direct' or 'cascade'");
            const auto& data =
                part == "direct"
                    ? (inherent ? s.result.enterprise_inherent_loss : s.result.enterprise_residual_loss)
                    : (inherent ? s.result.enterprise_inherent_cascade : s.result.enterprise_residual_cascade);
            return view_of(data, self, static_cast<py::ssize_t>(s.result.trials),
                           static_cast<py::ssize_t>(s.result.enterprises));
          },
          py::arg("inherent") = false, py::arg("part") = "direct",
          "Per-trial loss of each enterprise, shape (trials, enterprises); zero copy. part: direct (its assets' "
          "losses and its own production loss) or cascade (production lost through its suppliers).")
      .def(
          "annual_losses",
          [](const py::object& self, bool inherent) {
            const auto& s = self.cast<const State&>();
            if (!s.result.has_annual)
              throw py::value_error("no annualised view: not every threat has an annual_frequency");
            need_inherent(s, inherent);
            need_per_trial(s);
            const auto& data = inherent ? s.result.annual_inherent_loss : s.result.annual_residual_loss;
            return view_of(data, self, static_cast<py::ssize_t>(data.size()));
          },
          py::arg("inherent") = false, "Per-year loss of the annualised view; zero copy.")
      .def_property_readonly(
          "tracked",
          [](const py::object& self) {
            const auto& s = self.cast<const State&>();
            return view_of(s.result.tracked, self, static_cast<py::ssize_t>(s.result.tracked.size()));
          },
          "Indices of the assets whose arrival times are kept (targets and objectives, at most 64).")
      .def(
          "tracked_arrival",
          [](const py::object& self) {
            const auto& s = self.cast<const State&>();
            need_per_trial(s);
            if (s.result.tracked.empty())
              return py::array_t<double>(std::vector<py::ssize_t>{static_cast<py::ssize_t>(s.result.trials), 0});
            return view_of(s.result.tracked_arrival, self, static_cast<py::ssize_t>(s.result.trials),
                           static_cast<py::ssize_t>(s.result.tracked.size()));
          },
          "Arrival time (days) per trial and tracked asset, NaN when not compromised; zero copy.");
}

// A loss distribution's summary by kind (Result.loss_summary).
py::dict loss_summary(const State& s, const std::string& kind, int index) {
  const Estimates& r = s.estimates;
  if (kind == "residual") return loss_dict(r.loss);
  if (kind == "inherent") {
    need_inherent(s, true);
    return loss_dict(r.inherent_loss);
  }
  if (kind == "annual" || kind == "annual_inherent") {
    const auto& l = kind == "annual" ? r.annual : r.annual_inherent;
    if (!l) throw py::value_error("no " + kind + " loss in this run");
    return loss_dict(*l);
  }
  if (kind == "enterprise") {
    if (index < 0 || static_cast<std::size_t>(index) >= r.enterprises.size())
      throw py::index_error("no such enterprise");
    return loss_dict(r.enterprises[static_cast<std::size_t>(index)].residual);
  }
  if (kind == "threat") {
    if (index < 0 || static_cast<std::size_t>(index) >= r.threats.size()) throw py::index_error("no such threat");
    return loss_dict(r.threats[static_cast<std::size_t>(index)].loss);
  }
  throw py::value_error("unknown loss kind '" + kind + "'");
}

// The top paths per tracked asset and the relations' shares (Result.paths).
py::tuple path_rows(const State& s, std::size_t top_k) {
  const PathSummary summary = summarise_paths(s.model, s.result, top_k);
  const RelationLabels label(s.model, relations_of(summary));
  py::list rows;
  for (const auto& t : summary.targets) {
    for (std::size_t rank = 0; rank < t.top.size(); ++rank) {
      const auto& p = t.top[rank];
      py::list assets, relations;
      for (const std::uint32_t a : p.assets) assets.append(s.model.asset_id[a]);
      for (const std::uint32_t r : p.relations) relations.append(label(r));
      py::dict d;
      d["target"] = s.model.asset_id[t.target];
      d["rank"] = rank + 1;
      d["assets"] = assets;
      d["relations"] = relations;
      d["trials"] = p.trials;
      d["frequency"] = p.frequency;
      d["ci95_low"] = p.ci95.low;
      d["ci95_high"] = p.ci95.high;
      d["share"] = p.share;
      d["target_compromised_trials"] = t.compromised_trials;
      d["target_distinct_paths"] = t.distinct_paths;
      rows.append(d);
    }
  }
  py::list shares;
  for (const auto& r : summary.relations) {
    shares.append(py::make_tuple(label(r.relation), r.paths, r.share));
  }
  return py::make_tuple(rows, shares, summary.successful_paths);
}

// The chokepoint rows and the note (Result.chokepoints).
py::tuple chokepoint_rows(const State& s) {
  py::list rows;
  const auto count = [](std::uint32_t x) -> py::object {
    return x == kNoCut ? py::object(py::none()) : py::object(py::int_(x));
  };
  for (const auto& tc : s.estimates.chokepoints) {
    for (const auto& c : tc.targets) {
      py::list rels, assets;
      for (const std::uint32_t r : c.cut_relations) rels.append(s.estimates.relation_labels(r));
      for (const std::uint32_t a : c.cut_assets) assets.append(s.model.asset_id[a]);
      py::dict d;
      d["threat"] = tc.threat;
      d["target"] = s.model.asset_id[c.target];
      d["reachable"] = c.reachable;
      d["entry"] = c.entry;
      d["cut_size"] = count(c.cut_size);
      d["cut_relations"] = rels;
      d["asset_cut_size"] = count(c.asset_cut_size);
      d["cut_assets"] = assets;
      d["depth"] = c.depth == kUnreachable ? py::object(py::none()) : py::object(py::int_(c.depth));
      d["exact"] = c.exact;
      rows.append(d);
    }
  }
  return py::make_tuple(rows, s.estimates.chokepoints_note);
}

// The estimates: copies.
void def_estimates(ResultClass& c) {
  c.def(
       "asset_estimates",
       [](const State& s, int view) {
         if (view < 0) return asset_dict(s.estimates.assets);
         if (static_cast<std::size_t>(view) >= s.estimates.threats.size()) throw py::index_error("no such threat view");
         return asset_dict(s.estimates.threats[static_cast<std::size_t>(view)].assets);
       },
       py::arg("view") = -1, "Per-asset estimates of a view as a dict of arrays (asset order).")
      .def("loss_summary", &loss_summary, py::arg("kind") = "residual", py::arg("index") = -1,
           "A loss distribution's summary (mean, stderr, ci95, VaR, ES, max, exceedance curve) as a dict. "
           "kind: residual, inherent, annual, annual_inherent, enterprise (index), threat (index).")
      .def(
          "controls_effect",
          [](const State& s) -> py::object {
            if (!s.result.has_inherent) return py::none();
            return py::make_tuple(s.estimates.removed_mean, s.estimates.removed_stderr);
          },
          "(mean, stderr) of the loss the controls remove per trial (paired), or None without inherent.")
      .def_property_readonly(
          "enterprise_split",
          [](const State& s) {
            py::list out;
            for (const auto& e : s.estimates.enterprises) {
              out.append(py::make_tuple(e.direct_mean, e.direct_stderr, e.cascade_mean, e.cascade_stderr));
            }
            return out;
          },
          "Per enterprise (direct mean, direct SE, cascade mean, cascade SE).")
      .def_property_readonly(
          "cascade",
          [](const State& s) {
            py::dict d;
            d["production_modelled"] = s.result.has_production;
            d["dependencies"] = s.model.supply_links.size();
            d["spectral_radius"] = s.result.spectral_radius;
            d["loss_mean"] = s.estimates.cascade_mean;
            d["stderr"] = s.estimates.cascade_stderr;
            return d;
          },
          "The supply-chain cascade's summary (results.json 'cascade').")
      .def("paths", &path_rows, py::arg("top_k") = 5,
           "(top paths per tracked asset as dicts, (relation, paths, share) per relation, successful paths).")
      .def_property_readonly("chokepoints", &chokepoint_rows,
                             "(chokepoint rows as dicts, note) — results.json 'chokepoints'.")
      .def_property_readonly("enterprise_inherent_mean",
                             [](const State& s) {
                               std::vector<double> v;
                               for (const auto& e : s.estimates.enterprises) v.push_back(e.inherent_mean);
                               return v;
                             })
      .def_property_readonly("threat_inherent_mean",
                             [](const State& s) {
                               std::vector<std::optional<double>> v;
                               for (const auto& t : s.estimates.threats) v.push_back(t.inherent_mean);
                               return v;
                             })
      .def(
          "layer_element",
          [](const State& s) {
            py::array_t<double> loss({3, 6}), count({3, 6});
            for (py::ssize_t l = 0; l < 3; ++l) {
              for (py::ssize_t e = 0; e < 6; ++e) {
                loss.mutable_at(l, e) = s.estimates.cell_loss[l][e];
                count.mutable_at(l, e) = s.estimates.cell_count[l][e];
              }
            }
            return py::make_tuple(loss, count);
          },
          "(expected loss, expected compromised assets) per trial, each 3 x 6 (L1..L3 x ORGANIZATION..SYSTEM).")
      .def(
          "layer_element_profile", [](const State& s) { return layer_element_dict(s.estimates.cells); },
          "The cells' attributed losses (docs/methods.md 8.1) as a dict of 3 x 6 arrays: own, production, "
          "cascade, loss_mean, loss_stderr, share, share_ci95_low, share_ci95_high.");
}

// The command line's outputs.
void def_outputs(ResultClass& c) {
  c.def(
       "results_json", [](const State& s) { return results_json(s.model, s.result, s.estimates, s.context); },
       "The results.json document `cpsf run` writes.")
      .def(
          "assets_csv", [](const State& s) { return assets_csv(s.model, s.estimates, s.context.labels); },
          "assets.csv as `cpsf run` writes it.")
      .def(
          "losses_csv",
          [](const State& s) {
            need_per_trial(s);
            return losses_csv(s.result);
          },
          "losses.csv as `cpsf run` writes it.")
      .def(
          "enterprises_csv",
          [](const State& s) { return enterprises_csv(s.model, s.result, s.estimates, s.context.labels); },
          "enterprises.csv as `cpsf run` writes it.")
      .def(
          "paths_csv", [](const State& s) { return paths_csv(s.model, s.estimates); },
          "paths.csv as `cpsf run` writes it.")
      .def(
          "chokepoints_csv", [](const State& s) { return chokepoints_csv(s.model, s.estimates); },
          "chokepoints.csv as `cpsf run` writes it.")
      .def(
          "text_summary", [](const State& s) { return text_summary(s.model, s.result, s.estimates, s.context); },
          "The summary `cpsf run` prints.")
      .def(
          "write_file",
          [](const State&, const std::string& path, const std::string& text) {
            std::string error;
            {
              py::gil_scoped_release release;
              error = write_file_atomically(path, text);
            }
            if (!error.empty()) throw py::value_error(error);
          },
          py::arg("path"), py::arg("text"), "Writes text to path atomically (a temporary file, then a rename).");
}

// `files` into the directory `dir` as one set, under its lock, as `cpsf run --out` writes
// them (io/output_set.hpp): "" or why not; `held` the signal that came meanwhile (0: none).
std::string write_output_set(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files,
                             const std::vector<std::string>& retire, int& held) {
  OutputLock lock;
  std::string error = lock.acquire(dir, true);
  if (!error.empty()) return error;
  OutputSet set(lock);
  error = set.begin();
  for (const auto& [name, text] : files) {
    if (error.empty()) error = set.write(name, text);
  }
  for (const auto& name : retire) set.retire(name);
  if (error.empty()) error = set.commit();
  held = SignalHold::signal();
  return error;
}

}  // namespace

void register_results(py::module_& m) {
  m.def(
      "write_set",
      [](const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files,
         const std::vector<std::string>& retire) {
        std::string error;
        int held = 0;
        {
          py::gil_scoped_release release;
          error = write_output_set(dir, files, retire, held);
        }
        // A Ctrl-C held during the write reaches Python now: its handler raises
        // KeyboardInterrupt once this returns (SIGTERM ends the process, as it would have).
        if (held != 0) ::raise(held);
        if (!error.empty()) throw py::value_error(error);
      },
      py::arg("dir"), py::arg("files"), py::arg("retire") = std::vector<std::string>{},
      "Writes (name, text) pairs into directory dir (made if missing) as one set, the files named in retire "
      "(an earlier set's, which this one has none of) going with the old set: staged beside it and switched "
      "in at once, the directory locked against a second writer, interrupts held (docs/cli.md, Output "
      "directories).");

  ResultClass c(m, "Result",
                "One run: the compiled model, the simulation result and its estimates. "
                "Made by cpsf._core.simulation.run; wrapped by cpsf.Results.");
  def_run(c);
  def_model(c);
  def_per_trial(c);
  def_estimates(c);
  // ---- pickling (cpsf.Results.__reduce__) ----
  c.def("_state", &result_state,
        "Everything the simulation returned, as numpy arrays and numbers, for pickling; restore() makes the "
        "Result again.");
  m.def("restore", &restore, py::arg("data"), py::kw_only(), py::arg("file"), py::arg("state"),
        "The Result whose _state() this is, given the serialised scenario it was run on: the model and the "
        "estimates are remade (deterministically), the simulation result is read from the state.");
  def_outputs(c);
}

}  // namespace cpsf::python
