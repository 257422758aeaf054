// Runs shared by many processes (RunOptions::ranks), with the ranks as threads of this
// process (ThreadRanks): every result is one process's, bit for bit, at 1, 2 and 3 ranks —
// with and without per-trial values, under the stopping rule, checkpointed and resumed at
// another rank count, cancelled. tests/python/test_mpi.py runs the same through mpirun.
#include <gtest/gtest.h>

#include <barrier>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cpsf/analysis/compare.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/sim/simulation.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

// K ranks as K threads: a gather is every rank's bytes in a shared slot, read by rank 0
// between two barriers; a broadcast is rank 0's slot read by the others.
class ThreadBus {
 public:
  explicit ThreadBus(int size) : barrier_(size), slots_(static_cast<std::size_t>(size)) {}
  std::barrier<>& barrier() { return barrier_; }
  std::vector<std::vector<std::uint8_t>>& slots() { return slots_; }

 private:
  std::barrier<> barrier_;
  std::vector<std::vector<std::uint8_t>> slots_;
};

class ThreadRanks final : public RankGroup {
 public:
  ThreadRanks(ThreadBus& bus, int rank, int size) : bus_(bus), rank_(rank), size_(size) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> gather(const std::vector<std::uint8_t>& mine) const override {
    bus_.slots()[static_cast<std::size_t>(rank_)] = mine;
    bus_.barrier().arrive_and_wait();
    std::vector<std::vector<std::uint8_t>> all;
    if (rank_ == 0) all = bus_.slots();
    bus_.barrier().arrive_and_wait();
    return all;
  }
  void broadcast(std::vector<std::uint8_t>& bytes) const override {
    if (rank_ == 0) bus_.slots()[0] = bytes;
    bus_.barrier().arrive_and_wait();
    if (rank_ != 0) bytes = bus_.slots()[0];
    bus_.barrier().arrive_and_wait();
  }

 private:
  ThreadBus& bus_;
  int rank_, size_;
};

// `run(options)` on `size` ranks at once, each with `options` and its own group; every
// rank's result, rank 0's first. An exception on any rank is rethrown (rank 0's first).
template <class Run>
auto on_ranks(int size, const RunOptions& options, const Run& run) {
  ThreadBus bus(size);
  using Result = decltype(run(options));
  std::vector<Result> results(static_cast<std::size_t>(size));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(size));
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<ThreadRanks>> groups;
  for (int r = 0; r < size; ++r) groups.push_back(std::make_unique<ThreadRanks>(bus, r, size));
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      RunOptions mine = options;
      mine.ranks = groups[static_cast<std::size_t>(r)].get();
      if (r != 0) {
        mine.progress = nullptr;
        mine.checkpoint = nullptr;
      }
      try {
        results[static_cast<std::size_t>(r)] = run(mine);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return results;
}

std::vector<SimulationResult> simulate_on_ranks(int size, const Model& m, const RunOptions& options) {
  return on_ranks(size, options, [&](const RunOptions& o) { return simulate(m, o); });
}

std::vector<std::uint8_t> bytes_of(const RunStatistics& s) {
  std::vector<std::uint8_t> bytes;
  s.write(bytes);
  return bytes;
}

