// Throughput of the engine on generated supply chains (cpsf generate's shapes).
//
//   build/bin/cpsf_bench --benchmark_out=bench/results/engine.json --benchmark_out_format=json
//
// BM_Run          whole runs (simulate): trials/s and steps/s, over sizes and threads.
// BM_Attack       one attack at a time on one thread (sim/attack.hpp; BM_TrialLoop in results
//                 stored before it was renamed).
// BM_RandomFloor  only the random numbers the same trials draw (one block per step tried,
//                 the time transform for each step that succeeded): the floor an attack
//                 cannot beat.
// Every benchmark checks its answer: runs must be bit-identical to a one-thread
// reference, and the attacks must match the run's hit counts; otherwise it fails.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "cpsf/analysis/chokepoints.hpp"
#include "cpsf/io/generate.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/sim/simulation.hpp"

namespace {

using namespace cpsf;

// The benchmark graph: `assets` assets in enterprises of 1,000, four relations per
// asset; "local" attacks stay small, "spread" ones reach a large share of the graph.
struct Case {
  Model model;
  std::uint64_t reference_hits = 0;  // Σ hits of a one-thread run of kCheckTrials
};
constexpr std::uint64_t kCheckTrials = 64;

GenerateOptions shape(std::uint64_t assets, bool spread) {
  GenerateOptions g;
  g.assets_per_enterprise = static_cast<std::uint32_t>(std::min<std::uint64_t>(assets, 1000));
  g.enterprises = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, assets / g.assets_per_enterprise));
  g.relations_per_asset = 4;
  g.entry_share = 0.001;
  g.p_min = spread ? 0.3 : 0.05;
  g.p_max = spread ? 0.9 : 0.45;
  g.horizon = 30;
  g.seed = 42;
  return g;
}

const Case& get_case(std::uint64_t assets, bool spread) {
  static std::map<std::pair<std::uint64_t, bool>, std::unique_ptr<Case>> cache;
  auto& slot = cache[{assets, spread}];
  if (!slot) {
    slot = std::make_unique<Case>();
    slot->model = compile(generate(shape(assets, spread)));
    RunOptions o;
    o.trials = kCheckTrials;
    o.threads = 1;
    o.inherent = false;
    const auto r = simulate(slot->model, o);
    for (const auto h : r.main().residual.hits) slot->reference_hits += h;
  }
  return *slot;
}

void BM_Run(benchmark::State& state) {
  const auto assets = static_cast<std::uint64_t>(state.range(0));
  const bool spread = state.range(1) != 0;
  const auto threads = static_cast<unsigned>(state.range(2));
  const Case& c = get_case(assets, spread);
  RunOptions o;
  o.trials = std::max<std::uint64_t>(256, 2'000'000 / assets);  // enough per round to amortise its merge
  o.threads = threads;
  o.inherent = false;
  std::uint64_t steps = 0, trials = 0;
  for (auto _ : state) {
    const auto r = simulate(c.model, o);
    steps += r.steps_tried;
    trials += r.trials;
    benchmark::DoNotOptimize(r.main().residual_loss.data());
  }
  // The answer: the first kCheckTrials trials must equal the one-thread reference.
  RunOptions check = o;
  check.trials = kCheckTrials;
  std::uint64_t hits = 0;
  const auto checked = simulate(c.model, check);  // kept: a range-for over a temporary's member dangles
  for (const auto h : checked.main().residual.hits) hits += h;
  if (hits != c.reference_hits) state.SkipWithError("results differ from the one-thread reference");
  state.SetItemsProcessed(static_cast<std::int64_t>(trials));
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["steps/trial"] = static_cast<double>(steps) / static_cast<double>(trials);
  state.counters["bytes/relation"] = c.model.frozen_bytes_per_relation();
}

