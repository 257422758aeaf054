// The CycloneDX importer (model/cyclonedx.hpp): each rule of docs/import.md, "CycloneDX SBOMs",
// on the SBOMs of tests/data/cyclonedx and on texts in memory, and every refusal with its message.
#include "cpsf/model/cyclonedx.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "cpsf/model/library.hpp"
#include "cpsf/validate/validate.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

struct Imported {
  LoadStatus status{};
  LoadedScenario loaded;
  CycloneDxPlaces places;
  CycloneDxReport report;
  Diagnostics diagnostics;

  [[nodiscard]] std::string all() const {
    std::string text;
    for (const auto& d : diagnostics.items()) text += d.format() + "\n";
    return text;
  }
};

Imported import_text(const std::string& text, LoadedScenario into = LoadedScenario(),
                     std::optional<std::string> product = std::nullopt, const std::string& path = "bom.json") {
  Imported r;
  r.loaded = std::move(into);
  r.status = import_cyclonedx(CycloneDxSource{path, text}, CycloneDxOptions{std::move(product)}, r.loaded, r.places,
                              r.report, r.diagnostics);
  return r;
}

std::string data(const std::string& name) {
  std::ifstream in(std::string(testing::kSourceDir) + "/tests/data/cyclonedx/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A 1.5 SBOM with the given members after bomFormat and specVersion.
std::string sbom(const std::string& members) {
  return R"({"bomFormat": "CycloneDX", "specVersion": "1.5")" + (members.empty() ? "" : ", " + members) + "}";
}

const v1::Asset* asset(const v1::Scenario& s, const std::string& id) {
  for (const auto& a : s.assets()) {
    if (a.id() == id) return &a;
  }
  return nullptr;
}

const v1::Relation* relation(const v1::Scenario& s, const std::string& id) {
  for (const auto& r : s.relations()) {
    if (r.id() == id) return &r;
  }
  return nullptr;
}

const v1::Enterprise* enterprise(const v1::Scenario& s, const std::string& id) {
  for (const auto& e : s.enterprises()) {
    if (e.id() == id) return &e;
  }
  return nullptr;
}

// The one diagnostic whose message holds `part`; fails when there is none or several.
const Diagnostic* find(const Imported& r, const std::string& part) {
  const Diagnostic* found = nullptr;
  for (const auto& d : r.diagnostics.items()) {
    if (d.message.find(part) == std::string::npos) continue;
    EXPECT_EQ(found, nullptr) << "two diagnostics hold '" << part << "':\n" << r.all();
    found = &d;
  }
  EXPECT_NE(found, nullptr) << "no diagnostic holds '" << part << "':\n" << r.all();
  return found;
}

LoadedScenario default_loaded() { return in_memory_scenario(testing::default_scenario(), "default.textproto"); }

constexpr const char* kFirmware = "pkg:generic/aoba/plc-400-firmware@4.2.1";
constexpr const char* kMbedTls = "pkg:github/mbed-tls/mbedtls@v3.5.1";
constexpr const char* kZlib = "pkg:generic/zlib@1.3.1";

TEST(CycloneDx, Version16ComponentsBecomeAssets) {
  const auto r = import_text(data("plc-firmware-1.6.json"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(r.report.components, 5);  // four at the top, one nested; metadata.component not counted
  EXPECT_EQ(s.assets_size(), 6);      // the product too
  const auto* mbedtls = asset(s, kMbedTls);
  ASSERT_NE(mbedtls, nullptr);
  EXPECT_EQ(mbedtls->name(), "mbed TLS 3.5.1");
  EXPECT_EQ(mbedtls->owner(), "trusted-firmware");
  EXPECT_EQ(mbedtls->layer(), v1::L3);
  EXPECT_EQ(mbedtls->element(), v1::COMPONENT);
  ASSERT_EQ(mbedtls->tags_size(), 2);
  EXPECT_EQ(mbedtls->tags(0), "sbom");
  EXPECT_EQ(mbedtls->tags(1), "library");
  ASSERT_NE(asset(s, kFirmware), nullptr);
  EXPECT_EQ(asset(s, kFirmware)->owner(), "aoba-electronics");  // 1.6 manufacturer
  EXPECT_EQ(asset(s, kFirmware)->tags(1), "firmware");
  EXPECT_EQ(asset(s, kZlib)->owner(), "jean-loup-gailly");  // the first of 1.6's authors
  const auto* e = enterprise(s, "trusted-firmware");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->name(), "Trusted Firmware");
  EXPECT_EQ(e->role(), "software supplier");
  Diagnostics v;
  validate(r.loaded, v);
  EXPECT_FALSE(v.has_errors()) << (v.items().empty() ? "" : v.items()[0].format());
}

TEST(CycloneDx, Versions14And15) {
  const auto hmi = import_text(data("hmi-app-1.4.json"));
  ASSERT_EQ(hmi.status, LoadStatus::Ok) << hmi.all();
  const auto& s = hmi.loaded.scenario();
  EXPECT_EQ(hmi.report.components, 3);
  EXPECT_EQ(asset(s, "pkg:generic/sakura/hmi-studio@2.8.0")->owner(), "sakura-wire-harness");  // metadata.supplier
  EXPECT_EQ(asset(s, "pkg:nuget/Newtonsoft.Json@13.0.3")->owner(), "newtonsoft");              // publisher
  EXPECT_EQ(asset(s, kZlib)->owner(), "jean-loup-gailly");                                     // 1.4 author
  EXPECT_EQ(asset(s, kZlib)->tags(1), "library");
  const auto gw = import_text(data("gateway-1.5.json"));
  ASSERT_EQ(gw.status, LoadStatus::Ok) << gw.all();
  EXPECT_NE(asset(gw.loaded.scenario(), "gw"), nullptr);  // no purl: the bom-ref
  EXPECT_EQ(asset(gw.loaded.scenario(), "gw")->name(), "Hoshino remote gateway 1.0");
}

TEST(CycloneDx, AssetIdIsPurlElseBomRefElseNameAtVersion) {
  const auto r = import_text(sbom(R"("components": [
      {"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1", "bom-ref": "ra"},
      {"type": "library", "name": "b", "version": "2", "bom-ref": "rb"},
      {"type": "library", "name": "c", "version": "3"},
      {"type": "library", "name": "d"}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  ASSERT_EQ(s.assets_size(), 4);
  EXPECT_EQ(s.assets(0).id(), "pkg:npm/a@1");
  EXPECT_EQ(s.assets(1).id(), "rb");
  EXPECT_EQ(s.assets(2).id(), "c@3");
  EXPECT_EQ(s.assets(3).id(), "d");
  EXPECT_EQ(s.assets(3).name(), "d");
}

TEST(CycloneDx, SupplierPrecedenceAndSlug) {
  const auto r = import_text(sbom(R"("components": [
      {"type": "library", "name": "a", "supplier": {"name": "ACME, Inc."}, "manufacturer": {"name": "M"},
       "publisher": "P", "author": "A"},
      {"type": "library", "name": "b", "manufacturer": {"name": "M Corp"}, "publisher": "P"},
      {"type": "library", "name": "c", "publisher": "P", "author": "A"},
      {"type": "library", "name": "d", "author": "An Author"},
      {"type": "library", "name": "e", "supplier": {"name": "acme inc"}},
      {"type": "library", "name": "f", "supplier": {"name": "日立"}}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(asset(s, "a")->owner(), "acme-inc");
  EXPECT_EQ(asset(s, "b")->owner(), "m-corp");
  EXPECT_EQ(asset(s, "c")->owner(), "p");
  EXPECT_EQ(asset(s, "d")->owner(), "an-author");
  EXPECT_EQ(asset(s, "e")->owner(), "acme-inc");  // the same slug: the same enterprise
  EXPECT_EQ(asset(s, "f")->owner(), "supplier");  // nothing of [a-z0-9] left
  EXPECT_EQ(enterprise(s, "supplier")->name(), "日立");
  EXPECT_EQ(s.enterprises_size(), 5);
  EXPECT_EQ(r.report.enterprises_made, 5);
}

TEST(CycloneDx, ExistingEnterprisesByIdOrName) {
  v1::Scenario base;
  auto* e = base.add_enterprises();
  e->set_id("t1a");
  e->set_name("Aoba Electronics");
  e = base.add_enterprises();
  e->set_id("openssl");
  e->set_name("The OpenSSL people");
  const auto r = import_text(sbom(R"("components": [
      {"type": "library", "name": "a", "supplier": {"name": "aoba  ELECTRONICS"}},
      {"type": "library", "name": "b", "supplier": {"name": "OpenSSL"}}])"),
                             in_memory_scenario(base, "base.textproto"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(asset(s, "a")->owner(), "t1a");      // by name, case and spaces aside
  EXPECT_EQ(asset(s, "b")->owner(), "openssl");  // by id
  EXPECT_EQ(s.enterprises_size(), 2);
}

TEST(CycloneDx, UnknownSupplierIsOneEnterpriseAndOneWarning) {
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": "a"},
      {"type": "library", "name": "b", "supplier": {"url": ["https://b.example"]}}, {"type": "library", "name": "c"}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  ASSERT_EQ(s.enterprises_size(), 1);
  EXPECT_EQ(s.enterprises(0).id(), "unknown-supplier");
  EXPECT_EQ(s.enterprises(0).name(), "Unknown supplier");
  EXPECT_EQ(r.report.unknown_supplier, 3);
  const auto* w = find(r, "3 components name no supplier");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::Warning);
  EXPECT_NE(w->hint.find("add each component's supplier"), std::string::npos);
}

TEST(CycloneDx, DependenciesAndNestingBecomeRelations) {
  const auto r = import_text(data("plc-firmware-1.6.json"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  // "mbedtls dependsOn zlib": zlib -> mbedtls
  const auto* dep = relation(s, std::string("sbom:") + kZlib + "->" + kMbedTls);
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ(dep->from(), kZlib);
  EXPECT_EQ(dep->to(), kMbedTls);
  EXPECT_EQ(dep->kind(), v1::SOFTWARE_SUPPLY);
  EXPECT_EQ(dep->layer(), v1::L3);
  EXPECT_FALSE(dep->has_step());  // no vulnerability of zlib counts (not_affected): the library's step
  EXPECT_EQ(dep->description(), "SBOM bom.json: zlib 1.3.1 is supplied into mbed TLS 3.5.1 (/dependencies/1)");
  // the nested crypto library -> mbed TLS
  EXPECT_NE(relation(s, std::string("sbom:") + kMbedTls + "#library/crypto->" + kMbedTls), nullptr);
  EXPECT_NE(relation(s, std::string("sbom:pkg:github/freertos/freertos-kernel@V10.6.2->") + kFirmware), nullptr);
  EXPECT_EQ(s.relations_size(), 5);
  EXPECT_EQ(r.report.assumed_direct, 0);  // every component reaches the product
}

TEST(CycloneDx, UnconnectedComponentsAreDirectDependenciesWithOneWarning) {
  const auto r = import_text(data("gateway-1.5.json"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(r.report.assumed_direct, 2);
  EXPECT_NE(relation(s, "sbom:pkg:generic/openssl@3.0.13->gw"), nullptr);
  EXPECT_NE(relation(s, "sbom:pkg:generic/openvpn@2.6.9->gw"), nullptr);
  const auto* w = find(r, "2 components are connected to the product by no dependency");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->severity, Severity::Warning);
  // A component reaching the product through another is not assumed direct.
  const auto chain =
      import_text(sbom(R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}, {"type": "library", "name": "b", "bom-ref": "b"}],
      "dependencies": [{"ref": "a", "dependsOn": ["b"]}])"));
  ASSERT_EQ(chain.status, LoadStatus::Ok) << chain.all();
  EXPECT_EQ(chain.report.assumed_direct, 1);  // a; b reaches p through a
  EXPECT_NE(relation(chain.loaded.scenario(), "sbom:a->p"), nullptr);
  EXPECT_EQ(relation(chain.loaded.scenario(), "sbom:b->p"), nullptr);
  // Listed the other way round, the same: a, which nothing uses, is the one made direct.
  const auto reversed =
      import_text(sbom(R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "b", "bom-ref": "b"}, {"type": "library", "name": "a", "bom-ref": "a"}],
      "dependencies": [{"ref": "a", "dependsOn": ["b"]}])"));
  EXPECT_EQ(reversed.report.assumed_direct, 1);
  EXPECT_NE(relation(reversed.loaded.scenario(), "sbom:a->p"), nullptr);
  // On a cycle with no top (a uses b, b uses a), the first listed is made direct.
  const auto cycle =
      import_text(sbom(R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}, {"type": "library", "name": "b", "bom-ref": "b"}],
      "dependencies": [{"ref": "a", "dependsOn": ["b"]}, {"ref": "b", "dependsOn": ["a"]}])"));
  EXPECT_EQ(cycle.report.assumed_direct, 1);
  EXPECT_NE(relation(cycle.loaded.scenario(), "sbom:a->p"), nullptr);
}

TEST(CycloneDx, NoProductWarns) {
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": "a", "supplier": {"name": "S"}}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  EXPECT_EQ(r.loaded.scenario().relations_size(), 0);
  EXPECT_NE(find(r, "the SBOM has no metadata.component"), nullptr);
}

TEST(CycloneDx, VulnerabilityProbabilityIsTheRule) {
  const auto r = import_text(data("plc-firmware-1.6.json"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto* rel = relation(r.loaded.scenario(), std::string("sbom:") + kMbedTls + "->" + kFirmware);
  ASSERT_NE(rel, nullptr);
  ASSERT_TRUE(rel->step().has_p());
  // CVE-2024-23170: the highest CVSS score 5.5 (CVSSv31 over CVSSv2's 5.0) -> 0.55; CVE-2024-23775: severity high 0.8.
  EXPECT_DOUBLE_EQ(rel->step().p(), 1 - (1 - 0.55) * (1 - 0.8));
  EXPECT_NE(rel->description().find("CVE-2024-23170 (p_v 0.55) CVE-2024-23775 (p_v 0.8)"), std::string::npos)
      << rel->description();
  // The mitigations are the library step's for SOFTWARE_SUPPLY, L3, COMPONENT.
  const auto* step = StepMatcher(bundled_library()).match(v1::SOFTWARE_SUPPLY, v1::L3, v1::COMPONENT);
  ASSERT_NE(step, nullptr);
  ASSERT_EQ(rel->step().mitigated_by_size(), step->mitigated_by_size());
  for (int i = 0; i < step->mitigated_by_size(); ++i)
    EXPECT_EQ(rel->step().mitigated_by(i), step->mitigated_by(i).requirement());
  EXPECT_FALSE(rel->step().has_ttc());  // the library's
  EXPECT_EQ(r.report.vulnerabilities_applied, 2);
  EXPECT_EQ(r.report.vulnerabilities_skipped, 1);  // not_affected
  EXPECT_EQ(r.report.vulnerabilities_unrated, 1);  // severity unknown
  EXPECT_NE(find(r, "1 vulnerability has no CVSS score"), nullptr);
  EXPECT_EQ(cyclonedx_counts_text(r.report), "5 components, 2 vulnerabilities applied, 1 skipped");
}

TEST(CycloneDx, RatingsHighestCvssElseSeverityAndOtherMethodsIgnored) {
  const std::string head = R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}], "vulnerabilities": [)";
  const auto p_of = [&](const std::string& vulnerabilities) {
    const auto r = import_text(sbom(head + vulnerabilities + "]"));
    EXPECT_EQ(r.status, LoadStatus::Ok) << r.all();
    const auto* rel = relation(r.loaded.scenario(), "sbom:a->p");
    return rel != nullptr && rel->step().has_p() ? rel->step().p() : -1.0;
  };
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v", "ratings": [{"score": 4, "method": "CVSSv2"}, {"score": 8.8, "method": "CVSSv4"},
      {"score": 7, "method": "CVSSv3"}], "affects": [{"ref": "a"}]})"),
                   0.88);
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v", "ratings": [{"score": 10, "method": "OWASP", "severity": "low"}],
      "affects": [{"ref": "a"}]})"),
                   0.2);  // OWASP's score is not CVSS: the severity
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v", "ratings": [{"severity": "critical"}, {"severity": "medium"}],
      "affects": [{"ref": "a"}]})"),
                   0.95);
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v", "ratings": [{"score": 2, "method": "CVSSv31", "severity": "critical"}],
      "affects": [{"ref": "a"}]})"),
                   0.2);  // a CVSS score wins over a severity
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v1", "ratings": [{"score": 5, "method": "CVSSv31"}], "affects": [{"ref": "a"}]},
      {"id": "v2", "ratings": [{"score": 5, "method": "CVSSv31"}], "affects": [{"ref": "a"}],
       "analysis": {"state": "in_triage"}})"),
                   0.75);
  EXPECT_DOUBLE_EQ(p_of(R"({"id": "v", "ratings": [{"severity": "info"}], "affects": [{"ref": "a"}]})"), -1.0);
}

