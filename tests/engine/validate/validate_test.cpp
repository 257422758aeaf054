// Semantic validation: one test per class of bad input (docs/design.md §8.4). Each asserts that
// the message names the file, the line, the entity and the problem, and gives a fix.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "cpsf/base/utf8.hpp"
#include "cpsf/output/summary.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::Checked;
using testing::HasError;
using testing::HasWarning;
using testing::kMinimalScenario;
using testing::ScratchDir;

Checked check_text(const ScratchDir& dir, std::string_view text, const std::string& name = "s.textproto") {
  return testing::check(dir.write(name, text));
}

TEST(Validate, MinimalScenarioIsClean) {
  ScratchDir dir;
  const auto c = check_text(dir, kMinimalScenario);
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

TEST(Validate, DefaultScenarioIsClean) {
  const auto c = testing::check(std::string(testing::kSourceDir) + "/scenarios/default/scenario.textproto");
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

TEST(Validate, EmptyScenario) {
  ScratchDir dir;
  const auto c = check_text(dir, "name: \"nothing\"\n");
  EXPECT_TRUE(HasError(c, "s.textproto", "", "the scenario is empty"));
}

TEST(Validate, DuplicateIds) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     "assets { id: \"plm\" owner: \"oem\" layer: L3 element: DATA }\n"
                                     "enterprises { id: \"oem\" }\n"
                                     "relations { id: \"r1\" from: \"vpn\" to: \"plm\" layer: L3 step { p: 0.1 } }\n");
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'plm'", "duplicate id", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "enterprise 'oem'", "duplicate id", 7));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r1'", "duplicate id", 8));
}

TEST(Validate, DanglingReferences) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" baseline: "SCS-9" }
assets { id: "vpn" owner: "oemm" layer: L3 element: SYSTEM exposure: 0.5 }
relations { id: "r1" from: "vpm" to: "ghost" layer: L3 step { p: 0.5 } }
controls { id: "mfa" requirement: "CPS.AC-1" efficacy: 0.5 implemented: true enterprises: "nobody" assets: "nothing" relations: "r9" }
threats { id: "t" entry_points { asset: "phantom" probability: 0.2 } objectives: "grail" }
dependencies { customer: "oem" supplier: "acme" share: 0.2 }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "enterprise 'oem'", "baseline 'SCS-9' is not defined", 1));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'vpn'", "owner 'oemm' is not defined", 2));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r1'", "from 'vpm' is not defined", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r1'", "to 'ghost' is not defined", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'mfa'", "enterprise 'nobody' is not defined", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'mfa'", "asset 'nothing' is not defined", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'mfa'", "relation 'r9' is not defined", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "entry point 'phantom' is not defined", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "objective 'grail' is not defined", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "dependency 'oem' on 'acme'", "supplier 'acme' is not defined", 6));
}

TEST(Validate, DanglingReferenceSuggestsCloseId) {
  ScratchDir dir;
  const auto c = check_text(
      dir, std::string(kMinimalScenario) + "relations { from: \"vpn\" to: \"plmm\" layer: L3 step { p: 0.1 } }\n");
  ASSERT_TRUE(HasError(c, "s.textproto", "relation #1", "to 'plmm' is not defined", 6));
  bool suggested = false;
  for (const auto& d : c.diagnostics.items()) suggested |= d.hint.find("did you mean 'plm'") != std::string::npos;
  EXPECT_TRUE(suggested) << c.dump();
}

TEST(Validate, ProbabilitiesOutsideUnitInterval) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" }
assets { id: "a" owner: "oem" layer: L3 element: SYSTEM exposure: 1.5 containment: -0.1 }
assets { id: "b" owner: "oem" layer: L3 element: DATA loss { operations_share: 2 outage_days { fixed { value: 1 } } } }
relations { id: "r" from: "a" to: "b" layer: L3 step { p: 1.01 } }
controls { id: "c" requirement: "CPS.AC-1" efficacy: 7 }
threats { id: "t" entry_points { asset: "a" probability: -1 } }
dependencies { customer: "oem" supplier: "oem2" share: 1.2 }
enterprises { id: "oem2" }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "exposure is 1.5, outside [0, 1]", 2));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "containment is -0.1, outside [0, 1]", 2));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'b'", "operations_share is 2, outside [0, 1]", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r'", "step.p is 1.01, outside [0, 1]", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'c'", "efficacy is 7, outside [0, 1]", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "entry point probability is -1, outside [0, 1]", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "dependency 'oem' on 'oem2'", "share is 1.2, outside [0, 1]", 7));
}

TEST(Validate, NonFiniteNumbers) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" daily_output: inf }
assets { id: "a" owner: "oem" layer: L3 element: SYSTEM exposure: nan }
assets { id: "b" owner: "oem" layer: L3 element: DATA }
relations { id: "r" from: "a" to: "b" layer: L3 step { p: 0.5 ttc { exponential { mean: -inf } } } }
settings { horizon: nan }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "enterprise 'oem'", "daily_output is inf, not a finite number", 1));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "exposure is nan, not a finite number", 2));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r'", "mean is -inf, not a finite number", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "", "horizon is nan", 5));
  // Reported once as non-finite, not again as out of range.
  EXPECT_EQ(c.diagnostics.error_count(), 4u) << c.dump();
}

using FD = google::protobuf::FieldDescriptor;
using FieldChain = std::vector<const FD*>;

// Every field of the schema of C++ type `type` (singular or repeated), as a chain of
// fields from Scenario: walking the schema rather than listing fields, so that a field
// added later is covered too.
void schema_fields(const google::protobuf::Descriptor* message, FD::CppType type, FieldChain& path,
                   std::vector<FieldChain>& out) {
  for (int k = 0; k < message->field_count(); ++k) {
    const FD* f = message->field(k);
    path.push_back(f);
    if (f->cpp_type() == type) {
      out.push_back(path);
    } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE && path.size() < 10) {
      schema_fields(f->message_type(), type, path, out);
    }
    path.pop_back();
  }
}
std::vector<FieldChain> schema_fields(FD::CppType type) {
  FieldChain path;
  std::vector<FieldChain> out;
  schema_fields(v1::Scenario::descriptor(), type, path, out);
  return out;
}

