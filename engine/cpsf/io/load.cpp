#include "cpsf/io/load.hpp"

#include <google/protobuf/descriptor.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "cpsf/io/source_map.hpp"

namespace cpsf {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

namespace {

constexpr const char* kEntityLists[] = {"enterprises", "assets",       "relations",    "controls",
                                        "threats",     "dependencies", "requirements", "baselines"};

struct Loader {
  Diagnostics& out;
  const ReadLimits& limits;
  fs::path root;  // canonical directory of the top-level file
  LoadedScenario result;
  std::vector<fs::path> stack;   // canonical paths being loaded (cycle detection)
  std::vector<fs::path> loaded;  // canonical paths already merged (include once)
  bool invalid = false;

  // Moves file `file_index`'s entity lists into the result. `part` lives on the
  // result's arena, so its elements change hands without being copied.
  void merge(v1::Scenario& part, std::uint32_t file_index) {
    v1::Scenario& into = *result.mutable_scenario();
    const pb::Reflection* r = part.GetReflection();
    const pb::Descriptor* d = part.GetDescriptor();
    std::vector<pb::Message*> moved;
    for (const char* list : kEntityLists) {
      const pb::FieldDescriptor* field = d->FindFieldByName(list);
      const int n = r->FieldSize(part, field);
      if (n == 0) continue;
      auto [it, first] = result.origins.try_emplace(list);
      auto& origins = it->second;
      if (first) {  // until now the list came wholly from files[0]
        const int have = r->FieldSize(into, field);
        origins.reserve(static_cast<std::size_t>(have) + static_cast<std::size_t>(n));
        for (int i = 0; i < have; ++i) origins.push_back({0, static_cast<std::uint32_t>(i)});
      }
      moved.resize(static_cast<std::size_t>(n));
      for (int i = n; i-- > 0;) moved[static_cast<std::size_t>(i)] = r->UnsafeArenaReleaseLast(&part, field);
      for (int i = 0; i < n; ++i) {
        r->UnsafeArenaAddAllocatedMessage(&into, field, moved[static_cast<std::size_t>(i)]);
        origins.push_back({file_index, static_cast<std::uint32_t>(i)});
      }
    }
  }

  void load_includes(const v1::Scenario& part, std::uint32_t file_index, const fs::path& dir) {
    const std::string from = result.files[file_index].path;  // a copy: loading grows `files`
    for (int i = 0; i < part.include_size(); ++i) {
      const std::string& inc = part.include(i);
      const std::string path = "include[" + std::to_string(i) + "]";
      if (inc.empty()) {
        out.error(from, path, "", "empty include path", "remove the entry or give a file path");
        invalid = true;
        continue;
      }
      if (fs::path(inc).is_absolute()) {
        out.error(from, path, "", "include \"" + inc + "\" is an absolute path",
                  "give a path relative to this file's directory, inside the scenario's directory");
        invalid = true;
        continue;
      }
      std::error_code ec;
      const fs::path target = fs::weakly_canonical(dir / inc, ec);
      const std::string shown = (fs::path(from).parent_path() / inc).lexically_normal().string();
      if (ec) {
        out.error(from, path, "", "cannot resolve include \"" + inc + "\": " + ec.message(), "check the path");
        invalid = true;
        continue;
      }
      const auto rel = target.lexically_relative(root);
      if (rel.empty() || *rel.begin() == "..") {
        out.error(from, path, "",
                  "include \"" + inc + "\" resolves to " + target.string() + ", outside the scenario's directory " +
                      root.string(),
                  "copy the file into the scenario's directory tree and include it from there");
        invalid = true;
        continue;
      }
      if (std::find(stack.begin(), stack.end(), target) != stack.end()) {
        std::string cycle;
        for (const auto& p : stack) cycle += p.lexically_relative(root).string() + " → ";
        cycle += target.lexically_relative(root).string();
        out.error(from, path, "", "include cycle: " + cycle, "remove one of the includes in the cycle");
        invalid = true;
        continue;
      }
      if (std::find(loaded.begin(), loaded.end(), target) != loaded.end()) continue;  // once only
      if (static_cast<int>(stack.size()) >= limits.max_include_depth) {
        out.error(from, path, "",
                  "more than " + std::to_string(limits.max_include_depth) + " files in one chain of includes",
                  "flatten the include structure");
        invalid = true;
        continue;
      }
      if (static_cast<int>(result.files.size()) >= limits.max_files) {
        out.error(from, path, "", "more than " + std::to_string(limits.max_files) + " files in one scenario",
                  "merge some included files");
        invalid = true;
        continue;
      }
      if (!fs::exists(target, ec)) {
        std::string what = "included file \"";
        what.append(inc).append("\" not found (looked for ").append(shown).append(")");
        out.error(from, path, "", what, "check the path; it is relative to the including file's directory");
        invalid = true;
        continue;
      }
      load_file(shown, target);
    }
  }

