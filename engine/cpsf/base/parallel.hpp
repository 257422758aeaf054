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
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <system_error>
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

// How many threads (the caller included) the process can run at once, up to `wanted`:
// under a thread limit (ulimit -u, a cgroup's pids.max, a small address space) fewer
// than asked may start, and TBB aborts the process when it cannot start a worker. So
// before a run asks for more threads than were ever seen to start, this starts them
// (each waits), then lets them go: the answer is what did start. Both what started and
// any shortfall are remembered for the process, so the probe runs at most a few times.
inline unsigned startable_threads(unsigned wanted) {
  static std::mutex mutex;
  static unsigned proven = 1;          // this many have run at once
  static unsigned ceiling = UINT_MAX;  // a probe for more started only this many
  const std::lock_guard lock(mutex);
  wanted = std::max(1u, std::min(wanted, ceiling));
  if (wanted <= proven) return wanted;
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::vector<std::thread> probes;
  try {
    probes.reserve(wanted - 1);
    while (probes.size() + 1 < wanted) {
      probes.emplace_back([&] {
        // Allocate as a worker would: its malloc arena counts against a memory limit too.
        static std::atomic<void*> sink;
        sink.store(std::malloc(64), std::memory_order_relaxed);
        std::free(sink.load(std::memory_order_relaxed));
        std::unique_lock l(m);
        cv.wait(l, [&] { return release; });
      });
    }
  } catch (const std::system_error&) {  // no more threads: what started is the answer
  } catch (const std::bad_alloc&) {
  }
  {
    const std::lock_guard l(m);
    release = true;
  }
  cv.notify_all();
  for (auto& t : probes) t.join();
  auto started = static_cast<unsigned>(probes.size() + 1);
  if (started < wanted) {
    // Short of threads or of memory for their stacks: the run needs room of its own
    // (memory, TBB's workers) beyond the probe's, so take half of what started.
    started = std::max(1u, started / 2);
    ceiling = started;
  }
  proven = std::max(proven, started);
  return started;
}

// Runs body(worker, begin, end) over [begin, end) in chunks of `grain`, on `threads`
// workers; `worker` lies in [0, threads) and no two calls with the same worker overlap.
// When the process cannot start that many threads, it runs on as many as it can
// (startable_threads; threads() says how many): results never depend on it.
class TrialExecutor {
 public:
  explicit TrialExecutor(unsigned threads) : threads_(startable_threads(threads == 0 ? default_threads() : threads)) {
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
    try {
      for (unsigned w = 1; w < threads_; ++w) pool.emplace_back(work, w);
    } catch (const std::system_error&) {  // fewer workers: the work is shared all the same
    }
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
