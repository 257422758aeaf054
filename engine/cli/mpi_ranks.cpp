#include "cli/mpi_ranks.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#ifdef CPSF_WITH_MPI
#include <mpi.h>
#endif

#include "cli/common.hpp"

namespace cpsf::cli {

namespace {

// Whether a launcher started this process as one of a job: Open MPI's mpirun/mpiexec,
// a PMIx launcher (srun --mpi=pmix, prterun), or a PMI one (srun --mpi=pmi2).
bool launched_as_rank() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_RANK") != nullptr;
}

#ifdef CPSF_WITH_MPI

// MPI counts are ints: bytes go in pieces of at most 1 GiB.
constexpr std::uint64_t kPiece = std::uint64_t{1} << 30;

class MpiRanks final : public RankGroup {
 public:
  MpiRanks() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }

  [[nodiscard]] std::vector<std::vector<std::uint8_t>> gather(const std::vector<std::uint8_t>& mine) const override {
    std::uint64_t length = mine.size();
    std::vector<std::uint64_t> lengths(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&length, 1, MPI_UINT64_T, lengths.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::vector<std::vector<std::uint8_t>> all;
    if (rank_ != 0) {
      for (std::uint64_t at = 0; at < length; at += kPiece) {
        MPI_Send(mine.data() + at, static_cast<int>(std::min(kPiece, length - at)), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
      }
      return all;
    }
    all.resize(static_cast<std::size_t>(size_));
    all[0] = mine;
    for (int q = 1; q < size_; ++q) {
      auto& bytes = all[static_cast<std::size_t>(q)];
      bytes.resize(lengths[static_cast<std::size_t>(q)]);
      for (std::uint64_t at = 0; at < bytes.size(); at += kPiece) {
        MPI_Recv(bytes.data() + at, static_cast<int>(std::min<std::uint64_t>(kPiece, bytes.size() - at)), MPI_BYTE, q,
                 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
    }
    return all;
  }

  void broadcast(std::vector<std::uint8_t>& bytes) const override {
    std::uint64_t length = bytes.size();
    MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    bytes.resize(length);
    for (std::uint64_t at = 0; at < length; at += kPiece) {
      MPI_Bcast(bytes.data() + at, static_cast<int>(std::min(kPiece, length - at)), MPI_BYTE, 0, MPI_COMM_WORLD);
    }
  }

 private:
  int rank_ = 0, size_ = 1;
};

std::unique_ptr<MpiRanks> g_group;  // set while a job of several runs
bool g_mpi_started = false;
int g_kept_stderr = -1;  // a helper's standard error, kept aside (a memfd)
int g_real_stderr = -1;  // where it goes if the helper fails

// A helper writes nothing: standard output to /dev/null, standard error kept aside.
void quiet_helper() {
  std::fflush(stdout);
  std::fflush(stderr);
  if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::close(null);
  }
  g_kept_stderr = ::memfd_create("cpsf-rank-stderr", MFD_CLOEXEC);
  if (g_kept_stderr < 0) return;  // then it speaks directly
  g_real_stderr = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  ::dup2(g_kept_stderr, STDERR_FILENO);
}

// What a failed helper had written to standard error, each line marked with its rank.
void show_kept_stderr(int rank) {
  if (g_kept_stderr < 0 || g_real_stderr < 0) return;
  std::fflush(stderr);
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  const std::string mark = "[rank " + std::to_string(rank) + " on " + host + "] ";
  std::string text;
  char buffer[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(g_kept_stderr, buffer, sizeof buffer, at);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
  std::string out;
  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    out += mark + text.substr(begin, end - begin) + "\n";
    begin = end + 1;
  }
  (void)!::write(g_real_stderr, out.data(), out.size());
}

#endif

}  // namespace

int start_ranks() {
  if (!launched_as_rank()) return kExitOk;
#ifdef CPSF_WITH_MPI
  int provided = 0;
  // Only the thread that calls simulate() talks to the other ranks.
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "cpsf: error: MPI could not start (fix: run cpsf under mpirun, or without a launcher)\n");
    return kExitUsage;
  }
  g_mpi_started = true;
  auto group = std::make_unique<MpiRanks>();
  if (group->size() > 1) {
    if (group->rank() != 0) quiet_helper();
    g_group = std::move(group);
  }
  // Test hook (tests/python/test_mpi.py): this rank alone fails, as one whose machine lacks
  // the scenario file would.
  if (const char* rank = std::getenv("CPSF_TEST_FAIL_ON_RANK");
      rank != nullptr && g_group && std::to_string(g_group->rank()) == rank) {
    std::fprintf(stderr, "cpsf: error: this rank fails (CPSF_TEST_FAIL_ON_RANK)\n");
    return kExitUsage;
  }
  return kExitOk;
#else
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (size != nullptr && std::string(size) == "1") return kExitOk;
  std::fprintf(stderr,
               "cpsf: error: started by an MPI launcher, but this cpsf was built without MPI: every process would "
               "run the whole job (fix: build with -DCPSF_WITH_MPI=ON, or run cpsf without mpirun)\n");
  return kExitUsage;
#endif
}

const RankGroup* rank_group() {
#ifdef CPSF_WITH_MPI
  return g_group.get();
#else
  return nullptr;
#endif
}

bool leads() {
  const RankGroup* group = rank_group();
  return group == nullptr || group->rank() == 0;
}

int finish_ranks(int code) {
#ifdef CPSF_WITH_MPI
  if (!g_mpi_started) return code;
  if (g_group && code != kExitOk) {
    if (g_group->rank() != 0) {
      // Most failures are every rank's (a usage error, a bad file): rank 0 says it, and its
      // abort ends this rank within the pause. A failure of this rank alone is shown after it.
      std::this_thread::sleep_for(std::chrono::seconds(2));
      show_kept_stderr(g_group->rank());
    }
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);  // the others may wait for this rank: end them all
  }
  MPI_Finalize();
#endif
  return code;
}

}  // namespace cpsf::cli
