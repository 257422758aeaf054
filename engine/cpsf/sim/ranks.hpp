// The processes of one run (MPI ranks; docs/cluster.md): what the trial loop needs of
// them to share its rounds. Rank 0 merges and decides; every rank runs its share of the
// rounds (trial_loop.cpp, "many processes"). Results do not depend on the rank count.
//
// The engine does not link MPI: the command line gives an MPI implementation
// (engine/cli/mpi_ranks.cpp), the tests an in-process one. Both calls are collective:
// every rank makes the same calls in the same order.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace cpsf {

class RankGroup {
 public:
  RankGroup() = default;
  RankGroup(const RankGroup&) = delete;
  RankGroup& operator=(const RankGroup&) = delete;
  virtual ~RankGroup() = default;

  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  // Every rank's `mine`, in rank order, at rank 0; the other ranks get nothing back.
  [[nodiscard]] virtual std::vector<std::vector<std::uint8_t>> gather(const std::vector<std::uint8_t>& mine) const = 0;
  // Rank 0's `bytes` to every rank (the others' are replaced).
  virtual void broadcast(std::vector<std::uint8_t>& bytes) const = 0;
};

// Thrown on every rank when some rank does not run the same job as rank 0: another engine
// build, another model (its scenario file differs) or other options. The message names the
// rank and what differs, and how to fix it.
struct RanksDisagree : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace cpsf
