// printf into a std::string, for the writers' terminal tables and the SVG chart.
#pragma once

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

}  // namespace cpsf
