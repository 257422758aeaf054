// Chokepoints: hand-made graphs with known cuts, then random small graphs whose minimum
// relation and asset cuts are found by enumerating every subset.
#include "cpsf/analysis/chokepoints.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <string>
#include <vector>

#include "cpsf/io/scenario_io.hpp"

namespace cpsf {
namespace {

using U = std::vector<std::uint32_t>;

Model model_of(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString("enterprises { id: \"e\" }\n" + text, &s));
  return compile(s);
}

std::string asset(const std::string& id, const std::string& extra = "") {
  return "assets { id: \"" + id + "\" owner: \"e\" layer: L3 element: SYSTEM " + extra + " }\n";
}
std::string step(const std::string& from, const std::string& to, double p = 1, const std::string& extra = "") {
  return "relations { from: \"" + from + "\" to: \"" + to + "\" layer: L3 step { p: " + std::to_string(p) + " " +
         extra + " } }\n";
}

std::uint32_t index_of(const Model& m, const std::string& id) {
  return static_cast<std::uint32_t>(std::find(m.asset_id.begin(), m.asset_id.end(), id) - m.asset_id.begin());
}

// The chokepoint of asset `id`, which must be among the targets.
Chokepoint of(const Model& m, const std::string& id, bool controls_on = true, std::size_t threat = 0) {
  for (const auto& c : chokepoints(m, threat, controls_on)) {
    if (c.target == index_of(m, id)) return c;
  }
  ADD_FAILURE() << id << " is not a target";
  return {};
}

U assets(const Model& m, std::initializer_list<const char*> ids) {
  U out;
  for (const char* id : ids) out.push_back(index_of(m, id));
  return out;
}

TEST(Chokepoints, SeriesChainHasCutOneAtTheEntryAndDepthItsLength) {
  // Relations 0..3: s→a→b→c→t. Every relation is a cut of one; the one nearest the entry is returned.
  const Model m =
      model_of(asset("s", "exposure: 1") + asset("a") + asset("b") + asset("c") + asset("t", "target: true") +
               step("s", "a") + step("a", "b") + step("b", "c") + step("c", "t"));
  const auto c = of(m, "t");
  EXPECT_TRUE(c.reachable);
  EXPECT_FALSE(c.entry);
  EXPECT_EQ(c.cut_size, 1u);
  EXPECT_EQ(c.cut_relations, U({0}));
  EXPECT_EQ(c.asset_cut_size, 1u);
  EXPECT_EQ(c.cut_assets, assets(m, {"a"}));
  EXPECT_EQ(c.depth, 4u);
  EXPECT_TRUE(c.exact);
}

TEST(Chokepoints, TwoDisjointPathsNeedTwoCuts) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("a") + asset("b") + asset("t", "target: true") +
                           step("s", "a") + step("a", "t") + step("s", "b", 0.2) + step("b", "t"));
  const auto c = of(m, "t");
  EXPECT_EQ(c.cut_size, 2u);
  EXPECT_EQ(c.cut_relations, U({0, 2}));
  EXPECT_EQ(c.asset_cut_size, 2u);
  EXPECT_EQ(c.cut_assets, assets(m, {"a", "b"}));
  EXPECT_EQ(c.depth, 2u);
}

TEST(Chokepoints, BridgeBetweenTwoEntriesAndTwoRoutesIsTheCut) {
  // s1, s2 → a → b → {t, c → t}: the bridge a→b is the only relation cut of one.
  const Model m = model_of(asset("s1", "exposure: 1") + asset("s2", "exposure: 0.1") + asset("a") + asset("b") +
                           asset("c") + asset("t", "target: true") + step("s1", "a") + step("s2", "a") +
                           step("a", "b") + step("b", "t") + step("b", "c") + step("c", "t"));
  const auto c = of(m, "t");
  EXPECT_EQ(c.cut_size, 1u);
  EXPECT_EQ(c.cut_relations, U({2}));
  EXPECT_EQ(c.asset_cut_size, 1u);
  EXPECT_EQ(c.cut_assets, assets(m, {"a"}));
  EXPECT_EQ(c.depth, 3u);
}

