#include "cpsf/base/terminal.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "cpsf/base/utf8.hpp"

namespace cpsf {

namespace {

struct CodeRange {
  std::uint32_t first, last;
};
#include "cpsf/base/display_width_table.inc"

bool in(const CodeRange* begin, const CodeRange* end, std::uint32_t cp) {
  const auto* it = std::upper_bound(begin, end, cp, [](std::uint32_t c, const CodeRange& r) { return c < r.first; });
  return it != begin && cp <= std::prev(it)->last;
}

// Code points a terminal acts on rather than shows, beyond C0 and DEL: C1 controls,
// the bidirectional marks, embeddings, overrides and isolates, and the line and
// paragraph separators.
bool acts_on_terminal(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

constexpr char kHex[] = "0123456789abcdef";

std::size_t width_of(std::uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if (cp < 0x300) return 1;  // the common case, without a search
  if (in(std::begin(kZeroWidth), std::end(kZeroWidth), cp)) return 0;
  return in(std::begin(kDoubleWidth), std::end(kDoubleWidth), cp) ? 2 : 1;
}

}  // namespace

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const Utf8Char d = decode_utf8(s, i);
    if (d.length == 0 || d.cp < 0x20 || d.cp == 0x7F) {
      switch (d.length == 0 ? -1 : static_cast<int>(d.cp)) {
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
      }
      ++i;
      continue;
    }
    if (acts_on_terminal(d.cp)) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(d.cp >> shift) & 0xF];
    } else {
      out.append(s.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char d = decode_utf8(s, i);
    if (d.length == 0) {  // not UTF-8: a byte terminal_safe would have escaped
      ++i;
      continue;
    }
    n += width_of(d.cp);
    i += d.length;
  }
  return n;
}

std::string truncate_to_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  // Keep what fits in width − 1 columns, then the ellipsis (one column); combining marks
  // after the last kept character stay with it.
  std::size_t used = 0, end = 0;
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char d = decode_utf8(s, i);
    const std::size_t len = d.length == 0 ? 1 : d.length;
    const std::size_t w = d.length == 0 ? 0 : width_of(d.cp);
    if (used + w > width - 1) break;
    used += w;
    i += len;
    end = i;
  }
  return std::string(s.substr(0, end)) + "…";
}

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out = truncate_to_width(terminal_safe(s), width);
  out.append(width - std::min(width, display_width(out)), ' ');
  return out;
}

std::string align_right(std::string_view s, std::size_t width) {
  const std::string text = terminal_safe(s);
  return std::string(width - std::min(width, display_width(text)), ' ') + text;
}

}  // namespace cpsf
