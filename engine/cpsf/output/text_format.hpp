// printf into a std::string, and amounts for people, for the writers' terminal tables.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace cpsf {

// printf's `fmt` over `args`, of any length (labels and names are the user's, unbounded).
template <class... Args>
std::string format(const char* fmt, Args... args) {
  const int n = std::snprintf(nullptr, 0, fmt, args...);
  if (n <= 0) return {};
  std::string out(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, args...);
  out.pop_back();
  return out;
}

// An amount as a person reads it, by the HTML report's rule (report.js): whole units with
// thousands separators from 100 up (2,456,316), two decimals from 1 (12.50), three
// significant digits below (0.0123); "n/a" for what is not a number.
inline std::string money(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a < 1.0) return format("%.3g", v);
  if (a < 100.0) return format("%.2f", v);
  std::string digits = format("%.0f", a);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

}  // namespace cpsf