TEST(CycloneDx, ManyVulnerabilitiesCombineAndTheDescriptionStaysShort) {
  std::string list;
  for (int i = 0; i < 12; ++i) {
    list += (i == 0 ? "" : ", ") + std::string(R"({"id": "CVE-)") + std::to_string(i) +
            R"(", "ratings": [{"score": 1, "method": "CVSSv31"}], "affects": [{"ref": "a"}]})";
  }
  list += R"(, {"id": "CVE-0", "ratings": [{"score": 1, "method": "CVSSv31"}], "affects": [{"ref": "a"}]})";  // again
  const auto r = import_text(sbom(R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}], "vulnerabilities": [)" +
                                  list + "]"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto* rel = relation(r.loaded.scenario(), "sbom:a->p");
  ASSERT_NE(rel, nullptr);
  double miss = 1;
  for (int i = 0; i < 12; ++i) miss *= 0.9;  // twelve distinct ids; CVE-0 listed twice counts once
  EXPECT_DOUBLE_EQ(rel->step().p(), 1 - miss);
  EXPECT_NE(rel->description().find("CVE-9 (p_v 0.1) and 2 more; p = 1 - prod(1 - p_v)"), std::string::npos)
      << rel->description();
  EXPECT_EQ(rel->description().find("CVE-10 "), std::string::npos);
}