// The minimal scenario with the message holding `field`'s last link made (element 0 of
// each list on the way, added if absent); returns that message and fills `expected` with
// the path a diagnostic gives for the field (a repeated last link gets the index the
// caller's value will take).
google::protobuf::Message* reach(v1::Scenario& s, const FieldChain& field, std::string& expected) {
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(kMinimalScenario), &s));
  google::protobuf::Message* m = &s;
  expected.clear();
  for (std::size_t k = 0; k + 1 < field.size(); ++k) {
    const auto* r = m->GetReflection();
    expected += (expected.empty() ? "" : ".") + field[k]->name();
    if (field[k]->is_repeated()) {
      m = r->FieldSize(*m, field[k]) > 0 ? r->MutableRepeatedMessage(m, field[k], 0) : r->AddMessage(m, field[k]);
      expected += "[0]";
    } else {
      m = r->MutableMessage(m, field[k]);
    }
  }
  const FD* last = field.back();
  expected += (expected.empty() ? "" : ".") + last->name();
  if (last->is_repeated()) expected += "[" + std::to_string(m->GetReflection()->FieldSize(*m, last)) + "]";
  return m;
}

std::string text_of(const v1::Scenario& s) {
  std::string text;
  EXPECT_TRUE(google::protobuf::TextFormat::PrintToString(s, &text));
  return text;
}

TEST(Validate, EveryNonFiniteDoubleInTheSchemaIsReported) {
  const auto fields = schema_fields(FD::CPPTYPE_DOUBLE);
  ASSERT_GT(fields.size(), 25u);
  ScratchDir dir;
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& field : fields) {
    if (field.back()->is_repeated()) ADD_FAILURE() << field.back()->full_name() << ": repeated doubles are not checked";
    for (const double bad : {std::nan(""), inf, -inf}) {
      v1::Scenario s;
      std::string expected;
      google::protobuf::Message* m = reach(s, field, expected);
      m->GetReflection()->SetDouble(m, field.back(), bad);
      const auto c = check_text(dir, text_of(s));
      bool reported = false;
      for (const auto& d : c.diagnostics.items()) {
        reported |= d.severity == Severity::Error && d.path == expected &&
                    d.message.find("not a finite number") != std::string::npos && d.line > 0;
      }
      EXPECT_TRUE(reported) << expected << " = " << bad << " is not reported; got:\n" << c.dump();
    }
  }
}

// proto3 enums are open: text format and binary keep a number no value has, and the
// engine indexes tables by enum values. Every enum field, in every format, must refuse one.
TEST(Validate, EveryUnknownEnumNumberInTheSchemaIsReported) {
  const auto fields = schema_fields(FD::CPPTYPE_ENUM);
  ASSERT_GE(fields.size(), 8u);  // layer ×2, element, gate, kind, level ×2, capability, confidence
  ScratchDir dir;
  for (const auto& field : fields) {
    const google::protobuf::EnumDescriptor* type = field.back()->enum_type();
    int highest = 0;
    for (int k = 0; k < type->value_count(); ++k) highest = std::max(highest, type->value(k)->number());
    std::string allowed;  // a name the hint must offer
    for (int k = 0; k < type->value_count() && allowed.empty(); ++k) {
      if (type->value(k)->name().find("UNSPECIFIED") == std::string::npos) allowed = type->value(k)->name();
    }
    for (const int bad : {highest + 1, -1, 99}) {
      v1::Scenario s;
      std::string expected;
      google::protobuf::Message* m = reach(s, field, expected);
      const auto* r = m->GetReflection();
      if (field.back()->is_repeated())
        r->AddEnumValue(m, field.back(), bad);
      else
        r->SetEnumValue(m, field.back(), bad);
      const auto reported = [&](const Checked& c, bool lines) {
        for (const auto& d : c.diagnostics.items()) {
          if (d.severity == Severity::Error && d.path == expected &&
              d.message.find(std::to_string(bad)) != std::string::npos &&
              (d.message + d.hint).find(allowed) != std::string::npos && (!lines || d.line > 0)) {
            return true;
          }
        }
        return false;
      };
      const auto text = check_text(dir, text_of(s));
      EXPECT_TRUE(reported(text, true)) << expected << " = " << bad << " in text is not reported; got:\n"
                                        << text.dump();
      const auto binary = testing::check(dir.write("s.pb", serialise(s, Format::Binary)));
      EXPECT_TRUE(reported(binary, false)) << expected << " = " << bad << " in binary is not reported; got:\n"
                                           << binary.dump();
      const auto json = testing::check(dir.write("s.json", serialise(s, Format::Json)));
      EXPECT_TRUE(reported(json, true)) << expected << " = " << bad << " in JSON is not reported; got:\n"
                                        << json.dump();
      // An in-memory scenario (the Python package's path) meets the same check.
      Diagnostics memory;
      validate(in_memory_scenario(s), memory);
      Checked in_memory{LoadStatus::Ok, memory};
      EXPECT_TRUE(reported(in_memory, false)) << expected << " = " << bad << " in memory is not reported; got:\n"
                                              << in_memory.dump();
    }
  }
}

TEST(Validate, UnknownEnumNumbersNameTheEntityAndTheAllowedValues) {
  ScratchDir dir;
  const auto c =
      check_text(dir, std::string(kMinimalScenario) +
                          "assets { id: \"x\" owner: \"oem\" layer: 4 element: 7 gate: 5 }\n"
                          "relations { id: \"r5\" from: \"vpn\" to: \"x\" layer: -1 kind: 8 step { p: 1 } }\n");
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'x'", "layer is 4, which is not a Layer value", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'x'", "element is 7, which is not an Element value", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'x'", "gate is 5, which is not a Gate value", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r5'", "layer is -1", 7));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r5'", "kind is 8", 7));
  for (const auto& d : c.diagnostics.items()) {
    if (d.path == "assets[2].layer") {
      EXPECT_EQ(d.hint, "use one of L1, L2, L3");
    }
    if (d.path == "assets[2].gate") {
      EXPECT_EQ(d.hint, "use one of ANY, ALL");
    }
  }
}

