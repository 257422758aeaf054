#include "cpsf/sim/trial_loop.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpsf/base/bytes.hpp"
#include "cpsf/base/distributions.hpp"
#include "cpsf/base/parallel.hpp"
#include "cpsf/base/statistics.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/sim/attack.hpp"

namespace cpsf {

namespace {

// Random addresses below this are attack 0 of their trial: the trial's own attack.
constexpr std::uint64_t kAttackStride = attack_address(0, 1);

// Trials per parallel task: enough to amortise scheduling on small graphs, few enough
// to balance the threads when trials are long, and at least 16 tasks per thread in a
// round, so that a short run (a few hundred long trials) does not end on one thread
// finishing the last large task. Results never depend on it.
std::uint64_t grain_for(const Model& m, std::uint64_t trials, unsigned threads) {
  const std::uint64_t size = m.asset_count() + m.relation_count();
  const std::uint64_t by_size = (std::uint64_t{1} << 20) / std::max<std::uint64_t>(size, 1);
  const std::uint64_t by_round = trials / (std::uint64_t{16} * std::max(threads, 1u));
  return std::clamp<std::uint64_t>(std::min(by_size, by_round), 1, 64);
}

// The views of a run and where each lives in the per-view arrays: index view * 2 + mode
// (mode 0: controls on, residual; 1: controls off, inherent).
struct Views {
  explicit Views(const Model& m, bool with_inherent)
      : threats(m.threats.size()),
        combined(threats > 1),
        count(threats + (combined ? 1 : 0)),
        main(combined ? threats : 0),
        inherent(with_inherent),
        modes(with_inherent ? 2 : 1) {}
  std::size_t threats;  // one view per threat, in scenario order
  bool combined;        // and one of every threat together (2+ threats)
  std::size_t count;
  std::size_t main;  // the combined view, else the single threat's
  bool inherent;     // the inherent mode is run
  int modes;
  // Whether slot view * 2 + mode is run.
  [[nodiscard]] bool used(std::size_t slot) const { return slot % 2 == 0 || inherent; }
};

struct PathHash {
  std::size_t operator()(const std::vector<std::uint32_t>& v) const noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (const std::uint32_t x : v) h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

// One worker thread's working state: scratch for the attacks and this round's tallies.
struct WorkerState {
  WorkerState(const Model& model, const Cascade& cascade, const Views& views, std::size_t tracked, bool annual)
      : scratch(model),
        union_stamp(model.asset_count(), 0),
        union_time(model.asset_count(), kNever),
        cascade_ws(cascade.workspace()),
        shock_inoperability(model.enterprise_id.size(), 0.0),
        shock_days(model.enterprise_id.size(), -1.0),
        path_best(tracked, kNever),
        path_buffer(tracked),
        attr_weight(model.asset_count(), 0.0),
        weight_sum(model.enterprise_id.size(), 0.0),
        share_sum(model.enterprise_id.size(), 0.0),
        own_production(model.enterprise_id.size(), 0.0),
        caused(model.enterprise_id.size(), 0.0) {
    tallies.resize(views.count * 2);
    for (std::size_t i = 0; i < tallies.size(); ++i) {
      if (views.used(i)) tallies[i].resize(model.asset_count());
    }
    union_assets.reserve(model.asset_count());
    if (annual) {
      year_stamp.assign(model.asset_count(), 0);
      annual_hits.assign(model.asset_count(), 0);
    }
  }
  AttackScratch scratch;
  std::vector<AssetTally> tallies;  // [view * 2 + mode]
  // The union of this trial's compromises over the threats (the main view), with the
  // earliest arrival at each: members are stamped with the epoch, not cleared.
  std::vector<std::uint32_t> union_stamp;
  std::vector<double> union_time;
  std::vector<std::uint32_t> union_assets;
  // The cascade's working memory, and one attack's production shock by enterprise
  // (days < 0: not hit).
  Cascade::WorkspacePtr cascade_ws;
  std::vector<double> shock_inoperability, shock_days;
  std::vector<std::uint32_t> shock_hit;
  std::vector<Cascade::Shock> shock;
  // Attack paths: the earliest arrival at each tracked asset this trial and its path.
  std::vector<double> path_best;
  std::vector<std::vector<std::uint32_t>> path_buffer;
  std::vector<std::uint32_t> path_key;
  std::unordered_map<std::vector<std::uint32_t>, std::uint64_t, PathHash> path_counts;  // this round's
  // Layer × element attribution (main residual view): each fallen asset's weight (share ×
  // outage days); by enterprise, the weights' and the shares' sums, its own production
  // loss and the cascade loss its shock caused; this round's production and cascade
  // parts by cell, in fixed point.
  std::vector<double> attr_weight, weight_sum, share_sum, own_production, caused;
  std::array<FixedSum, kCells> cell_production{}, cell_cascade{};
  // Annualised runs: the assets fallen this year, stamped with the epoch, and per asset
  // this round's years in which it fell.
  std::vector<std::uint32_t> year_stamp;
  std::vector<std::uint64_t> annual_hits;
  std::uint32_t epoch = 0;
  std::uint64_t steps = 0;  // this round's steps tried
  bool dirty = false;       // has run trials since the last merge
};

void tally(AssetTally& t, std::uint32_t v, double arrival) {
  ++t.hits[v];
  // nearbyint, not llround: arrival² × 2^32 can exceed 64 bits.
  t.time_sum[v] += static_cast<FixedSum>(std::nearbyint(arrival * kTimeScale));
  t.time_square[v] += static_cast<FixedSum>(std::nearbyint(arrival * arrival * kTimeScale));
}

// Per-trial storage: every per-trial array of the run, with its values per trial (each
// view's loss; the main view's loss by enterprise; the tracked assets' arrivals; the
// cells; the annual losses). Trial j writes row j − base(). With RunOptions::per_trial
// the arrays hold the whole run (base 0) and grow round by round (a high cap with a
// stopping rule or a cancel must not reserve memory for trials never run); without, they
// hold one round (base: the round's first trial), folded into the run's statistics
// after it (fold_round), so memory does not grow with the trials. Growing does not fill:
// PerTrial.
class PerTrialStorage {
 public:
  PerTrialStorage(const Views& views, SimulationResult& result, bool whole_run)
      : losses(views.count * 2), views_(views), result_(result), whole_run_(whole_run) {}

  std::vector<PerTrial> losses;  // each view's loss per trial, [view * 2 + mode]; the rest are in the result

  // Room up front, so that the arrays never move (moving copies them in the main thread,
  // between rounds): one round, or for the whole run up to 1 GiB of address space. Pages
  // no trial writes are never backed, so a high cap that a stopping rule cuts short
  // costs address space, not memory.
  void reserve(std::uint64_t cap) {
    std::uint64_t bytes_per_trial = 0;
    each([&](PerTrial&, std::size_t per) { bytes_per_trial += per * sizeof(double); });
    const std::uint64_t room =
        whole_run_ ? std::min(cap, std::max(kRoundTrials,
                                            (std::uint64_t{1} << 30) / std::max<std::uint64_t>(bytes_per_trial, 1)))
                   : std::min(cap, kRoundTrials);
    each([&](PerTrial& v, std::size_t per) { v.reserve(room * per); });
  }
  // Rows for trials [begin, end): the new ones are written by their trials, not here.
  void begin_round(std::uint64_t begin, std::uint64_t end) {
    base_ = whole_run_ ? 0 : begin;
    each([&](PerTrial& v, std::size_t per) { v.resize((end - base_) * per); });
  }
  // After the last round: the whole run's rows, or none.
  void finish(std::uint64_t trials) {
    if (whole_run_) {
      begin_round(0, trials);
    } else {
      each([&](PerTrial& v, std::size_t) { PerTrial().swap(v); });
    }
  }
  [[nodiscard]] std::uint64_t row(std::uint64_t j) const { return j - base_; }