  void load_file(const std::string& shown, const fs::path& canonical) {
    // On the result's arena, for merge(); left there, emptied, until the result goes.
    v1::Scenario& part = *pb::Arena::CreateMessage<v1::Scenario>(result.arena());
    SourceFile source;
    const auto status = read_message_file(shown, part, out, limits, &source);
    if (status != LoadStatus::Ok) {
      invalid = true;
      return;
    }
    const auto file_index = static_cast<std::uint32_t>(result.files.size());
    result.files.push_back(std::move(source));
    if (file_index > 0) {
      // An include contributes entities only; the scenario's identity and settings
      // come from the top-level file.
      for (const char* singular : {"name", "description", "currency", "settings", "library"}) {
        const auto* field = part.GetDescriptor()->FindFieldByName(singular);
        if (part.GetReflection()->HasField(part, field)) {
          out.error(
              shown, singular, "",
              std::string("an included file sets \"") + singular + "\", which only the top-level scenario may set",
              "move it to the top-level scenario file or delete it here");
          invalid = true;
        }
      }
    }
    merge(part, file_index);
    loaded.push_back(canonical);
    stack.push_back(canonical);
    load_includes(part, file_index, canonical.parent_path());
    stack.pop_back();
  }
};

}  // namespace

std::optional<LoadedScenario> load_scenario(const std::string& path, Diagnostics& out, LoadStatus& status,
                                            const ReadLimits& limits) {
  // The top-level file is parsed straight into the result; includes are merged into it.
  LoadedScenario result;
  SourceFile source;
  status = read_message_file(path, *result.mutable_scenario(), out, limits, &source);
  if (status != LoadStatus::Ok) return std::nullopt;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::path(path), ec);
  Loader loader{out, limits, canonical.parent_path(), std::move(result), {}, {}, false};
  loader.result.files.push_back(std::move(source));
  loader.loaded.push_back(canonical);
  loader.stack.push_back(canonical);
  // Merging touches the entity lists only, so the top-level include list stays as read.
  loader.load_includes(loader.result.scenario(), 0, canonical.parent_path());
  place_diagnostics(out, loader.result.files);
  if (loader.invalid) {
    status = LoadStatus::Invalid;
    return std::nullopt;
  }
  return std::move(loader.result);
}

namespace {

// A 10^6-asset scenario fills gigabytes of fresh memory, and faulting it in 4 KiB at a
// time costs more than parsing into it: arena blocks of 2 MiB and more ask for
// transparent huge pages (granted where the kernel's THP mode is "madvise" or "always").
constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* arena_block_alloc(std::size_t size) {
  if (size < kHugePage) return std::malloc(size);
  void* block = nullptr;
  if (::posix_memalign(&block, kHugePage, size) != 0) return nullptr;
#ifdef MADV_HUGEPAGE
  ::madvise(block, size, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
  return block;
}

void arena_block_dealloc(void* block, std::size_t) { std::free(block); }

// Large blocks, where protobuf's default of 8 KiB would mean half a million of them;
// they still start small (256 bytes) and double, so a small scenario costs little.
pb::ArenaOptions scenario_arena_options() {
  pb::ArenaOptions options;
  options.max_block_size = std::size_t{32} << 20;
  options.block_alloc = arena_block_alloc;
  options.block_dealloc = arena_block_dealloc;
  return options;
}

}  // namespace

LoadedScenario::LoadedScenario()
    : arena_(std::make_unique<pb::Arena>(scenario_arena_options())),
      scenario_(pb::Arena::CreateMessage<v1::Scenario>(arena_.get())) {}

LoadedScenario::LoadedScenario(LoadedScenario&& other) noexcept
    : files(std::move(other.files)),
      origins(std::move(other.origins)),
      arena_(std::move(other.arena_)),
      scenario_(std::exchange(other.scenario_, nullptr)) {}

LoadedScenario& LoadedScenario::operator=(LoadedScenario&& other) noexcept {
  if (this != &other) {
    files = std::move(other.files);
    origins = std::move(other.origins);
    arena_ = std::move(other.arena_);  // frees this object's old message with its arena
    scenario_ = std::exchange(other.scenario_, nullptr);
  }
  return *this;
}

LoadedScenario::~LoadedScenario() = default;  // the arena frees scenario_

LoadedScenario in_memory_scenario(std::string name) {
  LoadedScenario loaded;
  loaded.files.push_back(SourceFile{std::move(name), Format::Binary, {}});
  return loaded;
}

LoadedScenario in_memory_scenario(const v1::Scenario& scenario, std::string name) {
  LoadedScenario loaded = in_memory_scenario(std::move(name));
  loaded.mutable_scenario()->CopyFrom(scenario);
  return loaded;
}

std::pair<const std::string*, std::string> LoadedScenario::where(std::string_view list, int index) const {
  std::uint32_t file = 0;
  auto local = static_cast<std::uint32_t>(index);
  if (auto it = origins.find(list);
      it != origins.end() && index >= 0 && static_cast<std::size_t>(index) < it->second.size()) {
    file = it->second[static_cast<std::size_t>(index)].file;
    local = it->second[static_cast<std::size_t>(index)].index;
  }
  // A --library file holds a StepLibrary: its entries are written at "steps[2]", not
  // at the scenario's "library.steps[2]".
  std::string_view written = list;
  if (files.at(file).type == v1::StepLibrary::descriptor() && written.rfind("library.", 0) == 0) {
    written.remove_prefix(std::string_view("library.").size());
  }
  return {&files.at(file).path, std::string(written) + "[" + std::to_string(local) + "]"};
}

std::optional<v1::StepLibrary> read_library_file(const std::string& path, SourceFile& source, Diagnostics& out,
                                                 LoadStatus& status, const ReadLimits& limits) {
  v1::StepLibrary library;
  status = read_message_file(path, library, out, limits, &source);
  if (status != LoadStatus::Ok) return std::nullopt;
  return library;
}

}  // namespace cpsf
