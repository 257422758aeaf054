#include "cli/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/common.hpp"
#include "cpsf/base/parallel.hpp"
#include "cpsf/base/terminal.hpp"

namespace cpsf::cli {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "'abc'" for the message; an empty value is named as such.
std::string shown(std::string_view text) {
  return text.empty() ? std::string("an empty value") : "'" + std::string(text) + "'";
}

}  // namespace

std::optional<std::uint64_t> parse_integer(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  // Mantissa: its digits (integer part, then fraction) and the fraction's length.
  std::string digits;
  std::int64_t shift = 0;  // value = digits × 10^shift
  bool any = false;
  for (; i < text.size() && is_digit(text[i]); ++i, any = true) digits += text[i];
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i, any = true) {
      digits += text[i];
      --shift;
    }
  }
  if (!any) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    std::int64_t exponent = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      exponent = std::min<std::int64_t>(exponent * 10 + (text[i] - '0'), 1'000'000);  // saturates: still exact below
    }
    shift += exponent_negative ? -exponent : exponent;
  }
  if (i != text.size()) return std::nullopt;
  // Trailing zeros move into the shift, leading zeros go: digits then ends in a non-zero digit.
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++shift;
  }
  const std::size_t first = digits.find_first_not_of('0');
  digits.erase(0, first == std::string::npos ? digits.size() : first);
  if (digits.empty()) return std::uint64_t{0};     // zero, whatever the sign and exponent
  if (negative || shift < 0) return std::nullopt;  // negative, or a fraction
  if (static_cast<std::int64_t>(digits.size()) + shift > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t k = 0; k < digits.size() + static_cast<std::size_t>(shift); ++k) {
    const unsigned d = k < digits.size() ? static_cast<unsigned>(digits[k] - '0') : 0;
    if (value > (UINT64_MAX - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || !(is_digit(text.front()) || text.front() == '-' || text.front() == '.')) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

CLI::Validator integer_in(const IntegerLimit& limit) {
  const std::string allowed = describe(limit);
  return CLI::Validator(
      [limit, allowed](std::string& text) {
        const auto value = parse_integer(text);
        if (!value || !limit.contains(*value)) return "must be " + allowed + ", not " + shown(text);
        text = std::to_string(*value);  // what CLI11 stores
        return std::string{};
      },
      allowed);
}

CLI::Validator number_in(const RealLimit& limit) {
  const std::string allowed = describe(limit);
  return CLI::Validator(
      [limit, allowed](std::string& text) {
        const auto value = parse_number(text);
        if (!value || !limit.contains(*value)) return "must be " + allowed + ", not " + shown(text);
        return std::string{};
      },
      allowed);
}

int refuse(const char* verb, const std::vector<std::string>& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "cpsf %s: error: %s\n", verb, terminal_safe(p).c_str());
  return problems.empty() ? kExitOk : kExitUsage;
}

void warn_if_fewer_threads(const char* verb, unsigned threads) {
  const unsigned wanted = threads == 0 ? TrialExecutor::default_threads() : threads;
  const unsigned started = startable_threads(wanted);
  if (started < wanted) {
    std::fprintf(stderr,
                 "cpsf %s: warning: only %u of the %u threads asked for could be started (a limit on threads or "
                 "memory); running on %u, which changes no number\n",
                 verb, started, wanted, started);
  }
}

}  // namespace cpsf::cli
