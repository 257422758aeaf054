#include "cpsf/io/json_check.hpp"

#include <google/protobuf/descriptor.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/source_map.hpp"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

struct SyntaxError {};  // unwinds the reader after a syntax error has been reported

class JsonChecker {
 public:
  JsonChecker(std::string_view text, const std::string& file, Diagnostics& out, SourceMap* map)
      : text_(text), file_(file), out_(out), map_(map) {}

  bool run(const pb::Descriptor& type) {
    try {
      skip_ws();
      if (at_end()) {
        syntax("the file is empty; a scenario in JSON is one object: {\"assets\": [...], ...}");
      }
      if (peek() != '{') syntax("a scenario in JSON must be one object starting with '{'");
      read_message(type, "", 1);
      skip_ws();
      if (!at_end()) syntax("unexpected text after the end of the top-level object");
    } catch (const SyntaxError&) {
      return false;
    }
    return ok_;
  }

 private:
  // ---- position and errors ------------------------------------------------------
  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : text_[pos_]; }
  [[nodiscard]] SourceLocation here() const { return {line_, column_}; }

  char advance() {
    const char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;  // count characters, not UTF-8 continuation bytes
    }
    return c;
  }

  void report(SourceLocation at, const std::string& path, std::string message, std::string hint) {
    ok_ = false;
    Diagnostic d{Severity::Error, file_, at.line, at.column, path, "", std::move(message), std::move(hint)};
    out_.add(std::move(d));
  }

  [[noreturn]] void syntax(std::string message) {
    report(here(), "", "JSON syntax error: " + std::move(message),
           "correct the JSON at this position (a JSON linter shows the context)");
    throw SyntaxError{};
  }

  void skip_ws() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else {
        break;
      }
    }
  }

  void expect(char c, const char* what) {
    skip_ws();
    if (peek() != c) syntax(std::string("expected ") + what);
    advance();
  }

  // ---- lexical values ------------------------------------------------------------
  void append_utf8(std::string& s, std::uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::uint32_t read_hex4() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      if (at_end()) syntax("unterminated \\u escape");
      const char c = advance();
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        syntax("invalid \\u escape: expected four hexadecimal digits");
    }
    return v;
  }

  std::string read_string() {
    if (peek() != '"') syntax("expected a string in double quotes");
    advance();
    std::string s;
    while (true) {
      if (at_end()) syntax("unterminated string (missing closing '\"')");
      const char c = advance();
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) {
        syntax("control character inside a string (write newlines and tabs as \\n and \\t)");
      }
      if (c != '\\') {
        s += c;
        continue;
      }
      if (at_end()) syntax("unterminated escape");
      switch (const char e = advance()) {
        case '"':
          s += '"';
          break;
        case '\\':
          s += '\\';
          break;
        case '/':
          s += '/';
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u': {
          std::uint32_t cp = read_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (peek() != '\\') syntax("lone UTF-16 high surrogate in \\u escape");
            advance();
            if (peek() != 'u') syntax("lone UTF-16 high surrogate in \\u escape");
            advance();
            const std::uint32_t low = read_hex4();
            if (low < 0xDC00 || low > 0xDFFF) syntax("invalid UTF-16 surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            syntax("lone UTF-16 low surrogate in \\u escape");
          }
          append_utf8(s, cp);
          break;
        }
        default:
          syntax(std::string("invalid escape '\\") + e + "'");
      }
    }
    return s;
  }

  // Returns the number's text (validated against the JSON grammar).
  std::string read_number() {
    const std::size_t start = pos_;
    if (peek() == '-') advance();
    if (peek() == '0') {
      advance();
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') advance();
    } else {
      syntax("invalid number");
    }
    if (peek() == '.') {
      advance();
      if (!(peek() >= '0' && peek() <= '9')) syntax("invalid number: digits expected after '.'");
      while (peek() >= '0' && peek() <= '9') advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      advance();
      if (peek() == '+' || peek() == '-') advance();
      if (!(peek() >= '0' && peek() <= '9')) syntax("invalid number: digits expected in exponent");
      while (peek() >= '0' && peek() <= '9') advance();
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  bool read_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    for (std::size_t i = 0; i < word.size(); ++i) advance();
    return true;
  }

  // ---- generic value (for unknown fields: syntax only) --------------------------------
  enum class Kind { Null, Bool, Number, String, Object, Array };

  Kind skip_value(int depth) {
    if (depth > kMaxJsonDepth) syntax("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    skip_ws();
    const char c = peek();
    if (c == '{') {
      advance();
      skip_ws();
      if (peek() == '}') {
        advance();
        return Kind::Object;
      }
      while (true) {
        skip_ws();
        read_string();
        expect(':', "':' after an object key");
        skip_value(depth + 1);
        skip_ws();
        if (peek() == ',') {
          advance();
          continue;
        }
        if (peek() == '}') {
          advance();
          return Kind::Object;
        }
        syntax("expected ',' or '}' in object");
      }
    }
    if (c == '[') {
      advance();
      skip_ws();
      if (peek() == ']') {
        advance();
        return Kind::Array;
      }
      while (true) {
        skip_value(depth + 1);
        skip_ws();
        if (peek() == ',') {
          advance();
          continue;
        }
        if (peek() == ']') {
          advance();
          return Kind::Array;
        }
        syntax("expected ',' or ']' in array");
      }
    }
    if (c == '"') {
      read_string();
      return Kind::String;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      read_number();
      return Kind::Number;
    }
    if (read_literal("true") || read_literal("false")) return Kind::Bool;
    if (read_literal("null")) return Kind::Null;
    if (at_end()) syntax("unexpected end of file (unclosed '{' or '[')");
    syntax(std::string("unexpected character '") + c + "'");
  }

  static const char* kind_name(Kind k) {
    switch (k) {
      case Kind::Null:
        return "null";
      case Kind::Bool:
        return "true/false";
      case Kind::Number:
        return "a number";
      case Kind::String:
        return "a string";
      case Kind::Object:
        return "an object";
      case Kind::Array:
        return "a list";
    }
    return "?";
  }

  // ---- schema-directed reading --------------------------------------------------------
  static std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }

  void read_message(const pb::Descriptor& type, const std::string& path, int depth) {
    if (depth > kMaxJsonDepth) syntax("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    expect('{', "'{'");
    std::set<const pb::FieldDescriptor*> seen;
    std::vector<const pb::OneofDescriptor*> oneofs_set;
    skip_ws();
    if (peek() == '}') {
      advance();
      return;
    }
    while (true) {
      skip_ws();
      const SourceLocation key_at = here();
      const std::string key = read_string();
      expect(':', "':' after an object key");
      const pb::FieldDescriptor* field = type.FindFieldByName(key);
      if (field == nullptr) field = json_name_field(type, key);
      if (field == nullptr) {
        report(key_at, join(path, key), "unknown field \"" + key + "\" in " + type.name(),
               "check the spelling against docs/scenario-format.md; known fields: " + field_list(type));
        skip_value(depth + 1);
      } else {
        const std::string field_path = join(path, field->name());
        if (!seen.insert(field).second) {
          report(key_at, field_path, "field \"" + key + "\" is given twice in one object", "keep one of them");
        }
        if (map_ != nullptr) map_->set(field_path, key_at);
        skip_ws();
        const bool is_null = peek() == 'n';
        read_field(*field, field_path, key_at, depth + 1);
        if (!is_null && field->containing_oneof() != nullptr) {
          const auto* oneof = field->containing_oneof();
          for (const auto* other : oneofs_set) {
            if (other == oneof) {
              report(key_at, field_path, "more than one of the alternatives of \"" + oneof->name() + "\" is set",
                     "keep exactly one of: " + oneof_list(*oneof));
            }
          }
          oneofs_set.push_back(oneof);
        }
      }
      skip_ws();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        return;
      }
      syntax("expected ',' or '}' in object");
    }
  }

  static const pb::FieldDescriptor* json_name_field(const pb::Descriptor& type, const std::string& key) {
    for (int i = 0; i < type.field_count(); ++i) {
      if (type.field(i)->json_name() == key) return type.field(i);
    }
    return nullptr;
  }

  static std::string field_list(const pb::Descriptor& type) {
    std::string s;
    for (int i = 0; i < type.field_count(); ++i) {
      if (i) s += ", ";
      s += type.field(i)->name();
    }
    return s;
  }

  static std::string oneof_list(const pb::OneofDescriptor& oneof) {
    std::string s;
    for (int i = 0; i < oneof.field_count(); ++i) {
      if (i) s += ", ";
      s += oneof.field(i)->name();
    }
    return s;
  }

  void read_field(const pb::FieldDescriptor& field, const std::string& path, SourceLocation key_at, int depth) {
    skip_ws();
    if (read_literal("null")) return;  // protobuf JSON: null means "not set"
    if (field.is_repeated()) {
      if (peek() != '[') {
        const SourceLocation at = here();
        const Kind k = skip_value(depth);
        report(at, path, "\"" + field.name() + "\" must be a list, not " + kind_name(k), "write it as [ ... ]");
        return;
      }
      advance();
      skip_ws();
      if (peek() == ']') {
        advance();
        return;
      }
      for (int i = 0;; ++i) {
        skip_ws();
        const std::string element = path + "[" + std::to_string(i) + "]";
        if (map_ != nullptr) map_->set(element, here());
        if (peek() == 'n' && read_literal("null")) {
          report(here(), element, "null inside the list \"" + field.name() + "\"", "remove it");
        } else {
          read_single(field, element, depth + 1);
        }
        skip_ws();
        if (peek() == ',') {
          advance();
          continue;
        }
        if (peek() == ']') {
          advance();
          return;
        }
        syntax("expected ',' or ']' in list");
      }
    }
    (void)key_at;
    read_single(field, path, depth);
  }

  void read_single(const pb::FieldDescriptor& field, const std::string& path, int depth) {
    skip_ws();
    const SourceLocation at = here();
    using CT = pb::FieldDescriptor::CppType;
    switch (field.cpp_type()) {
      case CT::CPPTYPE_MESSAGE: {
        if (peek() != '{') {
          const Kind k = skip_value(depth);
          report(at, path, "\"" + field.name() + "\" must be an object, not " + kind_name(k), "write it as { ... }");
          return;
        }
        read_message(*field.message_type(), path, depth);
        return;
      }
      case CT::CPPTYPE_STRING: {
        if (peek() != '"') {
          const Kind k = skip_value(depth);
          report(at, path, "\"" + field.name() + "\" must be a string, not " + kind_name(k),
                 "put the value in double quotes");
          return;
        }
        read_string();
        return;
      }
      case CT::CPPTYPE_BOOL: {
        if (read_literal("true") || read_literal("false")) return;
        const Kind k = skip_value(depth);
        report(at, path, "\"" + field.name() + "\" must be true or false, not " + kind_name(k),
               "write true or false without quotes");
        return;
      }
      case CT::CPPTYPE_ENUM:
        read_enum(field, path, depth, at);
        return;
      case CT::CPPTYPE_DOUBLE:
      case CT::CPPTYPE_FLOAT:
        read_floating(field, path, depth, at);
        return;
      default: {  // integers
        std::string num;
        if (peek() == '"') {
          num = read_string();
        } else if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
          num = read_number();
        } else {
          const Kind k = skip_value(depth);
          report(at, path, "\"" + field.name() + "\" must be a whole number, not " + kind_name(k),
                 "write a whole number such as 1000");
          return;
        }
        check_integer(field, num, at, path);
        return;
      }
    }
  }

  // An enum value: one of the enum's names, in quotes, or one of its numbers.
  void read_enum(const pb::FieldDescriptor& field, const std::string& path, int depth, SourceLocation at) {
    const pb::EnumDescriptor& e = *field.enum_type();
    if (peek() == '"') {
      const std::string name = read_string();
      if (e.FindValueByName(name) == nullptr) {
        report(at, path, "unknown " + e.name() + " value \"" + name + "\"", "use one of: " + enum_list(e));
      }
      return;
    }
    if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
      const std::string num = read_number();
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(num.c_str(), &end, 10);
      if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX ||
          e.FindValueByNumber(static_cast<int>(v)) == nullptr) {
        report(at, path, "unknown " + e.name() + " value " + num, "use one of: " + enum_list(e));
      }
      return;
    }
    const Kind k = skip_value(depth);
    report(at, path, "\"" + field.name() + "\" must be a " + e.name() + " name, not " + kind_name(k),
           "use one of: " + enum_list(e));
  }

  // A double or float: a number, or a string that holds one (or NaN, Infinity, -Infinity).
  void read_floating(const pb::FieldDescriptor& field, const std::string& path, int depth, SourceLocation at) {
    if (peek() == '"') {
      const std::string s = read_string();
      if (s == "NaN" || s == "Infinity" || s == "-Infinity") return;  // the validator rejects these
      char* end = nullptr;
      std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0') {
        report(at, path, "\"" + field.name() + "\" must be a number, not the string \"" + s + "\"",
               "write the number without quotes");
      }
      return;
    }
    if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
      const std::string num = read_number();
      const double v = std::strtod(num.c_str(), nullptr);
      if (std::isinf(v)) {
        report(at, path, "number " + num + " is too large for a double", "use a smaller value");
      }
      return;
    }
    const Kind k = skip_value(depth);
    report(at, path, "\"" + field.name() + "\" must be a number, not " + kind_name(k), "write a number such as 0.5");
  }

  void check_integer(const pb::FieldDescriptor& field, const std::string& num, SourceLocation at,
                     const std::string& path) {
    using CT = pb::FieldDescriptor::CppType;
    const bool is_unsigned = field.cpp_type() == CT::CPPTYPE_UINT32 || field.cpp_type() == CT::CPPTYPE_UINT64;
    const bool is_64 = field.cpp_type() == CT::CPPTYPE_UINT64 || field.cpp_type() == CT::CPPTYPE_INT64;
    const char* kind = is_unsigned ? "a whole number ≥ 0" : "a whole number";
    bool valid = !num.empty() && num.find_first_not_of("-0123456789") == std::string::npos;
    if (valid && is_unsigned) {
      if (num[0] == '-') {
        valid = false;
      } else {
        errno = 0;
        char* end = nullptr;
        const unsigned long long v = std::strtoull(num.c_str(), &end, 10);
        valid = errno == 0 && *end == '\0' && (is_64 || v <= UINT32_MAX);
      }
    } else if (valid) {
      errno = 0;
      char* end = nullptr;
      const long long v = std::strtoll(num.c_str(), &end, 10);
      valid = errno == 0 && *end == '\0' && (is_64 || (v >= INT32_MIN && v <= INT32_MAX));
    }
    if (!valid) {
      report(at, path, "\"" + field.name() + "\" must be " + kind + " in range, not " + num,
             std::string("write ") + kind + (is_64 ? "" : " below 2^32"));
    }
  }

  static std::string enum_list(const pb::EnumDescriptor& e) {
    std::string s;
    for (int i = 0; i < e.value_count(); ++i) {
      if (e.value(i)->name().find("UNSPECIFIED") != std::string::npos) continue;  // never a valid choice
      s += (s.empty() ? "" : ", ") + e.value(i)->name();
    }
    return s;
  }

  std::string_view text_;
  const std::string& file_;
  Diagnostics& out_;
  SourceMap* map_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool ok_ = true;
};

}  // namespace

bool check_json(std::string_view text, const pb::Descriptor& type, const std::string& file, Diagnostics& out,
                SourceMap* map) {
  JsonChecker checker(text, file, out, map);
  return checker.run(type);
}

}  // namespace cpsf
