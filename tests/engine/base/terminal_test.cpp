// Text for a terminal: every writer of terminal text (diagnostics, run's summary, compare's
// and optimise's tables, validate --summary) escapes control characters from ids and
// names, keeps printable UTF-8 (Japanese) as it is, and lines its tables up by display
// width (a wide character takes two columns), cutting very long names with an ellipsis.
#include "cpsf/base/terminal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/analysis/compare.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/base/diagnostics.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/compare_writers.hpp"
#include "cpsf/output/portfolio_writers.hpp"
#include "cpsf/output/run_summary.hpp"
#include "cpsf/output/summary.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

const std::string kEscape = "\x1b]0;owned\x07\x1b[2J";  // retitles the window, clears the screen
const std::string kJapanese = "トヨタ自動車";           // six wide characters: twelve columns
const std::string kLong(100, 'n');                      // a 100-character name

// Columns on a terminal, counted independently of the engine: CJK and fullwidth forms 2,
// every other code point 1 (the tests use no combining marks).
std::size_t columns(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07u, len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0Fu, len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1Fu, len = 2;
    }
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    i += len;
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
    n += wide ? 2 : 1;
  }
  return n;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

// No byte that moves the cursor or starts an escape sequence: controls but the newlines
// that end lines, DEL, and the C1 controls (U+0080..U+009F as UTF-8).
void expect_no_control_characters(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    ASSERT_FALSE((c < 0x20 && c != '\n') || c == 0x7F) << "raw control byte " << int(c) << " at " << i << ":\n" << text;
    ASSERT_FALSE(c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0)
        << "raw C1 control at " << i;
  }
}

// The table rows (indented lines) holding `marker` have `token` at the same display
// column (and have it).
void expect_aligned(const std::string& text, std::string_view marker, std::string_view token, std::size_t at_least) {
  std::vector<std::size_t> at;
  for (const auto& line : lines(text)) {
    if (line.rfind("  ", 0) != 0 || line.find(marker) == std::string::npos) continue;
    const std::size_t pos = line.find(token);
    ASSERT_NE(pos, std::string::npos) << "no '" << token << "' in: " << line;
    at.push_back(columns(line.substr(0, pos)));
  }
  ASSERT_GE(at.size(), at_least) << text;
  EXPECT_TRUE(std::all_of(at.begin(), at.end(), [&](std::size_t x) { return x == at.front(); }))
      << "'" << token << "' not aligned in:\n"
      << text;
}

// Rows of a table (lines that hold `marker`) all take the same display width.
void expect_same_width(const std::string& text, const std::vector<std::string>& rows) {
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) EXPECT_EQ(columns(row), columns(rows.front())) << row << "\nin\n" << text;
}

// Long names are cut to keep the table readable: never printed whole, ended by "…".
void expect_cut(const std::string& text, std::string_view marker) {
  bool cut = false;
  for (const auto& line : lines(text)) {
    if (line.find(marker) == std::string::npos) continue;
    EXPECT_EQ(line.find(kLong), std::string::npos) << line;
    cut = cut || line.find("…") != std::string::npos;
  }
  EXPECT_TRUE(cut) << text;
}

// ---- the functions ------------------------------------------------------------------------------

TEST(TerminalSafe, EscapesWhatATerminalActsOnAndKeepsPrintableUtf8) {
  const std::pair<std::string, std::string> cases[] = {
      {"plain id-1", "plain id-1"},
      {kJapanese, kJapanese},
      {"é ü ± —", "é ü ± —"},
      {"\x1b[31mred", "\\x1b[31mred"},
      {"a\tb\nc\rd", "a\\tb\\nc\\rd"},
      {"bell\x07 nul" + std::string(1, '\0'), "bell\\x07 nul\\x00"},
      {"del\x7f", "del\\x7f"},
      {"csi \xc2\x9b", "csi \\u009b"},          // C1 control U+009B
      {"rlo \xe2\x80\xae x", "rlo \\u202e x"},  // right-to-left override
      {"ls \xe2\x80\xa8", "ls \\u2028"},        // line separator
      {"bad \xff", "bad \\xff"},                // not UTF-8
      {"cut \xe3\x83", "cut \\xe3\\x83"},       // a sequence cut short
      {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
      {"surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80"},
      {"back\\slash", "back\\slash"},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(terminal_safe(in), want) << in;
    EXPECT_EQ(terminal_safe(terminal_safe(in)), want) << "escaping twice changes nothing: " << in;
  }
}

TEST(DisplayWidth, WideIsTwoCombiningIsZero) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width(kJapanese), 12u);
  EXPECT_EQ(display_width("\xef\xbd\xb6"), 1u);              // halfwidth katakana ｶ
  EXPECT_EQ(display_width("\xef\xbc\xa1"), 2u);              // fullwidth Ａ
  EXPECT_EQ(display_width("e\xcc\x81"), 1u);                 // e + combining acute
  EXPECT_EQ(display_width("\xe3\x81\x8b\xe3\x82\x99"), 2u);  // か + combining voiced mark
  EXPECT_EQ(display_width("\xf0\x9f\x98\x80"), 2u);          // emoji
  EXPECT_EQ(display_width("a\xe2\x80\x8d"
                          "b"),
            2u);                                     // zero-width joiner
  EXPECT_EQ(display_width("\xea\xb0\x80"), 2u);      // Hangul syllable
  EXPECT_EQ(display_width("\xf0\xa0\x80\x80"), 2u);  // CJK extension B
  EXPECT_EQ(display_width("…"), 1u);
}