// A text-format escape (\xff, \377) puts any byte into a string; protobuf's `string` must
// be UTF-8, and the JSON and CSV writers depend on it. Every string field, text and binary.
TEST(Validate, EveryInvalidUtf8StringInTheSchemaIsReported) {
  const auto fields = schema_fields(FD::CPPTYPE_STRING);
  ASSERT_GT(fields.size(), 30u);
  ScratchDir dir;
  for (const auto& field : fields) {
    v1::Scenario s;
    std::string expected;
    google::protobuf::Message* m = reach(s, field, expected);
    const auto* r = m->GetReflection();
    const std::string bad = "ok\xff";  // invalid at byte offset 2
    if (field.back()->is_repeated())
      r->AddString(m, field.back(), bad);
    else
      r->SetString(m, field.back(), bad);
    const auto reported = [&](const Checked& c, bool lines) {
      for (const auto& d : c.diagnostics.items()) {
        if (d.severity == Severity::Error && d.path == expected &&
            d.message.find("not valid UTF-8: byte 0xFF at offset 2") != std::string::npos &&
            d.message.find(field.back()->name()) != std::string::npos && !d.hint.empty() && (!lines || d.line > 0) &&
            is_utf8(d.format())) {
          return true;
        }
      }
      return false;
    };
    const auto text = check_text(dir, text_of(s));
    EXPECT_NE(text.status, LoadStatus::Ok) << expected;  // refused on reading: convert would carry it on
    EXPECT_TRUE(reported(text, true)) << expected << " in text is not reported; got:\n" << text.dump();
    std::string bytes;
    {
      google::protobuf::LogSilencer quiet;  // protobuf logs the bad string as it writes it
      ASSERT_TRUE(s.SerializeToString(&bytes));
    }
    const auto binary = testing::check(dir.write("s.pb", bytes));
    EXPECT_TRUE(reported(binary, false)) << expected << " in binary is not reported; got:\n" << binary.dump();
    Diagnostics memory;
    validate(in_memory_scenario(s), memory);
    Checked in_memory{LoadStatus::Ok, memory};
    EXPECT_TRUE(reported(in_memory, false)) << expected << " in memory is not reported; got:\n" << in_memory.dump();
  }
}

TEST(Validate, InvalidUtf8NamesTheEntity) {
  ScratchDir dir;
  const auto c =
      check_text(dir, std::string(kMinimalScenario) +
                          "assets { id: \"x\" name: \"caf\\xe9\" owner: \"oem\" layer: L3 element: DATA }\n");
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'x'", "name is not valid UTF-8: byte 0xE9 at offset 3", 6));
  // An invalid id is quoted with the byte escaped, so the message itself is text.
  const auto d = check_text(
      dir, std::string(kMinimalScenario) + "assets { id: \"a\\xff\" owner: \"oem\" layer: L3 element: DATA }\n");
  EXPECT_TRUE(HasError(d, "s.textproto", "asset 'a\\xff'", "id is not valid UTF-8: byte 0xFF at offset 1", 6));
}

TEST(Validate, NegativeLossesCostsAndDurations) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" daily_output: -1 }
enterprises { id: "t1" }
assets { id: "a" owner: "oem" layer: L3 element: SYSTEM exposure: 0.1 loss { confidentiality: -5 integrity: -1 availability: -2 } }
controls { id: "c" requirement: "CPS.AC-1" efficacy: 0.5 cost: -100 }
dependencies { customer: "oem" supplier: "t1" share: 0.1 buffer_days: -3 }
threats { id: "t" annual_frequency: -2 step_scale: -1 }
settings { horizon: -10 }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "enterprise 'oem'", "daily_output is negative", 1));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "loss.confidentiality is negative", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "loss.integrity is negative", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "loss.availability is negative", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'c'", "cost is negative", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "dependency 'oem' on 't1'", "buffer_days is negative", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "annual_frequency is negative", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "step_scale is negative", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "", "horizon must be a number in [0, 1e8] (days), not -10", 7));
}

TEST(Validate, DistributionParametersPerFamily) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" }
assets { id: "a" owner: "oem" layer: L3 element: SYSTEM exposure: 0.1 }
relations { id: "fixed" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { fixed { value: -1 } } } }
relations { id: "expo" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { exponential { mean: 0 } } } }
relations { id: "logn" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { lognormal { mu: 1 sigma: 0 } } } }
relations { id: "gam" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { gamma { shape: -1 scale: 0 } } } }
relations { id: "uni" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { uniform { min: 3 max: 3 } } } }
relations { id: "pert" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { pert { min: 1 mode: 9 max: 5 lambda: 0 } } } }
relations { id: "none" from: "a" to: "a2" layer: L3 step { p: 0.5 ttc { } } }
assets { id: "a2" owner: "oem" layer: L3 element: DATA loss { operations_share: 0.5 } }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'fixed'", "fixed value is negative", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'expo'", "exponential mean must be > 0", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'logn'", "lognormal sigma must be > 0", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'gam'", "gamma shape must be > 0", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'gam'", "gamma scale must be > 0", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'uni'", "uniform needs min < max", 7));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'pert'", "pert needs min ≤ mode ≤ max", 8));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'pert'", "pert lambda must be > 0", 8));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'none'", "has no distribution family", 9));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a2'", "no outage_days are given", 10));
}

TEST(Validate, MissingRequiredValues) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" }
assets { id: "a" layer: L3 element: SYSTEM exposure: 0.1 }
assets { id: "b" owner: "oem" }
relations { id: "r" from: "a" to: "b" step { } }
relations { id: "s" from: "a" to: "b" layer: L3 }
controls { id: "c" requirement: "CPS.AC-1" }
assets { owner: "oem" layer: L3 element: DATA }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a'", "owner is missing", 2));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'b'", "has no CPSF layer", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset 'b'", "has no CPSF element", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r'", "has no CPSF layer", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r'", "no success probability", 4));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 's'", "has no attack step", 5));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'c'", "has no efficacy", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "asset #2", "has no id", 7));
}

TEST(Validate, AllGateWithoutIncomingRelationWarns) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     "assets { id: \"process\" owner: \"oem\" layer: L2 element: SYSTEM gate: ALL }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "asset 'process'", "gate ALL but no incoming relation", 6));
  EXPECT_EQ(c.diagnostics.error_count(), 0u) << c.dump();
}

TEST(Validate, UnknownRequirementIdWarns) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     "controls { id: \"x\" requirement: \"CPS.ZZ-4\" efficacy: 0.3 }\n"
                                     "controls { id: \"y\" requirement: \"ISO-27001\" efficacy: 0.3 }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "control 'x'", "unknown CPSF requirement id 'CPS.ZZ-4'", 6));
  EXPECT_TRUE(HasWarning(c, "s.textproto", "control 'y'", "is not of the form CPS.<XX>-<n>", 7));
  EXPECT_EQ(c.diagnostics.error_count(), 0u) << c.dump();
}

TEST(Validate, ScenarioRequirementsExtendTheCatalogue) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     "requirements { id: \"CPS.PT-1\" subject: \"protective technology\" }\n"
                                     "controls { id: \"x\" requirement: \"CPS.PT-1\" efficacy: 0.3 }\n"
                                     "relations { from: \"plm\" to: \"vpn\" layer: L3 step { p: 0.1 mitigated_by: "
                                     "\"CPS.PT-1\" } }\n");
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

