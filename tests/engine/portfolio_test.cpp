#include <gtest/gtest.h>

// Placeholder: tests arrive with engine/cpsf/portfolio.hpp.
TEST(portfolioPlaceholder, Builds) { SUCCEED(); }