TEST(CycloneDx, AnalysedStatesAreSkipped) {
  for (const char* state : {"not_affected", "false_positive", "resolved", "resolved_with_pedigree"}) {
    const auto r = import_text(sbom(std::string(R"("metadata": {"component": {"type": "application", "name": "p"}},
        "components": [{"type": "library", "name": "a", "bom-ref": "a"}], "vulnerabilities": [{"id": "v",
        "ratings": [{"score": 9, "method": "CVSSv31"}], "affects": [{"ref": "a"}], "analysis": {"state": ")") +
                                    state + "\"}}]"));
    ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
    EXPECT_EQ(r.report.vulnerabilities_skipped, 1) << state;
    EXPECT_EQ(r.report.vulnerabilities_applied, 0) << state;
    EXPECT_FALSE(relation(r.loaded.scenario(), "sbom:a->p")->has_step()) << state;
  }
}

TEST(CycloneDx, VulnerabilityOfTheProductChangesNothingAndIsCounted) {
  const auto r = import_text(sbom(R"("metadata": {"component": {"type": "application", "name": "p", "bom-ref": "p"}},
      "components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "vulnerabilities": [{"id": "v", "ratings": [{"severity": "high"}], "affects": [{"ref": "p"}]}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  EXPECT_EQ(r.report.vulnerabilities_unused, 1);
  EXPECT_EQ(r.report.vulnerabilities_applied, 0);
  EXPECT_NE(find(r, "1 vulnerability affects only components no relation leaves"), nullptr);
}

TEST(CycloneDx, ProductAttachesToAnExistingAsset) {
  auto r = import_text(data("plc-firmware-1.6.json"), default_loaded(), "oem-plc");
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(asset(s, kFirmware), nullptr);  // the product is oem-plc, not an asset of its own
  EXPECT_EQ(enterprise(s, "aoba-electronics"), nullptr);
  const auto* rel = relation(s, std::string("sbom:") + kMbedTls + "->oem-plc");
  ASSERT_NE(rel, nullptr);
  EXPECT_DOUBLE_EQ(rel->step().p(), 0.91);
  EXPECT_NE(relation(s, "sbom:pkg:github/stephane/libmodbus@v3.1.10->oem-plc"), nullptr);
  EXPECT_EQ(rel->description(),
            "SBOM bom.json: mbed TLS 3.5.1 is supplied into OEM line PLCs and robot controllers (/dependencies/0); "
            "vulnerabilities CVE-2024-23170 (p_v 0.55) CVE-2024-23775 (p_v 0.8); p = 1 - prod(1 - p_v)");
  EXPECT_EQ(r.report.assets_made, 5);
  validate(r.loaded, r.diagnostics);
  r.places.place(r.diagnostics);
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.all();
}

TEST(CycloneDx, ProductThatIsNoAssetIsAnError) {
  const auto r = import_text(data("plc-firmware-1.6.json"), default_loaded(), "nope");
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  const auto* d = find(r, "--product names no asset of the scenario");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->entity, "product 'nope'");
}

TEST(CycloneDx, SharedDependencyAcrossTwoSboms) {
  auto first = import_text(data("plc-firmware-1.6.json"));
  ASSERT_EQ(first.status, LoadStatus::Ok) << first.all();
  auto second = import_text(data("hmi-app-1.4.json"), std::move(first.loaded), std::nullopt, "hmi.json");
  ASSERT_EQ(second.status, LoadStatus::Ok) << second.all();
  const auto& s = second.loaded.scenario();
  EXPECT_EQ(std::count_if(s.assets().begin(), s.assets().end(), [](const auto& a) { return a.id() == kZlib; }), 1);
  EXPECT_EQ(second.report.assets_reused, 1);
  EXPECT_NE(relation(s, std::string("sbom:") + kZlib + "->" + kMbedTls), nullptr);
  EXPECT_NE(relation(s, std::string("sbom:") + kZlib + "->pkg:nuget/log4net@2.0.15"), nullptr);
  EXPECT_EQ(std::count_if(s.enterprises().begin(), s.enterprises().end(),
                          [](const auto& e) { return e.id() == "jean-loup-gailly"; }),
            1);
  Diagnostics v;
  validate(second.loaded, v);
  EXPECT_FALSE(v.has_errors()) << (v.items().empty() ? "" : v.items()[0].format());
}

TEST(CycloneDx, ReimportReplacesRelationsOfTheSameId) {
  auto first = import_text(data("gateway-1.5.json"));
  ASSERT_EQ(first.status, LoadStatus::Ok);
  const int relations = first.loaded.scenario().relations_size();
  auto again = import_text(data("gateway-1.5.json"), std::move(first.loaded));
  ASSERT_EQ(again.status, LoadStatus::Ok) << again.all();
  EXPECT_EQ(again.loaded.scenario().relations_size(), relations);
  EXPECT_EQ(again.report.relations_replaced, relations);
  EXPECT_EQ(again.report.assets_reused, 3);
  Diagnostics v;
  validate(again.loaded, v);
  EXPECT_FALSE(v.has_errors()) << (v.items().empty() ? "" : v.items()[0].format());
}

TEST(CycloneDx, ExistingAssetOfAnotherElementIsAnError) {
  const auto r =
      import_text(sbom(R"("components": [{"type": "library", "name": "x", "bom-ref": "oem-erp"}])"), default_loaded());
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  const auto* d = find(r, "is an asset of the scenario of element SYSTEM, not COMPONENT");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, "/components/0");
}

TEST(CycloneDx, DuplicatesMergeOrConflict) {
  const auto same = import_text(sbom(R"("components": [
      {"type": "library", "name": "z", "version": "1", "purl": "pkg:z@1", "bom-ref": "z1",
       "components": [{"type": "library", "name": "z", "version": "1", "purl": "pkg:z@1"}]}])"));
  ASSERT_EQ(same.status, LoadStatus::Ok) << same.all();
  EXPECT_EQ(same.loaded.scenario().assets_size(), 1);
  EXPECT_EQ(same.loaded.scenario().relations_size(), 0);  // a component in itself adds nothing
  const auto differ = import_text(sbom(R"("components": [{"type": "library", "name": "z", "version": "1", "purl": "p"},
      {"type": "library", "name": "z", "version": "2", "purl": "p"}])"));
  EXPECT_EQ(differ.status, LoadStatus::Invalid);
  const auto* d = find(differ, "is that of the component at /components/0, which differs in its version ('1' and '2')");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, "/components/1");
  const auto refs = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "r", "purl": "p1"},
      {"type": "library", "name": "b", "bom-ref": "r", "purl": "p2"}])"));
  EXPECT_EQ(refs.status, LoadStatus::Invalid);
  EXPECT_NE(find(refs, "bom-ref 'r' is used by two different components"), nullptr);
}

