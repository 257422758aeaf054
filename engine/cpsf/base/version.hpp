// Versions recorded in every output (docs/style.md 10): engine, schema, git revision.
#pragma once

namespace cpsf {

extern const char* const kEngineVersion;  // project version, e.g. "0.1.0"
extern const char* const kSchemaVersion;  // scenario schema package, "cpsf.v1"
extern const char* const kGitRevision;    // short hash at build time, "-dirty" if modified

}  // namespace cpsf