  // Trials [begin, end)'s values of every array, as bytes (a round handed to rank 0) and
  // back into rows that begin_round() has made.
  void put_rows(std::vector<std::uint8_t>& bytes, std::uint64_t begin, std::uint64_t end) {
    each([&](PerTrial& v, std::size_t per) {
      const auto* from = reinterpret_cast<const std::uint8_t*>(v.data() + row(begin) * per);
      bytes.insert(bytes.end(), from, from + (end - begin) * per * sizeof(double));
    });
  }
  void take_rows(const std::vector<std::uint8_t>& bytes, std::size_t& at, std::uint64_t begin, std::uint64_t end) {
    each([&](PerTrial& v, std::size_t per) {
      const std::size_t n = (end - begin) * per * sizeof(double);
      if (bytes.size() - at < n) throw std::runtime_error("a rank's per-trial values are cut short");
      std::memcpy(v.data() + row(begin) * per, bytes.data() + at, n);
      at += n;
    });
  }

 private:
  template <class F>
  void each(const F& f) {
    for (std::size_t i = 0; i < losses.size(); ++i) {
      if (views_.used(i)) f(losses[i], 1);
    }
    const std::size_t enterprises = result_.enterprises;
    f(result_.enterprise_residual_loss, enterprises);
    f(result_.enterprise_residual_cascade, enterprises);
    if (views_.inherent) {
      f(result_.enterprise_inherent_loss, enterprises);
      f(result_.enterprise_inherent_cascade, enterprises);
    }
    f(result_.tracked_arrival, result_.tracked.size());
    f(result_.cell_loss, kCells);
    if (result_.has_annual) {
      f(result_.annual_residual_loss, 1);
      if (views_.inherent) f(result_.annual_inherent_loss, 1);
    }
  }
  const Views& views_;
  SimulationResult& result_;
  bool whole_run_;
  std::uint64_t base_ = 0;
};

// One trial, on one worker's state: every threat attacks once per mode; the views'
// tallies, losses and paths are recorded. Shared by the workers: run() writes only to
// the worker's state and to trial j's own slots.
class Trial {
 public:
  Trial(const Model& m, const RunOptions& options, const Cascade& cascade, const Views& views, SimulationResult& result,
        PerTrialStorage& storage);

  void run(std::uint64_t j, WorkerState& st) const {
    for (int mode = 0; mode < views_.modes; ++mode) run_mode(j, mode, st);
    st.dirty = true;
  }

 private:
  // The per-enterprise rows of trial j's main view in one mode.
  // And (controls on) its loss by layer × element cell, kCells of them; null controls off.
  struct EnterpriseRows {
    double* loss;
    double* cascade;
    double* cells;
  };
  void run_mode(std::uint64_t j, int mode, WorkerState& st) const;
  void attack_by_threat(std::uint64_t j, std::size_t k, int mode, WorkerState& st, EnterpriseRows rows,
                        double& annual) const;
  void add_year(std::uint64_t j, std::size_t k, Controls controls, double first_loss, WorkerState& st,
                double& annual) const;
  void add_to_union(WorkerState& st, std::uint32_t v, double arrival) const;
  void main_view(std::uint64_t j, int mode, WorkerState& st, EnterpriseRows rows) const;
  double production_loss(WorkerState& st, std::uint64_t address, const std::vector<std::uint32_t>& assets,
                         std::uint32_t threat, double* own, double* cascaded, double* cells = nullptr) const;
  void attribute_production(WorkerState& st, const std::vector<std::uint32_t>& assets, double* cells) const;
  void mark_year(WorkerState& st) const;
  void record_path(const WorkerState& st, std::uint32_t v, std::vector<std::uint32_t>& path) const;
  void count_paths(WorkerState& st) const;

