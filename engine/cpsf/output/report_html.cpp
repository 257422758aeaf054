#include "cpsf/output/report_html.hpp"

#include <algorithm>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpsf {

namespace detail {
std::string embedded_file(std::string_view name);  // report_assets.cpp, generated (cmake/embed_files.cmake)
}

namespace {

using Json = nlohmann::ordered_json;  // keeps the documents' key order

constexpr int kMaxDepth = 64;

// nlohmann's parser is iterative but its serialiser recurses: bound the nesting first.
void check_depth(std::string_view text, const char* name) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        throw ReportError(std::string(name) + ": nests deeper than 64 levels; it is not a file cpsf wrote");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

Json parse_document(const std::string& text, const char* name, const char* format) {
  check_depth(text, name);
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    throw ReportError(std::string(name) + ": not valid JSON (a file cpsf wrote is; was it cut short or edited?)");
  }
  const auto it = doc.is_object() ? doc.find("format") : doc.end();
  if (it == doc.end() || !it->is_string() || it->get<std::string>() != format) {
    throw ReportError(std::string(name) + ": not a " + format + " document (its \"format\" should be \"" + format +
                      "\"; write it again with this cpsf)");
  }
  return doc;
}

double number_or(const Json& value, double fallback) { return value.is_number() ? value.get<double>() : fallback; }

// Keeps every target and the assets most likely to fall, at most kReportMaxAssets in all,
// in their order; the threats' own asset lists are dropped (the page does not show them).
Json trim_assets(Json& results) {
  Json note = Json::object();
  auto assets = results.find("assets");
  if (assets == results.end() || !assets->is_array() || assets->size() <= kReportMaxAssets) return note;
  std::vector<std::size_t> order(assets->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto key = [&](std::size_t i) {
    const Json& a = (*assets)[i];
    const bool target = a.is_object() && a.value("target", false);
    const double p = a.is_object() && a.contains("p_compromised") ? number_or(a["p_compromised"], -1.0) : -1.0;
    return std::pair<bool, double>(target, p);
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return key(x) > key(y); });
  order.resize(kReportMaxAssets);
  std::sort(order.begin(), order.end());
  // "_index": the asset's place in the file, so the page points at its values there.
  Json kept = Json::array();
  for (const std::size_t i : order) {
    kept.push_back((*assets)[i]);
    if (kept.back().is_object()) kept.back()["_index"] = i;
  }
  note["assets"] = {{"shown", kept.size()}, {"total", assets->size()}};
  *assets = std::move(kept);
  // The page does not show the threats' own lists, which would be as long again each.
  if (auto threats = results.find("threats"); threats != results.end() && threats->is_array()) {
    for (auto& threat : *threats) {
      if (threat.is_object()) threat.erase("assets");
    }
  }
  return note;
}

void trim_enterprises(Json& results, Json& note) {
  auto ents = results.find("enterprises");
  if (ents == results.end() || !ents->is_array() || ents->size() <= kReportMaxEnterprises) return;
  auto loss = [](const Json& e) {
    return e.is_object() && e.contains("loss") && e["loss"].is_object()
               ? number_or(e["loss"].value("mean", Json()), -1.0)
               : -1.0;
  };
  Json sorted = *ents;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i].is_object()) sorted[i]["_index"] = i;
  }
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Json& x, const Json& y) { return loss(x) > loss(y); });
  note["enterprises"] = {{"shown", kReportMaxEnterprises}, {"total", ents->size()}};
  sorted.erase(sorted.begin() + static_cast<std::ptrdiff_t>(kReportMaxEnterprises), sorted.end());
  *ents = std::move(sorted);
}

// JSON inside <script>: `<` would let a scenario's id close the element (`</script>`), and
// `>`/`&` are escaped with it so the text is inert in any HTML context.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (const char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The template with each /*CPSF:NAME*/ marker replaced, in one pass over the template, so
// that a marker's text inside inserted data (a scenario named "/*CPSF:VEGA*/") stays data.
std::string fill_template(const std::string& page, const std::vector<std::pair<std::string_view, std::string>>& parts) {
  std::string out;
  std::size_t from = 0;
  for (const auto& [marker, text] : parts) {  // in the order they appear in report.html
    const auto at = page.find(marker, from);
    if (at == std::string::npos) throw std::logic_error("report.html lacks " + std::string(marker) + " in its place");
    out.append(page, from, at - from);
    out += text;
    from = at + marker.size();
  }
  out.append(page, from, std::string::npos);
  return out;
}

}  // namespace

std::string report_html(const ReportDocuments& documents) {
  if (documents.results.empty() && documents.compare.empty() && documents.optimise.empty()) {
    throw ReportError("nothing to report: no results.json, compare.json or optimise.json");
  }
  Json data = Json::object();
  if (!documents.results.empty()) {
    Json results = parse_document(documents.results, "results.json", "cpsf.results.v1");
    Json note = trim_assets(results);
    trim_enterprises(results, note);
    data["results"] = std::move(results);
    if (!note.empty()) data["omitted"] = std::move(note);
  }
  if (!documents.compare.empty())
    data["compare"] = parse_document(documents.compare, "compare.json", "cpsf.compare.v1");
  if (!documents.optimise.empty()) {
    data["optimise"] = parse_document(documents.optimise, "optimise.json", "cpsf.optimise.v1");
  }
  // Numbers are dumped in their shortest round-trip form, so the page holds the files' doubles.
  const std::string json = data.dump(-1, ' ', false, Json::error_handler_t::replace);
  return fill_template(detail::embedded_file("report.html"),
                       {{"/*CPSF:STYLE*/", detail::embedded_file("report.css")},
                        {"/*CPSF:DATA*/", script_safe(json)},
                        {"/*CPSF:VEGA-LICENSE*/", detail::embedded_file("vega-license.txt")},
                        {"/*CPSF:VEGA*/", detail::embedded_file("vega.min.js")},
                        {"/*CPSF:SCRIPT*/", detail::embedded_file("report.js")}});
}

}  // namespace cpsf
