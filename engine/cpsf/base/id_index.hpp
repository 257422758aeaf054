// IdIndex: the ids of one scenario list → their position in it, for validate() and compile().
//
// Keys are views of the scenario's own id strings, so building the index copies no id:
// at 10^7 relations, string-keyed std::unordered_maps spent more on copying ids and
// allocating nodes than on the lookups. Open addressing with linear probing over a
// power-of-two table at most three quarters full; a slot is 16 bytes (an id's length fits
// in 32 bits: protobuf strings are under 2 GiB). The scenario must outlive the index.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

namespace cpsf {

class IdIndex {
 public:
  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

  // `expected`: how many ids will be added (the table is sized once for them).
  explicit IdIndex(std::size_t expected = 0) { rehash(capacity_for(expected)); }

  // Maps `id` to `index` unless `id` is present already. Returns the index `id` maps to
  // and whether it was added. `index` must not be kAbsent.
  std::pair<std::uint32_t, bool> emplace(std::string_view id, std::uint32_t index) {
    if (size_ + 1 > slots_.size() / 4 * 3) rehash(slots_.size() * 2);
    Slot& slot = slots_[probe(id)];
    if (slot.index != kAbsent) return {slot.index, false};
    slot = Slot{id.data(), static_cast<std::uint32_t>(id.size()), index};
    ++size_;
    return {index, true};
  }

  // The index of `id`, or kAbsent.
  [[nodiscard]] std::uint32_t find(std::string_view id) const { return slots_[probe(id)].index; }
  [[nodiscard]] bool contains(std::string_view id) const { return find(id) != kAbsent; }
  [[nodiscard]] std::size_t size() const { return size_; }

  // Calls f(id, index) for every entry, in table order (not insertion order).
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& slot : slots_) {
      if (slot.index != kAbsent) f(std::string_view(slot.data, slot.size), slot.index);
    }
  }

 private:
  struct Slot {
    const char* data = nullptr;
    std::uint32_t size = 0;
    std::uint32_t index = kAbsent;  // kAbsent: empty (ids may be empty strings)
  };

  static std::size_t capacity_for(std::size_t n) {
    std::size_t capacity = 8;
    while (capacity / 4 * 3 < n) capacity *= 2;
    return capacity;
  }

  // The slot holding `id`, or the empty slot where it would go.
  [[nodiscard]] std::size_t probe(std::string_view id) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = std::hash<std::string_view>{}(id)&mask;
    while (true) {
      const Slot& slot = slots_[i];
      if (slot.index == kAbsent) return i;
      if (slot.size == id.size() && (id.empty() || std::memcmp(slot.data, id.data(), id.size()) == 0)) return i;
      i = (i + 1) & mask;
    }
  }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.index != kAbsent) slots_[probe(std::string_view(slot.data, slot.size))] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace cpsf
