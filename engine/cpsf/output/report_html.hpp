// The HTML report: one self-contained page (styles, scripts, Vega and the data inlined;
// nothing fetched) showing a run's results.json, a compare.json and an optimise.json
// (docs/report.md). The page is drawn in the browser by report/report.js from the
// documents as cpsf wrote them, so every number it shows is one of theirs.
#pragma once

#include <stdexcept>
#include <string>

namespace cpsf {

// The documents' texts; an empty string is a document not given. At least one is needed.
struct ReportDocuments {
  std::string results;   // results.json (cpsf.results.v1)
  std::string compare;   // compare.json (cpsf.compare.v1)
  std::string optimise;  // optimise.json (cpsf.optimise.v1)
};

// A document that is not what it should be; the message names it and says what is wrong.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Rows beyond these are left out of the page (the files hold them all): a page with a
// million assets would not open. The assets kept are the most likely to fall, and every
// target; the enterprises kept are those that lose most.
inline constexpr std::size_t kReportMaxAssets = 500;
inline constexpr std::size_t kReportMaxEnterprises = 500;

// The page. Throws ReportError for a document that is not JSON, nests deeper than 64
// levels, or is not of its format.
std::string report_html(const ReportDocuments& documents);

}  // namespace cpsf
