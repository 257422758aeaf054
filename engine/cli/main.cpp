// cpsf — the command line. One verb per subcommand; every verb has --help.
//
// Exit codes (docs/cli.md): 0 success / valid; 1 invalid input (the scenario is wrong);
// 2 usage or I/O error (bad options, missing or unreadable file); 3 internal error;
// 130 interrupted (run: the partial result was written, marked partial).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/checkpoint.hpp"
#include "cli/common.hpp"
#include "cli/mpi_ranks.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/io/format.hpp"
#include "cpsf/io/generate.hpp"
#include "cpsf/io/write.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/attack_graph.hpp"
#include "cpsf/output/explain.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/output/run_summary.hpp"
#include "cpsf/output/summary.hpp"
#include "cpsf/sim/simulation.hpp"
#include "cpsf/validate/validate.hpp"

namespace {

using namespace cpsf::cli;  // exit codes, print, write_output, ...

// ---- validate -------------------------------------------------------------------------------
struct ValidateOptions {
  std::vector<std::string> files;
  bool summary = false;
  bool werror = false;
  bool quiet = false;
  std::string library;                 // --library FILE
  std::optional<std::string> explain;  // --explain RELATION
  bool json = false;                   // --json: the explanation as JSON
  std::uint64_t max_file_bytes = cpsf::ReadLimits{}.max_file_bytes;
};

// --explain RELATION on a valid scenario: its resolved step and where each number came from.
int print_explanation(const std::string& file, const cpsf::LoadedScenario& loaded, const std::string& relation,
                      bool json) {
  const auto index = cpsf::find_relation(loaded.scenario(), relation);
  if (!index) {
    std::fprintf(stderr,
                 "cpsf validate: error: %s has no relation '%s' (fix: give a relation id, or its index from 0)\n",
                 cpsf::terminal_safe(file).c_str(), cpsf::terminal_safe(relation).c_str());
    return kExitUsage;
  }
  const auto explanation = cpsf::explain_relation(loaded, *index);
  std::printf("%s", (json ? cpsf::explanation_json(explanation) : cpsf::format_explanation(explanation)).c_str());
  return kExitOk;
}

int run_validate(const ValidateOptions& o) {
  if (o.json && o.files.size() > 1) {
    std::fprintf(stderr, "cpsf validate: error: --json writes one document: give one FILE (got %zu)\n", o.files.size());
    return kExitUsage;
  }
  int worst = kExitOk;
  cpsf::ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  for (const auto& file : o.files) {
    cpsf::Diagnostics diagnostics;
    cpsf::LoadStatus status{};
    const auto loaded = load_with_library(file, o.library, limits, diagnostics, status);
    if (loaded) cpsf::validate(*loaded, diagnostics);
    print(diagnostics);
    const std::size_t errors = diagnostics.error_count();
    const std::size_t warnings = diagnostics.warning_count();
    const bool invalid = errors > 0 || (o.werror && warnings > 0);
    int code = status != cpsf::LoadStatus::Ok ? exit_code_for(status) : (invalid ? kExitInvalid : kExitOk);
    worst = std::max(worst, code);
    if (!o.quiet && !o.json) {
      const char* verdict = code == kExitOk ? "valid" : code == kExitInvalid ? "invalid" : "not read";
      std::printf("%s: %s (%s, %s)\n", cpsf::terminal_safe(file).c_str(), verdict, plural(errors, "error").c_str(),
                  plural(warnings, "warning").c_str());
    }
    if (o.summary && loaded && code == kExitOk) {
      std::printf("%s", cpsf::format_summary(loaded->scenario(), cpsf::summarise(loaded->scenario())).c_str());
    }
    if (o.explain && loaded && code == kExitOk)
      worst = std::max(worst, print_explanation(file, *loaded, *o.explain, o.json));
  }
  return worst;
}

Command add_validate(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  auto* sub = app.add_subcommand("validate",
                                 "Check scenario files and report every problem with its file, line, entity and fix");
  sub->add_option("files", o->files, "Scenario files (" + std::string(cpsf::kFormatExtensionsHelp) + ")")->required();
  sub->add_flag("--summary", o->summary, "Print what each valid scenario holds (assets by layer × element, ...)");
  sub->add_flag("--werror", o->werror, "Treat warnings as errors (exit 1)");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the problems, not the per-file verdict");
  sub->add_option("--explain", o->explain,
                  "Print one relation's resolved attack step (by id, or index from 0) per threat capability, where "
                  "each number came from, and the controls that act on it");
  sub->add_flag("--json", o->json,
                "With --explain: write the explanation as one JSON document (format cpsf-explain/1) and no verdict "
                "line; one FILE only")
      ->needs("--explain")
      ->excludes("--summary");
  add_library_option(sub, o->library);
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_validate(*o); }};
}

