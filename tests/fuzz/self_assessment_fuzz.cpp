// libFuzzer target: any bytes, as a self-assessment answers file and mapping, must import
// into the default scenario (and as a fragment) and validate without a crash, a hang or a
// sanitizer report, every problem saying what is wrong; a control written must be of an
// enterprise of the scenario, at a level, with no efficacy (docs/import.md, "Self-assessments").
//
//   bash tests/fuzz/run.sh [SECONDS]     (runs scenario_fuzz, inventory_fuzz, then this target)
//
// The bytes are split at the first 0x1E (the ASCII record separator): the answers before it,
// the mapping after it (no mapping when there is no 0x1E). The first byte's low bit chooses
// --into the default scenario (1) or a fragment (0).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "cpsf/base/utf8.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/model/self_assessment.hpp"
#include "cpsf/validate/validate.hpp"

#ifndef CPSF_SOURCE_DIR
#error "CPSF_SOURCE_DIR must name the source tree (for scenarios/default)"
#endif

namespace {

// The default scenario, loaded once; each input imports into a copy.
const cpsf::v1::Scenario& default_scenario() {
  static const cpsf::v1::Scenario* scenario = [] {
    cpsf::Diagnostics out;
    cpsf::LoadStatus status{};
    auto loaded = cpsf::load_scenario(CPSF_SOURCE_DIR "/scenarios/default/scenario.textproto", out, status);
    if (!loaded) {
      std::fprintf(stderr, "self_assessment_fuzz: cannot load the default scenario\n");
      std::abort();
    }
    return new cpsf::v1::Scenario(loaded->scenario());
  }();
  return *scenario;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool into = (data[0] & 1) != 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto split = bytes.find('\x1e');
  const cpsf::CsvSource answers{"answers.csv", std::string(bytes.substr(0, split))};
  std::optional<cpsf::CsvSource> mapping;
  if (split != std::string_view::npos) mapping = cpsf::CsvSource{"mapping.csv", std::string(bytes.substr(split + 1))};
  cpsf::LoadedScenario loaded =
      into ? cpsf::in_memory_scenario(default_scenario(), "default.textproto") : cpsf::LoadedScenario();
  cpsf::InventoryPlaces places;
  cpsf::SelfAssessmentReport report;
  cpsf::Diagnostics diagnostics;
  const cpsf::SelfAssessmentOptions options{into, false};
  const auto status = cpsf::import_self_assessment(answers, mapping, options, loaded, places, report, diagnostics);
  if (status == cpsf::LoadStatus::Ok) {
    cpsf::validate(loaded, diagnostics);
    places.place(diagnostics);
    (void)cpsf::self_assessment_report_text(report);
    for (const auto& c : loaded.scenario().controls()) {
      if (c.id().rfind("sa-", 0) != 0) continue;
      if (c.has_efficacy() || c.level() == cpsf::v1::LEVEL_UNSPECIFIED || c.enterprises_size() != 1) __builtin_trap();
    }
  }
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();           // every problem must say what is wrong
    if (!cpsf::is_utf8(d.format())) __builtin_trap();  // and be text
  }
  return 0;
}
