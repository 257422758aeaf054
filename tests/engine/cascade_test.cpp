#include <gtest/gtest.h>

// Placeholder: tests arrive with engine/cpsf/cascade.hpp.
TEST(cascadePlaceholder, Builds) { SUCCEED(); }
