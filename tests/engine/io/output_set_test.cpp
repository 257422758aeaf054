// The output directory's primitives (io/output_set): the lock, the set staged and switched
// in one step, what is kept, a write that fails half-way, dead writers' leftovers, held
// signals.
#include "cpsf/io/output_set.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace cpsf {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every entry of `dir` with its content ("<dir>" for a directory): what a reader sees.
std::map<std::string, std::string> listing(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out[e.path().filename().string()] = e.is_directory() ? "<dir>" : read(e.path());
  }
  return out;
}

// Entries of `dir` whose names say they are cpsf's staging directories.
std::vector<std::string> staging_left(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".cpsf-") != std::string::npos) out.push_back(name);
  }
  return out;
}

// Writes `files` into `dir` as a set; "" or the first error.
std::string write_set(OutputLock& lock, const std::map<std::string, std::string>& files) {
  OutputSet set(lock);
  if (std::string err = set.begin(); !err.empty()) return err;
  for (const auto& [name, text] : files) {
    if (std::string err = set.write(name, text); !err.empty()) return err;
  }
  return set.commit();
}

TEST(OutputSet, ANewDirectoryGetsTheSetAndNothingElse) {
  ScratchDir dir;
  const fs::path out = dir.path() / "a" / "out";  // its parent is made too
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  ASSERT_EQ(write_set(lock, {{"results.json", "{}\n"}, {"losses.csv", "loss\n1\n"}}), "");
  EXPECT_EQ(listing(out), (std::map<std::string, std::string>{{"losses.csv", "loss\n1\n"}, {"results.json", "{}\n"}}));
  EXPECT_TRUE(staging_left(dir.path() / "a").empty());
  EXPECT_EQ(fs::status(out / "results.json").permissions(), static_cast<fs::perms>(0644));
}

TEST(OutputSet, TheSetReplacesTheOldOneAndKeepsEverythingElse) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("out/results.json", "old results");
  dir.write("out/losses.csv", "old losses");
  dir.write("out/compare.json", "another verb's");
  dir.write("out/notes.txt", "mine");
  dir.write("out/sub/deep.txt", "mine too");
  fs::permissions(out / "results.json", static_cast<fs::perms>(0600));
  fs::permissions(out, static_cast<fs::perms>(0750));
  const auto before = fs::status(out / "notes.txt");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  ASSERT_EQ(write_set(lock, {{"results.json", "new results"}, {"losses.csv", "new losses"}}), "");
  EXPECT_EQ(listing(out), (std::map<std::string, std::string>{{"compare.json", "another verb's"},
                                                              {"losses.csv", "new losses"},
                                                              {"notes.txt", "mine"},
                                                              {"results.json", "new results"},
                                                              {"sub", "<dir>"}}));
  EXPECT_EQ(read(out / "sub" / "deep.txt"), "mine too");
  EXPECT_EQ(fs::status(out / "results.json").permissions(), static_cast<fs::perms>(0600));  // kept
  EXPECT_EQ(fs::status(out).permissions(), static_cast<fs::perms>(0750));
  EXPECT_EQ(before.permissions(), fs::status(out / "notes.txt").permissions());
  EXPECT_TRUE(staging_left(dir.path()).empty());
  EXPECT_TRUE(staging_left(out).empty());
}

TEST(OutputSet, ALinkGivenAsTheDirectoryStaysALink) {
  ScratchDir dir;
  dir.write("real/results.json", "old");
  fs::create_directory_symlink("real", dir.path() / "link");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(dir.file("link"), true), "");
  EXPECT_EQ(lock.path(), fs::canonical(dir.path() / "real").string());
  ASSERT_EQ(write_set(lock, {{"results.json", "new"}}), "");
  EXPECT_TRUE(fs::is_symlink(dir.path() / "link"));
  EXPECT_EQ(read(dir.path() / "real" / "results.json"), "new");
}

TEST(OutputSet, AWriteThatFailsHalfWayLeavesTheOldSetAndNoStaging) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("out/results.json", "old results");
  dir.write("out/losses.csv", "old losses");
  const auto before = listing(out);
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  OutputSet::fail_writes_after(15);  // the first file whole, the second cut in the middle
  const std::string err = write_set(lock, {{"losses.csv", "new losses"}, {"results.json", "new results"}});
  OutputSet::fail_writes_after(std::nullopt);
  EXPECT_NE(err.find("cannot write " + out.string() + "/results.json: No space left on device"), std::string::npos)
      << err;
  EXPECT_EQ(listing(out), before);
  EXPECT_TRUE(staging_left(dir.path()).empty());
  EXPECT_TRUE(staging_left(out).empty());
}

TEST(OutputSet, ASetNotCommittedIsRemoved) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("out/results.json", "old");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  {
    OutputSet set(lock);
    ASSERT_EQ(set.begin(), "");
    ASSERT_EQ(set.write("results.json", "new"), "");
    EXPECT_TRUE(fs::exists(fs::path(set.staging()) / "results.json"));
  }
  EXPECT_EQ(listing(out), (std::map<std::string, std::string>{{"results.json", "old"}}));
  EXPECT_TRUE(staging_left(dir.path()).empty());
}

