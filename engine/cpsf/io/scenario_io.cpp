#include "cpsf/io/scenario_io.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wire_format_lite.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "cpsf/base/crc32c.hpp"
#include "cpsf/base/field_path.hpp"
#include "cpsf/io/json_check.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/base/utf8.hpp"

namespace cpsf {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

// ---- formats -------------------------------------------------------------------------

std::optional<Format> format_from_path(std::string_view path) {
  const std::string ext = fs::path(std::string(path)).extension().string();
  if (ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt") return Format::Text;
  if (ext == ".json") return Format::Json;
  if (ext == ".pb" || ext == ".binpb") return Format::Binary;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Text: return "text";
    case Format::Json: return "json";
    case Format::Binary: return "binary";
  }
  return "?";
}

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "text" || name == "textproto" || name == "txtpb") return Format::Text;
  if (name == "json") return Format::Json;
  if (name == "binary" || name == "pb" || name == "binpb") return Format::Binary;
  return std::nullopt;
}

// ---- protobuf's log -------------------------------------------------------------------
// protobuf logs some parse problems (invalid UTF-8 in a binary string) to stderr
// instead of returning them; capture them so they become diagnostics.
namespace {

constexpr int kMaxTextDepth = 64;

std::mutex g_log_mutex;
std::string* g_log_sink = nullptr;

void capture_protobuf_log(pb::LogLevel, const char*, int, const std::string& message) {
  std::lock_guard lock(g_log_mutex);
  if (g_log_sink != nullptr) {
    if (!g_log_sink->empty()) *g_log_sink += "; ";
    *g_log_sink += message;
  }
}

class CapturedProtobufLog {
 public:
  CapturedProtobufLog() {
    std::lock_guard lock(g_log_mutex);
    previous_sink_ = g_log_sink;
    g_log_sink = &text_;
    previous_handler_ = pb::SetLogHandler(&capture_protobuf_log);
  }
  ~CapturedProtobufLog() {
    pb::SetLogHandler(previous_handler_);
    std::lock_guard lock(g_log_mutex);
    g_log_sink = previous_sink_;
  }
  CapturedProtobufLog(const CapturedProtobufLog&) = delete;
  CapturedProtobufLog& operator=(const CapturedProtobufLog&) = delete;
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::string* previous_sink_ = nullptr;
  pb::LogHandler* previous_handler_ = nullptr;
};

// ---- reading bytes ---------------------------------------------------------------------

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

// Refuses what is not a readable regular file within the size limit, without reading it.
LoadStatus check_file(const std::string& path, std::uint64_t& size, Diagnostics& out, const ReadLimits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      out.error(path, "", "", "no such file", "check the path; it is relative to the current directory");
    } else {
      out.error(path, "", "", std::string("cannot open: ") + std::strerror(err),
                "check the path and its permissions");
    }
    return LoadStatus::IoError;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error(path, "", "", "is a directory, not a scenario file",
              std::string("give the scenario file inside it (") + kFormatExtensionsHelp + ")");
    return LoadStatus::IoError;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error(path, "", "", "is not a regular file (a device, pipe or socket)",
              "save the scenario to a regular file and give that");
    return LoadStatus::IoError;
  }
  size = static_cast<std::uint64_t>(st.st_size);
  if (size > limits.max_file_bytes) {
    out.error(path, "", "",
              "file is " + human_bytes(size) + ", over the limit of " +
                  human_bytes(limits.max_file_bytes) + "; it was not read",
              "split it with includes, store it in binary (.pb), or raise --max-file-size");
    return LoadStatus::IoError;
  }
  return LoadStatus::Ok;
}

// Reads the whole file (already checked). Never reads more than `size` bytes.
LoadStatus read_bytes(const std::string& path, std::uint64_t size, std::string& bytes, Diagnostics& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error(path, "", "", std::string("cannot open: ") + std::strerror(errno),
              "check the file's permissions");
    return LoadStatus::IoError;
  }
  bytes.resize(size);
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, bytes.data() + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      out.error(path, "", "", std::string("cannot read: ") + std::strerror(err),
                "check the file and the disk");
      return LoadStatus::IoError;
    }
    if (n == 0) break;  // shrank while reading: take what is there
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  return LoadStatus::Ok;
}

