// The integrity record of binary scenarios (scenario.proto, FileIntegrity): the length
// and CRC-32C of the serialised scenario that follows it, at the start of every .pb file
// cpsf writes. The reader checks it before parsing, so a file cut short or altered is
// refused; the record is never part of the scenario as loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cpsf/base/diagnostics.hpp"

namespace google::protobuf {
class Message;
}

namespace cpsf {

// The integrity record of a binary scenario: `kIntegrityRecordBytes` bytes saying the
// length and CRC-32C of `body`, the serialised scenario that follows it in the file.
inline constexpr std::size_t kIntegrityRecordBytes = 17;
inline constexpr char kIntegrityTag[3] = {'\xFA', '\x7F', '\x0E'};  // field 2047, length-delimited, 14 bytes
std::string integrity_record(std::string_view body);

// ---- for the reader and the writer (read.cpp, write.cpp) ----
bool is_scenario(const google::protobuf::Message& message);
// Drops a record that was read (it is never part of the scenario); whether there was one.
bool drop_integrity(google::protobuf::Message& message);
// Whether `head` (the file's first bytes) starts the record as cpsf writes it.
bool starts_with_record(std::string_view head);
// Checks the record at the start of a binary scenario of `size` bytes whose first bytes
// are `head` (at least min(size, 17)); `crc_of_rest` gives the CRC-32C of bytes
// [17, size), or nothing after reporting a read error. Reports and returns false when
// the file was cut or altered.
bool check_record(const std::string& file, std::string_view head, std::uint64_t size,
                  const std::function<std::optional<std::uint32_t>()>& crc_of_rest, Diagnostics& out);
// After a binary scenario parsed without a record at its start: warns that a cut cannot
// be detected, and drops a record found elsewhere (another tool rewrote the file).
void warn_unchecked(const std::string& file, google::protobuf::Message& message, Diagnostics& out);

}  // namespace cpsf
