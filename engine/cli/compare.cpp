// `cpsf compare`: scenarios × baselines side by side (docs/cli.md). Loads and validates
// every scenario like `run`, then runs each under each baseline variant with the same
// seed and trials (common random numbers), writes compare.json, compare.csv and
// compare-profile.csv (and with --report the HTML report, whose chart replaced compare.svg),
// and prints the table.
#include "cpsf/analysis/compare.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "cli/common.hpp"
#include "cli/mpi_ranks.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#include "cpsf/output/compare_writers.hpp"

namespace cpsf::cli {

namespace {

struct CompareCliOptions {
  std::vector<std::string> scenarios;
  std::vector<std::string> baselines;
  std::optional<std::string> threat;
  std::uint64_t trials = 10000;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  std::string out = "out";
  std::string format = "text";
  bool quiet = false;
  std::uint64_t max_file_bytes = ReadLimits{}.max_file_bytes;
  std::string library;  // --library FILE
  bool report = false;  // --report: report.html in --out too
  ReportWriteOptions report_options;
};

std::atomic<bool> g_interrupted{false};
extern "C" void on_compare_interrupt(int) { g_interrupted.store(true); }

// The rows' labels for the scenarios' `names` (compare_labels); nothing, after saying why,
// when two of the files are one.
std::optional<std::vector<std::string>> labels_for(const std::vector<std::string>& names,
                                                   const std::vector<std::string>& scenarios) {
  try {
    return compare_labels(names, scenarios);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "cpsf compare: error: %s\n", terminal_safe(e.what()).c_str());
    return std::nullopt;
  }
}

// Every file is loaded and checked before anything runs; the worst decides the code.
int load_inputs(const CompareCliOptions& o, std::vector<CompareInput>& inputs) {
  int worst = kExitOk;
  for (std::size_t i = 0; i < o.scenarios.size(); ++i) {
    int code = kExitOk;
    auto loaded = load_valid("compare", o.scenarios[i], o.library, o.max_file_bytes, code);
    worst = std::max(worst, code);
    if (loaded) inputs.push_back({"", o.scenarios[i], loaded->scenario()});  // a heap copy off the arena
  }
  return worst;
}

// Runs the comparison, which Ctrl-C cancels; kExitOk with `result` filled, else the exit
// code after saying why.
int run_comparison(const std::vector<CompareInput>& inputs, const CompareOptions& options, bool show_progress,
                   CompareResult& result) {
  std::signal(SIGINT, on_compare_interrupt);
  const auto done = [&] {
    restore_interrupts();
    if (show_progress) std::fprintf(stderr, "\r%78s\r", "");
  };
  try {
    result = compare(inputs, options);
  } catch (const CompareCancelled&) {
    done();
    std::fprintf(stderr, "cpsf compare: interrupted; nothing was written\n");
    return kExitInterrupted;
  } catch (const std::invalid_argument& e) {
    done();
    std::fprintf(stderr, "cpsf compare: error: %s\n", terminal_safe(e.what()).c_str());
    return kExitUsage;
  }
  done();
  return kExitOk;
}

int run_compare(const CompareCliOptions& o) {
  if (refuse_pdf_without_chromium("compare", o.report && o.report_options.pdf) != kExitOk) return kExitUsage;
  OutputLock lock;  // held to the end: a second writer of --out is refused at once
  if (const int code = lock_output("compare", o.out, true, lock); code != kExitOk) return code;
  // A file given twice (under any name) is refused before anything is read.
  if (!labels_for(std::vector<std::string>(o.scenarios.size()), o.scenarios)) return kExitUsage;
  std::vector<CompareInput> inputs;
  if (const int worst = load_inputs(o, inputs); worst != kExitOk) return worst;
  // Rows are labelled by the scenarios' names (compare_labels).
  std::vector<std::string> names;
  names.reserve(inputs.size());
  for (const auto& in : inputs) names.push_back(in.scenario.name());
  const auto labels = labels_for(names, o.scenarios);
  if (!labels) return kExitUsage;
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i].label = (*labels)[i];

