// The supply-chain cascade (cascade.hpp, docs/methods.md §7): a hand-computed
// three-enterprise chain, buffers, clamping, refused matrices, and the cascade inside
// a run (exact per trial; the mean within 4 standard errors of the closed form).
#include "cpsf/model/cascade.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/base/statistics.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/sim/simulation.hpp"
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

// ρ(A*) as the validator and a run compute it, with the matrix refused or not.
double rho(std::size_t enterprises, const std::vector<SupplyLink>& links) {
  double r = -1.0;
  interdependency_problem(enterprises, links, &r);
  return r;
}

TEST(Cascade, SpectralRadiusIsRhoNotTheRowSumBound) {
  // Issue 14 quotes Haimes & Jiang (2001)'s two-sector example as largest row sum 0.8
  // and ρ = 0.4. With a zero diagonal (no enterprise depends on itself) A* = [[0, a],
  // [b, 0]] has row sums a, b and eigenvalues ±√(ab), so those numbers mean a = 0.8,
  // b = 0.2: ρ = √0.16 = 0.4.
  EXPECT_NEAR(rho(2, {{0, 1, 0.8, 0}, {1, 0, 0.2, 0}}), 0.4, 1e-12);
  EXPECT_NEAR(Cascade({1.0, 1.0}, {{0, 1, 0.8, 0}, {1, 0, 0.2, 0}}).spectral_radius(), 0.4, 1e-12);
  // A three-enterprise cycle 0 → 1 → 2 → 0 with shares 0.9, 0.3, 0.8: λ³ = 0.9·0.3·0.8
  // = 0.216, so ρ = 0.6; largest row sum 0.9.
  EXPECT_NEAR(rho(3, {{0, 1, 0.9, 0}, {1, 2, 0.3, 0}, {2, 0, 0.8, 0}}), 0.6, 1e-12);
  // No cycle of dependencies (a chain, a tree): A* is nilpotent, ρ = 0, however large
  // the shares (the row-sum bound here is 0.5).
  EXPECT_EQ(chain().spectral_radius(), 0.0);
  EXPECT_EQ(rho(4, {{0, 1, 0.3, 0}, {0, 2, 0.2, 0}, {1, 3, 0.25, 0}, {2, 3, 0.1, 0}}), 0.0);
  // Four sectors whose rows add up to 0.6, 0.6, 1.8 and 1.9: sectors 0 and 1 depend on
  // each other (0.6 each way), 2 and 3 only on the others, 3 on 2 but not 2 on 3. Ordered
  // 0, 1, 2, 3, A* is block lower triangular, so its eigenvalues are those of
  // [[0, 0.6], [0.6, 0]] (±0.6) and the zero diagonal of the rest: ρ = 0.6.
  EXPECT_NEAR(rho(4, {{0, 1, 0.6, 0},
                      {1, 0, 0.6, 0},
                      {2, 0, 0.9, 0},
                      {2, 1, 0.9, 0},
                      {3, 0, 1.0, 0},
                      {3, 1, 0.5, 0},
                      {3, 2, 0.4, 0}}),
              0.6, 1e-12);
  // Refused matrices report their ρ too: a cycle of full dependencies has ρ = 1.
  EXPECT_NEAR(rho(3, {{0, 1, 1.0, 0}, {1, 2, 1.0, 0}, {2, 0, 1.0, 0}}), 1.0, 1e-12);
}

TEST(Cascade, SpectralRadiusAgreesWithEigensEigenvaluesOfTheWholeMatrix) {
  // Random dependency matrices made of groups that each form a cycle through all their
  // members (strongly connected), plus lone enterprises, with dependencies between groups
  // in one direction only, enterprises numbered at random. Their eigenvalues are those of
  // the groups, so ρ must be the largest |λ| of Eigen's EigenSolver both on each group
  // and on the whole matrix.
  std::mt19937_64 rng(14);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int compared = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::uint32_t> size;
    const int groups = 1 + static_cast<int>(rng() % 5);
    for (int g = 0; g < groups; ++g) size.push_back(rng() % 4 == 0 ? 1 : 2 + static_cast<std::uint32_t>(rng() % 8));
    std::uint32_t n = 0;
    for (const auto k : size) n += k;
    std::vector<std::uint32_t> id(n);  // enterprise index of the k-th enterprise in group order
    std::iota(id.begin(), id.end(), 0u);
    std::shuffle(id.begin(), id.end(), rng);
    const double scale = round % 3 == 0 ? 1.0 : 0.5;
    std::vector<SupplyLink> links;
    Eigen::MatrixXd whole = Eigen::MatrixXd::Zero(n, n);
    const auto link = [&](std::uint32_t i, std::uint32_t j, double share) {
      if (i == j || whole(id[i], id[j]) != 0.0) return;
      links.push_back({id[i], id[j], share, 0.0});
      whole(id[i], id[j]) = share;
    };
    double expected = 0.0;
    std::uint32_t first = 0;
    for (const auto k : size) {
      // Within the group [first, first + k): the cycle, then a few more dependencies.
      for (std::uint32_t i = 0; i < k && k > 1; ++i) link(first + i, first + (i + 1) % k, 0.05 + scale * u(rng));
      for (std::uint32_t e = 0; e < k; ++e) link(first + rng() % k, first + rng() % k, scale * u(rng));
      // On earlier groups only.
      for (std::uint32_t e = 0; e < first && e < 2 * k; ++e) link(first + rng() % k, rng() % first, scale * u(rng));
      if (k > 1) {
        const Eigen::MatrixXd block = whole(id, id).block(first, first, k, k);
        expected =
            std::max(expected, Eigen::EigenSolver<Eigen::MatrixXd>(block, false).eigenvalues().cwiseAbs().maxCoeff());
      }
      first += k;
    }
    if (links.empty()) continue;
    const Eigen::EigenSolver<Eigen::MatrixXd> eigen(whole, false);
    ASSERT_EQ(eigen.info(), Eigen::Success);
    const double of_whole = eigen.eigenvalues().cwiseAbs().maxCoeff();
    const double got = rho(n, links);
    EXPECT_NEAR(got, expected, 1e-12 * std::max(1.0, expected)) << "round " << round << ", n " << n;
    EXPECT_NEAR(got, of_whole, 1e-8 * std::max(1.0, expected)) << "round " << round << ", n " << n;
    ++compared;
  }
  EXPECT_GT(compared, 250);
}

