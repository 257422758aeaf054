// libFuzzer target: any bytes, as a GraphML file and a mapping file, must import and validate
// without a crash, a hang or a sanitizer report, every problem saying what is wrong; an import
// that succeeds must give an asset per node and a relation per edge, and what it gives must
// export (scenario_graphml) and import back to the same assets and relations
// (docs/import.md, "GraphML").
//
//   bash tests/fuzz/run.sh [SECONDS]     (runs the other targets, then this one)
//
// The bytes are split at the first 0x1E (the ASCII record separator): the graph before it,
// the mapping after it (no mapping when there is no 0x1E).
#include <google/protobuf/util/message_differencer.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "cpsf/base/utf8.hpp"
#include "cpsf/io/graphml.hpp"
#include "cpsf/output/attack_graph.hpp"
#include "cpsf/validate/validate.hpp"

namespace {

// The same assets and relations; the difference printed (to run a crash input and see it).
bool same_graph(const cpsf::v1::Scenario& a, const cpsf::v1::Scenario& b) {
  if (a.assets_size() != b.assets_size() || a.relations_size() != b.relations_size()) return false;
  google::protobuf::util::MessageDifferencer differ;
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  struct Print {
    const std::string& diff;
    ~Print() {
      if (!diff.empty()) std::fprintf(stderr, "graphml_fuzz: not the same after a round trip:\n%s", diff.c_str());
    }
  } print{diff};
  for (int i = 0; i < a.assets_size(); ++i) {
    if (!differ.Compare(a.assets(i), b.assets(i))) return false;
  }
  for (int i = 0; i < a.relations_size(); ++i) {
    if (!differ.Compare(a.relations(i), b.relations(i))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto split = bytes.find('\x1e');
  const cpsf::CsvSource graph{"g.graphml", std::string(bytes.substr(0, split))};
  std::optional<cpsf::CsvSource> mapping;
  if (split != std::string_view::npos) mapping = cpsf::CsvSource{"map.csv", std::string(bytes.substr(split + 1))};
  cpsf::LoadedScenario loaded;
  cpsf::InventoryPlaces places;
  cpsf::GraphmlReport report;
  cpsf::Diagnostics diagnostics;
  const auto status = cpsf::import_graphml(graph, mapping, loaded, places, report, diagnostics);
  if (status == cpsf::LoadStatus::Ok) {
    if (loaded.scenario().assets_size() != report.nodes || loaded.scenario().relations_size() != report.edges)
      __builtin_trap();
    cpsf::validate(loaded, diagnostics);
    places.place(diagnostics);
    std::vector<std::string> problems;
    const std::string again = cpsf::scenario_graphml(loaded.scenario(), problems);
    cpsf::LoadedScenario back;
    cpsf::InventoryPlaces back_places;
    cpsf::GraphmlReport back_report;
    cpsf::Diagnostics back_diagnostics;
    // What was read comes back: whitespace aside (the reader trims and collapses it; the
    // writer keeps it as references), so the comparison is of a second round trip.
    if (problems.empty() && cpsf::import_graphml({"again.graphml", again}, std::nullopt, back, back_places, back_report,
                                                 back_diagnostics) != cpsf::LoadStatus::Ok) {
      __builtin_trap();
    }
    if (problems.empty() && !same_graph(loaded.scenario(), back.scenario())) __builtin_trap();
  }
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();           // every problem must say what is wrong
    if (!cpsf::is_utf8(d.format())) __builtin_trap();  // and be text
  }
  return 0;
}
