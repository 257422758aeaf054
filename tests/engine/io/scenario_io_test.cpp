// Reading scenario files: formats, round trips, includes, and every way a file can be
// unusable (docs/design.md §8.4). Each bad input gets its own clear message and exit class.
#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wire_format_lite.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cpsf/base/crc32c.hpp"
#include "cpsf/base/utf8.hpp"
#include "cpsf/io/parse.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

namespace fs = std::filesystem;
using testing::Checked;
using testing::HasError;
using testing::kMinimalScenario;
using testing::ScratchDir;

const std::string kDefaultScenario = std::string(testing::kSourceDir) + "/scenarios/default/scenario.textproto";

TEST(Formats, FromExtension) {
  EXPECT_EQ(format_from_path("a/b.textproto"), Format::Text);
  EXPECT_EQ(format_from_path("b.txtpb"), Format::Text);
  EXPECT_EQ(format_from_path("b.pbtxt"), Format::Text);
  EXPECT_EQ(format_from_path("b.json"), Format::Json);
  EXPECT_EQ(format_from_path("b.pb"), Format::Binary);
  EXPECT_EQ(format_from_path("b.binpb"), Format::Binary);
  EXPECT_EQ(format_from_path("b.yaml"), std::nullopt);
  EXPECT_EQ(format_from_path("textproto"), std::nullopt);
}

// ---- round trips ---------------------------------------------------------------------------

v1::Scenario load_ok(const std::string& path) {
  Diagnostics d;
  LoadStatus status{};
  auto loaded = load_scenario(path, d, status);
  EXPECT_EQ(status, LoadStatus::Ok);
  EXPECT_FALSE(d.has_errors());
  return loaded ? loaded->scenario() : v1::Scenario{};
}

void expect_round_trip(const v1::Scenario& original, const ScratchDir& dir) {
  // text → json → binary → text, each step through a file.
  v1::Scenario current = original;
  const std::vector<std::pair<Format, std::string>> steps = {
      {Format::Json, "a.json"}, {Format::Binary, "b.pb"}, {Format::Text, "c.textproto"}, {Format::Json, "d.json"}};
  for (const auto& [format, name] : steps) {
    const std::string path = dir.file(name);
    ASSERT_EQ(write_file_atomically(path, serialise(current, format)), "");
    v1::Scenario next;
    Diagnostics d;
    ASSERT_EQ(read_message_file(path, next, d), LoadStatus::Ok) << name;
    std::string diff;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(original, next)) << name << ": " << diff;
    // Bit-exact: the binary encodings agree, so every double survived exactly.
    EXPECT_EQ(serialise(next, Format::Binary), serialise(original, Format::Binary)) << name;
    current = next;
  }
}

TEST(RoundTrip, DefaultScenarioAcrossAllFormats) {
  ScratchDir dir;
  expect_round_trip(load_ok(kDefaultScenario), dir);
}

TEST(RoundTrip, AwkwardValuesSurviveExactly) {
  ScratchDir dir;
  v1::Scenario s;
  s.set_name("名前 with \"quotes\", a \\ backslash and\nnewline");
  s.set_currency("kJPY");
  auto* a = s.add_assets();
  a->set_id("a");
  a->set_exposure(0.1 + 0.2);  // 0.30000000000000004
  a->set_containment(1e-300);  // tiny
  a->mutable_loss()->set_integrity(1.0 / 3.0);
  a->mutable_loss()->set_availability(1.7976931348623157e308);  // largest double
  a->mutable_loss()->mutable_outage_days()->mutable_pert()->set_lambda(4.000000000000001);
  auto* r = s.add_relations();
  r->mutable_step()->set_p(0.0);  // explicitly present zero must stay present
  r->mutable_step()->mutable_ttc()->mutable_lognormal()->set_mu(-2.5e-17);
  s.mutable_settings()->set_seed(UINT64_MAX);
  s.mutable_settings()->set_horizon(0.0);
  expect_round_trip(s, dir);
  EXPECT_TRUE(s.relations(0).step().has_p());
}

TEST(RoundTrip, ConvertedFileValidatesTheSame) {
  ScratchDir dir;
  const auto original = load_ok(kDefaultScenario);
  for (const auto* name : {"x.json", "x.pb", "x.txtpb"}) {
    const auto path = dir.file(name);
    ASSERT_EQ(write_file_atomically(path, serialise(original, *format_from_path(name))), "");
    const auto c = testing::check(path);
    EXPECT_EQ(c.status, LoadStatus::Ok) << name;
    EXPECT_TRUE(c.diagnostics.empty()) << name << "\n" << c.dump();
  }
}

// ---- the integrity record of binary files (scenario.proto, FileIntegrity) -----------------