TEST(CycloneDx, ServicesAreLeftOutWithOneWarning) {
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "services": [{"bom-ref": "svc", "name": "api"}], "dependencies": [{"ref": "a", "dependsOn": ["svc"]}])"));
  ASSERT_EQ(r.status, LoadStatus::Ok) << r.all();
  EXPECT_NE(find(r, "1 reference to a service was left out"), nullptr);
}

// ---- refusals -------------------------------------------------------------------------------

TEST(CycloneDx, SyntaxErrorHasLineAndColumn) {
  const auto r = import_text("{\n  \"bomFormat\": \"CycloneDX\",\n  }\n");
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  ASSERT_EQ(r.diagnostics.items().size(), 1U);
  const auto& d = r.diagnostics.items()[0];
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 3);
  EXPECT_EQ(d.format(),
            "bom.json:3:3: error: not valid JSON: syntax error while parsing object key - unexpected '}'; expected "
            "string literal (fix: correct the JSON (the position is where the parser stopped))");
  const auto empty = import_text("");
  EXPECT_EQ(empty.status, LoadStatus::Invalid);
  EXPECT_NE(find(empty, "not valid JSON"), nullptr);
  const auto huge = import_text(sbom(R"("x": 1e999)"));
  EXPECT_EQ(huge.status, LoadStatus::Invalid);
  EXPECT_NE(find(huge, "not valid JSON"), nullptr);
}