TEST(Validate, BaselinesAndTheirControls) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     R"(baselines { id: "mine" extends: "nope" controls { requirement: "CPS.AC-1" } }
baselines { id: "loop-a" extends: "loop-b" }
baselines { id: "loop-b" extends: "loop-a" }
enterprises { id: "t5" baseline: "SCS-5" }
)");
  EXPECT_TRUE(HasError(c, "s.textproto", "baseline 'mine'", "extends 'nope', which is not defined", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "baseline 'mine'", "has no efficacy", 6));
  EXPECT_TRUE(HasError(c, "s.textproto", "baseline 'loop-a'", "leads back to itself", 7));
  EXPECT_TRUE(HasError(c, "s.textproto", "enterprise 't5'", "baseline 'SCS-5' is not defined", 9));
}

TEST(Validate, NothingCanBeEnteredWarns) {
  ScratchDir dir;
  const auto c = check_text(dir, R"(enterprises { id: "oem" }
assets { id: "a" owner: "oem" layer: L3 element: SYSTEM }
)");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "", "nothing can be compromised"));
}

TEST(Validate, UnreachableTargetWarns) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) +
                                     "assets { id: \"vault\" owner: \"oem\" layer: L3 element: DATA target: true }\n"
                                     "relations { from: \"vault\" to: \"plm\" layer: L3 step { p: 1 } }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "asset 'vault'", "no entry point reaches it", 6));
  EXPECT_EQ(c.diagnostics.warning_count(), 1u) << c.dump();  // plm is reachable: no warning
}

// Assets for the reachability tests: an exposed VPN leading to a target; a mail server
// for threats' own entry points, leading nowhere.
constexpr std::string_view kExposedVpnAndMail = R"(enterprises { id: "oem" }
assets { id: "vpn" owner: "oem" layer: L3 element: SYSTEM exposure: 0.5 }
assets { id: "plm" owner: "oem" layer: L3 element: DATA target: true }
assets { id: "mail" owner: "oem" layer: L3 element: SYSTEM }
relations { from: "vpn" to: "plm" layer: L3 step { p: 0.5 } }
)";

TEST(Validate, TargetReachedOnlyFromAnExposureNoThreatUsesWarns) {
  // The only threat names its own entry points, so the engine ignores every exposure
  // (model.cpp): plm is never compromised, and vpn's exposure is unused.
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kExposedVpnAndMail) +
                                     "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0.3 } }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "asset 'plm'", "no entry point reaches it", 3)) << c.dump();
  EXPECT_TRUE(HasWarning(c, "s.textproto", "asset 'vpn'", "exposure 0.5 is used by no threat", 2)) << c.dump();
  ASSERT_EQ(c.diagnostics.warning_count(), 2u) << c.dump();
  const auto& unused = c.diagnostics.items().front();
  EXPECT_EQ(unused.path, "assets[0].exposure");
  EXPECT_NE(unused.hint.find("entry_points"), std::string::npos) << unused.hint;
  EXPECT_NE(unused.hint.find("a threat without entry_points"), std::string::npos) << unused.hint;
}

TEST(Validate, ExposureUsedByAThreatWithoutEntryPointsOrWithoutThreats) {
  ScratchDir dir;
  // A second threat without entry points enters at the exposures: plm is reachable.
  auto c = check_text(dir, std::string(kExposedVpnAndMail) +
                               "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0.3 } }\n"
                               "threats { id: \"u\" }\n");
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
  // No threats: the implicit one enters at the exposures.
  c = check_text(dir, kExposedVpnAndMail, "t.textproto");
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
  // The threat's own entry point is the exposed asset: reachable, and the exposure only
  // stands for threats without entry points (as in the shipped scenarios): no warning.
  c = check_text(
      dir, std::string(kExposedVpnAndMail) + "threats { id: \"t\" entry_points { asset: \"vpn\" probability: 0.3 } }\n",
      "u.textproto");
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
  // An entry point with probability 0 enters nowhere: the exposure still reads as an entry.
  c = check_text(dir,
                 std::string(kExposedVpnAndMail) +
                     "threats { id: \"t\" entry_points { asset: \"vpn\" probability: 0 } "
                     "entry_points { asset: \"mail\" probability: 0.3 } }\n",
                 "v.textproto");
  EXPECT_TRUE(HasWarning(c, "v.textproto", "asset 'vpn'", "is used by no threat", 2)) << c.dump();
}

TEST(Validate, NothingCanBeEnteredWhenOnlyUnusedExposuresRemain) {
  // Every threat has entry points, all with probability 0; the exposure is unused.
  ScratchDir dir;
  const auto c = check_text(
      dir, std::string(kExposedVpnAndMail) + "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0 } }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "", "nothing can be compromised")) << c.dump();
}

TEST(Validate, TargetReachedOnlyWhereTheEngineCannotGoWarns) {
  // The engine's rules beyond the entries: a step with p = 0 never succeeds; nothing
  // leaves an asset with containment 1; a threat with step_scale 0 takes no step; an ALL
  // gate needs every incoming relation.
  const std::string base = R"(enterprises { id: "oem" }
assets { id: "vpn" owner: "oem" layer: L3 element: SYSTEM exposure: 0.5 }
assets { id: "plm" owner: "oem" layer: L3 element: DATA target: true }
)";
  struct Case {
    std::string name, extra;
    bool reached;
  };
  const std::vector<Case> cases = {
      {"p0", "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 0 } }\n", false},
      {"p-small", "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1e-9 } }\n", true},
      {"contained",
       "assets { id: \"fw\" owner: \"oem\" layer: L3 element: SYSTEM containment: 1 }\n"
       "relations { from: \"vpn\" to: \"fw\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"fw\" to: \"plm\" layer: L3 step { p: 1 } }\n",
       false},
      {"contained-partly",
       "assets { id: \"fw\" owner: \"oem\" layer: L3 element: SYSTEM containment: 0.99 }\n"
       "relations { from: \"vpn\" to: \"fw\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"fw\" to: \"plm\" layer: L3 step { p: 1 } }\n",
       true},
      {"no-steps",
       "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1 } }\n"
       "threats { id: \"t\" step_scale: 0 }\n",
       false},
      {"no-steps-but-another",
       "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1 } }\n"
       "threats { id: \"t\" step_scale: 0 }\n"
       "threats { id: \"u\" }\n",
       true},
      {"all-gate-half-reached",
       "assets { id: \"key\" owner: \"oem\" layer: L3 element: DATA }\n"
       "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"key\" to: \"plm\" layer: L3 step { p: 1 } }\n",
       false},
      {"all-gate-p0",
       "assets { id: \"key\" owner: \"oem\" layer: L3 element: DATA }\n"
       "relations { from: \"vpn\" to: \"key\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"key\" to: \"plm\" layer: L3 step { p: 0 } }\n",
       false},
      {"all-gate-fully-reached",
       "assets { id: \"key\" owner: \"oem\" layer: L3 element: DATA }\n"
       "relations { from: \"vpn\" to: \"key\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"vpn\" to: \"plm\" layer: L3 step { p: 1 } }\n"
       "relations { from: \"key\" to: \"plm\" layer: L3 step { p: 1 } }\n",
       true},
  };
  ScratchDir dir;
  for (const auto& k : cases) {
    std::string text = base + k.extra;
    if (k.name.starts_with("all-gate")) {
      text.replace(text.find("DATA target: true"), 17, "DATA target: true gate: ALL");
    }
    const auto c = check_text(dir, text, k.name + ".textproto");
    EXPECT_EQ(HasWarning(c, k.name + ".textproto", "asset 'plm'", "no entry point reaches it"), !k.reached)
        << k.name << "\n"
        << c.dump();
    EXPECT_EQ(c.diagnostics.error_count(), 0u) << k.name << "\n" << c.dump();
  }
}