// ---- convert --------------------------------------------------------------------------------
struct ConvertOptions {
  std::string input, output;
  std::optional<std::string> to;  // given: must name a format (an empty name is no format)
  bool flatten = false;
  std::uint64_t max_file_bytes = cpsf::ReadLimits{}.max_file_bytes;
};

int run_convert(const ConvertOptions& o) {
  std::optional<cpsf::Format> format;
  if (o.to) {
    format = cpsf::format_from_name(*o.to);
    if (!format) {
      std::fprintf(stderr, "cpsf convert: error: unknown format '%s' (fix: use text, json or binary)\n",
                   cpsf::terminal_safe(*o.to).c_str());
      return kExitUsage;
    }
  } else if (o.output == "-") {
    std::fprintf(stderr,
                 "cpsf convert: error: writing to standard output needs --to (fix: add --to text, json or binary)\n");
    return kExitUsage;
  } else {
    format = cpsf::format_from_path(o.output);
    if (!format) {
      std::fprintf(stderr,
                   "cpsf convert: error: cannot tell the output format of '%s' (fix: name it %s, or give --to)\n",
                   cpsf::terminal_safe(o.output).c_str(), cpsf::kFormatExtensionsHelp);
      return kExitUsage;
    }
  }
  cpsf::ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  cpsf::Diagnostics diagnostics;
  cpsf::LoadStatus status{};
  // Either way the scenario is read onto a LoadedScenario's arena (fast for large files).
  std::optional<cpsf::LoadedScenario> loaded;
  if (o.flatten) {
    loaded = cpsf::load_scenario(o.input, diagnostics, status, limits);
    if (loaded) loaded->mutable_scenario()->clear_include();
  } else {
    loaded.emplace();
    status = cpsf::read_message_file(o.input, *loaded->mutable_scenario(), diagnostics, limits);
  }
  print(diagnostics);
  if (status != cpsf::LoadStatus::Ok) return exit_code_for(status);
  const cpsf::v1::Scenario& scenario = loaded->scenario();
  if (!o.flatten && scenario.include_size() > 0 && o.output != "-" &&
      std::filesystem::absolute(o.output).parent_path() != std::filesystem::absolute(o.input).parent_path()) {
    std::fprintf(stderr,
                 "cpsf convert: warning: %s keeps its %d include path(s) as written; they resolve relative to "
                 "the output's directory (fix: use --flatten, or copy the included files alongside)\n",
                 cpsf::terminal_safe(o.output).c_str(), scenario.include_size());
  }
  return write_output("convert", o.output, cpsf::serialise(scenario, *format));
}

Command add_convert(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  auto* sub =
      app.add_subcommand("convert", "Convert a scenario between text format, JSON and binary (exact round trip)");
  sub->add_option("input", o->input, "Scenario file to read")->required();
  sub->add_option("output", o->output, "File to write (format from its extension), or - for standard output")
      ->required();
  sub->add_option("--to", o->to, "Output format: text, json or binary (default: from the output's extension)");
  sub->add_flag("--flatten", o->flatten, "Merge included files into one scenario instead of keeping the includes");
  add_max_file_size_option(sub, o->max_file_bytes);
  return {sub, [o] { return run_convert(*o); }};
}

