// Where each field of a parsed file is written, so that problems found in the parsed
// message can be reported at file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cpsf/base/diagnostics.hpp"

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
  // Records only the given paths and their ancestors (the ones find() may look up):
  // a large file with a few diagnostics then costs a few entries, not one per field.
  void only_for(const std::vector<std::string>& paths);
  // Whether `path` may lead to a recorded path (always, without only_for).
  [[nodiscard]] bool wants(const std::string& path) const { return wanted_.empty() || wanted_.count(path) != 0; }
  void set(const std::string& path, SourceLocation location) {
    if (wants(path)) locations_.emplace(path, location);
  }
  // Where `path` is written or, when it is not (a missing field), its nearest written
  // ancestor; {0, 0} when nothing on the path is written.
  [[nodiscard]] SourceLocation find(std::string_view path) const;
  [[nodiscard]] std::size_t size() const { return locations_.size(); }

 private:
  std::unordered_map<std::string, SourceLocation> locations_;
  std::unordered_set<std::string> wanted_;
};

// Builds the map of a protobuf text-format document by parsing it again with location
// recording. Used only when there are diagnostics to place.
// `only_for`: as SourceMap::only_for (empty: every field).
SourceMap text_format_source_map(std::string_view text, const google::protobuf::Descriptor& type,
                                 const std::vector<std::string>& only_for = {});

struct SourceFile;  // read.hpp

// Fills line and column of each diagnostic that names one of `files` and has a path.
void place_diagnostics(Diagnostics& diagnostics, const std::vector<SourceFile>& files);

}  // namespace cpsf
