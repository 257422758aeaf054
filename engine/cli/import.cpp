// cpsf import and cpsf export: a scenario from data held elsewhere and back (docs/import.md).
// KIND inventory is a folder of CSV files (io/inventory.hpp, output/inventory_csv.hpp);
// self-assessment a CSV file of supplier answers (model/self_assessment.hpp); graphml a GraphML
// file (io/graphml.hpp; export: output/attack_graph.hpp); cyclonedx a CycloneDX SBOM in JSON
// (model/cyclonedx.hpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.hpp"
#include "cli/options.hpp"
#include "cpsf/base/terminal.hpp"
#include "cpsf/io/format.hpp"
#include "cpsf/io/graphml.hpp"
#include "cpsf/io/inventory.hpp"
#include "cpsf/io/write.hpp"
#include "cpsf/model/cyclonedx.hpp"
#include "cpsf/model/self_assessment.hpp"
#include "cpsf/output/attack_graph.hpp"
#include "cpsf/output/inventory_csv.hpp"
#include "cpsf/validate/validate.hpp"

namespace cpsf::cli {

namespace {

// The kinds each verb takes.
struct Kind {
  const char* name;
  const char* input;  // what INPUT (import) or the output (export) is
};
constexpr Kind kImports[] = {{"inventory", "a folder of CSV files"},
                             {"self-assessment", "a CSV file of answers"},
                             {"graphml", "a GraphML file"},
                             {"cyclonedx", "a CycloneDX SBOM in JSON"}};
constexpr Kind kExports[] = {{"inventory", "a folder of CSV files"},
                             {"graphml", "a GraphML file of the scenario's graph"}};

template <std::size_t N>
std::string kind_names(const Kind (&kinds)[N]) {
  std::string names;
  for (std::size_t i = 0; i < N; ++i) {
    names += i == 0 ? "" : i + 1 == N ? " or " : ", ";
    names += std::string(kinds[i].name) + " (" + kinds[i].input + ")";
  }
  return names;
}

// The kind, checked: kExitOk when the verb takes it, else the message printed and kExitUsage.
int check_kind(const char* verb, const std::string& kind) {
  const bool import = std::string_view(verb) == "import";
  const auto taken = [&](const auto& kinds) {
    return std::any_of(std::begin(kinds), std::end(kinds), [&](const Kind& k) { return kind == k.name; });
  };
  if (import ? taken(kImports) : taken(kExports)) return kExitOk;
  std::fprintf(stderr, "cpsf %s: error: unknown kind '%s' (fix: use %s%s)\n", verb, terminal_safe(kind).c_str(),
               import ? kind_names(kImports).c_str() : kind_names(kExports).c_str(),
               import ? "; see docs/import.md"
                      : "; the attack graph with a run's estimates, in GraphML or DOT: cpsf run --graph");
  return kExitUsage;
}

struct ImportOptions {
  std::string kind, input, output;
  std::optional<std::string> into, to, map, product;
  bool strict = false, quiet = false;
  std::uint64_t max_file_bytes = ReadLimits{}.max_file_bytes;
};

// The output format from --to or the output's extension; nullopt (printed) when neither says.
std::optional<Format> output_format(const ImportOptions& o) {
  if (o.to) {
    const auto format = format_from_name(*o.to);
    if (!format) {
      std::fprintf(stderr, "cpsf import: error: unknown format '%s' (fix: use text, json or binary)\n",
                   terminal_safe(*o.to).c_str());
    }
    return format;
  }
  const auto format = o.output == "-" ? std::nullopt : format_from_path(o.output);
  if (!format) {
    std::fprintf(stderr, "cpsf import: error: cannot tell the output format of '%s' (fix: name it %s, or give --to)\n",
                 terminal_safe(o.output).c_str(), kFormatExtensionsHelp);
  }
  return format;
}

// --product: cyclonedx only, and with --into; kExitUsage (printed) when not.
int check_product(const ImportOptions& o) {
  if (!o.product) return kExitOk;
  if (o.kind != "cyclonedx") {
    std::fprintf(stderr, "cpsf import: error: --product is an option of import cyclonedx (fix: leave it out)\n");
    return kExitUsage;
  }
  if (o.product->empty()) {
    std::fprintf(stderr, "cpsf import: error: --product is empty (fix: give the id of the product's asset)\n");
    return kExitUsage;
  }
  if (!o.into) {
    std::fprintf(
        stderr, "cpsf import: error: --product needs --into (fix: give the scenario that holds the product's asset)\n");
    return kExitUsage;
  }
  return kExitOk;
}

// Options that only self-assessment takes; kExitUsage (printed) when given with another kind.
int check_options(const ImportOptions& o) {
  if (const int code = check_product(o); code != kExitOk) return code;
  const char* wrong = nullptr;
  if (o.kind != "self-assessment") {
    wrong = o.map && o.kind != "graphml" ? "--map" : o.strict ? "--strict" : o.quiet ? "--quiet" : nullptr;
  } else if (o.strict && !o.into) {
    std::fprintf(stderr,
                 "cpsf import: error: --strict needs --into (fix: give the scenario the companies must match)\n");
    return kExitUsage;
  }
  if (wrong == nullptr) return kExitOk;
  std::fprintf(stderr, "cpsf import: error: %s is an option of import self-assessment%s (fix: leave it out)\n", wrong,
               std::string_view(wrong) == "--map" ? " and import graphml" : "");
  return kExitUsage;
}

// The self-assessment answers of o.input (and o.map) written into `loaded`.
LoadStatus import_answers(const ImportOptions& o, LoadedScenario& loaded, InventoryPlaces& places,
                          SelfAssessmentReport& report, Diagnostics& out, const ReadLimits& limits) {
  const SelfAssessmentOptions options{o.into.has_value(), o.strict};
  return import_self_assessment_files(o.input, o.map, options, limits, loaded, places, report, out);
}

// What the command says on stderr once it wrote the output.
void print_written(const ImportOptions& o, const v1::Scenario& scenario, const GraphmlReport& graph,
                   const CycloneDxReport& sbom) {
  if (o.output == "-") return;
  if (o.kind == "self-assessment" && !o.into) {
    std::fprintf(stderr,
                 "wrote %s: a scenario fragment (%d enterprises, %d controls) to include from a scenario that has "
                 "the assets and relations: include: \"%s\" (docs/import.md)\n",
                 terminal_safe(o.output).c_str(), scenario.enterprises_size(), scenario.controls_size(),
                 terminal_safe(std::filesystem::path(o.output).filename().string()).c_str());
    return;
  }
  std::fprintf(stderr, "wrote %s: %d enterprises, %d assets, %d relations", terminal_safe(o.output).c_str(),
               scenario.enterprises_size(), scenario.assets_size(), scenario.relations_size());
  if (o.kind == "self-assessment") std::fprintf(stderr, ", %d controls", scenario.controls_size());
  if (o.kind == "graphml") {
    std::fprintf(stderr, " (%d nodes and %d edges read; %d enterprises made from the owners that were none)",
                 graph.nodes, graph.edges, graph.enterprises_made);
  }
  if (o.kind == "cyclonedx") std::fprintf(stderr, " (%s)", cyclonedx_counts_text(sbom).c_str());
  std::fputc('\n', stderr);
}

int run_import(const ImportOptions& o) {
  if (const int code = check_kind("import", o.kind); code != kExitOk) return code;
  if (const int code = check_options(o); code != kExitOk) return code;
  const auto format = output_format(o);
  if (!format) return kExitUsage;
  ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  Diagnostics diagnostics;
  LoadStatus status = LoadStatus::Ok;
  std::optional<LoadedScenario> loaded;
  if (o.into) {  // the existing scenario, its includes merged in: the output holds them
    loaded = load_scenario(*o.into, diagnostics, status, limits);
    if (loaded) loaded->mutable_scenario()->clear_include();
  } else {
    loaded.emplace();
  }
  InventoryPlaces places;
  CycloneDxPlaces sbom_places;
  SelfAssessmentReport report;
  GraphmlReport graph;
  if (loaded && o.kind == "inventory") status = import_inventory(o.input, *loaded, places, diagnostics, limits);
  if (loaded && o.kind == "self-assessment") status = import_answers(o, *loaded, places, report, diagnostics, limits);
  if (loaded && o.kind == "graphml")
    status = import_graphml_file(o.input, o.map, limits, *loaded, places, graph, diagnostics);
  CycloneDxReport sbom;
  if (loaded && o.kind == "cyclonedx") {
    status =
        import_cyclonedx_file(o.input, CycloneDxOptions{o.product}, limits, *loaded, sbom_places, sbom, diagnostics);
  }
  const bool fragment = o.kind == "self-assessment" && !o.into;
  if (status == LoadStatus::Ok && !fragment) {  // a fragment is validated where it is included
    validate(*loaded, diagnostics);
    places.place(diagnostics);
    sbom_places.place(diagnostics);
  }
  print(diagnostics);
  if (status != LoadStatus::Ok) return exit_code_for(status);
  if (diagnostics.has_errors()) {
    std::fprintf(stderr, "cpsf import: the imported scenario is invalid (%s); nothing was written\n",
                 plural(diagnostics.error_count(), "error").c_str());
    return kExitInvalid;
  }
  const v1::Scenario& scenario = loaded->scenario();
  if (const int code = write_output("import", o.output, serialise(scenario, *format)); code != kExitOk) return code;
  if (o.kind == "self-assessment" && !o.quiet && o.output != "-")
    std::fputs(self_assessment_report_text(report).c_str(), stdout);
  print_written(o, scenario, graph, sbom);
  return kExitOk;
}

struct ExportOptions {
  std::string kind, input, output;
  std::uint64_t max_file_bytes = ReadLimits{}.max_file_bytes;
};

// The scenario's graph as GraphML (output/attack_graph.hpp), to a file or - (stdout).
int export_graphml(const ExportOptions& o, const v1::Scenario& scenario) {
  std::vector<std::string> problems;
  const std::string text = scenario_graphml(scenario, problems);
  for (const auto& problem : problems) {
    std::fprintf(stderr, "cpsf export: error: %s: %s\n", terminal_safe(o.input).c_str(),
                 terminal_safe(problem).c_str());
  }
  if (!problems.empty()) return kExitInvalid;
  if (const int code = write_output("export", o.output, text); code != kExitOk) return code;
  if (o.output != "-") {
    std::fprintf(stderr,
                 "wrote %s: %d nodes (the assets), %d edges (the relations); enterprises, controls and threats are "
                 "not in it: import it back with --into a scenario that holds them (docs/import.md)\n",
                 terminal_safe(o.output).c_str(), scenario.assets_size(), scenario.relations_size());
  }
  return kExitOk;
}

int run_export(const ExportOptions& o) {
  if (const int code = check_kind("export", o.kind); code != kExitOk) return code;
  ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  Diagnostics diagnostics;
  LoadStatus status{};
  auto loaded = load_scenario(o.input, diagnostics, status, limits);  // includes merged: the CSV form has none
  print(diagnostics);
  if (status != LoadStatus::Ok) return exit_code_for(status);
  loaded->mutable_scenario()->clear_include();
  if (o.kind == "graphml") return export_graphml(o, loaded->scenario());
  OutputLock lock;  // the folder's files are replaced as a set, under its lock
  if (const int code = lock_output("export", o.output, true, lock); code != kExitOk) return code;
  const InventoryCsv csv = inventory_csv(loaded->scenario());
  for (const auto& problem : csv.problems) {
    std::fprintf(stderr, "cpsf export: error: %s: %s\n", terminal_safe(o.input).c_str(),
                 terminal_safe(problem).c_str());
  }
  if (!csv.problems.empty()) {
    std::fprintf(stderr, "cpsf export: nothing was written: the inventory would not give the scenario back\n");
    return kExitInvalid;
  }
  if (const int code = write_output_set("export", lock, csv.files); code != kExitOk) {
    return code;
  }
  std::fprintf(stderr,
               "wrote %s/{scenario,enterprises,assets,relations,dependencies,controls,threats,requirements}.csv\n",
               terminal_safe(o.output).c_str());
  return kExitOk;
}

}  // namespace

Command add_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* sub = app.add_subcommand(
      "export", "Write a scenario as data for other tools: an inventory of CSV files, or its graph as GraphML");
  sub->add_option("kind", o->kind, "What to write: inventory or graphml")->required();
  sub->add_option("scenario", o->input, "Scenario file to read (its includes merged)")->required();
  sub->add_option("-o,--output", o->output,
                  "inventory: the folder to write the CSV files into (made when missing); graphml: the file, or -")
      ->required();
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_export(*o); }};
}