TEST(CycloneDx, WrongDocumentsAreRefusedSayingHowToFix) {
  const auto xml =
      import_text("\xEF\xBB\xBF  <?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>");
  ASSERT_EQ(xml.status, LoadStatus::Invalid);
  const auto* d = find(xml, "this is an XML document");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->hint.find("cyclonedx-cli convert"), std::string::npos);
  EXPECT_EQ(d->line, 1);
  EXPECT_EQ(d->column, 6);
  EXPECT_NE(find(import_text(R"({"spdxVersion": "SPDX-2.3"})"), "this is an SPDX document"), nullptr);
  EXPECT_NE(find(import_text(R"({"bomFormat": "SPDX", "specVersion": "1.5"})"), "bomFormat is 'SPDX', not 'CycloneDX'"),
            nullptr);
  EXPECT_NE(find(import_text(R"({"specVersion": "1.5"})"), "no bomFormat"), nullptr);
  EXPECT_NE(find(import_text("[1, 2]"), "the file holds no JSON object"), nullptr);
  const auto old = import_text(R"({"bomFormat": "CycloneDX", "specVersion": "1.3"})");
  const auto* v = find(old, "specVersion '1.3' is not one cpsf reads (1.4, 1.5, 1.6)");
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->hint.find("--output-version v1_6"), std::string::npos);
  EXPECT_EQ(v->path, "/specVersion");
  EXPECT_NE(find(import_text(R"({"bomFormat": "CycloneDX", "specVersion": 1.5})"), "specVersion is not a string"),
            nullptr);
}

