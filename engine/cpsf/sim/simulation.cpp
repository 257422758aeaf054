#include "cpsf/sim/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <stdexcept>

#include "cpsf/base/distributions.hpp"
#include "cpsf/base/parallel.hpp"
#include "cpsf/base/statistics.hpp"

namespace cpsf {

void AssetTally::add(const AssetTally& o) {
  for (std::size_t i = 0; i < hits.size(); ++i) {
    hits[i] += o.hits[i];
    time_sum[i] += o.time_sum[i];
    time_square[i] += o.time_square[i];
  }
}

namespace {

constexpr std::uint64_t kRoundTrials = 4096;
constexpr std::uint64_t kAttackStride = attack_address(0, 1);  // addresses below it are attack 0  // results merge (and a cancel is honoured) per round
// Trials per parallel task: enough to amortise scheduling on small graphs, few enough
// to balance two threads when trials are long. Results never depend on it.
std::uint64_t grain_for(const Model& m) {
  const std::uint64_t size = m.asset_count() + m.relation_count();
  return std::clamp<std::uint64_t>((std::uint64_t{1} << 20) / std::max<std::uint64_t>(size, 1), 1, 64);
}

struct PathHash {
  std::size_t operator()(const std::vector<std::uint32_t>& v) const noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (const std::uint32_t x : v) h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

// One thread's working state: scratch for the trial loop and this round's tallies.
struct ThreadState {
  ThreadState(const Model& model, const Cascade& cascade, std::size_t views, bool inherent, std::size_t tracked)
      : scratch(model),
        union_stamp(model.asset_count(), 0),
        union_time(model.asset_count(), kNever),
        cascade_ws(cascade.workspace()),
        shock_inoperability(model.enterprise_id.size(), 0.0),
        shock_days(model.enterprise_id.size(), -1.0),
        path_best(tracked, kNever),
        path_buffer(tracked) {
    tallies.resize(views * 2);
    for (std::size_t i = 0; i < tallies.size(); ++i) {
      if (i % 2 == 0 || inherent) tallies[i].resize(model.asset_count());
    }
    union_assets.reserve(model.asset_count());
  }
  AttackScratch scratch;
  std::vector<AssetTally> tallies;  // [view * 2 + mode]
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
  std::uint32_t epoch = 0;
  std::uint64_t steps = 0;  // this round's steps tried
  bool dirty = false;
};

void tally(AssetTally& t, std::uint32_t v, double arrival) {
  ++t.hits[v];
  // nearbyint, not llround: arrival² × 2^32 can exceed 64 bits.
  t.time_sum[v] += static_cast<FixedSum>(std::nearbyint(arrival * kTimeScale));
  t.time_square[v] += static_cast<FixedSum>(std::nearbyint(arrival * arrival * kTimeScale));
}

}  // namespace

std::vector<std::string> RunOptions::problems() const {
  std::vector<std::string> out;
  check_limit(out, "trials", limits::trials, trials);
  check_limit(out, "threads", limits::threads, threads);
  if (horizon) check_limit(out, "horizon", limits::horizon, *horizon);
  if (horizon && no_horizon) out.emplace_back("a horizon and no horizon exclude each other");
  check_limit(out, "target relative standard error", limits::target_rse, target_relative_stderr);
  if (path_loss_threshold) check_limit(out, "path loss threshold", limits::loss_threshold, *path_loss_threshold);
  return out;
}

SimulationResult simulate(const Model& model, const RunOptions& options) {
  options.check();
  if (model.asset_count() == 0) throw std::invalid_argument("the scenario has no assets");
  for (const auto& t : model.threats) {
    if (t.annual_frequency && !limits::annual_frequency.contains(*t.annual_frequency)) {
      throw std::invalid_argument(
          must_be("threat " + t.id + ": annual_frequency", limits::annual_frequency, *t.annual_frequency));
    }
  }

  Model local;  // the model with the horizon the options ask for
  const Model* m = &model;
  if (options.horizon || options.no_horizon) {
    local = model;
    local.horizon = options.no_horizon ? std::nullopt : options.horizon;
    m = &local;
  }

  const std::size_t threat_count = m->threats.size();
  const bool combined = threat_count > 1;
  const std::size_t views = threat_count + (combined ? 1 : 0);
  const std::size_t main_view = combined ? threat_count : 0;
  const std::size_t n_assets = m->asset_count();
  const std::size_t n_enterprises = m->enterprise_id.size();
  const bool inherent = options.inherent;
  const int modes = inherent ? 2 : 1;

  SimulationResult result;
  result.seed = options.seed;
  result.trials_planned = options.trials;
  result.horizon = m->horizon;
  result.has_inherent = inherent;
  result.enterprises = n_enterprises;
  result.has_annual = std::all_of(m->threats.begin(), m->threats.end(),
                                  [&](const CompiledThreat& t) { return t.annual_frequency.has_value(); }) &&
                      !m->implicit_threat;

  std::vector<Attack> loops;
  std::vector<std::optional<Poisson>> attacks_per_year;
  std::vector<RandomStream> count_streams, outage_streams;
  for (std::size_t k = 0; k < threat_count; ++k) {
    loops.emplace_back(*m, k, options.seed);
    attacks_per_year.emplace_back(result.has_annual ? std::optional<Poisson>(Poisson(*m->threats[k].annual_frequency))
                                                    : std::nullopt);
    count_streams.emplace_back(options.seed, Attack::stream_id(Stream::threat_count, k));
    outage_streams.emplace_back(options.seed, Attack::stream_id(Stream::outage, k));
  }
  const Cascade cascade(m->enterprise_output, m->supply_links);  // throws on an unusable A*
  result.has_production = m->has_production;
  result.spectral_radius = cascade.spectral_radius();

  for (std::uint32_t v = 0; v < n_assets && result.tracked.size() < kMaxTracked; ++v) {
    bool objective = false;
    for (const auto& t : m->threats) {
      objective |= std::find(t.objectives.begin(), t.objectives.end(), v) != t.objectives.end();
    }
    const bool costly = options.path_loss_threshold && m->asset_loss[v] >= *options.path_loss_threshold;
    if (m->asset_target[v] || objective || costly) result.tracked.push_back(v);
  }
  const std::size_t n_tracked = result.tracked.size();
  std::vector<std::int32_t> tracked_slot(n_assets, -1);
  for (std::size_t k = 0; k < n_tracked; ++k) tracked_slot[result.tracked[k]] = static_cast<std::int32_t>(k);

  // Totals, and the per-trial slots, grown round by round (a high cap with a stopping
  // rule or a cancel must not reserve memory for trials never run).
  std::vector<AssetTally> totals(views * 2);
  for (std::size_t i = 0; i < totals.size(); ++i) {
    if (i % 2 == 0 || inherent) totals[i].resize(n_assets);
  }
  const std::uint64_t cap = options.trials;
  std::vector<PerTrial> losses(views * 2);
  // Every per-trial array, with its values per trial.
  const auto each_per_trial_array = [&](const auto& f) {
    for (std::size_t i = 0; i < losses.size(); ++i) {
      if (i % 2 == 0 || inherent) f(losses[i], 1);
    }
    f(result.enterprise_residual_loss, n_enterprises);
    f(result.enterprise_residual_cascade, n_enterprises);
    if (inherent) {
      f(result.enterprise_inherent_loss, n_enterprises);
      f(result.enterprise_inherent_cascade, n_enterprises);
    }
    f(result.tracked_arrival, n_tracked);
    if (result.has_annual) {
      f(result.annual_residual_loss, 1);
      if (inherent) f(result.annual_inherent_loss, 1);
    }
  };
  // Room for the whole run up front, up to 1 GiB of address space, so that the arrays
  // never move (moving copies them in the main thread, between rounds). Pages no trial
  // writes are never backed, so a high cap that a stopping rule cuts short costs address
  // space, not memory.
  {
    std::uint64_t bytes_per_trial = 0;
    each_per_trial_array([&](PerTrial&, std::size_t per) { bytes_per_trial += per * sizeof(double); });
    const std::uint64_t room =
        std::min(cap, std::max(kRoundTrials, (std::uint64_t{1} << 30) / std::max<std::uint64_t>(bytes_per_trial, 1)));
    each_per_trial_array([&](PerTrial& v, std::size_t per) { v.reserve(room * per); });
  }
  const auto grow = [&](std::uint64_t trials) {
    each_per_trial_array([&](PerTrial& v, std::size_t per) { v.resize(trials * per); });  // not filled: PerTrial
  };

  TrialExecutor executor(options.threads);
  result.threads = executor.threads();
  std::vector<std::optional<ThreadState>> states(executor.threads());  // made by their worker, on first use

  // Production loss of one attack (cascade.hpp). An asset's outage days in a trial's
  // own attacks (attack 0) come from one stream whichever threat took it, so every view
  // of the trial sees the same days for it, and adding a control (which may change
  // which threat reaches it first) never changes them: losses stay monotone in the
  // controls. The extra attacks of an annualised year use their threat's stream.
  const auto production = [&](ThreadState& st, std::uint64_t address, const std::vector<std::uint32_t>& assets,
                              std::uint32_t threat, double* own, double* cascaded) {
    if (!m->has_production) return 0.0;
    for (const std::uint32_t v : assets) {
      const double share = m->asset_operations_share[v];
      if (share <= 0.0) continue;
      const std::uint32_t e = m->asset_owner[v];
      UniformCursor cursor(outage_streams[address < kAttackStride ? 0 : threat], address, v);
      const double days = m->distributions[m->asset_outage[v]].sample(cursor);
      if (st.shock_days[e] < 0.0) {
        st.shock_hit.push_back(e);
        st.shock_days[e] = days;
      } else {
        st.shock_days[e] = std::max(st.shock_days[e], days);
      }
      st.shock_inoperability[e] += share;
    }
    st.shock.clear();
    for (const std::uint32_t e : st.shock_hit) {
      st.shock.push_back({e, std::min(1.0, st.shock_inoperability[e]), st.shock_days[e]});
      st.shock_inoperability[e] = 0.0;
      st.shock_days[e] = -1.0;
    }
    st.shock_hit.clear();
    return st.shock.empty() ? 0.0 : cascade.propagate(st.shock, own, cascaded, *st.cascade_ws);
  };

  // The path that made tracked asset v fall in the last attack, entry first.
  const auto record_path = [&](ThreadState& st, std::uint32_t v, std::vector<std::uint32_t>& path) {
    path.clear();
    for (std::size_t hops = 0; hops <= n_assets; ++hops) {  // via links never cycle; the bound is a guard
      const std::uint32_t e = st.scratch.via(v);
      if (e == AttackScratch::kEntered) break;
      path.push_back(m->edge_relation[e]);
      v = static_cast<std::uint32_t>(std::upper_bound(m->out_begin.begin(), m->out_begin.end(), e) -
                                     m->out_begin.begin() - 1);
    }
    std::reverse(path.begin(), path.end());
  };
  const bool count_paths = options.paths && n_tracked > 0;

  // One trial: every threat attacks once with controls on, and (common random
  // numbers) once with controls off.
  const auto run_trial = [&](std::uint64_t j, ThreadState& st) {
    for (int mode = 0; mode < modes; ++mode) {
      const Controls controls = mode == 0 ? Controls::On : Controls::Off;
      const bool paths_now = count_paths && mode == 0;
      if (++st.epoch == 0) {
        std::fill(st.union_stamp.begin(), st.union_stamp.end(), 0);
        st.epoch = 1;
      }
      st.union_assets.clear();
      if (paths_now) std::fill(st.path_best.begin(), st.path_best.end(), kNever);
      double* enterprise = (mode == 0 ? result.enterprise_residual_loss : result.enterprise_inherent_loss).data() +
                           j * n_enterprises;
      double* enterprise_cascade =
          (mode == 0 ? result.enterprise_residual_cascade : result.enterprise_inherent_cascade).data() +
          j * n_enterprises;
      std::fill(enterprise, enterprise + n_enterprises, 0.0);
      std::fill(enterprise_cascade, enterprise_cascade + n_enterprises, 0.0);
      double annual = 0.0;
      for (std::size_t k = 0; k < threat_count; ++k) {
        const auto threat = static_cast<std::uint32_t>(k);
        const double loss = loops[k].run(attack_address(j, 0), controls, st.scratch);
        st.steps += st.scratch.steps_tried();
        AssetTally& t = st.tallies[k * 2 + mode];
        const auto& fallen = st.scratch.compromised();
        const auto& when = st.scratch.arrival();
        for (std::size_t i = 0; i < fallen.size(); ++i) {
          const std::uint32_t v = fallen[i];
          tally(t, v, when[i]);
          if (st.union_stamp[v] != st.epoch) {
            st.union_stamp[v] = st.epoch;
            st.union_time[v] = when[i];
            st.union_assets.push_back(v);
          } else {
            st.union_time[v] = std::min(st.union_time[v], when[i]);
          }
          if (paths_now && tracked_slot[v] >= 0 && when[i] < st.path_best[tracked_slot[v]]) {
            st.path_best[tracked_slot[v]] = when[i];
            record_path(st, v, st.path_buffer[tracked_slot[v]]);
          }
        }
        // A single threat is the main view: its production loss is split by enterprise.
        const double made = combined ? production(st, attack_address(j, 0), fallen, threat, nullptr, nullptr)
                                     : production(st, attack_address(j, 0), fallen, threat, enterprise, enterprise_cascade);
        losses[k * 2 + mode][j] = loss + made;
        if (result.has_annual) {
          UniformCursor cursor(count_streams[k], j, 0);
          const std::uint64_t n = attacks_per_year[k]->sample(cursor);
          if (n >= 1) annual += loss + made;
          for (std::uint64_t a = 1; a < n; ++a) {
            const std::uint64_t address = attack_address(j, static_cast<std::uint32_t>(a));
            annual += loops[k].run(address, controls, st.scratch);
            annual += production(st, address, st.scratch.compromised(), threat, nullptr, nullptr);
            st.steps += st.scratch.steps_tried();
          }
        }
      }
      if (result.has_annual) (mode == 0 ? result.annual_residual_loss : result.annual_inherent_loss)[j] = annual;
      // The main view: the single threat, or the union of every threat's compromises.
      double union_loss = 0.0;
      AssetTally* union_tally = combined ? &st.tallies[main_view * 2 + mode] : nullptr;
      for (const std::uint32_t v : st.union_assets) {
        union_loss += m->asset_loss[v];
        enterprise[m->asset_owner[v]] += m->asset_loss[v];
        if (union_tally) tally(*union_tally, v, st.union_time[v]);
      }
      if (combined) {
        union_loss += production(st, attack_address(j, 0), st.union_assets, 0, enterprise, enterprise_cascade);
        losses[main_view * 2 + mode][j] = union_loss;
      }
      if (mode == 0 && n_tracked) {
        double* row = result.tracked_arrival.data() + j * n_tracked;
        std::fill(row, row + n_tracked, std::numeric_limits<double>::quiet_NaN());
        for (const std::uint32_t v : st.union_assets) {
          if (tracked_slot[v] >= 0) row[tracked_slot[v]] = st.union_time[v];
        }
      }
      if (paths_now) {
        for (std::size_t slot = 0; slot < n_tracked; ++slot) {
          if (st.path_best[slot] == kNever) continue;
          st.path_key.assign(1, static_cast<std::uint32_t>(slot));
          st.path_key.insert(st.path_key.end(), st.path_buffer[slot].begin(), st.path_buffer[slot].end());
          ++st.path_counts[st.path_key];
        }
      }
    }
    st.dirty = true;
  };

  std::atomic<std::uint64_t> done{0};
  std::mutex progress_mutex;
  auto last_report = std::chrono::steady_clock::now();
  const auto cancelled = [&] { return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed); };