  const Model& m_;
  const Cascade& cascade_;
  const Views& views_;
  SimulationResult& result_;
  PerTrialStorage& storage_;
  const std::size_t n_tracked_;
  const bool count_paths_;                  // paths are counted, in the main residual view
  std::vector<std::int32_t> tracked_slot_;  // asset → its index in result.tracked, or -1
  static constexpr std::uint8_t kNoCell = 255;
  std::vector<std::uint8_t> cell_of_;  // asset → its layer × element cell, or kNoCell
  std::vector<Attack> attacks_;        // by threat
  std::vector<std::optional<Poisson>> attacks_per_year_;
  std::vector<RandomStream> count_streams_, outage_streams_;
};

Trial::Trial(const Model& m, const RunOptions& options, const Cascade& cascade, const Views& views,
             SimulationResult& result, PerTrialStorage& storage)
    : m_(m),
      cascade_(cascade),
      views_(views),
      result_(result),
      storage_(storage),
      n_tracked_(result.tracked.size()),
      count_paths_(options.paths && n_tracked_ > 0),
      tracked_slot_(m.asset_count(), -1),
      cell_of_(m.asset_count(), kNoCell) {
  for (std::size_t k = 0; k < n_tracked_; ++k) tracked_slot_[result.tracked[k]] = static_cast<std::int32_t>(k);
  for (std::size_t v = 0; v < m.asset_count(); ++v) {
    // Not a cell: compile() refuses these, a hand-made Model may hold them.
    if (m.asset_layer[v] < 3 && m.asset_element[v] < 6)
      cell_of_[v] = static_cast<std::uint8_t>(m.asset_layer[v] * 6 + m.asset_element[v]);
  }
  for (std::size_t k = 0; k < views.threats; ++k) {
    attacks_.emplace_back(m, k, options.seed);
    attacks_per_year_.emplace_back(result.has_annual ? std::optional<Poisson>(Poisson(*m.threats[k].annual_frequency))
                                                     : std::nullopt);
    count_streams_.emplace_back(options.seed, Attack::stream_id(Stream::threat_count, k));
    outage_streams_.emplace_back(options.seed, Attack::stream_id(Stream::outage, k));
  }
}

// Trial j in one mode: controls on (mode 0) or off (mode 1), from the same numbers.
void Trial::run_mode(std::uint64_t j, int mode, WorkerState& st) const {
  if (++st.epoch == 0) {
    std::fill(st.union_stamp.begin(), st.union_stamp.end(), 0);
    std::fill(st.year_stamp.begin(), st.year_stamp.end(), 0);
    st.epoch = 1;
  }
  st.union_assets.clear();
  const bool paths_now = count_paths_ && mode == 0;
  if (paths_now) std::fill(st.path_best.begin(), st.path_best.end(), kNever);
  const std::size_t n_enterprises = result_.enterprises;
  const std::uint64_t row = storage_.row(j);
  const EnterpriseRows rows{
      (mode == 0 ? result_.enterprise_residual_loss : result_.enterprise_inherent_loss).data() + row * n_enterprises,
      (mode == 0 ? result_.enterprise_residual_cascade : result_.enterprise_inherent_cascade).data() +
          row * n_enterprises,
      mode == 0 ? result_.cell_loss.data() + row * kCells : nullptr};
  std::fill(rows.loss, rows.loss + n_enterprises, 0.0);
  std::fill(rows.cascade, rows.cascade + n_enterprises, 0.0);
  if (rows.cells) std::fill(rows.cells, rows.cells + kCells, 0.0);
  double annual = 0.0;
  for (std::size_t k = 0; k < views_.threats; ++k) attack_by_threat(j, k, mode, st, rows, annual);
  if (result_.has_annual) (mode == 0 ? result_.annual_residual_loss : result_.annual_inherent_loss)[row] = annual;
  main_view(j, mode, st, rows);
  if (paths_now) count_paths(st);
}

// Threat k's attack in trial j: its view's tallies and loss, its part of the main view,
// and (annualised runs) its year's loss added to `annual`.
void Trial::attack_by_threat(std::uint64_t j, std::size_t k, int mode, WorkerState& st, EnterpriseRows rows,
                             double& annual) const {
  const Controls controls = mode == 0 ? Controls::On : Controls::Off;
  const bool paths_now = count_paths_ && mode == 0;
  const auto threat = static_cast<std::uint32_t>(k);
  const double loss = attacks_[k].run(attack_address(j, 0), controls, st.scratch);
  st.steps += st.scratch.steps_tried();
  AssetTally& t = st.tallies[k * 2 + mode];
  const auto& fallen = st.scratch.compromised();
  const auto& when = st.scratch.arrival();
  for (std::size_t i = 0; i < fallen.size(); ++i) {
    const std::uint32_t v = fallen[i];
    tally(t, v, when[i]);
    add_to_union(st, v, when[i]);
    if (paths_now && tracked_slot_[v] >= 0 && when[i] < st.path_best[tracked_slot_[v]]) {
      st.path_best[tracked_slot_[v]] = when[i];
      record_path(st, v, st.path_buffer[tracked_slot_[v]]);
    }
  }
  // A single threat is the main view: its production loss is split by enterprise.
  const double made =
      views_.combined ? production_loss(st, attack_address(j, 0), fallen, threat, nullptr, nullptr)
                      : production_loss(st, attack_address(j, 0), fallen, threat, rows.loss, rows.cascade, rows.cells);
  storage_.losses[k * 2 + mode][storage_.row(j)] = loss + made;
  if (result_.has_annual) add_year(j, k, controls, loss + made, st, annual);
}

// Adds threat k's loss in year j to `annual`: N ~ Poisson(annual frequency) attacks, the
// first of them the trial's own (its loss `first_loss`), the others at attack addresses
// 1, 2, ... (added one by one, in this order: the sum's rounding is part of the results).
void Trial::add_year(std::uint64_t j, std::size_t k, Controls controls, double first_loss, WorkerState& st,
                     double& annual) const {
  UniformCursor cursor(count_streams_[k], j, 0);
  const std::uint64_t n = attacks_per_year_[k]->sample(cursor);
  const bool mark = controls == Controls::On;
  if (n >= 1) {
    annual += first_loss;
    if (mark) mark_year(st);  // the scratch still holds the trial's own attack
  }
  for (std::uint64_t a = 1; a < n; ++a) {
    const std::uint64_t address = attack_address(j, static_cast<std::uint32_t>(a));
    annual += attacks_[k].run(address, controls, st.scratch);
    annual += production_loss(st, address, st.scratch.compromised(), static_cast<std::uint32_t>(k), nullptr, nullptr);
    st.steps += st.scratch.steps_tried();
    if (mark) mark_year(st);
  }
}

// Counts the assets the last attack compromised among this year's, once a year each
// (the year is the trial and mode: its epoch).
void Trial::mark_year(WorkerState& st) const {
  for (const std::uint32_t v : st.scratch.compromised()) {
    if (st.year_stamp[v] != st.epoch) {
      st.year_stamp[v] = st.epoch;
      ++st.annual_hits[v];
    }
  }
}

// Adds asset v, fallen at `arrival`, to the union of this trial's compromises.
void Trial::add_to_union(WorkerState& st, std::uint32_t v, double arrival) const {
  if (st.union_stamp[v] != st.epoch) {
    st.union_stamp[v] = st.epoch;
    st.union_time[v] = arrival;
    st.union_assets.push_back(v);
  } else {
    st.union_time[v] = std::min(st.union_time[v], arrival);
  }
}

// The main view of trial j: the single threat, or the union of every threat's
// compromises. Its loss by enterprise, and (controls on) the tracked assets' arrivals.
void Trial::main_view(std::uint64_t j, int mode, WorkerState& st, EnterpriseRows rows) const {
  double union_loss = 0.0;
  AssetTally* union_tally = views_.combined ? &st.tallies[views_.main * 2 + mode] : nullptr;
  for (const std::uint32_t v : st.union_assets) {
    union_loss += m_.asset_loss[v];
    rows.loss[m_.asset_owner[v]] += m_.asset_loss[v];
    if (rows.cells && cell_of_[v] != kNoCell) rows.cells[cell_of_[v]] += m_.asset_loss[v];
    if (union_tally) tally(*union_tally, v, st.union_time[v]);
  }
  if (views_.combined) {
    union_loss += production_loss(st, attack_address(j, 0), st.union_assets, 0, rows.loss, rows.cascade, rows.cells);
    storage_.losses[views_.main * 2 + mode][storage_.row(j)] = union_loss;
  }
  if (mode == 0 && n_tracked_) {
    double* row = result_.tracked_arrival.data() + storage_.row(j) * n_tracked_;
    std::fill(row, row + n_tracked_, std::numeric_limits<double>::quiet_NaN());
    for (const std::uint32_t v : st.union_assets) {
      if (tracked_slot_[v] >= 0) row[tracked_slot_[v]] = st.union_time[v];
    }
  }
}

// Production loss of one attack (cascade.hpp). An asset's outage days in a trial's own
// attacks (attack 0) come from one stream whichever threat took it, so every view of
// the trial sees the same days for it, and adding a control (which may change which
// threat reaches it first) never changes them: losses stay monotone in the controls.
// The extra attacks of an annualised year use their threat's stream.
// With `cells`, the loss is also attributed to the layer × element cells of the assets
// that made it (attribute_production).
double Trial::production_loss(WorkerState& st, std::uint64_t address, const std::vector<std::uint32_t>& assets,
                              std::uint32_t threat, double* own, double* cascaded, double* cells) const {
  if (!m_.has_production) return 0.0;
  for (const std::uint32_t v : assets) {
    const double share = m_.asset_operations_share[v];
    if (share <= 0.0) continue;
    const std::uint32_t e = m_.asset_owner[v];
    UniformCursor cursor(outage_streams_[address < kAttackStride ? 0 : threat], address, v);
    const double days = m_.distributions[m_.asset_outage[v]].sample(cursor);
    if (st.shock_days[e] < 0.0) {
      st.shock_hit.push_back(e);
      st.shock_days[e] = days;
    } else {
      st.shock_days[e] = std::max(st.shock_days[e], days);
    }
    st.shock_inoperability[e] += share;
    if (cells) {
      st.attr_weight[v] = share * days;
      st.weight_sum[e] += share * days;
      st.share_sum[e] += share;
    }
  }
  st.shock.clear();
  for (const std::uint32_t e : st.shock_hit) {
    st.shock.push_back({e, std::min(1.0, st.shock_inoperability[e]), st.shock_days[e]});
    st.shock_inoperability[e] = 0.0;
    st.shock_days[e] = -1.0;
  }
  st.shock_hit.clear();
  if (st.shock.empty()) return 0.0;
  const double loss = cascade_.propagate(st.shock, own, cascaded, *st.cascade_ws, cells ? st.caused.data() : nullptr);
  if (cells) attribute_production(st, assets, cells);
  return loss;
}

// The attribution rule (docs/methods.md §8.1): an enterprise's production loss, its own
// and the cascade its shock caused downstream (cascade.hpp), is split among its fallen
// assets that made the shock in proportion to share × outage days, each asset's own
// inoperability-days (by share alone when every outage lasted 0 days); a cap of c at 1 or
// the longest outage setting D scale every part alike. Resets the enterprises' sums.
void Trial::attribute_production(WorkerState& st, const std::vector<std::uint32_t>& assets, double* cells) const {
  for (const auto& s : st.shock) st.own_production[s.enterprise] = cascade_.own_loss(s);
  for (const std::uint32_t v : assets) {
    const double share = m_.asset_operations_share[v];
    if (share <= 0.0 || cell_of_[v] == kNoCell) continue;
    const std::uint32_t e = m_.asset_owner[v];
    const double part = st.weight_sum[e] > 0.0 ? st.attr_weight[v] / st.weight_sum[e] : share / st.share_sum[e];
    const double production = st.own_production[e] * part, cascaded = st.caused[e] * part;
    const std::size_t cell = cell_of_[v];
    cells[cell] += production + cascaded;
    st.cell_production[cell] += static_cast<FixedSum>(std::nearbyint(production * kLossScale));
    st.cell_cascade[cell] += static_cast<FixedSum>(std::nearbyint(cascaded * kLossScale));
  }
  for (const auto& s : st.shock) {
    st.weight_sum[s.enterprise] = st.share_sum[s.enterprise] = 0.0;
    st.own_production[s.enterprise] = st.caused[s.enterprise] = 0.0;
  }
}

// Path recording: the path that made tracked asset v fall in the last attack, entry first.
void Trial::record_path(const WorkerState& st, std::uint32_t v, std::vector<std::uint32_t>& path) const {
  path.clear();
  for (std::size_t hops = 0; hops <= m_.asset_count(); ++hops) {  // via links never cycle; the bound is a guard
    const std::uint32_t e = st.scratch.via(v);
    if (e == AttackScratch::kEntered) break;
    path.push_back(m_.edge_relation[e]);
    v = static_cast<std::uint32_t>(std::upper_bound(m_.out_begin.begin(), m_.out_begin.end(), e) -
                                   m_.out_begin.begin() - 1);
  }
  std::reverse(path.begin(), path.end());
}

// Counts this trial's path to each tracked asset that fell: the one of the threat that
// reached it first. Key: {tracked slot, relation indices entry → asset}.
void Trial::count_paths(WorkerState& st) const {
  for (std::size_t slot = 0; slot < n_tracked_; ++slot) {
    if (st.path_best[slot] == kNever) continue;
    st.path_key.assign(1, static_cast<std::uint32_t>(slot));
    st.path_key.insert(st.path_key.end(), st.path_buffer[slot].begin(), st.path_buffer[slot].end());
    ++st.path_counts[st.path_key];
  }
}

// A worker's round undone: its tallies, paths, steps, cells and annual hits back to nothing.
void reset_worker(WorkerState& st, std::size_t n_assets) {
  st.steps = 0;
  st.path_counts.clear();
  st.cell_production.fill(0);
  st.cell_cascade.fill(0);
  std::fill(st.annual_hits.begin(), st.annual_hits.end(), 0);
  for (AssetTally& t : st.tallies) {
    if (!t.hits.empty()) t.resize(n_assets);
  }
  st.dirty = false;
}

// The merge: once a round is complete, every worker's tallies, paths and steps are added
// to the run's (integers: the sums do not depend on the order) and reset.
void merge_round(std::vector<std::optional<WorkerState>>& states, std::vector<AssetTally>& totals, std::size_t n_assets,
                 SimulationResult& result) {
  for (auto& slot : states) {
    if (!slot || !slot->dirty) continue;
    WorkerState& st = *slot;
    result.steps_tried += st.steps;
    for (const auto& [path, count] : st.path_counts) result.paths[path] += count;
    for (std::size_t c = 0; c < kCells; ++c) {
      result.cell_production[c] += st.cell_production[c];
      result.cell_cascade[c] += st.cell_cascade[c];
    }
    for (std::size_t v = 0; v < st.annual_hits.size(); ++v) result.annual_hits[v] += st.annual_hits[v];
    for (std::size_t i = 0; i < totals.size(); ++i) {
      if (!totals[i].hits.empty()) totals[i].add(st.tallies[i]);
    }
    reset_worker(st, n_assets);
  }
}

// The fold: after a round, its per-trial values go into the run's statistics
// (run_statistics.hpp). One task per distribution, run in parallel; each task is the only
// writer of its accumulators and reads its trials in order, so the statistics do not
// depend on the thread count.
class RoundFold {
 public:
  // `losses`: each view slot's per-trial losses (view * 2 + mode), null for a mode not
  // run; the other arrays are the result's.
  RoundFold(const SimulationResult& result, std::vector<const PerTrial*> losses, std::size_t main_slot)
      : result_(result), losses_(std::move(losses)), main_(main_slot), inherent_(losses_[main_slot + 1] != nullptr) {
    for (std::size_t slot = 0; slot < losses_.size(); ++slot) {
      if (losses_[slot]) tasks_.push_back({Kind::View, slot});
    }
    if (inherent_) tasks_.push_back({Kind::Removed, 0});
    for (std::size_t e = 0; e < result.enterprises; ++e) tasks_.push_back({Kind::Enterprise, e});
    tasks_.push_back({Kind::ChainCascade, 0});
    for (std::size_t k = 0; k < result.tracked.size(); ++k) tasks_.push_back({Kind::Tracked, k});
    tasks_.push_back({Kind::Cells, 0});
    if (result.has_annual) {
      tasks_.push_back({Kind::Annual, 0});
      if (inherent_) tasks_.push_back({Kind::Annual, 1});
    }
  }

