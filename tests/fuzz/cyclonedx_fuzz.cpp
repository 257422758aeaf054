// libFuzzer target: any bytes, as a CycloneDX SBOM, must import (alone, or into the default
// scenario attached to oem-plc) and validate without a crash, a hang or a sanitizer report,
// every problem saying what is wrong; an asset the import makes must be an L3 COMPONENT owned
// by an enterprise of the scenario, and a p it writes must be in [0, 1] (docs/import.md,
// "CycloneDX SBOMs").
//
//   bash tests/fuzz/run.sh [SECONDS]     (runs the other targets, then this one)
//
// The first byte's low bit chooses --into the default scenario with --product oem-plc (1) or
// the SBOM alone (0); the rest is the SBOM.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>

#include "cpsf/base/utf8.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/model/cyclonedx.hpp"
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
      std::fprintf(stderr, "cyclonedx_fuzz: cannot load the default scenario\n");
      std::abort();
    }
    return new cpsf::v1::Scenario(loaded->scenario());
  }();
  return *scenario;
}

void check_made(const cpsf::v1::Scenario& s, int assets_before) {
  std::unordered_set<std::string> enterprises;
  for (const auto& e : s.enterprises()) enterprises.insert(e.id());
  for (int i = assets_before; i < s.assets_size(); ++i) {
    const auto& a = s.assets(i);
    if (a.layer() != cpsf::v1::L3 || a.element() != cpsf::v1::COMPONENT || enterprises.count(a.owner()) == 0)
      __builtin_trap();
  }
  for (const auto& r : s.relations()) {
    if (r.step().has_p() && !(r.step().p() >= 0 && r.step().p() <= 1)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool into = (data[0] & 1) != 0;
  const cpsf::CycloneDxSource sbom{"bom.json", std::string(reinterpret_cast<const char*>(data) + 1, size - 1)};
  cpsf::LoadedScenario loaded =
      into ? cpsf::in_memory_scenario(default_scenario(), "default.textproto") : cpsf::LoadedScenario();
  const int assets_before = loaded.scenario().assets_size();
  cpsf::CycloneDxOptions options;
  if (into) options.product = "oem-plc";
  cpsf::CycloneDxPlaces places;
  cpsf::CycloneDxReport report;
  cpsf::Diagnostics diagnostics;
  const auto status = cpsf::import_cyclonedx(sbom, options, loaded, places, report, diagnostics);
  if (status == cpsf::LoadStatus::Ok) {
    cpsf::validate(loaded, diagnostics);
    places.place(diagnostics);
    (void)cpsf::cyclonedx_counts_text(report);
    check_made(loaded.scenario(), assets_before);
  }
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();           // every problem must say what is wrong
    if (!cpsf::is_utf8(d.format())) __builtin_trap();  // and be text
  }
  return 0;
}
