// Parallel loops over trials: oneTBB, or plain threads in the ThreadSanitizer build.
//
// Debian's libtbb is not instrumented, so ThreadSanitizer cannot see the
// synchronisation inside it and reports TBB's own bookkeeping — and every result read
// after a parallel_for — as races. Built with CPSF_WITH_TSAN, the same loop runs on
// std::thread workers whose synchronisation TSan sees, so the test run checks our code
// (per-thread state, per-trial slots, the merges) for races. Results do not depend on
// which executor ran: that is the determinism contract (docs/methods.md §6).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#ifndef CPSF_TSAN
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#endif

namespace cpsf {

// Runs body(worker, begin, end) over [begin, end) in chunks of `grain`, on `threads`
// workers; `worker` lies in [0, threads) and no two calls with the same worker overlap.
class TrialExecutor {
 public:
  explicit TrialExecutor(unsigned threads) : threads_(threads == 0 ? default_threads() : threads) {
#ifndef CPSF_TSAN
    // More threads than cores is what the caller asked for: lift TBB's default cap
    // (one worker per core) for the run, instead of TBB warning and ignoring it.
    if (threads_ > default_threads()) {
      allow_.emplace(tbb::global_control::max_allowed_parallelism, threads_);
    }
    arena_.emplace(static_cast<int>(threads_));
#endif
  }

  static unsigned default_threads() {
#ifndef CPSF_TSAN
    return static_cast<unsigned>(tbb::info::default_concurrency());
#else
    return std::max(1u, std::thread::hardware_concurrency());
#endif
  }
  [[nodiscard]] unsigned threads() const { return threads_; }

  template <class Body>
  void run(std::uint64_t begin, std::uint64_t end, std::uint64_t grain, Body&& body) {
#ifndef CPSF_TSAN
    arena_->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::uint64_t>(begin, end, grain),
                        [&](const tbb::blocked_range<std::uint64_t>& r) {
                          body(static_cast<unsigned>(tbb::this_task_arena::current_thread_index()), r.begin(), r.end());
                        });
    });
#else
    std::atomic<std::uint64_t> next{begin};
    const auto work = [&](unsigned worker) {
      for (;;) {
        const std::uint64_t b = next.fetch_add(grain);
        if (b >= end) return;
        body(worker, b, std::min(end, b + grain));
      }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < threads_; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& t : pool) t.join();
#endif
  }

 private:
  unsigned threads_;
#ifndef CPSF_TSAN
  std::optional<tbb::global_control> allow_;  // declared first: outlives the arena
  std::optional<tbb::task_arena> arena_;
#endif
};

}  // namespace cpsf
