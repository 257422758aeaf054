#include "cli/checkpoint.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "cli/common.hpp"
#include "cpsf/base/bytes.hpp"
#include "cpsf/base/crc32c.hpp"
#include "cpsf/base/limits.hpp"
#include "cpsf/base/version.hpp"
#include "cpsf/io/write.hpp"

namespace cpsf::cli {

namespace {

constexpr char kMagic[] = "CPSF-CHECKPOINT\n";  // 16 bytes, then the layout's version
constexpr std::uint32_t kLayout = 1;

void put_text(std::vector<std::uint8_t>& bytes, const std::string& text) {
  put_bytes(bytes, static_cast<std::uint64_t>(text.size()));
  bytes.insert(bytes.end(), text.begin(), text.end());
}

std::string take_text(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  const std::uint64_t n = take_count(bytes, at, 1, "checkpoint");
  std::string text(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                   bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
  at += n;
  return text;
}

std::string hex(std::uint64_t x) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, x);
  return text;
}

// What was written against what this run is: "" when the same, else the sentence that says so.
std::string difference(const CheckpointIdentity& file, const CheckpointIdentity& run) {
  if (file.engine != run.engine) {
    return "it was written by " + file.engine + " and this is " + run.engine +
           ": another build may give other numbers, so it cannot go on";
  }
  if (file.scenario != run.scenario) {
    return "it is of another scenario (or the same one changed since: digest " + file.scenario + ", now " +
           run.scenario + ")";
  }
  if (file.seed != run.seed) {
    return "it was written with seed " + std::to_string(file.seed) + " and this run has seed " +
           std::to_string(run.seed);
  }
  if (file.options != run.options) {
    return "it was written with other options (" + file.options + "; this run: " + run.options + ")";
  }
  return {};
}

}  // namespace

CheckpointIdentity checkpoint_identity(const v1::Scenario& scenario, const RunOptions& options) {
  CheckpointIdentity id;
  id.engine = std::string("cpsf ") + kEngineVersion + ", git " + kGitRevision;
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    scenario.SerializeToCodedStream(&coded);
  }
  const std::uint64_t digest =
      (std::uint64_t{crc32c(0, bytes.data(), bytes.size())} << 32) | crc32c(0x9E3779B9u, bytes.data(), bytes.size());
  id.scenario = hex(digest) + "-" + std::to_string(bytes.size());
  id.seed = options.seed;
  // Everything of RunOptions that changes a number, but the trial cap (a run may be resumed
  // to more trials) and the threads (which never change one).
  id.options = "horizon=" + (options.horizon ? format_number(*options.horizon) : std::string("scenario")) +
               ";no_horizon=" + std::to_string(options.no_horizon) + ";inherent=" + std::to_string(options.inherent) +
               ";paths=" + std::to_string(options.paths) + ";path_loss_threshold=" +
               (options.path_loss_threshold ? format_number(*options.path_loss_threshold) : std::string("none")) +
               ";target_rse=" + format_number(options.target_relative_stderr) +
               ";min_trials=" + std::to_string(options.min_trials);
  return id;
}

std::optional<std::vector<std::uint8_t>> read_checkpoint(const char* verb, const std::string& file,
                                                         const CheckpointIdentity& identity) {
  const auto fail = [&](const std::string& why, const char* fix) {
    std::fprintf(stderr, "cpsf %s: error: cannot resume from %s: %s (fix: %s)\n", verb, terminal_safe(file).c_str(),
                 terminal_safe(why).c_str(), fix);
    return std::nullopt;
  };
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("it cannot be opened", "give the file --checkpoint wrote");
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof kMagic + 8 || std::string(bytes.begin(), bytes.begin() + 16) != kMagic) {
    return fail("it is not a cpsf checkpoint", "give the file --checkpoint wrote");
  }
  const std::size_t body = bytes.size() - 4;
  std::size_t at = body;
  if (take_bytes<std::uint32_t>(bytes, at, "checkpoint") != crc32c(0, bytes.data(), body)) {
    return fail("it is damaged (its checksum does not match)", "run again without --resume");
  }
  try {
    at = 16;
    if (take_bytes<std::uint32_t>(bytes, at, "checkpoint") != kLayout) {
      return fail("its layout is not this version's", "run again without --resume");
    }
    CheckpointIdentity written;
    written.engine = take_text(bytes, at);
    written.scenario = take_text(bytes, at);
    written.seed = take_bytes<std::uint64_t>(bytes, at, "checkpoint");
    written.options = take_text(bytes, at);
    if (const std::string why = difference(written, identity); !why.empty()) {
      return fail(why, "resume with the scenario, seed and options it was written with, or run again without --resume");
    }
    const std::uint64_t size = take_count(bytes, at, 1, "checkpoint");
    if (at + size != body) return fail("it is damaged (its length does not match)", "run again without --resume");
    return std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                     bytes.begin() + static_cast<std::ptrdiff_t>(body));
  } catch (const std::runtime_error& e) {
    return fail(std::string("it is damaged (") + e.what() + ")", "run again without --resume");
  }
}

std::function<void(const std::vector<std::uint8_t>&, std::uint64_t)> checkpoint_writer(
    const char* verb, const std::string& file, const CheckpointIdentity& identity) {
  return [verb, file, identity, said = false](const std::vector<std::uint8_t>& state, std::uint64_t) mutable {
    std::vector<std::uint8_t> bytes(kMagic, kMagic + 16);
    put_bytes(bytes, kLayout);
    put_text(bytes, identity.engine);
    put_text(bytes, identity.scenario);
    put_bytes(bytes, identity.seed);
    put_text(bytes, identity.options);
    put_bytes(bytes, static_cast<std::uint64_t>(state.size()));
    bytes.insert(bytes.end(), state.begin(), state.end());
    put_bytes(bytes, crc32c(0, bytes.data(), bytes.size()));
    const std::string err =
        write_file_atomically(file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (!err.empty() && !said) {
      said = true;
      std::fprintf(stderr, "cpsf %s: warning: checkpoint not written: %s; the run goes on\n", verb,
                   terminal_safe(err).c_str());
    }
  };
}

}  // namespace cpsf::cli
