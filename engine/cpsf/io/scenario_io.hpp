// Reading and writing scenario files in the three formats, with includes.
//
// Every file is untrusted: the reader refuses directories, special files and files
// over a size limit without reading them, refuses binary garbage in text formats,
// and reports every unknown field or enum value with its line. Includes resolve only
// inside the top-level scenario's directory tree; cycles are refused.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/arena.h>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace google::protobuf {
class Message;
}

namespace cpsf {

enum class Format : std::uint8_t { Text, Json, Binary };

// By extension: .textproto/.txtpb/.pbtxt → Text, .json → Json, .pb/.binpb → Binary.
std::optional<Format> format_from_path(std::string_view path);
std::string_view format_name(Format format);
// "text", "textproto", "json", "binary", "pb" (for --to options).
std::optional<Format> format_from_name(std::string_view name);
inline constexpr const char* kFormatExtensionsHelp =
    ".textproto, .txtpb or .pbtxt (protobuf text format), .json (JSON), .pb or .binpb (binary)";

struct ReadLimits {
  // Files over this many bytes are refused without being read (docs/scenario-format.md).
  std::uint64_t max_file_bytes = std::uint64_t{1} << 30;  // 1 GiB; protobuf itself stops at 2 GiB
  int max_include_depth = 16;
  int max_files = 256;  // files in one scenario, top-level included
};

// Outcome class of a load: decides the command line's exit code.
enum class LoadStatus : std::uint8_t {
  Ok,       // parsed (semantic validation is separate)
  Invalid,  // the content is wrong: syntax, unknown fields, bad includes (exit 1)
  IoError,  // the top-level file is missing, unreadable, a directory or too large (exit 2)
};

// One file of a scenario as read, kept so that diagnostics can be placed on its lines.
struct SourceFile {
  std::string path;     // as given (top-level) or as resolved (includes)
  Format format = Format::Text;
  std::string content;  // kept for text formats only
};

// Where an entity of the merged scenario came from.
struct EntityOrigin {
  std::uint32_t file = 0;   // index into LoadedScenario::files
  std::uint32_t index = 0;  // index in that file's list
};

// A scenario as loaded. The message lives on a protobuf Arena that this object owns:
// parsing 10^7 small messages onto an arena is several times faster than onto the heap,
// and freeing them is releasing the arena's blocks. References to scenario() are valid
// while this object lives (moves keep them: the arena moves as a whole). A message that
// must outlive it is a copy (v1::Scenario copy = loaded.scenario()); std::move of an
// arena message into a heap message copies too.
class LoadedScenario {
 public:
  LoadedScenario();  // an empty scenario on a fresh arena
  LoadedScenario(LoadedScenario&& other) noexcept;
  LoadedScenario& operator=(LoadedScenario&& other) noexcept;
  LoadedScenario(const LoadedScenario&) = delete;
  LoadedScenario& operator=(const LoadedScenario&) = delete;
  ~LoadedScenario();

  // The top-level file with its includes merged in.
  [[nodiscard]] const v1::Scenario& scenario() const { return *scenario_; }
  [[nodiscard]] v1::Scenario* mutable_scenario() { return scenario_; }
  // Messages created here can be moved into scenario() without copying.
  [[nodiscard]] google::protobuf::Arena* arena() const { return arena_.get(); }

  std::vector<SourceFile> files;  // files[0] is the top-level file
  // Origin of every element of each repeated entity list, keyed by field name
  // ("assets", "relations", ...). Lists absent here come wholly from files[0].
  std::map<std::string, std::vector<EntityOrigin>, std::less<>> origins;

  // File and field path of element `index` of list `list` in the merged scenario.
  [[nodiscard]] std::pair<const std::string*, std::string> where(std::string_view list,
                                                                 int index) const;

 private:
  // scenario_ is allocated on arena_ and freed with it, never deleted on its own; a
  // moved-from object holds neither.
  std::unique_ptr<google::protobuf::Arena> arena_;
  v1::Scenario* scenario_ = nullptr;
};

// Reads one file of any message type in the format its extension names.
LoadStatus read_message_file(const std::string& path, google::protobuf::Message& message,
                             Diagnostics& out, const ReadLimits& limits = {},
                             SourceFile* keep = nullptr);

// Parses a binary scenario held in memory (the bytes of a .pb file, or a plain
// SerializeToString): an integrity record at its start is checked as a file's is, and
// any record is dropped. False, with a diagnostic naming `name`, when the bytes were cut,
// altered or do not parse. (No warning when there is no record: in memory, plain bytes
// are the usual case.)
bool parse_binary_scenario(std::string_view bytes, v1::Scenario& scenario, const std::string& name,
                           Diagnostics& out);

// Loads a scenario and its includes. Returns nothing when the scenario cannot be
// assembled; `status` says why. Semantic validation is validate().
std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& out,
                                            LoadStatus& status, const ReadLimits& limits = {});

// Wraps a scenario built in memory (e.g. from Python) for validation. The scenario is
// copied onto the result's arena; to avoid the copy, build or parse it in place in
// in_memory_scenario(name).mutable_scenario().
LoadedScenario in_memory_scenario(const v1::Scenario& scenario, std::string name = "<memory>");
LoadedScenario in_memory_scenario(std::string name = "<memory>");

// Serialises in `format`. Text and JSON end with a newline. A Scenario in binary starts
// with its integrity record (scenario.proto, FileIntegrity); a record the message holds
// is never written as it is.
std::string serialise(const google::protobuf::Message& message, Format format);

// The integrity record of a binary scenario: `kIntegrityRecordBytes` bytes saying the
// length and CRC-32C of `body`, the serialised scenario that follows it in the file.
inline constexpr std::size_t kIntegrityRecordBytes = 17;
inline constexpr char kIntegrityTag[3] = {'\xFA', '\x7F', '\x0E'};  // field 2047, length-delimited, 14 bytes
std::string integrity_record(std::string_view body);

// Writes `bytes` to `path`, by what is there (docs/cli.md, "Writing files"):
// - nothing, or a regular file: atomically, a temporary file beside it, then a rename
//   (a replaced file keeps its permissions);
// - a symbolic link: followed, and its target written by these rules; the link stays;
// - a FIFO or a character device (/dev/null, a terminal): opened and written, never
//   replaced (a FIFO waits for its reader);
// - a descriptor of this process (/dev/stdout, /dev/fd/N, /proc/self/fd/N): written to;
// - a directory, a block device or a socket: refused.
// Returns an error message naming `path` (e.g. "No space left on device" from
// /dev/full), empty on success.
std::string write_file_atomically(const std::string& path, std::string_view bytes);

// Fills line and column of each diagnostic that names one of `files` and has a path.
void place_diagnostics(Diagnostics& diagnostics, const std::vector<SourceFile>& files);

}  // namespace cpsf
