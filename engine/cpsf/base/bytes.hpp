// Plain bytes of trivially copyable values, for the engine's own binary state (histograms,
// run statistics, checkpoints): this machine's representation, read back on the same kind
// of machine. A reader that runs short throws std::runtime_error, never reads past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace cpsf {

template <class T>
void put_bytes(std::vector<std::uint8_t>& bytes, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  bytes.insert(bytes.end(), p, p + sizeof value);
}

// `what` names the data in the error ("histogram", "checkpoint").
template <class T>
T take_bytes(const std::vector<std::uint8_t>& bytes, std::size_t& at, const char* what) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (at > bytes.size() || bytes.size() - at < sizeof(T))
    throw std::runtime_error(std::string(what) + ": truncated data");
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  at += sizeof value;
  return value;
}

// A count of items of at least `item_bytes` each that the rest of `bytes` can hold.
inline std::uint64_t take_count(const std::vector<std::uint8_t>& bytes, std::size_t& at, std::size_t item_bytes,
                                const char* what) {
  const auto n = take_bytes<std::uint64_t>(bytes, at, what);
  if (n > (bytes.size() - at) / (item_bytes == 0 ? 1 : item_bytes)) {
    throw std::runtime_error(std::string(what) + ": a count beyond the data");
  }
  return n;
}

}  // namespace cpsf