Command add_import(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* sub = app.add_subcommand("import",
                                 "Make a scenario from data held elsewhere: an inventory of CSV files, self-assessment "
                                 "answers, a GraphML graph or an SBOM");
  sub->add_option("kind", o->kind, "What INPUT is: inventory, self-assessment, graphml or cyclonedx")->required();
  sub->add_option("input", o->input,
                  "The data: for inventory, a folder of CSV files; for self-assessment, a CSV file of answers; for "
                  "graphml, a GraphML file; for cyclonedx, a CycloneDX SBOM in JSON (docs/import.md)")
      ->required();
  sub->add_option("-o,--output", o->output, "Scenario file to write (format from its extension), or - with --to")
      ->required();
  sub->add_option("--into", o->into, "Add the imported entities to this scenario (the output holds both)");
  sub->add_option("--to", o->to, "Output format: text, json or binary (default: from the output's extension)");
  sub->add_option("--map", o->map,
                  "self-assessment: CSV file mapping checklist items to requirement ids; graphml: CSV file mapping "
                  "attributes to fields");
  sub->add_flag("--strict", o->strict, "self-assessment with --into: a company matching no enterprise is an error");
  sub->add_flag("-q,--quiet", o->quiet, "self-assessment: do not print the report (counts, baseline coverage)");
  sub->add_option("--product", o->product, "cyclonedx with --into: the asset the SBOM describes (its product)");
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_import(*o); }};
}

}  // namespace cpsf::cli
