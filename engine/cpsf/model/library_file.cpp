#include "cpsf/model/library_file.hpp"

#include <string>
#include <utility>
#include <vector>

namespace cpsf {

namespace {

// merge_libraries()'s put(), with the origin of every entry: an item with the key of one
// already there replaces it where it stands, a new one is appended.
template <class Items, class Key>
void put_all(Items& into, std::vector<EntityOrigin>& origins, const Items& items, std::uint32_t file, Key key) {
  for (int k = 0; k < items.size(); ++k) {
    const EntityOrigin origin{file, static_cast<std::uint32_t>(k)};
    bool replaced = false;
    for (int i = 0; i < into.size() && !replaced; ++i) {
      if (key(into[i]) != key(items[k])) continue;
      into[i] = items[k];
      origins[static_cast<std::size_t>(i)] = origin;
      replaced = true;
    }
    if (!replaced) {
      *into.Add() = items[k];
      origins.push_back(origin);
    }
  }
}

// The origins of a list of the scenario's own library: all from files[0], unless an
// earlier call recorded them.
std::vector<EntityOrigin>& origins_of(LoadedScenario& loaded, const char* list, int size) {
  auto [it, fresh] = loaded.origins.try_emplace(list);
  if (fresh) {
    for (int i = 0; i < size; ++i) it->second.push_back({0, static_cast<std::uint32_t>(i)});
  }
  return it->second;
}

}  // namespace

void apply_library_file(LoadedScenario& loaded, const v1::StepLibrary& file, SourceFile source) {
  const auto file_index = static_cast<std::uint32_t>(loaded.files.size());
  loaded.files.push_back(std::move(source));
  v1::StepLibrary& into = *loaded.mutable_scenario()->mutable_library();
  auto& steps = origins_of(loaded, "library.steps", into.steps_size());
  auto& sources = origins_of(loaded, "library.sources", into.sources_size());
  auto& defaults = origins_of(loaded, "library.requirement_defaults", into.requirement_defaults_size());
  if (file.replace_bundled()) {  // drops the bundled library and the scenario's own
    into.Clear();
    steps.clear();
    sources.clear();
    defaults.clear();
    into.set_replace_bundled(true);
  }
  if (!file.version().empty()) into.set_version(file.version());
  const auto by_id = [](const auto& x) -> const std::string& { return x.id(); };
  put_all(*into.mutable_sources(), sources, file.sources(), file_index, by_id);
  put_all(*into.mutable_steps(), steps, file.steps(), file_index, by_id);
  put_all(*into.mutable_requirement_defaults(), defaults, file.requirement_defaults(), file_index,
          [](const auto& x) -> const std::string& { return x.requirement(); });
  for (const auto& n : file.notes()) into.add_notes(n);
}

}  // namespace cpsf
