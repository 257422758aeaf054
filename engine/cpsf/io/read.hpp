// Reading one file of a scenario (or of any message type) in the format its extension
// names.
//
// Every file is untrusted: the reader refuses directories, special files and files
// over a size limit without reading them, refuses binary garbage in text formats, and
// reports every unknown field or enum value with its line (parse.hpp). A binary
// scenario's integrity record is checked before it is parsed (integrity.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/format.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace cpsf {

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
  std::string path;  // as given (top-level) or as resolved (includes)
  Format format = Format::Text;
  std::string content;  // kept for text formats only
  // The file's message type, for placing its diagnostics: nullptr for a Scenario (or an
  // include fragment), StepLibrary's for a --library file.
  const google::protobuf::Descriptor* type = nullptr;
};

// Reads one file of any message type in the format its extension names.
LoadStatus read_message_file(const std::string& path, google::protobuf::Message& message, Diagnostics& out,
                             const ReadLimits& limits = {}, SourceFile* keep = nullptr);

// Parses a binary scenario held in memory (the bytes of a .pb file, or a plain
// SerializeToString): an integrity record at its start is checked as a file's is, and
// any record is dropped. False, with a diagnostic naming `name`, when the bytes were cut,
// altered or do not parse. (No warning when there is no record: in memory, plain bytes
// are the usual case.)
bool parse_binary_scenario(std::string_view bytes, v1::Scenario& scenario, const std::string& name, Diagnostics& out);

}  // namespace cpsf
