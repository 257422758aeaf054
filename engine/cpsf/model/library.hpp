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

#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// The bundled library, parsed once. Aborts with a message if the embedded text does not
// parse (a build defect, caught by the tests).
const v1::StepLibrary& bundled_library();
// Its file in the repository, "model/library/cpsf-steps.textproto": where its diagnostics point.
std::string_view bundled_library_file();

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
