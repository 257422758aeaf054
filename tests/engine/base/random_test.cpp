// Tests for cpsf/random.hpp: Philox4x32-10 against Random123's known answers, the
// word-to-double mapping at its extremes, the addressing contract, and the moments of
// the uniforms it produces.
#include "cpsf/base/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

namespace cpsf {
namespace {

using Counter = Philox4x32::Counter;
using Key = Philox4x32::Key;

// Random123 tests/kat_vectors, the three "philox4x32 10" lines
// (github.com/DEShawResearch/random123): counter (4 words), key (2 words), output.
struct Kat {
  Counter ctr;
  Key key;
  Counter expected;
};
constexpr Kat kKats[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000},
     {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

// The generator is constexpr: a wrong round or key schedule fails to compile.
static_assert(Philox4x32::block(kKats[0].ctr, kKats[0].key) == kKats[0].expected);
static_assert(Philox4x32::block(kKats[1].ctr, kKats[1].key) == kKats[1].expected);
static_assert(Philox4x32::block(kKats[2].ctr, kKats[2].key) == kKats[2].expected);

TEST(Philox4x32, MatchesRandom123KnownAnswers) {
  for (const Kat& kat : kKats) {
    // Through a volatile copy so the runtime code path is exercised too.
    volatile std::uint32_t c0 = kat.ctr[0];
    const Counter ctr{c0, kat.ctr[1], kat.ctr[2], kat.ctr[3]};
    EXPECT_EQ(Philox4x32::block(ctr, kat.key), kat.expected);
  }
}

TEST(UniformFromWords, NeverZeroOrOneAtTheExtremes) {
  const double lowest = uniform_from_words(0u, 0u);
  const double highest = uniform_from_words(0xffffffffu, 0xffffffffu);
  EXPECT_GT(lowest, 0.0);
  EXPECT_LT(highest, 1.0);
  EXPECT_EQ(lowest, 0x1.0p-53);
  EXPECT_EQ(highest, 1.0 - 0x1.0p-53);
  EXPECT_TRUE(std::isfinite(std::log(lowest)));
  EXPECT_TRUE(std::isfinite(std::log1p(-highest)));
}

TEST(UniformFromWords, UsesTheTop52BitsAndIsSymmetric) {
  // The low 12 bits of the low word are dropped.
  EXPECT_EQ(uniform_from_words(0u, 0xfffu), uniform_from_words(0u, 0u));
  EXPECT_NE(uniform_from_words(0u, 0x1000u), uniform_from_words(0u, 0u));
  // Exactly 0.5 +- half a cell around the middle.
  EXPECT_EQ(uniform_from_words(0x80000000u, 0u), 0.5 + 0x1.0p-53);
  EXPECT_EQ(uniform_from_words(0x7fffffffu, 0xffffffffu), 0.5 - 0x1.0p-53);
  // u(~w) == 1 - u(w) exactly: the grid is symmetric about 1/2.
  const RandomStream stream(7, Stream::entries);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const auto w = stream.words(i, 0, 0);
    EXPECT_EQ(uniform_from_words(~w[0], ~w[1]), 1.0 - uniform_from_words(w[0], w[1]));
  }
}

TEST(RandomStream, KeyDerivationIsAsDocumented) {
  const std::uint64_t seed = 0x0123456789abcdefull;
  const RandomStream stream(seed, Stream::times);
  EXPECT_EQ(stream.key(), (Key{0x89abcdefu, 0x01234567u ^ (2u * 0x9E3779B9u)}));
  EXPECT_EQ(RandomStream(seed, 0u).key(), (Key{0x89abcdefu, 0x01234567u}));
}

TEST(RandomStream, CounterLayoutIsAsDocumented) {
  const RandomStream stream(99, Stream::outage);
  const std::uint64_t trial = 0x0000000500000003ull;
  EXPECT_EQ(stream.words(trial, 11, 13), Philox4x32::block({0x00000003u, 0x00000005u, 11u, 13u}, stream.key()));
  const auto w = stream.words(trial, 11, 13);
  const auto pair = stream.uniform_pair(trial, 11, 13);
  EXPECT_EQ(pair[0], uniform_from_words(w[0], w[1]));
  EXPECT_EQ(pair[1], uniform_from_words(w[2], w[3]));
  EXPECT_EQ(stream.uniform(trial, 11, 13), pair[0]);
}

// Golden value: pins key derivation, counter layout and mapping together. It was
// computed by this implementation and checked against an independent Python Philox
// written from the SC'11 description. If this changes, every published result changes.
TEST(RandomStream, GoldenValue) {
  const RandomStream stream(20240601ull, Stream::steps);
  EXPECT_EQ(stream.words(123456789012ull, 7, 3), (Counter{0x2e253121u, 0xbe329267u, 0x88a28445u, 0x9c9741f1u}));
  EXPECT_EQ(stream.uniform(123456789012ull, 7, 3), 0x1.7129890df194cp-3);
}

TEST(RandomStream, SameAddressSameNumber) {
  const RandomStream a(42, Stream::times);
  const RandomStream b(42, Stream::times);
  for (std::uint64_t trial = 0; trial < 1000; ++trial) {
    EXPECT_EQ(a.uniform(trial, 3, 1), b.uniform(trial, 3, 1));
    EXPECT_EQ(a.uniform(trial, 3, 1), a.uniform(trial, 3, 1));
  }
}

TEST(RandomStream, EveryAddressFieldChangesTheNumber) {
  const std::uint64_t seed = 42;
  const RandomStream base(seed, Stream::steps);
  const double u = base.uniform(1000, 5, 2);
  EXPECT_NE(u, RandomStream(seed + 1, Stream::steps).uniform(1000, 5, 2));
  EXPECT_NE(u, RandomStream(seed, Stream::times).uniform(1000, 5, 2));
  EXPECT_NE(u, base.uniform(1001, 5, 2));
  EXPECT_NE(u, base.uniform(1000 + (1ull << 32), 5, 2));  // the trial's high word
  EXPECT_NE(u, base.uniform(1000, 6, 2));
  EXPECT_NE(u, base.uniform(1000, 5, 3));
}

// The stream ids are part of every result (docs/methods.md §4): 5 is retired, not reused.
TEST(RandomStream, StreamIdsAreFixed) {
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::entries), 0u);
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::steps), 1u);
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::times), 2u);
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::containment), 3u);
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::outage), 4u);
  EXPECT_EQ(static_cast<std::uint32_t>(Stream::threat_count), 6u);
}