TEST(Summary, EntryPointsAreTheEntriesThreatsUse) {
  const auto summary_of = [](const std::string& text) {
    v1::Scenario s;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
    return std::pair{summarise(s), format_summary(s, summarise(s))};
  };
  // No threats: the exposed assets.
  auto [m, text] = summary_of(std::string(kExposedVpnAndMail));
  EXPECT_EQ(m.entry_assets, 1u);
  // Threats with their own entry points only: those (mail), not the unused exposure.
  std::tie(m, text) = summary_of(std::string(kExposedVpnAndMail) +
                                 "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0.3 } }\n");
  EXPECT_EQ(m.entry_assets, 1u);
  EXPECT_NE(text.find("3 (1 targets, 1 entry points, 0 ALL gates)"), std::string::npos) << text;
  EXPECT_NE(text.find("t                      1 entry points, 0 objectives"), std::string::npos) << text;
  // Plus a threat without entry points: both, each asset once; the threat's line says
  // where it enters.
  std::tie(m, text) = summary_of(std::string(kExposedVpnAndMail) +
                                 "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0.3 } "
                                 "entry_points { asset: \"vpn\" probability: 0.1 } }\n"
                                 "threats { id: \"u\" }\n");
  EXPECT_EQ(m.entry_assets, 2u);
  EXPECT_NE(text.find("u                      1 entry points (the exposed assets), 0 objectives"), std::string::npos)
      << text;
  // An entry point with probability 0 is no entry.
  std::tie(m, text) = summary_of(std::string(kExposedVpnAndMail) +
                                 "threats { id: \"t\" entry_points { asset: \"mail\" probability: 0 } }\n");
  EXPECT_EQ(m.entry_assets, 0u);
}

TEST(Validate, ControlScopedToAnUnmitigatedRelationWarns) {
  ScratchDir dir;
  const auto c =
      check_text(dir, std::string(kMinimalScenario) +
                          "controls { id: \"c\" requirement: \"CPS.AC-1\" efficacy: 0.5 relations: \"r1\" }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "control 'c'", "has no effect there", 6));
}

TEST(Validate, AnnualFrequencyAboveTheSupportedRange) {
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) + "threats { id: \"t\" annual_frequency: 1e6 }\n");
  EXPECT_TRUE(HasError(c, "s.textproto", "threat 't'", "above the supported 100000", 6));
}

TEST(Validate, DependencySharesAddingUpToMoreThanOneAreValid) {
  // In the IIM a customer's row of A* may add up to more than 1 (it needs several
  // suppliers at once); what matters is ρ(A*) < 1. Issue 14 cites Haimes & Jiang
  // (2001)'s four-sector A* with rows adding up to 1.8 and 1.9 and ρ = 0.6. This one
  // has the same row sums and ρ: s1 and s2 depend on each other (0.6 each way, rows 0.6),
  // s3 on both (0.9 + 0.9 = 1.8), s4 on all three (1.0 + 0.5 + 0.4 = 1.9), and nothing on
  // s3 but s4 and nothing on s4. In the order s1..s4 A* is block lower triangular, so
  // its eigenvalues are ±0.6 (of [[0, 0.6], [0.6, 0]]) and 0, 0: ρ = 0.6.
  ScratchDir dir;
  const auto c = check_text(dir, std::string(kMinimalScenario) + R"(enterprises { id: "s1" }
enterprises { id: "s2" }
enterprises { id: "s3" }
enterprises { id: "s4" }
dependencies { customer: "s1" supplier: "s2" share: 0.6 }
dependencies { customer: "s2" supplier: "s1" share: 0.6 }
dependencies { customer: "s3" supplier: "s1" share: 0.9 }
dependencies { customer: "s3" supplier: "s2" share: 0.9 }
dependencies { customer: "s4" supplier: "s1" share: 1.0 }
dependencies { customer: "s4" supplier: "s2" share: 0.5 }
dependencies { customer: "s4" supplier: "s3" share: 0.4 }
)");
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

TEST(Validate, DependencySharesAreRefusedOnlyForASpectralRadiusOfOneOrMore) {
  // s1 takes 0.9 of its output from s2 and 0.9 from s3 (its row adds up to 1.8), and each
  // of them `back` from s1. A*'s characteristic polynomial is λ(λ² − 2 × 0.9 × back), so
  // ρ = √(1.8 back): √0.9 ≈ 0.95 for back = 0.5, valid; √1.08 ≈ 1.04 for 0.6, an error
  // about the matrix. Neither draws a warning about the row sum.
  for (const double back : {0.5, 0.6}) {
    ScratchDir dir;
    const std::string b = back == 0.5 ? "0.5" : "0.6";
    const auto c = check_text(dir, std::string(kMinimalScenario) + R"(enterprises { id: "s1" }
enterprises { id: "s2" }
enterprises { id: "s3" }
dependencies { customer: "s1" supplier: "s2" share: 0.9 }
dependencies { customer: "s1" supplier: "s3" share: 0.9 }
dependencies { customer: "s2" supplier: "s1" share: )" +
                                       b + R"( }
dependencies { customer: "s3" supplier: "s1" share: )" +
                                       b + " }\n");
    if (back == 0.5) {
      EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
    } else {
      EXPECT_TRUE(HasError(c, "s.textproto", "the dependencies", "spectral radius 1.03923")) << c.dump();
      EXPECT_EQ(c.diagnostics.warning_count(), 0u) << c.dump();
    }
  }
}

TEST(Validate, RequirementReplacingABuiltInOneWarns) {
  ScratchDir dir;
  const auto c =
      check_text(dir, std::string(kMinimalScenario) + "requirements { id: \"CPS.AC-1\" subject: \"mine\" }\n");
  EXPECT_TRUE(HasWarning(c, "s.textproto", "requirement 'CPS.AC-1'", "replaces the built-in requirement", 6));
}

TEST(Validate, ReportsEveryProblemNotJustTheFirst) {
  ScratchDir dir;
  std::string text = "enterprises { id: \"oem\" }\n";
  for (int i = 0; i < 25; ++i) {
    text += "assets { id: \"a" + std::to_string(i) + "\" owner: \"oem\" layer: L3 element: DATA exposure: 3 }\n";
  }
  const auto c = check_text(dir, text);
  EXPECT_EQ(c.diagnostics.error_count(), 25u) << c.dump();
  for (int i = 0; i < 25; ++i)
    EXPECT_TRUE(HasError(c, "s.textproto", "asset 'a" + std::to_string(i) + "'", "exposure", i + 2));
}

TEST(Validate, JsonProblemsAreOnTheirLines) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.json", R"({
  "enterprises": [{"id": "oem"}],
  "assets": [
    {"id": "a", "owner": "oem", "layer": "L3", "element": "SYSTEM", "exposure": 0.4},
    {"id": "b", "owner": "oem", "layer": "L3", "element": "DATA",
     "loss": {"integrity": -3}}
  ],
  "relations": [{"id": "r", "from": "a", "to": "b", "layer": "L3", "step": {"p": 1.5}}]
}
)"));
  EXPECT_TRUE(HasError(c, "s.json", "asset 'b'", "loss.integrity is negative", 6));
  EXPECT_TRUE(HasError(c, "s.json", "relation 'r'", "step.p is 1.5", 8));
}

