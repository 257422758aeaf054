// Helpers shared by the C++ tests: scratch directories and diagnostic matchers.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/scenario_io.hpp"
#include "cpsf/validate/validate.hpp"

namespace cpsf::testing {

// The source tree's path (source_dir.cpp).
extern const char* const kSourceDir;

// The bundled default scenario (scenarios/default), loaded as `cpsf run` would; a copy on
// the heap, so it outlives the loader's arena.
inline v1::Scenario default_scenario() {
  Diagnostics d;
  LoadStatus status{};
  auto loaded = load_scenario(std::string(kSourceDir) + "/scenarios/default/scenario.textproto", d, status);
  EXPECT_TRUE(loaded);
  return loaded ? loaded->scenario() : v1::Scenario{};
}

// Every bundled scenario file (scenarios/**/scenario*.textproto) with its includes merged
// and its include list cleared, for the round trips of the importers and writers.
inline std::vector<std::pair<std::string, v1::Scenario>> bundled_scenarios() {
  std::vector<std::pair<std::string, v1::Scenario>> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(kSourceDir) + "/scenarios")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("scenario", 0) != 0 || entry.path().extension() != ".textproto") continue;
    Diagnostics d;
    LoadStatus status{};
    auto loaded = load_scenario(entry.path().string(), d, status);
    EXPECT_TRUE(loaded) << entry.path();
    if (!loaded) continue;
    loaded->mutable_scenario()->clear_include();
    out.emplace_back(entry.path().string(), loaded->scenario());
  }
  return out;
}

// A fresh directory under the system temp dir, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() / (std::string("cpsf-test-") + info->test_suite_name() + "-" +
                                                      info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `content` to `name` (subdirectories created) and returns its path.
  std::string write(const std::string& name, std::string_view content) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct Checked {
  LoadStatus status = LoadStatus::Ok;
  Diagnostics diagnostics;
  [[nodiscard]] std::string dump() const {
    std::string s;
    for (const auto& d : diagnostics.items()) s += d.format() + "\n";
    return s;
  }
};

// Loads and validates, as `cpsf validate` does.
inline Checked check(const std::string& path, const ReadLimits& limits = {}) {
  Checked c;
  auto loaded = load_scenario(path, c.diagnostics, c.status, limits);
  if (loaded) validate(*loaded, c.diagnostics);
  return c;
}

// True when some diagnostic of `severity` names `file` (by suffix), has `entity` and
// `message` as substrings, and (when line > 0) sits on `line`.
inline ::testing::AssertionResult Has(const Checked& c, Severity severity, std::string_view file,
                                      std::string_view entity, std::string_view message, int line = 0) {
  for (const auto& d : c.diagnostics.items()) {
    const bool file_ok =
        d.file.size() >= file.size() && d.file.compare(d.file.size() - file.size(), file.size(), file) == 0;
    if (d.severity == severity && file_ok && d.entity.find(entity) != std::string::npos &&
        d.message.find(message) != std::string::npos && (line == 0 || d.line == line) && !d.hint.empty()) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no " << (severity == Severity::Error ? "error" : "warning") << " in " << file
                                       << " line " << line << " for '" << entity << "' saying '" << message
                                       << "' (with a fix); got:\n"
                                       << c.dump();
}

inline ::testing::AssertionResult HasError(const Checked& c, std::string_view file, std::string_view entity,
                                           std::string_view message, int line = 0) {
  return Has(c, Severity::Error, file, entity, message, line);
}
inline ::testing::AssertionResult HasWarning(const Checked& c, std::string_view file, std::string_view entity,
                                             std::string_view message, int line = 0) {
  return Has(c, Severity::Warning, file, entity, message, line);
}

// A valid two-asset scenario that tests break one thing at a time.
inline constexpr std::string_view kMinimalScenario = R"(name: "minimal"
enterprises { id: "oem" daily_output: 1000 }
assets { id: "vpn" owner: "oem" layer: L3 element: SYSTEM exposure: 0.5 }
assets { id: "plm" owner: "oem" layer: L3 element: DATA loss { confidentiality: 100 } target: true }
relations { id: "r1" from: "vpn" to: "plm" layer: L3 kind: NETWORK step { p: 0.5 ttc { exponential { mean: 2 } } } }
)";

}  // namespace cpsf::testing
