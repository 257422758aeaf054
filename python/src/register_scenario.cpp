// cpsf._core.scenario: scenario files through the same reader as the command line (file
// checks, size limit, includes confined to the scenario's tree, diagnostics with lines),
// serialisation in the three formats, atomic saves, the summary and the generator.
// Scenarios cross the boundary as serialised cpsf.v1.Scenario bytes.
#include <pybind11/stl.h>

#include <array>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpsf/io/generate.hpp"
#include "cpsf/io/scenario_io.hpp"
#include "cpsf/model/library_file.hpp"
#include "cpsf/model/resolve_steps.hpp"
#include "cpsf/output/explain.hpp"
#include "cpsf/output/summary.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

Format format_named(const std::string& name) {
  const auto format = format_from_name(name);
  if (!format) throw py::value_error("unknown format '" + name + "' (use text, json or binary)");
  return *format;
}

// Reading scenario files and bytes.
void def_read(py::module_& m) {
  m.def(
      "load",
      [](const std::string& path, std::uint64_t max_file_bytes, bool check, const std::string& library) {
        ReadLimits limits;
        limits.max_file_bytes = max_file_bytes;
        Diagnostics diagnostics;
        LoadStatus status{};
        std::optional<LoadedScenario> loaded;
        std::string bytes;
        {
          py::gil_scoped_release release;
          loaded = load_scenario(path, diagnostics, status, limits);
          if (loaded && !library.empty()) {  // the --library file of the command line
            SourceFile source;
            if (const auto file = read_library_file(library, source, diagnostics, status, limits)) {
              apply_library_file(*loaded, *file, std::move(source));
            } else {
              loaded.reset();
            }
          }
          if (loaded) {
            if (check) validate(*loaded, diagnostics);
            loaded->mutable_scenario()->clear_include();  // merged: saving it must not include twice
            loaded->scenario().SerializeToString(&bytes);
          }
        }
        py::list files;
        if (loaded) {
          for (const auto& f : loaded->files) files.append(f.path);
        }
        return py::make_tuple(load_status_name(status), loaded ? py::object(py::bytes(bytes)) : py::object(py::none()),
                              diagnostics_to_list(diagnostics), files);
      },
      py::arg("path"), py::arg("max_file_bytes") = ReadLimits{}.max_file_bytes, py::arg("validate") = true,
      py::arg("library") = "",
      "Loads a scenario file and its includes (merged, `include` cleared), applies the attack-step library "
      "file `library` (if given) over the scenario's `library`, and validates it. Returns "
      "(status, data, diagnostics, files): status 'ok', 'invalid' or 'io_error'; data the serialised "
      "scenario or None when it could not be assembled.");

  m.def(
      "parse_binary",
      [](const py::bytes& data) {
        const std::string bytes(data);
        v1::Scenario scenario;
        Diagnostics diagnostics;
        std::string plain;
        bool ok = false;
        {
          py::gil_scoped_release release;
          ok = parse_binary_scenario(bytes, scenario, "<bytes>", diagnostics);
          if (ok) scenario.SerializeToString(&plain);
        }
        return py::make_tuple(ok ? py::object(py::bytes(plain)) : py::object(py::none()),
                              diagnostics_to_list(diagnostics));
      },
      py::arg("data"),
      "Reads binary scenario bytes as a .pb file is read: an integrity record at the start is checked and "
      "dropped. Returns (data without the record, or None when cut, altered or not a scenario; diagnostics).");

  m.def(
      "format_from_path",
      [](const std::string& path) -> std::optional<std::string> {
        const auto format = format_from_path(path);
        if (!format) return std::nullopt;
        return std::string(format_name(*format));
      },
      py::arg("path"), "The format a file name's extension names ('text', 'json', 'binary'), or None.");
}

// Serialising and saving.
void def_write(py::module_& m) {
  m.def(
      "serialise",
      [](const py::bytes& data, const std::string& format) {
        const v1::Scenario scenario = parse_scenario(data);
        return py::bytes(serialise(scenario, format_named(format)));
      },
      py::arg("data"), py::arg("format"),
      "The scenario in format 'text', 'json' or 'binary', exactly as `cpsf convert` writes it.");

  m.def(
      "save",
      [](const std::string& path, const py::bytes& data, const std::string& format) {
        const v1::Scenario scenario = parse_scenario(data);
        const std::string bytes = serialise(scenario, format_named(format));
        std::string error;
        {
          py::gil_scoped_release release;
          error = write_file_atomically(path, bytes);
        }
        if (!error.empty()) throw py::value_error(error);  // cpsf.scenario turns it into OSError
      },
      py::arg("path"), py::arg("data"), py::arg("format"),
      "Writes the scenario atomically (a temporary file beside path, then a rename).");
}

