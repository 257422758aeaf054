#include <gtest/gtest.h>

// Placeholder: tests arrive with engine/cpsf/compare.hpp.
TEST(comparePlaceholder, Builds) { SUCCEED(); }
