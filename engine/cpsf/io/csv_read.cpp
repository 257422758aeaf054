#include "cpsf/io/csv_read.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "cpsf/base/utf8.hpp"

namespace cpsf {

namespace {

// One pass over the text, a character at a time, knowing the line and column it is at.
class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& file, Diagnostics& out) : s_(text), file_(file), out_(out) {}

  bool parse(CsvTable& table) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // UTF-8 byte-order mark (spreadsheets write one)
    if (!check_text()) return false;
    bool header = true;
    while (i_ < s_.size()) {
      if (at_line_break()) {  // a row with no characters at all
        skip_line_break();
        continue;
      }
      const int row_line = line_;
      std::vector<std::string> cells;
      if (!parse_row(cells)) return false;
      if (header) {
        if (!take_header(cells, table, row_line)) return false;
        header = false;
        continue;
      }
      if (cells.size() != table.header.size()) {
        error(row_line, 0,
              "row has " + std::to_string(cells.size()) + " cells but the header has " +
                  std::to_string(table.header.size()),
              "give every row one cell per column (an empty cell for a value not given); quote a cell that holds a "
              "comma");
        return false;
      }
      table.rows.push_back(std::move(cells));
      table.lines.push_back(row_line);
    }
    if (header) {
      error(0, 0, "no header row", "start the file with a row naming its columns");
      return false;
    }
    return true;
  }

 private:
  void error(int line, int column, std::string message, std::string hint) {
    out_.add(Diagnostic{Severity::Error, file_, line, column, "", "", std::move(message), std::move(hint)});
  }

  bool check_text() {
    const std::size_t bad = std::min(s_.find('\0'), invalid_utf8_at(s_));
    if (bad == std::string_view::npos) return true;
    // Line of the bad byte, for the message.
    const int line = 1 + static_cast<int>(std::count(s_.begin(), s_.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
    error(line, 0, "byte " + std::to_string(bad) + " is not UTF-8 text",
          "save the file as UTF-8 CSV (in a spreadsheet: CSV UTF-8)");
    return false;
  }

  [[nodiscard]] bool at_line_break() const { return s_[i_] == '\n' || s_[i_] == '\r'; }
  void skip_line_break() {
    if (s_[i_] == '\r' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') ++i_;
    ++i_;
    ++line_;
    column_ = 1;
  }
  void advance() {
    if (s_[i_] == '\n' || (s_[i_] == '\r' && (i_ + 1 >= s_.size() || s_[i_ + 1] != '\n'))) {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(s_[i_]) & 0xC0) != 0x80) {
      ++column_;  // columns count characters, not the continuation bytes of one
    }
    ++i_;
  }

  // One row: cells up to a line break or the end. False after reporting a syntax error.
  bool parse_row(std::vector<std::string>& cells) {
    while (true) {
      std::string cell;
      if (i_ < s_.size() && s_[i_] == '"') {
        if (!parse_quoted(cell)) return false;
      } else {
        while (i_ < s_.size() && s_[i_] != ',' && !at_line_break()) {
          if (s_[i_] == '"') {
            error(line_, column_, "a double quote inside a cell that does not start with one",
                  "quote the whole cell and double the quote inside it: \"say \"\"hi\"\"\"");
            return false;
          }
          cell += s_[i_];
          advance();
        }
      }
      cells.push_back(std::move(cell));
      if (i_ >= s_.size()) return true;
      if (s_[i_] == ',') {
        advance();
        continue;
      }
      skip_line_break();
      return true;
    }
  }

  bool parse_quoted(std::string& cell) {
    const int open_line = line_, open_column = column_;
    advance();  // the opening quote
    while (true) {
      if (i_ >= s_.size()) {
        error(open_line, open_column, "the quoted cell that starts here has no closing quote",
              "end the cell with a double quote; a quote inside it is written twice (\"\")");
        return false;
      }
      if (s_[i_] == '"') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '"') {
          cell += '"';
          advance();
          advance();
          continue;
        }
        advance();  // the closing quote
        if (i_ < s_.size() && s_[i_] != ',' && !at_line_break()) {
          error(line_, column_, "text after the closing quote of a cell",
                "put the whole cell inside the quotes, or end the cell with a comma after the quote");
          return false;
        }
        return true;
      }
      cell += s_[i_];
      advance();
    }
  }

  bool take_header(std::vector<std::string>& cells, CsvTable& table, int line) {
    std::unordered_set<std::string> seen;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string& name = cells[c];
      const auto first = name.find_first_not_of(" \t");
      name = first == std::string::npos ? std::string() : name.substr(first, name.find_last_not_of(" \t") - first + 1);
      if (name.empty()) {
        error(line, 0, "column " + std::to_string(c + 1) + " of the header has no name",
              "name every column in the first row, or delete the empty column");
        return false;
      }
      if (!seen.insert(name).second) {
        error(line, 0, "column '" + name + "' is named twice in the header", "keep one column of each name");
        return false;
      }
    }
    table.header = std::move(cells);
    return true;
  }

  std::string_view s_;
  const std::string& file_;
  Diagnostics& out_;
  std::size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

namespace fs = std::filesystem;

bool read_csv_file(const std::string& file, std::string& text, Diagnostics& out, const ReadLimits& limits) {
  return read_data_file(file, text, out, limits, "a CSV file");
}

bool read_data_file(const std::string& file, std::string& text, Diagnostics& out, const ReadLimits& limits,
                    std::string_view kind) {
  const fs::path path(file);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || !fs::is_regular_file(path, ec)) {
    out.error(path.string(), "", "", "is not a regular file", "save it as " + std::string(kind));
    return false;
  }
  if (size > limits.max_file_bytes) {
    out.error(path.string(), "", "",
              "file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(limits.max_file_bytes) +
                  " bytes; it was not read",
              "raise --max-file-size");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    out.error(path.string(), "", "", "cannot read the file", "check its permissions");
    return false;
  }
  return true;
}

bool parse_csv(std::string_view text, const std::string& file, CsvTable& table, Diagnostics& out) {
  return CsvParser(text, file, out).parse(table);
}

}  // namespace cpsf
