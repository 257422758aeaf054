// IdIndex (id_index.hpp): first index wins, absent ids, the empty id, growth past the
// initial size, and for_each visiting every entry once.
#include "cpsf/base/id_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace cpsf {
namespace {

TEST(IdIndex, FirstIndexWinsAndAbsentIdsAreAbsent) {
  const std::vector<std::string> ids = {"oem", "vpn", "oem", "plm"};
  IdIndex index(ids.size());
  EXPECT_EQ(index.emplace(ids[0], 0), std::make_pair(0u, true));
  EXPECT_EQ(index.emplace(ids[1], 1), std::make_pair(1u, true));
  EXPECT_EQ(index.emplace(ids[2], 2), std::make_pair(0u, false));  // the duplicate reports the first
  EXPECT_EQ(index.emplace(ids[3], 3), std::make_pair(3u, true));
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.find("vpn"), 1u);
  EXPECT_EQ(index.find("plm"), 3u);
  EXPECT_EQ(index.find("pl"), IdIndex::kAbsent);
  EXPECT_EQ(index.find("plmm"), IdIndex::kAbsent);
  EXPECT_FALSE(index.contains(""));
}

TEST(IdIndex, TheEmptyIdIsAKeyLikeAnyOther) {
  const std::string empty;
  IdIndex index;
  EXPECT_TRUE(index.emplace(empty, 7).second);
  EXPECT_EQ(index.find(""), 7u);
  EXPECT_FALSE(index.emplace(empty, 8).second);
}

TEST(IdIndex, GrowsPastItsInitialSizeAndKeepsEveryEntry) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back("e" + std::to_string(i / 100) + "-a" + std::to_string(i % 100));
  IdIndex index;  // sized for nothing: must grow many times
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_TRUE(index.emplace(ids[i], static_cast<std::uint32_t>(i)).second);
  ASSERT_EQ(index.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(index.find(ids[i]), i) << ids[i];
  EXPECT_EQ(index.find("e50-a0"), IdIndex::kAbsent);

  std::map<std::string, std::uint32_t> seen;
  index.for_each([&](std::string_view id, std::uint32_t i) { EXPECT_TRUE(seen.emplace(std::string(id), i).second); });
  ASSERT_EQ(seen.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(seen.at(ids[i]), i);
}

}  // namespace
}  // namespace cpsf
