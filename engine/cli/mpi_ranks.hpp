// `mpirun -np K cpsf run|compare|optimise …` (docs/cluster.md): the K processes share the
// trial rounds (RunOptions::ranks, trial_loop.cpp) and rank 0 alone writes. MPI starts
// only when a launcher (mpirun, mpiexec, srun) started this process, so a plain `cpsf …`
// never touches it. The other ranks, the helpers, write nothing: their standard output is
// discarded, their standard error kept aside and shown, marked with the rank, only when
// the helper fails.
#pragma once

#include "cpsf/sim/ranks.hpp"

namespace cpsf::cli {

// Starts MPI when this process is one of several a launcher started; an exit code (not 0:
// MPI could not start, or this cpsf was built without it and would run the job K times).
int start_ranks();
// The processes of this job, or null when it is one.
const RankGroup* rank_group();
// Whether this process writes the outputs: rank 0, or the only process.
bool leads();
// Ends MPI and returns the process's exit code. `code` 0 on every rank: MPI_Finalize. Not 0
// on some rank: that rank shows what it kept of its standard error and ends the whole job
// (MPI_Abort) with `code`, so that no rank waits for one that has gone.
int finish_ranks(int code);

}  // namespace cpsf::cli