void BM_Attack(benchmark::State& state) {
  const Case& c = get_case(static_cast<std::uint64_t>(state.range(0)), state.range(1) != 0);
  AttackScratch scratch(c.model);
  Attack attack(c.model, 0, 1);
  std::uint64_t trial = 0, steps = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(attack.run(attack_address(trial++ % 4096, 0), Controls::On, scratch));
    steps += scratch.steps_tried();
  }
  // The answer: the attacks' hits over the first trials equal the run's reference.
  std::uint64_t hits = 0;
  Attack check(c.model, 0, 1);
  for (std::uint64_t j = 0; j < kCheckTrials; ++j) {
    check.run(attack_address(j, 0), Controls::On, scratch);
    hits += scratch.compromised().size();
  }
  if (hits != c.reference_hits) state.SkipWithError("attacks differ from the run");
  state.SetItemsProcessed(static_cast<std::int64_t>(steps));  // items = steps tried
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Draws exactly the numbers the attacks drew for the same trials, with nothing else.
void BM_RandomFloor(benchmark::State& state) {
  const Case& c = get_case(static_cast<std::uint64_t>(state.range(0)), state.range(1) != 0);
  const Model& m = c.model;
  // Record what 4096 trials reached: (trial, edge) for each step tried.
  AttackScratch scratch(m);
  Attack attack(m, 0, 1);
  struct Reached {
    std::uint64_t trial;
    std::uint32_t edge;
  };
  std::vector<Reached> reached;
  std::vector<std::uint32_t> first_edge(m.asset_count() + 1);
  for (std::uint64_t j = 0; j < 4096 && reached.size() < 20'000'000; ++j) {
    attack.run(attack_address(j, 0), Controls::On, scratch);
    for (const std::uint32_t v : scratch.compromised()) {
      for (std::uint32_t e = m.out_begin[v]; e < m.out_begin[v + 1]; ++e) reached.push_back({j, e});
    }
  }
  const RandomStream steps(1, Attack::stream_id(Stream::steps, 0));
  const RandomStream times(1, Attack::stream_id(Stream::times, 0));
  std::size_t i = 0;
  std::uint64_t drawn = 0;
  for (auto _ : state) {
    const Reached& r = reached[i];
    i = i + 1 == reached.size() ? 0 : i + 1;
    const std::uint32_t rel = m.edge_relation[r.edge];
    const auto block = steps.uniform_pair(r.trial, rel, 0);  // success, and the time's first uniform
    double t = 0;
    if (block[0] < m.edge_p_residual[r.edge]) {
      UniformCursorAfter uniforms(block[1], times, r.trial, rel);
      t = m.distributions[m.edge_ttc[r.edge]].sample(uniforms);
    }
    benchmark::DoNotOptimize(t);
    ++drawn;
  }
  if (reached.empty()) state.SkipWithError("no step reached");
  state.SetItemsProcessed(static_cast<std::int64_t>(drawn));  // items = steps' numbers drawn
}

void sizes_and_threads(benchmark::internal::Benchmark* b) {
  const std::int64_t largest = std::getenv("CPSF_BENCH_HUGE") ? 1'000'000 : 100'000;
  for (std::int64_t assets = 1000; assets <= largest; assets *= 10) {
    for (const std::int64_t spread : {0, 1}) {
      for (const std::int64_t threads : {1, 2}) b->Args({assets, spread, threads});
    }
  }
}

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t assets = 1000; assets <= 100'000; assets *= 10) {
    for (const std::int64_t spread : {0, 1}) b->Args({assets, spread});
  }
}

// Chokepoints to every target of threat 0 (residual weaknesses); items = targets. The
// cut sizes must equal those of a one-thread reference.
void BM_Chokepoints(benchmark::State& state) {
  const auto assets = static_cast<std::uint64_t>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const Case& c = get_case(assets, false);
  static std::map<std::uint64_t, std::uint64_t> reference;
  const auto total_cut = [](const std::vector<Chokepoint>& cps) {
    std::uint64_t sum = 0;
    for (const auto& cp : cps) sum += cp.reachable && !cp.entry ? cp.cut_size : 0;
    return sum;
  };
  if (!reference.count(assets)) reference[assets] = total_cut(chokepoints(c.model, 0, true, nullptr, 1));
  std::size_t targets = 0;
  for (auto _ : state) {
    const auto cps = chokepoints(c.model, 0, true, nullptr, threads);
    targets = cps.size();
    if (total_cut(cps) != reference[assets]) state.SkipWithError("cut sizes differ from the one-thread reference");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * targets));
  state.counters["targets"] = static_cast<double>(targets);
}

void sizes_for_chokepoints(benchmark::internal::Benchmark* b) {
  for (std::int64_t assets = 1000; assets <= 100'000; assets *= 10) {
    for (const std::int64_t threads : {1, 2}) b->Args({assets, threads});
  }
}

BENCHMARK(BM_Run)
    ->Apply(sizes_and_threads)
    ->ArgNames({"assets", "spread", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Attack)->Apply(sizes)->ArgNames({"assets", "spread"})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RandomFloor)->Apply(sizes)->ArgNames({"assets", "spread"})->Unit(benchmark::kNanosecond);
BENCHMARK(BM_Chokepoints)
    ->Apply(sizes_for_chokepoints)
    ->ArgNames({"assets", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
