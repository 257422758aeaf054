// The source tree's path, for the tests that read its files (scenarios/, the catalogue).
// CPSF_SOURCE_DIR is defined on this file's command line alone (tests/CMakeLists.txt), so
// that no other test object depends on where the tree is, and a clone at another path
// reuses them from ccache (scripts/build.sh).
namespace cpsf::testing {

extern const char* const kSourceDir;  // the tests see it through test_support.hpp
const char* const kSourceDir = CPSF_SOURCE_DIR;

}  // namespace cpsf::testing
