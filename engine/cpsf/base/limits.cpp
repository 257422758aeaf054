#include "cpsf/base/limits.hpp"

#include <charconv>
#include <stdexcept>

namespace cpsf {

namespace {

// 1099511627775 reads better as the bound it is: "2^40)".
std::string upper_bound(std::uint64_t max) {
  for (int k = 16; k <= 64; ++k) {
    const std::uint64_t below = k == 64 ? limits::kU64 : (std::uint64_t{1} << k) - 1;
    if (max == below) return "2^" + std::to_string(k) + ")";
  }
  return std::to_string(max) + "]";
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) return std::to_string(value);
  // "1e+08" reads better as "1e8" (and still reads back exactly).
  std::string text(buffer, end);
  if (const auto e = text.find('e'); e != std::string::npos) {
    std::size_t digits = e + 1;
    if (text[digits] == '+')
      text.erase(digits, 1);
    else if (text[digits] == '-')
      ++digits;
    while (digits + 1 < text.size() && text[digits] == '0') text.erase(digits, 1);
  }
  return text;
}

std::string describe(const IntegerLimit& limit) {
  std::string text;
  if (limit.except_one && limit.min == 0) {
    text = "0 or an integer in [2, " + upper_bound(limit.max);
  } else {
    text = "an integer in [" + std::to_string(limit.min) + ", " + upper_bound(limit.max);
  }
  return text + limit.note;
}

std::string describe(const RealLimit& limit) {
  std::string text;
  if (std::isinf(limit.max)) {
    text = std::string("a finite number ") + (limit.open_min ? "> " : "≥ ") + format_number(limit.min);
  } else {
    text = std::string("a number in ") + (limit.open_min ? "(" : "[") + format_number(limit.min) + ", " +
           format_number(limit.max) + (limit.open_max ? ")" : "]");
  }
  return text + limit.note;
}

std::string must_be(std::string_view name, const IntegerLimit& limit, std::uint64_t value) {
  return std::string(name) + " must be " + describe(limit) + ", not " + std::to_string(value);
}

std::string must_be(std::string_view name, const RealLimit& limit, double value) {
  return std::string(name) + " must be " + describe(limit) + ", not " + format_number(value);
}

void check_limit(std::vector<std::string>& problems, std::string_view name, const IntegerLimit& limit,
                 std::uint64_t value) {
  if (!limit.contains(value)) problems.push_back(must_be(name, limit, value));
}

void check_limit(std::vector<std::string>& problems, std::string_view name, const RealLimit& limit, double value) {
  if (!limit.contains(value)) problems.push_back(must_be(name, limit, value));
}

void throw_if_any(const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string text = problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) text += "; " + problems[i];
  throw std::invalid_argument(text);
}

}  // namespace cpsf