TEST(Chokepoints, ParallelRelationsAreSeparateWeaknesses) {
  // Two relations s→a count twice, so the single a→t is the cut; two s→t have no asset cut.
  const Model m =
      model_of(asset("s", "exposure: 1") + asset("a") + asset("t", "target: true") + asset("u", "target: true") +
               step("s", "a") + step("s", "a") + step("a", "t") + step("s", "u") + step("s", "u"));
  const auto t = of(m, "t");
  EXPECT_EQ(t.cut_size, 1u);
  EXPECT_EQ(t.cut_relations, U({2}));
  const auto u = of(m, "u");
  EXPECT_EQ(u.cut_size, 2u);
  EXPECT_EQ(u.cut_relations, U({3, 4}));
  EXPECT_EQ(u.asset_cut_size, kNoCut);
  EXPECT_TRUE(u.cut_assets.empty());
  EXPECT_EQ(u.depth, 1u);
}

TEST(Chokepoints, ManyParallelRelationsAreOneEdgeOfTheirCountAndTheCutListsThemAll) {
  // 3 relations s→a, then 5 a→t: the cut is the 3 (the flow network merges each parallel
  // group into one edge of capacity k); and 20,000 relations s→u are a cut of 20,000.
  std::string text = asset("s", "exposure: 1") + asset("a") + asset("t", "target: true") + asset("u", "target: true");
  for (int i = 0; i < 3; ++i) text += step("s", "a");
  for (int i = 0; i < 5; ++i) text += step("a", "t");
  for (int i = 0; i < 20000; ++i) text += step("s", "u");
  const Model m = model_of(text);
  const auto t = of(m, "t");
  EXPECT_EQ(t.cut_size, 3u);
  EXPECT_EQ(t.cut_relations, U({0, 1, 2}));
  EXPECT_EQ(t.asset_cut_size, 1u);
  EXPECT_EQ(t.cut_assets, assets(m, {"a"}));
  const auto u = of(m, "u");
  EXPECT_EQ(u.cut_size, 20000u);
  ASSERT_EQ(u.cut_relations.size(), 20000u);
  for (std::uint32_t i = 0; i < 20000; ++i) EXPECT_EQ(u.cut_relations[i], 8 + i);
}

TEST(Chokepoints, TargetThatIsAnEntryCannotBeCut) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("t", "exposure: 0.5 target: true") + step("s", "t"));
  const auto c = of(m, "t");
  EXPECT_TRUE(c.reachable);
  EXPECT_TRUE(c.entry);
  EXPECT_EQ(c.cut_size, kNoCut);
  EXPECT_EQ(c.asset_cut_size, kNoCut);
  EXPECT_TRUE(c.cut_relations.empty());
  EXPECT_EQ(c.depth, 0u);
}

TEST(Chokepoints, UnreachableTargetNeedsNoCut) {
  // t is reached only by a step of probability 0 and from an asset no entry reaches.
  const Model m = model_of(asset("s", "exposure: 1") + asset("x") + asset("t", "target: true") + step("s", "t", 0) +
                           step("x", "t") + step("t", "s"));
  const auto c = of(m, "t");
  EXPECT_FALSE(c.reachable);
  EXPECT_EQ(c.cut_size, 0u);
  EXPECT_EQ(c.asset_cut_size, 0u);
  EXPECT_TRUE(c.cut_relations.empty());
  EXPECT_EQ(c.depth, kUnreachable);
  EXPECT_TRUE(c.exact);
}

TEST(Chokepoints, RelationClosedByAControlIsNoWeakness) {
  // s→t is closed by a control of efficacy 1, so only s→a→t remains with controls on.
  const Model m = model_of(asset("s", "exposure: 1") + asset("a") + asset("t", "target: true") +
                           step("s", "t", 0.9, "mitigated_by: \"CPS.AC-1\"") + step("s", "a") + step("a", "t") +
                           "controls { id: \"mfa\" requirement: \"CPS.AC-1\" efficacy: 1 implemented: true }\n");
  const auto on = of(m, "t", true);
  EXPECT_EQ(on.cut_size, 1u);
  EXPECT_EQ(on.cut_relations, U({1}));
  EXPECT_EQ(on.asset_cut_size, 1u);
  EXPECT_EQ(on.depth, 2u);
  const auto off = of(m, "t", false);
  EXPECT_EQ(off.cut_size, 2u);
  EXPECT_EQ(off.cut_relations, U({0, 1}));
  EXPECT_EQ(off.asset_cut_size, kNoCut);
  EXPECT_EQ(off.depth, 1u);
}

TEST(Chokepoints, CertainlyContainedAssetStopsEveryStep) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("j", "containment: 1") + asset("k", "containment: 0.9") +
                           asset("t", "target: true") + asset("u", "target: true") + step("s", "j") + step("j", "t") +
                           step("s", "k") + step("k", "u"));
  EXPECT_FALSE(of(m, "t").reachable);
  EXPECT_EQ(of(m, "u").cut_size, 1u);
}