// ---- run ------------------------------------------------------------------------------------
struct RunCliOptions {
  std::string scenario;
  std::optional<std::uint64_t> trials, seed;
  std::optional<unsigned> threads;
  std::optional<double> horizon, target_rse;
  bool no_horizon = false, no_inherent = false, quiet = false, timings = false, no_paths = false;
  bool per_trial = false;                         // --per-trial: keep every trial's losses, write losses.csv
  std::optional<std::string> checkpoint, resume;  // --checkpoint FILE, --resume FILE
  std::uint64_t checkpoint_every = 0;             // rounds; 0: every 30 s
  std::size_t top_paths = 5;
  std::string chokepoints = "auto";
  std::optional<double> path_loss_threshold;
  std::string out = "out";
  std::vector<std::string> graph;  // --graph graphml,dot: attack-graph.{graphml,dot} too
  std::string library;             // --library FILE
  std::uint64_t max_file_bytes = cpsf::ReadLimits{}.max_file_bytes;
  bool report = false;  // --report: report.html in --out too
  ReportWriteOptions report_options;
};

// Ctrl-C before the simulation starts ends the run at once: nothing has been written, and
// an old result in --out stays as it was. During the simulation it stops the run at the
// end of its round (RunOptions::cancel); a run that completed no round writes nothing.
// SIGTERM does the same as Ctrl-C (SIGINT), with its own exit code (143).
std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_simulating{false};
std::atomic<int> g_signal{0};
extern "C" void on_interrupt(int sig) {
  if (!g_simulating.load()) {
    cpsf::remove_made_directories();  // an --out made for this run, still empty
    static const char message[] = "\ncpsf run: interrupted before any trial; nothing was written\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(128 + sig);
  }
  g_signal.store(sig);
  g_interrupted.store(true);
}

// Wall time of each stage on stderr (--timings): where a large run spends its time.
class StageTimer {
 public:
  explicit StageTimer(bool on) : on_(on), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* stage) {
    const auto now = std::chrono::steady_clock::now();
    if (on_) std::fprintf(stderr, "  %-10s %9.3f s\n", stage, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

// Loads and validates the scenario (the stages load and validate of --timings) and prints
// every problem; nothing, with `exit_code` set, when it cannot run.
std::optional<cpsf::LoadedScenario> load_for_run(const RunCliOptions& o, StageTimer& timer, int& exit_code) {
  cpsf::ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  cpsf::Diagnostics diagnostics;
  cpsf::LoadStatus status{};
  auto loaded = load_with_library(o.scenario, o.library, limits, diagnostics, status);
  timer.mark("load");
  if (loaded) cpsf::validate(*loaded, diagnostics);
  timer.mark("validate");
  print(diagnostics);
  if (status != cpsf::LoadStatus::Ok) {
    exit_code = exit_code_for(status);
    return std::nullopt;
  }
  if (diagnostics.has_errors()) {
    std::fprintf(stderr, "cpsf run: %s is invalid (%s); nothing was run\n", cpsf::terminal_safe(o.scenario).c_str(),
                 plural(diagnostics.error_count(), "error").c_str());
    exit_code = kExitInvalid;
    return std::nullopt;
  }
  return loaded;
}

// What the command line sets, else what the scenario's settings say.
cpsf::RunOptions run_options(const RunCliOptions& o, const cpsf::v1::SimulationSettings& settings) {
  cpsf::RunOptions options;
  options.trials = o.trials.value_or(settings.trials() ? settings.trials() : 10000);
  options.seed = o.seed.value_or(settings.seed());
  options.threads = o.threads.value_or(settings.threads());
  options.horizon = o.horizon;
  options.no_horizon = o.no_horizon;
  options.target_relative_stderr = o.target_rse.value_or(settings.target_relative_stderr());
  options.inherent = !o.no_inherent;
  options.paths = !o.no_paths;
  options.path_loss_threshold = o.path_loss_threshold;
  options.per_trial = o.per_trial;
  return options;
}

// The files `cpsf run` writes into --out: the results (results.json and its tables as CSVs,
// docs/results-format.md), and with --graph the attack graph.
std::vector<std::pair<std::string, std::string>> run_files(const RunCliOptions& o, const cpsf::Model& model,
                                                           const cpsf::SimulationResult& result,
                                                           const cpsf::Estimates& estimates,
                                                           const cpsf::OutputContext& context) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"results.json", cpsf::results_json(model, result, estimates, context)},
      {"assets.csv", cpsf::assets_csv(model, estimates, context.labels)},
      {"enterprises.csv", cpsf::enterprises_csv(model, result, estimates, context.labels)},
      {"paths.csv", cpsf::paths_csv(model, estimates)},
      {"chokepoints.csv", cpsf::chokepoints_csv(model, estimates)}};
  if (o.per_trial) files.emplace_back("losses.csv", cpsf::losses_csv(result));
  if (std::find(o.graph.begin(), o.graph.end(), "graphml") != o.graph.end()) {
    files.emplace_back("attack-graph.graphml", cpsf::attack_graph_graphml(model, estimates));
  }
  if (std::find(o.graph.begin(), o.graph.end(), "dot") != o.graph.end()) {
    files.emplace_back("attack-graph.dot", cpsf::attack_graph_dot(model, estimates));
  }
  return files;
}