TEST(OutputSet, ADirectoryAtOneOfTheNamesIsRefusedBeforeAnythingIsReplaced) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("out/losses.csv", "old");
  fs::create_directories(out / "results.json");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  const std::string err = write_set(lock, {{"losses.csv", "new"}, {"results.json", "new"}});
  EXPECT_NE(err.find("results.json: it is a directory (fix: "), std::string::npos) << err;
  EXPECT_EQ(read(out / "losses.csv"), "old");
  EXPECT_TRUE(staging_left(dir.path()).empty());
}

TEST(OutputSet, ALinkAtOneOfTheNamesIsFollowedAndStays) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("elsewhere/results.json", "old");
  fs::create_directories(out);
  fs::create_symlink(dir.path() / "elsewhere" / "results.json", out / "results.json");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  ASSERT_EQ(write_set(lock, {{"results.json", "new"}, {"losses.csv", "new losses"}}), "");
  EXPECT_TRUE(fs::is_symlink(out / "results.json"));
  EXPECT_EQ(read(dir.path() / "elsewhere" / "results.json"), "new");
  EXPECT_EQ(read(out / "losses.csv"), "new losses");
  EXPECT_TRUE(staging_left(out).empty());
}

TEST(OutputLock, ASecondWriterIsRefusedAndTheHoldersPidNamed) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  std::array<int, 2> ready{}, release{};
  ASSERT_EQ(::pipe(ready.data()), 0);
  ASSERT_EQ(::pipe(release.data()), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the lock until told
    OutputLock lock;
    const bool locked = lock.acquire(out.string(), true).empty();
    char c = locked ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(release[0], &c, 1);
    ::_exit(locked ? 0 : 1);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  OutputLock second;
  const std::string err = second.acquire(out.string(), true);
  EXPECT_NE(err.find("is in use: another cpsf (pid " + std::to_string(child) + ") is writing into it (fix: "),
            std::string::npos)
      << err;
  (void)!::write(release[1], &c, 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  OutputLock third;  // the lock went with the process
  EXPECT_EQ(third.acquire(out.string(), true), "");
}

TEST(OutputLock, ADirectoryMadeForNothingIsRemovedAgain) {
  ScratchDir dir;
  {
    OutputLock lock;
    ASSERT_EQ(lock.acquire(dir.file("new/out"), true), "");
    EXPECT_TRUE(fs::is_directory(dir.path() / "new" / "out"));
  }
  EXPECT_FALSE(fs::exists(dir.path() / "new"));
  OutputLock file;
  dir.write("file", "");
  EXPECT_NE(file.acquire(dir.file("file"), true).find("it is not a directory (fix: "), std::string::npos);
  OutputLock missing;
  EXPECT_NE(missing.acquire(dir.file("missing"), false), "");
  EXPECT_FALSE(fs::exists(dir.path() / "missing"));
}

TEST(OutputSet, ADeadWritersLeftoversAreCleanedNothingOfTheUsersDeleted) {
  ScratchDir dir;
  const fs::path out = dir.path() / "out";
  dir.write("out/results.json", "current");
  dir.write("out/notes.txt", "mine");
  // Killed before its switch: a staging directory (with its marker) of new files and links.
  dir.write(".out.cpsf-999999/.cpsf-staging", "");
  dir.write(".out.cpsf-999999/results.json", "never switched in");
  fs::create_hard_link(out / "notes.txt", dir.path() / ".out.cpsf-999999" / "notes.txt");
  // Killed after its switch: the old directory, with the user's subdirectory not yet moved
  // back and an old version of a file it replaced.
  dir.write(".out.cpsf-999998/sub/deep.txt", "mine too");
  dir.write(".out.cpsf-999998/results.json", "older");
  // Killed in place: a staging directory inside.
  dir.write("out/.cpsf-staging-999997/.cpsf-staging", "");
  dir.write("out/.cpsf-staging-999997/losses.csv", "never switched in");
  OutputLock lock;
  ASSERT_EQ(lock.acquire(out.string(), true), "");
  ASSERT_EQ(write_set(lock, {{"losses.csv", "new"}}), "");
  EXPECT_EQ(listing(out),
            (std::map<std::string, std::string>{
                {"losses.csv", "new"}, {"notes.txt", "mine"}, {"results.json", "current"}, {"sub", "<dir>"}}));
  EXPECT_EQ(read(out / "sub" / "deep.txt"), "mine too");
  EXPECT_TRUE(staging_left(dir.path()).empty());
}

TEST(SignalHold, SignalsWaitAndTheirHandlersComeBack) {
  ASSERT_EQ(std::signal(SIGTERM, SIG_DFL), SIG_DFL);
  ::signal(SIGHUP, SIG_IGN);
  {
    SignalHold hold;
    EXPECT_EQ(SignalHold::signal(), 0);
    ::raise(SIGTERM);  // would end the test without the hold
    ::raise(SIGINT);
    ::raise(SIGHUP);  // ignored before: still ignored
    EXPECT_EQ(SignalHold::signal(), SIGTERM);
  }
  EXPECT_EQ(std::signal(SIGTERM, SIG_DFL), SIG_DFL);
  EXPECT_EQ(std::signal(SIGHUP, SIG_DFL), SIG_IGN);
}

}  // namespace
}  // namespace cpsf
