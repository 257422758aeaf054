// The one JSON writer of the engine's documents (results.json, compare.json,
// optimise.json): values go straight into a string, laid out exactly as nlohmann's
// dump(1) lays out the same document (one space per level, "key": value, [] and {} when
// empty, numbers by the same shortest round-trip conversion, strings escaped by
// nlohmann itself), so every document keeps one style and its bytes. Members are written
// in the order of the calls. Streaming, not a tree of nodes: building a node per field
// was most of results.json's write time at 10^6 assets.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/output/output_context.hpp"

namespace cpsf {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // The name of the member whose value comes next: a plain ASCII name, nothing to escape.
  JsonWriter& key(std::string_view name) {
    next();
    out_ += '"';
    out_ += name;
    out_ += "\": ";
    after_key_ = true;
    return *this;
  }
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  void number(double x);  // null when not finite: an estimate of nothing is null, never 0
  void count(std::uint64_t x);
  void boolean(bool x) {
    next();
    out_ += x ? "true" : "false";
  }
  void null() {
    next();
    out_ += "null";
  }
  // UTF-8 text; escaped as nlohmann escapes it, which throws on invalid UTF-8.
  void string(std::string_view s);

  // Arrays of plain values: [x, y, ...] and ["a", "b", ...].
  void numbers(std::initializer_list<double> xs);
  void strings(const std::vector<std::string>& items);

 private:
  // Separator and indentation before a value, unless it is a member's value.
  void next() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    out_ += first_.back() ? "\n" : ",\n";
    first_.back() = false;
    out_.append(first_.size(), ' ');
  }
  void open(char bracket);
  void close(char bracket);

  std::string& out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet; its size is the depth
  bool after_key_ = false;
};

// The members the documents open with: "format" and "engine" (version, schema, git
// revision, semantics); "scenario" (file, name, currency).
void write_format_and_engine(JsonWriter& w, std::string_view format);
void write_scenario(JsonWriter& w, const OutputContext& context);

// An estimate with its standard error: {"mean": m, "stderr": se}, and with its 95%
// interval {"mean": m, "stderr": se, "ci95": [m − 1.96 se, m + 1.96 se]}.
void write_mean_stderr(JsonWriter& w, double mean, double stderr_);
void write_mean_stderr_ci(JsonWriter& w, double mean, double stderr_);

}  // namespace cpsf