// What --top-paths and --chokepoints ask of the estimates.
cpsf::EstimateOptions estimate_options(const RunCliOptions& o, const cpsf::RunOptions& run) {
  cpsf::EstimateOptions options;
  options.path_top_k = o.top_paths;
  options.chokepoints = o.chokepoints == "on"    ? cpsf::EstimateOptions::Chokepoints::On
                        : o.chokepoints == "off" ? cpsf::EstimateOptions::Chokepoints::Off
                                                 : cpsf::EstimateOptions::Chokepoints::Auto;
  options.threads = run.threads;
  return options;
}

// The run, or nothing after saying why a checkpoint cannot be resumed (its state is not of
// this model, or holds more trials than asked for).
std::optional<cpsf::SimulationResult> simulate_or_refuse(const cpsf::Model& model, const cpsf::RunOptions& options) {
  try {
    return cpsf::simulate(model, options);
  } catch (const cpsf::RanksDisagree&) {
    throw;  // not the checkpoint's fault: said by run_main
  } catch (const std::exception& e) {
    if (options.resume == nullptr) throw;
    std::fprintf(stderr,
                 "cpsf run: error: cannot resume: %s (fix: run again without --resume, or with --trials at "
                 "least what the checkpoint holds)\n",
                 cpsf::terminal_safe(e.what()).c_str());
    return std::nullopt;
  }
}

// --checkpoint and --resume: the writer in `options`, and the state to go on from read into
// `resume` (kept alive by the caller); an exit code.
int prepare_checkpoints(const RunCliOptions& o, const cpsf::v1::Scenario& scenario, cpsf::RunOptions& options,
                        std::vector<std::uint8_t>& resume) {
  if (o.checkpoint_every != 0 && !o.checkpoint) {
    std::fprintf(stderr,
                 "cpsf run: warning: --checkpoint-every has no effect without --checkpoint FILE (fix: add "
                 "--checkpoint FILE, or leave --checkpoint-every out)\n");
  }
  if (!o.checkpoint && !o.resume) return kExitOk;
  for (const auto& [name, file] : {std::pair{"--checkpoint", o.checkpoint}, std::pair{"--resume", o.resume}}) {
    if (file && file->empty()) {
      std::fprintf(stderr, "cpsf run: error: %s needs a file name (fix: give one, e.g. run.ckpt)\n", name);
      return kExitUsage;
    }
  }
  if (o.per_trial) {
    std::fprintf(stderr,
                 "cpsf run: error: a checkpoint holds the run's statistics, not its per-trial values: --per-trial "
                 "cannot be used with --checkpoint or --resume (fix: leave out --per-trial)\n");
    return kExitUsage;
  }
  if (!cpsf::cli::leads()) return kExitOk;  // rank 0 of an MPI job reads and writes checkpoints
  const auto identity = cpsf::cli::checkpoint_identity(scenario, options);
  if (o.resume) {
    auto state = cpsf::cli::read_checkpoint("run", *o.resume, identity);
    if (!state) return kExitUsage;
    resume = std::move(*state);
    options.resume = &resume;
  }
  if (o.checkpoint) {
    options.checkpoint = cpsf::cli::checkpoint_writer("run", *o.checkpoint, identity);
    options.checkpoint_rounds = o.checkpoint_every;
  }
  return kExitOk;
}

