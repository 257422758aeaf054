// CRC-32C (Castagnoli; iSCSI, RFC 3720): the checksum of a binary scenario's integrity
// record (io/integrity.hpp). SSE4.2's crc32 instruction where the CPU has it, else
// slicing-by-8 tables; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cpsf {

// The CRC-32C of `data` following a prefix whose CRC-32C is `crc` (0 for none):
// crc32c(crc32c(0, a), b) == crc32c(0, a + b). crc32c(0, "123456789") == 0xE3069283.
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size) noexcept;
// The same by tables only, whatever the CPU (for tests of both ways).
std::uint32_t crc32c_tables(std::uint32_t crc, const void* data, std::size_t size) noexcept;

}  // namespace cpsf
