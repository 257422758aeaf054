// CycloneDX SBOMs (JSON, specVersion 1.4 to 1.6) as software-supply assets and relations:
// `cpsf import cyclonedx` (docs/import.md, "CycloneDX SBOMs").
//
// Each component (nested ones too) and metadata.component (the product) becomes an asset of
// layer L3, element COMPONENT, owned by an enterprise made from its supplier; each
// dependency "A dependsOn B" becomes a SOFTWARE_SUPPLY relation B -> A; a vulnerability of a
// component sets the p of the relations leaving it (1 - prod(1 - p_v)), with the mitigations
// of the attack-step library's matching step, so that controls keep acting. It lives in
// model/ because it reads the attack-step library (model/resolve_steps.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/io/read.hpp"

namespace cpsf {

// An SBOM's text and the name its diagnostics give it.
struct CycloneDxSource {
  std::string path;
  std::string text;
};

struct CycloneDxOptions {
  // An asset of `into` that metadata.component is (--product): the dependencies on the SBOM's
  // root become relations into it, and no asset is made for the root. Empty: the root is an
  // asset made like the components.
  std::optional<std::string> product;
};

struct CycloneDxReport {
  int components = 0;                      // components of the SBOM (nested ones included; metadata.component not)
  int assets_made = 0, assets_reused = 0;  // reused: an asset of that id was already in the scenario
  int enterprises_made = 0;
  int relations_written = 0, relations_replaced = 0;  // replaced: one of that id was in the scenario
  int vulnerabilities_applied = 0;                    // set the p of at least one relation
  int vulnerabilities_skipped = 0;  // analysis.state not_affected, false_positive, resolved(_with_pedigree)
  int vulnerabilities_unrated = 0;  // no CVSS score and no severity that counts: no effect
  int vulnerabilities_unused = 0;   // rated, but no relation leaves what they affect (e.g. the product)
  int unknown_supplier = 0;         // components owned by "unknown-supplier"
  int assumed_direct = 0;           // components related to the product as direct dependencies
};

// The deepest nesting of components taken (a component's `components` inside a component's
// ...): deeper is an error. And the deepest nesting of JSON arrays and objects read at all.
inline constexpr int kCycloneDxMaxNesting = 64;
inline constexpr int kCycloneDxMaxJsonDepth = 200;

// Where each entity the import added came from (a JSON pointer into the SBOM), to place
// validation's diagnostics: a diagnostic on `file` at "assets[k]..." names pointers[k].
struct CycloneDxPlaces {
  std::string file;
  std::vector<std::string> pointers;
  void place(Diagnostics& diagnostics) const;
};

// Reads the SBOM and adds its enterprises, assets and relations to `into` (an asset or
// enterprise already there is used, a relation of the same id replaced). Every problem is
// reported with the file (line and column for JSON syntax), the JSON pointer, the component,
// what is wrong and how to fix it; Invalid when there is any error (then `into` is left as it
// was). Validation is separate (validate(), then places.place()).
LoadStatus import_cyclonedx(const CycloneDxSource& sbom, const CycloneDxOptions& options, LoadedScenario& into,
                            CycloneDxPlaces& places, CycloneDxReport& report, Diagnostics& out);

// The same from a file, refused over limits.max_file_bytes (IoError, reported) as is one that
// cannot be read. What the command line and the Python package call.
LoadStatus import_cyclonedx_file(const std::string& path, const CycloneDxOptions& options, const ReadLimits& limits,
                                 LoadedScenario& into, CycloneDxPlaces& places, CycloneDxReport& report,
                                 Diagnostics& out);

// The counts in parentheses of the command's "wrote" line: "3 components, 1 vulnerabilities
// applied, 0 skipped".
std::string cyclonedx_counts_text(const CycloneDxReport& report);

}  // namespace cpsf
