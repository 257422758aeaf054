// Loading a scenario: its top-level file with its includes merged in, and where each
// entity came from (so that diagnostics name the file it is written in).
//
// Includes resolve only inside the top-level scenario's directory tree; cycles are
// refused; each file is read as read.hpp says.
#pragma once

#include <google/protobuf/arena.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/read.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// Where an entity of the merged scenario came from.
struct EntityOrigin {
  std::uint32_t file = 0;   // index into LoadedScenario::files
  std::uint32_t index = 0;  // index in that file's list
};

// A scenario as loaded. The message lives on a protobuf Arena that this object owns:
// parsing 10^7 small messages onto an arena is several times faster than onto the heap,
// and freeing them is releasing the arena's blocks. References to scenario() are valid
// while this object lives (moves keep them: the arena moves as a whole). A message that
// must outlive it is a copy (v1::Scenario copy = loaded.scenario()); std::move of an
// arena message into a heap message copies too.
class LoadedScenario {
 public:
  LoadedScenario();  // an empty scenario on a fresh arena
  LoadedScenario(LoadedScenario&& other) noexcept;
  LoadedScenario& operator=(LoadedScenario&& other) noexcept;
  LoadedScenario(const LoadedScenario&) = delete;
  LoadedScenario& operator=(const LoadedScenario&) = delete;
  ~LoadedScenario();

  // The top-level file with its includes merged in.
  [[nodiscard]] const v1::Scenario& scenario() const { return *scenario_; }
  [[nodiscard]] v1::Scenario* mutable_scenario() { return scenario_; }
  // Messages created here can be moved into scenario() without copying.
  [[nodiscard]] google::protobuf::Arena* arena() const { return arena_.get(); }

  std::vector<SourceFile> files;  // files[0] is the top-level file
  // Origin of every element of each repeated entity list, keyed by field name
  // ("assets", "relations", ...; "library.steps", "library.sources" and
  // "library.requirement_defaults" once a --library file is applied). Lists absent here
  // come wholly from files[0].
  std::map<std::string, std::vector<EntityOrigin>, std::less<>> origins;

  // File and field path of element `index` of list `list` in the merged scenario.
  [[nodiscard]] std::pair<const std::string*, std::string> where(std::string_view list, int index) const;

 private:
  // scenario_ is allocated on arena_ and freed with it, never deleted on its own; a
  // moved-from object holds neither.
  std::unique_ptr<google::protobuf::Arena> arena_;
  v1::Scenario* scenario_ = nullptr;
};

// Loads a scenario and its includes. Returns nothing when the scenario cannot be
// assembled; `status` says why. Semantic validation is validate().
std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& out, LoadStatus& status,
                                            const ReadLimits& limits = {});

// Wraps a scenario built in memory (e.g. from Python) for validation. The scenario is
// copied onto the result's arena; to avoid the copy, build or parse it in place in
// in_memory_scenario(name).mutable_scenario().
LoadedScenario in_memory_scenario(const v1::Scenario& scenario, std::string name = "<memory>");
LoadedScenario in_memory_scenario(std::string name = "<memory>");

// Reads a StepLibrary file (cpsf run --library FILE) in the format its extension names,
// as a scenario file is read; `source` is set for placing its diagnostics (its `type` is
// StepLibrary's). apply_library_file() (model/library_file.hpp) adds it to a scenario.
std::optional<v1::StepLibrary> read_library_file(const std::string& path, SourceFile& source, Diagnostics& out,
                                                 LoadStatus& status, const ReadLimits& limits = {});

}  // namespace cpsf
