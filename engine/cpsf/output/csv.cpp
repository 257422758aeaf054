#include "cpsf/output/csv.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace cpsf::csv {

void text(std::string& out, std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
  const bool neutralise = !s.empty() && std::string_view("=+-@\t\r'").find(s.front()) != std::string_view::npos;
  if (!quote && !neutralise) {
    out += s;
    return;
  }
  if (quote) out += '"';
  if (neutralise) out += '\'';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

void number(std::string& out, double x) {
  if (!std::isfinite(x)) return;
  char buf[40];  // std::to_chars with a precision is defined as printf's %.17g
  out.append(buf, std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 17).ptr);
}

void count(std::string& out, std::uint64_t x) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
}

void list(std::string& out, const std::vector<std::string>& items) {
  // UTF-8 kept as it is; invalid bytes replaced (U+FFFD) rather than thrown on.
  text(out, nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace cpsf::csv
