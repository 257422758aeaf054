#include "cli/common.hpp"

#include <cstdio>

#include "cpsf/validate.hpp"

namespace cpsf::cli {

void print(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics.items()) std::fprintf(stderr, "%s\n", d.format().c_str());
}

int exit_code_for(LoadStatus status) {
  switch (status) {
    case LoadStatus::Ok: return kExitOk;
    case LoadStatus::Invalid: return kExitInvalid;
    case LoadStatus::IoError: return kExitUsage;
  }
  return kExitInternal;
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int write_output(const char* verb, const std::string& path, const std::string& bytes) {
  if (path == "-") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitUsage;
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