TEST(Validate, BinaryProblemsNameTheEntityAndPath) {
  ScratchDir dir;
  v1::Scenario s;
  auto* e = s.add_enterprises();
  e->set_id("oem");
  auto* a = s.add_assets();
  a->set_id("a");
  a->set_owner("oem");
  a->set_layer(v1::L3);
  a->set_element(v1::DATA);
  a->set_exposure(2);
  const auto path = dir.write("s.pb", serialise(s, Format::Binary));
  const auto c = testing::check(path);
  ASSERT_TRUE(HasError(c, "s.pb", "asset 'a'", "exposure is 2"));
  EXPECT_EQ(c.diagnostics.items().front().path, "assets[0].exposure");
  EXPECT_EQ(c.diagnostics.items().front().line, 0);  // binary has no lines
}

// ---- numeric limits (docs/scenario-format.md, Limits) ----------------------------------------

std::string g17(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

struct LimitCase {
  std::string snippet;  // added to the minimal scenario; "V" is the value
  double limit;         // the largest value accepted
  std::string entity, message;
};

std::vector<LimitCase> limit_cases() {
  const double days = 1e8, money = 1e18;
  const std::string asset = R"(assets { id: "x" owner: "oem" layer: L3 element: DATA )";
  const std::string step = R"(relations { id: "s" from: "vpn" to: "plm" layer: L3 step { p: 1 ttc { )";
  return {
      {R"(enterprises { id: "e2" daily_output: V })", money, "enterprise 'e2'", "daily_output"},
      {asset + "loss { confidentiality: V } }", money, "asset 'x'", "loss.confidentiality"},
      {asset + "loss { integrity: V } }", money, "asset 'x'", "loss.integrity"},
      {asset + "loss { availability: V } }", money, "asset 'x'", "loss.availability"},
      {R"(controls { id: "c" requirement: "CPS.AC-1" efficacy: 0.5 cost: V })", money, "control 'c'", "cost"},
      {R"(baselines { id: "b" controls { requirement: "CPS.AC-1" efficacy: 0.5 cost: V } })", money, "baseline 'b'",
       "cost"},
      {step + "fixed { value: V } } } }", days, "relation 's'", "fixed value"},
      {step + "exponential { mean: V } } } }", days, "relation 's'", "exponential mean"},
      {step + "uniform { min: 0 max: V } } } }", days, "relation 's'", "uniform max"},
      {step + "pert { min: 0 mode: 1 max: V } } } }", days, "relation 's'", "pert max"},
      {step + "pert { min: 0 mode: 1 max: 2 lambda: V } } } }", 1e6, "relation 's'", "pert lambda"},
      {step + "gamma { shape: 0.5 scale: V } } } }", days, "relation 's'", "gamma scale"},
      {step + "gamma { shape: V scale: 1 } } } }", days, "relation 's'", "gamma mean"},
      {asset + "loss { operations_share: 0.5 outage_days { exponential { mean: V } } } }", days, "asset 'x'",
       "exponential mean"},
      {R"(enterprises { id: "s2" } dependencies { customer: "oem" supplier: "s2" share: 0.1 buffer_days: V })", days,
       "dependency 'oem' on 's2'", "buffer_days"},
      {"settings { horizon: V }", days, "", "horizon"},
  };
}

// Every limit holds: the limit itself is accepted, the next double above it is refused
// with an error that says the limit.
TEST(Validate, NumericLimitsAcceptTheLimitAndRefuseJustAbove) {
  ScratchDir dir;
  for (const auto& c : limit_cases()) {
    const auto with = [&](double v) {
      std::string snippet = c.snippet;
      snippet.replace(snippet.find('V'), 1, g17(v));
      return check_text(dir, std::string(kMinimalScenario) + snippet + "\n");
    };
    const auto inside = with(c.limit);
    EXPECT_EQ(inside.diagnostics.error_count(), 0u) << c.snippet << " at " << c.limit << ":\n" << inside.dump();
    const auto outside = with(std::nextafter(c.limit, 2 * c.limit));
    EXPECT_TRUE(HasError(outside, "s.textproto", c.entity, c.message, 6)) << c.snippet;
    bool says_limit = false;
    for (const auto& d : outside.diagnostics.items())
      says_limit |= d.message.find("above the limit of") != std::string::npos;
    EXPECT_TRUE(says_limit) << outside.dump();
  }
}

TEST(Validate, LognormalMeanLimit) {
  ScratchDir dir;
  const std::string step = R"(relations { id: "s" from: "vpn" to: "plm" layer: L3 step { p: 1 ttc { lognormal { )";
  const double mu = std::log(1e8) - 0.5;  // with sigma 1, the mean e^(mu + sigma²/2) is 1e8 days
  const auto with = [&](const std::string& law) {
    return check_text(dir, std::string(kMinimalScenario) + step + law + " } } } }\n");
  };
  EXPECT_EQ(with("mu: " + g17(mu - 1e-9) + " sigma: 1").diagnostics.error_count(), 0u);
  EXPECT_TRUE(
      HasError(with("mu: " + g17(mu + 1e-9) + " sigma: 1"), "s.textproto", "relation 's'", "lognormal mean", 6));
  // sigma 1e300 made e^(mu + sigma z) infinite for half the draws: half the steps never arrived.
  EXPECT_TRUE(HasError(with("mu: 1 sigma: 1e300"), "s.textproto", "relation 's'", "lognormal mean", 6));
  EXPECT_TRUE(HasError(with("mu: 60 sigma: 1"), "s.textproto", "relation 's'", "lognormal mean", 6));
  // A very small median with a wide spread is fine while the mean stays within the limit.
  EXPECT_EQ(with("mu: -100 sigma: 14").diagnostics.error_count(), 0u);
}

}  // namespace
}  // namespace cpsf