TEST(Chokepoints, AllGateOnAPathMakesTheCutInexact) {
  // g (ALL) needs both a and b; cutting s→a alone would stop it, but the cut treats g as ANY.
  const std::string base = asset("s", "exposure: 1") + asset("a") + asset("b") + asset("t", "target: true") +
                           step("s", "a") + step("s", "b") + step("a", "g") + step("b", "g") + step("g", "t");
  const auto c = of(model_of(base + asset("g", "gate: ALL")), "t");
  EXPECT_FALSE(c.exact);
  EXPECT_EQ(c.cut_size, 1u);  // g→t: valid under either gate
  EXPECT_TRUE(of(model_of(base + asset("g")), "t").exact);
  // An ALL target, an ALL gate off every path, and one only behind another entry.
  EXPECT_FALSE(
      of(model_of(asset("s", "exposure: 1") + asset("t", "target: true gate: ALL") + step("s", "t")), "t").exact);
  EXPECT_TRUE(of(model_of(asset("s", "exposure: 1") + asset("x", "gate: ALL") + asset("t", "target: true") +
                          step("s", "x") + step("s", "t")),
                 "t")
                  .exact);
  const Model behind = model_of(asset("s1", "exposure: 1") + asset("x", "gate: ALL") + asset("s2", "exposure: 1") +
                                asset("t", "target: true") + step("s1", "x") + step("x", "s2") + step("s2", "t"));
  const auto b = of(behind, "t");
  EXPECT_TRUE(b.exact);
  EXPECT_EQ(b.cut_relations, U({2}));  // the walk through x ends at entry s2: nothing there to cut
  EXPECT_EQ(b.asset_cut_size, kNoCut);
}

TEST(Chokepoints, ThreatEntriesObjectivesAndExplicitTargets) {
  const Model m = model_of(
      asset("s") + asset("z") + asset("a") + asset("t", "target: true") + asset("o") + step("s", "a") + step("z", "a") +
      step("a", "t") + step("a", "o") + step("z", "o") +
      "threats { id: \"x\" entry_points { asset: \"s\" probability: 0.5 } entry_points { asset: \"z\" probability: 0 }"
      " objectives: \"o\" objectives: \"t\" step_scale: 0.5 }\n");
  const auto all = chokepoints(m, 0, true);
  ASSERT_EQ(all.size(), 2u);  // t and o, sorted and unique
  EXPECT_EQ(all[0].target, index_of(m, "t"));
  EXPECT_EQ(all[1].target, index_of(m, "o"));
  EXPECT_EQ(all[1].cut_size, 1u);  // z has probability 0: z→o is no route
  EXPECT_EQ(all[1].cut_relations, U({0}));
  const U chosen = {index_of(m, "a"), index_of(m, "s"), index_of(m, "z")};
  const auto some = chokepoints(m, 0, true, &chosen);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_EQ(some[0].depth, 1u);
  EXPECT_TRUE(some[1].entry);
  EXPECT_FALSE(some[2].reachable);
  EXPECT_THROW(chokepoints(m, 1, true), std::out_of_range);
  const U bad = {99};
  EXPECT_THROW(chokepoints(m, 0, true, &bad), std::out_of_range);
}

// ---- brute force -------------------------------------------------------------------------

struct Rel {
  std::uint32_t from, to;
  double p;
  bool mitigated;  // closed by a control of efficacy 1 when controls are on
};

struct RandomCase {
  std::uint32_t n = 0;
  std::vector<bool> all, contained, target, entry;
  std::vector<std::uint32_t> objectives;
  std::vector<Rel> rels;
  Model model;
};

