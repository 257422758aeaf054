#include "cpsf/io/parse.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cpsf/base/field_path.hpp"
#include "cpsf/base/utf8.hpp"
#include "cpsf/io/json_check.hpp"
#include "cpsf/io/read.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

constexpr int kMaxTextDepth = 64;

// Turns protobuf's text-parser messages into diagnostics, rewording the common ones
// (unknown field, unknown enum value) to say what would be right.
class TextErrors : public pb::io::ErrorCollector {
 public:
  TextErrors(const std::string& file, std::string_view content, const pb::Descriptor& root, Diagnostics& out)
      : file_(file), content_(content), root_(root), out_(out) {}
  void AddError(int line, int column, const std::string& message) override { add(line, column, message); }
  // Unknown fields arrive here (AllowUnknownField): an error for us, and parsing goes
  // on so that every unknown field in the file is reported.
  void AddWarning(int line, int column, const std::string& message) override { add(line, column, message); }
  int count = 0;

 private:
  static std::string between_quotes(const std::string& s, std::size_t from) {
    const auto a = s.find('"', from);
    if (a == std::string::npos) return {};
    const auto b = s.find('"', a + 1);
    return b == std::string::npos ? std::string{} : s.substr(a + 1, b - a - 1);
  }

  // The enum type of a field called `name` anywhere under the root message.
  const pb::EnumDescriptor* enum_of_field(const pb::Descriptor& type, const std::string& name, int depth = 0) {
    if (depth > 8) return nullptr;
    for (int i = 0; i < type.field_count(); ++i) {
      const auto* f = type.field(i);
      if (f->name() == name && f->enum_type() != nullptr) return f->enum_type();
      if (f->message_type() != nullptr) {
        if (const auto* e = enum_of_field(*f->message_type(), name, depth + 1)) return e;
      }
    }
    return nullptr;
  }

  void add(int line, int column, const std::string& message) {
    ++count;
    std::string what = message;
    std::string hint = "correct the text format at this position (docs/scenario-format.md)";
    if (message.rfind("Message type ", 0) == 0 && message.find("has no field named") != std::string::npos) {
      const std::string type_name = between_quotes(message, 0);
      const std::string field = between_quotes(message, message.find("has no field named"));
      const auto* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
      what = "unknown field \"" + field + "\" in " + (type ? type->name() : type_name);
      point_back_at(field, line, column);
      hint = "check the spelling (docs/scenario-format.md)";
      if (type != nullptr) {
        hint += "; fields of " + type->name() + ": ";
        for (int i = 0; i < type->field_count(); ++i) hint += (i ? ", " : "") + type->field(i)->name();
      }
    } else if (message.find("Unknown enumeration value") != std::string::npos) {
      const std::string value = between_quotes(message, 0);
      const std::string field = between_quotes(message, message.find("for field"));
      what = "unknown value \"" + value + "\" for field \"" + field + "\"";
      point_back_at(value, line, column);
      hint = "use one of the values in docs/scenario-format.md";
      if (const auto* e = enum_of_field(root_, field)) {
        hint = "use one of: ";
        bool first = true;
        for (int i = 0; i < e->value_count(); ++i) {
          if (e->value(i)->name().find("UNSPECIFIED") != std::string::npos) continue;
          hint += (first ? "" : ", ") + e->value(i)->name();
          first = false;
        }
      }
    } else {
      what = "syntax error: " + message;
    }
    out_.add(Diagnostic{Severity::Error, file_, line + 1, column + 1, "", "", what, hint});
  }
  // protobuf reports an unknown field or enum value at the token after it; point at it.
  void point_back_at(const std::string& token, int& line, int& column) const {
    std::size_t offset = 0;
    for (int l = 0; l < line && offset != std::string_view::npos; ++l) {
      offset = content_.find('\n', offset);
      if (offset != std::string_view::npos) ++offset;
    }
    if (offset == std::string_view::npos) return;
    offset += static_cast<std::size_t>(column);
    const auto at = content_.rfind(token, std::min(offset, content_.size()));
    if (at == std::string_view::npos) return;
    line = 0;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (content_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    column = static_cast<int>(at - line_start);
  }

  const std::string& file_;
  std::string_view content_;
  const pb::Descriptor& root_;
  Diagnostics& out_;
};

// Unknown fields survive binary parsing; a newer schema or garbage put them there.
// The walk visits every message of the file (tens of millions in a large scenario), so
// it looks only at message-typed fields, found once per type, and spells out a path only
// for what it reports.
class UnknownFieldReporter {
 public:
  UnknownFieldReporter(const std::string& file, Diagnostics& out) : file_(file), out_(out) {}

