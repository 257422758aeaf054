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
  // Plain decimals where a person reads amounts and probabilities (a budget of 100000, not
  // the shorter 1e+05); outside that range plain decimals would run to hundreds of digits.
  const double magnitude = std::fabs(x);
  const bool plain = magnitude == 0 || (magnitude >= 1e-5 && magnitude < 1e15);
  char buf[48];  // at most 17 significant digits, 4 leading zeros, a sign and a point
  const auto end = plain ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed).ptr
                         : std::to_chars(buf, buf + sizeof buf, x).ptr;
  out.append(buf, end);
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
