// cpsf report: the HTML report of a run, a comparison or a portfolio (docs/report.md), and
// the --report option of run, compare and optimise, which end by writing it.
#include "cli/report.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/common.hpp"
#include "cpsf/io/csv_read.hpp"
#include "cpsf/output/report_html.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace cpsf::cli {
namespace {

namespace fs = std::filesystem;

// The documents in `dir`, each read if it is there.
bool read_documents(const char* verb, const std::string& dir, const ReportWriteOptions& o, ReportDocuments& docs) {
  Diagnostics out;
  ReadLimits limits;
  limits.max_file_bytes = o.max_file_bytes;
  const std::array<std::pair<const char*, std::string*>, 3> files = {
      {{"results.json", &docs.results}, {"compare.json", &docs.compare}, {"optimise.json", &docs.optimise}}};
  bool any = false;
  for (const auto& [name, text] : files) {
    const fs::path path = fs::path(dir) / name;
    std::error_code ec;
    if ((!o.only.empty() && o.only != name) || !fs::exists(path, ec)) continue;
    any = true;
    if (!read_data_file(path.string(), *text, out, limits, "JSON written by cpsf")) {
      print(out);
      return false;
    }
  }
  if (!any) {
    std::fprintf(stderr,
                 "cpsf %s: error: %s holds no results.json, compare.json or optimise.json (fix: give the --out "
                 "directory of a cpsf run, compare or optimise)\n",
                 verb, terminal_safe(dir).c_str());
    return false;
  }
  return true;
}

// A Chromium of the machine's: $CPSF_CHROMIUM, else the first of the usual names on PATH.
std::string find_chromium() {
  if (const char* given = std::getenv("CPSF_CHROMIUM"); given != nullptr && *given != '\0') return given;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    std::string dirs = path;
    std::size_t from = 0;
    while (from <= dirs.size()) {
      const std::size_t to = std::min(dirs.find(':', from), dirs.size());
      const fs::path candidate = fs::path(dirs.substr(from, to - from)) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      from = to + 1;
    }
  }
  return {};
}

}  // namespace

int refuse_pdf_without_chromium(const char* verb, bool pdf) {
  if (!pdf || !find_chromium().empty()) return kExitOk;
  std::fprintf(stderr,
               "cpsf %s: error: --pdf needs Chromium and none is installed (fix: apt-get install chromium, or set "
               "CPSF_CHROMIUM to a Chrome or Chromium binary)\n",
               verb);
  return kExitUsage;
}