  CompareOptions options;
  if (!o.baselines.empty()) options.baselines = o.baselines;
  options.threat = o.threat;
  options.run.trials = o.trials;
  options.run.seed = o.seed;
  options.run.threads = o.threads;
  options.run.cancel = &g_interrupted;
  options.run.ranks = rank_group();  // under mpirun: the rounds shared by the ranks, every rank with the results
  if (const int code = refuse("compare", options.problems()); code != kExitOk) return code;
  warn_if_fewer_threads("compare", options.run.threads);
  const bool show_progress = !o.quiet && ::isatty(STDERR_FILENO);
  if (show_progress) {
    options.on_run = [](std::size_t i, std::size_t n, const std::string& scenario, const std::string& baseline) {
      std::fprintf(stderr, "\r%78s\r  [%zu/%zu] %s × %s", "", i + 1, n, terminal_safe(scenario).c_str(),
                   terminal_safe(baseline).c_str());
    };
  }

  CompareResult result;
  if (const int code = run_comparison(inputs, options, show_progress, result); code != kExitOk) return code;
  for (const auto& w : result.warnings) std::fprintf(stderr, "cpsf compare: warning: %s\n", terminal_safe(w).c_str());

  const std::string json = compare_json(result), csv = compare_csv(result);
  ReportWriteOptions report = o.report_options;
  report.quiet = o.quiet || o.format != "text";  // standard output holds the csv or json
  report.only = "compare.json";
  const Files files = {
      {"compare.json", json}, {"compare.csv", csv}, {"compare-profile.csv", compare_profile_csv(result)}};
  if (const int code = write_output_set("compare", lock, files, o.report ? report_in_set("compare", report) : nullptr);
      code != kExitOk) {
    return code;
  }
  if (!o.quiet) {
    if (write_output("compare", "-",
                     o.format == "json"  ? json
                     : o.format == "csv" ? csv
                                         : compare_text(result)) != kExitOk) {
      return kExitUsage;
    }
    if (o.format == "text")
      std::printf("wrote %s/{compare.json,compare.csv,compare-profile.csv}\n", terminal_safe(o.out).c_str());
  }
  if (o.report) print_report_paths((std::filesystem::path(o.out) / "report.html").string(), report);
  return kExitOk;
}

}  // namespace

Command add_compare(CLI::App& app) {
  auto o = std::make_shared<CompareCliOptions>();
  auto* sub = app.add_subcommand(
      "compare",
      "Run scenarios under baselines (as-is, SCS-3, SCS-4, supplier-rule, ...) with common random numbers; "
      "write compare.json, compare.csv, compare-profile.csv (and with --report the HTML report)");
  sub->add_option("scenarios", o->scenarios, "Scenario files")->required();
  sub->add_option("-b,--baseline", o->baselines,
                  "Baseline variants, repeatable or comma-separated: as-is (unchanged), supplier-rule (SCS ★4/★3 by "
                  "the supplier rule), or a baseline id given to every enterprise (SCS-3, SCS-4, JC-STAR-1, "
                  "JC-STAR-2, or the scenario's own) or to some: ID@id=A|B, ID@role=R|S, ID@sector=X|Y, "
                  "ID@suppliers (%2C for a comma, %7C for '|' in a value); differences are from the first. "
                  "Default: as-is")
      ->delimiter(',')
      ->allow_extra_args(false);
  sub->add_option("--threat", o->threat, "Only this threat attacks (it must exist in every scenario)");
  sub->add_option("--trials", o->trials, "Trials of every run (the same for all)")
      ->transform(integer_in(limits::trials))
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Master seed of every run (common random numbers)")
      ->transform(integer_in(limits::seed))
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "Worker threads (0: every core); never changes a number")
      ->transform(integer_in(limits::threads))
      ->capture_default_str();
  sub->add_option("--out", o->out, "Directory for compare.json, compare.csv, compare-profile.csv (and report.html)")
      ->capture_default_str();
  sub->add_option("--format", o->format, "What to print on stdout: text (a table), csv or json")
      ->check(CLI::IsMember({"text", "csv", "json"}))
      ->capture_default_str();
  sub->add_flag("-q,--quiet", o->quiet, "Print nothing on stdout, and no progress");
  add_report_options(sub, o->report, o->report_options);
  add_library_option(sub, o->library);
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_compare(*o); }};
}

}  // namespace cpsf::cli