template <class A, class B>
bool same_bits(const A& a, const B& b) {
  // memcmp on an empty array's null data() is undefined (UBSan says so).
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Each view's tallies and per-trial losses, to the bit.
void expect_same_views(const SimulationResult& a, const SimulationResult& b) {
  ASSERT_EQ(a.threats.size(), b.threats.size());
  for (std::size_t k = 0; k < a.threats.size(); ++k) {
    const ViewResult &x = a.threats[k], &y = b.threats[k];
    EXPECT_TRUE(x.residual.hits == y.residual.hits && x.residual.time_sum == y.residual.time_sum &&
                x.inherent.time_square == y.inherent.time_square)
        << "threat " << k;
    EXPECT_TRUE(same_bits(x.residual_loss, y.residual_loss) && same_bits(x.inherent_loss, y.inherent_loss))
        << "threat " << k;
  }
}

// The documents a run writes from a result.
std::string documents_of(const Model& m, const SimulationResult& r) {
  const auto est = estimate(m, r);
  std::string documents = results_json(m, r, est, {"x", "y", "z"}) + assets_csv(m, est);
  if (r.per_trial) documents += losses_csv(r);
  return documents;
}

// Every number two results hold, to the bit, and the documents a run writes.
// EXPECT_TRUE, not EXPECT_EQ, on large values: printing megabytes of a failed comparison
// takes minutes.
void expect_same_run(const Model& m, const SimulationResult& a, const SimulationResult& b, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(a.trials, b.trials);
  EXPECT_EQ(a.partial, b.partial);
  EXPECT_EQ(a.stopped_by_precision, b.stopped_by_precision);
  EXPECT_EQ(a.steps_tried, b.steps_tried);
  EXPECT_TRUE(bytes_of(a.stats) == bytes_of(b.stats));
  EXPECT_TRUE(a.paths == b.paths);
  EXPECT_TRUE(a.cell_production == b.cell_production && a.cell_cascade == b.cell_cascade);
  EXPECT_TRUE(a.annual_hits == b.annual_hits);
  expect_same_views(a, b);
  EXPECT_TRUE(same_bits(a.enterprise_residual_loss, b.enterprise_residual_loss) &&
              same_bits(a.tracked_arrival, b.tracked_arrival) && same_bits(a.cell_loss, b.cell_loss) &&
              same_bits(a.annual_residual_loss, b.annual_residual_loss));
  if (a.trials > 0) {
    EXPECT_TRUE(documents_of(m, a) == documents_of(m, b));
  }
}

Model default_model() { return compile(testing::default_scenario()); }

TEST(RankedRun, OneProcessesResultsAtOneTwoAndThreeRanks) {
  const Model m = default_model();
  for (const bool per_trial : {false, true}) {
    RunOptions o;
    o.trials = 7 * kRoundTrials + 1234;  // a short last round; 3 ranks leave one idle at the end
    o.seed = 21;
    o.threads = 1;
    o.per_trial = per_trial;
    const SimulationResult one = simulate(m, o);
    for (const int ranks : {1, 2, 3}) {
      for (const std::uint64_t batch : {1, 2, 0}) {  // 0: chosen as the run goes
        o.rank_batch_rounds = batch;
        const auto results = simulate_on_ranks(ranks, m, o);
        for (std::size_t r = 0; r < results.size(); ++r) {
          expect_same_run(m, one, results[r],
                          std::to_string(ranks) + " ranks, batches of " + std::to_string(batch) + ", rank " +
                              std::to_string(r) + (per_trial ? ", per trial" : ", flat"));
        }
      }
    }
  }
}

TEST(RankedRun, FewerTrialsThanRanksHaveRounds) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 1000;  // one short round: rank 0's alone
  o.seed = 4;
  o.threads = 2;
  const SimulationResult one = simulate(m, o);
  const auto results = simulate_on_ranks(3, m, o);
  expect_same_run(m, one, results[0], "1000 trials on 3 ranks");
  expect_same_run(m, one, results[2], "rank 2");
}

TEST(RankedRun, TheStoppingRuleStopsWhereOneProcessStops) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 60 * kRoundTrials;
  o.seed = 3;
  o.per_trial = false;
  o.target_relative_stderr = 0.1;
  o.min_trials = kRoundTrials;
  const SimulationResult one = simulate(m, o);
  ASSERT_TRUE(one.stopped_by_precision);
  ASSERT_LT(one.trials, o.trials);
  // Batches of 3 rounds: the rule stops the run inside some rank's batch, whose counted
  // rounds that rank runs again.
  for (const int ranks : {2, 3}) {
    for (const std::uint64_t batch : {1, 3}) {
      o.rank_batch_rounds = batch;
      const auto results = simulate_on_ranks(ranks, m, o);
      const std::string what = std::to_string(ranks) + " ranks, batches of " + std::to_string(batch);
      expect_same_run(m, one, results[0], what);
      expect_same_run(m, one, results[ranks - 1], what + ", the last rank");
    }
  }
}