  // Folds the trials at rows row .. row + n − 1 of the arrays.
  void run(TrialExecutor& executor, std::uint64_t row, std::uint64_t n, RunStatistics& stats) const {
    executor.run(0, tasks_.size(), 1, [&](unsigned, std::uint64_t first, std::uint64_t stop) {
      for (std::uint64_t t = first; t < stop; ++t) fold(tasks_[t], row, n, stats);
    });
  }

 private:
  enum class Kind { View, Removed, Enterprise, ChainCascade, Tracked, Cells, Annual };
  struct Task {
    Kind kind;
    std::size_t index;
  };
  static void fold_loss(LossStatistics& s, const double* x, std::uint64_t n) {
    MomentAccumulator round;
    for (std::uint64_t i = 0; i < n; ++i) {
      round.add(x[i]);
      s.histogram.add(x[i]);
    }
    s.moments.merge(round);
  }
  void fold(const Task& task, std::uint64_t row, std::uint64_t n, RunStatistics& stats) const;
  void fold_enterprise(std::size_t e, std::uint64_t row, std::uint64_t n, RunStatistics& stats) const;

  const SimulationResult& result_;
  std::vector<const PerTrial*> losses_;
  std::size_t main_;
  bool inherent_;
  std::vector<Task> tasks_;
};

// Trials at rows row .. row + n − 1 of the storage, for one task.
void RoundFold::fold(const Task& task, std::uint64_t row, std::uint64_t n, RunStatistics& stats) const {
  const SimulationResult& r = result_;
  MomentAccumulator round;
  switch (task.kind) {
    case Kind::View:
      fold_loss(stats.view_loss[task.index], losses_[task.index]->data() + row, n);
      return;
    case Kind::Removed: {
      const double* residual = losses_[main_]->data() + row;
      const double* inherent = losses_[main_ + 1]->data() + row;
      for (std::uint64_t i = 0; i < n; ++i) round.add(inherent[i] - residual[i]);
      stats.removed.merge(round);
      return;
    }
    case Kind::Enterprise:
      fold_enterprise(task.index, row, n, stats);
      return;
    case Kind::ChainCascade:
      for (std::uint64_t i = 0; i < n; ++i) {
        const double* cascade = r.enterprise_residual_cascade.data() + (row + i) * r.enterprises;
        double sum = 0.0;
        for (std::size_t e = 0; e < r.enterprises; ++e) sum += cascade[e];
        round.add(sum);
      }
      stats.chain_cascade.merge(round);
      return;
    case Kind::Tracked: {
      const std::size_t width = r.tracked.size();
      for (std::uint64_t i = 0; i < n; ++i) {
        const double t = r.tracked_arrival[(row + i) * width + task.index];
        if (!std::isnan(t)) stats.tracked_arrival[task.index].add(t);
      }
      return;
    }
    case Kind::Cells:
      for (std::size_t c = 0; c < kCells; ++c) {
        CoMomentAccumulator cell;
        const double* total = losses_[main_]->data() + row;
        for (std::uint64_t i = 0; i < n; ++i) cell.add(r.cell_loss[(row + i) * kCells + c], total[i]);
        stats.cells[c].merge(cell);
      }
      return;
    case Kind::Annual:
      fold_loss(task.index == 0 ? stats.annual_residual : stats.annual_inherent,
                (task.index == 0 ? r.annual_residual_loss : r.annual_inherent_loss).data() + row, n);
      return;
  }
}

void RoundFold::fold_enterprise(std::size_t e, std::uint64_t row, std::uint64_t n, RunStatistics& stats) const {
  const SimulationResult& r = result_;
  MomentAccumulator total, direct, cascade, inherent;
  LogHistogram& histogram = stats.enterprise_loss[e].histogram;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::size_t at = (row + i) * r.enterprises + e;
    const double d = r.enterprise_residual_loss[at], c = r.enterprise_residual_cascade[at];
    direct.add(d);
    cascade.add(c);
    total.add(d + c);
    histogram.add(d + c);
    if (inherent_) inherent.add(r.enterprise_inherent_loss[at] + r.enterprise_inherent_cascade[at]);
  }
  stats.enterprise_loss[e].moments.merge(total);
  stats.enterprise_direct[e].merge(direct);
  stats.enterprise_cascade[e].merge(cascade);
  stats.enterprise_inherent[e].merge(inherent);
}

// Reports progress now and then: from any worker, never two at once, at most every
// 200 ms. A worker that finds another reporting goes on without waiting.
class Progress {
 public:
  Progress(const RunOptions& options, std::uint64_t planned) : options_(options), planned_(planned) {}
  void add(std::uint64_t trials) {
    const auto now_done = done_.fetch_add(trials) + trials;
    if (options_.progress && mutex_.try_lock()) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report_ > std::chrono::milliseconds(200)) {
        last_report_ = now;
        options_.progress(now_done, planned_);
      }
      mutex_.unlock();
    }
  }

