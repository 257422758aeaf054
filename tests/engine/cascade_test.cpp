// The supply-chain cascade (cascade.hpp, docs/methods.md §7): a hand-computed
// three-enterprise chain, buffers, clamping, refused matrices, and the cascade inside
// a run (exact per trial; the mean within 4 standard errors of the closed form).
#include "cpsf/cascade.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "cpsf/model.hpp"
#include "cpsf/simulation.hpp"
#include "cpsf/statistics.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

// OEM (0) takes half its output from tier-1 (1), which takes 0.4 of its own from
// tier-2 (2). Outputs 100, 50, 20 a day.
Cascade chain(double oem_buffer = 0.0, double tier1_buffer = 0.0) {
  return Cascade({100.0, 50.0, 20.0}, {{0, 1, 0.5, oem_buffer}, {1, 2, 0.4, tier1_buffer}});
}

struct Split {
  std::vector<double> own = std::vector<double>(3, 0.0), cascade = std::vector<double>(3, 0.0);
  double total = 0.0;
};

Split hit(const Cascade& c, std::vector<Cascade::Shock> shock) {
  Split s;
  auto ws = c.workspace();
  s.total = c.propagate(shock, s.own.data(), s.cascade.data(), *ws);
  return s;
}

TEST(Cascade, HandComputedThreeEnterpriseChain) {
  // Tier-2 half down for 10 days: q = (I − A*)⁻¹ c = (0.1, 0.2, 0.5), every enterprise
  // out for 10 days. Own loss 20 × 0.5 × 10 = 100; cascade 50 × 0.2 × 10 = 100 at
  // tier-1 and 100 × 0.1 × 10 = 100 at the OEM.
  const Split s = hit(chain(), {{2, 0.5, 10.0}});
  EXPECT_DOUBLE_EQ(s.own[2], 100.0);
  EXPECT_DOUBLE_EQ(s.own[0] + s.own[1], 0.0);
  EXPECT_NEAR(s.cascade[1], 100.0, 1e-9);
  EXPECT_NEAR(s.cascade[0], 100.0, 1e-9);
  EXPECT_NEAR(s.cascade[2], 0.0, 1e-9);
  EXPECT_NEAR(s.total, 300.0, 1e-9);
}

TEST(Cascade, BuffersShortenAndAbsorbOutages) {
  // The OEM holds 4 days of tier-1 parts: it is out 10 − 4 = 6 days, 100 × 0.1 × 6 = 60.
  Split s = hit(chain(4.0), {{2, 0.5, 10.0}});
  EXPECT_NEAR(s.cascade[1], 100.0, 1e-9);
  EXPECT_NEAR(s.cascade[0], 60.0, 1e-9);
  // Tier-1 holds 12 days of tier-2 parts: a 10-day outage never reaches it or the OEM.
  s = hit(chain(0.0, 12.0), {{2, 0.5, 10.0}});
  EXPECT_NEAR(s.cascade[0] + s.cascade[1], 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.total, 100.0);
  // Buffers add along the chain: 10 − 3 − 4 = 3 days at the OEM.
  s = hit(chain(4.0, 3.0), {{2, 0.5, 10.0}});
  EXPECT_NEAR(s.cascade[1], 50.0 * 0.2 * 7.0, 1e-9);
  EXPECT_NEAR(s.cascade[0], 100.0 * 0.1 * 3.0, 1e-9);
}

TEST(Cascade, InoperabilityIsClampedToOne) {
  // The OEM is fully down itself and loses half its supply too: q = 1.5 clamps to 1,
  // for the same 5 days, so nothing is added to its own loss.
  const Split s = hit(chain(), {{0, 1.0, 5.0}, {1, 1.0, 5.0}});
  EXPECT_DOUBLE_EQ(s.own[0], 500.0);
  EXPECT_DOUBLE_EQ(s.own[1], 250.0);
  EXPECT_NEAR(s.cascade[0], 0.0, 1e-12);
  // A longer outage at tier-1 (8 days) keeps the OEM out 3 more days at q = 1.
  const Split t = hit(chain(), {{0, 1.0, 5.0}, {1, 1.0, 8.0}});
  EXPECT_NEAR(t.cascade[0], 100.0 * (1.0 * 8.0 - 5.0), 1e-9);
}

TEST(Cascade, CycleBelowSpectralRadiusOneAmplifies) {
  // Two enterprises each taking 0.5 of their output from the other: q = c / (1 − 0.25)
  // at the hit one and 0.5 q there at the other.
  const Cascade c({10.0, 10.0}, {{0, 1, 0.5, 0.0}, {1, 0, 0.5, 0.0}});
  EXPECT_NEAR(c.spectral_radius(), 0.5, 1e-12);
  std::vector<double> own(2, 0.0), cascade(2, 0.0);
  auto ws = c.workspace();
  c.propagate({{0, 0.3, 1.0}}, own.data(), cascade.data(), *ws);
  EXPECT_NEAR(own[0], 3.0, 1e-12);
  EXPECT_NEAR(cascade[0], 10.0 * (0.3 / 0.75 - 0.3), 1e-12);
  EXPECT_NEAR(cascade[1], 10.0 * (0.5 * 0.3 / 0.75), 1e-12);
}