int run_run(const RunCliOptions& o) {
  if (refuse_pdf_without_chromium("run", o.report && o.report_options.pdf) != kExitOk) return kExitUsage;
  cpsf::OutputLock lock;  // held to the end: a second run into --out is refused at once
  if (const int code = lock_output("run", o.out, true, lock); code != kExitOk) return code;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  StageTimer timer(o.timings);
  int exit_code = kExitOk;
  auto loaded = load_for_run(o, timer, exit_code);
  if (!loaded) return exit_code;
  const auto& scenario = loaded->scenario();
  cpsf::RunOptions options = run_options(o, scenario.settings());
  std::vector<std::uint8_t> resume;
  if (const int code = prepare_checkpoints(o, scenario, options, resume); code != kExitOk) return code;
  if (const int code = refuse("run", options.problems()); code != kExitOk) return code;
  warn_if_fewer_threads("run", options.threads);
  const bool show_progress = !o.quiet && ::isatty(STDERR_FILENO);
  if (show_progress) {
    options.progress = [](std::uint64_t done, std::uint64_t planned) {
      std::fprintf(stderr, "\r  %llu / %llu trials (%.0f%%)   ", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(planned),
                   100.0 * static_cast<double>(done) / static_cast<double>(planned));
    };
  }
  options.cancel = &g_interrupted;
  options.ranks = cpsf::cli::rank_group();  // under mpirun: the rounds shared, rank 0 with the result
  options.ranks_share_result = false;
  const cpsf::Model model = cpsf::compile(scenario);
  const cpsf::OutputContext context = cpsf::output_context(o.scenario, scenario);
  loaded.reset();  // the frozen model is all the run needs: free the parsed scenario
  timer.mark("compile");
  g_simulating.store(true);
  const auto simulated = simulate_or_refuse(model, options);
  if (!simulated) return kExitUsage;
  if (!cpsf::cli::leads()) return kExitOk;  // an MPI helper: rank 0 has the result and writes it
  const auto& result = *simulated;
  cpsf::restore_interrupts();
  if (show_progress) std::fprintf(stderr, "\r%60s\r", "");
  timer.mark("simulate");
  if (o.timings) {
    std::fprintf(stderr, "  (%llu trials, %llu steps tried: %.1f steps per trial)\n",
                 static_cast<unsigned long long>(result.trials), static_cast<unsigned long long>(result.steps_tried),
                 result.trials ? static_cast<double>(result.steps_tried) / static_cast<double>(result.trials) : 0.0);
  }
  if (result.trials == 0) {  // estimates of nothing must not replace a complete result
    std::fprintf(stderr,
                 "cpsf run: interrupted before the first round of trials was complete; nothing was written (%s "
                 "is as it was)\n",
                 cpsf::terminal_safe(o.out).c_str());
    return g_signal.load() != 0 ? 128 + g_signal.load() : kExitInterrupted;
  }
  const auto estimates = cpsf::estimate(model, result, estimate_options(o, options));
  timer.mark("report");
  const auto files = run_files(o, model, result, estimates, context);
  ReportWriteOptions report = o.report_options;
  report.quiet = o.quiet;
  report.only = "results.json";
  const auto with_report = o.report ? report_in_set("run", report) : nullptr;
  // Without --per-trial an earlier run's losses.csv is not this run's: it goes with the old set.
  const auto more = [&](cpsf::OutputSet& set) {
    if (!o.per_trial) set.retire("losses.csv");
    return with_report ? with_report(set) : kExitOk;
  };
  if (const int code = write_output_set("run", lock, files, more); code != kExitOk) return code;
  timer.mark("write");
  if (!o.quiet) {
    if (write_output("run", "-", cpsf::text_summary(model, result, estimates, context)) != kExitOk) return kExitUsage;
    std::string names;
    for (const auto& file : files) names += (names.empty() ? "" : ",") + file.first;
    std::printf("wrote %s/{%s}\n", cpsf::terminal_safe(o.out).c_str(), names.c_str());
  }
  if (o.report) print_report_paths((std::filesystem::path(o.out) / "report.html").string(), report);
  if (result.partial) {
    std::fprintf(stderr, "cpsf run: interrupted after %llu trials; the partial result is marked partial%s\n",
                 static_cast<unsigned long long>(result.trials),
                 o.checkpoint ? "; --resume the checkpoint to go on" : "");
    return g_signal.load() != 0 ? 128 + g_signal.load() : kExitInterrupted;
  }
  return kExitOk;
}

