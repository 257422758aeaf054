#include "cpsf/io/parse.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wire_format_lite.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
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

// Whether a binary parse of a file's bytes kept any unknown field, decided from the
// bytes: a field number the type does not declare, or one whose wire type the parser
// would not take for it. Reflection (UnknownFieldReporter) costs about 3 s over the 10^7
// relations of a 10^6-asset scenario, and so does protobuf's CodedInputStream; this reads
// the file in blocks (never whole) and decodes the wire format by hand, so the walk runs
// only when there is something to report. Anything it cannot follow counts as found:
// it never hides what the walk would report.
class UnknownFieldDetector {
 public:
  explicit UnknownFieldDetector(const pb::Descriptor& type) : root_(type_of(type)) {}

  // The top level in blocks: each of its fields (a scenario's entities) is decoded whole.
  bool found(int fd, std::uint64_t size) {
    fd_ = fd;
    size_ = size;
    unread_ = size;
    for (;;) {
      if (!fill(kMaxHead)) return true;
      if (begin_ == end_) return false;
      const std::uint8_t* p = buffer_.data() + begin_;
      const std::uint8_t* const end = buffer_.data() + end_;
      std::uint64_t tag = 0;
      std::uint64_t length = 0;
      const Field* f = nullptr;
      if (!varint(p, end, tag) || (f = field(root_, tag)) == nullptr) return true;
      if ((tag & 7u) != kLengthDelimited) {
        if (!skip_scalar(p, end, tag)) return true;
        begin_ += static_cast<std::size_t>(p - (buffer_.data() + begin_));
        continue;
      }
      if (!varint(p, end, length) || length > kMaxLength) return true;
      const std::size_t head_and_length = static_cast<std::size_t>(p - (buffer_.data() + begin_));
      if (!fill(head_and_length + length) || end_ - begin_ < head_and_length + length) return true;
      const std::uint8_t* body = buffer_.data() + begin_ + head_and_length;
      if (f->message != nullptr && scan(body, body + length, *f->message, 1)) return true;
      begin_ += head_and_length + static_cast<std::size_t>(length);
    }
  }

 private:
  static constexpr unsigned kLengthDelimited = 2;
  static constexpr std::size_t kMaxHead = 20;  // two varints: a tag and a length
  static constexpr std::uint64_t kMaxLength = INT32_MAX;
  struct Type;
  struct Field {
    std::uint8_t wire_types = 0;  // bit w set: wire type w parses into this field
    const Type* message = nullptr;
  };
  struct Type {
    std::vector<Field> by_number;  // index: field number; wire_types 0 where none is declared
  };

  const Type& type_of(const pb::Descriptor& descriptor) {
    using WFL = pb::internal::WireFormatLite;
    auto [it, fresh] = types_.try_emplace(&descriptor);
    Type& entry = it->second;  // stays put while the map grows below
    if (!fresh) return entry;
    int largest = 0;
    for (int i = 0; i < descriptor.field_count(); ++i) largest = std::max(largest, descriptor.field(i)->number());
    entry.by_number.resize(static_cast<std::size_t>(largest) + 1);
    for (int i = 0; i < descriptor.field_count(); ++i) {
      const pb::FieldDescriptor& f = *descriptor.field(i);
      Field& into = entry.by_number[static_cast<std::size_t>(f.number())];
      into.wire_types =
          static_cast<std::uint8_t>(1u << WFL::WireTypeForFieldType(static_cast<WFL::FieldType>(f.type())));
      if (f.is_packable()) into.wire_types |= 1u << kLengthDelimited;  // packed or not
    }
    for (int i = 0; i < descriptor.field_count(); ++i) {
      const pb::FieldDescriptor& f = *descriptor.field(i);
      if (f.type() == pb::FieldDescriptor::TYPE_MESSAGE)
        entry.by_number[static_cast<std::size_t>(f.number())].message = &type_of(*f.message_type());
    }
    return entry;
  }

  // The declared field a tag reads into, or nullptr when the parser would keep it unknown.
  static const Field* field(const Type& type, std::uint64_t tag) {
    const std::uint64_t number = tag >> 3;
    if (number >= type.by_number.size()) return nullptr;
    const Field& f = type.by_number[number];
    return (f.wire_types >> (tag & 7u) & 1u) != 0 ? &f : nullptr;
  }

  static bool varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      const std::uint8_t byte = *p++;
      value |= std::uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80u) == 0) return true;
    }
    return false;
  }

  static bool skip_scalar(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t tag) {
    std::uint64_t ignored = 0;
    switch (tag & 7u) {
      case 0:
        return varint(p, end, ignored);
      case 1:
        if (end - p < 8) return false;
        p += 8;
        return true;
      case 5:
        if (end - p < 4) return false;
        p += 4;
        return true;
      default:
        return false;  // groups: proto3 has none
    }
  }

  // One message's bytes, whole in memory.
  bool scan(const std::uint8_t* p, const std::uint8_t* end, const Type& type, int depth) {
    if (depth > 100) return true;  // deeper than protobuf parses
    while (p < end) {
      std::uint64_t tag = 0;
      const Field* f = nullptr;
      if (!varint(p, end, tag) || (f = field(type, tag)) == nullptr) return true;
      if ((tag & 7u) != kLengthDelimited) {
        if (!skip_scalar(p, end, tag)) return true;
        continue;
      }
      std::uint64_t length = 0;
      if (!varint(p, end, length) || length > static_cast<std::uint64_t>(end - p)) return true;
      if (f->message != nullptr && scan(p, p + length, *f->message, depth + 1)) return true;
      p += length;
    }
    return false;
  }

  // Makes `want` bytes (or all that are left) available from begin_; false on a read error.
  bool fill(std::uint64_t want) {
    if (end_ - begin_ >= want || unread_ == 0) return true;
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    const std::uint64_t capacity = std::max<std::uint64_t>({want, kBlock, buffer_.size()});
    if (capacity > buffer_.size()) buffer_.resize(static_cast<std::size_t>(capacity));
    while (end_ < want && unread_ > 0) {
      const std::size_t room = std::min<std::uint64_t>(buffer_.size() - end_, unread_);
      const auto at = static_cast<off_t>(size_ - unread_);
      const ssize_t got = ::pread(fd_, buffer_.data() + end_, room, at);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      end_ += static_cast<std::size_t>(got);
      unread_ -= static_cast<std::uint64_t>(got);
    }
    return true;
  }

  static constexpr std::uint64_t kBlock = std::uint64_t{1} << 22;
  std::unordered_map<const pb::Descriptor*, Type> types_;
  const Type& root_;
  std::vector<std::uint8_t> buffer_;
  std::size_t begin_ = 0;  // the next unread byte of buffer_
  std::size_t end_ = 0;    // one past the last byte read into buffer_
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t unread_ = 0;  // bytes of the file not yet read (from offset size_ - unread_)
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

bool may_have_unknown_fields(int fd, std::uint64_t size, const pb::Descriptor& type) {
  return UnknownFieldDetector(type).found(fd, size);
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