// Line and column (1-based, characters) of byte offset `at`.
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

// Offset of the first byte that makes `text` not UTF-8 text (NUL, invalid UTF-8), or npos.
std::size_t first_non_text_byte(std::string_view text) {
  return std::min(text.find('\0'), invalid_utf8_at(text));  // npos is the largest size_t
}

// Turns protobuf's text-parser messages into diagnostics, rewording the common ones
// (unknown field, unknown enum value) to say what would be right.
class TextErrors : public pb::io::ErrorCollector {
 public:
  TextErrors(const std::string& file, std::string_view content, const pb::Descriptor& root, Diagnostics& out)
      : file_(file), content_(content), root_(root), out_(out) {}
  void AddError(int line, int column, const std::string& message) override {
    add(line, column, message);
  }
  // Unknown fields arrive here (AllowUnknownField): an error for us, and parsing goes
  // on so that every unknown field in the file is reported.
  void AddWarning(int line, int column, const std::string& message) override {
    add(line, column, message);
  }
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
        if (descriptor.field(i)->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) fields.push_back(descriptor.field(i));
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
          const std::string& v =
              at < 0 ? r->GetStringReference(message, f, &scratch) : r->GetRepeatedStringReference(message, f, k, &scratch);
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
  std::size_t at = 0;               // offset in the string
  std::uint64_t file_offset = 0;    // of the string's first byte
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
                    std::string entity, int depth) {
    if (depth > 100) return false;
    std::unordered_map<int, int> seen;  // field number → elements so far (repeated index)
    const bool top = depth == 0;
    for (;;) {
      const std::uint32_t tag = in.ReadTag();
      if (tag == 0) return true;
      const pb::FieldDescriptor* f = type.FindFieldByNumber(static_cast<int>(WFL::GetTagFieldNumber(tag)));
      if (f == nullptr || WFL::GetTagWireType(tag) != WFL::WIRETYPE_LENGTH_DELIMITED ||
          (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING && f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE)) {
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
      if (c == '\\') ++i;
      else if (c == quote || c == '\n') quote = 0;
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

bool parse_text(const std::string& path, const std::string& content, pb::Message& message,
                Diagnostics& out) {
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
  place_diagnostics(found, {SourceFile{path, Format::Text, content}});
  out.append(found);
  return false;
}

bool parse_json(const std::string& path, const std::string& content, pb::Message& message,
                Diagnostics& out) {
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

// ---- the integrity record of binary scenarios (scenario.proto, FileIntegrity) -------------

// The record's field, for clearing it from what was read.
const pb::FieldDescriptor& integrity_field() {
  static const pb::FieldDescriptor* f = v1::Scenario::descriptor()->FindFieldByName("integrity");
  return *f;
}

bool is_scenario(const pb::Message& message) { return message.GetDescriptor() == v1::Scenario::descriptor(); }

// Drops a record that was read (it is never part of the scenario); whether there was one.
bool drop_integrity(pb::Message& message) {
  if (!is_scenario(message) || !message.GetReflection()->HasField(message, &integrity_field())) return false;
  message.GetReflection()->ClearField(&message, &integrity_field());
  return true;
}

// Whether `head` (the file's first bytes) starts the record as cpsf writes it.
bool starts_with_record(std::string_view head) {
  return head.size() >= 3 && head.compare(0, 3, std::string_view(kIntegrityTag, 3)) == 0;
}

std::uint64_t read_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(p[k]);
  return v;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

constexpr const char* kRewriteHint =
    "the file is damaged: write it again from its source (cpsf convert or generate, or Scenario.save in Python)";

// Checks the record at the start of a binary scenario of `size` bytes whose first bytes
// are `head` (at least min(size, 17)); `crc_of_rest` gives the CRC-32C of bytes
// [17, size). Reports and returns false when the file was cut or altered.
template <class CrcOfRest>
bool check_record(const std::string& file, std::string_view head, std::uint64_t size, CrcOfRest crc_of_rest,
                  Diagnostics& out) {
  if (size < kIntegrityRecordBytes || static_cast<unsigned char>(head[3]) != 0x09 ||
      static_cast<unsigned char>(head[12]) != 0x15) {
    out.error(file, "integrity", "",
              "the file was cut short or altered: it ends inside its integrity record, or the record is damaged (" +
                  std::to_string(size) + " bytes)",
              kRewriteHint);
    return false;
  }
  const std::uint64_t length = read_le(head.data() + 4, 8);
  const auto crc = static_cast<std::uint32_t>(read_le(head.data() + 13, 4));
  const std::uint64_t rest = size - kIntegrityRecordBytes;
  if (length != rest) {
    out.error(file, "integrity", "",
              std::string(rest < length ? "the file was cut short" : "the file was altered") +
                  ": its integrity record says " + std::to_string(length) + " bytes follow it, but " +
                  std::to_string(rest) + " do (the file has " + std::to_string(size) + " bytes, " +
                  std::to_string(length + kIntegrityRecordBytes) + " were written)",
              kRewriteHint);
    return false;
  }
  const std::optional<std::uint32_t> actual = crc_of_rest();
  if (!actual) return false;  // a read error, reported
  if (*actual != crc) {
    out.error(file, "integrity", "",
              "the file was altered: the CRC-32C of the " + std::to_string(rest) +
                  " bytes after its integrity record is " + hex32(*actual) + ", the record says " + hex32(crc),
              kRewriteHint);
    return false;
  }
  return true;
}

// After a binary scenario parsed without a record at its start: warns that a cut cannot
// be detected, and drops a record found elsewhere (another tool rewrote the file).
void warn_unchecked(const std::string& file, pb::Message& message, Diagnostics& out) {
  if (!is_scenario(message)) return;
  if (drop_integrity(message)) {
    out.warning(file, "integrity", "",
                "the file's integrity record is not at its start (another tool rewrote the file), so it cannot be "
                "checked and a file cut short cannot be detected",
                "write the file again with cpsf convert to restore the record");
  } else {
    out.warning(file, "", "",
                "the file has no integrity record (it was not written by cpsf), so a file cut short between two "
                "fields cannot be detected",
                "cpsf convert it to a .pb (or save it from Python) to add one");
  }
}

// Parses straight from the file (already checked, `size` bytes at most): a large binary
// scenario is never held in memory twice.
LoadStatus parse_binary_file(const std::string& path, std::uint64_t size, pb::Message& message,
                             Diagnostics& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error(path, "", "", std::string("cannot open: ") + std::strerror(errno),
              "check the file's permissions");
    return LoadStatus::IoError;
  }
  // A scenario written by cpsf starts with its integrity record: check it before parsing.
  bool checked = false;
  if (is_scenario(message)) {
    char head[kIntegrityRecordBytes] = {};
    const ssize_t got = ::pread(fd, head, sizeof head, 0);
    if (got >= 0 && starts_with_record(std::string_view(head, static_cast<std::size_t>(got)))) {
      const auto crc_of_rest = [&]() -> std::optional<std::uint32_t> {
        std::vector<char> buffer(std::size_t{1} << 20);
        std::uint32_t crc = 0;
        for (std::uint64_t at = kIntegrityRecordBytes; at < size;) {
          const ssize_t n = ::pread(fd, buffer.data(), std::min<std::uint64_t>(buffer.size(), size - at),
                                    static_cast<off_t>(at));
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            out.error(path, "", "", std::string("cannot read: ") + (n < 0 ? std::strerror(errno) : "the file shrank"),
                      "check the file and the disk");
            return std::nullopt;
          }
          crc = crc32c(crc, buffer.data(), static_cast<std::size_t>(n));
          at += static_cast<std::uint64_t>(n);
        }
        return crc;
      };
      if (!check_record(path, std::string_view(head, static_cast<std::size_t>(got)), size, crc_of_rest, out)) {
        ::close(fd);
        return LoadStatus::Invalid;
      }
      checked = true;
    }
  }
  CapturedProtobufLog log;
  bool parsed = false;
  int read_errno = 0;
  if (size <= static_cast<std::uint64_t>(INT32_MAX)) {
    pb::io::FileInputStream file(fd, 1 << 20);
    pb::io::LimitingInputStream limited(&file, static_cast<std::int64_t>(size));
    parsed = message.ParseFromZeroCopyStream(&limited);
    read_errno = file.GetErrno();
  }
  ::close(fd);
  if (read_errno != 0) {
    out.error(path, "", "", std::string("cannot read: ") + std::strerror(read_errno),
              "check the file and the disk");
    return LoadStatus::IoError;
  }
  if (!parsed && read_errno == 0 && size <= static_cast<std::uint64_t>(INT32_MAX)) {
    // A string that is not UTF-8 fails the parse: say where it is.
    std::string bytes;
    Diagnostics ignored;
    if (read_bytes(path, size, bytes, ignored) == LoadStatus::Ok) {
      if (auto bad = WireStringScanner(bytes).scan(*message.GetDescriptor())) {
        out.error(path, bad->path, bad->entity,
                  invalid_utf8_message(bad->field, bad->value, bad->at) + " (byte " +
                      std::to_string(bad->file_offset + bad->at) + " of the file)",
                  "strings must be UTF-8, and the tool that wrote this file did not check them: correct the "
                  "string at its source and write the file again");
        return LoadStatus::Invalid;
      }
    }
  }
  if (!parsed) {
    std::string why = "not a valid binary cpsf file (protobuf wire format)";
    if (!log.text().empty()) why += ": " + log.text();
    out.error(path, "", "", why,
              std::string("check that the file is a binary scenario; text and JSON files need the "
                          "extension that says so: ") + kFormatExtensionsHelp);
    return LoadStatus::Invalid;
  }
  const std::size_t before = out.error_count();
  UnknownFieldReporter(path, out).visit(message);
  if (checked) drop_integrity(message);
  else warn_unchecked(path, message, out);
  return out.error_count() == before ? LoadStatus::Ok : LoadStatus::Invalid;
}

}  // namespace

bool parse_binary_scenario(std::string_view bytes, v1::Scenario& scenario, const std::string& name,
                           Diagnostics& out) {
  if (starts_with_record(bytes)) {
    const auto crc_of_rest = [&]() -> std::optional<std::uint32_t> {
      return crc32c(0, bytes.data() + kIntegrityRecordBytes, bytes.size() - kIntegrityRecordBytes);
    };
    if (!check_record(name, bytes, bytes.size(), crc_of_rest, out)) return false;
  }
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !scenario.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    out.error(name, "", "", "not a binary cpsf.v1.Scenario (protobuf wire format)",
              "give the bytes of a .pb file or of Scenario.SerializeToString()");
    return false;
  }
  scenario.clear_integrity();
  return true;
}

