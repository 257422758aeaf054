// Parsing a file's bytes, for read.cpp: the text and JSON parsers with every problem
// reported at its line and column, and the checks protobuf's binary parser leaves to
// the caller (unknown fields; which string is not UTF-8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/source_map.hpp"

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace cpsf {

// Parse `content` (the file `path`) into `message`; false, with every problem reported,
// when it does not parse or does not fit the message type.
bool parse_text(const std::string& path, const std::string& content, google::protobuf::Message& message,
                Diagnostics& out);
bool parse_json(const std::string& path, const std::string& content, google::protobuf::Message& message,
                Diagnostics& out);

// Line and column (1-based, characters) of byte offset `at`.
SourceLocation location_of(std::string_view text, std::size_t at);

// Reports the unknown fields a binary parse kept (the first 20), with their paths.
void report_unknown_fields(const std::string& path, const google::protobuf::Message& message, Diagnostics& out);

// Whether a binary parse of the first `size` bytes of the file `fd` (one message of
// `type`) kept any unknown field; true also for bytes it cannot follow or read. Reads
// the bytes (pread from offset 0; the file offset is left alone), not a parsed message:
// far cheaper than report_unknown_fields, which is worth running only when this says
// true. A file changed between the parse and this read is not caught.
bool may_have_unknown_fields(int fd, std::uint64_t size, const google::protobuf::Descriptor& type);

// After a binary parse of `bytes` (the file `path`) failed: reports the first string
// that is not UTF-8, with its field path, entity and offset; whether there was one.
bool report_invalid_wire_string(const std::string& path, const std::string& bytes,
                                const google::protobuf::Descriptor& type, Diagnostics& out);

}  // namespace cpsf
