#include "cpsf/output/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cpsf/base/statistics.hpp"
#include "cpsf/base/version.hpp"

namespace cpsf {

void JsonWriter::number(double x) {
  next();
  if (!std::isfinite(x)) {
    out_ += "null";
    return;
  }
  char buf[64];  // the conversion nlohmann's dump uses, so the digits are the same
  out_.append(buf, nlohmann::detail::to_chars(buf, buf + sizeof buf, x));
}

void JsonWriter::count(std::uint64_t x) {
  next();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
}

void JsonWriter::string(std::string_view s) {
  next();
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out_ += '"';
    out_ += s;
    out_ += '"';
  } else {  // escaped, and checked as UTF-8, by nlohmann itself
    out_ += nlohmann::ordered_json(std::string(s)).dump();
  }
}

void JsonWriter::numbers(std::initializer_list<double> xs) {
  begin_array();
  for (const double x : xs) number(x);
  end_array();
}

void JsonWriter::strings(const std::vector<std::string>& items) {
  begin_array();
  for (const auto& s : items) string(s);
  end_array();
}

void JsonWriter::open(char bracket) {
  next();
  out_ += bracket;
  first_.push_back(true);
}

void JsonWriter::close(char bracket) {
  const bool empty = first_.back();
  first_.pop_back();
  if (!empty) {
    out_ += '\n';
    out_.append(first_.size(), ' ');
  }
  out_ += bracket;
}

void write_format_and_engine(JsonWriter& w, std::string_view format) {
  w.key("format").string(format);
  w.key("engine").begin_object();
  w.key("version").string(kEngineVersion);
  w.key("schema").string(kSchemaVersion);
  w.key("git_revision").string(kGitRevision);
  w.key("semantics").string("attack-step semantics v1 (DESIGN §4)");
  w.end_object();
}

void write_scenario(JsonWriter& w, const OutputContext& context) {
  w.key("scenario").begin_object();
  w.key("file").string(context.scenario_file);
  w.key("name").string(context.scenario_name);
  w.key("currency").string(context.currency);
  w.end_object();
}

void write_mean_stderr(JsonWriter& w, double mean, double stderr_) {
  w.begin_object();
  w.key("mean").number(mean);
  w.key("stderr").number(stderr_);
  w.end_object();
}

void write_mean_stderr_ci(JsonWriter& w, double mean, double stderr_) {
  w.begin_object();
  w.key("mean").number(mean);
  w.key("stderr").number(stderr_);
  w.key("ci95").numbers({mean - kZ95 * stderr_, mean + kZ95 * stderr_});
  w.end_object();
}

}  // namespace cpsf