LoadStatus read_message_file(const std::string& path, pb::Message& message, Diagnostics& out,
                             const ReadLimits& limits, SourceFile* keep) {
  std::uint64_t size = 0;
  if (const auto status = check_file(path, size, out, limits); status != LoadStatus::Ok) return status;
  const auto format = format_from_path(path);
  if (!format) {
    out.error(path, "", "", "unknown file extension; cannot tell the format",
              std::string("name the file with one of ") + kFormatExtensionsHelp);
    return LoadStatus::IoError;
  }
  if (keep != nullptr) {
    keep->path = path;
    keep->format = *format;
  }
  if (*format == Format::Binary) return parse_binary_file(path, size, message, out);
  std::string content;
  if (const auto status = read_bytes(path, size, content, out); status != LoadStatus::Ok) return status;
  std::size_t start = 0;
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) start = 3;  // a UTF-8 byte-order mark is harmless
  if (const auto bad = first_non_text_byte(content); bad != std::string_view::npos) {
    const auto at = location_of(content, bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(content[bad]));
    out.add(Diagnostic{Severity::Error, path, at.line, at.column, "", "",
                       std::string("not a text file: byte ") + byte + " at offset " +
                           std::to_string(bad) + " is not UTF-8 text",
                       std::string("a ") + std::string(format_name(*format)) +
                           " scenario must be UTF-8 text; if this is a binary scenario, name it .pb"});
    return LoadStatus::Invalid;
  }
  if (start) content.erase(0, start);
  const bool ok = *format == Format::Text ? parse_text(path, content, message, out)
                                          : parse_json(path, content, message, out);
  if (ok && drop_integrity(message)) {
    out.warning(path, "integrity", "", "an integrity record is checked in binary files only; ignored here",
                "delete it: cpsf writes one into the .pb files it writes");
  }
  if (keep != nullptr) keep->content = std::move(content);
  return ok ? LoadStatus::Ok : LoadStatus::Invalid;
}

