#include "cpsf/io/output_set.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cpsf/io/write.hpp"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)  // linux/fs.h; glibc declares it only with _GNU_SOURCE's renameat2
#endif

namespace cpsf {

namespace fs = std::filesystem;

namespace {

constexpr std::array<int, 3> kHeldSignals = {SIGINT, SIGTERM, SIGHUP};
// In a staging directory from begin() until the switch: a directory holding it is one
// whose files were never switched in (see clean_dir).
constexpr const char* kMarker = ".cpsf-staging";
constexpr const char* kInsidePrefix = ".cpsf-staging-";

// Every file a verb of cpsf writes into an output directory (run, compare, optimise,
// report, export inventory): in the old directory a dead writer left after its switch, the
// ones it replaced (out holds their successors) may be removed.
constexpr std::array<const char*, 22> kKnownNames = {
    "results.json",       "assets.csv",           "losses.csv",       "enterprises.csv",     "paths.csv",
    "chokepoints.csv",    "attack-graph.graphml", "attack-graph.dot", "report.html",         "report.pdf",
    "report.pdf.partial", "compare.json",         "compare.csv",      "compare-profile.csv", "optimise.json",
    "frontier.csv",       "scenario.csv",         "relations.csv",    "dependencies.csv",    "controls.csv",
    "threats.csv",        "requirements.csv"};

volatile std::sig_atomic_t g_held = 0;
extern "C" void on_held_signal(int sig) {
  if (g_held == 0) g_held = sig;
}

const std::vector<std::string>* g_made = nullptr;  // the live OutputLock's made directories
extern "C" void on_signal_remove_made(int sig) {
  remove_made_directories();
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // delivered when this handler returns: the process ends as the signal says
}

void install(int sig, void (*handler)(int), struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(sig, &action, previous);
}

bool ignored(int sig) {
  struct sigaction current {};
  ::sigaction(sig, nullptr, &current);
  return current.sa_handler == SIG_IGN;  // NOLINT(cppcoreguidelines-pro-type-union-access)
}

std::array<struct sigaction, 3> g_previous{};

std::optional<std::uint64_t> g_fail_after;
std::uint64_t g_written = 0;

std::string error_text(int error) { return std::strerror(error); }

// dir/name, in one allocation (called in loops over a directory's entries).
std::string join(const std::string& dir, const std::string& name) {
  std::string path;
  path.reserve(dir.size() + 1 + name.size());
  path.append(dir).append("/").append(name);
  return path;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_known(const std::string& name, const std::vector<std::string>& names) {
  for (const char* known : kKnownNames) {
    if (name == known) return true;
  }
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The names in `dir` ("." and ".." left out); empty when it cannot be read.
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") out.emplace_back(name);
  }
  ::closedir(d);
  return out;
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// Test hook (docs/cli.md): waits until the FIFO named by `variable` is opened and closed
// by a writer, so that a test acts at this very moment.
void pause_for_test(const char* variable) {
  const char* fifo = std::getenv(variable);
  if (fifo == nullptr || *fifo == '\0') return;
  int fd = -1;
  do {
    fd = ::open(fifo, O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return;
  std::array<char, 64> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    break;
  }
  ::close(fd);
}

// Empties `dir` and removes it. A staging directory (it holds the marker) holds only what
// cpsf wrote and hard links of out's entries: all of it goes. The old directory after a
// switch is emptied against `out`, the live one: an entry that is a hard link of out's
// entry of that name goes; a file cpsf writes (of `names` or kKnownNames) goes when out
// holds its successor, or when it is `retired` (OutputSet::retire); anything else whose
// name out lacks (a subdirectory, a file made during the switch) is moved into out.
// Nothing else is deleted: what is left is named in `warnings`.
void clean_dir(const std::string& dir, const std::string& out, const std::vector<std::string>& names,
               const std::vector<std::string>& retired, std::vector<std::string>& warnings) {
  const std::string marker = dir + "/" + kMarker;
  const bool staging = ::access(marker.c_str(), F_OK) == 0;
  std::string left;
  for (const std::string& name : entries(dir)) {
    if (name == kMarker) continue;
    const std::string from = join(dir, name), to = join(out, name);
    struct stat here {
    }, there{};
    if (::lstat(from.c_str(), &here) != 0) continue;
    const bool exists = ::lstat(to.c_str(), &there) == 0;
    const bool link = exists && here.st_dev == there.st_dev && here.st_ino == there.st_ino;
    const bool ours = !S_ISDIR(here.st_mode) && (staging || (exists && is_known(name, names)) ||
                                                 std::find(retired.begin(), retired.end(), name) != retired.end());
    if ((link || ours) && ::unlink(from.c_str()) == 0) continue;
    if (!staging && !exists && ::rename(from.c_str(), to.c_str()) == 0) continue;
    left += (left.empty() ? "" : ", ") + name;
  }
  ::unlink(marker.c_str());
  if (::rmdir(dir.c_str()) != 0 && !left.empty()) {
    warnings.push_back("left " + dir + ": it holds " + left +
                       ", which cpsf did not write and could not put back (fix: look at it, then move or remove it)");
  }
}

// The staging directories of dead writers of `out`: beside it (.NAME.cpsf-PID in its
// parent) and inside (.cpsf-staging-PID). A writer holds a flock on its staging directory
// until it exits, so one that can be locked now belongs to a process that is gone.
void clean_stale(const std::string& out, std::vector<std::string>& warnings) {
  const fs::path path(out);
  const std::string parent = path.parent_path().string(), beside = "." + path.filename().string() + ".cpsf-";
  std::vector<std::string> stale;
  for (const std::string& name : entries(parent)) {
    if (name.rfind(beside, 0) == 0 && all_digits(std::string_view(name).substr(beside.size()))) {
      stale.push_back(join(parent, name));
    }
  }
  for (const std::string& name : entries(out)) {
    const std::string_view prefix = kInsidePrefix;
    if (name.rfind(prefix, 0) == 0 && all_digits(std::string_view(name).substr(prefix.size()))) {
      stale.push_back(join(out, name));
    }
  }
  for (const std::string& dir : stale) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) clean_dir(dir, out, {}, {}, warnings);
    ::close(fd);
  }
}

// Writes all of `bytes` to `fd`, failing as a full disk would once the test hook's limit is
// reached; 0 or the errno.
int write_bytes(int fd, std::string_view bytes) {
  std::size_t allowed = bytes.size();
  if (g_fail_after && g_written + bytes.size() > *g_fail_after) allowed = *g_fail_after - g_written;
  std::size_t done = 0;
  while (done < allowed) {
    const ssize_t n = ::write(fd, bytes.data() + done, allowed - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  g_written += done;
  return allowed < bytes.size() ? ENOSPC : 0;
}

// Whether the staging directory can be beside `out` and exchanged with it: on the same
// filesystem (not when `out` is a mount point), and not for the working directory
// (`--out .`): the shell cpsf came from would be left in the old directory, seeing nothing.
bool can_stage_beside(const fs::path& out) {
  if (!out.has_filename()) return false;  // "/"
  struct stat parent {};
  struct stat self {};
  struct stat cwd {};
  if (::stat(out.parent_path().c_str(), &parent) != 0 || ::stat(out.c_str(), &self) != 0) return false;
  if (::stat(".", &cwd) == 0 && cwd.st_dev == self.st_dev && cwd.st_ino == self.st_ino) return false;
  return parent.st_dev == self.st_dev;
}

}  // namespace

// ---- SignalHold ---------------------------------------------------------------------------

SignalHold::SignalHold() : active_(true) {
  g_held = 0;
  for (std::size_t i = 0; i < kHeldSignals.size(); ++i) {
    ::sigaction(kHeldSignals[i], nullptr, &g_previous[i]);
    if (!ignored(kHeldSignals[i])) install(kHeldSignals[i], on_held_signal, nullptr);
  }
}

SignalHold::~SignalHold() {
  if (!active_) return;
  for (std::size_t i = 0; i < kHeldSignals.size(); ++i) ::sigaction(kHeldSignals[i], &g_previous[i], nullptr);
}

int SignalHold::signal() { return g_held; }

// ---- OutputLock ---------------------------------------------------------------------------

void remove_made_directories() noexcept {
  if (g_made == nullptr) return;
  for (auto it = g_made->rbegin(); it != g_made->rend(); ++it) ::rmdir(it->c_str());
}

void restore_interrupts() {
  for (const int sig : {SIGINT, SIGTERM}) {
    if (g_made != nullptr && !g_made->empty()) {
      install(sig, on_signal_remove_made, nullptr);
    } else {
      ::signal(sig, SIG_DFL);
    }
  }
}

std::optional<long> flock_holder(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string number, kind, advisory, mode, where;
    long pid = 0;
    if (!(in >> number >> kind) || kind != "FLOCK" || !(in >> advisory >> mode >> pid >> where)) continue;
    unsigned major_id = 0, minor_id = 0;
    unsigned long long inode = 0;
    if (std::sscanf(where.c_str(), "%x:%x:%llu", &major_id, &minor_id, &inode) != 3) continue;
    if (major_id == major(st.st_dev) && minor_id == minor(st.st_dev) && inode == st.st_ino && pid != ::getpid()) {
      return pid;
    }
  }
  return std::nullopt;
}

OutputLock::~OutputLock() {
  if (g_made == &made_) g_made = nullptr;
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) ::rmdir(it->c_str());  // if still empty
  for (std::size_t i = 0; installed_ && i < kHeldSignals.size(); ++i) {
    struct sigaction current {};
    ::sigaction(kHeldSignals[i], nullptr, &current);
    // Back to what was there (SIG_DFL for the command line, Python's own handler), unless
    // a verb has set its own since.
    if (current.sa_handler == on_signal_remove_made) {  // NOLINT(cppcoreguidelines-pro-type-union-access)
      ::sigaction(kHeldSignals[i], &previous_[i], nullptr);
    }
  }
  for (const int fd : fds_) ::close(fd);
}

namespace {

// Makes `dir` and its missing parents, top first; the ones made go to `made`.
std::string make_directories(const fs::path& dir, std::vector<std::string>& made) {
  std::vector<fs::path> missing;
  struct stat st {};
  for (fs::path p = dir; !p.empty() && ::lstat(p.c_str(), &st) != 0 && errno == ENOENT; p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) == 0) {
      made.push_back(it->string());
    } else if (errno != EEXIST) {
      return "cannot create " + it->string() + ": " + error_text(errno);
    }
  }
  return {};
}

}  // namespace