 private:
  const RunOptions& options_;
  std::uint64_t planned_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_report_ = std::chrono::steady_clock::now();
};

// Whether the stopping rule ends the run after `completed` trials: the main residual
// view's mean loss has reached the target relative standard error.
bool precise_enough(const RunOptions& options, const MomentAccumulator& main_moments, std::uint64_t completed) {
  if (options.target_relative_stderr > 0 && completed >= options.min_trials && completed < options.trials) {
    const double rse = main_moments.standard_error() / std::fabs(main_moments.mean);
    return rse <= options.target_relative_stderr;
  }
  return false;
}

// ---- the run's state (checkpoints) -------------------------------------------------------
// After a whole number of rounds a run is: the trials done and steps tried, each view's
// tallies (integers), the path counts, the cells' fixed-point sums, the annual hits and the
// statistics (run_statistics.hpp). All of it, and nothing else, is what the next rounds add
// to, so a run resumed from it ends with the same bits as one never stopped.
constexpr std::uint64_t kStateMagic = 0x3155524653505343ull;  // "CSPSFRU1", little-endian

void put_sums(std::vector<std::uint8_t>& bytes, const std::vector<FixedSum>& sums) {
  for (const FixedSum s : sums) put_bytes(bytes, s);
}

// Reads sums into `sums`, replacing them, or with `add` adding to them.
void take_sums(const std::vector<std::uint8_t>& bytes, std::size_t& at, std::vector<FixedSum>& sums, bool add) {
  for (FixedSum& s : sums) {
    const auto x = take_bytes<FixedSum>(bytes, at, "run state");
    s = add ? s + x : x;
  }
}

std::vector<std::uint8_t> state_bytes(const std::vector<AssetTally>& totals, const SimulationResult& r,
                                      std::uint64_t completed) {
  std::vector<std::uint8_t> bytes;
  put_bytes(bytes, kStateMagic);
  put_bytes(bytes, completed);
  put_bytes(bytes, r.steps_tried);
  put_bytes(bytes, static_cast<std::uint64_t>(totals.size()));
  for (const AssetTally& t : totals) {
    put_bytes(bytes, static_cast<std::uint64_t>(t.hits.size()));
    for (const std::uint64_t h : t.hits) put_bytes(bytes, h);
    put_sums(bytes, t.time_sum);
    put_sums(bytes, t.time_square);
  }
  put_bytes(bytes, static_cast<std::uint64_t>(r.paths.size()));
  for (const auto& [key, n] : r.paths) {
    put_bytes(bytes, static_cast<std::uint64_t>(key.size()));
    for (const std::uint32_t x : key) put_bytes(bytes, x);
    put_bytes(bytes, n);
  }
  put_sums(bytes, r.cell_production);
  put_sums(bytes, r.cell_cascade);
  put_bytes(bytes, static_cast<std::uint64_t>(r.annual_hits.size()));
  for (const std::uint64_t h : r.annual_hits) put_bytes(bytes, h);
  r.stats.write(bytes);
  return bytes;
}

[[noreturn]] void bad_state(const std::string& what) {
  throw std::invalid_argument("the checkpoint's state does not fit this run: " + what);
}

// The paths a state holds: {tracked slot, relation indices} → trials, checked against the
// model; replacing the result's counts, or with `add` adding to them.
void read_paths(const std::vector<std::uint8_t>& bytes, std::size_t& at, const Model& m, SimulationResult& r,
                bool add) {
  const std::uint64_t paths = take_count(bytes, at, 16, "run state");
  for (std::uint64_t i = 0; i < paths; ++i) {
    const std::uint64_t length = take_count(bytes, at, 4, "run state");
    std::vector<std::uint32_t> key(length);
    for (auto& x : key) x = take_bytes<std::uint32_t>(bytes, at, "run state");
    if (key.empty() || key[0] >= r.tracked.size()) bad_state("a path to an asset it does not track");
    for (std::size_t k = 1; k < key.size(); ++k) {
      if (key[k] >= m.relation_count()) bad_state("a path through a relation the scenario lacks");
    }
    const auto n = take_bytes<std::uint64_t>(bytes, at, "run state");
    std::uint64_t& count = r.paths[std::move(key)];
    count = add ? count + n : n;
  }
}

// Reads a state into the run's totals and result, replacing what they hold (a checkpoint
// resumed), or with `add` adding to it (another rank's share, merged by rank 0); returns the
// trials it holds. Throws std::invalid_argument when it is not of this run's shape,
// std::runtime_error when cut short.
std::uint64_t read_state(const std::vector<std::uint8_t>& bytes, const Model& m, std::vector<AssetTally>& totals,
                         SimulationResult& r, bool add = false) {
  std::size_t at = 0;
  const auto take_u64 = [&] { return take_bytes<std::uint64_t>(bytes, at, "run state"); };
  const auto into = [add](std::uint64_t& to, std::uint64_t x) { to = add ? to + x : x; };
  if (take_u64() != kStateMagic) bad_state("it is not a run state");
  const auto completed = take_u64();
  into(r.steps_tried, take_u64());
  if (take_u64() != totals.size()) bad_state("other threats or views");
  for (AssetTally& t : totals) {
    if (take_u64() != t.hits.size()) bad_state("other assets");
    for (std::uint64_t& h : t.hits) into(h, take_u64());
    take_sums(bytes, at, t.time_sum, add);
    take_sums(bytes, at, t.time_square, add);
  }
  read_paths(bytes, at, m, r, add);
  take_sums(bytes, at, r.cell_production, add);
  take_sums(bytes, at, r.cell_cascade, add);
  if (take_u64() != r.annual_hits.size()) bad_state("another annualisation");
  for (std::uint64_t& h : r.annual_hits) into(h, take_u64());
  RunStatistics stats;
  stats.read(bytes, at);
  if (at != bytes.size()) bad_state("bytes after its end");
  if (stats.view_loss.size() != r.stats.view_loss.size() || stats.enterprise_loss.size() != r.enterprises ||
      stats.tracked_arrival.size() != r.tracked.size() || stats.view_loss[r.main_slot()].moments.n != completed) {
    bad_state("other views, enterprises or tracked assets");
  }
  if (add) {
    r.stats.merge(stats);
  } else {
    r.stats = std::move(stats);
  }
  return completed;
}

// When the next checkpoint is due: every N rounds, or every T seconds at a round end.
class CheckpointClock {
 public:
  explicit CheckpointClock(const RunOptions& o) : options_(o) {}
  // After `rounds` more rounds (many processes end several at once).
  [[nodiscard]] bool due(std::uint64_t rounds = 1) {
    const std::uint64_t before = rounds_;
    rounds_ += rounds;
    if (options_.checkpoint_rounds > 0)
      return rounds_ / options_.checkpoint_rounds > before / options_.checkpoint_rounds;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < options_.checkpoint_seconds) return false;
    last_ = now;
    return true;
  }

 private:
  const RunOptions& options_;
  std::uint64_t rounds_ = 0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Each view slot's per-trial losses in the storage, null for a mode not run.
std::vector<const PerTrial*> loss_slots(const Views& views, const PerTrialStorage& storage) {
  std::vector<const PerTrial*> slots(views.count * 2, nullptr);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (views.used(i)) slots[i] = &storage.losses[i];
  }
  return slots;
}

// One process's workers on the trials of a round: the trial, the threads, each worker's
// state and the fold of the round's per-trial rows. Both drivers (run_rounds, one
// process; RankedRounds, many) run their rounds through it, so a round is run one way.
class RoundRunner {
 public:
  RoundRunner(const Model& m, const RunOptions& o, const Cascade& cascade, const Views& views, SimulationResult& result,
              PerTrialStorage& storage)
      : m_(m),
        o_(o),
        cascade_(cascade),
        views_(views),
        result_(result),
        storage_(storage),
        trial_(m, o, cascade, views, result, storage),
        executor_(o.threads),
        states_(executor_.threads()),
        fold_(result, loss_slots(views, storage), views.main * 2) {
    result.threads = executor_.threads();
  }