// ---- includes and merging ----------------------------------------------------------------

namespace {

constexpr const char* kEntityLists[] = {"enterprises", "assets",       "relations",
                                        "controls",    "threats",      "dependencies",
                                        "requirements", "baselines"};

struct Loader {
  Diagnostics& out;
  const ReadLimits& limits;
  fs::path root;  // canonical directory of the top-level file
  LoadedScenario result;
  std::vector<fs::path> stack;     // canonical paths being loaded (cycle detection)
  std::vector<fs::path> loaded;    // canonical paths already merged (include once)
  bool invalid = false;

  // Moves file `file_index`'s entity lists into the result. `part` lives on the
  // result's arena, so its elements change hands without being copied.
  void merge(v1::Scenario& part, std::uint32_t file_index) {
    v1::Scenario& into = *result.mutable_scenario();
    const pb::Reflection* r = part.GetReflection();
    const pb::Descriptor* d = part.GetDescriptor();
    std::vector<pb::Message*> moved;
    for (const char* list : kEntityLists) {
      const pb::FieldDescriptor* field = d->FindFieldByName(list);
      const int n = r->FieldSize(part, field);
      if (n == 0) continue;
      auto [it, first] = result.origins.try_emplace(list);
      auto& origins = it->second;
      if (first) {  // until now the list came wholly from files[0]
        const int have = r->FieldSize(into, field);
        origins.reserve(static_cast<std::size_t>(have + n));
        for (int i = 0; i < have; ++i) origins.push_back({0, static_cast<std::uint32_t>(i)});
      }
      moved.resize(static_cast<std::size_t>(n));
      for (int i = n; i-- > 0;) moved[static_cast<std::size_t>(i)] = r->UnsafeArenaReleaseLast(&part, field);
      for (int i = 0; i < n; ++i) {
        r->UnsafeArenaAddAllocatedMessage(&into, field, moved[static_cast<std::size_t>(i)]);
        origins.push_back({file_index, static_cast<std::uint32_t>(i)});
      }
    }
  }