TEST(Integrity, Crc32cKnownValuesAndExtension) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32c(0, check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(crc32c_tables(0, check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(crc32c(0, "", 0), 0u);
  std::string data(1000, '\0');
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<char>(k * 131 + 7);
  const std::uint32_t whole = crc32c_tables(0, data.data(), data.size());
  EXPECT_EQ(crc32c(0, data.data(), data.size()), whole);
  for (const std::size_t cut : {0, 1, 7, 8, 9, 500, 999}) {
    EXPECT_EQ(crc32c(crc32c(0, data.data(), cut), data.data() + cut, data.size() - cut), whole) << cut;
  }
}

std::string body_of(const std::string& file) { return file.substr(kIntegrityRecordBytes); }

// Offsets in a serialised message where one top-level field ends and the next begins.
std::vector<std::size_t> top_level_boundaries(const std::string& body) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(body.data()),
                                            static_cast<int>(body.size()));
  std::vector<std::size_t> at;
  while (const std::uint32_t tag = in.ReadTag()) {
    EXPECT_TRUE(google::protobuf::internal::WireFormatLite::SkipField(&in, tag));
    at.push_back(static_cast<std::size_t>(in.CurrentPosition()));
  }
  return at;
}

TEST(Integrity, CpsfWritesARecordThatProtobufReadsAsAField) {
  const v1::Scenario s = load_ok(kDefaultScenario);
  const std::string file = serialise(s, Format::Binary);
  const std::string body = body_of(file);
  std::string plain;
  ASSERT_TRUE(s.SerializeToString(&plain));
  EXPECT_EQ(body, plain);  // the scenario itself, as any protobuf tool writes it
  EXPECT_EQ(file.substr(0, kIntegrityRecordBytes), integrity_record(body));
  v1::Scenario read;
  ASSERT_TRUE(read.ParseFromString(file));  // still a plain Scenario message
  ASSERT_TRUE(read.has_integrity());
  EXPECT_EQ(read.integrity().length(), body.size());
  EXPECT_EQ(read.integrity().crc32c(), crc32c(0, body.data(), body.size()));
  read.clear_integrity();
  EXPECT_EQ(read.SerializeAsString(), plain);
  // An empty scenario still gets the full 17 bytes (zeros written explicitly).
  EXPECT_EQ(serialise(v1::Scenario{}, Format::Binary).size(), kIntegrityRecordBytes);
}

TEST(Integrity, AFileCutAtEveryTopLevelFieldBoundaryIsRefused) {
  ScratchDir dir;
  const std::string file = serialise(load_ok(kDefaultScenario), Format::Binary);
  const auto boundaries = top_level_boundaries(body_of(file));
  ASSERT_GT(boundaries.size(), 100u);
  ASSERT_EQ(boundaries.back(), file.size() - kIntegrityRecordBytes);
  // Losing the settings, the last field, was the case protobuf cannot see.
  v1::Scenario last;
  ASSERT_TRUE(last.ParseFromString(body_of(file).substr(boundaries[boundaries.size() - 2])));
  EXPECT_TRUE(last.has_settings());
  std::vector<std::size_t> cuts(boundaries.begin(), boundaries.end() - 1);
  cuts.push_back(0);
  for (const std::size_t cut : cuts) {
    const auto c = testing::check(dir.write("cut.pb", file.substr(0, kIntegrityRecordBytes + cut)));
    EXPECT_EQ(c.status, LoadStatus::Invalid) << cut;
    EXPECT_TRUE(HasError(c, "cut.pb", "",
                         "the file was cut short: its integrity record says " +
                             std::to_string(file.size() - kIntegrityRecordBytes) + " bytes follow it, but " +
                             std::to_string(cut) + " do"))
        << cut;
  }
  for (std::size_t cut = 3; cut < kIntegrityRecordBytes; ++cut) {  // inside the record
    const auto c = testing::check(dir.write("cut.pb", file.substr(0, cut)));
    EXPECT_EQ(c.status, LoadStatus::Invalid) << cut;
    EXPECT_TRUE(HasError(c, "cut.pb", "", "cut short or altered: it ends inside its integrity record")) << cut;
  }
}

TEST(Integrity, AnAlteredFileIsRefused) {
  ScratchDir dir;
  const std::string file = serialise(load_ok(kDefaultScenario), Format::Binary);
  for (const std::size_t at : {kIntegrityRecordBytes, std::size_t{500}, file.size() - 1}) {
    std::string altered = file;
    altered[at] = static_cast<char>(altered[at] ^ 0x01);
    const auto c = testing::check(dir.write("alt.pb", altered));
    EXPECT_EQ(c.status, LoadStatus::Invalid) << at;
    EXPECT_TRUE(HasError(c, "alt.pb", "", "the file was altered: the CRC-32C of the")) << at;
  }
  const auto longer = testing::check(dir.write("alt.pb", file + "\x08\x01"));
  EXPECT_TRUE(HasError(longer, "alt.pb", "", "the file was altered: its integrity record says"));
}

