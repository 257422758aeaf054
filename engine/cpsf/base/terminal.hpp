// Text for a terminal. Ids and names come from scenario files, which may be anyone's:
// printed raw, an ESC sequence in an id retitles the window or clears the screen, a CR
// overwrites the line, a bidirectional override reorders it. Every writer of terminal
// text (diagnostics, the summaries and tables of run, compare, optimise and validate
// --summary) passes such strings through terminal_safe(), and lines its tables up by
// display width: a Japanese character takes two columns, a combining mark none.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cpsf {

// `s` with what a terminal would act on shown as an escape: C0 controls (\t, \n, \r by
// name, others as \x1b), DEL (\x7f), C1 controls and the bidirectional controls and line
// separators (\u009b, \u202e, \u2028) and bytes that are not UTF-8 (\xff). Printable
// UTF-8, Japanese included, is kept as it is; a backslash too, so escaping twice changes
// nothing.
std::string terminal_safe(std::string_view s);

// Columns `s` takes on a terminal, as wcwidth(3) counts them: East Asian Wide and
// Fullwidth characters 2, combining marks and format characters 0, others 1. For
// terminal_safe text (a control character would count 0).
std::size_t display_width(std::string_view s);

// `s` cut to at most `width` columns, on a character boundary, ending in "…" when cut.
std::string truncate_to_width(std::string_view s, std::size_t width);

// terminal_safe(s), cut to `width` columns and padded with spaces to exactly `width`:
// a left-aligned table cell for a name.
std::string pad_right(std::string_view s, std::size_t width);
// terminal_safe(s) padded on the left to `width` columns, never cut: a right-aligned
// cell for a number or a heading.
std::string align_right(std::string_view s, std::size_t width);

// The width of a column of terminal_safe(key(value)): the widest, at least `min` (the
// heading's, or the table's usual width) and at most `max` (longer values are cut).
inline constexpr std::size_t kMaxNameColumns = 40;
template <class Range, class Key>
std::size_t column_width(const Range& values, std::size_t min, std::size_t max, Key key) {
  std::size_t w = min;
  for (const auto& v : values) {
    const std::size_t n = display_width(terminal_safe(key(v)));
    if (n > w) w = n;
  }
  return w < max ? w : (min > max ? min : max);
}
template <class Range, class Key>
std::size_t column_width(const Range& values, std::size_t min, Key key) {
  return column_width(values, min, kMaxNameColumns, key);
}

}  // namespace cpsf
