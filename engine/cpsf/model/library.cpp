#include "cpsf/model/library.hpp"

#include <google/protobuf/text_format.h>

#include <cstdio>
#include <cstdlib>

namespace cpsf {

namespace detail {
extern const char* const kLibraryText;
extern const char* const kLibraryFile;
}  // namespace detail

const v1::StepLibrary& bundled_library() {
  static const v1::StepLibrary library = [] {
    v1::StepLibrary l;
    if (!google::protobuf::TextFormat::ParseFromString(detail::kLibraryText, &l)) {
      std::fprintf(stderr, "cpsf: the bundled attack-step library (%s) does not parse; this build is broken\n",
                   detail::kLibraryFile);
      std::abort();
    }
    return l;
  }();
  return library;
}

std::string_view bundled_library_file() { return detail::kLibraryFile; }

const v1::LibraryStep::ByCapability* for_capability(const v1::LibraryStep& step,
                                                    v1::Threat::Capability capability) noexcept {
  if (capability == v1::Threat::CAPABILITY_UNSPECIFIED) capability = v1::Threat::COMMON_ATTACKS;
  for (const auto& c : step.by_capability()) {
    if (c.capability() == capability) return &c;
  }
  return nullptr;
}

const v1::LibraryStep::Mitigation* find_mitigation(
    const google::protobuf::RepeatedPtrField<v1::LibraryStep::Mitigation>& mitigations,
    std::string_view requirement) noexcept {
  for (const auto& m : mitigations) {
    if (m.requirement() == requirement) return &m;
  }
  return nullptr;
}

std::optional<double> efficacy_at(const v1::LibraryStep::Mitigation& mitigation, v1::Level level) noexcept {
  switch (level) {
    case v1::BASIC: return mitigation.basic();
    case v1::ADVANCED: return mitigation.advanced();
    case v1::HIGH_ADVANCED: return mitigation.high_advanced();
    default: return std::nullopt;
  }
}

}  // namespace cpsf