std::string OutputLock::acquire(const std::string& dir, bool create) {
  given_ = dir;
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(dir), ec).lexically_normal();
  if (dir.empty() || ec) return "cannot write into '" + dir + "': an empty path (fix: give a directory)";
  if (create) {
    if (std::string err = make_directories(absolute, made_); !err.empty()) return err;
    g_made = &made_;
    for (std::size_t i = 0; !made_.empty() && i < kHeldSignals.size(); ++i) {
      if (!ignored(kHeldSignals[i])) install(kHeldSignals[i], on_signal_remove_made, &previous_[i]);
      installed_ = true;
    }
  }
  std::array<char, PATH_MAX> real{};
  if (::realpath(absolute.c_str(), real.data()) == nullptr) return "cannot open " + dir + ": " + error_text(errno);
  path_ = real.data();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOTDIR)
      return "cannot write into " + dir + ": it is not a directory (fix: give a directory, or a new name)";
    if (fd < 0) return "cannot open " + dir + ": " + error_text(errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const auto pid = flock_holder(fd);
      ::close(fd);
      if (error != EWOULDBLOCK) return "cannot lock " + dir + ": " + error_text(error);
      return dir + " is in use: another cpsf" + (pid ? " (pid " + std::to_string(*pid) + ")" : std::string()) +
             " is writing into it (fix: wait for it to end, or give another directory)";
    }
    // Locked; but if a writer switched the directory between open and flock, this is
    // the old one: lock the new one.
    struct stat locked {
    }, now{};
    if (::fstat(fd, &locked) == 0 && ::stat(path_.c_str(), &now) == 0 && locked.st_ino == now.st_ino &&
        locked.st_dev == now.st_dev) {
      fds_.push_back(fd);
      return {};
    }
    ::close(fd);
  }
  return "cannot lock " + dir + ": it keeps being replaced";
}

