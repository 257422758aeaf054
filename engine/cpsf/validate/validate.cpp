#include "cpsf/validate/validate.hpp"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "cpsf/base/field_path.hpp"
#include "cpsf/base/id_index.hpp"
#include "cpsf/base/limits.hpp"
#include "cpsf/base/utf8.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/model/cascade.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

constexpr const char* kDaysLimit = "1e8 days (about 274,000 years)";
constexpr const char* kDaysWhy =
    "the engine sums times exactly only up to 1e8 days (a later arrival counts as never); "
    "for a step that practically never succeeds, lower its p instead";
constexpr const char* kAmountLimit = "1e18";
constexpr const char* kAmountWhy =
    "amounts up to 1e18 keep every sum and square of the losses finite: use a larger currency unit (e.g. kJPY)";

constexpr const char* kUtf8Hint =
    "scenario text must be UTF-8: write the character itself (or a \\u escape), not a byte escape such as \\xff";

// A diagnostic's entity, e.g. "relation 'r1'": fixed text, or made only when a diagnostic is
// reported. Formatting the label of each of 10^7 relations up front cost more than checking them.
class Label {
 public:
  Label(const char* text) : text_(text) {}         // NOLINT(google-explicit-constructor)
  Label(const std::string& text) : text_(text) {}  // NOLINT(google-explicit-constructor)
  template <class Make>
  requires std::is_invocable_r_v<std::string, const Make&> Label(
      const Make& make)  // NOLINT(google-explicit-constructor): a lambda passes as a label
      : make_(&make), call_([](const void* m) { return (*static_cast<const Make*>(m))(); }) {}

  [[nodiscard]] std::string text() const { return call_ != nullptr ? call_(make_) : std::string(text_); }

 private:
  std::string_view text_;
  const void* make_ = nullptr;
  std::string (*call_)(const void*) = nullptr;
};

constexpr std::uint32_t kAbsent = IdIndex::kAbsent;

// Whether every one of the numbers is finite.
template <class... D>
bool finite(D... v) {
  return (std::isfinite(v) && ...);
}

// Whether an asset or relation is well formed as far as the generic checks go (every
// double finite, every enum field one of its type's values, every string UTF-8), read
// through the generated accessors: a quick pass over the two large lists, so that only an
// item with a problem is walked by reflection (Validator::malformed_in), which reports it.
// Must see every field below Asset and Relation; validate_test's
// EveryNonFiniteDoubleInTheSchemaIsReported, EveryUnknownEnumNumberInTheSchemaIsReported and
// EveryInvalidUtf8StringInTheSchemaIsReported fail on one it misses.
bool well_formed(const v1::Distribution& d) {
  using F = v1::Distribution;
  switch (d.family_case()) {
    case F::FAMILY_NOT_SET:
      return true;
    case F::kFixed:
      return finite(d.fixed().value());
    case F::kExponential:
      return finite(d.exponential().mean());
    case F::kLognormal:
      return finite(d.lognormal().mu(), d.lognormal().sigma());
    case F::kGamma:
      return finite(d.gamma().shape(), d.gamma().scale());
    case F::kUniform:
      return finite(d.uniform().min(), d.uniform().max());
    case F::kPert:
      return finite(d.pert().min(), d.pert().mode(), d.pert().max(), d.pert().lambda());
  }
  return false;  // a family added later: let reflection look
}
template <class... S>
bool utf8(const S&... s) {
  return (is_utf8(s) && ...);
}
bool well_formed(const v1::Asset& a) {
  const auto& l = a.loss();
  return finite(a.exposure(), a.containment(), l.confidentiality(), l.integrity(), l.availability(),
                l.operations_share()) &&
         (!l.has_outage_days() || well_formed(l.outage_days())) && v1::Layer_IsValid(a.layer()) &&
         v1::Element_IsValid(a.element()) && v1::Gate_IsValid(a.gate()) && utf8(a.id(), a.name(), a.owner()) &&
         std::all_of(a.tags().begin(), a.tags().end(), [](const std::string& t) { return is_utf8(t); });
}
bool well_formed(const v1::Relation& r) {
  const auto& step = r.step();
  return finite(step.p()) && (!step.has_ttc() || well_formed(step.ttc())) && v1::Layer_IsValid(r.layer()) &&
         v1::RelationKind_IsValid(r.kind()) && utf8(r.id(), r.from(), r.to(), r.description()) &&
         std::all_of(step.mitigated_by().begin(), step.mitigated_by().end(),
                     [](const std::string& m) { return is_utf8(m); });
}

// "an Element value", "a Layer value".
std::string a_value_of(const pb::EnumDescriptor& type) {
  const char c = type.name().empty() ? 'x' : type.name()[0];
  return std::string(std::string_view("AEIOU").find(c) != std::string_view::npos ? "an " : "a ") + type.name() +
         " value";
}

