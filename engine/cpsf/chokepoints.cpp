// Placeholder: filled in by the change that adds engine/cpsf/chokepoints.hpp.