TEST(Integrity, AFileWithoutARecordLoadsWithAWarning) {
  ScratchDir dir;
  const v1::Scenario s = load_ok(kDefaultScenario);
  const auto c = testing::check(dir.write("foreign.pb", s.SerializeAsString()));
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_EQ(c.diagnostics.error_count(), 0u) << c.dump();
  EXPECT_TRUE(testing::HasWarning(c, "foreign.pb", "", "has no integrity record"));
  // Rewritten by another tool, the record moves to the end (field order): not checked.
  v1::Scenario with = s;
  *with.mutable_integrity() = v1::FileIntegrity();
  with.mutable_integrity()->set_length(12345);
  const auto moved = testing::check(dir.write("moved.pb", with.SerializeAsString()));
  EXPECT_EQ(moved.status, LoadStatus::Ok);
  EXPECT_TRUE(testing::HasWarning(moved, "moved.pb", "", "integrity record is not at its start"));
}

TEST(Integrity, NeverInTextOrJsonOutputsAndTheRoundTripStaysExact) {
  ScratchDir dir;
  const v1::Scenario original = load_ok(kDefaultScenario);
  const std::string text = serialise(original, Format::Text);
  ASSERT_EQ(write_file_atomically(dir.file("s.pb"), serialise(original, Format::Binary)), "");
  const v1::Scenario read = load_ok(dir.file("s.pb"));
  EXPECT_FALSE(read.has_integrity());
  EXPECT_EQ(serialise(read, Format::Text), text);
  // A record the message holds (parsed by another protobuf reader) is not written out.
  v1::Scenario parsed;
  ASSERT_TRUE(parsed.ParseFromString(serialise(original, Format::Binary)));
  ASSERT_TRUE(parsed.has_integrity());
  EXPECT_EQ(serialise(parsed, Format::Text), text);
  EXPECT_EQ(serialise(parsed, Format::Json), serialise(original, Format::Json));
  EXPECT_EQ(serialise(parsed, Format::Binary), serialise(original, Format::Binary));
  // In text it means nothing: ignored, with a warning.
  const auto c = testing::check(dir.write("r.textproto", std::string(kMinimalScenario) + "integrity { length: 5 }\n"));
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(testing::HasWarning(c, "r.textproto", "", "checked in binary files only"));
}

TEST(Integrity, BytesInMemoryAreCheckedTheSameWay) {
  const v1::Scenario original = load_ok(kDefaultScenario);
  const std::string file = serialise(original, Format::Binary);
  v1::Scenario s;
  Diagnostics d;
  EXPECT_TRUE(parse_binary_scenario(file, s, "<bytes>", d));
  EXPECT_FALSE(s.has_integrity());
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, original));
  EXPECT_TRUE(parse_binary_scenario(original.SerializeAsString(), s, "<bytes>", d));  // plain bytes: no warning
  EXPECT_TRUE(d.empty());
  EXPECT_FALSE(parse_binary_scenario(file.substr(0, file.size() - 10), s, "<bytes>", d));
  ASSERT_EQ(d.error_count(), 1u);
  EXPECT_NE(d.items()[0].message.find("cut short"), std::string::npos);
}

// ---- syntax and schema ----------------------------------------------------------------------

TEST(Syntax, TextSyntaxErrorHasLineAndColumn) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", "name: \"x\"\nassets { id: \"a\" \n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "s.textproto", "", "syntax error", 3)) << c.dump();
}

TEST(Syntax, TextUnknownFieldsAreAllReported) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", R"(name: "x"
assetz { id: "x" }
assets { id: "a" owner: "oem" layer: L3 element: DATA expsure: 0.5 }
relations { step { prob: 0.5 } }
)"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  ASSERT_TRUE(HasError(c, "s.textproto", "", "unknown field \"assetz\" in Scenario", 2));
  EXPECT_EQ(c.diagnostics.items().front().column, 1);  // at the name, not after it
  EXPECT_TRUE(HasError(c, "s.textproto", "", "unknown field \"expsure\" in Asset", 3));
  EXPECT_TRUE(HasError(c, "s.textproto", "", "unknown field \"prob\" in AttackStep", 4));
}

TEST(Syntax, TextUnknownEnumValue) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", "assets {\n  id: \"a\"\n  layer: L4\n}\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  ASSERT_TRUE(HasError(c, "s.textproto", "", "unknown value \"L4\" for field \"layer\"", 3));
  EXPECT_NE(c.diagnostics.items().front().hint.find("L1, L2, L3"), std::string::npos);
}

TEST(Syntax, JsonSyntaxErrorHasLineAndColumn) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.json", "{\n  \"assets\": [\n    {\"id\": \"a\",, }\n  ]\n}\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  ASSERT_TRUE(HasError(c, "s.json", "", "JSON syntax error", 3));
  EXPECT_EQ(c.diagnostics.items().front().column, 16);  // the second comma
}