TEST(CycloneDx, UnknownRefsAreErrors) {
  const auto dep = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "dependencies": [{"ref": "a", "dependsOn": ["ghost"]}, {"ref": "nobody"}])"));
  EXPECT_EQ(dep.status, LoadStatus::Invalid);
  const auto* d = find(dep, "dependsOn 'ghost' names no component of the SBOM");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, "/dependencies/0/dependsOn/0");
  EXPECT_EQ(find(dep, "ref 'nobody' names no component")->path, "/dependencies/1/ref");
  const auto affects = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "vulnerabilities": [{"id": "CVE-1", "ratings": [{"severity": "high"}], "affects": [{"ref": "b"}]}])"));
  EXPECT_EQ(affects.status, LoadStatus::Invalid);
  EXPECT_EQ(find(affects, "affects ref 'b' names no component")->path, "/vulnerabilities/0/affects/0/ref");
}

TEST(CycloneDx, ComponentErrorsNamePointerAndComponent) {
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": 7},
      {"type": "library", "bom-ref": "z", "name": "zlib", "supplier": "Mark Adler"},
      {"name": "nameless-type"}, {"type": "library"}, "text", {"type": "library", "name": ""}])"));
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  EXPECT_EQ(find(r, "name is not a string")->path, "/components/0/name");
  const auto* supplier = find(r, "supplier is not an object");
  ASSERT_NE(supplier, nullptr);
  EXPECT_EQ(supplier->format(),
            "bom.json:2:71: error: component 'z': supplier is not an object (fix: write supplier as an object) "
            "[/components/1/supplier]");
  EXPECT_EQ(find(r, "the component has no type")->entity, "component 'nameless-type'");
  EXPECT_EQ(find(r, "the component has no name")->path, "/components/3");
  EXPECT_EQ(find(r, "a component is not a JSON object")->path, "/components/4");
  EXPECT_EQ(find(r, "the name is empty")->path, "/components/5/name");
}

