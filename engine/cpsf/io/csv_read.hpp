// Reading CSV (RFC 4180): the input side of output/csv.hpp, for the inventory importer.
//
// Cells are separated by commas and rows by CRLF, LF or CR. A cell that starts with a
// double quote is quoted: it ends at the next lone quote, holds commas and line breaks as
// they are, and "" inside it stands for one quote. A UTF-8 byte-order mark at the start is
// skipped. The first row is the header. Rows with no characters at all are skipped (a
// trailing line break is not a row); every other row must have as many cells as the
// header. The text must be UTF-8 without NUL bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/read.hpp"

namespace cpsf {

// A file's text and the name its diagnostics give it.
struct CsvSource {
  std::string path;
  std::string text;
};

struct CsvTable {
  std::vector<std::string> header;             // column names, spaces around them removed
  std::vector<std::vector<std::string>> rows;  // cells as written (quotes removed)
  std::vector<int> lines;                      // the physical line (1-based) where each row starts
};

// Parses `text` (the content of `file`, named in diagnostics). On a syntax error reports
// it at its line and column and returns false; `table` then holds the rows before it.
bool parse_csv(std::string_view text, const std::string& file, CsvTable& table, Diagnostics& out);

// Reads a CSV file whole; false (reported, naming the file) when it is not a regular file, is
// over limits.max_file_bytes or cannot be read.
bool read_csv_file(const std::string& file, std::string& text, Diagnostics& out, const ReadLimits& limits);
// The same for a file of another form (`kind`: "a GraphML file"), named in the fix.
bool read_data_file(const std::string& file, std::string& text, Diagnostics& out, const ReadLimits& limits,
                    std::string_view kind);

}  // namespace cpsf
