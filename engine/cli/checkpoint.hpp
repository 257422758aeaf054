// Checkpoints of `cpsf run` (--checkpoint FILE, --resume FILE; docs/cli.md): the run's state
// after a whole number of rounds (RunOptions::checkpoint) in a file that also says what it
// belongs to — the engine build, the scenario, the seed and the options that change numbers —
// so that a checkpoint of another run is refused with a message that says which differs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cpsf/sim/simulation.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf::cli {

// What a checkpoint belongs to.
struct CheckpointIdentity {
  std::string engine;    // "cpsf 0.1.0, git abc1234"
  std::string scenario;  // digest of the scenario as loaded (includes and library applied)
  std::uint64_t seed = 0;
  std::string options;  // the options that change numbers, as text ("horizon=90;inherent=1;...")
};

CheckpointIdentity checkpoint_identity(const v1::Scenario& scenario, const RunOptions& options);

// The run state in `file`, written for `identity`; nothing after printing why not
// ("cpsf VERB: error: ...", with how to fix it).
std::optional<std::vector<std::uint8_t>> read_checkpoint(const char* verb, const std::string& file,
                                                         const CheckpointIdentity& identity);

// RunOptions::checkpoint for `file`: each state written atomically (a temporary file, then a
// rename), so that a SIGKILL leaves the previous checkpoint or the new one. A write that
// fails is said once on stderr; the run goes on.
std::function<void(const std::vector<std::uint8_t>&, std::uint64_t)> checkpoint_writer(
    const char* verb, const std::string& file, const CheckpointIdentity& identity);

}  // namespace cpsf::cli
