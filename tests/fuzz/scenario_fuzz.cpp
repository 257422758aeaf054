// libFuzzer target: any bytes, as a scenario file in any of the three formats, must load
// and validate without a crash, a hang or a sanitizer report (docs/design.md §8.4); and a scenario
// the validator accepts must run: compile, a few trials, the report and every writer
// (results.json, assets.csv, losses.csv, the text summary), as `cpsf run` does.
//
//   bash tests/fuzz/run.sh [SECONDS]     (clang's libFuzzer with ASan + UBSan)
//
// The first byte picks the format; the rest is the file. Files go to a private
// directory under /dev/shm so includes (relative, inside it) are exercised too.
// An exception out of the run stage is a finding: validation passed what the engine
// cannot run.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/base/utf8.hpp"
#include "cpsf/io/scenario_io.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/output/run_summary.hpp"
#include "cpsf/sim/simulation.hpp"
#include "cpsf/validate/validate.hpp"

namespace {

// Compiles and runs a valid scenario briefly, then makes every output.
void run_stage(const cpsf::LoadedScenario& loaded) {
  cpsf::Model model = cpsf::compile(loaded.scenario());
  // A short run: the harness is about reaching every stage, not about precision.
  // Annualised threats run up to 10^5 attacks a trial; a few are as good here.
  for (auto& threat : model.threats) {
    if (threat.annual_frequency) threat.annual_frequency = std::min(*threat.annual_frequency, 3.0);
  }
  cpsf::RunOptions options;
  options.trials = 16;
  options.threads = 1;
  options.seed = 1;
  const cpsf::SimulationResult result = cpsf::simulate(model, options);
  cpsf::EstimateOptions estimate_options;
  estimate_options.threads = 1;
  const cpsf::Estimates estimates = cpsf::estimate(model, result, estimate_options);
  const cpsf::OutputContext context = cpsf::output_context(loaded.files.front().path, loaded.scenario());
  const std::string outputs[] = {cpsf::results_json(model, result, estimates, context),
                                 cpsf::assets_csv(model, estimates, context.labels),
                                 cpsf::losses_csv(result),
                                 cpsf::enterprises_csv(model, result, estimates, context.labels),
                                 cpsf::paths_csv(model, estimates),
                                 cpsf::chokepoints_csv(model, estimates),
                                 cpsf::text_summary(model, result, estimates, context)};
  for (const std::string& out : outputs) {
    if (out.empty()) __builtin_trap();
  }
  if (!cpsf::is_utf8(outputs[0])) __builtin_trap();  // results.json is JSON: UTF-8 text
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::path("/dev/shm") / ("cpsf-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  static const char* const names[] = {"s.textproto", "s.json", "s.pb"};
  const auto path = dir / names[data[0] % 3];
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  cpsf::Diagnostics diagnostics;
  cpsf::LoadStatus status{};
  cpsf::ReadLimits limits;
  limits.max_file_bytes = 1 << 20;
  auto loaded = cpsf::load_scenario(path.string(), diagnostics, status, limits);
  if (loaded) cpsf::validate(*loaded, diagnostics);
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();           // every problem must say what is wrong
    if (!cpsf::is_utf8(d.format())) __builtin_trap();  // and be text (a terminal, Python's str)
  }
  if (loaded && !diagnostics.has_errors()) run_stage(*loaded);
  return 0;
}