TEST(Syntax, JsonUnknownFieldsAndEnumsAreAllReported) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.json", R"({
  "assetz": [],
  "assets": [
    {"id": "a", "layer": "L9"},
    {"id": "b", "element": "GADGET", "exposur": 0.1}
  ]
}
)"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "s.json", "", "unknown field \"assetz\" in Scenario", 2));
  EXPECT_TRUE(HasError(c, "s.json", "", "unknown Layer value \"L9\"", 4));
  EXPECT_TRUE(HasError(c, "s.json", "", "unknown Element value \"GADGET\"", 5));
  EXPECT_TRUE(HasError(c, "s.json", "", "unknown field \"exposur\" in Asset", 5));
}

TEST(Syntax, EmptyTextFileIsAnEmptyScenario) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", ""));
  EXPECT_TRUE(HasError(c, "s.textproto", "", "the scenario is empty"));
}

TEST(Syntax, ByteOrderMarkIsAccepted) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.textproto", "\xEF\xBB\xBF" + std::string(kMinimalScenario)));
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();
}

// ---- unusable files -------------------------------------------------------------------------

TEST(Files, MissingFile) {
  ScratchDir dir;
  const auto c = testing::check(dir.file("nope.textproto"));
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "nope.textproto", "", "no such file"));
}

TEST(Files, Directory) {
  ScratchDir dir;
  fs::create_directories(dir.path() / "scenario.textproto");
  const auto c = testing::check(dir.file("scenario.textproto"));
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "scenario.textproto", "", "is a directory"));
}

TEST(Files, DirectoryWithoutExtension) {
  ScratchDir dir;
  const auto c = testing::check(dir.path().string());
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "", "", "is a directory"));
}

TEST(Files, NotARegularFile) {
  ScratchDir dir;
  const auto fifo = dir.file("pipe.textproto");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto c = testing::check(fifo);  // must not block waiting for a writer
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "pipe.textproto", "", "not a regular file"));
}

TEST(Files, UnknownExtension) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.yaml", "assets: []"));
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "s.yaml", "", "unknown file extension"));
}

// Root reads every file whatever its mode, so the check runs in a child process that
// has given up root (as the unprivileged user nobody) before it opens the file.
TEST(Files, UnreadableFile) {
  ScratchDir dir;
  const auto path = dir.write("locked.textproto", kMinimalScenario);
  ASSERT_EQ(::chmod(path.c_str(), 0000), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && ::setuid(65534) != 0) ::_exit(10);
    const auto c = testing::check(path);
    const bool ok =
        c.status == LoadStatus::IoError && HasError(c, "locked.textproto", "", "cannot open: Permission denied");
    ::_exit(ok ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: could not drop root; 11: wrong status or message";
}

TEST(Files, BinaryGarbageInTextFormats) {
  ScratchDir dir;
  std::string garbage = "assets { id: \"a\" }\n";
  garbage += std::string("\x00\xff\xfe\x01", 4);
  for (const auto* name : {"g.textproto", "g.json"}) {
    const auto c = testing::check(dir.write(name, garbage));
    EXPECT_EQ(c.status, LoadStatus::Invalid) << name;
    EXPECT_TRUE(HasError(c, name, "", "not a text file: byte 0x00 at offset 19", 2)) << name;
  }
}

TEST(Files, InvalidUtf8InTextFormat) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("g.textproto", "name: \"caf\xC3\x28\"\n"));
  EXPECT_TRUE(HasError(c, "g.textproto", "", "not a text file", 1));
}

// protobuf's tokenizer quotes the byte it stopped at: the first byte of a multi-byte
// character (here a byte-order mark in mid-file) is not UTF-8 on its own. Every
// diagnostic must still be text: a terminal, a JSON report and Python's str take it.
TEST(Files, DiagnosticsAreUtf8EvenWhenTheParserQuotesHalfACharacter) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("m.textproto", "name: \"x\"\n\xEF\xBB\xBF\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  ASSERT_TRUE(c.diagnostics.has_errors());
  for (const auto& d : c.diagnostics.items()) EXPECT_TRUE(is_utf8(d.format())) << d.format();
  EXPECT_TRUE(HasError(c, "m.textproto", "", "\\xef", 2)) << c.dump();
}

TEST(Files, BinaryGarbage) {
  ScratchDir dir;
  // A truncated varint and bytes that are no valid wire format.
  const auto c = testing::check(dir.write("g.pb", std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "g.pb", "", "not a valid binary cpsf file"));
}

TEST(Files, TextSavedAsBinaryIsRefused) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("s.pb", kMinimalScenario));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_FALSE(c.diagnostics.empty());
  EXPECT_TRUE(c.diagnostics.has_errors()) << c.dump();
}