TEST(CycloneDx, ErrorsGiveThePointersLineAndColumn) {
  // A realistic file with one mistake deep inside: the line and column are those of the value.
  std::string text = data("plc-firmware-1.6.json");
  const std::string good = R"("supplier": { "name": "Trusted Firmware" })";
  const auto at = text.find(good, text.find("mbedtls-crypto"));
  ASSERT_NE(at, std::string::npos);
  text.replace(at, good.size(), R"("supplier": ["Trusted Firmware"])");
  const auto value = at + std::string(R"("supplier": )").size();
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(value), '\n'));
  const int column = static_cast<int>(value - text.rfind('\n', value));
  const auto r = import_text(text);
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  const auto* d = find(r, "supplier is not an object");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, "/components/1/components/0/supplier");
  EXPECT_EQ(d->line, line);
  EXPECT_EQ(d->column, column);
  EXPECT_EQ(d->entity, "component 'mbedtls-crypto'");
  // Keys with escapes and strings with brackets do not confuse the count; a member that is not
  // there (no name) is placed at its component.
  const auto tricky = import_text(
      "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"x\\\"]\": \"[{\\\"\",\n"
      "  \"components\": [\n    {\"type\": \"library\", \"name\": \"a]}\"},\n    {\"type\": \"library\"}\n  ]\n}");
  EXPECT_EQ(tricky.status, LoadStatus::Invalid) << tricky.all();
  const auto* nameless = find(tricky, "the component has no name");
  ASSERT_NE(nameless, nullptr);
  EXPECT_EQ(nameless->path, "/components/1");
  EXPECT_EQ(nameless->line, 4);
  EXPECT_EQ(nameless->column, 5);
}

