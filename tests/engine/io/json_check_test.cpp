// The JSON reader that places problems on lines before protobuf converts the document.
#include "cpsf/io/json_check.hpp"

#include <gtest/gtest.h>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {
namespace {

struct Result {
  bool ok;
  Diagnostics diagnostics;
  SourceMap map;
};

Result run(std::string_view text) {
  Result r{false, {}, {}};
  r.ok = check_json(text, *v1::Scenario::descriptor(), "t.json", r.diagnostics, &r.map);
  return r;
}

TEST(JsonCheck, AcceptsProtobufJsonForms) {
  // Proto field names and lowerCamelCase names, enum names and numbers, numbers as
  // strings, null meaning "not set", escapes and non-ASCII text.
  const auto r = run(R"({"name": "caf\u00e9 \ud83d\ude00 工場", "assets": [{"id": "a", "layer": 3,
    "element": "DATA", "loss": {"operationsShare": 0.5, "outage_days": null}, "exposure": "0.25"}],
    "settings": {"trials": "1000", "seed": 18446744073709551615, "horizon": 1e2}})");
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(JsonCheck, MapsFieldPathsToLines) {
  const auto r =
      run("{\n  \"assets\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\",\n     \"loss\": {\"integrity\": 1}}\n  ]\n}");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.map.find("assets[1]").line, 4);
  EXPECT_EQ(r.map.find("assets[1].loss.integrity").line, 5);
  EXPECT_EQ(r.map.find("assets[1].loss.integrity").column, 15);
  // A field that is not written is placed at its nearest written ancestor.
  EXPECT_EQ(r.map.find("assets[0].loss.availability").line, 3);
}

TEST(JsonCheck, WrongTypesAreReportedEach) {
  const auto r = run(R"({"assets": {"id": 1}, "name": 5, "settings": {"trials": -1, "threads": 1.5},
    "relations": [{"step": {"mitigated_by": "CPS.AC-1"}}], "enterprises": [null]})");
  EXPECT_FALSE(r.ok);
  std::string all;
  for (const auto& d : r.diagnostics.items()) all += d.format() + "\n";
  EXPECT_NE(all.find("\"assets\" must be a list, not an object"), std::string::npos) << all;
  EXPECT_NE(all.find("\"name\" must be a string"), std::string::npos) << all;
  EXPECT_NE(all.find("\"trials\" must be a whole number ≥ 0"), std::string::npos) << all;
  EXPECT_NE(all.find("\"threads\" must be a whole number ≥ 0"), std::string::npos) << all;
  EXPECT_NE(all.find("\"mitigated_by\" must be a list"), std::string::npos) << all;
  EXPECT_NE(all.find("null inside the list"), std::string::npos) << all;
  EXPECT_EQ(r.diagnostics.error_count(), 6u) << all;
}

TEST(JsonCheck, SyntaxErrors) {
  for (const char* bad :
       {"", "[]", "{", "{\"a\" 1}", "{\"name\": \"x\"} trailing", "{\"name\": \"unterminated}", "{\"name\": tru}",
        "{\"name\": \"\\x\"}", "{\"settings\": {\"trials\": 01}}", "{\"name\": \"a\tb\"}", "{\"name\": \"\\ud800\"}"}) {
    const auto r = run(bad);
    EXPECT_FALSE(r.ok) << bad;
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << bad;
    EXPECT_NE(r.diagnostics.items()[0].message.find("JSON syntax error"), std::string::npos) << bad;
    EXPECT_GT(r.diagnostics.items()[0].line, 0) << bad;
  }
}

TEST(JsonCheck, DuplicateKeyAndTwoOneofMembers) {
  const auto r =
      run(R"({"name": "a", "name": "b", "relations": [{"step": {"ttc": {"fixed": {"value": 1}, "gamma": {}}}}]})");
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.diagnostics.error_count(), 2u);
  EXPECT_NE(r.diagnostics.items()[0].message.find("given twice"), std::string::npos);
  EXPECT_NE(r.diagnostics.items()[1].message.find("more than one of the alternatives of \"family\""),
            std::string::npos);
}

}  // namespace
}  // namespace cpsf