TEST(DisplayWidth, TruncateAndPad) {
  EXPECT_EQ(truncate_to_width(kJapanese, 12), kJapanese);
  EXPECT_EQ(truncate_to_width(kJapanese, 7), "トヨタ…");
  EXPECT_EQ(truncate_to_width(kJapanese, 8), "トヨタ…");  // a wide character does not fit in one column
  EXPECT_EQ(truncate_to_width("abcdef", 4), "abc…");
  EXPECT_EQ(truncate_to_width("abcdef", 0), "");
  EXPECT_EQ(truncate_to_width("e\xcc\x81"
                              "fgh",
                              2),
            "e\xcc\x81…");  // the mark stays with its letter
  EXPECT_EQ(pad_right("トヨタ", 8), "トヨタ  ");
  EXPECT_EQ(pad_right(kLong, 5), "nnnn…");
  EXPECT_EQ(pad_right("\x1b", 6), "\\x1b  ");
  EXPECT_EQ(align_right("ab", 4), "  ab");
  EXPECT_EQ(align_right("123456", 4), "123456");  // numbers are never cut
  const std::vector<std::string> names{"a", kJapanese, kLong};
  EXPECT_EQ(column_width(names, 8, [](const std::string& x) { return x; }), kMaxNameColumns);
  EXPECT_EQ(column_width(std::vector<std::string>{"a", kJapanese}, 8, [](const std::string& x) { return x; }), 12u);
  EXPECT_EQ(column_width(std::vector<std::string>{"a"}, 8, [](const std::string& x) { return x; }), 8u);
}

// ---- the writers ---------------------------------------------------------------------------------

TEST(TerminalWriters, DiagnosticsEscapeControlCharacters) {
  Diagnostic d{Severity::Error,
               "dir/" + kEscape + ".textproto",
               3,
               1,
               "assets[0].id",
               "asset '" + kEscape + "'",
               "duplicate id '" + kEscape + "\r\n'",
               "rename '" + kJapanese + "'"};
  const std::string line = d.format();
  expect_no_control_characters(line);
  EXPECT_NE(line.find("asset '\\x1b]0;owned\\x07\\x1b[2J'"), std::string::npos) << line;
  EXPECT_NE(line.find("\\r\\n'"), std::string::npos) << line;
  EXPECT_NE(line.find(kJapanese), std::string::npos) << line;  // printable UTF-8 as it is
}

// The default scenario with ids that are escapes, Japanese and 100 characters long.
Model odd_model() {
  Model m = compile(default_scenario());
  const std::string kinds[] = {kEscape, kJapanese, kLong, "plain"};
  for (std::size_t i = 0; i < m.asset_id.size(); ++i) m.asset_id[i] = kinds[i % 4] + "-" + std::to_string(i);
  for (std::size_t e = 0; e < m.enterprise_id.size(); ++e) m.enterprise_id[e] = kinds[e % 4] + "-e" + std::to_string(e);
  for (std::size_t k = 0; k < m.threats.size(); ++k) m.threats[k].id = kinds[(k + 1) % 4] + "-t" + std::to_string(k);
  return m;
}

