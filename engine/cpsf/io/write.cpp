#include "cpsf/io/write.hpp"

#include <fcntl.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>

#include "cpsf/io/integrity.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

std::string serialise(const pb::Message& message, Format format) {
  // A record read with a scenario is never written back as it was: text and JSON hold
  // none, and binary gets a fresh one at its start.
  const pb::Message* what = &message;
  std::optional<v1::Scenario> copy;
  if (const auto* scenario = dynamic_cast<const v1::Scenario*>(&message); scenario && scenario->has_integrity()) {
    copy.emplace(*scenario);
    copy->clear_integrity();
    what = &*copy;
  }
  std::string out;
  if (format == Format::Binary && is_scenario(*what)) {
    out.assign(kIntegrityRecordBytes, '\0');
    what->AppendToString(&out);
    out.replace(0, kIntegrityRecordBytes, integrity_record(std::string_view(out).substr(kIntegrityRecordBytes)));
    return out;
  }
  const pb::Message& message_ = *what;
  switch (format) {
    case Format::Text: {
      pb::TextFormat::Printer printer;
      printer.SetUseUtf8StringEscaping(true);
      printer.PrintToString(message_, &out);
      break;
    }
    case Format::Json: {
      pb::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.preserve_proto_field_names = true;
      (void)pb::util::MessageToJsonString(message_, &out, options);
      if (out.empty() || out.back() != '\n') out += '\n';
      break;
    }
    case Format::Binary:
      message_.SerializeToString(&out);
      break;
  }
  return out;
}

namespace {

// Writes all of `bytes` to `fd` (retrying on EINTR, waiting when it would block); an
// error message, empty on success.
std::string write_all(int fd, std::string_view bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {  // a non-blocking descriptor we were given
      pollfd p{fd, POLLOUT, 0};
      (void)::poll(&p, 1, -1);
      continue;
    }
    return "cannot write " + path + ": " + std::strerror(errno);
  }
  return {};
}

// The descriptor a path names when it is one of the process's own: /dev/stdout,
// /dev/stderr, /dev/stdin, /dev/fd/N, /proc/self/fd/N (and /proc/<our pid>/fd/N). Those
// are not files to replace but where the output is to go: written to as they are.
std::optional<int> descriptor_named(const fs::path& path) {
  const std::string p = path.lexically_normal().string();
  if (p == "/dev/stdin") return 0;
  if (p == "/dev/stdout") return 1;
  if (p == "/dev/stderr") return 2;
  for (const std::string& prefix :
       {std::string("/dev/fd/"), std::string("/proc/self/fd/"), std::string("/proc/thread-self/fd/"),
        "/proc/" + std::to_string(::getpid()) + "/fd/"}) {
    if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = 0;
    const char* first = p.data() + prefix.size();
    const auto [end, ec] = std::from_chars(first, p.data() + p.size(), fd);
    if (ec == std::errc{} && end == p.data() + p.size() && fd >= 0) return fd;
  }
  return std::nullopt;
}

// A new file's content goes to a temporary file beside `target`, then a rename: readers
// see the old file or the new one, never a part. An existing file's permissions are kept.
std::string replace_atomically(const fs::path& target, const std::string& path, std::string_view bytes,
                               const struct stat* existing) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
  if (std::string err = write_all(fd, bytes, path); !err.empty()) {
    ::close(fd);
    ::unlink(temp.c_str());
    return err;
  }
  ::fchmod(fd, existing != nullptr ? existing->st_mode & 07777 : 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(temp.c_str());
    return "cannot write " + path + ": " + err;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(temp.c_str());
    return "cannot write " + path + ": " + err;
  }
  return {};
}

}  // namespace

std::string write_file_atomically(const std::string& path, std::string_view bytes) {
  // Follow symbolic links to what they name: the link stays, its target is written.
  fs::path target(path);
  struct stat st {};
  bool exists = false;
  for (int hops = 0;; ++hops) {
    if (const auto fd = descriptor_named(target)) {
      const std::string name = *fd == 1 ? path + " (standard output)" : *fd == 2 ? path + " (standard error)" : path;
      if (::fcntl(*fd, F_GETFD) == -1) return "cannot write " + name + ": " + std::strerror(errno);
      return write_all(*fd, bytes, name);
    }
    if (::lstat(target.c_str(), &st) != 0) {
      if (errno != ENOENT) return "cannot write " + path + ": " + std::strerror(errno);
      break;  // a new file (or the missing target of a dangling link)
    }
    if (!S_ISLNK(st.st_mode)) {
      exists = true;
      break;
    }
    if (hops == 40) return "cannot write " + path + ": " + std::strerror(ELOOP);
    std::error_code ec;
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) return "cannot write " + path + ": " + ec.message();
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  if (!exists || S_ISREG(st.st_mode)) return replace_atomically(target, path, bytes, exists ? &st : nullptr);
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    // A pipe or a device (/dev/null, a terminal): opened and written as it is, never
    // replaced. Opening a FIFO waits for a reader, as the shell's > does.
    int fd = -1;
    do {
      fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
    std::string err = write_all(fd, bytes, path);
    if (::close(fd) != 0 && err.empty() && errno != EINTR) err = "cannot write " + path + ": " + std::strerror(errno);
    return err;
  }
  const char* what = S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ? "a block device" : "a socket";
  return "cannot write " + path + ": it is " + std::string(what) +
         " (fix: give a file name; cpsf writes regular files, FIFOs and character devices)";
}

}  // namespace cpsf