TEST(Files, BinaryWithUnknownFieldsIsRefused) {
  ScratchDir dir;
  // Field 999, varint 1: a newer schema or not a cpsf file.
  const auto c = testing::check(dir.write("s.pb", std::string("\xb8\x3e\x01", 3)));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "s.pb", "", "unknown field number 999"));
}

TEST(Files, BinaryUnknownFieldsDeepInsideArePlacedByPath) {
  ScratchDir dir;
  v1::Scenario s;
  s.add_relations();
  auto* ttc = s.add_relations()->mutable_step()->mutable_ttc();
  ttc->mutable_exponential();
  ttc->GetReflection()->MutableUnknownFields(ttc)->AddVarint(999, 1);
  s.add_assets()->GetReflection()->MutableUnknownFields(s.mutable_assets(0))->AddVarint(998, 1);
  const auto c = testing::check(dir.write("s.pb", serialise(s, Format::Binary)));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  std::vector<std::string> found;
  for (const auto& d : c.diagnostics.items()) {
    if (d.message.find("unknown field number") != std::string::npos) found.push_back(d.path + ": " + d.message);
  }
  // In field-number order, as the walk meets them: assets (11) before relations (12).
  const std::vector<std::string> want = {"assets[0]: unknown field number 998 in Asset",
                                         "relations[1].step.ttc: unknown field number 999 in Distribution"};
  EXPECT_EQ(found, want) << c.dump();
}

// The unknown fields a binary parse kept, as reported: "path: message".
std::vector<std::string> unknown_field_reports(const Checked& c) {
  std::vector<std::string> found;
  for (const auto& d : c.diagnostics.items()) {
    if (d.message.find("unknown field number") != std::string::npos) found.push_back(d.path + ": " + d.message);
  }
  return found;
}

TEST(Files, BinaryFieldOfTheWrongWireTypeIsUnknown) {
  ScratchDir dir;
  // assets (11, length-delimited) holding an Asset whose id (1, a string) comes as a
  // varint: protobuf keeps it as an unknown field, and it must be reported as one.
  const auto c = testing::check(dir.write("s.pb", std::string("\x5a\x02\x08\x05", 4)));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  const std::vector<std::string> want = {"assets[0]: unknown field number 1 in Asset"};
  EXPECT_EQ(unknown_field_reports(c), want) << c.dump();
}

TEST(Files, BinaryUnknownFieldBeyondLargeEntitiesIsFound) {
  // The bytes are read in blocks of 4 MiB: entities larger than a block, and fields that
  // straddle blocks, must not hide an unknown field after them.
  ScratchDir dir;
  v1::Scenario s;
  s.set_description(std::string(std::size_t{5} << 20, 'd'));
  s.add_relations()->set_id(std::string(std::size_t{9} << 20, 'r'));
  auto* ttc = s.add_relations()->mutable_step()->mutable_ttc();
  ttc->mutable_exponential();
  ttc->GetReflection()->MutableUnknownFields(ttc)->AddFixed64(999, 1);
  const auto c = testing::check(dir.write("s.pb", serialise(s, Format::Binary)));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  const std::vector<std::string> want = {"relations[1].step.ttc: unknown field number 999 in Distribution"};
  EXPECT_EQ(unknown_field_reports(c), want) << c.dump();
}

// may_have_unknown_fields on the bytes of `s` written to a file.
bool detects_unknown_fields(const v1::Scenario& s, const ScratchDir& dir) {
  const std::string bytes = serialise(s, Format::Binary);
  const int fd = ::open(dir.write("d.pb", bytes).c_str(), O_RDONLY | O_CLOEXEC);
  const bool found = may_have_unknown_fields(fd, bytes.size(), *v1::Scenario::descriptor());
  ::close(fd);
  return found;
}

TEST(Files, BinaryWithoutUnknownFieldsIsNotWalked) {
  // The reflection walk over every message costs seconds at 10^7 relations; the check of
  // the bytes before it must let a clean file through, and catch one unknown field.
  ScratchDir dir;
  v1::Scenario s = load_ok(kDefaultScenario);
  ASSERT_GT(s.relations_size(), 0);
  EXPECT_FALSE(detects_unknown_fields(s, dir));
  auto* asset = s.mutable_assets(s.assets_size() - 1);
  asset->GetReflection()->MutableUnknownFields(asset)->AddLengthDelimited(4000, "x");
  EXPECT_TRUE(detects_unknown_fields(s, dir));
}

