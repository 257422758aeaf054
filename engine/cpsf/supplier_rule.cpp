// Placeholder: filled in by the change that adds engine/cpsf/supplier_rule.hpp.