namespace {

// file:// URL of an absolute path: every byte outside the unreserved set percent-encoded.
std::string file_url(const fs::path& path) {
  std::string url = "file://";
  for (const unsigned char c : path.string()) {
    if (std::isalnum(c) != 0 || std::strchr("-._~/", c) != nullptr) {
      url += static_cast<char>(c);
    } else {
      std::array<char, 4> hex{};
      std::snprintf(hex.data(), hex.size(), "%%%02X", c);
      url += hex.data();
    }
  }
  return url;
}

// Runs `argv` with its output to `log`, waiting at most `timeout`; its exit status, or -1.
int run_with_timeout(const std::vector<std::string>& argv, const std::string& log, std::chrono::seconds timeout) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // NOLINT: posix_spawn's signature
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The last lines of `log` (Chromium's own messages), for an error.
std::string log_tail(const std::string& log) {
  std::string text;
  Diagnostics ignored;
  read_data_file(log, text, ignored, ReadLimits{}, "a log");
  if (text.size() > 1200) text = text.substr(text.size() - 1200);
  return text;
}

// Prints `html` to `pdf` with headless Chromium (its print, as a person would from the
// browser); the PDF appears only when complete.
int print_pdf(const char* verb, const fs::path& html, const fs::path& pdf) {
  if (refuse_pdf_without_chromium(verb, true) != kExitOk) return kExitUsage;
  const std::string chromium = find_chromium();
  std::error_code ec;
  std::string profile = (fs::temp_directory_path(ec) / "cpsf-chromium-XXXXXX").string();
  if (::mkdtemp(profile.data()) == nullptr) {
    std::fprintf(stderr, "cpsf %s: error: cannot make a temporary directory: %s\n", verb, std::strerror(errno));
    return kExitUsage;
  }
  const fs::path partial = pdf.string() + ".partial";
  std::vector<std::string> argv = {chromium, "--headless", "--disable-gpu", "--no-first-run",
                                   "--user-data-dir=" + profile, "--no-pdf-header-footer",
                                   // Lets the charts finish drawing before the page is printed.
                                   "--virtual-time-budget=20000", "--print-to-pdf=" + partial.string()};
  if (::geteuid() == 0) argv.emplace_back("--no-sandbox");  // Chromium refuses to run as root with its sandbox
  argv.push_back(file_url(fs::absolute(html, ec)));
  const std::string log = profile + "/chromium.log";
  const int status = run_with_timeout(argv, log, std::chrono::seconds(180));
  const std::string tail = status == 0 ? "" : log_tail(log);
  fs::remove_all(profile, ec);
  if (status != 0 || !fs::exists(partial, ec)) {
    fs::remove(partial, ec);
    std::fprintf(stderr, "cpsf %s: error: %s could not print %s to PDF (status %d)%s%s\n", verb,
                 terminal_safe(chromium).c_str(), terminal_safe(html.string()).c_str(), status,
                 tail.empty() ? "" : "; it said:\n", terminal_safe(tail).c_str());
    return kExitUsage;
  }
  fs::rename(partial, pdf, ec);
  if (ec) {
    std::fprintf(stderr, "cpsf %s: error: cannot write %s: %s\n", verb, terminal_safe(pdf.string()).c_str(),
                 ec.message().c_str());
    return kExitUsage;
  }
  return kExitOk;
}

struct ReportCliOptions {
  std::string dir;
  std::optional<std::string> out;  // default DIR/report.html
  ReportWriteOptions write;
};

}  // namespace

namespace {

// The page of the documents in `dir`; an exit code after saying why not.
int report_page(const char* verb, const std::string& dir, const ReportWriteOptions& o, std::string& html) {
  ReportDocuments docs;
  if (!read_documents(verb, dir, o, docs)) return kExitUsage;
  try {
    html = report_html(docs);
  } catch (const ReportError& e) {
    std::fprintf(stderr, "cpsf %s: error: %s: %s\n", verb, terminal_safe(dir).c_str(), terminal_safe(e.what()).c_str());
    return kExitInvalid;
  }
  return kExitOk;
}

// report.html (and with --pdf report.pdf) of the documents in `dir`, into the set.
int report_into_set(const char* verb, const std::string& dir, const ReportWriteOptions& o, OutputSet& set) {
  std::string html;
  if (const int code = report_page(verb, dir, o, html); code != kExitOk) return code;
  if (const std::string err = set.write("report.html", html); !err.empty()) {
    std::fprintf(stderr, "cpsf %s: error: %s\n", verb, terminal_safe(err).c_str());
    return kExitUsage;
  }
  const fs::path staging(set.staging());
  if (o.pdf && print_pdf(verb, staging / "report.html", staging / "report.pdf") != kExitOk) return kExitUsage;
  return kExitOk;
}

}  // namespace

void print_report_paths(const std::string& html_path, const ReportWriteOptions& o) {
  if (o.quiet || html_path == "-") return;
  std::printf("report: %s\n", terminal_safe(html_path).c_str());
  fs::path pdf_path = html_path;
  pdf_path.replace_extension(".pdf");
  if (o.pdf) std::printf("report: %s\n", terminal_safe(pdf_path.string()).c_str());
}

std::function<int(OutputSet&)> report_in_set(const char* verb, const ReportWriteOptions& o) {
  return [verb, o](OutputSet& set) { return report_into_set(verb, set.staging(), o, set); };
}

int write_report(const char* verb, const std::string& dir, const std::string& out, const ReportWriteOptions& o) {
  if (o.pdf && out == "-") {
    std::fprintf(stderr, "cpsf %s: error: --pdf needs the page in a file, not on standard output (fix: drop -o -)\n",
                 verb);
    return kExitUsage;
  }
  if (!out.empty()) {  // a file of the user's: written alone (with its PDF)
    std::string html;
    if (const int code = report_page(verb, dir, o, html); code != kExitOk) return code;
    if (write_output(verb, out, html) != kExitOk) return kExitUsage;
    fs::path pdf_path = out;
    pdf_path.replace_extension(".pdf");
    if (o.pdf && print_pdf(verb, out, pdf_path) != kExitOk) return kExitUsage;
    print_report_paths(out, o);
    return kExitOk;
  }
  // DIR/report.html (and report.pdf) join the directory as a set, under its lock.
  OutputLock lock;
  if (const int code = lock_output(verb, dir, false, lock); code != kExitOk) return code;
  const auto render = [&](OutputSet& set) { return report_into_set(verb, dir, o, set); };
  if (const int code = write_output_set(verb, lock, {}, render); code != kExitOk) return code;
  print_report_paths((fs::path(dir) / "report.html").string(), o);
  return kExitOk;
}

void add_report_options(CLI::App* sub, bool& report, ReportWriteOptions& o) {
  sub->add_flag("--report", report, "Also write report.html (the HTML report, docs/report.md) into --out");
  sub->add_flag("--pdf", o.pdf, "With --report, also print it to report.pdf with headless Chromium")
      ->needs(sub->get_option("--report"));
}

Command add_report(CLI::App& app) {
  auto o = std::make_shared<ReportCliOptions>();
  auto* sub = app.add_subcommand("report",
                                 "Write the HTML report (report.html: one self-contained page, no network) of the "
                                 "results.json, compare.json and optimise.json in a directory");
  sub->add_option("dir", o->dir, "Directory written by cpsf run, compare or optimise (--out)")->required();
  sub->add_option("-o,--output", o->out, "The page to write; default DIR/report.html");
  sub->add_flag("--pdf", o->write.pdf, "Also print the page to PDF (beside it, .pdf) with headless Chromium");
  sub->add_flag("-q,--quiet", o->write.quiet, "Print nothing on success");
  add_max_file_size_option(sub, o->write.max_file_bytes);
  return {sub, [o] {
            if (o->out && o->out->empty()) {
              std::fprintf(stderr,
                           "cpsf report: --output: an empty path (fix: give the page's file, - for standard output, "
                           "or leave it out for DIR/report.html)\n");
              return kExitUsage;
            }
            return write_report("report", o->dir, o->out.value_or(""), o->write);
          }};
}

}  // namespace cpsf::cli
