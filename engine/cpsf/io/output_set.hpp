// An output directory (--out) written as a set: locked against a second writer for the
// whole run, its files staged in a fresh directory and switched in one step, interrupts
// held meanwhile (docs/cli.md, "Output directories").
#pragma once

#include <array>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpsf {

// SIGINT, SIGTERM and SIGHUP recorded instead of acted on while one of these lives (a
// signal the process ignores, e.g. SIGHUP under nohup, stays ignored); the previous
// dispositions come back at its end. signal() names the first that came (0: none).
class SignalHold {
 public:
  SignalHold();
  ~SignalHold();
  SignalHold(const SignalHold&) = delete;
  SignalHold& operator=(const SignalHold&) = delete;
  [[nodiscard]] static int signal();

 private:
  bool active_ = false;
};

// The lock of an output directory: flock(2) on the directory itself, so it vanishes with
// the process and leaves no file behind. Held from acquire() to destruction.
class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock();  // unlocks; removes the directories acquire() made if they are still empty
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  // Locks `dir` (made with its missing parents when `create`); "" or why not, e.g. "out is
  // in use by another cpsf (pid 4242) writing into it (fix: ...)". A directory made here is
  // removed again, if still empty, by SIGINT, SIGTERM or SIGHUP (see restore_interrupts).
  std::string acquire(const std::string& dir, bool create);
  // The directory, absolute with links resolved (the switch replaces that one; a link
  // given as --out stays).
  [[nodiscard]] const std::string& path() const { return path_; }
  // The directory as it was given, for messages.
  [[nodiscard]] const std::string& given() const { return given_; }
  // Keeps `fd` (a directory's descriptor, locked) open, and so locked, until the end.
  void adopt(int fd) { fds_.push_back(fd); }
  // The directories acquire() made now hold a result: never removed.
  void keep_made() { made_.clear(); }

 private:
  std::vector<int> fds_;
  std::string path_, given_;
  std::vector<std::string> made_;
  bool installed_ = false;  // the handlers that remove made_, over these:
  std::array<struct sigaction, 3> previous_{};
};

// SIGINT and SIGTERM back at their defaults for a verb that had its own handler, except that while an
// OutputLock lives the default first removes the empty directories it made.
void restore_interrupts();
// Removes the empty directories the live OutputLock made; async-signal-safe (for a
// handler that ends the process with _exit).
void remove_made_directories() noexcept;

// The pid holding a flock(2) on the file or directory `fd` (from /proc/locks); nothing
// when unknown.
std::optional<long> flock_holder(int fd);

// A set of files replacing the ones of the same names in a locked directory, all at once.
// Files are written into a staging directory beside it (same filesystem), synced, then
// switched in by renameat2(RENAME_EXCHANGE) of the two directories; the other entries of
// the directory (a user's files, another verb's results) are hard-linked into the new one,
// and whatever could not be linked is moved across after the switch: nothing cpsf did not
// write is ever deleted. When the exchange cannot be done (a mount point, a read-only
// parent, a filesystem without it, or a link, FIFO or device at one of the set's names)
// the files are renamed in one after another from a staging directory inside: still
// written in full before any is replaced, interrupts still held, but a reader may see the
// moment between two renames. SIGINT, SIGTERM and SIGHUP are held from begin() to the end.
class OutputSet {
 public:
  explicit OutputSet(OutputLock& lock) : lock_(lock) {}
  ~OutputSet();  // not committed: the staging directory is removed, the old set stays
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // Removes the staging directories of dead writers of this directory, makes this one's,
  // and holds interrupts. "" or why not.
  std::string begin();
  // The staging directory: write() puts files there; a tool may write into it directly.
  [[nodiscard]] const std::string& staging() const { return staging_; }
  // Writes staging/name. "" or why not (e.g. "cannot write out/results.json: No space left
  // on device", named by where it will be).
  std::string write(const std::string& name, std::string_view bytes);
  // `name`, a file an earlier set in the directory may hold and this one has none of (run's
  // losses.csv without --per-trial), goes with the old set instead of staying beside the
  // new one. Before commit().
  void retire(std::string name) { retired_.push_back(std::move(name)); }
  // Switches every file in staging() in. "" or why not (then the old set is as it was).
  std::string commit();
  // Said after commit(): entries left in a directory beside because they could not be put
  // back (never deleted).
  [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

  // Test hook: every write() fails with "No space left on device" once `bytes` in all
  // were written (nothing: off). CPSF_TEST_FAIL_WRITE_AFTER_BYTES sets it for the CLI.
  static void fail_writes_after(std::optional<std::uint64_t> bytes);

 private:
  std::string commit_by_exchange(const std::vector<std::string>& names, bool& done);
  std::string commit_in_place(const std::vector<std::string>& names);
  void remove_staging();

  OutputLock& lock_;
  std::string staging_;
  int staging_fd_ = -1;
  bool beside_ = false, committed_ = false;
  std::optional<SignalHold> hold_;
  std::vector<std::string> warnings_;
  std::vector<std::string> retired_;
};

}  // namespace cpsf