TEST(Files, OverTheSizeLimitIsRefusedWithoutReading) {
  ScratchDir dir;
  // A sparse file far larger than memory would allow reading: refusal must come from
  // its size alone.
  const auto path = dir.file("huge.pb");
  { std::ofstream(path) << ""; }
  fs::resize_file(path, std::uint64_t{64} << 30);  // 64 GiB, sparse
  const auto c = testing::check(path);
  EXPECT_EQ(c.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(c, "huge.pb", "", "over the limit of 1.0 GiB"));
  // And a small limit applies to ordinary files.
  ReadLimits small;
  small.max_file_bytes = 10;
  const auto d = testing::check(dir.write("s.textproto", kMinimalScenario), small);
  EXPECT_EQ(d.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(d, "s.textproto", "", "over the limit of 10 bytes"));
}

TEST(Files, JsonNestingTooDeep) {
  ScratchDir dir;
  std::string deep = "{\"description\": \"x\", \"unknown\": ";
  for (int i = 0; i < 100000; ++i) deep += '[';
  const auto c = testing::check(dir.write("deep.json", deep));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "deep.json", "", "nesting deeper than"));
}

TEST(Files, TextNestingTooDeep) {
  ScratchDir dir;
  std::string deep = "assets { loss { outage_days { ";
  for (int i = 0; i < 100000; ++i) deep += "x { ";
  const auto c = testing::check(dir.write("deep.textproto", deep));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(c.diagnostics.has_errors());
}

// ---- includes -------------------------------------------------------------------------------

TEST(Includes, EntitiesAreMergedAndProblemsPlacedInTheirOwnFile) {
  ScratchDir dir;
  dir.write("parts/suppliers.textproto", R"(# suppliers
enterprises { id: "t1" baseline: "SCS-4" }
assets { id: "t1-it" owner: "t1" layer: L3 element: SYSTEM exposure: 0.2 }
assets { id: "t1-bad" owner: "t1" layer: L3 element: DATA exposure: 4 }
)");
  const auto top =
      dir.write("s.textproto", std::string("include: \"parts/suppliers.textproto\"\n") + std::string(kMinimalScenario) +
                                   "relations { from: \"t1-it\" to: \"vpn\" layer: L1 step { p: 0.3 } }\n");
  const auto c = testing::check(top);
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(HasError(c, "parts/suppliers.textproto", "asset 't1-bad'", "exposure is 4", 4));
  EXPECT_EQ(c.diagnostics.error_count(), 1u) << c.dump();
  Diagnostics d;
  LoadStatus status{};
  const auto loaded = load_scenario(top, d, status);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->scenario().assets_size(), 4);
  EXPECT_EQ(loaded->scenario().enterprises_size(), 2);
}

// Included entities are moved onto the top-level message's arena in file order, each
// remembering its file; the result stays whole through the moves its callers make.
TEST(Includes, MergedInOrderWithOriginsThroughMoves) {
  ScratchDir dir;
  v1::Scenario part;
  part.add_assets()->set_id("b1");
  dir.write("b.pb", serialise(part, Format::Binary));
  dir.write("a.json", R"({"include": ["b.pb"], "assets": [{"id": "a1"}, {"id": "a2"}]})");
  const auto top =
      dir.write("s.textproto", "include: \"a.json\"\nassets { id: \"t1\" }\nrelations { from: \"t1\" to: \"a1\" }\n");
  Diagnostics d;
  LoadStatus status{};
  std::optional<LoadedScenario> loaded = load_scenario(top, d, status);
  ASSERT_TRUE(loaded) << d.items().size();
  LoadedScenario held = std::move(*loaded);
  loaded = load_scenario(dir.write("other.textproto", "assets { id: \"x\" }\n"), d, status);
  loaded = std::move(held);  // replaces an engaged optional, as the Python binding does
  ASSERT_EQ(loaded->scenario().assets_size(), 4);
  const char* ids[] = {"t1", "a1", "a2", "b1"};
  const char* files[] = {"s.textproto", "a.json", "a.json", "b.pb"};
  const char* paths[] = {"assets[0]", "assets[0]", "assets[1]", "assets[0]"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(loaded->scenario().assets(i).id(), ids[i]);
    const auto [file, path] = loaded->where("assets", i);
    EXPECT_EQ(fs::path(*file).filename(), files[i]);
    EXPECT_EQ(path, paths[i]);
  }
  const auto [file, path] = loaded->where("relations", 0);  // from the top-level file only
  EXPECT_EQ(fs::path(*file).filename(), "s.textproto");
  EXPECT_EQ(path, "relations[0]");
  EXPECT_EQ(loaded->scenario().include_size(), 1);

  const LoadedScenario copy = in_memory_scenario(loaded->scenario(), "copy");
  EXPECT_EQ(copy.scenario().SerializeAsString(), loaded->scenario().SerializeAsString());
  EXPECT_EQ(copy.files.at(0).path, "copy");
}

