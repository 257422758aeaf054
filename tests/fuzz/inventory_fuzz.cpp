// libFuzzer target: any bytes, as the CSV files of an inventory, must import and validate
// without a crash, a hang or a sanitizer report, every problem saying what is wrong; and an
// inventory that imports without errors must export and import back to the same scenario
// (docs/import.md).
//
//   bash tests/fuzz/run.sh [SECONDS]     (runs scenario_fuzz, then this target)
//
// The bytes are split at each 0x1E (the ASCII record separator): part i is the i-th file
// of kInventoryFiles (scenario.csv, enterprises.csv, assets.csv, ...); parts past the
// eighth are ignored, files without a part are absent.
#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/base/utf8.hpp"
#include "cpsf/io/inventory.hpp"
#include "cpsf/output/inventory_csv.hpp"
#include "cpsf/validate/validate.hpp"

namespace {

std::vector<cpsf::InventorySource> split(std::string_view bytes) {
  std::vector<cpsf::InventorySource> sources;
  for (const auto& file : cpsf::kInventoryFiles) {
    const auto end = bytes.find('\x1e');
    sources.push_back({std::string(file.file), std::string(file.file), std::string(bytes.substr(0, end))});
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  return sources;
}

// What an import gives: the scenario and the diagnostics, placed on their rows.
cpsf::LoadStatus import(const std::vector<cpsf::InventorySource>& sources, cpsf::LoadedScenario& loaded,
                        cpsf::Diagnostics& diagnostics) {
  cpsf::InventoryPlaces places;
  const cpsf::LoadStatus status = cpsf::import_inventory(sources, loaded, places, diagnostics);
  if (status == cpsf::LoadStatus::Ok) cpsf::validate(loaded, diagnostics);
  places.place(diagnostics);
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto sources = split(std::string_view(reinterpret_cast<const char*>(data), size));
  cpsf::LoadedScenario loaded;
  cpsf::Diagnostics diagnostics;
  const cpsf::LoadStatus status = import(sources, loaded, diagnostics);
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();           // every problem must say what is wrong
    if (!cpsf::is_utf8(d.format())) __builtin_trap();  // and be text
  }
  if (status != cpsf::LoadStatus::Ok) return 0;
  // Whatever imported (valid or not) must come back from its export, unless the export
  // names what it cannot carry.
  const cpsf::InventoryCsv csv = cpsf::inventory_csv(loaded.scenario());
  if (!csv.problems.empty()) return 0;
  std::vector<cpsf::InventorySource> again;
  for (const auto& [name, text] : csv.files) again.push_back({name, name, text});
  cpsf::LoadedScenario back;
  cpsf::Diagnostics ignored;
  if (import(again, back, ignored) != cpsf::LoadStatus::Ok) __builtin_trap();
  // Compared as bytes: NaN cells make field-by-field equality false on equal scenarios.
  std::string a, b;
  loaded.scenario().SerializeToString(&a);
  back.scenario().SerializeToString(&b);
  if (a != b) __builtin_trap();
  return 0;
}