TEST(Cascade, SpectralRadiusOfLargeCyclesOfDependencies) {
  // Groups of more than 32 enterprises take the Perron-root iteration, not EigenSolver.
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // One cycle through n enterprises: λⁿ = Π shares, so ρ is their geometric mean. The
  // slowest case for a power method (n eigenvalues of modulus ρ).
  for (const std::uint32_t n : {33u, 300u}) {
    std::vector<SupplyLink> links;
    double log_product = 0.0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const double share = 0.5 + 0.5 * u(rng);
      log_product += std::log(share);
      links.push_back({i, (i + 1) % n, share, 0.0});
    }
    EXPECT_NEAR(rho(n, links), std::exp(log_product / n), 1e-13) << n;
  }
  // Random groups of 33 to 150, and two dense groups coupled so weakly both ways that
  // their Perron roots almost tie (the iteration loses positivity and EigenSolver takes
  // over), against EigenSolver on the whole matrix.
  for (int round = 0; round < 12; ++round) {
    const bool weak = round % 3 == 2;
    const auto n = static_cast<std::uint32_t>(weak ? 200 : 33 + rng() % 118);
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
    std::vector<SupplyLink> links;
    const auto link = [&](std::uint32_t i, std::uint32_t j, double share) {
      if (i == j || a(i, j) != 0.0) return;
      links.push_back({i, j, share, 0.0});
      a(i, j) = share;
    };
    if (weak) {
      for (std::uint32_t half = 0; half < 2; ++half) {
        for (std::uint32_t i = 0; i < n / 2; ++i) {
          link(half * n / 2 + i, half * n / 2 + (i + 1) % (n / 2), 0.05 * u(rng));
          for (std::uint32_t k = 0; k < 10; ++k) link(half * n / 2 + i, half * n / 2 + rng() % (n / 2), 0.05 * u(rng));
        }
      }
      link(0, n / 2, std::pow(10.0, -3.0 * round));
      link(n / 2, 0, std::pow(10.0, -3.0 * round));
    } else {
      for (std::uint32_t i = 0; i < n; ++i) link(i, (i + 1) % n, u(rng) / 3);
      for (std::uint32_t e = 0; e < 3 * n; ++e) link(rng() % n, rng() % n, u(rng) / 3);
    }
    const Eigen::EigenSolver<Eigen::MatrixXd> eigen(a, false);
    ASSERT_EQ(eigen.info(), Eigen::Success);
    const double expected = eigen.eigenvalues().cwiseAbs().maxCoeff();
    EXPECT_NEAR(rho(n, links), expected, 1e-12 * std::max(1.0, expected)) << "round " << round;
  }
}

TEST(Cascade, SpectralRadiusOfAnAcyclicMatrixIsExactlyZero) {
  // Dependencies along a random order of enterprises, never back: A* is nilpotent and
  // ρ = 0 exactly. (Eigen's EigenSolver on such a whole matrix answers with rounding
  // noise of the order ε^(1/k) for chains of length k: up to 3e-4 at these sizes.)
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int round = 0; round < 100; ++round) {
    const auto n = static_cast<std::uint32_t>(2 + rng() % 40);
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<SupplyLink> links;
    for (std::uint32_t i = 0; i < n; ++i) {
      for (std::uint32_t j = i + 1; j < n; ++j) {
        if (u(rng) < 0.2) links.push_back({order[i], order[j], u(rng), 0.0});
      }
    }
    if (!links.empty()) {
      EXPECT_EQ(rho(n, links), 0.0) << "round " << round;
    }
  }
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

TEST(Cascade, ResultsJsonReportsRho) {
  // The three-enterprise run with a dependency back from tier-2 to the OEM: a cycle
  // oem → t1 → t2 → oem with shares 0.5, 0.4, 0.2, so ρ = ∛0.04, not the row sum 0.5.
  v1::Scenario s = three_enterprise_run(0.3);
  auto* back = s.add_dependencies();
  back->set_customer("t2");
  back->set_supplier("oem");
  back->set_share(0.2);
  const Model m = compile(s);
  RunOptions o;
  o.trials = 100;
  const auto r = simulate(m, o);
  EXPECT_NEAR(r.spectral_radius, std::cbrt(0.04), 1e-12);
  const auto j = nlohmann::json::parse(results_json(m, r, estimate(m, r), {"s", "s", "EUR"}));
  EXPECT_NEAR(j["cascade"]["spectral_radius"].get<double>(), std::cbrt(0.04), 1e-12);
}

}  // namespace
}  // namespace cpsf
