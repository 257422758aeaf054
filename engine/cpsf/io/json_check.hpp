// Checks a JSON document against a protobuf message type before protobuf converts it.
//
// protobuf's own JSON parser stops at the first problem and gives no line numbers.
// This reader walks the document once with the message descriptor and reports, each
// at its line and column: syntax errors (then stops), and every unknown field, unknown
// enum value, value of the wrong type, duplicate key and oneof with two members.
#pragma once

#include <string>
#include <string_view>

namespace google::protobuf {
class Descriptor;
}

namespace cpsf {

class Diagnostics;
class SourceMap;

// Nesting deeper than this is refused (untrusted input must not exhaust the stack).
inline constexpr int kMaxJsonDepth = 64;

// Returns true when the document is well-formed JSON and fits `type`. When `map` is
// given, records where every field path is written.
bool check_json(std::string_view text, const google::protobuf::Descriptor& type, const std::string& file,
                Diagnostics& out, SourceMap* map = nullptr);

}  // namespace cpsf
