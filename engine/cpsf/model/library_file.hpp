// A --library file over a loaded scenario (docs/library.md, "Extending and overriding it").
#pragma once

#include "cpsf/io/load.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// Applies `file` (read by read_library_file() from `source`) over the scenario's own
// `library`, so that every later stage (validation, compile, compare's variants, the
// portfolio) sees bundled ← scenario ← file as one `library` field: its steps, sources
// and requirement defaults merge by id as merge_libraries() does, and replace_bundled is
// kept (the file's drops the scenario's entries too). `source` joins loaded.files and
// loaded.origins records where each merged entry was written ("library.steps", ...), so
// that diagnostics name the file and line of an entry.
void apply_library_file(LoadedScenario& loaded, const v1::StepLibrary& file, SourceFile source);

}  // namespace cpsf
