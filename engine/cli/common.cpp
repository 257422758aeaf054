#include "cli/common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/mpi_ranks.hpp"
#include "cli/options.hpp"
#include "cpsf/base/limits.hpp"
#include "cpsf/io/write.hpp"
#include "cpsf/model/library_file.hpp"
#include "cpsf/validate/validate.hpp"

namespace cpsf::cli {

void print(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics.items()) std::fprintf(stderr, "%s\n", d.format().c_str());
}

int exit_code_for(LoadStatus status) {
  switch (status) {
    case LoadStatus::Ok:
      return kExitOk;
    case LoadStatus::Invalid:
      return kExitInvalid;
    case LoadStatus::IoError:
      return kExitUsage;
  }
  return kExitInternal;
}

std::string plural(std::size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

namespace {
bool g_stdout_lost_reported = false;  // said once on stderr, not again by finish_stdout

void report_lost_stdout(const char* verb, int error) {
  if (g_stdout_lost_reported) return;
  g_stdout_lost_reported = true;
  std::fprintf(stderr, "cpsf%s%s: error: cannot write to standard output: %s\n", *verb ? " " : "", verb,
               error != 0 ? std::strerror(error) : "the output was lost");
}
}  // namespace

void guard_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() takes the lowest free descriptor: this one, since those below are open.
    const int got = ::open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_NOCTTY);
    if (got >= 0 && got != fd) ::close(got);  // cannot happen; never leave a stray descriptor
  }
}

int finish_stdout(int code) {
  errno = 0;
  std::cout.flush();
  const int cout_error = std::cout.good() ? 0 : errno;
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = !flushed ? errno : cout_error;
  if (flushed && !std::ferror(stdout) && std::cout.good()) return code;
  report_lost_stdout("", error);
  return code == kExitOk || code == kExitInvalid ? kExitUsage : code;
}

int write_output(const char* verb, const std::string& path, const std::string& bytes) {
  if (!leads()) return kExitOk;  // rank 0 of an MPI job writes (mpi_ranks.hpp)
  if (path == "-") {
    errno = 0;
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
    int error = errno;
    if (std::fflush(stdout) == 0 && written && !std::ferror(stdout)) return kExitOk;
    if (error == 0) error = errno;
    report_lost_stdout(verb, error);
    return kExitUsage;
  }
  if (const std::string err = write_file_atomically(path, bytes); !err.empty()) {
    std::fprintf(stderr, "cpsf %s: error: %s\n", verb, terminal_safe(err).c_str());
    return kExitUsage;
  }
  return kExitOk;
}

int lock_output(const char* verb, const std::string& dir, bool create, OutputLock& lock) {
  if (!leads()) return kExitOk;
  if (const std::string err = lock.acquire(dir, create); !err.empty()) {
    std::fprintf(stderr, "cpsf %s: error: %s\n", verb, terminal_safe(err).c_str());
    return kExitUsage;
  }
  return kExitOk;
}

namespace {

// Test hook (docs/cli.md, "Output directories"): CPSF_TEST_FAIL_WRITE_AFTER_BYTES=N makes
// the writes into a staging directory fail as a full disk would after N bytes.
void apply_write_failure_hook() {
  const char* bytes = std::getenv("CPSF_TEST_FAIL_WRITE_AFTER_BYTES");
  if (bytes != nullptr && *bytes != '\0') OutputSet::fail_writes_after(std::strtoull(bytes, nullptr, 10));
}

// Writes the set; kExitOk, or the exit code after saying why not.
int stage_and_switch(const char* verb, OutputSet& set, const Files& files,
                     const std::function<int(OutputSet& set)>& more) {
  std::string err = set.begin();
  for (const auto& [name, text] : files) {
    if (!err.empty()) break;
    err = set.write(name, text);
  }
  if (err.empty() && more) {
    if (const int code = more(set); code != kExitOk) return code;
  }
  if (err.empty()) err = set.commit();
  for (const auto& w : set.warnings()) std::fprintf(stderr, "cpsf %s: warning: %s\n", verb, terminal_safe(w).c_str());
  if (err.empty()) return kExitOk;
  std::fprintf(stderr, "cpsf %s: error: %s\n", verb, terminal_safe(err).c_str());
  return kExitUsage;
}

const char* signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP"; }

}  // namespace

int write_output_set(const char* verb, OutputLock& lock, const Files& files,
                     const std::function<int(OutputSet& set)>& more) {
  if (!leads()) return kExitOk;
  apply_write_failure_hook();
  int code = kExitOk;
  {
    OutputSet set(lock);  // removes its staging directory, and ends the hold, when it goes
    code = stage_and_switch(verb, set, files, more);
  }
  const int sig = SignalHold::signal();
  if (sig == 0) return code;
  std::fprintf(stderr, "cpsf %s: interrupted (%s) while writing %s; %s\n", verb, signal_name(sig),
               terminal_safe(lock.given()).c_str(),
               code == kExitOk ? "it holds the new files, all of them" : "it is as it was");
  return 128 + sig;
}

std::optional<LoadedScenario> load_with_library(const std::string& path, const std::string& library,
                                                const ReadLimits& limits, Diagnostics& out, LoadStatus& status) {
  auto loaded = load_scenario(path, out, status, limits);
  if (!loaded || library.empty()) return loaded;
  SourceFile source;
  const auto file = read_library_file(library, source, out, status, limits);
  if (!file) return std::nullopt;
  apply_library_file(*loaded, *file, std::move(source));
  return loaded;
}

void add_max_file_size_option(CLI::App* sub, std::uint64_t& max_file_bytes) {
  sub->add_option("--max-file-size", max_file_bytes, "Refuse files larger than this many bytes")
      ->capture_default_str()
      ->transform(integer_in(limits::file_bytes));
}

void add_library_option(CLI::App* sub, std::string& library) {
  sub->add_option("--library", library,
                  "Attack-step library file (text, JSON or binary StepLibrary) applied over the bundled library and "
                  "the scenario's own (docs/library.md)")
      ->check(CLI::Validator(
          [](const std::string& path) {
            return path.empty() ? std::string("an empty path (fix: name a library file)") : std::string();
          },
          "FILE"));
}

std::optional<LoadedScenario> load_valid(const char* verb, const std::string& path, const std::string& library,
                                         std::uint64_t max_file_bytes, int& exit_code) {
  ReadLimits limits;
  limits.max_file_bytes = max_file_bytes;
  Diagnostics diagnostics;
  LoadStatus status{};
  auto loaded = load_with_library(path, library, limits, diagnostics, status);
  if (loaded) validate(*loaded, diagnostics);
  print(diagnostics);
  if (status != LoadStatus::Ok) {
    exit_code = exit_code_for(status);
    return std::nullopt;
  }
  if (diagnostics.has_errors()) {
    std::fprintf(stderr, "cpsf %s: %s is invalid (%s); nothing was run\n", verb, terminal_safe(path).c_str(),
                 plural(diagnostics.error_count(), "error").c_str());
    exit_code = kExitInvalid;
    return std::nullopt;
  }
  exit_code = kExitOk;
  return loaded;
}

}  // namespace cpsf::cli