  void visit(const pb::Message& message) { visit(message, type_of(*message.GetDescriptor())); }

 private:
  // The message-typed fields of a type by number (the order ListFields reports in),
  // each with its own type's.
  struct Type {
    std::vector<std::pair<const pb::FieldDescriptor*, const Type*>> fields;
  };

  const Type& type_of(const pb::Descriptor& descriptor) {
    auto [it, fresh] = types_.try_emplace(&descriptor);
    Type& entry = it->second;  // stays put while the map grows below
    if (fresh) {
      std::vector<const pb::FieldDescriptor*> fields;
      for (int i = 0; i < descriptor.field_count(); ++i) {
        if (descriptor.field(i)->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
          fields.push_back(descriptor.field(i));
      }
      std::sort(fields.begin(), fields.end(), [](const auto* a, const auto* b) { return a->number() < b->number(); });
      for (const auto* field : fields) entry.fields.emplace_back(field, &type_of(*field->message_type()));
    }
    return entry;
  }

  void visit(const pb::Message& message, const Type& type) {
    const pb::Reflection* reflection = message.GetReflection();
    const pb::UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
    for (int i = 0; i < unknown.field_count() && budget_ > 0; ++i, --budget_) {
      out_.error(file_, path_.str(), "",
                 "unknown field number " + std::to_string(unknown.field(i).number()) + " in " +
                     message.GetDescriptor()->name(),
                 "the file was written by a newer cpsf or is not a cpsf scenario; check its origin");
    }
    for (const auto& [field, field_type] : type.fields) {
      if (field->is_repeated()) {
        const int n = reflection->FieldSize(message, field);
        for (int k = 0; k < n && budget_ > 0; ++k) {
          path_.push(field, k);
          visit(reflection->GetRepeatedMessage(message, field, k), *field_type);
          path_.pop();
        }
      } else if (reflection->HasField(message, field)) {
        path_.push(field);
        visit(reflection->GetMessage(message, field), *field_type);
        path_.pop();
      }
    }
  }

  const std::string& file_;
  Diagnostics& out_;
  int budget_ = 20;  // garbage can hold thousands of unknown fields; a few make the point
  FieldPath path_;
  std::unordered_map<const pb::Descriptor*, Type> types_;
};

// ---- strings that are not UTF-8 ----------------------------------------------------------
// protobuf's `string` must hold UTF-8, and the JSON and CSV writers depend on it (the
// JSON printer drops what is not, so `convert` would lose it silently). The binary parser
// refuses such a string; a text-format escape (\xff, \377) makes one. Refused on reading,
// in every format, naming the field, the entity and the byte; validate() checks the
// same for scenarios built in memory.

constexpr const char* kUtf8Hint =
    "scenario text must be UTF-8: write the character itself (or a \\u escape), not a byte escape such as \\xff";

// What diagnostics call an element of a top-level list: "asset", "dependency".
std::string noun_of(const pb::Descriptor& type) {
  if (&type == v1::SupplyDependency::descriptor()) return "dependency";
  std::string noun = type.name();
  std::transform(noun.begin(), noun.end(), noun.begin(), [](unsigned char c) { return std::tolower(c); });
  return noun;
}

// "asset 'x'", "dependency 'a' on 'b'", or "asset #3" for an element of a top-level list;
// as validate() labels them.
std::string entity_label(const pb::Message& item, int index) {
  const pb::Descriptor* d = item.GetDescriptor();
  const pb::Reflection* r = item.GetReflection();
  const auto string_field = [&](const char* name) -> std::optional<std::string> {
    const pb::FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr || f->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING || f->is_repeated()) return std::nullopt;
    return "'" + printable_utf8(r->GetString(item, f)) + "'";
  };
  if (d == v1::SupplyDependency::descriptor()) {
    return "dependency " + string_field("customer").value_or("") + " on " + string_field("supplier").value_or("");
  }
  const std::string noun = noun_of(*d);
  const auto id = string_field("id");
  if (id && *id != "''") return noun + " " + *id;
  return noun + " #" + std::to_string(index);
}

std::string invalid_utf8_message(const std::string& field, std::string_view value, std::size_t at) {
  return field + " is not valid UTF-8: byte " + byte_hex(static_cast<unsigned char>(value[at])) + " at offset " +
         std::to_string(at);
}

// Reports every string of a parsed message (the first 20) that is not UTF-8.
class InvalidStringReporter {
 public:
  InvalidStringReporter(const std::string& file, Diagnostics& out) : file_(file), out_(out) {}