Command add_run(CLI::App& app) {
  auto o = std::make_shared<RunCliOptions>();
  auto* sub =
      app.add_subcommand("run", "Run the Monte Carlo attack-path simulation and write results.json and its CSVs");
  sub->add_option("scenario", o->scenario, "Scenario file")->required();
  sub->add_option("--trials", o->trials,
                  "Trials (the cap when a target precision is set); default: the scenario's, else 10000")
      ->transform(integer_in(cpsf::limits::trials));
  sub->add_option("--seed", o->seed, "Master seed; default: the scenario's")->transform(integer_in(cpsf::limits::seed));
  sub->add_option("--threads", o->threads, "Worker threads (0: every core); never changes a number")
      ->transform(integer_in(cpsf::limits::threads));
  sub->add_option("--horizon", o->horizon, "Horizon in days; default: the scenario's")
      ->transform(number_in(cpsf::limits::horizon));
  sub->add_flag("--no-horizon", o->no_horizon, "Ignore the scenario's horizon");
  sub->add_option("--target-rse", o->target_rse, "Stop when the mean loss's relative standard error reaches this")
      ->transform(number_in(cpsf::limits::target_rse));
  sub->add_flag("--no-inherent", o->no_inherent, "Skip the controls-off run (inherent risk)");
  sub->add_option("--top-paths", o->top_paths, "Most frequent attack paths reported per target")
      ->capture_default_str()
      ->transform(integer_in(cpsf::limits::top_paths));
  sub->add_option("--path-loss-threshold", o->path_loss_threshold,
                  "Also report paths to (and arrival times of) assets whose loss is at least this")
      ->transform(number_in(cpsf::limits::loss_threshold));
  sub->add_flag("--no-paths", o->no_paths, "Do not count attack paths");
  sub->add_option("--checkpoint", o->checkpoint,
                  "Write the run's state to FILE now and then, and when it ends or is interrupted, for --resume");
  sub->add_option("--checkpoint-every", o->checkpoint_every,
                  "Rounds of 4096 trials between checkpoints (0: every 30 seconds)")
      ->capture_default_str()
      ->transform(integer_in(cpsf::limits::checkpoint_rounds));
  sub->add_option("--resume", o->resume,
                  "Go on from a checkpoint of this scenario, seed and options; the results are those of an "
                  "uninterrupted run");
  sub->add_flag("--per-trial", o->per_trial,
                "Also write losses.csv, every trial's losses (memory then grows with the trials)");
  sub->add_option("--chokepoints", o->chokepoints,
                  "Minimum cuts to each target: auto (on up to 2,000,000 relations), on or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  sub->add_option("--out", o->out, "Directory for the results")->capture_default_str();
  sub->add_option("--graph", o->graph,
                  "Also write the attack graph with the estimates: graphml, dot or both (graphml,dot), as "
                  "attack-graph.graphml / attack-graph.dot in --out")
      ->delimiter(',')
      ->check(CLI::IsMember({"graphml", "dot"}));
  sub->add_flag("-q,--quiet", o->quiet, "No summary and no progress");
  sub->add_flag("--timings", o->timings,
                "Print the wall time of each stage (load, validate, compile, simulate, report, write) on stderr");
  add_report_options(sub, o->report, o->report_options);
  add_library_option(sub, o->library);
  add_max_file_size_option(sub, o->max_file_bytes);
  sub->get_option("--horizon")->excludes(sub->get_option("--no-horizon"));
  return {sub, [o] { return run_run(*o); }};
}

// ---- generate -------------------------------------------------------------------------------
struct GenerateCliOptions {
  cpsf::GenerateOptions generate;
  std::string out;
  std::optional<std::string> to;
};

int run_generate(const cpsf::GenerateOptions& g, const std::string& out, const std::optional<std::string>& to) {
  std::optional<cpsf::Format> format = to ? cpsf::format_from_name(*to) : cpsf::format_from_path(out);
  if (!format && to) {
    std::fprintf(stderr, "cpsf generate: error: unknown format '%s' (fix: use text, json or binary)\n",
                 cpsf::terminal_safe(*to).c_str());
    return kExitUsage;
  }
  if (!format) {
    std::fprintf(stderr,
                 "cpsf generate: error: cannot tell the output format of '%s' (fix: name it %s, or give --to)\n",
                 cpsf::terminal_safe(out).c_str(), cpsf::kFormatExtensionsHelp);
    return kExitUsage;
  }
  if (const int code = refuse("generate", g.problems()); code != kExitOk) return code;
  const cpsf::v1::Scenario scenario = cpsf::generate(g);
  if (const int code = write_output("generate", out, cpsf::serialise(scenario, *format)); code != kExitOk) return code;
  if (out == "-") return kExitOk;
  std::fprintf(stderr, "wrote %s: %d enterprises, %d assets, %d relations\n", cpsf::terminal_safe(out).c_str(),
               scenario.enterprises_size(), scenario.assets_size(), scenario.relations_size());
  return kExitOk;
}

Command add_generate(CLI::App& app) {
  auto o = std::make_shared<GenerateCliOptions>();
  cpsf::GenerateOptions& gen = o->generate;
  auto* sub = app.add_subcommand(
      "generate", "Write a synthetic supply chain of a given size and shape (for benchmarks and trials)");
  sub->add_option("output", o->out, "File to write (format from its extension), or - with --to")->required();
  sub->add_option("--to", o->to, "Output format: text, json or binary");
  namespace lim = cpsf::limits;
  sub->add_option("--enterprises", gen.enterprises, "Enterprises in the supply tree")
      ->capture_default_str()
      ->transform(integer_in(lim::enterprises));
  sub->add_option("--assets-per-enterprise", gen.assets_per_enterprise, "Assets per enterprise")
      ->capture_default_str()
      ->transform(integer_in(lim::assets_per_enterprise));
  sub->add_option("--relations-per-asset", gen.relations_per_asset, "Mean relations out of each asset")
      ->capture_default_str()
      ->transform(number_in(lim::relations_per_asset));
  sub->add_option("--cross-share", gen.cross_share, "Share of a supplier's relations into its customer")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--ot-share", gen.ot_share, "Share of each enterprise's assets in its OT segment")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--entry-share", gen.entry_share, "Share of assets that are entry points")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--entry-probability", gen.entry_probability, "Exposure of an entry point")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--p-min", gen.p_min, "Lowest step success probability")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--p-max", gen.p_max, "Highest step success probability")
      ->capture_default_str()
      ->transform(number_in(lim::share));
  sub->add_option("--ttc-min", gen.ttc_min, "Lowest mean time to compromise (days, exponential)")
      ->capture_default_str()
      ->transform(number_in(lim::ttc));
  sub->add_option("--ttc-max", gen.ttc_max, "Highest mean time to compromise (days)")
      ->capture_default_str()
      ->transform(number_in(lim::ttc));
  sub->add_option("--fan-out", gen.fan_out, "Suppliers per customer")
      ->capture_default_str()
      ->transform(integer_in(lim::fan_out));
  sub->add_option("--horizon", gen.horizon, "Horizon in days (default: none)")->transform(number_in(lim::horizon));
  sub->add_option("--trials", gen.trials, "Trials written to the settings")
      ->capture_default_str()
      ->transform(integer_in(lim::trials));
  sub->add_option("--seed", gen.seed, "Seed of the generator (also written to the settings)")
      ->capture_default_str()
      ->transform(integer_in(lim::seed));
  sub->add_flag("--relation-ids", gen.relation_ids, "Give relations ids (more memory at 10^7 relations)");
  return {sub, [o] { return run_generate(o->generate, o->out, o->to); }};
}

// ---- catalogue ------------------------------------------------------------------------------
int run_catalogue(const std::string& format_name) {
  const auto format = cpsf::format_from_name(format_name);
  if (!format || *format == cpsf::Format::Binary) {
    std::fprintf(stderr, "cpsf catalogue: error: unknown format '%s' (fix: use text or json)\n",
                 cpsf::terminal_safe(format_name).c_str());
    return kExitUsage;
  }
  return write_output("catalogue", "-", cpsf::serialise(cpsf::builtin_catalogue(), *format));
}

Command add_catalogue(CLI::App& app) {
  auto format_name = std::make_shared<std::string>("text");
  auto* sub = app.add_subcommand("catalogue",
                                 "Print the built-in CPSF catalogue: layers, elements, requirement ids, baselines");
  sub->add_option("--format", *format_name, "text or json")->capture_default_str();
  return {sub, [format_name] { return run_catalogue(*format_name); }};
}

}  // namespace

