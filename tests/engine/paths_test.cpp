#include <gtest/gtest.h>

// Placeholder: tests arrive with engine/cpsf/paths.hpp.
TEST(pathsPlaceholder, Builds) { SUCCEED(); }
