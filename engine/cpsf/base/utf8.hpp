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

// The code point at s[i] and its length in bytes; length 0 when s[i] does not start a
// well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). The one UTF-8 decoder of the engine (this file and terminal.cpp).
struct Utf8Char {
  std::uint32_t cp;
  std::size_t length;
};
inline Utf8Char decode_utf8(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return {c, 1};
  std::size_t n = 0;
  std::uint32_t cp = 0, min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1Fu, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0Fu, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07u, min = 0x10000;
  } else {
    return {0, 0};
  }
  if (i + n > s.size()) return {0, 0};
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (byte(k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

// Offset of the first byte that does not begin a well-formed UTF-8 sequence, or npos
// when `s` is UTF-8. NUL is UTF-8 here; text-file checks refuse it separately.
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
    const std::size_t length = decode_utf8(s, i).length;
    if (length == 0) return i;
    i += length;
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
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[bad]));  // as terminal_safe writes it
    out += buf;
    s.remove_prefix(bad + 1);
    bad = invalid_utf8_at(s);
    out += s.substr(0, bad == std::string_view::npos ? s.size() : bad);
  }
  return out;
}

}  // namespace cpsf