// ---- the attack-step library (docs/library.md) ------------------------------------------------

namespace cpsf {
namespace {

using testing::Checked;
using testing::HasError;
using testing::HasWarning;
using testing::ScratchDir;

constexpr std::string_view kKindsOnly = R"(name: "kinds only"
enterprises { id: "oem" }
assets { id: "vpn" owner: "oem" layer: L3 element: SYSTEM exposure: 0.5 }
assets { id: "plm" owner: "oem" layer: L3 element: DATA loss { confidentiality: 100 } target: true }
)";

TEST(ValidateLibrary, ARelationWithAKindNeedsNoNumbers) {
  ScratchDir dir;
  const auto c = testing::check(dir.write(
      "s.textproto",
      std::string(kKindsOnly) + "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 kind: NETWORK }\n"));
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

TEST(ValidateLibrary, AStepScaleWithNoWrittenPChangesNothing) {
  ScratchDir dir;
  const std::string relation = "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 kind: NETWORK }\n";
  const auto c = testing::check(
      dir.write("s.textproto", std::string(kKindsOnly) + relation + "threats { id: \"t\" step_scale: 1.2 }\n"));
  EXPECT_TRUE(HasWarning(c, "s.textproto", "threat 't'", "step_scale 1.2 changes nothing", 6)) << c.dump();
  // One written p gives it something to scale: no warning.
  const auto written =
      testing::check(dir.write("w.textproto", std::string(kKindsOnly) + relation +
                                                  "relations { from: \"plm\" to: \"vpn\" layer: L3 step { p: 0.3 } }\n"
                                                  "threats { id: \"t\" step_scale: 1.2 }\n"));
  EXPECT_FALSE(HasWarning(written, "w.textproto", "threat 't'", "changes nothing")) << written.dump();
}

TEST(ValidateLibrary, AThreatWithStepScaleZeroStillTakesLibrarySteps) {
  // step_scale scales only a p the scenario writes: through a step from the library, a
  // threat with step_scale 0 still reaches the target, so no reachability warning.
  ScratchDir dir;
  const std::string relation = "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 kind: NETWORK }\n";
  const auto c = testing::check(
      dir.write("s.textproto", std::string(kKindsOnly) + relation + "threats { id: \"t\" step_scale: 0 }\n"));
  EXPECT_FALSE(HasWarning(c, "s.textproto", "asset 'plm'", "no entry point reaches it")) << c.dump();
  // With the step's p written instead, step_scale 0 leaves it untaken: the warning.
  const auto written = testing::check(
      dir.write("w.textproto", std::string(kKindsOnly) +
                                   "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 step { p: 0.3 } }\n"
                                   "threats { id: \"t\" step_scale: 0 }\n"));
  EXPECT_TRUE(HasWarning(written, "w.textproto", "asset 'plm'", "no entry point reaches it")) << written.dump();
}

TEST(ValidateLibrary, NoLibraryStepAndNoP) {
  ScratchDir dir;
  const auto c = testing::check(
      dir.write("s.textproto", std::string(kKindsOnly) +
                                   "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L1 kind: NETWORK }\n"
                                   "relations { id: \"s\" from: \"vpn\" to: \"plm\" layer: L3 }\n"));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 'r'",
                       "no step.p, and the attack-step library has no step for kind NETWORK on layer L1 into DATA "
                       "(the element of 'plm')",
                       5));
  EXPECT_TRUE(HasError(c, "s.textproto", "relation 's'", "has no attack step and no kind", 6));
}

TEST(ValidateLibrary, AControlNeedsAnEfficacyOrALevelTheLibraryResolves) {
  ScratchDir dir;
  const auto c = testing::check(dir.write(
      "s.textproto",
      std::string(kKindsOnly) +
          R"(relations { id: "r" from: "vpn" to: "plm" layer: L3 kind: NETWORK step { mitigated_by: "CPS.ZZ-1" } }
requirements { id: "CPS.ZZ-1" }
controls { id: "none" requirement: "CPS.AC-1" implemented: true }
controls { id: "unresolved" requirement: "CPS.ZZ-1" level: BASIC implemented: true }
controls { id: "resolved" requirement: "CPS.AC-1" level: ADVANCED implemented: true }
baselines { id: "mine" controls { requirement: "CPS.ZZ-1" level: ADVANCED } }
enterprises { id: "t1" baseline: "mine" }
)"));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'none'", "has no efficacy and no level", 7));
  EXPECT_TRUE(HasError(c, "s.textproto", "control 'unresolved'",
                       "its control for CPS.ZZ-1 has no efficacy, and the attack-step library gives none at level "
                       "BASIC for relation 'r'",
                       8));
  EXPECT_FALSE(HasError(c, "s.textproto", "control 'resolved'", ""));
  // The baseline "mine" is claimed by t1, which owns no asset: nothing to resolve.
  EXPECT_FALSE(HasError(c, "s.textproto", "baseline 'mine'", "its control for"));
}