  void visit(const pb::Message& message, const std::string& entity = "") {
    const pb::Reflection* r = message.GetReflection();
    const pb::Descriptor* d = message.GetDescriptor();
    for (int i = 0; i < d->field_count() && budget_ > 0; ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      const bool top = path_.empty() && d == v1::Scenario::descriptor();
      const int count = f->is_repeated() ? r->FieldSize(message, f) : 1;
      for (int k = 0; k < count && budget_ > 0; ++k) {
        const int at = f->is_repeated() ? k : -1;
        if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
          std::string scratch;
          const std::string& v = at < 0 ? r->GetStringReference(message, f, &scratch)
                                        : r->GetRepeatedStringReference(message, f, k, &scratch);
          const std::size_t bad = invalid_utf8_at(v);
          if (bad == std::string_view::npos) continue;
          path_.push(f, at);
          out_.error(file_, path_.str(), top ? "scenario" : entity, invalid_utf8_message(f->name(), v, bad), kUtf8Hint);
          path_.pop();
          --budget_;
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
          if (at < 0 && !r->HasField(message, f)) continue;
          const pb::Message& sub = at < 0 ? r->GetMessage(message, f) : r->GetRepeatedMessage(message, f, k);
          path_.push(f, at);
          visit(sub, top ? (at < 0 ? f->name() : entity_label(sub, k)) : entity);
          path_.pop();
        }
      }
    }
  }
  [[nodiscard]] bool found() const { return budget_ < kBudget; }

 private:
  static constexpr int kBudget = 20;
  const std::string& file_;
  Diagnostics& out_;
  int budget_ = kBudget;
  FieldPath path_;
};

// protobuf's binary parser refuses a string that is not UTF-8 but says only which field
// type held it. Finds the first such string in the wire format: its field path, entity and
// offsets. Only run on a file that failed to parse, so it reads the file again.
struct InvalidWireString {
  std::string path, entity, field, value;
  std::size_t at = 0;             // offset in the string
  std::uint64_t file_offset = 0;  // of the string's first byte
};

class WireStringScanner {
 public:
  explicit WireStringScanner(const std::string& bytes) : bytes_(bytes) {}

  std::optional<InvalidWireString> scan(const pb::Descriptor& type) {
    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes_.data()), static_cast<int>(bytes_.size()));
    in.SetTotalBytesLimit(INT32_MAX);
    found_.reset();
    scan_message(in, type, "", "", 0);
    return found_;
  }

 private:
  using WFL = pb::internal::WireFormatLite;

  // Returns false to stop (found, or the bytes do not parse).
  bool scan_message(pb::io::CodedInputStream& in, const pb::Descriptor& type, const std::string& prefix,
                    const std::string& entity, int depth) {
    if (depth > 100) return false;
    std::unordered_map<int, int> seen;  // field number → elements so far (repeated index)
    const bool top = depth == 0;
    for (;;) {
      const std::uint32_t tag = in.ReadTag();
      if (tag == 0) return true;
      const pb::FieldDescriptor* f = type.FindFieldByNumber(static_cast<int>(WFL::GetTagFieldNumber(tag)));
      if (f == nullptr || WFL::GetTagWireType(tag) != WFL::WIRETYPE_LENGTH_DELIMITED ||
          (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING &&
           f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE)) {
        if (!WFL::SkipField(&in, tag)) return false;
        continue;
      }
      const int index = seen[f->number()]++;
      std::string path = prefix.empty() ? f->name() : prefix + "." + f->name();
      if (f->is_repeated()) path += "[" + std::to_string(index) + "]";
      std::uint32_t length = 0;
      if (!in.ReadVarint32(&length)) return false;
      const auto start = static_cast<std::uint64_t>(in.CurrentPosition());
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
        std::string value;
        if (!in.ReadString(&value, static_cast<int>(length))) return false;
        if (depth == 1 && f->name() == "id") entity_id_ = value;
        const std::size_t bad = invalid_utf8_at(value);
        if (bad != std::string_view::npos) {
          found_ = InvalidWireString{path, top ? "scenario" : entity, f->name(), value, bad, start};
          return false;
        }
        continue;
      }
      const auto limit = in.PushLimit(static_cast<int>(length));
      if (top) entity_id_.reset();
      const bool go_on = scan_message(in, *f->message_type(), path, top ? f->name() : entity, depth + 1);
      if (found_ && top && f->is_repeated()) {
        // Named as validate() names it: by its id when that came first and is UTF-8.
        const std::string noun = noun_of(*f->message_type());
        if (found_->path == path + ".id") {
          found_->entity = noun + " '" + printable_utf8(found_->value) + "'";
        } else if (entity_id_ && !entity_id_->empty() && is_utf8(*entity_id_)) {
          found_->entity = noun + " '" + *entity_id_ + "'";
        } else {
          found_->entity = noun + " #" + std::to_string(index);
        }
      }
      if (!go_on) return false;
      in.PopLimit(limit);
    }
  }

  const std::string& bytes_;
  std::optional<InvalidWireString> found_;
  std::optional<std::string> entity_id_;  // the id of the top-level list element being scanned
};

