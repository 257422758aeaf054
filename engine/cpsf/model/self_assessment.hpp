// Supplier self-assessments (CSV) as per-enterprise controls: `cpsf import self-assessment`
// (docs/import.md, "Self-assessments").
//
// The answers file has one row per company x item (columns company, item, answer and
// optionally date); an item is a requirement id of the catalogue (the built-in one with the
// scenario's own requirements) or a checklist item that a mapping file (item, requirement,
// level) maps to one or more requirement ids. Each company x requirement answered
// implemented becomes a control "sa-<enterprise>-<requirement>" at the answer's level and
// with no efficacy: the efficacy comes from the attack-step library by level
// (docs/library.md). It lives in model/ because it reads the catalogue (model/catalogue.hpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/csv_read.hpp"
#include "cpsf/io/inventory.hpp"
#include "cpsf/io/load.hpp"

namespace cpsf {

struct SelfAssessmentOptions {
  // True: the companies must be enterprises of `into` (by id, then name, then name with case
  // and spaces ignored). False: an enterprise is made for each company (a scenario fragment).
  bool match_existing = false;
  bool strict = false;  // with match_existing: an unmatched company is an error, not a warning
};

// How much of a baseline's requirements a company implements at the baseline's level or above.
struct BaselineCoverage {
  std::string baseline;  // "SCS-3"
  int required = 0;
  int covered = 0;
  std::vector<std::string> missing;  // "CPS.AC-1 ADVANCED": not answered implemented at that level or above
};

struct CompanyReport {
  std::string company;     // as first written
  std::string enterprise;  // its enterprise id
  int answers = 0;         // company x item answers after duplicates are resolved
  std::vector<BaselineCoverage> baselines;
  std::string nearest;  // the highest baseline fully covered; empty: none
};

struct SelfAssessmentReport {
  int rows = 0;                                                               // answer rows read
  int implemented = 0, not_implemented = 0, not_applicable = 0, missing = 0;  // company x item answers
  int controls_written = 0, controls_replaced = 0, controls_removed = 0, enterprises_made = 0;
  std::vector<CompanyReport> companies;                // matched (or made), in the order of their first answer
  std::vector<std::pair<std::string, int>> unmatched;  // company and the line of its first answer
};

// The baselines the report measures companies against, lowest first: those of the catalogue
// (built-in and the scenario's) with these ids.
inline constexpr const char* kSelfAssessmentBaselines[] = {"SCS-3", "SCS-4"};

// Reads `answers` (and `mapping` when given) and writes their controls into `into`
// (replacing a control of the same id; removing one whose company answered the requirement
// no or n/a), and with !match_existing the companies' enterprises. Every problem is reported
// with the file, the line of its row, the column, what is wrong and how to fix it; Invalid
// when there is any error (then `into` may hold part of the import). Entities added are
// recorded in into.origins under answers.path with their lines in places, for validation's
// diagnostics (InventoryPlaces::place).
LoadStatus import_self_assessment(const CsvSource& answers, const std::optional<CsvSource>& mapping,
                                  const SelfAssessmentOptions& options, LoadedScenario& into, InventoryPlaces& places,
                                  SelfAssessmentReport& report, Diagnostics& out);

// The same from files: reads the answers file and the mapping file (when given) within
// `limits`, then imports; IoError (reported) when one cannot be read. What the command line
// and the Python package call.
LoadStatus import_self_assessment_files(const std::string& answers, const std::optional<std::string>& mapping,
                                        const SelfAssessmentOptions& options, const ReadLimits& limits,
                                        LoadedScenario& into, InventoryPlaces& places, SelfAssessmentReport& report,
                                        Diagnostics& out);

// The report as text: counts, then one line per company (coverage of each baseline, the
// nearest, and what the next one lacks).
std::string self_assessment_report_text(const SelfAssessmentReport& report);

}  // namespace cpsf
