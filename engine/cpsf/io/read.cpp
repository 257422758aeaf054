#include "cpsf/io/read.hpp"

#include <fcntl.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/stubs/logging.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "cpsf/base/crc32c.hpp"
#include "cpsf/base/utf8.hpp"
#include "cpsf/io/integrity.hpp"
#include "cpsf/io/parse.hpp"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

// ---- protobuf's log -------------------------------------------------------------------
// protobuf logs some parse problems (invalid UTF-8 in a binary string) to stderr
// instead of returning them; capture them so they become diagnostics.
std::mutex g_log_mutex;
std::string* g_log_sink = nullptr;

void capture_protobuf_log(pb::LogLevel, const char*, int, const std::string& message) {
  std::lock_guard lock(g_log_mutex);
  if (g_log_sink != nullptr) {
    if (!g_log_sink->empty()) *g_log_sink += "; ";
    *g_log_sink += message;
  }
}

class CapturedProtobufLog {
 public:
  CapturedProtobufLog() {
    std::lock_guard lock(g_log_mutex);
    previous_sink_ = g_log_sink;
    g_log_sink = &text_;
    previous_handler_ = pb::SetLogHandler(&capture_protobuf_log);
  }
  ~CapturedProtobufLog() {
    pb::SetLogHandler(previous_handler_);
    std::lock_guard lock(g_log_mutex);
    g_log_sink = previous_sink_;
  }
  CapturedProtobufLog(const CapturedProtobufLog&) = delete;
  CapturedProtobufLog& operator=(const CapturedProtobufLog&) = delete;
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::string* previous_sink_ = nullptr;
  pb::LogHandler* previous_handler_ = nullptr;
};

// ---- reading bytes ---------------------------------------------------------------------

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

// Refuses what is not a readable regular file within the size limit, without reading it.
LoadStatus check_file(const std::string& path, std::uint64_t& size, Diagnostics& out, const ReadLimits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      out.error(path, "", "", "no such file", "check the path; it is relative to the current directory");
    } else {
      out.error(path, "", "", std::string("cannot open: ") + std::strerror(err), "check the path and its permissions");
    }
    return LoadStatus::IoError;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error(path, "", "", "is a directory, not a scenario file",
              std::string("give the scenario file inside it (") + kFormatExtensionsHelp + ")");
    return LoadStatus::IoError;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error(path, "", "", "is not a regular file (a device, pipe or socket)",
              "save the scenario to a regular file and give that");
    return LoadStatus::IoError;
  }
  size = static_cast<std::uint64_t>(st.st_size);
  if (size > limits.max_file_bytes) {
    out.error(path, "", "",
              "file is " + human_bytes(size) + ", over the limit of " + human_bytes(limits.max_file_bytes) +
                  "; it was not read",
              "split it with includes, store it in binary (.pb), or raise --max-file-size");
    return LoadStatus::IoError;
  }
  return LoadStatus::Ok;
}

// Reads the whole file (already checked). Never reads more than `size` bytes.
LoadStatus read_bytes(const std::string& path, std::uint64_t size, std::string& bytes, Diagnostics& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error(path, "", "", std::string("cannot open: ") + std::strerror(errno), "check the file's permissions");
    return LoadStatus::IoError;
  }
  bytes.resize(size);
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, bytes.data() + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      out.error(path, "", "", std::string("cannot read: ") + std::strerror(err), "check the file and the disk");
      return LoadStatus::IoError;
    }
    if (n == 0) break;  // shrank while reading: take what is there
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  return LoadStatus::Ok;
}

// Offset of the first byte that makes `text` not UTF-8 text (NUL, invalid UTF-8), or npos.
std::size_t first_non_text_byte(std::string_view text) {
  return std::min(text.find('\0'), invalid_utf8_at(text));  // npos is the largest size_t
}