// The names a scenario may give an enum field: all but the *_UNSPECIFIED placeholder.
std::string allowed_names(const pb::EnumDescriptor& type) {
  std::string names;
  for (int k = 0; k < type.value_count(); ++k) {
    const std::string& name = type.value(k)->name();
    if (name.find("UNSPECIFIED") != std::string::npos) continue;
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

class Validator {
 public:
  Validator(const LoadedScenario& loaded, Diagnostics& out)
      : loaded_(loaded),
        s_(loaded.scenario()),
        out_(out),
        catalogue_(loaded.scenario()),
        library_(loaded.scenario()),
        resolver_(library_.get()) {}

  void run() {
    check_well_formed();
    check_step_library();
    check_empty();
    index_ids();
    check_enterprises();
    check_assets();
    check_relations();
    check_controls();
    check_threats();
    check_dependencies();
    check_requirements();
    check_baselines();
    check_control_coverage();
    warn_idle_controls();
    check_settings();
    check_reachability();
    check_targets_reachable();
  }

 private:
  // ---- reporting ---------------------------------------------------------------------
  void report(Severity severity, std::string_view list, int index, std::string_view sub, Label entity,
              std::string message, std::string hint) {
    if (list.empty()) {  // a field of the Scenario itself
      out_.add(Diagnostic{severity, loaded_.files.front().path, 0, 0, std::string(sub), entity.text(),
                          std::move(message), std::move(hint)});
      return;
    }
    auto [file, path] = loaded_.where(list, index);
    if (!sub.empty()) {
      path += '.';
      path += sub;
    }
    out_.add(Diagnostic{severity, *file, 0, 0, std::move(path), entity.text(), std::move(message), std::move(hint)});
  }
  void error(std::string_view list, int index, std::string_view sub, Label entity, std::string message,
             std::string hint) {
    report(Severity::Error, list, index, sub, entity, std::move(message), std::move(hint));
  }
  void warning(std::string_view list, int index, std::string_view sub, Label entity, std::string message,
               std::string hint) {
    report(Severity::Warning, list, index, sub, entity, std::move(message), std::move(hint));
  }
  void top_level(Severity severity, const std::string& path, std::string message, std::string hint) {
    out_.add(Diagnostic{severity, loaded_.files.front().path, 0, 0, path, "", std::move(message), std::move(hint)});
  }

  // ---- number checks (non-finite values are reported once, by check_well_formed) ---------
  void probability(double v, std::string_view list, int i, std::string_view sub, Label entity, std::string_view what) {
    if (std::isfinite(v) && (v < 0 || v > 1)) {
      error(list, i, sub, entity, std::string(what) + " is " + num(v) + ", outside [0, 1]",
            "give a value between 0 and 1 (e.g. 0.3 for 30%)");
    }
  }
  void non_negative(double v, std::string_view list, int i, std::string_view sub, Label entity, std::string_view what,
                    std::string_view unit) {
    if (std::isfinite(v) && v < 0) {
      error(list, i, sub, entity, std::string(what) + " is negative (" + num(v) + ")",
            "give " + std::string(unit) + " ≥ 0");
    }
  }

  // A number above a limit of limits.hpp: what it is, the limit, and why.
  void at_most(double v, double limit, std::string_view list, int i, std::string_view sub, Label entity,
               const std::string& what, std::string_view limit_text, std::string_view why) {
    if (std::isfinite(v) && v > limit) {
      error(list, i, sub, entity, what + " is " + num(v) + ", above the limit of " + std::string(limit_text),
            std::string(why));
    }
  }
  // Money: ≥ 0 and at most kMaxAmount.
  void amount(double v, std::string_view list, int i, std::string_view sub, Label entity, std::string_view what,
              std::string_view unit) {
    non_negative(v, list, i, sub, entity, what, unit);
    at_most(v, kMaxAmount, list, i, sub, entity, std::string(what), kAmountLimit, kAmountWhy);
  }
  // Days: ≥ 0 and at most kMaxDays.
  void days(double v, std::string_view list, int i, std::string_view sub, Label entity, std::string_view what) {
    non_negative(v, list, i, sub, entity, what, "days");
    at_most(v, kMaxDays, list, i, sub, entity, std::string(what), kDaysLimit, kDaysWhy);
  }

  void distribution(const v1::Distribution& d, std::string_view list, int i, std::string_view sub, Label entity,
                    std::string_view what) {
    using F = v1::Distribution;
    const auto bad = [&](const std::string& field, const std::string& message, const std::string& hint) {
      error(list, i, std::string(sub) + "." + field, entity, std::string(what) + ": " + message, hint);
    };
    const auto too_long = [&](const std::string& field, const std::string& name, double v) {
      if (std::isfinite(v) && v > kMaxDays) {
        bad(field, name + " " + num(v) + " days is above the limit of " + kDaysLimit, kDaysWhy);
      }
    };
    switch (d.family_case()) {
      case F::FAMILY_NOT_SET:
        error(list, i, sub, entity, std::string(what) + " has no distribution family",
              "set exactly one of fixed { value }, exponential { mean }, lognormal { mu sigma }, "
              "gamma { shape scale }, uniform { min max }, pert { min mode max }");
        return;
      case F::kFixed:
        if (finite(d.fixed().value()) && d.fixed().value() < 0) {
          bad("fixed.value", "fixed value is negative (" + num(d.fixed().value()) + ")", "a duration in days is ≥ 0");
        }
        too_long("fixed.value", "fixed value", d.fixed().value());
        return;
      case F::kExponential:
        if (finite(d.exponential().mean()) && d.exponential().mean() <= 0) {
          bad("exponential.mean", "exponential mean must be > 0, not " + num(d.exponential().mean()),
              "give the mean duration in days, e.g. mean: 3; for an instant step use fixed { value: 0 }");
        }
        too_long("exponential.mean", "exponential mean", d.exponential().mean());
        return;
      case F::kLognormal:
        lognormal(d.lognormal(), bad);
        return;
      case F::kGamma:
        gamma(d.gamma(), bad, too_long);
        return;
      case F::kUniform:
        uniform(d.uniform(), bad, too_long);
        return;
      case F::kPert:
        pert(d.pert(), bad, too_long);
        return;
    }
  }

  // The checks of the families with more than one parameter, for distribution():
  // bad(field, message, hint) reports a problem of a field of the distribution, and
  // too_long(field, name, days) a value above the limit of days.
  template <class Bad>
  static void lognormal(const v1::Distribution::LogNormal& l, const Bad& bad) {
    const double mu = l.mu(), sigma = l.sigma();
    if (finite(sigma) && sigma <= 0) {
      bad("lognormal.sigma", "lognormal sigma must be > 0, not " + num(sigma),
          "sigma is the standard deviation of log(days); for no spread use fixed");
    }
    // The mean e^(mu + sigma²/2) within the limit keeps every draw finite: the largest,
    // at the generator's extreme normal (|z| < 8.3), is below e^(ln 1e8 + 8.3²/2) days.
    if (finite(mu, sigma) && sigma > 0 && mu + 0.5 * sigma * sigma > std::log(kMaxDays)) {
      bad("lognormal",
          "lognormal mean e^(mu + sigma²/2) with mu " + num(mu) + " and sigma " + num(sigma) +
              " is above the limit of " + kDaysLimit,
          std::string("mu is ln(median days) and sigma the spread of log(days): lower them; ") + kDaysWhy);
    }
  }
  template <class Bad, class TooLong>
  static void gamma(const v1::Distribution::Gamma& g, const Bad& bad, const TooLong& too_long) {
    const double shape = g.shape(), scale = g.scale();
    if (finite(shape) && shape <= 0) bad("gamma.shape", "gamma shape must be > 0, not " + num(shape), "give shape > 0");
    if (finite(scale) && scale <= 0) {
      bad("gamma.scale", "gamma scale must be > 0, not " + num(scale), "give scale > 0 (days)");
    }
    too_long("gamma.scale", "gamma scale", scale);
    if (finite(shape, scale) && shape > 0 && scale > 0 && scale <= kMaxDays && shape * scale > kMaxDays) {
      bad("gamma", "gamma mean shape × scale = " + num(shape * scale) + " days is above the limit of " + kDaysLimit,
          kDaysWhy);
    }
  }
  template <class Bad, class TooLong>
  static void uniform(const v1::Distribution::Uniform& u, const Bad& bad, const TooLong& too_long) {
    if (!finite(u.min(), u.max())) return;
    if (u.min() < 0) bad("uniform.min", "uniform min is negative (" + num(u.min()) + ")", "durations are ≥ 0");
    if (u.max() <= u.min()) {
      bad("uniform.max", "uniform needs min < max, got min " + num(u.min()) + ", max " + num(u.max()),
          "make max larger than min; for a single value use fixed");
    }
    too_long("uniform.max", "uniform max", u.max());
  }
  template <class Bad, class TooLong>
  static void pert(const v1::Distribution::Pert& p, const Bad& bad, const TooLong& too_long) {
    if (p.has_lambda() && std::isfinite(p.lambda()) && p.lambda() <= 0) {
      bad("pert.lambda", "pert lambda must be > 0, not " + num(p.lambda()), "omit it for the usual 4");
    }
    if (p.has_lambda() && std::isfinite(p.lambda()) && p.lambda() > kMaxPertLambda) {
      bad("pert.lambda", "pert lambda is " + num(p.lambda()) + ", above the limit of 1e6",
          "a lambda that large puts every draw at the mode: use fixed { value: <mode> }");
    }
    too_long("pert.max", "pert max", p.max());
    if (!finite(p.min(), p.mode(), p.max())) return;
    if (p.min() < 0) bad("pert.min", "pert min is negative (" + num(p.min()) + ")", "durations are ≥ 0");
    if (!(p.min() <= p.mode() && p.mode() <= p.max()) || !(p.min() < p.max())) {
      bad("pert",
          "pert needs min ≤ mode ≤ max and min < max, got " + num(p.min()) + ", " + num(p.mode()) + ", " + num(p.max()),
          "order the three-point estimate as min, most likely, max");
    }
  }

  // ---- generic: every double finite, every enum known, every string UTF-8 -------------------
  // Visits the fields of `m` in the order Reflection::ListFields lists the set ones (by
  // number), so reports come in that order, but without listing every field of every
  // message. The path to the field is kept in field_path_ and formatted only for a report.
  void malformed_in(const pb::Message& m, std::string_view list, int i, Label entity) {
    for (const pb::FieldDescriptor* f : fields_to_check(m.GetDescriptor())) malformed_field(m, f, list, i, entity);
  }

  void malformed_field(const pb::Message& m, const pb::FieldDescriptor* f, std::string_view list, int i, Label entity) {
    const pb::Reflection* r = m.GetReflection();
    const int count = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int k = 0; k < count; ++k) {
      // An unset singular field reads as its default (0, "", the zero enum value), which
      // is well formed: no presence test needed except to enter a message.
      const int at = f->is_repeated() ? k : -1;
      switch (f->cpp_type()) {
        case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
          const double v = at < 0 ? r->GetDouble(m, f) : r->GetRepeatedDouble(m, f, k);
          if (!std::isfinite(v)) {
            bad(f, at, list, i, entity, f->name() + " is " + num(v) + ", not a finite number",
                "give an ordinary number");
          }
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_ENUM: {
          // proto3 enums are open: text format and binary keep numbers no value has.
          const int v = at < 0 ? r->GetEnumValue(m, f) : r->GetRepeatedEnumValue(m, f, k);
          if (f->enum_type()->FindValueByNumber(v) == nullptr) {
            bad(f, at, list, i, entity,
                f->name() + " is " + std::to_string(v) + ", which is not " + a_value_of(*f->enum_type()),
                "use one of " + allowed_names(*f->enum_type()));
          }
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_STRING: {
          std::string scratch;
          const std::string& v =
              at < 0 ? r->GetStringReference(m, f, &scratch) : r->GetRepeatedStringReference(m, f, k, &scratch);
          if (const std::size_t at_byte = invalid_utf8_at(v); at_byte != std::string_view::npos) {
            bad(f, at, list, i, entity,
                f->name() + " is not valid UTF-8: byte " + byte_hex(static_cast<unsigned char>(v[at_byte])) +
                    " at offset " + std::to_string(at_byte),
                kUtf8Hint);
          }
          break;
        }
        case pb::FieldDescriptor::CPPTYPE_MESSAGE:
          if (at < 0 && !r->HasField(m, f)) break;
          field_path_.push(f, at);
          malformed_in(at < 0 ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, k), list, i, entity);
          field_path_.pop();
          break;
        default:
          break;
      }
    }
  }

  void bad(const pb::FieldDescriptor* f, int at, std::string_view list, int i, Label entity, std::string message,
           std::string hint) {
    field_path_.push(f, at);
    error(list, i, field_path_.str(), entity, std::move(message), std::move(hint));
    field_path_.pop();
  }

  // The fields of `type` that can be malformed: doubles, enums and strings, and messages
  // to look into; by field number.
  const std::vector<const pb::FieldDescriptor*>& fields_to_check(const pb::Descriptor* type) {
    auto [it, fresh] = fields_to_check_.try_emplace(type);
    if (fresh) {
      for (int k = 0; k < type->field_count(); ++k) {
        const pb::FieldDescriptor* f = type->field(k);
        switch (f->cpp_type()) {
          case pb::FieldDescriptor::CPPTYPE_DOUBLE:
          case pb::FieldDescriptor::CPPTYPE_ENUM:
          case pb::FieldDescriptor::CPPTYPE_STRING:
          case pb::FieldDescriptor::CPPTYPE_MESSAGE:
            it->second.push_back(f);
            break;
          default:
            break;
        }
      }
      std::sort(it->second.begin(), it->second.end(),
                [](const auto* a, const auto* b) { return a->number() < b->number(); });
    }
    return it->second;
  }

  void check_well_formed() {
    std::unordered_set<std::string_view> listed;
    const auto each = [&](std::string_view list, const auto& items, const auto& label) {
      listed.insert(list);
      for (int i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        if constexpr (requires { well_formed(item); }) {
          if (well_formed(item)) continue;
        }
        malformed_in(item, list, i, [&] { return label(item, i); });
      }
    };
    each("enterprises", s_.enterprises(), [&](const auto& e, int) { return enterprise_label(e.id()); });
    each("assets", s_.assets(), [&](const auto& a, int) { return asset_label(a.id()); });
    each("relations", s_.relations(), [&](const auto& r, int i) { return relation_label(r, i); });
    each("controls", s_.controls(), [&](const auto& c, int) { return "control " + quoted(c.id()); });
    each("threats", s_.threats(), [&](const auto& t, int) { return "threat " + quoted(t.id()); });
    each("dependencies", s_.dependencies(), [&](const auto& d, int) { return dependency_label(d); });
    each("requirements", s_.requirements(), [&](const auto& r, int) { return "requirement " + quoted(r.id()); });
    each("baselines", s_.baselines(), [&](const auto& b, int) { return "baseline " + quoted(b.id()); });
    // The rest of the Scenario, by reflection: its own strings (name, include...), the
    // settings, and any list added to the schema later.
    for (const pb::FieldDescriptor* f : fields_to_check(v1::Scenario::descriptor())) {
      if (listed.count(f->name()) != 0) continue;
      if (f->is_repeated() && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int k = 0; k < s_.GetReflection()->FieldSize(s_, f); ++k) {
          malformed_in(s_.GetReflection()->GetRepeatedMessage(s_, f, k), f->name(), k,
                       [&] { return f->message_type()->name() + " #" + std::to_string(k); });
        }
      } else {
        malformed_field(s_, f, "", -1, f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE ? f->name() : "scenario");
      }
    }
  }

  // ---- labels ---------------------------------------------------------------------------------
  static std::string enterprise_label(const std::string& id) { return "enterprise " + quoted(id); }
  static std::string asset_label(const std::string& id) { return "asset " + quoted(id); }
  static std::string relation_label(const v1::Relation& r, int i) {
    if (!r.id().empty()) return "relation " + quoted(r.id());
    return "relation #" + std::to_string(i) + " (" + r.from() + " → " + r.to() + ")";
  }
  static std::string dependency_label(const v1::SupplyDependency& d) {
    return "dependency " + quoted(d.customer()) + " on " + quoted(d.supplier());
  }

  // ---- ids ------------------------------------------------------------------------------------
  // Records ids of one list, reporting empty and duplicate ones.
  template <class Items, class GetId>
  void collect_ids(std::string_view list, const Items& items, GetId get_id, const std::string& noun, IdIndex& ids,
                   bool id_required = true) {
    // Sized once; where ids are optional, for those given (relations often have none).
    std::size_t given = static_cast<std::size_t>(items.size());
    if (!id_required) {
      given = static_cast<std::size_t>(
          std::count_if(items.begin(), items.end(), [&](const auto& x) { return !get_id(x).empty(); }));
    }
    ids = IdIndex(given);
    for (int i = 0; i < items.size(); ++i) {
      const std::string& id = get_id(items[i]);
      if (id.empty()) {
        if (id_required) {
          error(list, i, "id", noun + " #" + std::to_string(i), noun + " has no id",
                "give every " + noun + " a unique id");
        }
        continue;
      }
      const auto [first, fresh] = ids.emplace(id, static_cast<std::uint32_t>(i));
      if (!fresh) {
        auto [first_file, first_path] = loaded_.where(list, static_cast<int>(first));
        error(list, i, "id", noun + " " + quoted(id),
              "duplicate id: " + quoted(id) + " is already used by " + first_path + " in " + *first_file,
              "give each " + noun + " its own id");
      }
    }
  }

  void index_ids() {
    collect_ids(
        "enterprises", s_.enterprises(), [](const auto& e) -> const std::string& { return e.id(); }, "enterprise",
        enterprises_);
    collect_ids(
        "assets", s_.assets(), [](const auto& a) -> const std::string& { return a.id(); }, "asset", assets_);
    collect_ids(
        "relations", s_.relations(), [](const auto& r) -> const std::string& { return r.id(); }, "relation", relations_,
        /*id_required=*/false);
    collect_ids(
        "controls", s_.controls(), [](const auto& c) -> const std::string& { return c.id(); }, "control", controls_);
    collect_ids(
        "threats", s_.threats(), [](const auto& t) -> const std::string& { return t.id(); }, "threat", threats_);
    collect_ids(
        "requirements", s_.requirements(), [](const auto& r) -> const std::string& { return r.id(); }, "requirement",
        requirements_);
    collect_ids(
        "baselines", s_.baselines(), [](const auto& b) -> const std::string& { return b.id(); }, "baseline",
        baselines_);
  }

  // The index of the entity `target` names; kAbsent, reported, when it is empty or undefined.
  std::uint32_t reference(const IdIndex& ids, const std::string& target, std::string_view list, int i,
                          std::string_view sub, Label entity, std::string_view role, std::string_view noun) {
    if (target.empty()) {
      error(list, i, sub, entity, std::string(role) + " is missing", "give the id of " + std::string(noun));
      return kAbsent;
    }
    const std::uint32_t found = ids.find(target);
    if (found == kAbsent) {
      error(list, i, sub, entity, std::string(role) + " " + quoted(target) + " is not defined",
            "define " + std::string(noun) + " with id " + quoted(target) + " or correct the reference" +
                suggestion(ids, target));
    }
    return found;
  }

  // " (did you mean 'x'?)" when an id differs little from a defined one: the nearest, and
  // of equally near ones the first in byte order, whatever order the index visits them in.
  static std::string suggestion(const IdIndex& ids, const std::string& wanted) {
    const auto distance = [](std::string_view a, std::string_view b) {
      std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
      for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
      for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
          cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(prev, cur);
      }
      return prev[b.size()];
    };
    if (wanted.size() > 64 || ids.size() > 100000) return "";
    std::string_view best;
    bool found = false;
    std::size_t best_d = 3;  // at most two edits away
    ids.for_each([&](std::string_view id, std::uint32_t) {
      if (id.size() > 64) return;
      const std::size_t d = distance(id, wanted);
      if (d < best_d || (d == best_d && found && id < best)) {
        if (d < best_d) best_d = d;
        best = id;
        found = true;
      }
    });
    return !found ? "" : " (did you mean " + quoted(std::string(best)) + "?)";
  }

  void requirement_reference(const std::string& id, std::string_view list, int i, std::string_view sub, Label entity) {
    if (id.empty()) {
      error(list, i, sub, entity, "requirement id is empty", "give a CPSF requirement id such as CPS.AC-1");
      return;
    }
    if (catalogue_.has_requirement(id)) return;
    if (!is_requirement_id(id)) {
      warning(list, i, sub, entity, quoted(id) + " is not of the form CPS.<XX>-<n>",
              "use a CPSF requirement id such as CPS.AC-1, or add it to the scenario's requirements");
    } else {
      warning(list, i, sub, entity, "unknown CPSF requirement id " + quoted(id),
              "check it against `cpsf catalogue`; if it is right, add it to the scenario's "
              "requirements list (the catalogue is extensible)");
    }
  }

  // ---- entities -------------------------------------------------------------------------------
  void check_empty() {
    if (s_.assets_size() == 0) {
      top_level(Severity::Error, "", "the scenario is empty: it has no assets",
                "add enterprises, assets and relations (see scenarios/default/scenario.textproto)");
    }
  }

  void check_enterprises() {
    for (int i = 0; i < s_.enterprises_size(); ++i) {
      const auto& e = s_.enterprises(i);
      const auto label = [&] { return enterprise_label(e.id()); };
      amount(e.daily_output(), "enterprises", i, "daily_output", label, "daily_output", "money per day");
      if (!e.baseline().empty() && catalogue_.find_baseline(e.baseline()) == nullptr) {
        std::string hint = "use a built-in baseline (";
        for (int k = 0; k < builtin_catalogue().baselines_size(); ++k) {
          hint += (k ? ", " : "") + builtin_catalogue().baselines(k).id();
        }
        hint += ") or define it under baselines";
        if (e.baseline() == "SCS-5")
          hint =
              "SCS ★5 is still under design by METI and has no control set; use SCS-4 or define SCS-5 under baselines";
        error("enterprises", i, "baseline", label, "baseline " + quoted(e.baseline()) + " is not defined", hint);
      }
    }
  }

  void check_assets() {
    for (int i = 0; i < s_.assets_size(); ++i) {
      const auto& a = s_.assets(i);
      const auto label = [&] { return asset_label(a.id().empty() ? "#" + std::to_string(i) : a.id()); };
      reference(enterprises_, a.owner(), "assets", i, "owner", label, "owner", "an enterprise");
      if (a.layer() == v1::LAYER_UNSPECIFIED) {
        error("assets", i, "layer", label, "has no CPSF layer",
              "set layer: L1 (between organisations), L2 (cyber-physical interface) or L3 (cyberspace)");
      }
      if (a.element() == v1::ELEMENT_UNSPECIFIED) {
        error("assets", i, "element", label, "has no CPSF element",
              "set element: ORGANIZATION, PEOPLE, COMPONENT, DATA, PROCEDURE or SYSTEM");
      }
      probability(a.exposure(), "assets", i, "exposure", label, "exposure");
      probability(a.containment(), "assets", i, "containment", label, "containment");
      const auto& l = a.loss();
      amount(l.confidentiality(), "assets", i, "loss.confidentiality", label, "loss.confidentiality", "an amount");
      amount(l.integrity(), "assets", i, "loss.integrity", label, "loss.integrity", "an amount");
      amount(l.availability(), "assets", i, "loss.availability", label, "loss.availability", "an amount");
      probability(l.operations_share(), "assets", i, "loss.operations_share", label, "loss.operations_share");
      if (l.has_outage_days()) {
        distribution(l.outage_days(), "assets", i, "loss.outage_days", label, "outage_days");
      } else if (std::isfinite(l.operations_share()) && l.operations_share() > 0) {
        error("assets", i, "loss.operations_share", label,
              "operations_share is " + num(l.operations_share()) + " but no outage_days are given",
              "give loss.outage_days { ... } (how long operations stop), or set operations_share to 0");
      }
    }
  }

  void check_relations() {
    std::vector<int> incoming(static_cast<std::size_t>(s_.assets_size()), 0);
    relation_ends_.reserve(static_cast<std::size_t>(s_.relations_size()));
    for (int i = 0; i < s_.relations_size(); ++i) {
      const auto& r = s_.relations(i);
      const auto label = [&] { return relation_label(r, i); };
      const std::uint32_t from = reference(assets_, r.from(), "relations", i, "from", label, "from", "an asset");
      const std::uint32_t to = reference(assets_, r.to(), "relations", i, "to", label, "to", "an asset");
      relation_ends_.emplace_back(from, to);
      if (to != kAbsent) ++incoming[to];
      if (!r.from().empty() && r.from() == r.to()) {
        warning("relations", i, "to", label, "leads from an asset to itself, which has no effect", "remove it");
      }
      if (r.layer() == v1::LAYER_UNSPECIFIED) {
        error("relations", i, "layer", label, "has no CPSF layer",
              "set layer: L1 (between organisations), L2 (cyber-physical interface) or L3 (cyberspace)");
      }
      const auto& step = r.step();
      if (!step.has_p()) {
        library_p_ = true;
        unresolved_p(r, i, to);
      } else {
        probability(step.p(), "relations", i, "step.p", label, "step.p");
      }
      if (step.has_ttc()) distribution(step.ttc(), "relations", i, "step.ttc", label, "ttc");
      for (int k = 0; k < step.mitigated_by_size(); ++k) {
        const std::string& requirement = step.mitigated_by(k);
        if (!requirement.empty() && catalogue_.has_requirement(requirement))
          continue;  // the usual case: no path to make
        requirement_reference(requirement, "relations", i, "step.mitigated_by[" + std::to_string(k) + "]", label);
      }
    }
    for (int i = 0; i < s_.assets_size(); ++i) {
      const auto& a = s_.assets(i);
      if (a.gate() == v1::ALL && incoming[static_cast<std::size_t>(i)] == 0 &&
          assets_.find(a.id()) == static_cast<std::uint32_t>(i)) {
        warning("assets", i, "gate", asset_label(a.id()),
                "has gate ALL but no incoming relation, so it can fall only as an entry point",
                "add the relations that must all succeed, or use gate ANY");
      }
    }
  }

  // ---- the attack-step library ---------------------------------------------------------------
  // The merged library (bundled ← the scenario's `library`, with any --library file applied
  // to it) passes check_library(); each problem names the file and field where its entry
  // was written. Without a `library` the bundled one runs, which library_test checks.
  void check_step_library() {
    if (!s_.has_library()) return;
    Diagnostics found;
    check_library(library_.get(), LibraryOrigin{"", ""}, found);
    for (Diagnostic& d : found.items()) {
      place_library_entry(d);
      out_.add(std::move(d));
    }
  }

  // Rewrites the file and path of a diagnostic about entry N of a merged list ("steps[N]...")
  // to where that entry was written: the scenario (or its --library file), or the bundled library.
  void place_library_entry(Diagnostic& d) const {
    const auto& own = s_.library();
    const auto& merged = library_.get();
    const auto& bundled = bundled_library();
    const auto id = [](const auto& x) -> const std::string& { return x.id(); };
    const auto requirement = [](const auto& x) -> const std::string& { return x.requirement(); };
    if (place_in(d, "steps", merged.steps(), own.steps(), bundled.steps(), id)) return;
    if (place_in(d, "sources", merged.sources(), own.sources(), bundled.sources(), id)) return;
    if (place_in(d, "requirement_defaults", merged.requirement_defaults(), own.requirement_defaults(),
                 bundled.requirement_defaults(), requirement)) {
      return;
    }
    d.file = loaded_.files.front().path;
    d.path = d.path.empty() ? "library" : "library." + d.path;
  }

  template <class Items, class Key>
  bool place_in(Diagnostic& d, const std::string& list, const Items& merged, const Items& own, const Items& bundled,
                Key key) const {
    const std::string head = list + "[";
    if (d.path.rfind(head, 0) != 0) return false;
    const auto close = d.path.find(']', head.size());
    if (close == std::string::npos) return false;
    const int n = std::atoi(d.path.substr(head.size(), close - head.size()).c_str());
    const std::string rest = d.path.substr(close + 1);
    if (n < 0 || n >= merged.size()) return false;
    const std::string& wanted = key(merged[n]);
    for (int j = own.size(); j-- > 0;) {  // the last with the key: merging replaces earlier ones
      if (key(own[j]) != wanted) continue;
      auto [file, path] = loaded_.where("library." + list, j);
      d.file = *file;
      d.path = path + rest;
      return true;
    }
    for (int j = 0; j < bundled.size(); ++j) {
      if (key(bundled[j]) != wanted) continue;
      d.file = std::string(bundled_library_file());
      d.path = list;
      d.path.append("[").append(std::to_string(j)).append("]").append(rest);
      return true;
    }
    return false;
  }

  // A step without p takes it from the library step of its kind, layer and `to` element;
  // without one, or without a kind, it has none.
  void unresolved_p(const v1::Relation& r, int i, std::uint32_t to) {
    const auto label = [&] { return relation_label(r, i); };
    if (r.kind() == v1::RELATION_KIND_UNSPECIFIED) {
      if (!r.has_step()) {
        error("relations", i, "step", label, "has no attack step and no kind",
              "add step { p: <success probability> }, or give the relation a kind, so that its step comes from "
              "the attack-step library (docs/library.md)");
      } else {
        error("relations", i, "step", label, "attack step has no success probability p, and the relation has no kind",
              "add p: <probability in [0, 1]> to step, or give the relation a kind, so that p comes from the "
              "attack-step library (docs/library.md)");
      }
      return;
    }
    if (to == kAbsent || r.layer() == v1::LAYER_UNSPECIFIED) return;  // reported: no element or layer to match
    const v1::Element element = s_.assets(static_cast<int>(to)).element();
    if (element == v1::ELEMENT_UNSPECIFIED) return;  // reported with the asset
    if (resolver_.resolve(r, element).p_from == From::Library) return;
    const auto name = [](const pb::EnumDescriptor* type, int v) {
      const auto* value = type->FindValueByNumber(v);
      return value != nullptr ? value->name() : std::to_string(v);
    };
    error("relations", i, "kind", label,
          "no step.p, and the attack-step library has no step for kind " +
              name(v1::RelationKind_descriptor(), r.kind()) + " on layer " + name(v1::Layer_descriptor(), r.layer()) +
              " into " + name(v1::Element_descriptor(), element) + " (the element of " + quoted(r.to()) + ")",
          "give step { p: <probability in [0, 1]> } (and a ttc), or add a library step for this kind, layer and "
          "element to the scenario's library or a --library file (docs/library.md)");
  }

  void check_controls() {
    for (int i = 0; i < s_.controls_size(); ++i) {
      const auto& c = s_.controls(i);
      const std::string label = "control " + quoted(c.id());
      requirement_reference(c.requirement(), "controls", i, "requirement", label);
      if (!c.has_efficacy() && c.level() == v1::LEVEL_UNSPECIFIED) {
        error("controls", i, "", label, "has no efficacy and no level",
              "add efficacy: <fraction of step success it removes, in [0, 1]>, or a level (BASIC, ADVANCED, "
              "HIGH_ADVANCED) so that the efficacy comes from the attack-step library (docs/library.md)");
      } else if (c.has_efficacy()) {
        probability(c.efficacy(), "controls", i, "efficacy", label, "efficacy");
      }
      amount(c.cost(), "controls", i, "cost", label, "cost", "an annual cost");
      for (int k = 0; k < c.enterprises_size(); ++k) {
        reference(enterprises_, c.enterprises(k), "controls", i, "enterprises[" + std::to_string(k) + "]", label,
                  "enterprise", "an enterprise");
      }
      for (int k = 0; k < c.assets_size(); ++k) {
        reference(assets_, c.assets(k), "controls", i, "assets[" + std::to_string(k) + "]", label, "asset", "an asset");
      }
      for (int k = 0; k < c.relations_size(); ++k) {
        reference(relations_, c.relations(k), "controls", i, "relations[" + std::to_string(k) + "]", label, "relation",
                  "a relation");
        const std::uint32_t relation = relations_.find(c.relations(k));
        if (relation == kAbsent || c.requirement().empty()) continue;
        const auto& scoped = s_.relations(static_cast<int>(relation));
        const std::uint32_t to = relation < relation_ends_.size() ? relation_ends_[relation].second : kAbsent;
        const auto element = to != kAbsent ? s_.assets(static_cast<int>(to)).element() : v1::ELEMENT_UNSPECIFIED;
        if (!resolver_.lists(scoped, resolver_.resolve(scoped, element), c.requirement())) {
          warning("controls", i, "relations[" + std::to_string(k) + "]", label,
                  "is scoped to relation " + quoted(c.relations(k)) + ", whose step is not mitigated_by " +
                      quoted(c.requirement()) + ", so it has no effect there",
                  "add " + c.requirement() +
                      " to that relation's step.mitigated_by, give it a kind whose library step "
                      "lists it (docs/library.md), or drop the relation from the scope");
        }
      }
    }
  }

  // ---- what the controls act on ---------------------------------------------------------------
  // Walks every relation's resolved step once: a control or baseline control without an
  // efficacy must get one from the library for each step it acts on (an error names the
  // first step it cannot); and what each control and baseline acts on is recorded for the
  // warnings about controls that act on nothing (warn_idle_controls).
  void check_control_coverage() {
    std::unordered_map<std::string_view, std::vector<int>> controls_by_requirement;
    for (int i = 0; i < s_.controls_size(); ++i) {
      if (!s_.controls(i).requirement().empty()) controls_by_requirement[s_.controls(i).requirement()].push_back(i);
    }
    control_acts_.assign(static_cast<std::size_t>(s_.controls_size()), 0);
    // Without controls or baselines no relation has anything to check: skip the walk, which
    // resolves every relation's step (5% of the validate stage's samples at 10^7 relations).
    const bool any_baseline = std::any_of(s_.enterprises().begin(), s_.enterprises().end(),
                                          [](const v1::Enterprise& e) { return !e.baseline().empty(); });
    if (s_.controls_size() == 0 && !any_baseline) return;
    std::vector<std::uint8_t> reported(control_acts_.size(), 0);
    const auto baseline_controls = controls_by_enterprise();
    std::set<std::pair<std::string, std::string>> baseline_reported;  // (baseline, requirement)
    for (int i = 0; i < s_.relations_size() && static_cast<std::size_t>(i) < relation_ends_.size(); ++i) {
      const std::uint32_t to = relation_ends_[static_cast<std::size_t>(i)].second;
      if (to == kAbsent) continue;
      const auto& r = s_.relations(i);
      const auto& target = s_.assets(static_cast<int>(to));
      const ResolvedStep step = resolver_.resolve(r, target.element());
      const std::uint32_t owner = enterprises_.find(target.owner());
      resolver_.for_each_requirement(r, step, [&](std::string_view requirement) {
        if (auto it = controls_by_requirement.find(requirement); it != controls_by_requirement.end()) {
          for (const int c : it->second) {
            if (!control_covers(s_.controls(c), r, target)) continue;
            control_acts_[static_cast<std::size_t>(c)] = 1;
            if (reported[static_cast<std::size_t>(c)] == 0 && !efficacy_resolves(s_.controls(c), requirement, step)) {
              reported[static_cast<std::size_t>(c)] = 1;
              no_efficacy("controls", c, "level", "control " + quoted(s_.controls(c).id()), s_.controls(c).level(),
                          requirement, r, i);
            }
          }
        }
        if (owner == kAbsent || owner >= baseline_controls.size()) return;
        const std::string& baseline = s_.enterprises(static_cast<int>(owner)).baseline();
        if (baseline.empty()) return;
        baseline_listed_[baseline].emplace(requirement);
        const auto& by_requirement = baseline_controls[owner];
        const auto it = by_requirement.find(std::string(requirement));
        if (it == by_requirement.end()) return;
        for (const auto& bc : it->second) {
          if (efficacy_resolves(bc, requirement, step) ||
              !baseline_reported.emplace(baseline, std::string(requirement)).second) {
            continue;
          }
          no_efficacy("enterprises", static_cast<int>(owner), "baseline",
                      "baseline " + quoted(baseline) + " (of enterprise " + quoted(target.owner()) + ")", bc.level(),
                      requirement, r, i);
        }
      });
    }
  }

  // Each enterprise's baseline controls by requirement (none where it has no baseline).
  std::vector<std::unordered_map<std::string, std::vector<v1::BaselineControl>>> controls_by_enterprise() const {
    std::vector<std::unordered_map<std::string, std::vector<v1::BaselineControl>>> out(
        static_cast<std::size_t>(s_.enterprises_size()));
    std::unordered_map<std::string, std::vector<v1::BaselineControl>> of_baseline;
    for (int i = 0; i < s_.enterprises_size(); ++i) {
      const std::string& b = s_.enterprises(i).baseline();
      if (b.empty() || catalogue_.find_baseline(b) == nullptr) continue;
      auto [it, fresh] = of_baseline.try_emplace(b);
      if (fresh) it->second = catalogue_.controls_of(b);
      for (const auto& bc : it->second) out[static_cast<std::size_t>(i)][bc.requirement()].push_back(bc);
    }
    return out;
  }

  // No silent no-ops: a control, or a baseline's control, whose requirement no step it
  // covers lists changes nothing. Names it and says how to make it act.
  void warn_idle_controls() {
    // Idle controls by requirement and implemented: more than kIdleListed of one kind (an
    // imported self-assessment gives thousands) are one warning that counts and names them.
    std::map<std::pair<std::string, bool>, std::vector<int>> idle;
    for (int i = 0; i < s_.controls_size() && static_cast<std::size_t>(i) < control_acts_.size(); ++i) {
      const auto& c = s_.controls(i);
      if (control_acts_[static_cast<std::size_t>(i)] != 0 || c.requirement().empty()) continue;
      idle[{c.requirement(), c.implemented()}].push_back(i);
    }
    for (const auto& [key, controls] : idle) warn_idle_control_group(key.first, key.second, controls);
    std::map<std::string, std::vector<int>> claimed;  // baseline → the enterprises that claim it
    for (int i = 0; i < s_.enterprises_size(); ++i) {
      const std::string& b = s_.enterprises(i).baseline();
      if (!b.empty() && catalogue_.find_baseline(b) != nullptr) claimed[b].push_back(i);
    }
    for (const auto& [baseline, enterprises] : claimed) warn_idle_baseline(baseline, enterprises);
  }

  static constexpr std::size_t kIdleListed = 3;

  void warn_idle_control_group(const std::string& requirement, bool implemented, const std::vector<int>& controls) {
    const std::string fix = "add " + requirement +
                            " to the step.mitigated_by of the relations it should act on, give those relations a kind "
                            "whose library step lists it (docs/library.md), or change the control's scope "
                            "(enterprises, assets, relations)";
    const std::string why = " among its step's mitigations (by hand or from the attack-step library), so it " +
                            std::string(implemented ? "changes nothing" : "would change nothing");
    const std::string acts = implemented ? "acts" : "would act";
    if (controls.size() <= kIdleListed) {
      const std::string message = acts + " on no relation: no relation it covers lists " + requirement + why;
      for (const int i : controls) {
        warning("controls", i, "requirement", "control " + quoted(s_.controls(i).id()), message, fix);
      }
      return;
    }
    std::string named;
    for (std::size_t k = 0; k < kIdleListed; ++k) named += (k == 0 ? "" : ", ") + quoted(s_.controls(controls[k]).id());
    warning("controls", controls.front(), "requirement", "control " + quoted(s_.controls(controls.front()).id()),
            std::to_string(controls.size()) + (implemented ? " controls" : " candidate controls") + " of " +
                requirement + " (" + named + " and " + std::to_string(controls.size() - kIdleListed) + " more) " +
                (implemented ? "act" : "would act") + " on no relation: no relation any of them covers lists " +
                requirement + why.substr(0, why.find(", so it")) + ", so they " +
                (implemented ? "change nothing" : "would change nothing"),
            fix);
  }

  void warn_idle_baseline(const std::string& baseline, const std::vector<int>& enterprises) {
    std::set<std::string> requirements;
    for (const auto& bc : catalogue_.controls_of(baseline)) requirements.insert(bc.requirement());
    if (requirements.empty()) return;
    const auto listed_it = baseline_listed_.find(baseline);
    std::string idle, who;
    std::size_t n_idle = 0;
    for (const auto& r : requirements) {
      if (listed_it != baseline_listed_.end() && listed_it->second.count(r) != 0) continue;
      idle += (n_idle++ == 0 ? "" : ", ") + r;
    }
    if (n_idle == 0) return;
    for (std::size_t k = 0; k < enterprises.size(); ++k) {
      who += (k == 0 ? "" : ", ") + quoted(s_.enterprises(enterprises[k]).id());
    }
    // A baseline is a claim about an enterprise: some of its requirements (governance,
    // say) acting on no step of the chain is usual, and listed by `cpsf validate
    // --summary`; a baseline none of whose requirements acts changes nothing at all.
    if (n_idle < requirements.size()) return;
    warning("enterprises", enterprises.front(), "baseline", "baseline " + quoted(baseline),
            "changes nothing: no relation into the assets of " + who + " lists any of its requirements (" + idle +
                ") among its step's mitigations, by hand or from the attack-step library",
            "give the relations into these enterprises' assets a kind whose library step lists its requirements "
            "(docs/library.md), or add them to those relations' step.mitigated_by");
  }

  template <class C>
  bool efficacy_resolves(const C& control, std::string_view requirement, const ResolvedStep& step) const {
    if (control.has_efficacy() || control.level() == v1::LEVEL_UNSPECIFIED) return true;  // else reported already
    return resolver_.efficacy(std::nullopt, control.level(), requirement, step).value.has_value();
  }

  void no_efficacy(std::string_view list, int index, std::string_view sub, const std::string& entity, v1::Level level,
                   std::string_view requirement, const v1::Relation& r, int relation) {
    const std::string req(requirement);
    error(list, index, sub, entity,
          "its control for " + req + " has no efficacy, and the attack-step library gives none at level " +
              v1::Level_Name(level) + " for " + relation_label(r, relation) +
              ": neither that relation's library step nor the library's requirement_defaults list " + req,
          "give the control an efficacy: <value in [0, 1]>, or add " + req +
              " with its efficacy per level to the library's requirement_defaults (a scenario's library or a "
              "--library file, docs/library.md)");
  }

  void check_threats() {
    // Relations with no p of their own take it from the library; with none written, a
    // threat's step_scale has nothing to scale.
    const bool no_p_written = !s_.relations().empty() && std::none_of(s_.relations().begin(), s_.relations().end(),
                                                                      [](const auto& r) { return r.step().has_p(); });
    for (int i = 0; i < s_.threats_size(); ++i) {
      const auto& t = s_.threats(i);
      const std::string label = "threat " + quoted(t.id());
      std::unordered_set<std::string> entries;
      for (int k = 0; k < t.entry_points_size(); ++k) {
        const auto& e = t.entry_points(k);
        const std::string sub = "entry_points[" + std::to_string(k) + "]";
        reference(assets_, e.asset(), "threats", i, sub + ".asset", label, "entry point", "an asset");
        if (!e.asset().empty() && !entries.insert(e.asset()).second) {
          error("threats", i, sub, label, "entry point " + quoted(e.asset()) + " is listed twice",
                "list each entry asset once");
        }
        if (!e.has_probability()) {
          error("threats", i, sub, label, "entry point " + quoted(e.asset()) + " has no probability",
                "add probability: <chance of initial access in [0, 1]>");
        } else {
          probability(e.probability(), "threats", i, sub + ".probability", label, "entry point probability");
        }
      }
      for (int k = 0; k < t.objectives_size(); ++k) {
        reference(assets_, t.objectives(k), "threats", i, "objectives[" + std::to_string(k) + "]", label, "objective",
                  "an asset");
      }
      if (t.has_annual_frequency()) {
        non_negative(t.annual_frequency(), "threats", i, "annual_frequency", label, "annual_frequency",
                     "attacks per year");
        if (std::isfinite(t.annual_frequency()) && t.annual_frequency() > kMaxAnnualFrequency) {
          error("threats", i, "annual_frequency", label,
                "annual_frequency " + num(t.annual_frequency()) + " is above the supported " +
                    std::to_string(static_cast<long long>(kMaxAnnualFrequency)) + " attacks a year",
                "model very frequent events as one attack with a higher entry probability");
        }
      }
      if (t.has_step_scale()) non_negative(t.step_scale(), "threats", i, "step_scale", label, "step_scale", "a factor");
      if (t.has_step_scale() && t.step_scale() != 1 && no_p_written) {
        warning("threats", i, "step_scale", label,
                "step_scale " + num(t.step_scale()) +
                    " changes nothing: it multiplies the p a relation's step writes, and every p here comes from "
                    "the attack-step library, which sets p by the threat's capability",
                "set the threat's capability (COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN, ADVANCED_UNKNOWN) and remove "
                "step_scale; or write step.p on the relations it should scale (docs/library.md)");
      }
    }
  }

  void check_dependencies() {
    std::set<std::pair<std::string, std::string>> pairs;
    for (int i = 0; i < s_.dependencies_size(); ++i) {
      const auto& d = s_.dependencies(i);
      const std::string label = dependency_label(d);
      reference(enterprises_, d.customer(), "dependencies", i, "customer", label, "customer", "an enterprise");
      reference(enterprises_, d.supplier(), "dependencies", i, "supplier", label, "supplier", "an enterprise");
      if (!d.customer().empty() && d.customer() == d.supplier()) {
        error("dependencies", i, "supplier", label, "an enterprise cannot depend on itself",
              "name a different supplier");
      } else if (!pairs.emplace(d.customer(), d.supplier()).second) {
        error("dependencies", i, "", label, "the same dependency is given twice", "merge them into one share");
      }
      probability(d.share(), "dependencies", i, "share", label, "share");
      days(d.buffer_days(), "dependencies", i, "buffer_days", label, "buffer_days");
    }
    // The cascade needs (I − A*) invertible with ρ(A*) < 1 (methods.md §8), and nothing
    // more: a customer's shares may add up to more than 1 (published IIM matrices have
    // such rows; q is clamped to 1), so their sum draws no warning. Only checked when
    // every dependency is well formed, so the message is about the matrix alone.
    // Every enterprise by id, an empty id too; of a duplicated id, the first.
    IdIndex index(static_cast<std::size_t>(s_.enterprises_size()));
    for (int i = 0; i < s_.enterprises_size(); ++i)
      index.emplace(s_.enterprises(i).id(), static_cast<std::uint32_t>(i));
    std::vector<SupplyLink> links;
    bool well_formed = true;
    for (const auto& d : s_.dependencies()) {
      const std::uint32_t c = index.find(d.customer()), p = index.find(d.supplier());
      if (c == kAbsent || p == kAbsent || c == p || !std::isfinite(d.share()) || d.share() < 0 || d.share() > 1) {
        well_formed = false;
        break;
      }
      if (d.share() > 0) links.push_back({c, p, d.share(), d.buffer_days()});
    }
    if (well_formed && !links.empty()) {
      if (auto problem = interdependency_problem(index.size(), links)) {
        error("dependencies", s_.dependencies_size() - 1, "share", "the dependencies", *problem,
              "lower the shares on the cycle of dependencies so that no group of enterprises depends on itself "
              "for all of its output (every customer's shares adding up to less than 1 is always enough)");
      }
    }
  }

  void check_requirements() {
    for (int i = 0; i < s_.requirements_size(); ++i) {
      const auto& r = s_.requirements(i);
      if (r.id().empty()) continue;  // reported by collect_ids
      const std::string label = "requirement " + quoted(r.id());
      bool builtin = false;
      for (const auto& b : builtin_catalogue().requirements()) builtin |= b.id() == r.id();
      if (builtin) {
        warning("requirements", i, "id", label, "replaces the built-in requirement of the same id",
                "remove it unless you mean to correct the catalogue's entry");
      }
      if (!is_requirement_id(r.id())) {
        warning("requirements", i, "id", label, quoted(r.id()) + " is not of the form CPS.<XX>-<n>",
                "CPSF requirement ids look like CPS.AC-1; other ids work but are not CPSF's");
      } else {
        const std::string category = r.id().substr(4, r.id().find('-') - 4);
        if (!catalogue_.has_category(category)) {
          warning("requirements", i, "id", label, "category " + quoted(category) + " is not a CPSF category",
                  "check the category code against `cpsf catalogue`");
        }
      }
    }
  }

  void check_baselines() {
    for (int i = 0; i < s_.baselines_size(); ++i) {
      const auto& b = s_.baselines(i);
      const std::string label = "baseline " + quoted(b.id());
      if (!b.id().empty() && catalogue_.is_builtin_baseline(b.id())) {
        warning("baselines", i, "id", label, "replaces the built-in baseline of the same id",
                "give it another id if you meant a new baseline");
      }
      for (int k = 0; k < b.extends_size(); ++k) {
        if (catalogue_.find_baseline(b.extends(k)) == nullptr) {
          error("baselines", i, "extends[" + std::to_string(k) + "]", label,
                "extends " + quoted(b.extends(k)) + ", which is not defined", "define that baseline or correct the id");
        }
      }
      if (extends_cycle(b.id())) {
        error("baselines", i, "extends", label, "its extends chain leads back to itself", "break the cycle");
      }
      for (int k = 0; k < b.controls_size(); ++k) {
        const auto& c = b.controls(k);
        const std::string sub = "controls[" + std::to_string(k) + "]";
        requirement_reference(c.requirement(), "baselines", i, sub + ".requirement", label);
        if (!c.has_efficacy() && c.level() == v1::LEVEL_UNSPECIFIED) {
          error("baselines", i, sub, label, "control " + quoted(c.requirement()) + " has no efficacy and no level",
                "add efficacy: <value in [0, 1]>, or a level (BASIC, ADVANCED, HIGH_ADVANCED) so that the "
                "efficacy comes from the attack-step library (docs/library.md)");
        } else if (c.has_efficacy()) {
          probability(c.efficacy(), "baselines", i, sub + ".efficacy", label, "efficacy");
        }
        amount(c.cost(), "baselines", i, sub + ".cost", label, "cost", "an annual cost");
      }
    }
  }

  bool extends_cycle(const std::string& start) const {
    std::unordered_set<std::string> on_path;
    std::function<bool(const std::string&)> visit = [&](const std::string& id) {
      const v1::Baseline* b = catalogue_.find_baseline(id);
      if (b == nullptr) return false;
      if (!on_path.insert(id).second) return true;
      for (const auto& parent : b->extends()) {
        if (parent == start || visit(parent)) return true;
      }
      on_path.erase(id);
      return false;
    };
    return !start.empty() && visit(start);
  }

  // A scenario's settings are untrusted input: the limits of the run's options
  // (limits.hpp), so that what validates also runs.
  void check_settings() {
    if (!s_.has_settings()) return;
    const auto& st = s_.settings();
    if (st.has_horizon() && std::isfinite(st.horizon()) && st.horizon() > kMaxDays) {
      top_level(Severity::Error, "settings.horizon",
                "settings: horizon is " + num(st.horizon()) + ", above the limit of " + kDaysLimit,
                "arrivals later than 1e8 days never count anyway: leave the horizon out for no horizon");
    } else if (st.has_horizon() && std::isfinite(st.horizon()) && !limits::horizon.contains(st.horizon())) {
      top_level(Severity::Error, "settings.horizon", "settings: " + must_be("horizon", limits::horizon, st.horizon()),
                "give the horizon in days (≥ 0), or leave it out for no horizon");
    }
    const double rse = st.target_relative_stderr();
    if (std::isfinite(rse) && !limits::target_rse.contains(rse)) {
      top_level(Severity::Error, "settings.target_relative_stderr",
                "settings: " + must_be("target_relative_stderr", limits::target_rse, rse),
                "give a relative standard error such as 0.01, or 0 for off");
    }
    if (st.trials() != 0 && !limits::trials.contains(st.trials())) {  // 0: the default
      top_level(Severity::Error, "settings.trials", "settings: " + must_be("trials", limits::trials, st.trials()),
                "give at most " + std::to_string(limits::trials.max) + " trials, or leave it out for the default");
    }
    if (!limits::threads.contains(st.threads())) {
      top_level(Severity::Error, "settings.threads", "settings: " + must_be("threads", limits::threads, st.threads()),
                "give at most " + std::to_string(limits::threads.max) + " threads, or 0 (every core)");
    }
  }

  // Where attacks begin, by compile()'s rules (model.hpp): each threat's entry points
  // with a probability above 0, or the assets with exposure above 0 for a threat without
  // entry points and for the implicit threat of a scenario without threats. Per asset:
  // kStepsOn where a threat that takes steps enters (step_scale > 0, or any relation whose p
  // comes from the library, which step_scale does not scale), kEntered where only threats
  // that take none do. Entry points naming no asset are left out (reported).
  static constexpr std::uint8_t kEntered = 1, kStepsOn = 2;
  std::vector<std::uint8_t> entries() const {
    std::vector<std::uint8_t> entry(static_cast<std::size_t>(s_.assets_size()), 0);
    const auto enter = [&](std::uint32_t asset, bool steps) {
      if (asset != kAbsent) entry[asset] |= steps ? kStepsOn : kEntered;
    };
    const auto at_exposures = [&](bool steps) {
      for (int i = 0; i < s_.assets_size(); ++i) {
        if (s_.assets(i).exposure() > 0) enter(static_cast<std::uint32_t>(i), steps);
      }
    };
    if (s_.threats().empty()) at_exposures(true);
    for (const auto& t : s_.threats()) {
      const bool steps = !t.has_step_scale() || t.step_scale() > 0 || library_p_;
      if (enters_at_exposures(t)) {
        at_exposures(steps);
        continue;
      }
      for (const auto& e : t.entry_points()) {
        if (e.probability() > 0) enter(assets_.find(e.asset()), steps);
      }
    }
    return entry;
  }

  void check_reachability() {
    if (s_.assets_size() == 0) return;
    const bool exposures = exposures_used(s_);
    const auto entry = entries();
    if (std::all_of(entry.begin(), entry.end(), [](std::uint8_t e) { return e == 0; })) {
      top_level(Severity::Warning, "",
                exposures ? "nothing can be compromised: no asset has exposure > 0 and no threat has an entry point "
                            "with probability > 0"
                          : "nothing can be compromised: no threat has an entry point with probability > 0 (and "
                            "exposures are used only by threats without entry_points)",
                "give threats entry_points with probabilities, or entry assets an exposure and a threat without "
                "entry_points (or no threats at all)");
    }
    if (exposures) return;
    // Every threat lists its own entry points, so compile() gives no threat an exposure.
    // An exposed asset that no threat enters at is then no entry at all, though it reads
    // as one. (On an asset some threat enters at, an exposure only stands for threats
    // without entry points, as the shipped scenarios keep it: no warning.)
    for (int i = 0; i < s_.assets_size(); ++i) {
      const double x = s_.assets(i).exposure();
      if (!(x > 0) || entry[static_cast<std::size_t>(i)] != 0) continue;
      warning("assets", i, "exposure", asset_label(s_.assets(i).id()),
              "exposure " + num(x) +
                  " is used by no threat, and no threat enters here: every threat lists its "
                  "own entry_points (exposures are only for threats without them), so this asset is no entry",
              "add the asset to a threat's entry_points (with its probability), or add a threat without "
              "entry_points, which enters at every exposed asset; or remove the exposure");
    }
  }

  // Whether relation r's step can succeed against some threat: p > 0, written or from the
  // library (for any capability).
  bool can_succeed(int r, std::uint32_t to) const {
    const auto& relation = s_.relations(r);
    if (relation.step().has_p()) return relation.step().p() > 0;
    const auto step = resolver_.resolve(relation, s_.assets(static_cast<int>(to)).element());
    return std::any_of(step.p.begin(), step.p.end(), [](double p) { return p > 0; });
  }

  // A target no attack can reach is never compromised: legal, but usually a missing
  // relation. Follows the engine's rules (sim/attack.cpp) from the entries: a step with
  // p = 0 never succeeds, nothing leaves an asset with containment 1, a threat with
  // step_scale 0 takes no step whose p is written, and an ALL gate falls through its relations only when
  // every incoming relation can succeed. All threats are searched together, so an ALL
  // gate whose relations only different threats reach counts as reached: the warning is
  // never wrong, but can be missed there.
  void check_targets_reachable() {
    if (out_.has_errors() || s_.assets_size() == 0) return;  // references must resolve first
    const auto n = static_cast<std::uint32_t>(s_.assets_size());
    // No error was reported, so every end resolved; a missed one must not index past n.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ends = std::move(relation_ends_);
    if (std::any_of(ends.begin(), ends.end(), [&](const auto& e) { return e.first >= n || e.second >= n; })) return;
    // The steps that can succeed, in compressed rows by source; every relation into an
    // asset counts towards its ALL gate. Compressed rows: at 10^7 relations, per-asset
    // vectors cost more time and memory than the search.
    std::vector<std::uint32_t> begin(n + 1, 0), in_degree(n, 0);
    std::vector<std::uint8_t> succeeds(ends.size());  // each relation's message read once: 10^7 cache misses
    for (std::size_t r = 0; r < ends.size(); ++r) {
      ++in_degree[ends[r].second];
      succeeds[r] = can_succeed(static_cast<int>(r), ends[r].second) ? 1 : 0;
      begin[ends[r].first + 1] += succeeds[r];
    }
    for (std::uint32_t v = 0; v < n; ++v) begin[v + 1] += begin[v];
    std::vector<std::uint32_t> to(begin[n]);
    {
      std::vector<std::uint32_t> next(begin.begin(), begin.end() - 1);
      for (std::size_t r = 0; r < ends.size(); ++r) {
        if (succeeds[r] != 0) to[next[ends[r].first]++] = ends[r].second;
      }
    }
    succeeds = {};
    ends = {};
    std::vector<std::uint8_t> reached = entries();
    std::vector<std::uint32_t> queue, succeeded(n, 0);  // steps into each asset from where steps go on
    for (std::uint32_t v = 0; v < n; ++v) {
      if (reached[v] & kStepsOn) queue.push_back(v);
    }
    while (!queue.empty()) {
      const std::uint32_t v = queue.back();
      queue.pop_back();
      if (s_.assets(static_cast<int>(v)).containment() >= 1) continue;
      for (std::uint32_t e = begin[v]; e < begin[v + 1]; ++e) {
        const std::uint32_t w = to[e];
        ++succeeded[w];
        if (reached[w] & kStepsOn) continue;
        if (s_.assets(static_cast<int>(w)).gate() == v1::ALL && succeeded[w] < in_degree[w]) continue;
        reached[w] |= kStepsOn;
        queue.push_back(w);
      }
    }
    for (int i = 0; i < s_.assets_size(); ++i) {
      if (s_.assets(i).target() && reached[static_cast<std::size_t>(i)] == 0) {
        warning("assets", i, "target", asset_label(s_.assets(i).id()),
                "is a target but no entry point reaches it, so it is never compromised",
                "add the relations that lead to it, or an entry point on its way");
      }
    }
  }

  const LoadedScenario& loaded_;
  const v1::Scenario& s_;
  Diagnostics& out_;
  CatalogueIndex catalogue_;
  EffectiveLibrary library_;
  StepResolver resolver_;
  // Filled by check_control_coverage: whether each control covers some relation whose step
  // its requirement mitigates, and each baseline in use: the requirements listed by steps
  // into its enterprises' assets.
  std::vector<std::uint8_t> control_acts_;
  std::unordered_map<std::string, std::set<std::string, std::less<>>> baseline_listed_;
  IdIndex enterprises_, assets_, relations_, controls_, threats_, requirements_, baselines_;
  // (from, to) asset indices of each relation, kAbsent where undefined: check_relations
  // resolves them, check_targets_reachable follows them.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> relation_ends_;
  // Some relation's step has no p of its own (it comes from the library, which step_scale
  // does not scale): found by check_relations, read by entries().
  bool library_p_ = false;
  // malformed_in's way down to the current field.
  FieldPath field_path_;
  std::unordered_map<const pb::Descriptor*, std::vector<const pb::FieldDescriptor*>> fields_to_check_;
};

}  // namespace

void validate(const LoadedScenario& scenario, Diagnostics& out) {
  Diagnostics found;
  Validator(scenario, found).run();
  place_diagnostics(found, scenario.files);
  // Read in file order: by file as loaded, then line.
  std::unordered_map<std::string, std::size_t> file_rank;
  for (std::size_t i = 0; i < scenario.files.size(); ++i) file_rank.emplace(scenario.files[i].path, i);
  std::stable_sort(found.items().begin(), found.items().end(), [&](const Diagnostic& a, const Diagnostic& b) {
    const auto ra = file_rank[a.file], rb = file_rank[b.file];
    if (ra != rb) return ra < rb;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
  out.append(found);
}

}  // namespace cpsf
