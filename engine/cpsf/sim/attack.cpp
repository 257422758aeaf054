#include "cpsf/sim/attack.hpp"

#include <algorithm>

#include "cpsf/base/limits.hpp"

namespace cpsf {

namespace {

// Steps whose Philox blocks are computed together, before any outcome branches: the
// blocks are independent, so their multiply chains overlap in the pipeline.
constexpr std::uint32_t kStepBatch = 8;

}  // namespace

AttackScratch::AttackScratch(const Model& model)
    : assets_(model.asset_count(), AssetState{kNever, 0, 0}), via_(model.asset_count(), kEntered) {
  compromised_.reserve(std::min<std::size_t>(model.asset_count(), 1u << 20));
  compromised_time_.reserve(compromised_.capacity());
}

Attack::Attack(const Model& model, std::size_t threat, std::uint64_t seed)
    : model_(model),
      threat_(model.threats.at(threat)),
      ttc_(model.step_times(threat_.step_set).data()),
      p_written_(model.edge_p_written.empty() ? nullptr : model.edge_p_written.data()),
      // Arrivals later than kMaxDays never count, whatever the horizon: the run's exact
      // fixed-point sums of times hold no more (limits.hpp). No test in the loop.
      horizon_(std::min(model.horizon.value_or(kMaxDays), kMaxDays)),
      entries_(seed, stream_id(Stream::entries, threat)),
      steps_(seed, stream_id(Stream::steps, threat)),
      times_(seed, stream_id(Stream::times, threat)),
      containment_(seed, stream_id(Stream::containment, threat)) {}

double Attack::run(std::uint64_t address, Controls controls, AttackScratch& scratch) const {
  return run_impl<false>(address, controls, scratch);
}

double Attack::run_eager(std::uint64_t address, Controls controls, AttackScratch& scratch) const {
  return run_impl<true>(address, controls, scratch);
}

// start and enter are steps of run_impl, always inlined into it: out of line, their calls
// cost 1% more instructions per attack on the default scenario (callgrind). try_steps,
// called from one place, is inlined by the compiler; forcing it changes the loop's code
// for the worse (+0.7 to 1% instructions).
[[gnu::always_inline]] inline void AttackScratch::start() {
  if (++epoch_ == (1u << 30)) {  // wrapped: make every record stale again
    for (auto& a : assets_) a.tag = 0;
    epoch_ = 1;
  }
  steps_tried_ = 0;
  queue_.clear();
  compromised_.clear();
  compromised_time_.clear();
}

Attack::EagerDraws Attack::draw_all(std::uint64_t address) const {
  const Model& m = model_;
  EagerDraws eager;
  eager.step_u.resize(m.relation_count());
  eager.time.resize(m.relation_count());
  eager.contain_u.resize(m.asset_count());
  for (std::size_t e = 0; e < m.relation_count(); ++e) {
    const std::uint32_t r = m.edge_relation[e];
    const auto step = steps_.uniform_pair(address, r, 0);
    eager.step_u[e] = step[0];
    UniformCursorAfter uniforms(step[1], times_, address, r);
    eager.time[e] = m.distributions[ttc_[e]].sample(uniforms);
  }
  for (std::uint32_t v = 0; v < m.asset_count(); ++v) eager.contain_u[v] = containment_.uniform(address, v, 0);
  return eager;
}

[[gnu::always_inline]] inline void Attack::enter(std::uint64_t address, AttackScratch& s) const {
  const Model& m = model_;
  for (std::size_t k = 0; k < threat_.entry_assets.size(); ++k) {
    const std::uint32_t a = threat_.entry_assets[k];
    if (entries_.uniform(address, a, 0) < threat_.entry_probability[k]) {
      auto& st = s.touch(a, m);
      if (AttackScratch::state(st) != AttackScratch::kQueued) {
        AttackScratch::set_state(st, AttackScratch::kQueued);
        st.best = 0.0;
        s.via_[a] = AttackScratch::kEntered;
        s.queue_.push(0.0, a);
      }
    }
  }
}

// 2. and 4. Try every step out of v, a batch at a time: first the steps into assets
// still open, then their Philox blocks (independent of each other and free of
// branches, so they overlap in the pipeline), then the outcomes.
template <bool kEager>
void Attack::try_steps(std::uint32_t v, double t, std::uint64_t address, const double* p, double scale,
                       const EagerDraws& eager, AttackScratch& s, std::uint64_t& steps) const {
  const Model& m = model_;
  using S = AttackScratch;
  for (std::uint32_t first = m.out_begin[v], end = m.out_begin[v + 1]; first < end; first += kStepBatch) {
    const std::uint32_t last = std::min(end, first + kStepBatch);
    std::uint32_t open[kStepBatch];
    std::uint32_t n = 0;
    for (std::uint32_t e = first; e < last; ++e) {
      const std::uint32_t state = S::state(s.touch(m.edge_target[e], m));
      open[n] = e;
      n += state != S::kSettled && state != S::kBlocked;
    }
    Philox4x32::Counter block[kStepBatch];
    if constexpr (!kEager) {
      for (std::uint32_t i = 0; i < n; ++i) block[i] = steps_.words(address, m.edge_relation[open[i]], 0);
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t e = open[i];
      const std::uint32_t w = m.edge_target[e];
      S::AssetState& sw = s.assets_[w];
      // A failed step into an ALL asset earlier in this batch may have blocked it.
      const std::uint32_t state = S::state(sw);
      if (state == S::kBlocked) continue;
      ++steps;
      const double u = kEager ? eager.step_u[e] : uniform_from_words(block[i][0], block[i][1]);
      const bool all_gate = m.asset_all_gate[w] != 0;
      if (!(u < p[e] * scale_on(e, scale))) {
        // A failed step into an ALL asset means it never falls through its gate
        // (it can still be an entry: then it is queued already at time 0).
        if (all_gate && state != S::kQueued) S::set_state(sw, S::kBlocked);
        continue;
      }
      double ttc;
      if constexpr (kEager) {
        ttc = eager.time[e];
      } else {
        UniformCursorAfter uniforms(uniform_from_words(block[i][2], block[i][3]), times_, address, m.edge_relation[e]);
        ttc = m.distributions[ttc_[e]].sample(uniforms);
      }
      const double arrival = t + ttc;
      if (!all_gate) {
        // An arrival beyond the horizon never counts: it is not worth a queue entry.
        if (arrival < sw.best && arrival <= horizon_) {
          sw.best = arrival;
          s.via_[w] = e;
          S::set_state(sw, S::kQueued);
          s.queue_.push(arrival, w);
        }
      } else if (state != S::kQueued) {
        // ALL: the latest incoming arrival, once all have succeeded.
        if (sw.remaining == m.in_degree[w] || arrival > sw.best) {
          sw.best = arrival;
          s.via_[w] = e;
        }
        if (--sw.remaining == 0) {
          S::set_state(sw, S::kQueued);
          s.queue_.push(sw.best, w);
        }
      }
    }
  }
}

template <bool kEager>
double Attack::run_impl(std::uint64_t address, Controls controls, AttackScratch& s) const {
  const Model& m = model_;
  s.start();
  const double* p = m.step_probabilities(controls == Controls::On, threat_.step_set).data();
  const double scale = threat_.step_scale;

  // Eager sampling draws everything first: the outcome must not change.
  EagerDraws eager;
  if constexpr (kEager) eager = draw_all(address);

  // 1. Entry points succeed with their probabilities; a succeeded entry falls at time 0.
  enter(address, s);

  double loss = 0.0;
  std::uint64_t steps = 0;
  using S = AttackScratch;
  while (!s.queue_.empty()) {
    const auto [t, v] = s.queue_.pop();
    S::AssetState& sv = s.assets_[v];
    if (S::state(sv) == S::kSettled || t > sv.best) continue;  // stale queue entry
    if (t > horizon_) break;                                   // 5. only arrivals within the horizon count
    S::set_state(sv, S::kSettled);
    s.compromised_.push_back(v);
    s.compromised_time_.push_back(t);
    loss += m.asset_loss[v];

    // 3. A contained asset is compromised, but no step leaves it.
    const double d = m.asset_containment[v];
    if (d > 0.0) {
      const double u = kEager ? eager.contain_u[v] : containment_.uniform(address, v, 0);
      if (u < d) continue;
    }
    try_steps<kEager>(v, t, address, p, scale, eager, s, steps);
  }
  s.steps_tried_ = steps;
  return loss;
}

template double Attack::run_impl<false>(std::uint64_t, Controls, AttackScratch&) const;
template double Attack::run_impl<true>(std::uint64_t, Controls, AttackScratch&) const;

}  // namespace cpsf
