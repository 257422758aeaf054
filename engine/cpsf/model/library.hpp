// The attack-step library (docs/library.md): what a relation of a kind, on a layer, into a
// target element implies: the step's success probability and time to compromise per threat
// capability, and the CPSF requirements that mitigate it, with efficacy per measure level.
//
// The bundled library is model/library/cpsf-steps.textproto, embedded at build time; a
// scenario's `library` and a --library file extend or override it. Like
// the catalogue, it is data a user can correct, never hard-wired logic.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// The bundled library, parsed once. Aborts with a message if the embedded text does not
// parse (a build defect, caught by the tests).
const v1::StepLibrary& bundled_library();
// Its file in the repository, "model/library/cpsf-steps.textproto": where its diagnostics point.
std::string_view bundled_library_file();

// Where a library was read, for its diagnostics: the file, and the field path of the
// library inside the file's message ("" for a library file, "library" for a scenario's).
struct LibraryOrigin {
  std::string file;
  std::string path;
};

// Reports every problem of `library` to `out`, as errors, in the diagnostics style of
// validate() (entity "library step 'network-l3'", the field path, what is wrong, how to
// fix it): step ids given and unique; kind set; at least one layer, none unspecified;
// exactly one by_capability per capability; p in [0, 1]; ttc a valid Distribution;
// efficacies in [0, 1], non-decreasing from basic to high_advanced; requirement ids of the
// form CPS.<XX>-<n>, each once per step; every number's provenance with a note and a
// source the library lists; source ids given and unique, with a citation; requirement
// defaults once per requirement; and no two steps that match one kind, layer and element
// equally (docs/library.md). Whether a requirement is in the catalogue is the validator's
// question, as for a hand-entered mitigated_by. Check a merged library to catch
// ambiguities across libraries.
void check_library(const v1::StepLibrary& library, const LibraryOrigin& origin, Diagnostics& out);

// The step's numbers against a capability (CAPABILITY_UNSPECIFIED counts as
// COMMON_ATTACKS, as it is reported); nullptr when the step has none for it.
const v1::LibraryStep::ByCapability* for_capability(const v1::LibraryStep& step,
                                                    v1::Threat::Capability capability) noexcept;

// The mitigation for `requirement` in a step's mitigated_by or a library's
// requirement_defaults; nullptr when none.
const v1::LibraryStep::Mitigation* find_mitigation(
    const google::protobuf::RepeatedPtrField<v1::LibraryStep::Mitigation>& mitigations,
    std::string_view requirement) noexcept;

// A mitigation's efficacy at a measure level; none for LEVEL_UNSPECIFIED or a value that
// is not a Level.
std::optional<double> efficacy_at(const v1::LibraryStep::Mitigation& mitigation, v1::Level level) noexcept;

}  // namespace cpsf