// ---- OutputSet ----------------------------------------------------------------------------

void OutputSet::fail_writes_after(std::optional<std::uint64_t> bytes) {
  g_fail_after = bytes;
  g_written = 0;
}

OutputSet::~OutputSet() {
  if (!committed_) remove_staging();
  if (staging_fd_ >= 0) ::close(staging_fd_);
}

void OutputSet::remove_staging() {
  if (staging_.empty()) return;
  clean_dir(staging_, lock_.path(), {}, retired_, warnings_);
  staging_.clear();
}

std::string OutputSet::begin() {
  const std::string& out = lock_.path();
  clean_stale(out, warnings_);
  hold_.emplace();
  const fs::path path(out);
  const std::string beside =
      (path.parent_path() / ("." + path.filename().string() + ".cpsf-" + std::to_string(::getpid()))).string();
  if (can_stage_beside(path) && ::mkdir(beside.c_str(), 0700) == 0) {
    staging_ = beside;
    beside_ = true;
  } else {
    const std::string inside = out + "/" + kInsidePrefix + std::to_string(::getpid());
    if (::mkdir(inside.c_str(), 0700) != 0) return "cannot write into " + lock_.given() + ": " + error_text(errno);
    staging_ = inside;
  }
  staging_fd_ = ::open(staging_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (staging_fd_ < 0 || ::flock(staging_fd_, LOCK_EX | LOCK_NB) != 0) {
    return "cannot write into " + lock_.given() + ": " + error_text(errno);
  }
  const int marker = ::open((staging_ + "/" + kMarker).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (marker < 0) return "cannot write into " + lock_.given() + ": " + error_text(errno);
  ::close(marker);
  return {};
}

std::string OutputSet::write(const std::string& name, std::string_view bytes) {
  const std::string shown = (fs::path(lock_.given()) / name).string();
  struct stat existing {};
  const bool replaces = ::stat((lock_.path() + "/" + name).c_str(), &existing) == 0 && S_ISREG(existing.st_mode);
  const int fd = ::open((staging_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + shown + ": " + error_text(errno);
  int error = write_bytes(fd, bytes);
  ::fchmod(fd, replaces ? existing.st_mode & 07777 : 0644);  // a replaced file keeps its permissions
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) return "cannot write " + shown + ": " + error_text(error);
  return {};
}

std::string OutputSet::commit() {
  std::vector<std::string> names;
  for (const std::string& name : entries(staging_)) {
    if (name != kMarker) names.push_back(name);
  }
  // Every file on the disk before any is switched in: a crash leaves the old set or the new.
  for (const std::string& name : names) fsync_path(join(staging_, name), 0);
  bool special = false;
  for (const std::string& name : names) {
    struct stat st {};
    if (::lstat(join(lock_.path(), name).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      return "cannot write " + (fs::path(lock_.given()) / name).string() +
             ": it is a directory (fix: move it away; cpsf writes a file of that name)";
    }
    special = special || !S_ISREG(st.st_mode);
  }
  bool done = false;
  if (beside_ && !special) {
    if (std::string err = commit_by_exchange(names, done); !err.empty()) return err;
  }
  return done ? std::string() : commit_in_place(names);
}

std::string OutputSet::commit_by_exchange(const std::vector<std::string>& names, bool& done) {
  const std::string& out = lock_.path();
  // The directory's other entries (a user's files, another verb's results) go across as
  // hard links; what cannot be linked (a subdirectory) is moved after the switch.
  for (const std::string& name : entries(out)) {
    if (name == kMarker || std::find(names.begin(), names.end(), name) != names.end() ||
        std::find(retired_.begin(), retired_.end(), name) != retired_.end()) {
      continue;
    }
    (void)::linkat(AT_FDCWD, join(out, name).c_str(), staging_fd_, name.c_str(), 0);
  }
  struct stat st {};
  if (::stat(out.c_str(), &st) == 0) {
    ::fchmod(staging_fd_, st.st_mode & 07777);
    if (::geteuid() == 0) (void)::fchown(staging_fd_, st.st_uid, st.st_gid);
  }
  (void)::fsync(staging_fd_);
  pause_for_test("CPSF_TEST_PAUSE_BEFORE_SWITCH");
  if (::syscall(SYS_renameat2, AT_FDCWD, staging_.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) != 0) {
    const int error = errno;
    if (error == EINVAL || error == ENOSYS || error == EBUSY || error == EXDEV || error == EPERM) return {};
    return "cannot switch the new files into " + lock_.given() + ": " + error_text(error);
  }
  done = committed_ = true;
  fsync_path(fs::path(out).parent_path().string(), O_DIRECTORY);
  ::unlink((out + "/" + kMarker).c_str());
  lock_.adopt(staging_fd_);  // the new directory, locked since begin(), stays locked
  staging_fd_ = -1;
  lock_.keep_made();
  pause_for_test("CPSF_TEST_PAUSE_AFTER_SWITCH");
  clean_dir(staging_, out, names, retired_, warnings_);  // staging_ names the old directory now
  staging_.clear();
  return {};
}

std::string OutputSet::commit_in_place(const std::vector<std::string>& names) {
  const std::string& out = lock_.path();
  pause_for_test("CPSF_TEST_PAUSE_BEFORE_SWITCH");
  // A link, FIFO or device at one of the names first (written by write_file_atomically's
  // rules: a link's target, through a FIFO): a full device fails before any rename.
  std::vector<std::string> renamed;
  for (const std::string& name : names) {
    const std::string to = join(out, name);
    struct stat st {};
    if (::lstat(to.c_str(), &st) != 0 || S_ISREG(st.st_mode)) {
      renamed.push_back(name);
      continue;
    }
    std::ifstream in(join(staging_, name), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (std::string err = write_file_atomically(to, bytes.str()); !err.empty()) return err;
  }
  for (const std::string& name : renamed) {
    if (::rename(join(staging_, name).c_str(), join(out, name).c_str()) != 0) {
      return "cannot write " + (fs::path(lock_.given()) / name).string() + ": " + error_text(errno);
    }
  }
  for (const std::string& name : retired_) {
    struct stat st {};
    if (::lstat(join(out, name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(join(out, name).c_str());
  }
  committed_ = true;
  lock_.keep_made();
  fsync_path(out, O_DIRECTORY);
  pause_for_test("CPSF_TEST_PAUSE_AFTER_SWITCH");
  clean_dir(staging_, out, names, retired_, warnings_);
  staging_.clear();
  return {};
}

}  // namespace cpsf