// "--out=" with nothing after the "=": CLI11 would take the next argument as the value
// (`--out= -q` wrote into a directory named "-q"). Refused before parsing.
static int refuse_empty_values(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;  // what follows are positionals
    if (arg.size() > 3 && arg.substr(0, 2) == "--" && arg.back() == '=' && arg.find('=') == arg.size() - 1) {
      std::fprintf(stderr, "%s: needs a value after '=' (fix: give one, e.g. %sVALUE, or leave the option out)\n",
                   cpsf::terminal_safe(arg.substr(0, arg.size() - 1)).c_str(), cpsf::terminal_safe(arg).c_str());
      std::fprintf(stderr, "Run with --help for more information.\n");
      return kExitUsage;
    }
  }
  return kExitOk;
}

static int run_main(int argc, char** argv) {
  if (const int code = refuse_empty_values(argc, argv); code != kExitOk) return code;
  CLI::App app{
      "cpsf — supply-chain residual risk under METI's Cyber/Physical Security Framework.\n"
      "Exit codes: 0 ok, 1 invalid input, 2 usage or I/O error, 3 internal error, 130 interrupted."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cpsf ") + cpsf::kEngineVersion + " (schema " + cpsf::kSchemaVersion +
                                        ", git " + cpsf::kGitRevision + ")");

  // In the order `cpsf --help` lists them.
  const Command verbs[] = {add_validate(app), add_convert(app), add_run(app),    add_generate(app), add_catalogue(app),
                           add_optimise(app), add_compare(app), add_report(app), add_import(app),   add_export(app)};

  // Whatever escapes a verb, parsing included, ends here with a message and exit 3: never an abort.
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e) == 0 ? kExitOk : kExitUsage;  // --help, --version
      // CLI11's own message, with the offending value made safe for a terminal.
      std::fprintf(stderr, "%s\nRun with --help for more information.\n", cpsf::terminal_safe(e.what()).c_str());
      return kExitUsage;
    }
    for (const auto& verb : verbs) {
      if (verb.sub != nullptr && *verb.sub) return verb.run();
    }
  } catch (const cpsf::RanksDisagree& e) {  // mpirun: some rank does not run rank 0's job
    std::fprintf(stderr, "cpsf: error: %s\n", cpsf::terminal_safe(e.what()).c_str());
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "cpsf: error: out of memory\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cpsf: internal error: %s (please report it with the input that caused it)\n",
                 cpsf::terminal_safe(e.what()).c_str());
    return kExitInternal;
  } catch (...) {
    std::fprintf(stderr,
                 "cpsf: internal error: an unknown exception (please report it with the input that caused it)\n");
    return kExitInternal;
  }
  return kExitUsage;
}

// Everything printed on standard output is checked once the verb is done (docs/cli.md,
// "Writing files"): a lost output is an I/O error, exit 2.
int main(int argc, char** argv) {
  cpsf::cli::guard_standard_descriptors();
  int code = cpsf::cli::start_ranks();
  if (code == kExitOk) code = cpsf::cli::finish_stdout(run_main(argc, argv));
  return cpsf::cli::finish_ranks(code);
}