TEST(ValidateLibrary, ABaselineControlWithoutEfficacyOnAStep) {
  ScratchDir dir;
  const auto c = testing::check(dir.write(
      "s.textproto",
      std::string(kKindsOnly) +
          R"(relations { id: "r" from: "vpn" to: "plm" layer: L3 kind: NETWORK step { mitigated_by: "CPS.ZZ-1" } }
requirements { id: "CPS.ZZ-1" }
baselines { id: "mine" controls { requirement: "CPS.ZZ-1" level: ADVANCED } controls { requirement: "CPS.AC-1" } }
)"));
  EXPECT_TRUE(HasError(c, "s.textproto", "baseline 'mine'", "control 'CPS.AC-1' has no efficacy and no level", 7));
  // Claimed by the asset's owner: the step lists CPS.ZZ-1, which no library entry gives.
  const auto claimed = testing::check(dir.write("t.textproto",
                                                R"(name: "kinds only"
enterprises { id: "oem" baseline: "mine" }
assets { id: "vpn" owner: "oem" layer: L3 element: SYSTEM exposure: 0.5 }
assets { id: "plm" owner: "oem" layer: L3 element: DATA loss { confidentiality: 100 } target: true }
relations { id: "r" from: "vpn" to: "plm" layer: L3 kind: NETWORK step { mitigated_by: "CPS.ZZ-1" } }
requirements { id: "CPS.ZZ-1" }
baselines { id: "mine" controls { requirement: "CPS.ZZ-1" level: ADVANCED } }
)"));
  EXPECT_TRUE(HasError(claimed, "t.textproto", "baseline 'mine' (of enterprise 'oem')",
                       "its control for CPS.ZZ-1 has no efficacy", 2));
}

TEST(ValidateLibrary, AControlOrBaselineThatActsOnNothingWarns) {
  ScratchDir dir;
  const auto c = testing::check(dir.write(
      "s.textproto", std::string(kKindsOnly) + R"(relations { id: "r" from: "vpn" to: "plm" layer: L3 kind: NETWORK }
relations { id: "h" from: "plm" to: "vpn" layer: L3 step { p: 0.5 mitigated_by: "CPS.AT-1" } }
controls { id: "acts" requirement: "CPS.CM-1" level: BASIC implemented: true }
controls { id: "by-hand" requirement: "CPS.AT-1" efficacy: 0.3 implemented: true }
controls { id: "idle" requirement: "CPS.GV-1" efficacy: 0.3 implemented: true }
controls { id: "candidate" requirement: "CPS.CM-1" level: BASIC assets: "vpn" }
baselines { id: "governance" controls { requirement: "CPS.GV-1" efficacy: 0.2 } }
enterprises { id: "t1" baseline: "governance" }
assets { id: "t1-erp" owner: "t1" layer: L3 element: SYSTEM }
relations { id: "t" from: "vpn" to: "t1-erp" layer: L3 kind: NETWORK }
)"));
  EXPECT_EQ(c.diagnostics.error_count(), 0u) << c.dump();
  EXPECT_TRUE(HasWarning(c, "s.textproto", "control 'idle'",
                         "acts on no relation: no relation it covers lists CPS.GV-1 among its step's mitigations", 9));
  EXPECT_TRUE(HasWarning(c, "s.textproto", "control 'candidate'",
                         "would act on no relation: no relation it covers lists CPS.CM-1", 10));
  EXPECT_FALSE(HasWarning(c, "s.textproto", "control 'acts'", ""));     // network-l3 lists CPS.CM-1
  EXPECT_FALSE(HasWarning(c, "s.textproto", "control 'by-hand'", ""));  // "h" lists CPS.AT-1 by hand
  EXPECT_TRUE(HasWarning(c, "s.textproto", "baseline 'governance'",
                         "changes nothing: no relation into the assets of 't1' lists any of its requirements "
                         "(CPS.GV-1)",
                         12));
  // More than three idle controls of one requirement are one warning that counts them.
  std::string many =
      std::string(kKindsOnly) + "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 kind: NETWORK }\n";
  for (int k = 0; k < 5; ++k) {
    many +=
        "controls { id: \"gv-" + std::to_string(k) + "\" requirement: \"CPS.GV-1\" efficacy: 0.3 implemented: true }\n";
  }
  const auto grouped = testing::check(dir.write("many.textproto", many));
  EXPECT_TRUE(HasWarning(grouped, "many.textproto", "control 'gv-0'",
                         "5 controls of CPS.GV-1 ('gv-0', 'gv-1', 'gv-2' and 2 more) act on no relation: no relation "
                         "any of them covers lists CPS.GV-1 among its step's mitigations (by hand or from the "
                         "attack-step library), so they change nothing",
                         0))
      << grouped.dump();
  EXPECT_EQ(grouped.diagnostics.warning_count(), 1u) << grouped.dump();
  // SCS-3 acts on network-l3 (CPS.CM-1, ...), though not all of its requirements do: no warning.
  const auto scs3 = testing::check(
      dir.write("t.textproto", std::string(kKindsOnly) +
                                   "relations { id: \"r\" from: \"vpn\" to: \"plm\" layer: L3 kind: NETWORK }\n"
                                   "enterprises { id: \"t1\" baseline: \"SCS-3\" }\n"
                                   "assets { id: \"t1-erp\" owner: \"t1\" layer: L3 element: SYSTEM }\n"
                                   "relations { from: \"vpn\" to: \"t1-erp\" layer: L3 kind: NETWORK }\n"));
  EXPECT_TRUE(scs3.diagnostics.empty()) << scs3.dump();
}

TEST(ValidateLibrary, AStepThatClashesWithABundledOneIsAmbiguousAtItsLine) {
  ScratchDir dir;
  std::string caps;
  for (const char* c : {"COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN"}) {
    caps += std::string("    by_capability { capability: ") + c +
            " p: 0.1 p_from { note: \"x\" } ttc { fixed { value: 1 } } ttc_from { note: \"x\" } }\n";
  }
  const auto c = testing::check(dir.write(
      "s.textproto", std::string(kMinimalScenario) + "library {\n  steps {\n    id: \"my-network\" kind: NETWORK " +
                         "layers: L3 target_elements: DATA\n" + caps + "  }\n}\n"));
  EXPECT_TRUE(HasError(c, "s.textproto", "library step 'my-network'",
                       "steps 'network-l3' and 'my-network' both match a NETWORK relation on L3 into DATA", 7));
}

TEST(ValidateLibrary, OnlyTheTopLevelFileMaySetTheLibrary) {
  ScratchDir dir;
  dir.write("part.textproto", "library { notes: \"mine\" }\n");
  const auto c =
      testing::check(dir.write("s.textproto", std::string(kMinimalScenario) + "include: \"part.textproto\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "part.textproto", "", "an included file sets \"library\"", 1));
}

TEST(ValidateLibrary, AScenarioLibrarysProblemsAreAtItsLines) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", std::string(kMinimalScenario) + R"(library {
  steps {
    id: "network-l1" kind: NETWORK layers: L1
    by_capability { capability: COMMON_ATTACKS p: 1.5 p_from { note: "x" } ttc { fixed { value: 1 } } ttc_from { note: "x" } }
  }
}
)"));
  EXPECT_TRUE(HasError(c, "s.textproto", "library step 'network-l1'", "outside [0, 1]", 9));
  EXPECT_TRUE(HasError(c, "s.textproto", "library step 'network-l1'", "no by_capability for TARGETED_SUPPLY_CHAIN", 9));
}

}  // namespace
}  // namespace cpsf
