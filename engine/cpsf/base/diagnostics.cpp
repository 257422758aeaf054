#include "cpsf/base/diagnostics.hpp"

#include <algorithm>

#include "cpsf/base/terminal.hpp"
#include "cpsf/base/utf8.hpp"

namespace cpsf {

// The parts come from the input (ids, paths, parser messages quoting it): escaped, so a
// diagnostic is one line that cannot act on the terminal it is printed to.
std::string Diagnostic::format() const {
  std::string out = terminal_safe(file);
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  if (!entity.empty()) out += terminal_safe(entity) + ": ";
  out += terminal_safe(message);
  if (!hint.empty()) out += " (fix: " + terminal_safe(hint) + ")";
  if (!path.empty()) out += " [" + terminal_safe(path) + "]";
  return out;
}

void Diagnostics::add(Diagnostic d) {
  for (std::string* text : {&d.file, &d.path, &d.entity, &d.message, &d.hint}) {
    if (!is_utf8(*text)) *text = printable_utf8(*text);
  }
  items_.push_back(std::move(d));
}

void Diagnostics::error(std::string file, std::string path, std::string entity, std::string message, std::string hint) {
  add(Diagnostic{Severity::Error, std::move(file), 0, 0, std::move(path), std::move(entity), std::move(message),
                 std::move(hint)});
}

void Diagnostics::warning(std::string file, std::string path, std::string entity, std::string message,
                          std::string hint) {
  add(Diagnostic{Severity::Warning, std::move(file), 0, 0, std::move(path), std::move(entity), std::move(message),
                 std::move(hint)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

std::size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

}  // namespace cpsf
