// What every verb of the command line shares: exit codes, diagnostics on stderr,
// loading a scenario that must be valid, writing output files.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/base/terminal.hpp"  // terminal_safe: every path or id printed goes through it
#include "cpsf/io/load.hpp"
#include "cpsf/io/output_set.hpp"

namespace cpsf::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;
inline constexpr int kExitInterrupted = 130;  // Ctrl-C: the partial result was written, marked partial

void print(const Diagnostics& diagnostics);
int exit_code_for(LoadStatus status);
std::string plural(std::size_t n, const char* word);

// Writes `bytes` to standard output ("-") or to `path` (write_file_atomically: atomically,
// or through a FIFO or device); prints why not and returns kExitUsage.
int write_output(const char* verb, const std::string& path, const std::string& bytes);

// An output directory (--out, or `cpsf report DIR`) is locked for the whole verb
// (cpsf/io/output_set.hpp): call lock_output first thing; a second cpsf writing into the
// same directory is refused at once (exit 2, naming its pid). `create`: made when missing
// (and removed again if the verb ends without writing into it).
int lock_output(const char* verb, const std::string& dir, bool create, OutputLock& lock);

// Writes `files` and then what `more` writes into the set (e.g. the report)
// as one set into the locked directory; prints why not and returns kExitUsage, leaving the
// old set as it was. Interrupts wait for the switch: when one came, says so and returns
// 128 + its number (130 for SIGINT, 143 SIGTERM, 129 SIGHUP), the new set in place.
using Files = std::vector<std::pair<std::string, std::string>>;
int write_output_set(const char* verb, OutputLock& lock, const Files& files,
                     const std::function<int(OutputSet& set)>& more = {});

// Standard output, checked. Call guard_standard_descriptors() first thing: a descriptor
// 0, 1 or 2 that the caller closed (cpsf ... >&-) gets /dev/null opened on it in the
// wrong direction, so that writing to it fails (EBADF) instead of landing in the next
// file cpsf opens. finish_stdout(code) flushes standard output (stdio and iostreams) and,
// when something printed was lost (closed, a full disk, >/dev/full), says so on stderr
// and returns at least kExitUsage (130 and 3 are kept); else `code`.
void guard_standard_descriptors();
int finish_stdout(int code);

// Loads `path` with its includes and, when `library` names a file (--library), applies
// that StepLibrary file over the scenario's own library (model/library_file.hpp). Nothing,
// with `status` set, when either cannot be read.
std::optional<LoadedScenario> load_with_library(const std::string& path, const std::string& library,
                                                const ReadLimits& limits, Diagnostics& out, LoadStatus& status);

// Adds the --library FILE option (the attack-step library file applied over the scenario's).
void add_library_option(CLI::App* sub, std::string& library);

// --max-file-size BYTES, the same on every verb that reads files: refuse any file larger
// than this (default ReadLimits{}.max_file_bytes, 1 GiB) without reading it.
void add_max_file_size_option(CLI::App* sub, std::uint64_t& max_file_bytes);

// Loads and validates `path` (with the --library file `library`, if any); prints every
// problem. On failure returns nullopt and sets `exit_code` (1 invalid, 2 unreadable)
// after telling the user nothing was done.
std::optional<LoadedScenario> load_valid(const char* verb, const std::string& path, const std::string& library,
                                         std::uint64_t max_file_bytes, int& exit_code);

// A verb defined in its own file: registers its subcommand on `app` and returns what
// runs it once the command line has chosen it (its exit code).
struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

Command add_optimise(CLI::App& app);  // optimise.cpp: the control portfolio
Command add_compare(CLI::App& app);   // compare.cpp: scenarios × baselines side by side
Command add_import(CLI::App& app);    // import.cpp: a scenario from an inventory of CSV files
Command add_export(CLI::App& app);    // import.cpp: a scenario as an inventory of CSV files

}  // namespace cpsf::cli
