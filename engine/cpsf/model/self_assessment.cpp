#include "cpsf/model/self_assessment.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "cpsf/io/csv_read.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/enterprise_names.hpp"

namespace cpsf {

namespace {

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

// Lower case, spaces around dropped, runs of spaces inside made one: "Not  Implemented " → "not implemented".
std::string fold_answer(std::string_view s) {
  std::string out;
  for (const char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      if (out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string level_name(v1::Level level) { return v1::Level_Name(level); }

// BASIC, ADVANCED or HIGH_ADVANCED, in any case, '-' or ' ' for '_'.
std::optional<v1::Level> level_of(std::string_view text) {
  std::string s = trim(text);
  for (char& c : s) c = (c == ' ' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v1::Level level{};
  if (s == "LEVEL_UNSPECIFIED" || !v1::Level_Parse(s, &level)) return std::nullopt;
  return level;
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  const int year = std::stoi(std::string(s.substr(0, 4)));
  const int month = std::stoi(std::string(s.substr(5, 2)));
  const int day = std::stoi(std::string(s.substr(8, 2)));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  return month != 2 || day < 29 || year % 400 == 0 || (year % 4 == 0 && year % 100 != 0);
}

// ---- one answer ---------------------------------------------------------------------------

enum class AnswerKind : std::uint8_t { Missing, No, NotApplicable, Yes, AtLevel };

struct Answer {
  AnswerKind kind = AnswerKind::Missing;
  v1::Level level = v1::LEVEL_UNSPECIFIED;  // AtLevel only
  bool operator==(const Answer& o) const { return kind == o.kind && level == o.level; }
  [[nodiscard]] bool implemented() const { return kind == AnswerKind::Yes || kind == AnswerKind::AtLevel; }
};

constexpr const char* kAnswersAllowed =
    "write yes, implemented, true or 1; no, not implemented, false or 0; a level BASIC, ADVANCED or HIGH_ADVANCED "
    "(implemented at that level); n/a (not applicable); or leave the cell empty (not answered)";

std::optional<Answer> answer_of(std::string_view cell) {
  const std::string s = fold_answer(cell);
  if (s.empty()) return Answer{};
  if (s == "yes" || s == "implemented" || s == "true" || s == "1") return Answer{AnswerKind::Yes};
  if (s == "no" || s == "not implemented" || s == "false" || s == "0") return Answer{AnswerKind::No};
  if (s == "n/a" || s == "not applicable") return Answer{AnswerKind::NotApplicable};
  if (const auto level = level_of(s)) return Answer{AnswerKind::AtLevel, *level};
  return std::nullopt;
}

std::string answer_text(const Answer& a) {
  switch (a.kind) {
    case AnswerKind::Missing:
      return "no answer";
    case AnswerKind::No:
      return "no";
    case AnswerKind::NotApplicable:
      return "n/a";
    case AnswerKind::Yes:
      return "yes";
    case AnswerKind::AtLevel:
      return level_name(a.level);
  }
  return "";
}

// ---- tables -------------------------------------------------------------------------------

// The column index of each name of `names` (-1 when absent); false (reported) when a column is
// not one of them or a required one (the first `required`) is missing.
bool match_columns(const CsvTable& table, const std::string& path, const std::vector<std::string_view>& names,
                   std::size_t required, std::vector<int>& index, Diagnostics& out) {
  std::string allowed;
  for (const auto n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
  index.assign(names.size(), -1);
  bool ok = true;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const auto it = std::find(names.begin(), names.end(), table.header[c]);
    if (it == names.end()) {
      out.add(Diagnostic{Severity::Error, path, 1, 0, table.header[c], "",
                         "unknown column " + in_quotes(table.header[c]),
                         "name the columns " + allowed + " (lower case; docs/import.md)"});
      ok = false;
      continue;
    }
    index[static_cast<std::size_t>(it - names.begin())] = static_cast<int>(c);
  }
  for (std::size_t n = 0; n < required; ++n) {
    if (index[n] >= 0) continue;
    out.add(Diagnostic{Severity::Error, path, 1, 0, std::string(names[n]), "",
                       "no column " + in_quotes(names[n]) + " in the header",
                       "add the column; the columns are " + allowed});
    ok = false;
  }
  return ok;
}

// Where a cell is, for its message: file:line, "column X: ..." and [X].
struct Cell {
  const std::string& file;
  int line;
  std::string_view column;
  Diagnostics& out;

  void error(const std::string& message, const std::string& hint, Severity severity = Severity::Error) const {
    out.add(Diagnostic{severity, file, line, 0, std::string(column), "",
                       "column " + std::string(column) + ": " + message, hint});
  }
};

// ---- the mapping ---------------------------------------------------------------------------

struct Target {
  std::string requirement;
  v1::Level level = v1::BASIC;
};

struct Mapping {
  std::unordered_map<std::string, std::vector<Target>> items;
};

bool read_mapping(const CsvSource& source, const CatalogueIndex& catalogue, Mapping& mapping, Diagnostics& out) {
  CsvTable table;
  if (!parse_csv(source.text, source.path, table, out)) return false;
  std::vector<int> col;
  if (!match_columns(table, source.path, {"item", "requirement", "level"}, 2, col, out)) return false;
  bool ok = true;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const int line = table.lines[r];
    const std::string item = trim(row[static_cast<std::size_t>(col[0])]);
    const std::string requirement = trim(row[static_cast<std::size_t>(col[1])]);
    Target target{requirement, v1::BASIC};
    if (item.empty()) {
      Cell{source.path, line, "item", out}.error("empty", "give the checklist item's id");
      ok = false;
    }
    if (!catalogue.has_requirement(requirement)) {
      Cell{source.path, line, "requirement", out}.error(
          in_quotes(requirement) + " is not a requirement id of the catalogue",
          "write a requirement id that `cpsf catalogue` lists (e.g. CPS.AC-1), or add it to the scenario's "
          "requirements");
      ok = false;
    }
    if (col[2] >= 0 && !trim(row[static_cast<std::size_t>(col[2])]).empty()) {
      const auto level = level_of(row[static_cast<std::size_t>(col[2])]);
      if (!level) {
        Cell{source.path, line, "level", out}.error(
            in_quotes(row[static_cast<std::size_t>(col[2])]) + " is not a level",
            "write BASIC, ADVANCED or HIGH_ADVANCED, or leave the cell empty "
            "(BASIC)");
        ok = false;
      }
      target.level = level.value_or(v1::BASIC);
    }
    auto& targets = mapping.items[item];
    if (std::any_of(targets.begin(), targets.end(), [&](const Target& t) { return t.requirement == requirement; })) {
      Cell{source.path, line, "requirement", out}.error(
          "item " + in_quotes(item) + " is mapped to " + in_quotes(requirement) + " twice",
          "keep one row for each item and requirement");
      ok = false;
    }
    targets.push_back(std::move(target));
  }
  return ok;
}

// ---- the companies ------------------------------------------------------------------------

// Finds (or, for a fragment, makes) the enterprise of each company cell.
class Companies {
 public:
  Companies(v1::Scenario& scenario, bool match_existing) : scenario_(scenario), match_existing_(match_existing) {
    for (int i = 0; i < scenario.enterprises_size(); ++i) {
      const auto& e = scenario.enterprises(i);
      by_id_.emplace(e.id(), i);
      by_name_.emplace(e.name(), i);
      by_folded_.emplace(fold_name(e.name()), i);
    }
  }

  // The enterprise index of a company; -1 when it matches none (match_existing) or is empty.
  int find(const std::string& company, bool& made) {
    made = false;
    if (const auto it = memo_.find(company); it != memo_.end()) return it->second;
    int index = -1;
    if (const auto id = by_id_.find(company); id != by_id_.end()) {
      index = id->second;
    } else if (const auto name = by_name_.find(company); name != by_name_.end()) {
      index = name->second;
    } else if (const auto folded = by_folded_.find(fold_name(company)); folded != by_folded_.end()) {
      index = folded->second;
    } else if (!match_existing_ && !fold_name(company).empty()) {
      index = make(company);
      made = true;
    }
    memo_.emplace(company, index);
    return index;
  }

 private:
  int make(const std::string& company) {
    std::string base = enterprise_id_from_name(company);
    if (base.empty()) base = "company";
    std::string id = base;
    for (int n = 2; by_id_.count(id) > 0; ++n) id = base + "-" + std::to_string(n);
    auto& e = *scenario_.add_enterprises();
    e.set_id(id);
    e.set_name(company);
    const int index = scenario_.enterprises_size() - 1;
    by_id_.emplace(id, index);
    by_name_.emplace(company, index);
    by_folded_.emplace(fold_name(company), index);
    return index;
  }

  v1::Scenario& scenario_;
  bool match_existing_;
  std::unordered_map<std::string, int> by_id_, by_name_, by_folded_, memo_;
};

// ---- the answers ---------------------------------------------------------------------------

// The answer that counts for one company x item.
struct Chosen {
  int line = 0;
  Answer answer;
  std::string date;
};

struct Answers {
  // By (enterprise index, item), in first-answer order of their company.
  std::map<std::pair<int, std::string>, Chosen> chosen;
  std::vector<int> company_order;                        // enterprise indices, first answer first
  std::unordered_map<int, std::string> company_name;     // as first written
  std::vector<std::pair<std::string, int>> unmatched;    // company, first line
  std::map<std::string, std::pair<int, int>> bad_items;  // item → first line, rows
};

// Keeps the latest dated answer of a company x item; an empty answer never replaces one.
bool choose(Chosen& held, const Chosen& next, const std::string& file, const std::string& what, Diagnostics& out) {
  if (next.answer.kind == AnswerKind::Missing) return true;
  if (held.answer.kind == AnswerKind::Missing) {
    held = next;
    return true;
  }
  if (!held.date.empty() && !next.date.empty() && held.date != next.date) {
    if (next.date > held.date) held = next;
    return true;
  }
  if (held.answer == next.answer) return true;
  out.add(Diagnostic{Severity::Error, file, next.line, 0, "answer", "",
                     what + ": line " + std::to_string(held.line) + " answers " + in_quotes(answer_text(held.answer)) +
                         " and line " + std::to_string(next.line) + " answers " + in_quotes(answer_text(next.answer)) +
                         (held.date == next.date && !held.date.empty() ? " on the same date " + held.date
                                                                       : " without dates to tell which is later"),
                     "keep one of the two rows, or date both (YYYY-MM-DD): the latest answer counts"});
  return false;
}

struct Columns {
  int company = -1, item = -1, answer = -1, date = -1;
};

// One row's cells checked and its answer kept; false when a cell is wrong.
bool read_row(const std::vector<std::string>& row, int line, const Columns& c, const std::string& file,
              const Mapping& mapping, const CatalogueIndex& catalogue, Companies& companies, Answers& answers,
              Diagnostics& out) {
  const std::string company = trim(row[static_cast<std::size_t>(c.company)]);
  const std::string item = trim(row[static_cast<std::size_t>(c.item)]);
  const std::string date = c.date < 0 ? "" : trim(row[static_cast<std::size_t>(c.date)]);
  const auto answer = answer_of(row[static_cast<std::size_t>(c.answer)]);
  bool ok = true;
  if (!answer) {
    Cell{file, line, "answer", out}.error(in_quotes(row[static_cast<std::size_t>(c.answer)]) + " is not an answer",
                                          kAnswersAllowed);
    ok = false;
  }
  if (!date.empty() && !is_date(date)) {
    Cell{file, line, "date", out}.error(in_quotes(date) + " is not a date YYYY-MM-DD",
                                        "write the date as 2026-03-31, or leave the cell empty");
    ok = false;
  }
  if (mapping.items.count(item) == 0 && !catalogue.has_requirement(item)) {
    auto [it, first] = answers.bad_items.try_emplace(item, line, 0);
    ++it->second.second;
    ok = false;
  }
  if (company.empty()) {
    Cell{file, line, "company", out}.error("empty", "give the company's enterprise id or name");
    return false;
  }
  bool made = false;
  const int enterprise = companies.find(company, made);
  if (enterprise < 0) {
    const bool first = std::none_of(answers.unmatched.begin(), answers.unmatched.end(),
                                    [&](const auto& u) { return u.first == company; });
    if (first) answers.unmatched.emplace_back(company, line);
    return ok;
  }
  if (answers.company_name.emplace(enterprise, company).second) answers.company_order.push_back(enterprise);
  if (!ok) return false;
  const Chosen next{line, *answer, date};
  auto [it, fresh] = answers.chosen.try_emplace({enterprise, item}, next);
  return fresh || choose(it->second, next, file, "company " + in_quotes(company) + ", item " + in_quotes(item), out);
}

void report_bad_items(const Answers& answers, const std::string& file, bool has_mapping, Diagnostics& out) {
  for (const auto& [item, where] : answers.bad_items) {
    const int more = where.second - 1;
    out.add(Diagnostic{
        Severity::Error, file, where.first, 0, "item", "",
        "column item: " + in_quotes(item) + " is neither a requirement id of the catalogue nor " +
            (has_mapping ? "an item of the mapping" : "mapped (no --map given)") +
            (more > 0 ? " (and " + std::to_string(more) + (more == 1 ? " more row)" : " more rows)") : ""),
        "write a requirement id that `cpsf catalogue` lists (e.g. CPS.AC-1), or map the item to one in a mapping "
        "file (--map: item,requirement[,level])"});
  }
}

void report_unmatched(const Answers& answers, const std::string& file, bool strict, Diagnostics& out) {
  for (const auto& [company, line] : answers.unmatched) {
    out.add(Diagnostic{strict ? Severity::Error : Severity::Warning, file, line, 0, "company", "",
                       "column company: " + in_quotes(company) +
                           " is no enterprise of the scenario (by id, by name, or by name ignoring case and spaces); "
                           "its answers were not imported",
                       "write the enterprise's id or name, or add the enterprise to the scenario" +
                           std::string(strict ? "" : "; --strict makes this an error")});
  }
}

// ---- controls -----------------------------------------------------------------------------

// The strongest state of one company x requirement over the items mapped to it.
struct RequirementState {
  AnswerKind kind = AnswerKind::Missing;  // No, NotApplicable or Yes (implemented at `level`)
  v1::Level level = v1::LEVEL_UNSPECIFIED;
  int line = 0;
  std::string date;
};

using States = std::map<std::string, RequirementState>;  // by requirement id

void merge_state(RequirementState& s, const Chosen& c, const Target& t) {
  const auto rank = [](AnswerKind k) {
    return k == AnswerKind::Missing ? 0 : k == AnswerKind::NotApplicable ? 1 : k == AnswerKind::No ? 2 : 3;
  };
  const AnswerKind kind = c.answer.implemented() ? AnswerKind::Yes : c.answer.kind;
  const v1::Level level = c.answer.kind == AnswerKind::AtLevel ? c.answer.level : t.level;
  if (rank(kind) > rank(s.kind) || (kind == AnswerKind::Yes && s.kind == AnswerKind::Yes && level > s.level)) {
    s = RequirementState{kind, kind == AnswerKind::Yes ? level : v1::LEVEL_UNSPECIFIED, c.line, c.date};
  }
}

// The states of every company x requirement answered, by enterprise index.
std::map<int, States> states_of(const Answers& answers, const Mapping& mapping, SelfAssessmentReport& report) {
  std::map<int, States> states;
  for (const auto& [key, c] : answers.chosen) {
    switch (c.answer.kind) {
      case AnswerKind::Missing:
        ++report.missing;
        break;
      case AnswerKind::No:
        ++report.not_implemented;
        break;
      case AnswerKind::NotApplicable:
        ++report.not_applicable;
        break;
      default:
        ++report.implemented;
    }
    auto& of_company = states[key.first];
    const auto mapped = mapping.items.find(key.second);
    if (mapped == mapping.items.end()) {
      merge_state(of_company[key.second], c, Target{key.second, v1::BASIC});
    } else {
      for (const auto& t : mapped->second) merge_state(of_company[t.requirement], c, t);
    }
  }
  return states;
}

std::string control_id(const std::string& enterprise, const std::string& requirement) {
  return "sa-" + enterprise + "-" + requirement;
}

// Writes the controls: each implemented state replaces or adds its control; a state answered
// no or n/a removes a control of its id. Origins of the controls added are (file, k), lines[k].
void write_controls(const std::map<int, States>& states, const std::string& file_name, std::uint32_t file,
                    LoadedScenario& into, std::vector<int>& lines, SelfAssessmentReport& report) {
  v1::Scenario& s = *into.mutable_scenario();
  auto& origins = into.origins["controls"];
  while (origins.size() < static_cast<std::size_t>(s.controls_size()))
    origins.push_back({0, static_cast<std::uint32_t>(origins.size())});
  std::unordered_map<std::string, int> existing;
  for (int i = 0; i < s.controls_size(); ++i) existing.emplace(s.controls(i).id(), i);
  std::vector<bool> removed(static_cast<std::size_t>(s.controls_size()), false);
  for (const auto& [enterprise, of_company] : states) {
    const std::string& eid = s.enterprises(enterprise).id();
    for (const auto& [requirement, st] : of_company) {
      const std::string id = control_id(eid, requirement);
      const auto it = existing.find(id);
      if (st.kind != AnswerKind::Yes) {
        if (it != existing.end() && !removed[static_cast<std::size_t>(it->second)]) {
          removed[static_cast<std::size_t>(it->second)] = true;
          ++report.controls_removed;
        }
        continue;
      }
      v1::Control c;
      c.set_id(id);
      c.set_requirement(requirement);
      c.set_level(st.level);
      c.set_implemented(true);
      c.add_enterprises(eid);
      c.set_description("self-assessment " + file_name + " row " + std::to_string(st.line) +
                        (st.date.empty() ? "" : ", date " + st.date));
      const EntityOrigin origin{file, static_cast<std::uint32_t>(lines.size())};
      lines.push_back(st.line);
      ++report.controls_written;
      if (it != existing.end() && !removed[static_cast<std::size_t>(it->second)]) {
        *s.mutable_controls(it->second) = std::move(c);
        origins[static_cast<std::size_t>(it->second)] = origin;
        ++report.controls_replaced;
      } else {
        *s.add_controls() = std::move(c);
        origins.push_back(origin);
      }
    }
  }
  // Drop the removed ones, keeping the order of the others.
  int kept = 0;
  for (int i = 0; i < s.controls_size(); ++i) {
    if (i < static_cast<int>(removed.size()) && removed[static_cast<std::size_t>(i)]) continue;
    if (kept != i) {
      s.mutable_controls()->SwapElements(kept, i);
      origins[static_cast<std::size_t>(kept)] = origins[static_cast<std::size_t>(i)];
    }
    ++kept;
  }
  s.mutable_controls()->DeleteSubrange(kept, s.controls_size() - kept);
  origins.resize(static_cast<std::size_t>(kept));
}

// ---- the report ---------------------------------------------------------------------------

// Each baseline of kSelfAssessmentBaselines in the catalogue, with its requirements and the
// level each needs (the highest its controls give; BASIC when they give none).
using BaselineNeeds = std::vector<std::pair<std::string, std::map<std::string, v1::Level>>>;

BaselineNeeds baseline_needs(const CatalogueIndex& catalogue) {
  BaselineNeeds needs;
  for (const char* id : kSelfAssessmentBaselines) {
    if (catalogue.find_baseline(id) == nullptr) continue;
    auto& [name, levels] = needs.emplace_back(id, std::map<std::string, v1::Level>{});
    for (const auto& control : catalogue.controls_of(id)) {
      auto& level = levels.try_emplace(control.requirement(), v1::BASIC).first->second;
      level = std::max(level, control.level());
    }
  }
  return needs;
}

CompanyReport company_report(const std::string& company, const std::string& enterprise, const States& states,
                             int answers, const BaselineNeeds& needs) {
  CompanyReport r{company, enterprise, answers, {}, ""};
  for (const auto& [id, levels] : needs) {
    BaselineCoverage b{id, 0, 0, {}};
    for (const auto& [requirement, need] : levels) {
      ++b.required;
      const auto st = states.find(requirement);
      if (st != states.end() && st->second.kind == AnswerKind::Yes && st->second.level >= need) {
        ++b.covered;
      } else {
        b.missing.push_back(requirement + " " + level_name(need));
      }
    }
    if (b.required > 0 && b.covered == b.required) r.nearest = b.baseline;
    r.baselines.push_back(std::move(b));
  }
  return r;
}

}  // namespace

LoadStatus import_self_assessment(const CsvSource& answers, const std::optional<CsvSource>& mapping,
                                  const SelfAssessmentOptions& options, LoadedScenario& into, InventoryPlaces& places,
                                  SelfAssessmentReport& report, Diagnostics& out) {
  if (into.files.empty()) into.files.push_back(SourceFile{answers.path, Format::Binary, ""});
  v1::Scenario& scenario = *into.mutable_scenario();
  const CatalogueIndex catalogue(scenario);
  Mapping map;
  bool ok = !mapping || read_mapping(*mapping, catalogue, map, out);
  CsvTable table;
  if (!parse_csv(answers.text, answers.path, table, out)) return LoadStatus::Invalid;
  std::vector<int> col;
  if (!match_columns(table, answers.path, {"company", "item", "answer", "date"}, 3, col, out))
    return LoadStatus::Invalid;
  const Columns columns{col[0], col[1], col[2], col[3]};
  const int enterprises_before = scenario.enterprises_size();
  Companies companies(scenario, options.match_existing);
  Answers read;
  report.rows = static_cast<int>(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    ok = read_row(table.rows[r], table.lines[r], columns, answers.path, map, catalogue, companies, read, out) && ok;
  }
  report_bad_items(read, answers.path, mapping.has_value(), out);
  report_unmatched(read, answers.path, options.strict, out);
  report.unmatched = read.unmatched;
  if (!ok || (options.strict && !read.unmatched.empty())) return LoadStatus::Invalid;

  // Entities added come from the answers file: origin (file, k), their line lines[k].
  const auto file = static_cast<std::uint32_t>(into.files.size());
  into.files.push_back(SourceFile{answers.path, Format::Binary, ""});
  std::vector<int>& lines = places.row_lines[answers.path];
  std::unordered_map<int, std::pair<int, int>> first_line_and_count;  // by enterprise index
  for (const auto& [key, c] : read.chosen) {
    auto& [line, count] = first_line_and_count.try_emplace(key.first, c.line, 0).first->second;
    line = std::min(line, c.line);
    ++count;
  }
  auto& enterprise_origins = into.origins["enterprises"];
  while (enterprise_origins.size() < static_cast<std::size_t>(enterprises_before))
    enterprise_origins.push_back({0, static_cast<std::uint32_t>(enterprise_origins.size())});
  report.enterprises_made = scenario.enterprises_size() - enterprises_before;
  for (int e = enterprises_before; e < scenario.enterprises_size(); ++e) {
    enterprise_origins.push_back({file, static_cast<std::uint32_t>(lines.size())});
    lines.push_back(first_line_and_count[e].first);
  }
  const auto states = states_of(read, map, report);
  write_controls(states, std::filesystem::path(answers.path).filename().string(), file, into, lines, report);
  const BaselineNeeds needs = baseline_needs(CatalogueIndex(scenario));
  for (const int e : read.company_order) {
    const auto st = states.find(e);
    report.companies.push_back(company_report(read.company_name.at(e), scenario.enterprises(e).id(),
                                              st == states.end() ? States{} : st->second,
                                              first_line_and_count[e].second, needs));
  }
  return LoadStatus::Ok;
}

std::string self_assessment_report_text(const SelfAssessmentReport& r) {
  std::string text = std::to_string(r.rows) + " answer rows: " + std::to_string(r.implemented) + " implemented, " +
                     std::to_string(r.not_implemented) + " not, " + std::to_string(r.not_applicable) + " n/a, " +
                     std::to_string(r.missing) + " missing (company x item, duplicates resolved)\n";
  text += std::to_string(r.companies.size()) + " companies matched" +
          (r.enterprises_made > 0 ? " (" + std::to_string(r.enterprises_made) + " enterprises made)" : "") + ", " +
          std::to_string(r.unmatched.size()) + " unmatched";
  for (std::size_t i = 0; i < r.unmatched.size() && i < 10; ++i)
    text += (i ? ", " : ": ") + r.unmatched[i].first + " (line " + std::to_string(r.unmatched[i].second) + ")";
  if (r.unmatched.size() > 10) text += ", ...";
  text += "\n" + std::to_string(r.controls_written) + " controls written (" + std::to_string(r.controls_replaced) +
          " replacing one of the same id), " + std::to_string(r.controls_removed) + " removed (answered no or n/a)\n";
  std::map<std::string, int> nearest;
  for (const auto& c : r.companies) ++nearest[c.nearest.empty() ? "none" : c.nearest];
  text += "nearest baseline:";
  for (const auto& [baseline, n] : nearest) text += " " + baseline + " " + std::to_string(n);
  text += "\n";
  for (const auto& c : r.companies) {
    text += c.enterprise + ":";
    const BaselineCoverage* next = nullptr;
    for (const auto& b : c.baselines) {
      text += " " + b.baseline + " " + std::to_string(b.covered) + "/" + std::to_string(b.required);
      if (next == nullptr && b.covered < b.required) next = &b;
    }
    text += "; nearest baseline " + (c.nearest.empty() ? std::string("none") : c.nearest);
    if (next != nullptr) {
      text += "; " + next->baseline + " lacks";
      for (const auto& m : next->missing) text += " " + m;
    }
    text += "\n";
  }
  return text;
}

}  // namespace cpsf

namespace cpsf {

namespace {

// A CSV file read whole; false (reported) when it cannot be.
bool read_source(const std::string& path, CsvSource& source, Diagnostics& out, const ReadLimits& limits) {
  source.path = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    out.error(path, "", "", "no such file", "give the path of a CSV file (docs/import.md)");
    return false;
  }
  return read_csv_file(path, source.text, out, limits);
}

}  // namespace

LoadStatus import_self_assessment_files(const std::string& answers, const std::optional<std::string>& mapping,
                                        const SelfAssessmentOptions& options, const ReadLimits& limits,
                                        LoadedScenario& into, InventoryPlaces& places, SelfAssessmentReport& report,
                                        Diagnostics& out) {
  CsvSource answers_source;
  std::optional<CsvSource> mapping_source;
  if (!read_source(answers, answers_source, out, limits)) return LoadStatus::IoError;
  if (mapping && !read_source(*mapping, mapping_source.emplace(), out, limits)) return LoadStatus::IoError;
  return import_self_assessment(answers_source, mapping_source, options, into, places, report, out);
}

}  // namespace cpsf