  // Trials [begin, end) on the workers, their per-trial rows folded into `stats`. False,
  // folding nothing, when a cancel cut the round short (heeded only when `cancellable`).
  // `progress`, when given, hears of every chunk run.
  bool run(std::uint64_t begin, std::uint64_t end, RunStatistics& stats, bool cancellable, Progress* progress) {
    storage_.begin_round(begin, end);
    std::atomic<bool> interrupted{false};
    executor_.run(begin, end, grain_for(m_, end - begin, executor_.threads()),
                  [&](unsigned worker, std::uint64_t first, std::uint64_t stop) {
                    auto& slot = states_[worker];
                    if (!slot) slot.emplace(m_, cascade_, views_, result_.tracked.size(), result_.has_annual);
                    for (std::uint64_t j = first; j < stop; ++j) {
                      if (cancellable && cancelled()) {
                        interrupted = true;
                        return;
                      }
                      trial_.run(j, *slot);
                    }
                    if (progress != nullptr) progress->add(stop - first);
                  });
    if (interrupted || (cancellable && cancelled())) return false;
    fold_.run(executor_, storage_.row(begin), end - begin, stats);
    return true;
  }
  // The workers' tallies, paths and cells since the last merge (or reset), into `totals`
  // and the result.
  void merge(std::vector<AssetTally>& totals) { merge_round(states_, totals, m_.asset_count(), result_); }
  // Drops what the workers hold: rounds that will be run again.
  void reset() {
    for (auto& slot : states_) {
      if (slot) reset_worker(*slot, m_.asset_count());
    }
  }

 private:
  [[nodiscard]] bool cancelled() const { return o_.cancel != nullptr && o_.cancel->load(std::memory_order_relaxed); }

  const Model& m_;
  const RunOptions& o_;
  const Cascade& cascade_;
  const Views& views_;
  SimulationResult& result_;
  PerTrialStorage& storage_;
  const Trial trial_;
  TrialExecutor executor_;
  std::vector<std::optional<WorkerState>> states_;  // made by their worker, on first use
  const RoundFold fold_;
};

// One process: rounds of kRoundTrials trials until the cap, a cancel or the stopping
// rule. Returns the trials completed (a whole number of rounds, or the cap).
std::uint64_t run_rounds(const Model& m, const RunOptions& options, const Cascade& cascade, const Views& views,
                         SimulationResult& result, PerTrialStorage& storage, std::vector<AssetTally>& totals,
                         std::uint64_t completed) {
  RoundRunner rounds(m, options, cascade, views, result, storage);
  const std::uint64_t cap = options.trials;
  Progress progress(options, cap);
  CheckpointClock clock(options);
  std::uint64_t saved = completed;  // the trials of the last checkpoint
  // A resumed run that the stopping rule had ended ends again, as the first one did.
  result.stopped_by_precision = precise_enough(options, result.stats.view_loss[views.main * 2].moments, completed);
  while (completed < cap && !result.stopped_by_precision) {
    const std::uint64_t end = std::min<std::uint64_t>(cap, completed + kRoundTrials);
    if (!rounds.run(completed, end, result.stats, true, &progress)) {
      result.partial = true;
      break;
    }
    rounds.merge(totals);
    completed = end;
    result.stopped_by_precision = precise_enough(options, result.stats.view_loss[views.main * 2].moments, completed);
    if (options.checkpoint && completed < cap && !result.stopped_by_precision && clock.due()) {
      options.checkpoint(state_bytes(totals, result, completed), completed);
      saved = completed;
    }
  }
  if (options.checkpoint && completed != saved) options.checkpoint(state_bytes(totals, result, completed), completed);
  if (options.progress) options.progress(completed, cap);
  return completed;
}

// ---- many processes (RunOptions::ranks; docs/cluster.md) --------------------------------
// The rounds are one process's. A super-round from trial `completed` gives each rank a
// batch of B consecutive rounds: rank r runs rounds r·B .. r·B + B − 1 of it (B is rank
// 0's choice, ~0.25 s of work, so that waiting on each other stays small; it changes no
// number). Each rank tells rank 0 how many of its rounds it completed, with each round's
// moments (and its per-trial values when kept). Rank 0 takes the rounds in round order,
// merging their moments as one process folds them, and stops where one process would: at
// the cap, or by the stopping rule after any round; a cancel on any rank ends the run at
// the last whole super-round. It tells every rank how many rounds count. The rest of a
// round (tallies, paths, cells, annual hits, steps, histograms) is integers and min/max:
// each rank adds a batch that wholly counts to its own share; of a batch that counts in
// part (the stopping rule ended the run inside it) it runs the counted rounds again, from
// the same random numbers. At a checkpoint and at the end rank 0 adds up the shares, in
// any order. So the rank count changes no number.
struct Decision {               // rank 0's, after a super-round
  std::uint64_t completed = 0;  // the run's trials, the rounds that count included
  std::uint64_t counted = 0;    // rounds of the super-round that count, in round order
  std::uint64_t batch = 1;      // rounds per rank in the next super-round
  std::uint8_t partial = 0;     // a cancel: the run ends, partial
  std::uint8_t precise = 0;     // the stopping rule ended the run
  std::uint8_t checkpoint = 0;  // a checkpoint is due now

  [[nodiscard]] std::vector<std::uint8_t> bytes() const {
    std::vector<std::uint8_t> b;
    for (const std::uint64_t x : {completed, counted, batch}) put_bytes(b, x);
    for (const std::uint8_t x : {partial, precise, checkpoint}) put_bytes(b, x);
    return b;
  }
  static Decision from(const std::vector<std::uint8_t>& b) {
    std::size_t at = 0;
    Decision d;
    for (std::uint64_t* x : {&d.completed, &d.counted, &d.batch})
      *x = take_bytes<std::uint64_t>(b, at, "rank decision");
    for (std::uint8_t* x : {&d.partial, &d.precise, &d.checkpoint})
      *x = take_bytes<std::uint8_t>(b, at, "rank decision");
    return d;
  }
};

class RankedRounds {
 public:
  RankedRounds(const Model& m, const RunOptions& o, const Cascade& cascade, const Views& views,
               SimulationResult& result, PerTrialStorage& storage, std::vector<AssetTally>& totals)
      : m_(m),
        o_(o),
        group_(*o.ranks),
        leader_(group_.rank() == 0),
        views_(views),
        result_(result),
        storage_(storage),
        totals_(totals),
        rounds_(m, o, cascade, views, result, storage),
        clock_(o) {
    std::vector<std::uint8_t> one;
    empty_statistics().write_moments(one);
    moments_bytes_ = one.size();
  }

  // Runs the rounds from `completed` (rank 0's: a resumed state's) and returns the trials
  // completed, as run_rounds() does.
  std::uint64_t run(std::uint64_t completed);

 private:
  struct Batch {              // this rank's part of a super-round
    std::uint64_t first = 0;  // its first trial
    std::uint64_t done = 0;   // rounds run whole
    bool interrupted = false;
    RunStatistics histograms;  // of the rounds run whole
  };
  [[nodiscard]] std::uint64_t round_end(std::uint64_t begin) const {
    return std::min<std::uint64_t>(o_.trials, begin + kRoundTrials);
  }
  Batch run_batch(std::uint64_t completed, std::uint64_t batch, std::vector<std::uint8_t>& report);
  Decision decide(const std::vector<std::vector<std::uint8_t>>& reports, std::uint64_t completed, std::uint64_t batch);
  void commit(Batch& mine, const Decision& d, std::uint64_t batch);
  [[nodiscard]] std::uint64_t next_batch(std::uint64_t batch, double seconds) const;
  void flush();
  void share_result(std::uint64_t completed);
  [[nodiscard]] RunStatistics empty_statistics() const {
    return RunStatistics(views_.count * 2, result_.enterprises, result_.tracked.size());
  }

