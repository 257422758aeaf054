#include "cpsf/io/source_map.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <memory>

#include "cpsf/io/json_check.hpp"
#include "cpsf/io/read.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

namespace pb = google::protobuf;

SourceLocation SourceMap::find(std::string_view path) const {
  std::string key(path);
  while (true) {
    if (auto it = locations_.find(key); it != locations_.end()) return it->second;
    const auto cut = key.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) return {};
    key.resize(cut);
  }
}

void SourceMap::only_for(const std::vector<std::string>& paths) {
  for (std::string key : paths) {
    while (!key.empty()) {
      wanted_.insert(key);
      const auto cut = key.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) break;
      key.resize(cut);
    }
  }
}

namespace {

class SilentCollector : public pb::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
  void AddWarning(int, int, const std::string&) override {}
};

void record(const pb::Message& message, const pb::TextFormat::ParseInfoTree& tree, const std::string& prefix,
            SourceMap& map) {
  const pb::Reflection* reflection = message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    const std::string base = prefix.empty() ? field->name() : prefix + "." + field->name();
    if (!map.wants(base)) continue;
    const bool is_message = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        const std::string element = base + "[" + std::to_string(i) + "]";
        if (i > 0 && !map.wants(element)) continue;
        const auto loc = tree.GetLocation(field, i);
        if (loc.line >= 0) {
          map.set(element, {loc.line + 1, loc.column + 1});
          if (i == 0) map.set(base, {loc.line + 1, loc.column + 1});
        }
        if (is_message) {
          if (const auto* nested = tree.GetTreeForNested(field, i)) {
            record(reflection->GetRepeatedMessage(message, field, i), *nested, element, map);
          }
        }
      }
    } else {
      const auto loc = tree.GetLocation(field, -1);
      if (loc.line >= 0) map.set(base, {loc.line + 1, loc.column + 1});
      if (is_message) {
        if (const auto* nested = tree.GetTreeForNested(field, -1)) {
          record(reflection->GetMessage(message, field), *nested, base, map);
        }
      }
    }
  }
}

}  // namespace

SourceMap text_format_source_map(std::string_view text, const pb::Descriptor& type,
                                 const std::vector<std::string>& only_for) {
  SourceMap map;
  map.only_for(only_for);
  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> message(factory.GetPrototype(&type)->New());
  pb::TextFormat::Parser parser;
  pb::TextFormat::ParseInfoTree tree;
  SilentCollector silent;
  parser.RecordErrorsTo(&silent);
  parser.AllowUnknownField(true);
  parser.WriteLocationsTo(&tree);
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) return map;
  parser.ParseFromString(std::string(text), message.get());
  record(*message, tree, "", map);
  return map;
}

void place_diagnostics(Diagnostics& diagnostics, const std::vector<SourceFile>& files) {
  for (const SourceFile& file : files) {
    if (file.format == Format::Binary) continue;
    std::vector<std::string> wanted;
    for (const auto& d : diagnostics.items()) {
      if (d.line == 0 && !d.path.empty() && d.file == file.path) wanted.push_back(d.path);
    }
    if (wanted.empty()) continue;
    SourceMap map;
    const pb::Descriptor& type = file.type != nullptr ? *file.type : *v1::Scenario::descriptor();
    if (file.format == Format::Text) {
      map = text_format_source_map(file.content, type, wanted);
    } else {
      Diagnostics ignored;
      map.only_for(wanted);
      check_json(file.content, type, file.path, ignored, &map);
    }
    for (auto& d : diagnostics.items()) {
      if (d.line != 0 || d.path.empty() || d.file != file.path) continue;
      const auto at = map.find(d.path);
      d.line = at.line;
      d.column = at.column;
    }
  }
}

}  // namespace cpsf
