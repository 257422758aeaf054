// UTF-8 checks for untrusted strings: every string field of a scenario must be UTF-8
// (protobuf's `string` type promises it, and the JSON and CSV writers depend on it), and
// a diagnostic must be printable text even when it quotes a string that is not.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace cpsf {

// Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or npos when `s` is UTF-8.
// NUL is UTF-8 here; text-file checks refuse it separately.
inline std::size_t invalid_utf8_at(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII, eight bytes at a time: ids and names are nearly always plain ASCII.
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

inline bool is_utf8(std::string_view s) noexcept { return invalid_utf8_at(s) == std::string_view::npos; }

// "0xFF": a byte as a diagnostic names it.
inline std::string byte_hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

// `s` itself when it is UTF-8; otherwise with each byte that is not written as \xNN, so
// that a message quoting it is text (a terminal, a JSON writer, Python's str can take it).
inline std::string printable_utf8(std::string_view s) {
  std::size_t bad = invalid_utf8_at(s);
  if (bad == std::string_view::npos) return std::string(s);
  std::string out(s.substr(0, bad));
  while (bad != std::string_view::npos) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[bad]));
    out += buf;
    s.remove_prefix(bad + 1);
    bad = invalid_utf8_at(s);
    out += s.substr(0, bad == std::string_view::npos ? s.size() : bad);
  }
  return out;
}

}  // namespace cpsf