// protobuf's text parser recurses without limit while skipping unknown fields, so deep
// nesting in an untrusted file would overflow the stack: refuse it before parsing.
bool text_nesting_within_limit(const std::string& path, std::string_view text, Diagnostics& out) {
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\')
        ++i;
      else if (c == quote || c == '\n')
        quote = 0;
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{' || c == '<' || c == '[') {
      if (++depth > kMaxTextDepth) {
        const auto at = location_of(text, i);
        out.add(Diagnostic{Severity::Error, path, at.line, at.column, "", "",
                           "nesting deeper than " + std::to_string(kMaxTextDepth) + " levels",
                           "a scenario nests a few levels at most; check for unbalanced braces"});
        return false;
      }
    } else if (c == '}' || c == '>' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

SourceLocation location_of(std::string_view text, std::size_t at) {
  SourceLocation loc{1, 1};
  for (std::size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

bool parse_text(const std::string& path, const std::string& content, pb::Message& message, Diagnostics& out) {
  if (!text_nesting_within_limit(path, content, out)) return false;
  if (content.size() > static_cast<std::size_t>(INT32_MAX)) {
    out.error(path, "", "", "text file too large for the protobuf text parser (over 2 GiB)",
              "store the scenario in binary (.pb)");
    return false;
  }
  TextErrors errors(path, content, *message.GetDescriptor(), out);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(true);
  const bool parsed = parser.ParseFromString(content, &message);
  if (!parsed || errors.count != 0) return false;
  Diagnostics found;
  InvalidStringReporter strings(path, found);
  strings.visit(message);
  if (!strings.found()) return true;
  // Placed here: a file that fails to load is not among those load_scenario places.
  place_diagnostics(found, {SourceFile{path, Format::Text, content, message.GetDescriptor()}});
  out.append(found);
  return false;
}

bool parse_json(const std::string& path, const std::string& content, pb::Message& message, Diagnostics& out) {
  if (!check_json(content, *message.GetDescriptor(), path, out)) return false;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = pb::util::JsonStringToMessage(content, &message, options);
  if (!status.ok()) {
    out.error(path, "", "", "JSON does not fit the schema: " + std::string(status.message()),
              "compare the file with docs/scenario-format.md");
    return false;
  }
  return true;
}

void report_unknown_fields(const std::string& path, const pb::Message& message, Diagnostics& out) {
  UnknownFieldReporter(path, out).visit(message);
}

bool report_invalid_wire_string(const std::string& path, const std::string& bytes, const pb::Descriptor& type,
                                Diagnostics& out) {
  const auto bad = WireStringScanner(bytes).scan(type);
  if (!bad) return false;
  out.error(path, bad->path, bad->entity,
            invalid_utf8_message(bad->field, bad->value, bad->at) + " (byte " +
                std::to_string(bad->file_offset + bad->at) + " of the file)",
            "strings must be UTF-8, and the tool that wrote this file did not check them: correct the "
            "string at its source and write the file again");
  return true;
}

}  // namespace cpsf
