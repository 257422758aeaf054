// libFuzzer target: any bytes, as a scenario file in any of the three formats, must load
// and validate without a crash, a hang or a sanitizer report (DESIGN §8).
//
//   bash tests/fuzz/run.sh [SECONDS]     (clang's libFuzzer with ASan + UBSan)
//
// The first byte picks the format; the rest is the file. Files go to a private
// directory under /dev/shm so includes (relative, inside it) are exercised too.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cpsf/scenario_io.hpp"
#include "cpsf/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::path("/dev/shm") / ("cpsf-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  static const char* const names[] = {"s.textproto", "s.json", "s.pb"};
  const auto path = dir / names[data[0] % 3];
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  cpsf::Diagnostics diagnostics;
  cpsf::LoadStatus status{};
  cpsf::ReadLimits limits;
  limits.max_file_bytes = 1 << 20;
  if (auto loaded = cpsf::load_scenario(path.string(), diagnostics, status, limits)) {
    cpsf::validate(*loaded, diagnostics);
  }
  for (const auto& d : diagnostics.items()) {
    if (d.message.empty()) __builtin_trap();  // every problem must say what is wrong
  }
  return 0;
}