TEST(TerminalWriters, RunSummaryEscapesAndAlignsByDisplayWidth) {
  const Model m = odd_model();
  RunOptions o;
  o.trials = 2000;
  o.seed = 3;
  const auto r = simulate(m, o);
  const auto rep = estimate(m, r);
  const std::string text = text_summary(m, r, rep, {"dir/" + kEscape + ".textproto", kJapanese + kEscape, "kJPY"});
  expect_no_control_characters(text);
  EXPECT_NE(text.find(kJapanese + "\\x1b]0;owned"), std::string::npos) << text;
  // The tables: assets by expected loss, enterprises, paths and chokepoints.
  std::vector<std::string> asset_rows, enterprise_rows;
  bool in_assets = false, in_enterprises = false;
  for (const auto& line : lines(text)) {
    if (line.rfind("  ", 0) != 0) {
      in_assets = line.rfind("assets by expected loss", 0) == 0;
      in_enterprises = line.rfind("enterprises (mean loss", 0) == 0;
      continue;
    }
    if (in_assets) asset_rows.push_back(line.substr(0, line.find("  (target)")));
    if (in_enterprises) enterprise_rows.push_back(line);
  }
  ASSERT_EQ(asset_rows.size(), 11u) << text;  // the header and ten assets
  const std::string header = asset_rows.front();
  asset_rows.erase(asset_rows.begin());
  expect_same_width(text, asset_rows);
  // The heading's "P(comp.)" ends where the rows' probabilities end.
  EXPECT_EQ(columns(header.substr(0, header.find("P(comp.)") + 8)),
            columns(asset_rows.front().substr(0, asset_rows.front().find("  ["))))
      << text;
  ASSERT_GT(enterprise_rows.size(), 4u) << text;
  expect_same_width(text, enterprise_rows);
  expect_aligned(text, " falls: ", "% of ", 2);  // paths: target column
  expect_aligned(text, ", depth ", " cut ", 1);  // chokepoints: threat and target columns
  expect_cut(text, "-e");
}

TEST(TerminalWriters, ValidateSummaryEscapesAndAligns) {
  v1::Scenario s = default_scenario();
  s.set_name(kEscape + kJapanese);
  const std::string kinds[] = {kEscape, kJapanese, kLong, "plain"};
  for (int e = 0; e < s.enterprises_size(); ++e) {
    auto* ent = s.mutable_enterprises(e);
    ent->set_id(kinds[e % 4] + "-e" + std::to_string(e));
    ent->set_role("R:" + (e % 2 ? kEscape : kJapanese));  // free text, last: never cut
    ent->set_sector(kinds[(e + 2) % 4]);
  }
  for (int t = 0; t < s.threats_size(); ++t) s.mutable_threats(t)->set_id(kinds[t % 4] + "-t" + std::to_string(t));
  const std::string text = format_summary(s, summarise(s));
  expect_no_control_characters(text);
  EXPECT_NE(text.find("\\x1b]0;owned\\x07\\x1b[2J" + kJapanese), std::string::npos) << text;
  expect_aligned(text, " baseline ", " baseline ", 4);
  expect_aligned(text, " baseline ", "R:", 4);  // the role, last and whole, starts at one column
  expect_aligned(text, " entry points", " entry points", 3);
  expect_cut(text, "-e");
}

CompareResult odd_comparison() {
  CompareResult r;
  r.trials = 100;
  r.seed = 1;
  r.baselines = {"as-is", "SCS-4" + kEscape};
  for (const std::string& label : {kJapanese, kEscape, kLong, std::string("plain")}) {
    r.scenarios.push_back({label, "dir/" + label + ".textproto", label, "kJPY", {"t"}});
    for (const auto& b : r.baselines) {
      CompareRow row;
      row.scenario = label;
      row.baseline = b;
      row.trials = 100;
      row.mean = 1234.5;
      row.stderr_ = 12.5;
      r.rows.push_back(row);
    }
  }
  return r;
}

TEST(TerminalWriters, CompareTableEscapesAndAligns) {
  const std::string text = compare_text(odd_comparison());
  expect_no_control_characters(text);
  std::vector<std::string> rows;
  for (const auto& line : lines(text)) {
    if (line.rfind("  ", 0) == 0 && line.find(" ± ") != std::string::npos) rows.push_back(line);
  }
  ASSERT_EQ(rows.size(), 9u) << text;  // header and 4 scenarios × 2 baselines
  expect_same_width(text, rows);
  expect_cut(text, "1,234 ±");  // 1234.5 as money() prints it
}

TEST(TerminalWriters, OptimiseTableEscapesAndAligns) {
  PortfolioResult r;
  r.method = PortfolioMethod::Exact;
  r.trials = 100;
  const std::string kinds[] = {kEscape, kJapanese, kLong, "plain"};
  for (const auto& id : kinds) {
    r.candidates.push_back(id);
    r.candidate_cost.push_back(10);
    r.marginal.push_back({id, 10.0, true, 5.0, 1.0, 0.5});
  }
  r.chosen = r.candidates;
  r.frontier.push_back({0.0, 0.0, {1.0, 0.1}, {kEscape, kJapanese}});
  const std::string text = portfolio_text(r, {"f", kJapanese + kEscape, "kJPY"});
  expect_no_control_characters(text);
  EXPECT_NE(text.find(kJapanese + "\\x1b"), std::string::npos) << text;
  std::vector<std::string> rows;
  for (const auto& line : lines(text)) {
    if (line.find("  yes ") != std::string::npos || line.find("value/cost") != std::string::npos) rows.push_back(line);
  }
  ASSERT_EQ(rows.size(), 5u) << text;
  expect_same_width(text, rows);
  expect_cut(text, "  yes ");
}

}  // namespace
}  // namespace cpsf
