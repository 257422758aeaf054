// `cpsf optimise`: the control portfolio (docs/cli.md, docs/methods.md §11). Loads and
// validates like `run`, searches the candidate controls within the budget, writes
// optimise.json and frontier.csv, prints the table.
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
#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/output/portfolio_writers.hpp"

namespace cpsf::cli {

namespace {

struct OptimiseCliOptions {
  std::string scenario;
  double budget = 0.0;
  std::vector<std::string> candidates;
  std::string method = "auto";
  std::string goal = "loss";
  std::size_t frontier = kDefaultFrontierPoints;
  std::optional<std::uint64_t> trials, seed;
  std::optional<unsigned> threads;
  std::string out = "out";
  bool quiet = false;
  std::uint64_t max_file_bytes = ReadLimits{}.max_file_bytes;
  std::string library;  // --library FILE
  bool report = false;  // --report: report.html in --out too
  ReportWriteOptions report_options;
};

// Default trials: fewer than `run`'s, since every subset searched is a full simulation.
constexpr std::uint64_t kDefaultOptimiseTrials = 10000;

std::atomic<bool> g_interrupted{false};
extern "C" void on_optimise_interrupt(int) { g_interrupted.store(true); }

int run_optimise(const OptimiseCliOptions& o) {
  const auto method = portfolio_method_from_name(o.method);
  if (!method) {  // CLI11 checks the name already; kept for callers that bypass it
    std::fprintf(stderr, "cpsf optimise: error: unknown method '%s' (fix: use auto, greedy or exact)\n",
                 terminal_safe(o.method).c_str());
    return kExitUsage;
  }
  if (refuse_pdf_without_chromium("optimise", o.report && o.report_options.pdf) != kExitOk) return kExitUsage;
  OutputLock lock;  // held to the end: a second writer of --out is refused at once
  if (const int locked = lock_output("optimise", o.out, true, lock); locked != kExitOk) return locked;
  int code = kExitOk;
  auto loaded = load_valid("optimise", o.scenario, o.library, o.max_file_bytes, code);
  if (!loaded) return code;
  const auto& scenario = loaded->scenario();
  const auto& settings = scenario.settings();

  PortfolioOptions options;
  options.budget = o.budget;
  options.method = *method;
  options.goal = portfolio_goal_from_name(o.goal).value_or(PortfolioGoal::Loss);  // CLI11 checked the name
  options.frontier_points = o.frontier;
  options.candidates = o.candidates;
  options.run.trials = o.trials.value_or(kDefaultOptimiseTrials);
  options.run.seed = o.seed.value_or(settings.seed());
  options.run.threads = o.threads.value_or(settings.threads());
  options.run.cancel = &g_interrupted;
  options.run.ranks = rank_group();  // under mpirun: the rounds shared by the ranks, every rank with the results
  if (const int code = refuse("optimise", options.problems()); code != kExitOk) return code;
  warn_if_fewer_threads("optimise", options.run.threads);
  const bool show_progress = !o.quiet && ::isatty(STDERR_FILENO);
  if (show_progress) {
    options.progress = [](std::uint64_t done) {
      std::fprintf(stderr, "\r  %llu simulations   ", static_cast<unsigned long long>(done));
    };
  }
  const OutputContext context = output_context(o.scenario, scenario);

  PortfolioResult result;
  std::signal(SIGINT, on_optimise_interrupt);
  try {
    result = optimise(scenario, options);
  } catch (const PortfolioCancelled&) {
    restore_interrupts();
    if (show_progress) std::fprintf(stderr, "\r%40s\r", "");
    std::fprintf(stderr, "cpsf optimise: interrupted; nothing was written\n");
    return kExitInterrupted;
  } catch (const std::invalid_argument& e) {
    restore_interrupts();
    if (show_progress) std::fprintf(stderr, "\r%40s\r", "");
    std::fprintf(stderr, "cpsf optimise: error: %s\n", terminal_safe(e.what()).c_str());
    return kExitUsage;
  }
  restore_interrupts();
  if (show_progress) std::fprintf(stderr, "\r%40s\r", "");

  ReportWriteOptions report = o.report_options;
  report.quiet = o.quiet;
  report.only = "optimise.json";
  const Files files = {{"optimise.json", portfolio_json(result, context)}, {"frontier.csv", frontier_csv(result)}};
  if (const int c = write_output_set("optimise", lock, files, o.report ? report_in_set("optimise", report) : nullptr);
      c != kExitOk) {
    return c;
  }
  for (const auto& w : portfolio_warnings(result, context.currency)) {
    std::fprintf(stderr, "cpsf optimise: warning: %s\n", w.c_str());
  }
  if (!o.quiet) {
    if (write_output("optimise", "-", portfolio_text(result, context)) != kExitOk) return kExitUsage;
    std::printf("wrote %s/{optimise.json,frontier.csv}\n", terminal_safe(o.out).c_str());
  }
  if (o.report) print_report_paths((std::filesystem::path(o.out) / "report.html").string(), report);
  return kExitOk;
}

}  // namespace

Command add_optimise(CLI::App& app) {
  auto o = std::make_shared<OptimiseCliOptions>();
  auto* sub =
      app.add_subcommand("optimise",
                         "Choose the candidate controls that minimise expected residual loss within a budget; write "
                         "optimise.json, frontier.csv");
  sub->add_option("scenario", o->scenario, "Scenario file")->required();
  sub->add_option("--budget", o->budget, "Annual budget for candidate controls, in the scenario's currency")
      ->required()
      ->transform(number_in(limits::budget));
  sub->add_option("--candidates", o->candidates,
                  "Candidate control ids, comma-separated; default: every control with implemented: false")
      ->delimiter(',');
  sub->add_option("--method", o->method, "auto (exact up to 20 candidates, else greedy), greedy or exact")
      ->check(CLI::IsMember({"auto", "greedy", "exact"}))
      ->capture_default_str();
  sub->add_option("--goal", o->goal,
                  "loss: minimise the expected residual loss; net: minimise expected annual loss + annual cost of "
                  "the chosen controls (needs every threat's annual_frequency; the budget stays a cap)")
      ->check(CLI::IsMember({"loss", "net"}))
      ->capture_default_str();
  sub->add_option("--frontier", o->frontier,
                  "Budgets on the efficient frontier, 0 to the candidates' total cost (0: none)")
      ->transform(integer_in(limits::frontier_points))
      ->capture_default_str();
  sub->add_option("--trials", o->trials, "Trials per simulated subset (the same for all); default 10000")
      ->transform(integer_in(limits::trials));
  sub->add_option("--seed", o->seed,
                  "Master seed, shared by every subset (common random numbers); default: the scenario's")
      ->transform(integer_in(limits::seed));
  sub->add_option("--threads", o->threads, "Worker threads (0: every core); never changes a number")
      ->transform(integer_in(limits::threads));
  sub->add_option("--out", o->out, "Directory for optimise.json and frontier.csv")->capture_default_str();
  sub->add_flag("-q,--quiet", o->quiet, "No table and no progress");
  add_report_options(sub, o->report, o->report_options);
  add_library_option(sub, o->library);
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_optimise(*o); }};
}

}  // namespace cpsf::cli