TEST(CycloneDx, VulnerabilityErrors) {
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "a"}],
      "vulnerabilities": [{"id": "v1", "ratings": [{"score": 11, "method": "CVSSv31"}], "affects": [{"ref": "a"}]},
       {"id": "v2", "ratings": [{"severity": "severe"}], "affects": [{"ref": "a"}]},
       {"id": "v3", "ratings": [{"score": "9"}], "affects": [{"ref": "a"}], "analysis": {"state": "not-affected"}}])"));
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  EXPECT_EQ(find(r, "score 11 is not in [0, 10]")->path, "/vulnerabilities/0/ratings/0/score");
  EXPECT_EQ(find(r, "severity 'severe' is not one of CycloneDX's")->entity, "vulnerability 'v2'");
  EXPECT_NE(find(r, "state 'not-affected' is not one of CycloneDX's"), nullptr);
  EXPECT_EQ(find(r, "score is not a number")->path, "/vulnerabilities/2/ratings/0/score");
}

// Components nested `levels` deep: n0 holds n1, which holds n2, ...
std::string nested(int levels) {
  const auto component = [](int i) {
    return R"({"type": "library", "name": "n)" + std::to_string(i) + R"(", "supplier": {"name": "s"})";
  };
  std::string c = component(levels - 1) + "}";
  for (int i = levels - 2; i >= 0; --i) c = component(i) + R"(, "components": [)" + c + "]}";
  return sbom(R"("components": [)" + c + "]");
}

TEST(CycloneDx, NestingIsBounded) {
  const auto ok = import_text(nested(kCycloneDxMaxNesting));
  ASSERT_EQ(ok.status, LoadStatus::Ok) << ok.all();
  EXPECT_EQ(ok.report.components, kCycloneDxMaxNesting);
  EXPECT_EQ(ok.loaded.scenario().relations_size(), kCycloneDxMaxNesting - 1);  // each into its parent
  const auto deep = import_text(nested(kCycloneDxMaxNesting + 1));
  EXPECT_EQ(deep.status, LoadStatus::Invalid);
  const auto* d = find(deep, "components nested deeper than 64 levels");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->entity, "component 'n63'");
  // Deeper JSON than any SBOM: refused before it is parsed, at the bracket, with its column.
  const auto brackets = import_text(std::string(100000, '['));
  EXPECT_EQ(brackets.status, LoadStatus::Invalid);
  const auto* b = find(brackets, "nested deeper than 200 levels");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->column, 201);
}

TEST(CycloneDx, AnErrorLeavesTheScenarioAsItWas) {
  auto into = default_loaded();
  const std::string before = into.scenario().SerializeAsString();
  const auto r = import_text(sbom(R"("components": [{"type": "library", "name": "a", "bom-ref": "a"},
      {"type": "library", "name": "b", "bom-ref": "b"}], "dependencies": [{"ref": "a", "dependsOn": ["c"]}])"),
                             std::move(into));
  EXPECT_EQ(r.status, LoadStatus::Invalid);
  EXPECT_EQ(r.loaded.scenario().SerializeAsString(), before);
}

TEST(CycloneDx, ValidationDiagnosticsNameThePointer) {
  CycloneDxPlaces places;
  places.file = "bom.json";
  places.pointers = {"/metadata", "/components/2"};
  Diagnostics d;
  d.add(Diagnostic{Severity::Error, "bom.json", 0, 0, "assets[1].owner", "asset 'x'", "m", "h"});
  d.add(Diagnostic{Severity::Error, "other.textproto", 0, 0, "assets[1].owner", "asset 'x'", "m", "h"});
  places.place(d);
  EXPECT_EQ(d.items()[0].path, "/components/2");
  EXPECT_EQ(d.items()[1].path, "assets[1].owner");
}

TEST(CycloneDx, Files) {
  testing::ScratchDir dir;
  LoadedScenario into;
  CycloneDxPlaces places;
  CycloneDxReport report;
  Diagnostics out;
  EXPECT_EQ(import_cyclonedx_file((dir.path() / "none.json").string(), {}, {}, into, places, report, out),
            LoadStatus::IoError);
  EXPECT_NE(out.items().back().message.find("no such file"), std::string::npos);
  const std::string path = std::string(testing::kSourceDir) + "/tests/data/cyclonedx/gateway-1.5.json";
  ReadLimits small;
  small.max_file_bytes = 100;
  EXPECT_EQ(import_cyclonedx_file(path, {}, small, into, places, report, out), LoadStatus::IoError);
  EXPECT_NE(out.items().back().message.find("over the limit of 100 bytes"), std::string::npos);
  EXPECT_EQ(import_cyclonedx_file(path, {}, {}, into, places, report, out), LoadStatus::Ok);
  EXPECT_EQ(into.scenario().assets_size(), 3);
}

}  // namespace
}  // namespace cpsf