  const Model& m_;
  const RunOptions& o_;
  const RankGroup& group_;
  const bool leader_;
  const Views& views_;
  SimulationResult& result_;
  PerTrialStorage& storage_;
  std::vector<AssetTally>& totals_;
  RoundRunner rounds_;
  CheckpointClock clock_;
  std::size_t moments_bytes_ = 0;  // one round's moments in a report
};

// This rank's rounds of the super-round from `completed`, and its report to rank 0: the
// rounds run whole, whether a cancel stopped it, each round's moments in order, and with
// per-trial values kept (other ranks than 0) those values.
RankedRounds::Batch RankedRounds::run_batch(std::uint64_t completed, std::uint64_t batch,
                                            std::vector<std::uint8_t>& report) {
  Batch mine{completed + static_cast<std::uint64_t>(group_.rank()) * batch * kRoundTrials, 0, false,
             empty_statistics()};
  std::vector<std::uint8_t> moments;
  for (std::uint64_t k = 0; k < batch; ++k) {
    const std::uint64_t begin = mine.first + k * kRoundTrials;
    if (begin >= o_.trials) break;
    RunStatistics round = empty_statistics();
    if (!rounds_.run(begin, round_end(begin), round, true, nullptr)) {
      mine.interrupted = true;
      break;
    }
    round.write_moments(moments);
    mine.histograms.merge_histograms(round);
    ++mine.done;
  }
  report.clear();
  put_bytes(report, mine.done);
  put_bytes(report, static_cast<std::uint8_t>(mine.interrupted));
  report.insert(report.end(), moments.begin(), moments.end());
  if (o_.per_trial && !leader_ && mine.done > 0) {
    storage_.put_rows(report, mine.first, round_end(mine.first + (mine.done - 1) * kRoundTrials));
  }
  return mine;
}

// Rank 0: the ranks' rounds in round order, as one process would take them.
Decision RankedRounds::decide(const std::vector<std::vector<std::uint8_t>>& reports, std::uint64_t completed,
                              std::uint64_t batch) {
  Decision d;
  d.completed = completed;
  for (const auto& report : reports) {  // a cancel anywhere: this super-round does not count
    std::size_t at = sizeof(std::uint64_t);
    if (take_bytes<std::uint8_t>(report, at, "rank report") != 0) d.partial = 1;
  }
  RunStatistics round = empty_statistics();
  for (std::size_t q = 0; q < reports.size() && !d.partial && !d.precise; ++q) {
    const auto& report = reports[q];
    std::size_t at = 0;
    const auto done = take_bytes<std::uint64_t>(report, at, "rank report");
    at += 1;
    const std::uint64_t first = d.completed;
    for (std::uint64_t k = 0; k < done && !d.precise; ++k) {
      round.read_moments(report, at);
      result_.stats.merge_moments(round);
      d.completed = round_end(d.completed);
      ++d.counted;
      d.precise = precise_enough(o_, result_.stats.view_loss[views_.main * 2].moments, d.completed) ? 1 : 0;
    }
    // The moments of rounds after a stop are skipped; the per-trial values come whole.
    at = sizeof(std::uint64_t) + 1 + done * moments_bytes_;
    if (q > 0 && o_.per_trial && done > 0) {
      const std::uint64_t end = round_end(first + (done - 1) * kRoundTrials);
      storage_.begin_round(first, end);
      storage_.take_rows(report, at, first, end);
    }
    if (done < batch) break;  // past the cap
  }
  d.checkpoint = o_.checkpoint && !d.partial && !d.precise && d.completed < o_.trials && clock_.due(d.counted) ? 1 : 0;
  return d;
}

// This rank's batch into its share, as far as it counts: whole, or (the stopping rule
// ended the run inside it) the counted rounds run again; nothing after a cancel.
void RankedRounds::commit(Batch& mine, const Decision& d, std::uint64_t batch) {
  const std::uint64_t before = static_cast<std::uint64_t>(group_.rank()) * batch;
  const std::uint64_t counted = d.counted > before ? std::min(d.counted - before, mine.done) : 0;
  if (counted == mine.done && !mine.interrupted && counted > 0) {
    rounds_.merge(totals_);
    result_.stats.merge_histograms(mine.histograms);
    return;
  }
  rounds_.reset();
  for (std::uint64_t k = 0; k < counted; ++k) {
    RunStatistics round = empty_statistics();
    const std::uint64_t begin = mine.first + k * kRoundTrials;
    rounds_.run(begin, round_end(begin), round, false, nullptr);
    rounds_.merge(totals_);
    result_.stats.merge_histograms(round);
  }
}

// Rounds per rank for the next super-round: about a quarter of a second of work each.
std::uint64_t RankedRounds::next_batch(std::uint64_t batch, double seconds) const {
  if (o_.rank_batch_rounds > 0) return o_.rank_batch_rounds;
  constexpr std::uint64_t kMaxBatch = 256;
  if (seconds < 0.125 && batch < kMaxBatch) return batch * 2;
  if (seconds > 0.5 && batch > 1) return batch / 2;
  return batch;
}

// Every rank's integer share to rank 0, which adds it to its own; the others start again
// from nothing.
void RankedRounds::flush() {
  std::vector<std::uint8_t> mine;
  if (!leader_) mine = state_bytes(totals_, result_, 0);
  const auto shares = group_.gather(mine);
  if (leader_) {
    for (std::size_t q = 1; q < shares.size(); ++q) read_state(shares[q], m_, totals_, result_, true);
    return;
  }
  for (AssetTally& t : totals_) {
    if (!t.hits.empty()) t.resize(m_.asset_count());
  }
  result_.paths.clear();
  std::fill(result_.cell_production.begin(), result_.cell_production.end(), 0);
  std::fill(result_.cell_cascade.begin(), result_.cell_cascade.end(), 0);
  std::fill(result_.annual_hits.begin(), result_.annual_hits.end(), 0);
  result_.steps_tried = 0;
  result_.stats = empty_statistics();
}

// Rank 0's whole result to every rank: the state, then the per-trial values when kept.
void RankedRounds::share_result(std::uint64_t completed) {
  std::vector<std::uint8_t> bytes;
  if (leader_) {
    const auto state = state_bytes(totals_, result_, completed);
    put_bytes(bytes, static_cast<std::uint64_t>(state.size()));
    bytes.insert(bytes.end(), state.begin(), state.end());
    if (o_.per_trial) storage_.put_rows(bytes, 0, completed);
  }
  group_.broadcast(bytes);
  if (leader_) return;
  std::size_t at = 0;
  const std::uint64_t length = take_count(bytes, at, 1, "run state");
  const std::vector<std::uint8_t> state(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                        bytes.begin() + static_cast<std::ptrdiff_t>(at + length));
  at += length;
  result_.paths.clear();
  read_state(state, m_, totals_, result_);
  if (o_.per_trial) {
    storage_.begin_round(0, completed);
    storage_.take_rows(bytes, at, 0, completed);
  }
}