// Parses straight from the file (already checked, `size` bytes at most): a large binary
// scenario is never held in memory twice.
LoadStatus parse_binary_file(const std::string& path, std::uint64_t size, pb::Message& message, Diagnostics& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error(path, "", "", std::string("cannot open: ") + std::strerror(errno), "check the file's permissions");
    return LoadStatus::IoError;
  }
  // A scenario written by cpsf starts with its integrity record: check it before parsing.
  bool checked = false;
  if (is_scenario(message)) {
    char head[kIntegrityRecordBytes] = {};
    const ssize_t got = ::pread(fd, head, sizeof head, 0);
    if (got >= 0 && starts_with_record(std::string_view(head, static_cast<std::size_t>(got)))) {
      const auto crc_of_rest = [&]() -> std::optional<std::uint32_t> {
        std::vector<char> buffer(std::size_t{1} << 20);
        std::uint32_t crc = 0;
        for (std::uint64_t at = kIntegrityRecordBytes; at < size;) {
          const ssize_t n =
              ::pread(fd, buffer.data(), std::min<std::uint64_t>(buffer.size(), size - at), static_cast<off_t>(at));
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            out.error(path, "", "", std::string("cannot read: ") + (n < 0 ? std::strerror(errno) : "the file shrank"),
                      "check the file and the disk");
            return std::nullopt;
          }
          crc = crc32c(crc, buffer.data(), static_cast<std::size_t>(n));
          at += static_cast<std::uint64_t>(n);
        }
        return crc;
      };
      if (!check_record(path, std::string_view(head, static_cast<std::size_t>(got)), size, crc_of_rest, out)) {
        ::close(fd);
        return LoadStatus::Invalid;
      }
      checked = true;
    }
  }
  CapturedProtobufLog log;
  bool parsed = false;
  int read_errno = 0;
  if (size <= static_cast<std::uint64_t>(INT32_MAX)) {
    pb::io::FileInputStream file(fd, 1 << 20);
    pb::io::LimitingInputStream limited(&file, static_cast<std::int64_t>(size));
    parsed = message.ParseFromZeroCopyStream(&limited);
    read_errno = file.GetErrno();
  }
  const bool unknown = parsed && read_errno == 0 && may_have_unknown_fields(fd, size, *message.GetDescriptor());
  ::close(fd);
  if (read_errno != 0) {
    out.error(path, "", "", std::string("cannot read: ") + std::strerror(read_errno), "check the file and the disk");
    return LoadStatus::IoError;
  }
  if (!parsed && read_errno == 0 && size <= static_cast<std::uint64_t>(INT32_MAX)) {
    // A string that is not UTF-8 fails the parse: say where it is.
    std::string bytes;
    Diagnostics ignored;
    if (read_bytes(path, size, bytes, ignored) == LoadStatus::Ok &&
        report_invalid_wire_string(path, bytes, *message.GetDescriptor(), out)) {
      return LoadStatus::Invalid;
    }
  }
  if (!parsed) {
    std::string why = "not a valid binary cpsf file (protobuf wire format)";
    if (!log.text().empty()) why += ": " + log.text();
    out.error(path, "", "", why,
              std::string("check that the file is a binary scenario; text and JSON files need the "
                          "extension that says so: ") +
                  kFormatExtensionsHelp);
    return LoadStatus::Invalid;
  }
  const std::size_t before = out.error_count();
  if (unknown) report_unknown_fields(path, message, out);
  if (checked)
    drop_integrity(message);
  else
    warn_unchecked(path, message, out);
  return out.error_count() == before ? LoadStatus::Ok : LoadStatus::Invalid;
}

}  // namespace

bool parse_binary_scenario(std::string_view bytes, v1::Scenario& scenario, const std::string& name, Diagnostics& out) {
  if (starts_with_record(bytes)) {
    const auto crc_of_rest = [&]() -> std::optional<std::uint32_t> {
      return crc32c(0, bytes.data() + kIntegrityRecordBytes, bytes.size() - kIntegrityRecordBytes);
    };
    if (!check_record(name, bytes, bytes.size(), crc_of_rest, out)) return false;
  }
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !scenario.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    out.error(name, "", "", "not a binary cpsf.v1.Scenario (protobuf wire format)",
              "give the bytes of a .pb file or of Scenario.SerializeToString()");
    return false;
  }
  scenario.clear_integrity();
  return true;
}

LoadStatus read_message_file(const std::string& path, pb::Message& message, Diagnostics& out, const ReadLimits& limits,
                             SourceFile* keep) {
  std::uint64_t size = 0;
  if (const auto status = check_file(path, size, out, limits); status != LoadStatus::Ok) return status;
  const auto format = format_from_path(path);
  if (!format) {
    out.error(path, "", "", "unknown file extension; cannot tell the format",
              std::string("name the file with one of ") + kFormatExtensionsHelp);
    return LoadStatus::IoError;
  }
  if (keep != nullptr) {
    keep->path = path;
    keep->format = *format;
    if (message.GetDescriptor() != v1::Scenario::descriptor()) keep->type = message.GetDescriptor();
  }
  if (*format == Format::Binary) return parse_binary_file(path, size, message, out);
  std::string content;
  if (const auto status = read_bytes(path, size, content, out); status != LoadStatus::Ok) return status;
  std::size_t start = 0;
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) start = 3;  // a UTF-8 byte-order mark is harmless
  if (const auto bad = first_non_text_byte(content); bad != std::string_view::npos) {
    const auto at = location_of(content, bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(content[bad]));
    out.add(Diagnostic{
        Severity::Error, path, at.line, at.column, "", "",
        std::string("not a text file: byte ") + byte + " at offset " + std::to_string(bad) + " is not UTF-8 text",
        std::string("a ") + std::string(format_name(*format)) +
            " scenario must be UTF-8 text; if this is a binary scenario, name it .pb"});
    return LoadStatus::Invalid;
  }
  if (start) content.erase(0, start);
  const bool ok =
      *format == Format::Text ? parse_text(path, content, message, out) : parse_json(path, content, message, out);
  if (ok && drop_integrity(message)) {
    out.warning(path, "integrity", "", "an integrity record is checked in binary files only; ignored here",
                "delete it: cpsf writes one into the .pb files it writes");
  }
  if (keep != nullptr) keep->content = std::move(content);
  return ok ? LoadStatus::Ok : LoadStatus::Invalid;
}

}  // namespace cpsf
