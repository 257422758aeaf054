// The names of the CPSF layers and elements by the model's indices (model.hpp:
// asset_layer 0..2, asset_element 0..5), as the writers print them.
#pragma once

#include <cstdint>

namespace cpsf {

inline constexpr const char* kLayerNames[3] = {"L1", "L2", "L3"};
inline constexpr const char* kElementNames[6] = {"ORGANIZATION", "PEOPLE", "COMPONENT", "DATA", "PROCEDURE", "SYSTEM"};

// "?" for a value outside the tables, which compile() refuses but a hand-made Model could
// hold: a writer never reads past them.
inline const char* layer_name(std::uint8_t layer) { return layer < 3 ? kLayerNames[layer] : "?"; }
inline const char* element_name(std::uint8_t element) { return element < 6 ? kElementNames[element] : "?"; }

}  // namespace cpsf