// Checkpoints of a run on 2 ranks resume on 3 ranks and on one process to the bits of the
// run never stopped; rank 0 alone writes them.
TEST(RankedRun, CheckpointsResumeAtAnyRankCount) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 9 * kRoundTrials;
  o.seed = 17;
  o.per_trial = false;
  o.threads = 1;
  const SimulationResult whole = simulate(m, o);
  std::vector<std::vector<std::uint8_t>> states;
  std::vector<std::uint64_t> at;
  o.checkpoint = [&](const std::vector<std::uint8_t>& state, std::uint64_t trials) {
    states.push_back(state);
    at.push_back(trials);
  };
  o.checkpoint_rounds = 3;
  o.rank_batch_rounds = 1;
  expect_same_run(m, whole, simulate_on_ranks(2, m, o)[0], "checkpointed on 2 ranks");
  // Super-rounds of 2 end at rounds 2, 4, 6, 8, 9: due after 3 and 6 rounds, and at the end.
  EXPECT_EQ(at, (std::vector<std::uint64_t>{4 * kRoundTrials, 6 * kRoundTrials, 9 * kRoundTrials}));
  o.checkpoint = nullptr;
  o.rank_batch_rounds = 2;
  for (std::size_t i = 0; i < states.size(); ++i) {
    o.resume = &states[i];
    expect_same_run(m, whole, simulate_on_ranks(3, m, o)[0], "checkpoint " + std::to_string(i) + " on 3 ranks");
    expect_same_run(m, whole, simulate(m, o), "checkpoint " + std::to_string(i) + " on one process");
  }
  // A refusal reaches every rank: none waits for the others.
  o.resume = &states[2];
  o.trials = 2 * kRoundTrials;
  EXPECT_THROW(simulate_on_ranks(3, m, o), std::invalid_argument);
}

// A rank given another seed or another model is named, on every rank, before any round.
TEST(RankedRun, RanksOfAnotherJobAreRefusedOnEveryRank) {
  const Model m = default_model();
  Model other = m;
  other.asset_loss[0] += 1.0;
  RunOptions o;
  o.trials = 2 * kRoundTrials;
  for (const bool other_model : {false, true}) {
    int refused = 0;
    std::string message;
    std::mutex mutex;
    on_ranks(3, o, [&](const RunOptions& mine) {
      RunOptions changed = mine;
      if (!other_model && mine.ranks->rank() == 2) changed.seed = 99;
      try {
        (void)simulate(other_model && mine.ranks->rank() == 2 ? other : m, changed);
      } catch (const RanksDisagree& e) {
        const std::lock_guard lock(mutex);
        ++refused;
        message = e.what();
      }
      return 0;
    });
    EXPECT_EQ(refused, 3);
    EXPECT_NE(message.find(other_model ? "rank 2 of 3 loaded another scenario than rank 0"
                                       : "rank 2 of 3 was given other options than rank 0"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("(fix: give every rank the same"), std::string::npos) << message;
  }
}

TEST(RankedRun, ACancelEndsEveryRankWithTheSamePartialResult) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 50 * kRoundTrials;
  o.seed = 2;
  o.per_trial = false;
  std::atomic<bool> cancel{true};  // before the first round: nothing done, on every rank
  o.cancel = &cancel;
  const auto results = simulate_on_ranks(3, m, o);
  for (const auto& r : results) {
    EXPECT_TRUE(r.partial);
    EXPECT_EQ(r.trials, 0u);
  }
}

// compare pairs its variants trial by trial from their per-trial values: on ranks it gives
// one process's table.
TEST(RankedRun, CompareOnRanksIsOneProcesses) {
  CompareOptions co;
  co.run.trials = 2 * kRoundTrials + 77;
  co.run.seed = 5;
  co.run.threads = 1;
  co.baselines = {"as-is", "SCS-3"};
  const std::vector<CompareInput> inputs = {{"default", "default.textproto", testing::default_scenario()}};
  const CompareResult one = compare(inputs, co);
  const auto results = on_ranks(3, co.run, [&](const RunOptions& run) {
    CompareOptions mine = co;
    mine.run = run;
    return compare(inputs, mine);
  });
  for (const auto& r : results) {
    ASSERT_EQ(r.rows.size(), one.rows.size());
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
      EXPECT_EQ(r.rows[i].mean, one.rows[i].mean) << i;
      EXPECT_EQ(r.rows[i].var99, one.rows[i].var99) << i;
      EXPECT_EQ(r.rows[i].diff_stderr, one.rows[i].diff_stderr) << i;
      EXPECT_EQ(r.rows[i].removed_mean, one.rows[i].removed_mean) << i;
      EXPECT_EQ(r.rows[i].removed_stderr, one.rows[i].removed_stderr) << i;
    }
  }
}

}  // namespace
}  // namespace cpsf