TEST(Includes, Cycle) {
  ScratchDir dir;
  dir.write("a.textproto", "include: \"b.textproto\"\nassets { id: \"a\" }\n");
  dir.write("b.textproto", "include: \"a.textproto\"\n");
  const auto c = testing::check(dir.write("top.textproto", "include: \"a.textproto\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(
      HasError(c, "b.textproto", "", "include cycle: top.textproto → a.textproto → b.textproto → a.textproto", 1));
}

TEST(Includes, SelfInclude) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("top.textproto", "include: \"./top.textproto\"\n"));
  EXPECT_TRUE(HasError(c, "top.textproto", "", "include cycle", 1));
}

TEST(Includes, EscapingTheScenarioDirectory) {
  ScratchDir dir;
  dir.write("outside.textproto", "assets { id: \"x\" }\n");
  const auto c = testing::check(
      dir.write("scn/top.textproto", "include: \"../outside.textproto\"\ninclude: \"/etc/passwd.textproto\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "top.textproto", "", "outside the scenario's directory", 1));
  EXPECT_TRUE(HasError(c, "top.textproto", "", "is an absolute path", 2));
}

TEST(Includes, EscapingThroughASymlink) {
  ScratchDir dir;
  dir.write("secret/data.textproto", "assets { id: \"x\" }\n");
  fs::create_directories(dir.path() / "scn");
  fs::create_directory_symlink(dir.path() / "secret", dir.path() / "scn" / "link");
  const auto c = testing::check(dir.write("scn/top.textproto", "include: \"link/data.textproto\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "top.textproto", "", "outside the scenario's directory", 1));
}

TEST(Includes, IncludedFileMissing) {
  ScratchDir dir;
  const auto c = testing::check(dir.write("top.textproto", "\ninclude: \"parts/none.json\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "top.textproto", "", "included file \"parts/none.json\" not found", 2));
}

TEST(Includes, IncludedFileMayNotSetScenarioSettings) {
  ScratchDir dir;
  dir.write("part.textproto", "name: \"other\"\nsettings { trials: 5 }\n");
  const auto c = testing::check(dir.write("top.textproto", "include: \"part.textproto\"\n"));
  EXPECT_TRUE(HasError(c, "part.textproto", "", "sets \"name\"", 1));
  EXPECT_TRUE(HasError(c, "part.textproto", "", "sets \"settings\"", 2));
}

TEST(Includes, FormatsMixAndDiamondsLoadOnce) {
  ScratchDir dir;
  v1::Scenario shared;
  auto* e = shared.add_enterprises();
  e->set_id("oem");
  ASSERT_EQ(write_file_atomically(dir.file("shared.pb"), serialise(shared, Format::Binary)), "");
  dir.write("left.json", R"({"include": ["shared.pb"]})");
  dir.write("right.textproto", "include: \"shared.pb\"\n");
  const auto c =
      testing::check(dir.write("top.textproto",
                               "include: \"left.json\"\ninclude: \"right.textproto\"\n"
                               "assets { id: \"a\" owner: \"oem\" layer: L3 element: DATA exposure: 0.1 }\n"));
  EXPECT_EQ(c.status, LoadStatus::Ok);
  EXPECT_TRUE(c.diagnostics.empty()) << c.dump();  // no duplicate 'oem'
}

TEST(Includes, ErrorsInAnIncludedFileMakeTheScenarioInvalid) {
  ScratchDir dir;
  dir.write("part.textproto", "assets { id: \"a\" colour: \"red\" }\n");
  const auto c = testing::check(dir.write("top.textproto", "include: \"part.textproto\"\n"));
  EXPECT_EQ(c.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(c, "part.textproto", "", "unknown field \"colour\"", 1));
}

// ---- writing --------------------------------------------------------------------------------

TEST(Write, AtomicReplaceLeavesNoTemporaryFiles) {
  ScratchDir dir;
  const auto path = dir.write("out.textproto", "old");
  ASSERT_EQ(write_file_atomically(path, "new content\n"), "");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "new content\n");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(Write, IntoAMissingDirectoryFailsWithAMessage) {
  ScratchDir dir;
  const auto err = write_file_atomically(dir.file("no/such/dir/out.pb"), "x");
  EXPECT_NE(err.find("cannot create a temporary file"), std::string::npos) << err;
}

// ---- writing onto what is already there ------------------------------------------------------
// A FIFO, a character device or a descriptor is written through; a symbolic link is
// followed and its target replaced, the link kept; a directory, block device or socket
// is refused. Device nodes are the test's own (mknod, as root) or, unprivileged, the
// system's (which an unprivileged process could not replace anyway): a test that fails
// must never replace the machine's /dev/null.

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A character device like /dev/null (1, 3) or /dev/full (1, 7) to write onto.
std::string char_device(const ScratchDir& dir, const char* name, unsigned minor, const char* system) {
  if (::geteuid() != 0) return system;
  const std::string path = dir.file(name);
  if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) return system;
  return path;
}

bool is_kind(const std::string& path, mode_t kind) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

TEST(Write, ThroughASymlinkReplacesTheTargetAndKeepsTheLink) {
  ScratchDir dir;
  const auto target = dir.write("real/target.textproto", "old");
  fs::create_symlink("real/target.textproto", dir.file("link.textproto"));      // relative
  fs::create_symlink(dir.file("link.textproto"), dir.file("link2.textproto"));  // a chain
  ASSERT_EQ(write_file_atomically(dir.file("link2.textproto"), "new\n"), "");
  EXPECT_TRUE(is_kind(dir.file("link2.textproto"), S_IFLNK));
  EXPECT_TRUE(is_kind(dir.file("link.textproto"), S_IFLNK));
  EXPECT_TRUE(is_kind(target, S_IFREG));
  EXPECT_EQ(slurp(target), "new\n");
  int files = 0;  // no temporary file left beside the target
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "real")) ++files;
  EXPECT_EQ(files, 1);
  // A dangling link: its target is made.
  fs::create_symlink("made.json", dir.file("dangling.json"));
  ASSERT_EQ(write_file_atomically(dir.file("dangling.json"), "{}\n"), "");
  EXPECT_TRUE(is_kind(dir.file("dangling.json"), S_IFLNK));
  EXPECT_EQ(slurp(dir.file("made.json")), "{}\n");
  // A loop is an error, not a hang.
  fs::create_symlink("loop-b", dir.file("loop-a"));
  fs::create_symlink("loop-a", dir.file("loop-b"));
  EXPECT_NE(write_file_atomically(dir.file("loop-a"), "x"), "");
}

TEST(Write, ReplacingARegularFileKeepsItsPermissions) {
  ScratchDir dir;
  const auto path = dir.write("private.json", "old");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_EQ(write_file_atomically(path, "new"), "");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(slurp(path), "new");
}

TEST(Write, ThroughAFifo) {
  ScratchDir dir;
  const auto fifo = dir.file("out.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto keep = dir.file("keep");  // a second name of the FIFO, to release the reader if the write missed it
  ASSERT_EQ(::link(fifo.c_str(), keep.c_str()), 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  const auto err = write_file_atomically(fifo, "through the pipe\n");
  if (!is_kind(fifo, S_IFIFO)) {
    const int fd = ::open(keep.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  reader.join();
  EXPECT_EQ(err, "");
  EXPECT_EQ(got, "through the pipe\n");
  EXPECT_TRUE(is_kind(fifo, S_IFIFO));
}

TEST(Write, ThroughACharacterDeviceAndItsErrors) {
  ScratchDir dir;
  const auto null = char_device(dir, "null", 3, "/dev/null");
  EXPECT_EQ(write_file_atomically(null, "discarded"), "");
  EXPECT_TRUE(is_kind(null, S_IFCHR));
  const auto full = char_device(dir, "full", 7, "/dev/full");
  const auto err = write_file_atomically(full, "no room");
  EXPECT_NE(err.find("cannot write " + full), std::string::npos) << err;
  EXPECT_NE(err.find(std::strerror(ENOSPC)), std::string::npos) << err;
  EXPECT_TRUE(is_kind(full, S_IFCHR));  // the device is still a device
}

TEST(Write, ThroughADescriptorPath) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto err = write_file_atomically("/dev/fd/" + std::to_string(fds[1]), "to the descriptor");
  ::close(fds[1]);
  char buf[64] = {};
  const auto n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_EQ(err, "");
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "to the descriptor");
  const auto closed = write_file_atomically("/proc/self/fd/" + std::to_string(fds[1]), "x");  // closed now
  EXPECT_NE(closed.find(std::strerror(EBADF)), std::string::npos) << closed;
}

TEST(Write, DirectoriesBlockDevicesAndSocketsAreRefused) {
  ScratchDir dir;
  fs::create_directories(dir.path() / "sub");
  const auto d = write_file_atomically(dir.file("sub"), "x");
  EXPECT_NE(d.find("is a directory"), std::string::npos) << d;
  EXPECT_TRUE(is_kind(dir.file("sub"), S_IFDIR));
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const auto sock = dir.file("sock");
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const auto e = write_file_atomically(sock, "x");
  ::close(s);
  EXPECT_NE(e.find("is a socket"), std::string::npos) << e;
  EXPECT_TRUE(is_kind(sock, S_IFSOCK));
  if (::geteuid() == 0) {  // a block device node of the test's own (no such device behind it)
    const auto blk = dir.file("blk");
    ASSERT_EQ(::mknod(blk.c_str(), S_IFBLK | 0600, makedev(7, 250)), 0);
    const auto b = write_file_atomically(blk, "x");
    EXPECT_NE(b.find("is a block device"), std::string::npos) << b;
    EXPECT_TRUE(is_kind(blk, S_IFBLK));
  }
}

}  // namespace
}  // namespace cpsf
