// Placeholder: filled in by the change that adds engine/cpsf/portfolio.hpp.
