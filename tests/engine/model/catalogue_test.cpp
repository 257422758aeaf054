// The built-in CPSF catalogue: it parses, it is self-consistent, and lookups work.
#include "cpsf/model/catalogue.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_support.hpp"

namespace cpsf {
namespace {

TEST(Catalogue, BuiltInParsesAndHoldsTheFramework) {
  const auto& c = builtin_catalogue();
  EXPECT_EQ(c.layers_size(), 3);
  EXPECT_EQ(c.elements_size(), 6);
  std::set<std::string> categories;
  for (const auto& k : c.categories()) categories.insert(k.code());
  for (const char* code : {"AM", "BE", "GV", "RA", "RM", "SC", "AC", "AT", "DS", "IP",
                           "MA", "PT", "AE", "CM", "DP", "RP", "CO", "AN", "MI", "IM"}) {
    EXPECT_TRUE(categories.count(code)) << code;
  }
  // The requirement ids the catalogue lists as confirmed (METI CPSF v1.0 requirement texts).
  CatalogueIndex index(v1::Scenario{});
  for (const char* id : {"CPS.AM-1", "CPS.GV-1", "CPS.RA-1", "CPS.RM-1", "CPS.SC-1", "CPS.AC-1", "CPS.AT-1", "CPS.DS-1",
                         "CPS.IP-1", "CPS.IP-9", "CPS.MA-1", "CPS.AE-1", "CPS.CM-1", "CPS.DP-1", "CPS.RP-1"}) {
    EXPECT_TRUE(index.has_requirement(id)) << id;
  }
  for (const auto& r : c.requirements()) {
    EXPECT_TRUE(is_requirement_id(r.id())) << r.id();
    EXPECT_TRUE(categories.count(r.id().substr(4, r.id().find('-') - 4))) << r.id();
  }
}

// The file paths a text names: words of the form dir/.../name.ext that are not part
// of a URL (https://host/a/b.pdf cites a public document, not a file of ours).
std::vector<std::string> file_paths_in(const std::string& text) {
  static const std::regex path(R"(^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/[A-Za-z0-9_-]+\.[A-Za-z]+$)");
  std::vector<std::string> found;
  std::string word;
  std::istringstream words(text);
  while (words >> word) {
    if (word.find("://") != std::string::npos) continue;
    // Trim quotes, brackets and sentence punctuation around the word.
    const auto first = word.find_first_not_of("\"'`([{<");
    const auto last = word.find_last_not_of("\"'`)]}>.,;:");
    if (first == std::string::npos || last == std::string::npos || last < first) continue;
    word = word.substr(first, last - first + 1);
    if (std::regex_match(word, path)) found.push_back(word);
  }
  return found;
}

TEST(Catalogue, SourcesNameNoFileOutsideTheRepository) {
  const std::filesystem::path root = testing::kSourceDir;
  // The catalogue cites public documents; a file it names must be in the repository
  // (at its root, or under model/, the root of the proto import paths).
  const auto in_repository = [&](const std::string& p) {
    return std::filesystem::exists(root / p) || std::filesystem::exists(root / "model" / p);
  };
  EXPECT_FALSE(builtin_catalogue().source().empty());
  for (const auto& p : file_paths_in(builtin_catalogue().source())) {
    EXPECT_TRUE(in_repository(p)) << "the catalogue's source cites " << p << ", which is not in the repository";
  }
  // Every string of the catalogue and the comments of its file, too.
  EXPECT_TRUE(file_paths_in("see notes/elsewhere.md, or https://example.org/a/b.pdf") ==
              std::vector<std::string>{"notes/elsewhere.md"});  // the scan itself
  for (const auto& entry : std::filesystem::directory_iterator(root / "model" / "catalogue")) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& p : file_paths_in(text.str())) {
      EXPECT_TRUE(in_repository(p)) << entry.path() << " cites " << p << ", which is not in the repository";
    }
  }
  // And the source cites the public documents themselves.
  const std::string& source = builtin_catalogue().source();
  for (const char* document :
       {"Cyber/Physical Security Framework", "https://www.meti.go.jp/english/press/2019/pdf/0418_001b.pdf",
        "supply-chain security evaluation scheme", "JC-STAR"}) {
    EXPECT_NE(source.find(document), std::string::npos) << document;
  }
}

TEST(Catalogue, BaselinesAreIllustrativeAndConsistent) {
  CatalogueIndex index(v1::Scenario{});
  for (const char* id : {"SCS-3", "SCS-4", "JC-STAR-1", "JC-STAR-2"}) {
    const auto* b = index.find_baseline(id);
    ASSERT_NE(b, nullptr) << id;
    EXPECT_TRUE(b->illustrative()) << id;
    EXPECT_FALSE(index.controls_of(id).empty()) << id;
    for (const auto& control : index.controls_of(id)) {
      EXPECT_TRUE(index.has_requirement(control.requirement())) << id << " " << control.requirement();
      EXPECT_TRUE(control.has_efficacy());
      EXPECT_GE(control.efficacy(), 0.0);
      EXPECT_LE(control.efficacy(), 1.0);
    }
  }
  EXPECT_EQ(index.find_baseline("SCS-5"), nullptr);  // under design: not defined
  // ★4 includes ★3: every ★3 requirement is there, at least as strong.
  const auto three = index.controls_of("SCS-3");
  const auto four = index.controls_of("SCS-4");
  EXPECT_GT(four.size(), three.size());
  for (const auto& c3 : three) {
    bool found = false;
    for (const auto& c4 : four) {
      if (c4.requirement() == c3.requirement()) {
        found = true;
        EXPECT_GE(c4.efficacy(), c3.efficacy()) << c3.requirement();
      }
    }
    EXPECT_TRUE(found) << c3.requirement();
  }
}

TEST(Catalogue, ScenarioExtendsAndOverrides) {
  v1::Scenario s;
  s.add_requirements()->set_id("CPS.PT-1");
  auto* b = s.add_baselines();
  b->set_id("mine");
  b->add_extends("SCS-3");
  auto* c = b->add_controls();
  c->set_requirement("CPS.PT-1");
  c->set_efficacy(0.9);
  CatalogueIndex index(s);
  EXPECT_TRUE(index.has_requirement("CPS.PT-1"));
  EXPECT_FALSE(CatalogueIndex(v1::Scenario{}).has_requirement("CPS.PT-1"));
  EXPECT_EQ(index.controls_of("mine").size(), index.controls_of("SCS-3").size() + 1);
}

TEST(Catalogue, RequirementIdShape) {
  EXPECT_TRUE(is_requirement_id("CPS.AC-1"));
  EXPECT_TRUE(is_requirement_id("CPS.DS-15"));
  EXPECT_FALSE(is_requirement_id("CPS.AC-0"));
  EXPECT_FALSE(is_requirement_id("CPS.AC-01"));
  EXPECT_FALSE(is_requirement_id("CPS.A-1"));
  EXPECT_FALSE(is_requirement_id("CPS.ac-1"));
  EXPECT_FALSE(is_requirement_id("CPS.AC1"));
  EXPECT_FALSE(is_requirement_id("CPS.AC-"));
  EXPECT_FALSE(is_requirement_id("ISO.AC-1"));
  EXPECT_FALSE(is_requirement_id(""));
}

}  // namespace
}  // namespace cpsf
