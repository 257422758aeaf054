#include "cpsf/model/library.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/distribution_check.hpp"

namespace cpsf {

namespace detail {
extern const char* const kLibraryText;
extern const char* const kLibraryFile;
}  // namespace detail

const v1::StepLibrary& bundled_library() {
  static const v1::StepLibrary library = [] {
    v1::StepLibrary l;
    if (!google::protobuf::TextFormat::ParseFromString(detail::kLibraryText, &l)) {
      std::fprintf(stderr, "cpsf: the bundled attack-step library (%s) does not parse; this build is broken\n",
                   detail::kLibraryFile);
      std::abort();
    }
    return l;
  }();
  return library;
}

std::string_view bundled_library_file() { return detail::kLibraryFile; }

const v1::LibraryStep::ByCapability* for_capability(const v1::LibraryStep& step,
                                                    v1::Threat::Capability capability) noexcept {
  if (capability == v1::Threat::CAPABILITY_UNSPECIFIED) capability = v1::Threat::COMMON_ATTACKS;
  for (const auto& c : step.by_capability()) {
    if (c.capability() == capability) return &c;
  }
  return nullptr;
}

const v1::LibraryStep::Mitigation* find_mitigation(
    const google::protobuf::RepeatedPtrField<v1::LibraryStep::Mitigation>& mitigations,
    std::string_view requirement) noexcept {
  for (const auto& m : mitigations) {
    if (m.requirement() == requirement) return &m;
  }
  return nullptr;
}

std::optional<double> efficacy_at(const v1::LibraryStep::Mitigation& mitigation, v1::Level level) noexcept {
  switch (level) {
    case v1::BASIC:
      return mitigation.basic();
    case v1::ADVANCED:
      return mitigation.advanced();
    case v1::HIGH_ADVANCED:
      return mitigation.high_advanced();
    default:
      return std::nullopt;
  }
}

// ---- matching ---------------------------------------------------------------------------------

namespace {

// The (kind, layer, element) slots a step matches: every layer and element it names, or
// every layer with element 0 (any element) when it names none. Values outside their enum,
// and the UNSPECIFIED ones, match nothing (check_library reports them).
template <class Visit>
void for_each_slot(const v1::LibraryStep& step, Visit visit) {
  const int kind = step.kind();
  if (kind <= 0 || kind >= v1::RelationKind_ARRAYSIZE) return;
  for (const int layer : step.layers()) {
    if (layer <= 0 || layer >= v1::Layer_ARRAYSIZE) continue;
    if (step.target_elements().empty()) {
      visit(kind, layer, 0);
      continue;
    }
    for (const int element : step.target_elements()) {
      if (element <= 0 || element >= v1::Element_ARRAYSIZE) continue;
      visit(kind, layer, element);
    }
  }
}

std::size_t slot(int kind, int layer, int element) {
  return (static_cast<std::size_t>(kind) * v1::Layer_ARRAYSIZE + static_cast<std::size_t>(layer)) *
             v1::Element_ARRAYSIZE +
         static_cast<std::size_t>(element);
}

}  // namespace

StepMatcher::StepMatcher(const v1::StepLibrary& library) : library_(&library) {
  for (int i = 0; i < library.steps_size(); ++i) {
    for_each_slot(library.steps(i), [&](int kind, int layer, int element) {
      std::uint32_t& entry = element == 0
                                 ? any_[static_cast<std::size_t>(kind) * kLayers + static_cast<std::size_t>(layer)]
                                 : named_[slot(kind, layer, element)];
      if (entry == 0) entry = static_cast<std::uint32_t>(i) + 1;  // of two equal matches, the first
    });
  }
}

const v1::LibraryStep* StepMatcher::match(v1::RelationKind kind, v1::Layer layer, v1::Element element) const noexcept {
  if (kind <= 0 || kind >= kKinds || layer <= 0 || layer >= kLayers) return nullptr;
  std::uint32_t found = 0;
  if (element > 0 && element < kElements) found = named_[slot(kind, layer, element)];
  if (found == 0) found = any_[static_cast<std::size_t>(kind) * kLayers + static_cast<std::size_t>(layer)];
  return found == 0 ? nullptr : &library_->steps(static_cast<int>(found - 1));
}

// ---- merging ----------------------------------------------------------------------------------

namespace {

// Replaces the item of `into` with the key of `item`, where it stands, or appends it.
template <class Items, class Item, class Key>
void put(Items& into, const Item& item, Key key) {
  for (auto& existing : into) {
    if (key(existing) == key(item)) {
      existing = item;
      return;
    }
  }
  *into.Add() = item;
}

}  // namespace

v1::StepLibrary merge_libraries(const v1::StepLibrary& base, const v1::StepLibrary& overlay) {
  v1::StepLibrary out;
  if (!overlay.replace_bundled()) out = base;
  out.set_replace_bundled(false);
  if (!overlay.version().empty()) out.set_version(overlay.version());
  const auto by_id = [](const auto& x) -> const std::string& { return x.id(); };
  for (const auto& s : overlay.sources()) put(*out.mutable_sources(), s, by_id);
  for (const auto& s : overlay.steps()) put(*out.mutable_steps(), s, by_id);
  for (const auto& m : overlay.requirement_defaults()) {
    put(*out.mutable_requirement_defaults(), m, [](const auto& x) -> const std::string& { return x.requirement(); });
  }
  for (const auto& n : overlay.notes()) out.add_notes(n);
  return out;
}

// ---- checks -----------------------------------------------------------------------------------

namespace {

std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

template <class E>
std::string enum_name(const google::protobuf::EnumDescriptor* type, E value) {
  const auto* v = type->FindValueByNumber(static_cast<int>(value));
  return v != nullptr ? v->name() : std::to_string(static_cast<int>(value));
}

// The names a library may give an enum field: all but the *_UNSPECIFIED placeholder.
std::string allowed_names(const google::protobuf::EnumDescriptor& type) {
  std::string names;
  for (int k = 0; k < type.value_count(); ++k) {
    const std::string& name = type.value(k)->name();
    if (name.find("UNSPECIFIED") != std::string::npos) continue;
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

constexpr v1::Threat::Capability kCapabilities[] = {v1::Threat::COMMON_ATTACKS, v1::Threat::TARGETED_SUPPLY_CHAIN,
                                                    v1::Threat::ADVANCED_UNKNOWN};

class LibraryChecker {
 public:
  LibraryChecker(const v1::StepLibrary& library, const LibraryOrigin& origin, Diagnostics& out)
      : l_(library), origin_(origin), out_(out) {}

  void run() {
    check_sources();
    check_steps();
    check_requirement_defaults();
    check_ambiguity();
  }

 private:
  void error(const std::string& path, const std::string& entity, std::string message, std::string hint) {
    out_.error(origin_.file, origin_.path.empty() ? path : origin_.path + "." + path, entity, std::move(message),
               std::move(hint));
  }

  static std::string at(const char* list, int i) { return std::string(list) + "[" + std::to_string(i) + "]"; }
  static std::string step_label(const v1::LibraryStep& s, int i) {
    return s.id().empty() ? "library step #" + std::to_string(i) : "library step " + quoted(s.id());
  }

  void check_sources() {
    for (int i = 0; i < l_.sources_size(); ++i) {
      const auto& s = l_.sources(i);
      const std::string path = at("sources", i);
      if (s.id().empty()) {
        error(path + ".id", "library source #" + std::to_string(i), "library source has no id",
              "give every source a unique id, e.g. \"corelang\", and name it in a provenance's source");
        continue;
      }
      const std::string label = "library source " + quoted(s.id());
      const auto [first, fresh] = sources_.emplace(s.id(), i);
      if (!fresh) {
        error(path + ".id", label,
              "source id " + quoted(s.id()) + " is already used by " + at("sources", first->second),
              "give each source its own id");
      }
      if (s.citation().empty()) {
        error(path + ".citation", label, "library source has no citation",
              "give the citation: authors, title, version or commit, date");
      }
    }
  }

  void provenance(const v1::Provenance& p, const std::string& path, const std::string& entity,
                  const std::string& what) {
    if (p.note().empty()) {
      error(path + ".note", entity, what + " has no provenance note",
            "say where it comes from: with a source, where in it (file:lines, table); without one, the "
            "assumption and its reasoning (docs/library.md)");
    }
    if (!p.source().empty() && sources_.count(p.source()) == 0) {
      std::string listed;
      for (const auto& s : l_.sources()) listed += (listed.empty() ? "" : ", ") + s.id();
      error(path + ".source", entity, what + "'s source " + quoted(p.source()) + " is not one of the library's sources",
            "name a listed source (" + (listed.empty() ? std::string("none is listed") : listed) +
                "), add it to sources, or leave source empty for an assumption");
    }
  }

  void probability(double v, const std::string& path, const std::string& entity, const std::string& what) {
    if (!std::isfinite(v)) {
      error(path, entity, what + " is " + num(v) + ", not a finite number", "give a value between 0 and 1");
    } else if (v < 0 || v > 1) {
      error(path, entity, what + " is " + num(v) + ", outside [0, 1]",
            "give a value between 0 and 1 (e.g. 0.3 for 30%)");
    }
  }

  void mitigation(const v1::LibraryStep::Mitigation& m, const std::string& path, const std::string& entity) {
    const std::string who = m.requirement().empty() ? std::string("mitigation") : m.requirement();
    if (!is_requirement_id(m.requirement())) {
      error(path + ".requirement", entity,
            m.requirement().empty() ? "mitigation has no requirement"
                                    : quoted(m.requirement()) + " is not of the form CPS.<XX>-<n>",
            "use a CPSF requirement id such as CPS.AC-1");
    }
    probability(m.basic(), path + ".basic", entity, who + " basic efficacy");
    probability(m.advanced(), path + ".advanced", entity, who + " advanced efficacy");
    probability(m.high_advanced(), path + ".high_advanced", entity, who + " high_advanced efficacy");
    if (!(m.basic() <= m.advanced() && m.advanced() <= m.high_advanced()) &&
        std::isfinite(m.basic() + m.advanced() + m.high_advanced())) {
      error(path, entity,
            who + " efficacy decreases with the level: basic " + num(m.basic()) + ", advanced " + num(m.advanced()) +
                ", high_advanced " + num(m.high_advanced()),
            "a stronger measure removes at least as much: make basic ≤ advanced ≤ high_advanced");
    }
    provenance(m.from(), path + ".from", entity, who + " efficacy");
  }

  void check_steps() {
    std::unordered_map<std::string, int> ids;
    for (int i = 0; i < l_.steps_size(); ++i) {
      const auto& s = l_.steps(i);
      const std::string path = at("steps", i);
      const std::string label = step_label(s, i);
      if (s.id().empty()) {
        error(path + ".id", label, "library step has no id", "give every step a unique id, e.g. \"network-l3\"");
      } else if (const auto [first, fresh] = ids.emplace(s.id(), i); !fresh) {
        error(path + ".id", label, "step id " + quoted(s.id()) + " is already used by " + at("steps", first->second),
              "give each step its own id; to replace a bundled step, give its id in a scenario's library or a "
              "--library file");
      }
      if (s.kind() == v1::RELATION_KIND_UNSPECIFIED) {
        error(path + ".kind", label, "library step has no kind",
              "set kind to one of " + allowed_names(*v1::RelationKind_descriptor()));
      } else if (!v1::RelationKind_IsValid(s.kind())) {
        error(path + ".kind", label, "kind " + std::to_string(s.kind()) + " is not a RelationKind value",
              "set kind to one of " + allowed_names(*v1::RelationKind_descriptor()));
      }
      if (s.layers().empty()) {
        error(path + ".layers", label, "library step lists no layer",
              "give the relation layers it applies to, at least one of " + allowed_names(*v1::Layer_descriptor()));
      }
      for (int k = 0; k < s.layers_size(); ++k) {
        if (s.layers(k) == v1::LAYER_UNSPECIFIED || !v1::Layer_IsValid(s.layers(k))) {
          error(path + "." + at("layers", k), label,
                "layer " + enum_name(v1::Layer_descriptor(), s.layers(k)) + " is not a layer",
                "give one of " + allowed_names(*v1::Layer_descriptor()));
        }
      }
      for (int k = 0; k < s.target_elements_size(); ++k) {
        if (s.target_elements(k) == v1::ELEMENT_UNSPECIFIED || !v1::Element_IsValid(s.target_elements(k))) {
          error(path + "." + at("target_elements", k), label,
                "target element " + enum_name(v1::Element_descriptor(), s.target_elements(k)) + " is not an element",
                "give one of " + allowed_names(*v1::Element_descriptor()) +
                    ", or no target_elements for a step into any element");
        }
      }
      check_capabilities(s, path, label);
      std::map<std::string, int> listed;
      for (int k = 0; k < s.mitigated_by_size(); ++k) {
        const auto& m = s.mitigated_by(k);
        const std::string mpath = path + "." + at("mitigated_by", k);
        mitigation(m, mpath, label);
        if (m.requirement().empty()) continue;
        if (const auto [first, fresh] = listed.emplace(m.requirement(), k); !fresh) {
          error(mpath + ".requirement", label,
                quoted(m.requirement()) + " is already listed at " + at("mitigated_by", first->second),
                "list each requirement once, with one efficacy per level");
        }
      }
    }
  }

  void check_capabilities(const v1::LibraryStep& s, const std::string& path, const std::string& label) {
    std::map<int, int> seen;  // capability → first by_capability index
    for (int k = 0; k < s.by_capability_size(); ++k) {
      const auto& c = s.by_capability(k);
      const std::string cpath = path + "." + at("by_capability", k);
      const std::string name = enum_name(v1::Threat::Capability_descriptor(), c.capability());
      if (c.capability() == v1::Threat::CAPABILITY_UNSPECIFIED || !v1::Threat::Capability_IsValid(c.capability())) {
        error(cpath + ".capability", label, "by_capability has capability " + name + ", not a threat capability",
              "give one of " + allowed_names(*v1::Threat::Capability_descriptor()));
      } else if (const auto [first, fresh] = seen.emplace(c.capability(), k); !fresh) {
        error(cpath + ".capability", label,
              "capability " + name + " is already given at " + at("by_capability", first->second),
              "give exactly one by_capability for each capability");
      }
      probability(c.p(), cpath + ".p", label, name + " p");
      provenance(c.p_from(), cpath + ".p_from", label, name + " p");
      if (!c.has_ttc()) {
        error(cpath + ".ttc", label, name + " ttc is missing",
              "give the time to compromise in days, e.g. ttc { exponential { mean: 1 } }; for an instant step "
              "ttc { fixed { value: 0 } }");
      } else {
        for (const auto& problem : distribution_problems(c.ttc())) {
          error(cpath + ".ttc" + (problem.field.empty() ? "" : "." + problem.field), label,
                name + " ttc: " + problem.message, problem.hint);
        }
      }
      provenance(c.ttc_from(), cpath + ".ttc_from", label, name + " ttc");
    }
    for (const auto capability : kCapabilities) {
      if (seen.count(capability) == 0) {
        error(path + ".by_capability", label,
              "no by_capability for " + enum_name(v1::Threat::Capability_descriptor(), capability),
              "give exactly one by_capability for each of COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN and ADVANCED_UNKNOWN");
      }
    }
  }

  void check_requirement_defaults() {
    std::map<std::string, int> listed;
    for (int i = 0; i < l_.requirement_defaults_size(); ++i) {
      const auto& m = l_.requirement_defaults(i);
      const std::string path = at("requirement_defaults", i);
      const std::string label = m.requirement().empty() ? "library requirement default #" + std::to_string(i)
                                                        : "library requirement default " + quoted(m.requirement());
      mitigation(m, path, label);
      if (m.requirement().empty()) continue;
      if (const auto [first, fresh] = listed.emplace(m.requirement(), i); !fresh) {
        error(path + ".requirement", label,
              quoted(m.requirement()) + " already has a default at " + at("requirement_defaults", first->second),
              "give one default per requirement");
      }
    }
  }

  // Two steps in one slot: reported once per pair of steps, at the later.
  void check_ambiguity() {
    std::unordered_map<std::size_t, int> owner;  // slot → first step
    std::set<std::pair<int, int>> reported;
    for (int i = 0; i < l_.steps_size(); ++i) {
      for_each_slot(l_.steps(i), [&](int kind, int layer, int element) {
        const auto [first, fresh] = owner.emplace(slot(kind, layer, element), i);
        if (fresh || first->second == i || !reported.emplace(first->second, i).second) return;
        const auto& a = l_.steps(first->second);
        const auto& b = l_.steps(i);
        const std::string into = element == 0 ? "into any element (neither names target_elements)"
                                              : "into " + enum_name(v1::Element_descriptor(), element);
        error(at("steps", i), step_label(b, i),
              "steps " + quoted(a.id()) + " and " + quoted(b.id()) + " both match a " +
                  enum_name(v1::RelationKind_descriptor(), kind) + " relation on " +
                  enum_name(v1::Layer_descriptor(), layer) + " " + into + ", equally specifically (ambiguous)",
              "make their layers or target_elements disjoint; a step that names the element is chosen over one "
              "that names none");
      });
    }
  }

  const v1::StepLibrary& l_;
  const LibraryOrigin& origin_;
  Diagnostics& out_;
  std::unordered_map<std::string, int> sources_;  // id → index
};

}  // namespace

void check_library(const v1::StepLibrary& library, const LibraryOrigin& origin, Diagnostics& out) {
  LibraryChecker(library, origin, out).run();
}

}  // namespace cpsf
