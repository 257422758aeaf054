#include "cpsf/io/integrity.hpp"

#include <google/protobuf/descriptor.h>

#include <cstdio>

#include "cpsf/base/crc32c.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

// The record's field, for clearing it from what was read.
const pb::FieldDescriptor& integrity_field() {
  static const pb::FieldDescriptor* f = v1::Scenario::descriptor()->FindFieldByName("integrity");
  return *f;
}

std::uint64_t read_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(p[k]);
  return v;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

constexpr const char* kRewriteHint =
    "the file is damaged: write it again from its source (cpsf convert or generate, or Scenario.save in Python)";

}  // namespace

bool is_scenario(const pb::Message& message) { return message.GetDescriptor() == v1::Scenario::descriptor(); }

bool drop_integrity(pb::Message& message) {
  if (!is_scenario(message) || !message.GetReflection()->HasField(message, &integrity_field())) return false;
  message.GetReflection()->ClearField(&message, &integrity_field());
  return true;
}

bool starts_with_record(std::string_view head) {
  return head.size() >= 3 && head.compare(0, 3, std::string_view(kIntegrityTag, 3)) == 0;
}

bool check_record(const std::string& file, std::string_view head, std::uint64_t size,
                  const std::function<std::optional<std::uint32_t>()>& crc_of_rest, Diagnostics& out) {
  if (size < kIntegrityRecordBytes || static_cast<unsigned char>(head[3]) != 0x09 ||
      static_cast<unsigned char>(head[12]) != 0x15) {
    out.error(file, "integrity", "",
              "the file was cut short or altered: it ends inside its integrity record, or the record is damaged (" +
                  std::to_string(size) + " bytes)",
              kRewriteHint);
    return false;
  }
  const std::uint64_t length = read_le(head.data() + 4, 8);
  const auto crc = static_cast<std::uint32_t>(read_le(head.data() + 13, 4));
  const std::uint64_t rest = size - kIntegrityRecordBytes;
  if (length != rest) {
    out.error(file, "integrity", "",
              std::string(rest < length ? "the file was cut short" : "the file was altered") +
                  ": its integrity record says " + std::to_string(length) + " bytes follow it, but " +
                  std::to_string(rest) + " do (the file has " + std::to_string(size) + " bytes, " +
                  std::to_string(length + kIntegrityRecordBytes) + " were written)",
              kRewriteHint);
    return false;
  }
  const std::optional<std::uint32_t> actual = crc_of_rest();
  if (!actual) return false;  // a read error, reported
  if (*actual != crc) {
    out.error(file, "integrity", "",
              "the file was altered: the CRC-32C of the " + std::to_string(rest) +
                  " bytes after its integrity record is " + hex32(*actual) + ", the record says " + hex32(crc),
              kRewriteHint);
    return false;
  }
  return true;
}

void warn_unchecked(const std::string& file, pb::Message& message, Diagnostics& out) {
  if (!is_scenario(message)) return;
  if (drop_integrity(message)) {
    out.warning(file, "integrity", "",
                "the file's integrity record is not at its start (another tool rewrote the file), so it cannot be "
                "checked and a file cut short cannot be detected",
                "write the file again with cpsf convert to restore the record");
  } else {
    out.warning(file, "", "",
                "the file has no integrity record (it was not written by cpsf), so a file cut short between two "
                "fields cannot be detected",
                "cpsf convert it to a .pb (or save it from Python) to add one");
  }
}

std::string integrity_record(std::string_view body) {
  std::string record(kIntegrityTag, 3);
  const auto append_le = [&](std::uint64_t v, int bytes) {
    for (int k = 0; k < bytes; ++k) record += static_cast<char>((v >> (8 * k)) & 0xFF);
  };
  record += '\x09';  // field 1, fixed64
  append_le(body.size(), 8);
  record += '\x15';  // field 2, fixed32
  append_le(crc32c(0, body.data(), body.size()), 4);
  return record;
}

}  // namespace cpsf
