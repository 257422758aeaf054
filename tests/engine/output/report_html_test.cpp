// The HTML report's page (report_html.hpp): what it refuses, that untrusted text in the
// documents stays data, and that a large run is cut to what a page can hold while every
// kept row still names its place in the file. The page in a browser is
// tests/python/test_report_browser.py.
#include "cpsf/output/report_html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cpsf {
namespace {

// The JSON embedded in the page, parsed back.
nlohmann::json embedded(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"cpsf-data\">";
  const auto from = page.find(open);
  EXPECT_NE(from, std::string::npos);
  const auto to = page.find("</script>", from);
  return nlohmann::json::parse(page.substr(from + open.size(), to - from - open.size()));
}

std::string results_with_assets(std::size_t n) {
  nlohmann::ordered_json doc = {{"format", "cpsf.results.v1"}, {"assets", nlohmann::ordered_json::array()}};
  for (std::size_t i = 0; i < n; ++i) {
    doc["assets"].push_back(
        {{"id", "a" + std::to_string(i)}, {"target", i == 7}, {"p_compromised", static_cast<double>(i % 97) / 100.0}});
  }
  doc["threats"] = {{{"id", "t"}, {"assets", doc["assets"]}}};
  return doc.dump();
}

TEST(ReportHtml, RefusesWhatIsNotACpsfDocument) {
  EXPECT_THROW(report_html({}), ReportError);
  EXPECT_THROW(report_html({"{", "", ""}), ReportError);
  EXPECT_THROW(report_html({"[]", "", ""}), ReportError);
  EXPECT_THROW(report_html({"{\"format\": \"cpsf.compare.v1\"}", "", ""}), ReportError);
  EXPECT_THROW(report_html({"", "{\"format\": \"cpsf.results.v1\"}", ""}), ReportError);
  try {
    report_html({std::string(10000, '['), "", ""});
    FAIL() << "a document nested 10,000 deep was taken";
  } catch (const ReportError& e) {
    EXPECT_NE(std::string(e.what()).find("deeper than 64"), std::string::npos) << e.what();
  }
  // Brackets inside strings are not nesting.
  EXPECT_NO_THROW(report_html({"{\"format\": \"cpsf.results.v1\", \"x\": \"" + std::string(100, '[') + "\"}", "", ""}));
}

TEST(ReportHtml, TextFromTheScenarioStaysData) {
  const std::string hostile = "</script><script>alert(1)</script>/*CPSF:VEGA*/ & <!--";
  nlohmann::json doc = {{"format", "cpsf.results.v1"}, {"scenario", {{"name", hostile}}}};
  const std::string page = report_html({doc.dump(), "", ""});
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(page.find("<!-- &"), std::string::npos);
  EXPECT_EQ(embedded(page)["results"]["scenario"]["name"], hostile);  // \u003c... parses back to the same text
  // One script element of data, Vega's and the report's: nothing else, nothing fetched.
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(ReportHtml, NumbersKeepTheirExactValue) {
  const std::string doc = R"({"format": "cpsf.results.v1", "loss": {"mean": 0.30000000000000004, "max": 2435870.125,
    "tiny": 1.5e-300, "count": 18446744073709551615}})";
  const auto data = embedded(report_html({doc, "", ""}));
  EXPECT_EQ(data["results"]["loss"]["mean"].get<double>(), 0.30000000000000004);
  EXPECT_EQ(data["results"]["loss"]["max"].get<double>(), 2435870.125);
  EXPECT_EQ(data["results"]["loss"]["tiny"].get<double>(), 1.5e-300);
  EXPECT_EQ(data["results"]["loss"]["count"].get<std::uint64_t>(), 18446744073709551615ULL);
}

TEST(ReportHtml, ALargeRunKeepsTargetsAndTheMostLikelyAssetsWithTheirPlaces) {
  const auto data = embedded(report_html({results_with_assets(2000), "", ""}));
  const auto& assets = data["results"]["assets"];
  ASSERT_EQ(assets.size(), kReportMaxAssets);
  EXPECT_EQ(data["omitted"]["assets"]["total"], 2000);
  EXPECT_EQ(data["omitted"]["assets"]["shown"], kReportMaxAssets);
  bool target = false;
  std::size_t last = 0;
  std::vector<bool> kept(2000, false);
  double least_kept = 1.0;
  for (const auto& a : assets) {
    const std::size_t index = a["_index"];
    EXPECT_EQ(a["id"], "a" + std::to_string(index));  // its place in the file
    EXPECT_GE(index, last);                           // in file order
    last = index;
    kept[index] = true;
    target = target || a["target"].get<bool>();
    if (!a["target"].get<bool>()) least_kept = std::min(least_kept, a["p_compromised"].get<double>());
  }
  EXPECT_TRUE(target);
  for (std::size_t i = 0; i < kept.size(); ++i) {  // none left out is more likely than one kept
    if (!kept[i]) {
      EXPECT_LE(static_cast<double>(i % 97) / 100.0, least_kept) << i;
    }
  }
  EXPECT_FALSE(data["results"]["threats"][0].contains("assets"));
  // Small runs are untouched.
  const auto small = embedded(report_html({results_with_assets(10), "", ""}));
  EXPECT_FALSE(small.contains("omitted"));
  EXPECT_FALSE(small["results"]["assets"][0].contains("_index"));
}

}  // namespace
}  // namespace cpsf