  MomentAccumulator main_moments;  // residual main-view loss, in trial order
  const std::size_t main_slot = main_view * 2;
  std::uint64_t completed = 0;
  while (completed < cap) {
    const std::uint64_t end = std::min<std::uint64_t>(cap, completed + kRoundTrials);
    grow(end);
    std::atomic<bool> interrupted{false};
    executor.run(completed, end, grain_for(*m), [&](unsigned worker, std::uint64_t begin, std::uint64_t stop) {
      auto& slot = states[worker];
      if (!slot) slot.emplace(*m, cascade, views, inherent, n_tracked);
      ThreadState& st = *slot;
      for (std::uint64_t j = begin; j < stop; ++j) {
        if (cancelled()) {
          interrupted = true;
          return;
        }
        run_trial(j, st);
      }
      const auto now_done = done.fetch_add(stop - begin) + (stop - begin);
      if (options.progress && progress_mutex.try_lock()) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report > std::chrono::milliseconds(200)) {
          last_report = now;
          options.progress(now_done, cap);
        }
        progress_mutex.unlock();
      }
    });
    if (interrupted || cancelled()) {
      result.partial = true;
      break;
    }
    // The round is complete: add every thread's tallies (integers: order-free).
    for (auto& slot : states) {
      if (!slot || !slot->dirty) continue;
      ThreadState& st = *slot;
      result.steps_tried += st.steps;
      st.steps = 0;
      for (const auto& [path, count] : st.path_counts) result.paths[path] += count;
      st.path_counts.clear();
      for (std::size_t i = 0; i < totals.size(); ++i) {
        if (totals[i].hits.empty()) continue;
        totals[i].add(st.tallies[i]);
        st.tallies[i].resize(n_assets);
      }
      st.dirty = false;
    }
    for (std::uint64_t j = completed; j < end; ++j) main_moments.add(losses[main_slot][j]);
    completed = end;
    if (options.target_relative_stderr > 0 && completed >= options.min_trials && completed < cap) {
      const double rse = main_moments.standard_error() / std::fabs(main_moments.mean);
      if (rse <= options.target_relative_stderr) {
        result.stopped_by_precision = true;
        break;
      }
    }
  }
  if (options.progress) options.progress(completed, cap);

  result.trials = completed;
  const auto trim = [&](PerTrial& v, std::size_t per_trial) { v.resize(completed * per_trial); };
  for (auto& l : losses) {
    if (!l.empty()) trim(l, 1);
  }
  trim(result.enterprise_residual_loss, n_enterprises);
  trim(result.enterprise_residual_cascade, n_enterprises);
  if (inherent) {
    trim(result.enterprise_inherent_loss, n_enterprises);
    trim(result.enterprise_inherent_cascade, n_enterprises);
  }
  trim(result.tracked_arrival, n_tracked);
  if (result.has_annual) {
    trim(result.annual_residual_loss, 1);
    if (inherent) trim(result.annual_inherent_loss, 1);
  }
  for (std::size_t view = 0; view < views; ++view) {
    ViewResult r;
    r.id = view < threat_count ? m->threats[view].id : "all-threats";
    r.residual = std::move(totals[view * 2]);
    r.residual_loss = std::move(losses[view * 2]);
    if (inherent) {
      r.inherent = std::move(totals[view * 2 + 1]);
      r.inherent_loss = std::move(losses[view * 2 + 1]);
    }
    if (view < threat_count) result.threats.push_back(std::move(r));
    else result.combined = std::move(r);
  }
  return result;
}

}  // namespace cpsf