  void load_includes(const v1::Scenario& part, std::uint32_t file_index, const fs::path& dir) {
    const std::string from = result.files[file_index].path;  // a copy: loading grows `files`
    for (int i = 0; i < part.include_size(); ++i) {
      const std::string& inc = part.include(i);
      const std::string path = "include[" + std::to_string(i) + "]";
      if (inc.empty()) {
        out.error(from, path, "", "empty include path", "remove the entry or give a file path");
        invalid = true;
        continue;
      }
      if (fs::path(inc).is_absolute()) {
        out.error(from, path, "", "include \"" + inc + "\" is an absolute path",
                  "give a path relative to this file's directory, inside the scenario's directory");
        invalid = true;
        continue;
      }
      std::error_code ec;
      const fs::path target = fs::weakly_canonical(dir / inc, ec);
      const std::string shown = (fs::path(from).parent_path() / inc).lexically_normal().string();
      if (ec) {
        out.error(from, path, "", "cannot resolve include \"" + inc + "\": " + ec.message(),
                  "check the path");
        invalid = true;
        continue;
      }
      const auto rel = target.lexically_relative(root);
      if (rel.empty() || *rel.begin() == "..") {
        out.error(from, path, "",
                  "include \"" + inc + "\" resolves to " + target.string() +
                      ", outside the scenario's directory " + root.string(),
                  "copy the file into the scenario's directory tree and include it from there");
        invalid = true;
        continue;
      }
      if (std::find(stack.begin(), stack.end(), target) != stack.end()) {
        std::string cycle;
        for (const auto& p : stack) cycle += p.lexically_relative(root).string() + " → ";
        cycle += target.lexically_relative(root).string();
        out.error(from, path, "", "include cycle: " + cycle, "remove one of the includes in the cycle");
        invalid = true;
        continue;
      }
      if (std::find(loaded.begin(), loaded.end(), target) != loaded.end()) continue;  // once only
      if (static_cast<int>(stack.size()) >= limits.max_include_depth) {
        out.error(from, path, "",
                  "more than " + std::to_string(limits.max_include_depth) + " files in one chain of includes",
                  "flatten the include structure");
        invalid = true;
        continue;
      }
      if (static_cast<int>(result.files.size()) >= limits.max_files) {
        out.error(from, path, "",
                  "more than " + std::to_string(limits.max_files) + " files in one scenario",
                  "merge some included files");
        invalid = true;
        continue;
      }
      if (!fs::exists(target, ec)) {
        out.error(from, path, "", "included file \"" + inc + "\" not found (looked for " + shown + ")",
                  "check the path; it is relative to the including file's directory");
        invalid = true;
        continue;
      }
      load_file(shown, target);
    }
  }