TEST(Cascade, RefusesSpectralRadiusOneOrMore) {
  EXPECT_THROW(Cascade({1.0, 1.0}, {{0, 1, 1.0, 0.0}, {1, 0, 1.0, 0.0}}), std::invalid_argument);
  const auto problem = interdependency_problem(3, {{0, 1, 0.9, 0}, {1, 2, 0.9, 0}, {2, 0, 0.9, 0}});
  EXPECT_FALSE(problem.has_value());  // ρ = 0.9
  const auto bad = interdependency_problem(3, {{0, 1, 1.0, 0}, {1, 2, 1.0, 0}, {2, 0, 1.0, 0}});
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("spectral radius 1"), std::string::npos) << *bad;
  // Row sums above 1 with no cycle are fine: ρ = 0.
  EXPECT_FALSE(interdependency_problem(3, {{0, 1, 0.7, 0}, {0, 2, 0.7, 0}}).has_value());
}

TEST(Cascade, ValidatorReportsASingularDependencyMatrix) {
  testing::ScratchDir dir;
  const auto path = dir.write("s.textproto", R"(
enterprises { id: "a" }
enterprises { id: "b" }
assets { id: "x" owner: "a" layer: L3 element: SYSTEM exposure: 0.1 }
dependencies { customer: "a" supplier: "b" share: 1 }
dependencies { customer: "b" supplier: "a" share: 1 }
)");
  const auto c = testing::check(path);
  EXPECT_TRUE(testing::Has(c, Severity::Error, "s.textproto", "dependencies", "spectral radius", 6)) << c.dump();
}

// The cascade inside a run: tier-2's line falls with the entry (probability 0.3) and
// stops 0.5 of tier-2 for exactly 10 days.
v1::Scenario three_enterprise_run(double entry) {
  v1::Scenario s;
  const std::string text = R"(
enterprises { id: "oem" daily_output: 100 }
enterprises { id: "t1" daily_output: 50 }
enterprises { id: "t2" daily_output: 20 }
assets { id: "t2-line" owner: "t2" layer: L2 element: SYSTEM
         loss { availability: 7 operations_share: 0.5 outage_days { fixed { value: 10 } } } }
threats { id: "x" entry_points { asset: "t2-line" probability: )" +
                           std::to_string(entry) + R"( } }
dependencies { customer: "oem" supplier: "t1" share: 0.5 buffer_days: 4 }
dependencies { customer: "t1" supplier: "t2" share: 0.4 }
)";
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
  return s;
}

TEST(Cascade, RunSplitsDirectAndCascadeLossPerTrial) {
  const Model m = compile(three_enterprise_run(0.3));
  RunOptions o;
  o.trials = 20000;
  o.inherent = false;
  const auto r = simulate(m, o);
  ASSERT_TRUE(r.has_production);
  std::uint64_t hits = 0;
  for (std::uint64_t j = 0; j < r.trials; ++j) {
    const double* direct = &r.enterprise_residual_loss[j * 3];
    const double* cascade = &r.enterprise_residual_cascade[j * 3];
    const double loss = r.main().residual_loss[j];
    if (loss == 0.0) {
      EXPECT_EQ(direct[2] + cascade[0] + cascade[1], 0.0);
      continue;
    }
    ++hits;
    // Asset loss 7 + own production 20 × 0.5 × 10 at tier-2; cascade 100 at tier-1 and
    // 100 × 0.1 × (10 − 4) = 60 at the OEM.
    EXPECT_NEAR(direct[2], 107.0, 1e-9);
    EXPECT_NEAR(cascade[1], 100.0, 1e-9);
    EXPECT_NEAR(cascade[0], 60.0, 1e-9);
    EXPECT_NEAR(loss, 267.0, 1e-9);
  }
  // Mean loss 0.3 × 267 within 4 standard errors.
  const auto& x = r.main().residual_loss;
  EXPECT_NEAR(mean(x), 0.3 * 267.0, 4 * standard_error(x));
  EXPECT_GT(hits, 0u);
}

TEST(Cascade, NoProductionWithoutCriticalAssets) {
  v1::Scenario s = three_enterprise_run(1.0);
  s.mutable_assets(0)->mutable_loss()->set_operations_share(0.0);
  const Model m = compile(s);
  EXPECT_FALSE(m.has_production);
  RunOptions o;
  o.trials = 100;
  const auto r = simulate(m, o);
  for (const double x : r.main().residual_loss) EXPECT_DOUBLE_EQ(x, 7.0);
}

}  // namespace
}  // namespace cpsf
