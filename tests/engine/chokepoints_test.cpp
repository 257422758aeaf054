#include <gtest/gtest.h>

// Placeholder: tests arrive with engine/cpsf/chokepoints.hpp.
TEST(chokepointsPlaceholder, Builds) { SUCCEED(); }