  void load_file(const std::string& shown, const fs::path& canonical) {
    // On the result's arena, for merge(); left there, emptied, until the result goes.
    v1::Scenario& part = *pb::Arena::CreateMessage<v1::Scenario>(result.arena());
    SourceFile source;
    const auto status = read_message_file(shown, part, out, limits, &source);
    if (status != LoadStatus::Ok) {
      invalid = true;
      return;
    }
    const auto file_index = static_cast<std::uint32_t>(result.files.size());
    result.files.push_back(std::move(source));
    if (file_index > 0) {
      // An include contributes entities only; the scenario's identity and settings
      // come from the top-level file.
      for (const char* singular : {"name", "description", "currency", "settings"}) {
        const auto* field = part.GetDescriptor()->FindFieldByName(singular);
        if (part.GetReflection()->HasField(part, field)) {
          out.error(shown, singular, "",
                    std::string("an included file sets \"") + singular +
                        "\", which only the top-level scenario may set",
                    "move it to the top-level scenario file or delete it here");
          invalid = true;
        }
      }
    }
    merge(part, file_index);
    loaded.push_back(canonical);
    stack.push_back(canonical);
    load_includes(part, file_index, canonical.parent_path());
    stack.pop_back();
  }
};

}  // namespace

std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& out,
                                            LoadStatus& status, const ReadLimits& limits) {
  // The top-level file is parsed straight into the result; includes are merged into it.
  LoadedScenario result;
  SourceFile source;
  status = read_message_file(path, *result.mutable_scenario(), out, limits, &source);
  if (status != LoadStatus::Ok) return std::nullopt;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  Loader loader{out, limits, canonical.parent_path(), std::move(result), {}, {}, false};
  loader.result.files.push_back(std::move(source));
  loader.loaded.push_back(canonical);
  loader.stack.push_back(canonical);
  // Merging touches the entity lists only, so the top-level include list stays as read.
  loader.load_includes(loader.result.scenario(), 0, canonical.parent_path());
  place_diagnostics(out, loader.result.files);
  if (loader.invalid) {
    status = LoadStatus::Invalid;
    return std::nullopt;
  }
  return std::move(loader.result);
}

