// Where each field of a parsed file is written, so that problems found in the parsed
// message can be reported at file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace cpsf {

struct SourceLocation {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based, in characters; 0 = unknown
};

// Field path → location. Paths look like "assets[3].loss.integrity": repeated
// elements are indexed, nested fields joined by '.'.
class SourceMap {
 public:
  void set(const std::string& path, SourceLocation location) { locations_.emplace(path, location); }
  // Where `path` is written or, when it is not (a missing field), its nearest written
  // ancestor; {0, 0} when nothing on the path is written.
  [[nodiscard]] SourceLocation find(std::string_view path) const;
  [[nodiscard]] std::size_t size() const { return locations_.size(); }

 private:
  std::unordered_map<std::string, SourceLocation> locations_;
};

// Builds the map of a protobuf text-format document by parsing it again with location
// recording. Used only when there are diagnostics to place.
SourceMap text_format_source_map(std::string_view text, const google::protobuf::Descriptor& type);

}  // namespace cpsf
