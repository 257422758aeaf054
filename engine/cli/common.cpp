#include "cli/common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cpsf/io/write.hpp"
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

std::optional<LoadedScenario> load_valid(const char* verb, const std::string& path, std::uint64_t max_file_bytes,
                                         int& exit_code) {
  ReadLimits limits;
  limits.max_file_bytes = max_file_bytes;
  Diagnostics diagnostics;
  LoadStatus status{};
  auto loaded = load_scenario(path, diagnostics, status, limits);
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