std::uint64_t RankedRounds::run(std::uint64_t completed) {
  // Where the run starts and whether it has already stopped: rank 0's word.
  Decision d;
  d.completed = completed;
  d.batch = o_.rank_batch_rounds > 0 ? o_.rank_batch_rounds : 1;
  d.precise = precise_enough(o_, result_.stats.view_loss[views_.main * 2].moments, completed) ? 1 : 0;
  std::vector<std::uint8_t> word = d.bytes();
  group_.broadcast(word);
  d = Decision::from(word);
  completed = d.completed;
  result_.stopped_by_precision = d.precise != 0;
  std::uint64_t saved = completed;  // the trials of the last checkpoint
  std::vector<std::uint8_t> report;
  while (completed < o_.trials && !result_.stopped_by_precision) {
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t batch = d.batch;
    Batch mine = run_batch(completed, batch, report);
    const auto reports = group_.gather(report);
    if (leader_) {
      d = decide(reports, completed, batch);
      d.batch = next_batch(batch, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      word = d.bytes();
    }
    group_.broadcast(word);
    d = Decision::from(word);
    if (d.partial) {
      result_.partial = true;
      break;
    }
    commit(mine, d, batch);
    completed = d.completed;
    result_.stopped_by_precision = d.precise != 0;
    if (leader_ && o_.progress) o_.progress(completed, o_.trials);
    if (d.checkpoint) {
      flush();
      if (leader_) o_.checkpoint(state_bytes(totals_, result_, completed), completed);
      saved = completed;
    }
  }
  flush();
  if (leader_ && o_.checkpoint && completed != saved)
    o_.checkpoint(state_bytes(totals_, result_, completed), completed);
  if (o_.ranks_share_result) share_result(completed);
  return completed;
}

// Each view's tallies and per-trial losses, into the result's views.
void hand_out_views(const Model& m, const Views& views, std::vector<AssetTally>& totals, PerTrialStorage& storage,
                    SimulationResult& result) {
  for (std::size_t view = 0; view < views.count; ++view) {
    ViewResult r;
    r.id = view < views.threats ? m.threats[view].id : "all-threats";
    r.residual = std::move(totals[view * 2]);
    r.residual_loss = std::move(storage.losses[view * 2]);
    if (views.inherent) {
      r.inherent = std::move(totals[view * 2 + 1]);
      r.inherent_loss = std::move(storage.losses[view * 2 + 1]);
    }
    if (view < views.threats)
      result.threats.push_back(std::move(r));
    else
      result.combined = std::move(r);
  }
}

// What every rank must share with rank 0, in three parts: the engine build; the model (a
// digest of its sizes, probabilities and losses); the options and plan that change numbers.
std::array<std::string, 3> rank_fingerprint(const Model& m, const RunOptions& o, const SimulationResult& r) {
  std::uint64_t model = 0xCBF29CE484222325ull, run = model;  // FNV-1a
  const auto mix = [](std::uint64_t& h, const auto& value) {
    std::uint8_t bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    for (const std::uint8_t b : bytes) h = (h ^ b) * 0x100000001B3ull;
  };
  mix(model, m.asset_count());
  mix(model, m.relation_count());
  mix(model, m.threats.size());
  for (const double x : m.edge_p_residual) mix(model, x);
  for (const double x : m.edge_p_inherent) mix(model, x);
  for (const double x : m.asset_loss) mix(model, x);
  mix(model, m.horizon.value_or(-1.0));
  for (const auto x : {o.trials, o.seed, o.min_trials, std::uint64_t{o.per_trial}, std::uint64_t{o.inherent},
                       std::uint64_t{o.paths}, std::uint64_t{o.no_horizon}, std::uint64_t{r.tracked.size()}}) {
    mix(run, x);
  }
  for (const double x : {o.horizon.value_or(-1.0), o.target_relative_stderr, o.path_loss_threshold.value_or(-1.0)}) {
    mix(run, x);
  }
  return {std::string("cpsf ") + kEngineVersion + ", git " + kGitRevision, std::to_string(model), std::to_string(run)};
}

// Rank 0's verdict on whether every rank runs its job (empty: they do); every rank's answer.
std::string disagreement(const RankGroup& group, const Model& m, const RunOptions& o, const SimulationResult& r) {
  const auto mine = rank_fingerprint(m, o, r);
  std::vector<std::uint8_t> bytes;
  for (const auto& part : mine) {
    bytes.insert(bytes.end(), part.begin(), part.end());
    bytes.push_back(0);
  }
  const auto all = group.gather(bytes);
  for (std::size_t q = 1; q < all.size(); ++q) {
    if (all[q] == bytes) continue;
    std::vector<std::string> theirs(1);
    for (const std::uint8_t b : all[q]) {
      if (b == 0) {
        theirs.emplace_back();
      } else {
        theirs.back().push_back(static_cast<char>(b));
      }
    }
    theirs.resize(3);
    const std::string who = "rank " + std::to_string(q) + " of " + std::to_string(all.size());
    if (theirs[0] != mine[0]) {
      return who + " runs another cpsf build (" + theirs[0] + "; rank 0: " + mine[0] +
             ") (fix: install the same build on every machine)";
    }
    if (theirs[1] != mine[1]) {
      return who +
             " loaded another scenario than rank 0 (fix: give every rank the same scenario file, e.g. on a "
             "shared file system, and the same --library)";
    }
    return who + " was given other options than rank 0 (fix: give every rank the same command line)";
  }
  return {};
}

// A checkpoint's state, read into the run's totals and result; the trials it holds.
std::uint64_t resume(const std::vector<std::uint8_t>& state, const Model& model, const RunOptions& options,
                     std::vector<AssetTally>& totals, SimulationResult& result) {
  const std::uint64_t resumed = read_state(state, model, totals, result);
  if (resumed > options.trials) {
    throw std::invalid_argument("the checkpoint holds " + std::to_string(resumed) + " trials, more than the " +
                                std::to_string(options.trials) + " asked for");
  }
  if (resumed % kRoundTrials != 0 && resumed != options.trials) {
    throw std::invalid_argument("the checkpoint ends with a short last round (" + std::to_string(resumed) +
                                " trials, not a multiple of " + std::to_string(kRoundTrials) +
                                "): it can be resumed only to exactly that many trials");
  }
  return resumed;
}

}  // namespace

RunStatistics statistics_of(const SimulationResult& r, unsigned threads) {
  std::vector<const ViewResult*> views;
  for (const auto& v : r.threats) views.push_back(&v);
  if (r.combined) views.push_back(&*r.combined);
  std::vector<const PerTrial*> slots;
  for (const ViewResult* v : views) {
    slots.push_back(&v->residual_loss);
    slots.push_back(r.has_inherent ? &v->inherent_loss : nullptr);
  }
  RunStatistics stats(slots.size(), r.enterprises, r.tracked.size());
  if (views.empty()) return stats;
  const RoundFold fold(r, std::move(slots), r.main_slot());
  TrialExecutor executor(threads);
  for (std::uint64_t begin = 0; begin < r.trials; begin += kRoundTrials) {
    fold.run(executor, begin, std::min<std::uint64_t>(r.trials, begin + kRoundTrials) - begin, stats);
  }
  return stats;
}

void run_trials(const Model& model, const RunOptions& options, const Cascade& cascade, SimulationResult& result) {
  const Views views(model, result.has_inherent);
  std::vector<AssetTally> totals(views.count * 2);
  for (std::size_t i = 0; i < totals.size(); ++i) {
    if (views.used(i)) totals[i].resize(model.asset_count());
  }
  result.cell_production.assign(kCells, 0);
  result.cell_cascade.assign(kCells, 0);
  if (result.has_annual) result.annual_hits.assign(model.asset_count(), 0);
  result.stats = RunStatistics(views.count * 2, result.enterprises, result.tracked.size());
  result.per_trial = options.per_trial;
  const bool leads = options.ranks == nullptr || options.ranks->rank() == 0;
  std::uint64_t resumed = 0;
  std::string refusal;  // why the state cannot be resumed: rank 0's, for every rank
  if (options.ranks != nullptr) refusal = disagreement(*options.ranks, model, options, result);
  const bool disagree = !refusal.empty();
  if (options.resume != nullptr && leads && !disagree) {
    try {
      resumed = resume(*options.resume, model, options, totals, result);
    } catch (const std::exception& e) {
      if (options.ranks == nullptr) throw;
      refusal = e.what();
    }
  }
  if (options.ranks != nullptr) {
    std::vector<std::uint8_t> word(refusal.size() + 1, static_cast<std::uint8_t>(disagree));
    std::copy(refusal.begin(), refusal.end(), word.begin() + 1);
    options.ranks->broadcast(word);
    const std::string why(word.begin() + 1, word.end());
    if (word[0] != 0) throw RanksDisagree(why);
    if (!why.empty()) throw std::invalid_argument(why);
  }
  PerTrialStorage storage(views, result, options.per_trial);
  storage.reserve(options.trials);
  if (options.ranks != nullptr && options.ranks->size() > 1) {
    RankedRounds rounds(model, options, cascade, views, result, storage, totals);
    result.trials = rounds.run(resumed);
  } else {
    result.trials = run_rounds(model, options, cascade, views, result, storage, totals, resumed);
  }
  storage.finish(result.trials);  // a cancelled round's rows go
  hand_out_views(model, views, totals, storage, result);
}

}  // namespace cpsf