namespace {

// A 10^6-asset scenario fills gigabytes of fresh memory, and faulting it in 4 KiB at a
// time costs more than parsing into it: arena blocks of 2 MiB and more ask for
// transparent huge pages (granted where the kernel's THP mode is "madvise" or "always").
constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* arena_block_alloc(std::size_t size) {
  if (size < kHugePage) return std::malloc(size);
  void* block = nullptr;
  if (::posix_memalign(&block, kHugePage, size) != 0) return nullptr;
#ifdef MADV_HUGEPAGE
  ::madvise(block, size, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
  return block;
}

void arena_block_dealloc(void* block, std::size_t) { std::free(block); }

// Large blocks, where protobuf's default of 8 KiB would mean half a million of them;
// they still start small (256 bytes) and double, so a small scenario costs little.
pb::ArenaOptions scenario_arena_options() {
  pb::ArenaOptions options;
  options.max_block_size = std::size_t{32} << 20;
  options.block_alloc = arena_block_alloc;
  options.block_dealloc = arena_block_dealloc;
  return options;
}

}  // namespace

LoadedScenario::LoadedScenario()
    : arena_(std::make_unique<pb::Arena>(scenario_arena_options())),
      scenario_(pb::Arena::CreateMessage<v1::Scenario>(arena_.get())) {}

LoadedScenario::LoadedScenario(LoadedScenario&& other) noexcept
    : files(std::move(other.files)),
      origins(std::move(other.origins)),
      arena_(std::move(other.arena_)),
      scenario_(std::exchange(other.scenario_, nullptr)) {}

LoadedScenario& LoadedScenario::operator=(LoadedScenario&& other) noexcept {
  if (this != &other) {
    files = std::move(other.files);
    origins = std::move(other.origins);
    arena_ = std::move(other.arena_);  // frees this object's old message with its arena
    scenario_ = std::exchange(other.scenario_, nullptr);
  }
  return *this;
}

LoadedScenario::~LoadedScenario() = default;  // the arena frees scenario_

LoadedScenario in_memory_scenario(std::string name) {
  LoadedScenario loaded;
  loaded.files.push_back(SourceFile{std::move(name), Format::Binary, {}});
  return loaded;
}

LoadedScenario in_memory_scenario(const v1::Scenario& scenario, std::string name) {
  LoadedScenario loaded = in_memory_scenario(std::move(name));
  loaded.mutable_scenario()->CopyFrom(scenario);
  return loaded;
}

std::pair<const std::string*, std::string> LoadedScenario::where(std::string_view list,
                                                                 int index) const {
  std::uint32_t file = 0;
  auto local = static_cast<std::uint32_t>(index);
  if (auto it = origins.find(list); it != origins.end() && index >= 0 &&
                                    static_cast<std::size_t>(index) < it->second.size()) {
    file = it->second[static_cast<std::size_t>(index)].file;
    local = it->second[static_cast<std::size_t>(index)].index;
  }
  return {&files.at(file).path, std::string(list) + "[" + std::to_string(local) + "]"};
}

// ---- writing ---------------------------------------------------------------------------

std::string integrity_record(std::string_view body) {
  std::string record(kIntegrityTag, 3);
  const auto append_le = [&](std::uint64_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) record += static_cast<char>((v >> (8 * k)) & 0xFF);
  };
  record += '\x09';  // field 1, fixed64
  append_le(body.size(), 8);
  record += '\x15';  // field 2, fixed32
  append_le(crc32c(0, body.data(), body.size()), 4);
  return record;
}

std::string serialise(const pb::Message& message, Format format) {
  // A record read with a scenario is never written back as it was: text and JSON hold
  // none, and binary gets a fresh one at its start.
  const pb::Message* what = &message;
  std::optional<v1::Scenario> copy;
  if (const auto* scenario = dynamic_cast<const v1::Scenario*>(&message); scenario && scenario->has_integrity()) {
    copy.emplace(*scenario);
    copy->clear_integrity();
    what = &*copy;
  }
  std::string out;
  if (format == Format::Binary && is_scenario(*what)) {
    out.assign(kIntegrityRecordBytes, '\0');
    what->AppendToString(&out);
    out.replace(0, kIntegrityRecordBytes,
                integrity_record(std::string_view(out).substr(kIntegrityRecordBytes)));
    return out;
  }
  const pb::Message& message_ = *what;
  switch (format) {
    case Format::Text: {
      pb::TextFormat::Printer printer;
      printer.SetUseUtf8StringEscaping(true);
      printer.PrintToString(message_, &out);
      break;
    }
    case Format::Json: {
      pb::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.preserve_proto_field_names = true;
      (void)pb::util::MessageToJsonString(message_, &out, options);
      if (out.empty() || out.back() != '\n') out += '\n';
      break;
    }
    case Format::Binary:
      message_.SerializeToString(&out);
      break;
  }
  return out;
}

namespace {

// Writes all of `bytes` to `fd` (retrying on EINTR, waiting when it would block); an
// error message, empty on success.
std::string write_all(int fd, std::string_view bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a non-blocking descriptor we were given
      pollfd p{fd, POLLOUT, 0};
      (void)::poll(&p, 1, -1);
      continue;
    }
    return "cannot write " + path + ": " + std::strerror(errno);
  }
  return {};
}

