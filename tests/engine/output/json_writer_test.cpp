// The one JSON writer: what it streams is byte for byte what nlohmann's dump(1) gives for
// the same document: layout, empty containers, numbers, null for what is not finite,
// escapes; and it refuses invalid UTF-8 as nlohmann does.
#include "cpsf/output/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace cpsf {
namespace {

using Json = nlohmann::ordered_json;

TEST(JsonWriter, NestedContainersAreLaidOutAsNlohmannDumpsThem) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("empty_object").begin_object();
  w.end_object();
  w.key("empty_array").begin_array();
  w.end_array();
  w.key("list").begin_array();
  w.begin_object();
  w.key("a").count(1);
  w.key("b").begin_array();
  w.count(2);
  w.begin_array();
  w.end_array();
  w.end_array();
  w.end_object();
  w.null();
  w.boolean(true);
  w.end_array();
  w.key("pair").numbers({0.5, 2.0});
  w.key("names").strings({"x", "y"});
  w.key("none").strings({});
  w.end_object();
  const Json expected{{"empty_object", Json::object()},
                      {"empty_array", Json::array()},
                      {"list", {{{"a", 1}, {"b", {2, Json::array()}}}, nullptr, true}},
                      {"pair", {0.5, 2.0}},
                      {"names", {"x", "y"}},
                      {"none", Json::array()}};
  EXPECT_EQ(out, expected.dump(1));
}

TEST(JsonWriter, NumbersAreNlohmannsAndWhatIsNotFiniteIsNull) {
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           -3.0,
                           0.1,
                           1.0 / 3.0,
                           1e-300,
                           4.9e-324,
                           1e21,
                           123456789012345678.0,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest()};
  for (const double x : values) {
    std::string out;
    JsonWriter(out).number(x);
    EXPECT_EQ(out, Json(x).dump()) << x;
  }
  for (const double x :
       {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    std::string out;
    JsonWriter(out).number(x);
    EXPECT_EQ(out, "null");
    EXPECT_EQ(out, Json(x).dump());
  }
  for (const std::uint64_t x : {std::uint64_t{0}, std::uint64_t{42}, std::numeric_limits<std::uint64_t>::max()}) {
    std::string out;
    JsonWriter(out).count(x);
    EXPECT_EQ(out, Json(x).dump());
  }
}

TEST(JsonWriter, StringsAreEscapedAsNlohmannEscapesThem) {
  for (const std::string s : {"", "plain", "quote \" backslash \\", "tab \t newline \n control \x01 \x1f del \x7f",
                              "工場-ライン/1 é", "§ ★"}) {
    std::string out;
    JsonWriter(out).string(s);
    EXPECT_EQ(out, Json(s).dump()) << s;
  }
  std::string out;
  EXPECT_THROW(JsonWriter(out).string("bad \xff byte"), nlohmann::json::type_error);
}

}  // namespace
}  // namespace cpsf