TEST(RandomStream, DistinctStreamsGiveDistinctKeysAndNumbers) {
  constexpr Stream kAll[] = {Stream::entries,     Stream::steps,  Stream::times,
                             Stream::containment, Stream::outage, Stream::threat_count};
  for (std::uint64_t seed : {0ull, 1ull, 12345ull, 0xffffffffffffffffull}) {
    std::set<Key> keys;
    std::set<double> values;
    for (Stream s : kAll) {
      const RandomStream stream(seed, s);
      keys.insert(stream.key());
      values.insert(stream.uniform(0, 0, 0));
    }
    EXPECT_EQ(keys.size(), std::size(kAll));
    EXPECT_EQ(values.size(), std::size(kAll));
  }
  // Injective over (seed, stream) for seeds below 2^32, as documented.
  std::set<Key> keys;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    for (Stream s : kAll) keys.insert(RandomStream(seed, s).key());
  }
  EXPECT_EQ(keys.size(), 2000 * std::size(kAll));
}

TEST(RandomStream, DistinctTrialsGiveDistinctNumbers) {
  // 2^52 cells: a chance collision among 2e5 values has probability ~ 4e-6.
  const RandomStream stream(3, Stream::entries);
  std::vector<double> values;
  for (std::uint64_t trial = 0; trial < 200000; ++trial) values.push_back(stream.uniform(trial, 0, 0));
  std::sort(values.begin(), values.end());
  EXPECT_EQ(std::adjacent_find(values.begin(), values.end()), values.end());
}

// Sample mean within 4 standard errors of 1/2 (SE = sqrt(1/12 / n)); sample variance
// within 4 SE of 1/12, where Var(s^2) ~ (mu4 - sigma^4) / n and for U(0,1)
// mu4 = 1/80, so mu4 - sigma^4 = 1/80 - 1/144 = 1/180.
void expect_uniform_moments(const std::vector<double>& u) {
  const double n = static_cast<double>(u.size());
  double sum = 0.0;
  for (double x : u) {
    ASSERT_GT(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
  }
  const double mean = sum / n;
  double ss = 0.0;
  for (double x : u) ss += (x - mean) * (x - mean);
  const double variance = ss / (n - 1.0);
  EXPECT_NEAR(mean, 0.5, 4.0 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(variance, 1.0 / 12.0, 4.0 * std::sqrt(1.0 / 180.0 / n));
}

TEST(RandomStream, UniformMomentsAcrossTrials) {
  const RandomStream stream(2024, Stream::steps);
  std::vector<double> u;
  u.reserve(1000000);
  for (std::uint64_t trial = 0; trial < 1000000; ++trial) u.push_back(stream.uniform(trial, 17, 0));
  expect_uniform_moments(u);
}

TEST(RandomStream, UniformMomentsAcrossItemsAndBothHalvesOfABlock) {
  const RandomStream stream(2025, Stream::times);
  std::vector<double> u;
  u.reserve(1000000);
  for (std::uint32_t item = 0; item < 500000; ++item) {
    const auto pair = stream.uniform_pair(9, item, 0);
    u.push_back(pair[0]);
    u.push_back(pair[1]);
  }
  expect_uniform_moments(u);
}

TEST(RandomStream, StreamsAreUncorrelated) {
  // Pearson correlation of the same addresses in two streams; under independence
  // its standard error is 1/sqrt(n).
  const RandomStream a(5, Stream::steps);
  const RandomStream b(5, Stream::times);
  const int n = 200000;
  double sab = 0.0;
  for (int trial = 0; trial < n; ++trial) {
    sab += (a.uniform(trial, 0, 0) - 0.5) * (b.uniform(trial, 0, 0) - 0.5);
  }
  const double correlation = (sab / n) * 12.0;
  EXPECT_NEAR(correlation, 0.0, 4.0 / std::sqrt(double(n)));
}

TEST(UniformCursor, ReadsBothHalvesOfConsecutiveBlocks) {
  const RandomStream stream(11, Stream::threat_count);
  UniformCursor cursor(stream, 77, 4, 10);
  EXPECT_EQ(cursor.next_draw(), 10u);
  for (std::uint32_t k = 0; k < 9; ++k) {
    EXPECT_EQ(cursor(), stream.uniform_pair(77, 4, 10 + k / 2)[k % 2]);
    EXPECT_EQ(cursor.used(), k + 1);
  }
  EXPECT_EQ(cursor.next_draw(), 15u);  // blocks 10..14 touched
}

}  // namespace
}  // namespace cpsf

namespace cpsf {
namespace {

TEST(UniformCursorAfter, GivesTheFirstUniformThenTheCursorsInOrder) {
  const RandomStream stream(42, Stream::times);
  UniformCursorAfter after(0.25, stream, 1000, 7);
  UniformCursor cursor(stream, 1000, 7);
  EXPECT_EQ(after(), 0.25);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(after(), cursor());
}

}  // namespace
}  // namespace cpsf