RandomCase random_case(std::uint32_t seed) {
  std::mt19937 rng(seed);
  const auto uniform = [&](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  const auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  RandomCase c;
  c.n = uniform(2, 8);
  c.all.resize(c.n);
  c.contained.resize(c.n);
  c.target.resize(c.n);
  c.entry.assign(c.n, false);
  v1::Scenario s;
  s.add_enterprises()->set_id("e");
  for (std::uint32_t i = 0; i < c.n; ++i) {
    c.all[i] = chance(0.15);
    c.contained[i] = chance(0.08);
    c.target[i] = chance(0.3);
    auto* a = s.add_assets();
    a->set_id("a" + std::to_string(i));
    a->set_owner("e");
    a->set_layer(v1::L3);
    a->set_element(v1::SYSTEM);
    if (c.all[i]) a->set_gate(v1::ALL);
    a->set_containment(c.contained[i] ? 1.0 : 0.25);
    a->set_target(c.target[i]);
  }
  auto* t = s.add_threats();
  t->set_id("t");
  const std::uint32_t entries = uniform(1, 3);
  for (std::uint32_t k = 0; k < entries; ++k) {
    const std::uint32_t a = uniform(0, c.n - 1);
    const double p = chance(0.15) ? 0.0 : 0.5;
    if (p > 0) c.entry[a] = true;
    auto* e = t->add_entry_points();
    e->set_asset("a" + std::to_string(a));
    e->set_probability(p);
  }
  if (chance(0.5)) {
    c.objectives.push_back(uniform(0, c.n - 1));
    t->add_objectives("a" + std::to_string(c.objectives.back()));
  }
  const std::uint32_t m = uniform(2, 14);
  for (std::uint32_t k = 0; k < m; ++k) {
    Rel r{uniform(0, c.n - 1), uniform(0, c.n - 1), chance(0.1) ? 0.0 : 0.4, chance(0.2)};
    // Mostly no entry → target shortcut, so that most targets have a finite asset cut.
    while (c.entry[r.from] && c.target[r.to] && chance(0.8)) r.to = uniform(0, c.n - 1);
    c.rels.push_back(r);
    auto* rel = s.add_relations();
    rel->set_from("a" + std::to_string(r.from));
    rel->set_to("a" + std::to_string(r.to));
    rel->set_layer(v1::L3);
    rel->mutable_step()->set_p(r.p);
    if (r.mitigated) rel->mutable_step()->add_mitigated_by("CPS.AC-1");
  }
  auto* control = s.add_controls();
  control->set_id("c");
  control->set_requirement("CPS.AC-1");
  control->set_efficacy(1.0);
  control->set_implemented(true);
  c.model = compile(s);
  return c;
}

// Fewest steps from the entries to every asset (kUnreachable: none), over the relations in
// `open` (bit i: relation i), never through an asset in `removed`.
std::vector<std::uint32_t> distances(const RandomCase& c, std::uint32_t open, std::uint32_t removed) {
  std::vector<std::uint32_t> d(c.n, kUnreachable);
  std::vector<std::uint32_t> queue;
  for (std::uint32_t v = 0; v < c.n; ++v) {
    if (c.entry[v]) d[v] = 0, queue.push_back(v);
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t v = queue[q];
    for (std::uint32_t i = 0; i < c.rels.size(); ++i) {
      const auto& r = c.rels[i];
      if ((open >> i & 1) && r.from == v && d[r.to] == kUnreachable && !(removed >> r.to & 1)) {
        d[r.to] = d[v] + 1;
        queue.push_back(r.to);
      }
    }
  }
  return d;
}

// Masks over `bits` bits, fewest set bits first.
std::vector<std::uint32_t> by_popcount(std::uint32_t bits) {
  std::vector<std::uint32_t> masks(std::size_t{1} << bits);
  for (std::uint32_t i = 0; i < masks.size(); ++i) masks[i] = i;
  std::stable_sort(masks.begin(), masks.end(),
                   [](std::uint32_t a, std::uint32_t b) { return std::popcount(a) < std::popcount(b); });
  return masks;
}

bool subset(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  for (std::size_t v = 0; v < a.size(); ++v) {
    if (a[v] != kUnreachable && b[v] == kUnreachable) return false;
  }
  return true;
}

TEST(Chokepoints, MatchesBruteForceOnRandomSmallGraphs) {
  int checked_cuts = 0, inexact = 0, no_asset_cut = 0, asset_cuts = 0, wide = 0;
  for (std::uint32_t seed = 1; seed <= 1000; ++seed) {
    const RandomCase c = random_case(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto rel_count = static_cast<std::uint32_t>(c.rels.size());
    const auto rel_masks = by_popcount(rel_count);
    const auto asset_masks = by_popcount(c.n);
    for (const bool controls_on : {true, false}) {
      SCOPED_TRACE(controls_on ? "controls on" : "controls off");
      // The weaknesses, from the generator's own record.
      std::uint32_t weak = 0;
      for (std::uint32_t i = 0; i < rel_count; ++i) {
        const auto& r = c.rels[i];
        if (r.p > 0 && !(controls_on && r.mitigated) && !c.contained[r.from]) weak |= 1u << i;
      }
      U expected_targets = c.objectives;
      for (std::uint32_t v = 0; v < c.n; ++v) {
        if (c.target[v]) expected_targets.push_back(v);
      }
      std::sort(expected_targets.begin(), expected_targets.end());
      expected_targets.erase(std::unique(expected_targets.begin(), expected_targets.end()), expected_targets.end());

      const auto got = chokepoints(c.model, 0, controls_on);
      ASSERT_EQ(got.size(), expected_targets.size());
      const auto base = distances(c, weak, 0);
      for (std::size_t k = 0; k < got.size(); ++k) {
        const Chokepoint& cp = got[k];
        const std::uint32_t t = expected_targets[k];
        SCOPED_TRACE("target a" + std::to_string(t));
        ASSERT_EQ(cp.target, t);
        EXPECT_EQ(cp.depth, base[t]);
        EXPECT_EQ(cp.reachable, base[t] != kUnreachable);
        EXPECT_EQ(cp.entry, static_cast<bool>(c.entry[t]));
        if (!cp.reachable) {
          EXPECT_EQ(cp.cut_size, 0u);
          EXPECT_EQ(cp.asset_cut_size, 0u);
          EXPECT_TRUE(cp.exact);
          continue;
        }
        if (cp.entry) {
          EXPECT_EQ(cp.cut_size, kNoCut);
          EXPECT_EQ(cp.asset_cut_size, kNoCut);
          continue;
        }
        const auto cut_off = [&](std::uint32_t closed, std::uint32_t removed) {
          return distances(c, weak & ~closed, removed)[t] == kUnreachable;
        };

        // Relation cut: the first disconnecting subset of weaknesses, fewest first.
        std::uint32_t best = kNoCut;
        for (const std::uint32_t mask : rel_masks) {
          if ((mask & ~weak) == 0 && cut_off(mask, 0)) {
            best = static_cast<std::uint32_t>(std::popcount(mask));
            break;
          }
        }
        EXPECT_EQ(cp.cut_size, best);
        std::uint32_t returned = 0;
        for (const std::uint32_t r : cp.cut_relations) {
          ASSERT_LT(r, rel_count);
          EXPECT_TRUE(weak >> r & 1) << "relation " << r << " is no weakness";
          returned |= 1u << r;
        }
        EXPECT_EQ(static_cast<std::uint32_t>(std::popcount(returned)), cp.cut_size);
        EXPECT_TRUE(std::is_sorted(cp.cut_relations.begin(), cp.cut_relations.end()));
        EXPECT_TRUE(cut_off(returned, 0));
        // Nearest the entries: every other minimum cut leaves at least as much reachable.
        const auto near = distances(c, weak & ~returned, 0);
        for (const std::uint32_t mask : rel_masks) {
          if (static_cast<std::uint32_t>(std::popcount(mask)) > best) break;
          if ((mask & ~weak) == 0 && std::popcount(mask) == std::popcount(returned) && cut_off(mask, 0)) {
            EXPECT_TRUE(subset(near, distances(c, weak & ~mask, 0))) << "cut " << mask << " is nearer";
          }
        }

        // Asset cut over intermediate assets.
        std::uint32_t protected_assets = 1u << t;
        for (std::uint32_t v = 0; v < c.n; ++v) {
          if (c.entry[v]) protected_assets |= 1u << v;
        }
        std::uint32_t best_assets = kNoCut;
        for (const std::uint32_t mask : asset_masks) {
          if ((mask & protected_assets) == 0 && cut_off(0, mask)) {
            best_assets = static_cast<std::uint32_t>(std::popcount(mask));
            break;
          }
        }
        EXPECT_EQ(cp.asset_cut_size, best_assets);
        no_asset_cut += best_assets == kNoCut;
        asset_cuts += best_assets != kNoCut && best_assets > 0;
        wide += best >= 2;
        std::uint32_t removed = 0;
        for (const std::uint32_t v : cp.cut_assets) {
          ASSERT_LT(v, c.n);
          EXPECT_FALSE(protected_assets >> v & 1) << "asset " << v << " cannot be cut";
          removed |= 1u << v;
        }
        EXPECT_TRUE(std::is_sorted(cp.cut_assets.begin(), cp.cut_assets.end()));
        if (best_assets != kNoCut) {
          EXPECT_EQ(static_cast<std::uint32_t>(std::popcount(removed)), cp.asset_cut_size);
          EXPECT_TRUE(cut_off(0, removed));
        }

        // Exact unless an ALL asset lies on an entry→target walk with no entry inside it.
        bool all_on_path = false;
        for (std::uint32_t v = 0; v < c.n; ++v) {
          if (!c.all[v] || c.entry[v] || base[v] == kUnreachable) continue;
          std::vector<bool> seen(c.n, false);
          std::vector<std::uint32_t> queue{v};
          seen[v] = true;
          for (std::size_t q = 0; q < queue.size(); ++q) {
            const std::uint32_t x = queue[q];
            if (x != v && c.entry[x]) continue;
            for (std::uint32_t i = 0; i < rel_count; ++i) {
              if ((weak >> i & 1) && c.rels[i].from == x && !seen[c.rels[i].to]) {
                seen[c.rels[i].to] = true;
                queue.push_back(c.rels[i].to);
              }
            }
          }
          all_on_path |= seen[t];
        }
        EXPECT_EQ(cp.exact, !all_on_path);
        inexact += !cp.exact;
        ++checked_cuts;
      }
    }
  }
  // The sample exercises every branch.
  EXPECT_GT(checked_cuts, 400);
  EXPECT_GT(inexact, 50);
  EXPECT_GT(no_asset_cut, 50);
  EXPECT_GT(asset_cuts, 100);
  EXPECT_GT(wide, 50);  // relation cuts of two or more
}

bool same(const Chokepoint& a, const Chokepoint& b) {
  return a.target == b.target && a.reachable == b.reachable && a.entry == b.entry && a.cut_size == b.cut_size &&
         a.cut_relations == b.cut_relations && a.asset_cut_size == b.asset_cut_size && a.cut_assets == b.cut_assets &&
         a.depth == b.depth && a.exact == b.exact;
}

TEST(Chokepoints, LargerGraphCutsDisconnectAndDoNotDependOnThreads) {
  // 400 assets, 1600 random relations, 40 targets: enough to run on several workers.
  std::mt19937 rng(11);
  v1::Scenario s;
  s.add_enterprises()->set_id("e");
  constexpr std::uint32_t n = 400;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto* a = s.add_assets();
    a->set_id("a" + std::to_string(i));
    a->set_owner("e");
    a->set_layer(v1::L3);
    a->set_element(v1::SYSTEM);
    a->set_exposure(i % 97 == 0 ? 0.5 : 0.0);
    a->set_target(i % 10 == 3);
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rels;
  for (int k = 0; k < 1600; ++k) {
    const auto u = static_cast<std::uint32_t>(rng() % n), v = static_cast<std::uint32_t>(rng() % n);
    rels.emplace_back(u, v);
    auto* r = s.add_relations();
    r->set_from("a" + std::to_string(u));
    r->set_to("a" + std::to_string(v));
    r->set_layer(v1::L3);
    r->mutable_step()->set_p(0.3);
  }
  const Model m = compile(s);
  const auto one = chokepoints(m, 0, true, nullptr, 1);
  const auto four = chokepoints(m, 0, true, nullptr, 4);
  ASSERT_EQ(one.size(), 40u);
  ASSERT_EQ(four.size(), one.size());
  int cut = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_TRUE(same(one[i], four[i])) << "target " << one[i].target;
    const auto& c = one[i];
    if (!c.reachable || c.entry) continue;
    ++cut;
    // Removing the cut (relations, then assets) leaves the target out of reach.
    for (const bool by_assets : {false, true}) {
      if (by_assets && c.asset_cut_size == kNoCut) continue;
      std::vector<bool> closed(rels.size(), false), removed(n, false), seen(n, false);
      for (const auto r : c.cut_relations) closed[r] = !by_assets;
      for (const auto a : c.cut_assets) removed[a] = by_assets;
      std::vector<std::uint32_t> queue;
      for (std::uint32_t v = 0; v < n; v += 97) seen[v] = true, queue.push_back(v);
      for (std::size_t q = 0; q < queue.size(); ++q) {
        for (std::size_t r = 0; r < rels.size(); ++r) {
          const auto [u, v] = rels[r];
          if (u == queue[q] && !closed[r] && !removed[v] && !seen[v]) seen[v] = true, queue.push_back(v);
        }
      }
      EXPECT_FALSE(seen[c.target]) << "target " << c.target << (by_assets ? " asset cut" : " relation cut");
    }
  }
  EXPECT_GT(cut, 20);
}

}  // namespace
}  // namespace cpsf
