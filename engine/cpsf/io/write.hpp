// Writing: a message serialised in a format, and bytes written to a path atomically.
#pragma once

#include <string>
#include <string_view>

#include "cpsf/io/format.hpp"

namespace google::protobuf {
class Message;
}

namespace cpsf {

// Serialises in `format`. Text and JSON end with a newline. A Scenario in binary starts
// with its integrity record (scenario.proto, FileIntegrity); a record the message holds
// is never written as it is.
std::string serialise(const google::protobuf::Message& message, Format format);

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

}  // namespace cpsf