// One relation's step as resolved (the attack-step library): --explain, and every step at once.
void def_resolved_steps(py::module_& m) {
  m.def(
      "explain",
      [](const py::bytes& data, const std::string& relation) {
        LoadedScenario loaded = in_memory_scenario("<memory>");
        *loaded.mutable_scenario() = parse_scenario(data);
        const auto index = find_relation(loaded.scenario(), relation);
        if (!index)
          throw py::key_error("the scenario has no relation '" + relation + "' (give an id, or an index from 0)");
        return explanation_json(explain_relation(loaded, *index));
      },
      py::arg("data"), py::arg("relation"),
      "What `cpsf validate --explain RELATION --json` writes for a valid scenario (the caller validates).");

  m.def(
      "resolved_steps",
      [](const py::bytes& data) {
        // Per relation, in scenario order: p by capability index (NaN where none resolves),
        // whether p came from the library, and the requirement ids that mitigate the step.
        const v1::Scenario scenario = parse_scenario(data);
        std::unordered_map<std::string, v1::Element> element;
        for (const auto& a : scenario.assets()) element.emplace(a.id(), a.element());
        const EffectiveLibrary library(scenario);
        const StepResolver steps(library.get());
        std::vector<std::array<double, kCapabilities>> p;
        std::vector<bool> p_from_library;
        std::vector<std::vector<std::string>> mitigated_by;
        std::vector<py::bytes> ttc;  // COMMON_ATTACKS's time law, a serialised Distribution (empty: 0 days)
        for (const auto& r : scenario.relations()) {
          const auto it = element.find(r.to());
          const auto step = steps.resolve(r, it == element.end() ? v1::ELEMENT_UNSPECIFIED : it->second);
          auto ps = step.p;
          if (step.p_from == From::Nowhere) ps.fill(std::numeric_limits<double>::quiet_NaN());
          p.push_back(ps);
          p_from_library.push_back(step.p_from == From::Library);
          auto& ids = mitigated_by.emplace_back();
          steps.for_each_requirement(r, step, [&](std::string_view id) { ids.emplace_back(id); });
          ttc.emplace_back(step.ttc[0] != nullptr ? step.ttc[0]->SerializeAsString() : std::string());
        }
        return py::make_tuple(p, p_from_library, mitigated_by, ttc);
      },
      py::arg("data"),
      "Each relation's step as a run resolves it: (p per capability [COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN, "
      "ADVANCED_UNKNOWN], whether p came from the library, the requirements that mitigate it, the time law "
      "against COMMON_ATTACKS as a serialised Distribution).");
}

// The summary and the generator.
void def_summary_generate(py::module_& m) {
  m.def(
      "summary",
      [](const py::bytes& data) {
        const v1::Scenario scenario = parse_scenario(data);
        return format_summary(scenario, summarise(scenario));
      },
      py::arg("data"), "What `cpsf validate --summary` prints for the scenario.");

  m.def(
      "generate",
      [](std::uint32_t enterprises, std::uint32_t assets_per_enterprise, double relations_per_asset, double cross_share,
         double ot_share, double entry_share, double entry_probability, double p_min, double p_max, double ttc_min,
         double ttc_max, std::uint32_t fan_out, std::optional<double> horizon, std::uint64_t trials, std::uint64_t seed,
         bool relation_ids) {
        GenerateOptions g;
        g.enterprises = enterprises;
        g.assets_per_enterprise = assets_per_enterprise;
        g.relations_per_asset = relations_per_asset;
        g.cross_share = cross_share;
        g.ot_share = ot_share;
        g.entry_share = entry_share;
        g.entry_probability = entry_probability;
        g.p_min = p_min;
        g.p_max = p_max;
        g.ttc_min = ttc_min;
        g.ttc_max = ttc_max;
        g.fan_out = fan_out;
        g.horizon = horizon;
        g.trials = trials;
        g.seed = seed;
        g.relation_ids = relation_ids;
        std::string bytes;
        {
          py::gil_scoped_release release;
          generate(g).SerializeToString(&bytes);  // std::invalid_argument -> ValueError
        }
        return py::bytes(bytes);
      },
      py::kw_only(), py::arg("enterprises") = GenerateOptions{}.enterprises,
      py::arg("assets_per_enterprise") = GenerateOptions{}.assets_per_enterprise,
      py::arg("relations_per_asset") = GenerateOptions{}.relations_per_asset,
      py::arg("cross_share") = GenerateOptions{}.cross_share, py::arg("ot_share") = GenerateOptions{}.ot_share,
      py::arg("entry_share") = GenerateOptions{}.entry_share,
      py::arg("entry_probability") = GenerateOptions{}.entry_probability, py::arg("p_min") = GenerateOptions{}.p_min,
      py::arg("p_max") = GenerateOptions{}.p_max, py::arg("ttc_min") = GenerateOptions{}.ttc_min,
      py::arg("ttc_max") = GenerateOptions{}.ttc_max, py::arg("fan_out") = GenerateOptions{}.fan_out,
      py::arg("horizon") = py::none(), py::arg("trials") = GenerateOptions{}.trials,
      py::arg("seed") = GenerateOptions{}.seed, py::arg("relation_ids") = false,
      "A synthetic supply chain (`cpsf generate`), serialised. Raises ValueError on options out of range.");
}

}  // namespace

void register_scenario(py::module_& m) {
  m.attr("default_max_file_bytes") = ReadLimits{}.max_file_bytes;
  def_read(m);
  def_write(m);
  def_summary_generate(m);
  def_resolved_steps(m);
}

}  // namespace cpsf::python