// The descriptor a path names when it is one of the process's own: /dev/stdout,
// /dev/stderr, /dev/stdin, /dev/fd/N, /proc/self/fd/N (and /proc/<our pid>/fd/N). Those
// are not files to replace but where the output is to go: written to as they are.
std::optional<int> descriptor_named(const fs::path& path) {
  const std::string p = path.lexically_normal().string();
  if (p == "/dev/stdin") return 0;
  if (p == "/dev/stdout") return 1;
  if (p == "/dev/stderr") return 2;
  for (const std::string& prefix :
       {std::string("/dev/fd/"), std::string("/proc/self/fd/"), std::string("/proc/thread-self/fd/"),
        "/proc/" + std::to_string(::getpid()) + "/fd/"}) {
    if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = 0;
    const char* first = p.data() + prefix.size();
    const auto [end, ec] = std::from_chars(first, p.data() + p.size(), fd);
    if (ec == std::errc{} && end == p.data() + p.size() && fd >= 0) return fd;
  }
  return std::nullopt;
}

// A new file's content goes to a temporary file beside `target`, then a rename: readers
// see the old file or the new one, never a part. An existing file's permissions are kept.
std::string replace_atomically(const fs::path& target, const std::string& path, std::string_view bytes,
                               const struct stat* existing) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
  if (std::string err = write_all(fd, bytes, path); !err.empty()) {
    ::close(fd);
    ::unlink(temp.c_str());
    return err;
  }
  ::fchmod(fd, existing != nullptr ? existing->st_mode & 07777 : 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(temp.c_str());
    return "cannot write " + path + ": " + err;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(temp.c_str());
    return "cannot write " + path + ": " + err;
  }
  return {};
}

}  // namespace

std::string write_file_atomically(const std::string& path, std::string_view bytes) {
  // Follow symbolic links to what they name: the link stays, its target is written.
  fs::path target(path);
  struct stat st {};
  bool exists = false;
  for (int hops = 0;; ++hops) {
    if (const auto fd = descriptor_named(target)) {
      const std::string name = *fd == 1 ? path + " (standard output)" : *fd == 2 ? path + " (standard error)" : path;
      if (::fcntl(*fd, F_GETFD) == -1) return "cannot write " + name + ": " + std::strerror(errno);
      return write_all(*fd, bytes, name);
    }
    if (::lstat(target.c_str(), &st) != 0) {
      if (errno != ENOENT) return "cannot write " + path + ": " + std::strerror(errno);
      break;  // a new file (or the missing target of a dangling link)
    }
    if (!S_ISLNK(st.st_mode)) {
      exists = true;
      break;
    }
    if (hops == 40) return "cannot write " + path + ": " + std::strerror(ELOOP);
    std::error_code ec;
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) return "cannot write " + path + ": " + ec.message();
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  if (!exists || S_ISREG(st.st_mode)) return replace_atomically(target, path, bytes, exists ? &st : nullptr);
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    // A pipe or a device (/dev/null, a terminal): opened and written as it is, never
    // replaced. Opening a FIFO waits for a reader, as the shell's > does.
    int fd = -1;
    do {
      fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
    std::string err = write_all(fd, bytes, path);
    if (::close(fd) != 0 && err.empty() && errno != EINTR) err = "cannot write " + path + ": " + std::strerror(errno);
    return err;
  }
  const char* what = S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ? "a block device" : "a socket";
  return "cannot write " + path + ": it is " + std::string(what) +
         " (fix: give a file name; cpsf writes regular files, FIFOs and character devices)";
}

// ---- placing diagnostics -----------------------------------------------------------------

void place_diagnostics(Diagnostics& diagnostics, const std::vector<SourceFile>& files) {
  for (const SourceFile& file : files) {
    if (file.format == Format::Binary) continue;
    std::vector<std::string> wanted;
    for (const auto& d : diagnostics.items()) {
      if (d.line == 0 && !d.path.empty() && d.file == file.path) wanted.push_back(d.path);
    }
    if (wanted.empty()) continue;
    SourceMap map;
    if (file.format == Format::Text) {
      map = text_format_source_map(file.content, *v1::Scenario::descriptor(), wanted);
    } else {
      Diagnostics ignored;
      map.only_for(wanted);
      check_json(file.content, *v1::Scenario::descriptor(), file.path, ignored, &map);
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
