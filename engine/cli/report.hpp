// The HTML report from the command line: `cpsf report DIR`, and `--report` on run, compare
// and optimise (docs/report.md).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "cli/common.hpp"
#include "cpsf/io/read.hpp"

namespace cpsf::cli {

struct ReportWriteOptions {
  bool pdf = false;    // also print it to PDF with headless Chromium
  bool quiet = false;  // print nothing on success
  std::uint64_t max_file_bytes = ReadLimits{}.max_file_bytes;
  // Only this document of the directory (the one the verb just wrote: an older
  // results.json beside a new compare.json is not this comparison's); empty: all there.
  std::string only;
};

// `cpsf report`: writes `out` from the results.json, compare.json and optimise.json in
// `dir`, and prints its path; with `out` empty, DIR/report.html (and report.pdf) switched
// into `dir` as a set under its lock. An exit code.
int write_report(const char* verb, const std::string& dir, const std::string& out, const ReportWriteOptions& o);

// What --report adds to a verb's set: the report of the documents in the staging
// directory (the verb's new ones), written into the set (write_output_set's `more`).
std::function<int(OutputSet&)> report_in_set(const char* verb, const ReportWriteOptions& o);

// "report: PATH" (and the PDF's) on stdout, unless quiet or the page went to stdout.
void print_report_paths(const std::string& html_path, const ReportWriteOptions& o);

// --pdf without a Chromium to print with: said, and kExitUsage; checked first thing by the
// verbs with --report --pdf, so that no run ends in a report that cannot be printed (the
// report is part of the output set, which would then not be written at all).
int refuse_pdf_without_chromium(const char* verb, bool pdf);

// --report and --pdf on a verb that writes into --out.
void add_report_options(CLI::App* sub, bool& report, ReportWriteOptions& o);

Command add_report(CLI::App& app);

}  // namespace cpsf::cli
