// Diagnostics: what is wrong with an input, where, and how to fix it.
//
// Every loader and validator reports through a Diagnostics list instead of throwing,
// so one pass reports every problem (docs/design.md §8.4). A diagnostic names the file, the
// line and column where the format has lines, the entity (e.g. "asset 'oem-mes'"),
// the field path inside the file (e.g. "assets[3].loss.integrity"), what is wrong
// and how to fix it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cpsf {

enum class Severity : std::uint8_t { Warning, Error };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;     // path as the user gave it (or as resolved for includes)
  int line = 0;         // 1-based; 0 when the format has no lines or it is unknown
  int column = 0;       // 1-based; 0 when unknown
  std::string path;     // field path inside the file, e.g. "relations[2].step.p"
  std::string entity;   // e.g. "relation 'r-vpn'"; empty for file-level problems
  std::string message;  // what is wrong
  std::string hint;     // how to fix it

  // "file:line:col: error: entity: message (fix: hint) [path]", every part terminal_safe()
  [[nodiscard]] std::string format() const;
};

class Diagnostics {
 public:
  // Every text field is made UTF-8 (a byte that is not becomes \xNN): a message may quote
  // input that is not (protobuf's parser quotes the byte it stopped at), and a terminal,
  // a JSON report or Python's str must take every diagnostic.
  void add(Diagnostic d);
  void error(std::string file, std::string path, std::string entity, std::string message, std::string hint);
  void warning(std::string file, std::string path, std::string entity, std::string message, std::string hint);
  void append(const Diagnostics& other);

  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  [[nodiscard]] std::size_t error_count() const;
  [[nodiscard]] std::size_t warning_count() const;
  [[nodiscard]] bool has_errors() const { return error_count() > 0; }
  [[nodiscard]] bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace cpsf
