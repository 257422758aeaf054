// The attack-step library (docs/library.md): what a relation of a kind, on a layer, into a
// target element implies: the step's success probability and time to compromise per threat
// capability, and the CPSF requirements that mitigate it, with efficacy per measure level.
//
// The bundled library is model/library/cpsf-steps.textproto, embedded at build time; a
// scenario's `library` and a --library file extend or override it (merge_libraries). Like
// the catalogue, it is data a user can correct, never hard-wired logic.
#pragma once

#include <array>
#include <cstdint>
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

// `overlay` over `base` (docs/library.md, "Extending and overriding it"): a step with the
// id of one in `base` replaces it where it stands, a new id is appended; sources merge by
// id and requirement_defaults by requirement the same way; notes accumulate; the overlay's
// version, when it gives one, replaces the base's. With overlay.replace_bundled the result
// is the overlay alone. The result's replace_bundled is false: it has been applied.
v1::StepLibrary merge_libraries(const v1::StepLibrary& base, const v1::StepLibrary& overlay);

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

// Finds the library step for a relation: the step whose kind is the relation's, whose
// layers hold the relation's layer, and whose target_elements hold the element of the
// relation's `to` asset; failing one, a step with the kind and layer and no
// target_elements (any element). No nearest-element fallback. Built once from a library
// that check_library() accepts (of two equal matches it keeps the first); a lookup reads
// two small tables and allocates nothing.
class StepMatcher {
 public:
  // `library` must outlive the matcher and stay unchanged.
  explicit StepMatcher(const v1::StepLibrary& library);

  // The matching step, or nullptr; nullptr too for a value outside its enum.
  [[nodiscard]] const v1::LibraryStep* match(v1::RelationKind kind, v1::Layer layer,
                                             v1::Element element) const noexcept;

 private:
  static constexpr int kKinds = v1::RelationKind_ARRAYSIZE;
  static constexpr int kLayers = v1::Layer_ARRAYSIZE;
  static constexpr int kElements = v1::Element_ARRAYSIZE;

  const v1::StepLibrary* library_;
  // Step index + 1 (0: none) by (kind, layer, element) for steps that name the element,
  // and by (kind, layer) for steps that match any element.
  std::array<std::uint32_t, static_cast<std::size_t>(kKinds) * kLayers * kElements> named_{};
  std::array<std::uint32_t, static_cast<std::size_t>(kKinds) * kLayers> any_{};
};

}  // namespace cpsf
