// Every limit on an option or a setting, in one place: the engine's option checks
// (RunOptions::check, GenerateOptions::check, ...), the validator's checks of a
// scenario's `settings`, the command line's option parsers (cli/options.hpp) and
// the Python package (cpsf._core.limits) all read them from here, so the same value gets
// the same verdict everywhere. Messages name options in neutral words (no CLI flags).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace cpsf {

// ---- What a scenario's numbers may hold (docs/scenario-format.md, Limits) -------------
// validate() refuses a number above its limit; the engine relies on the limits so that
// every sum it forms stays finite and exact without a test in the trial loop.

// Days: every duration law's mean and bounds (fixed value, exponential mean, lognormal
// mean e^(mu + sigma²/2), gamma mean and scale, uniform and PERT max), dependency buffers
// and the horizon; arrivals later than this count as never, as beyond a horizon.
// Arrival times are summed exactly in 128-bit fixed point (2^-32 day) over up to 2^40
// trials, and so are their squares: (1e8)² × 2^32 × 2^40 < 2^127, with room to spare.
// About 274,000 years.
inline constexpr double kMaxDays = 1e8;

// Money: every amount (losses, daily output, costs). A trial's loss is a sum over assets,
// enterprises and (annualised) up to ~10^5 attacks, amplified by the cascade, and its
// statistics square it: 1e18 keeps every sum and square of them far inside a double.
inline constexpr double kMaxAmount = 1e18;

// PERT's lambda: beyond it the law is a spike at the mode (use fixed), and its beta
// shapes 1 + lambda × ... would eventually overflow the sampler.
inline constexpr double kMaxPertLambda = 1e6;

// ---- What options and settings may hold ---------------------------------------------

// Trials are numbered below 2^40: attack_address() (sim/attack.hpp) packs the attack
// index above the trial's 40 bits. Exclusive: the most trials a run can have is 2^40 − 1.
inline constexpr std::uint64_t kMaxTrials = std::uint64_t{1} << 40;
// Worker threads a run may ask for (more than any machine cpsf targets has cores; far
// below what a process can start).
inline constexpr unsigned kMaxThreads = 1024;
// Attacks a year by one threat: keeps an annualised year's attack indices far below 2^24.
inline constexpr double kMaxAnnualFrequency = 1e5;
inline constexpr std::size_t kMaxTopPaths = 1000;        // attack paths reported per target
inline constexpr std::size_t kMaxFrontierPoints = 1001;  // budgets on the efficient frontier
// `generate`: what a scenario can hold in memory.
inline constexpr std::uint64_t kMaxGeneratedAssets = 50'000'000;
inline constexpr double kMaxGeneratedRelations = 2e8;
inline constexpr double kMaxRelationsPerAsset = 1000;

// An integer option's allowed values: [min, max], except 1 when `except_one` (the
// frontier: 0 means none, and one point is no curve).
struct IntegerLimit {
  std::uint64_t min, max;
  bool except_one = false;
  const char* note = "";  // appended to the description, e.g. " (0: every core)"
  [[nodiscard]] constexpr bool contains(std::uint64_t v) const {
    return v >= min && v <= max && !(except_one && v == 1);
  }
};

// A floating-point option's allowed values: finite, between min and max (each end
// closed unless flagged open). NaN and ±∞ are never allowed.
struct RealLimit {
  double min, max;
  bool open_min = false, open_max = false;
  const char* note = "";
  [[nodiscard]] bool contains(double v) const {
    return std::isfinite(v) && (open_min ? v > min : v >= min) && (open_max ? v < max : v <= max);
  }
};

namespace limits {
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint64_t kU64 = std::numeric_limits<std::uint64_t>::max();

inline constexpr IntegerLimit trials{1, kMaxTrials - 1};
inline constexpr IntegerLimit threads{0, kMaxThreads, false, " (0: every core)"};
inline constexpr IntegerLimit checkpoint_rounds{0, kMaxTrials - 1, false, " (0: every 30 seconds)"};
inline constexpr IntegerLimit seed{0, kU64};
inline constexpr IntegerLimit file_bytes{0, kU64};
inline constexpr IntegerLimit top_paths{1, kMaxTopPaths};
inline constexpr IntegerLimit frontier_points{0, kMaxFrontierPoints, true};
inline constexpr IntegerLimit enterprises{1, kU32};
inline constexpr IntegerLimit assets_per_enterprise{2, kU32};
inline constexpr IntegerLimit fan_out{1, kU32};

inline constexpr RealLimit horizon{0, kMaxDays, false, false, " (days)"};
inline constexpr RealLimit target_rse{0, 1, false, true, " (0: off)"};
inline constexpr RealLimit loss_threshold{0, kInf};
inline constexpr RealLimit budget{0, kInf};
inline constexpr RealLimit share{0, 1};  // shares and probabilities
inline constexpr RealLimit relations_per_asset{0, kMaxRelationsPerAsset};
inline constexpr RealLimit ttc{0, kMaxDays, true, false, " (days)"};
inline constexpr RealLimit annual_frequency{0, kMaxAnnualFrequency};
}  // namespace limits

// What a limit allows, in words: "an integer in [1, 2^40)", "a number in [0, 1) (0: off)",
// "a finite number ≥ 0 (days)". Bounds one below a power of two ≥ 2^16 are written 2^k).
std::string describe(const IntegerLimit& limit);
std::string describe(const RealLimit& limit);

// "<name> must be <describe(limit)>, not <value>": what every check says.
std::string must_be(std::string_view name, const IntegerLimit& limit, std::uint64_t value);
std::string must_be(std::string_view name, const RealLimit& limit, double value);

// Appends must_be(...) to `problems` when `value` is outside `limit`.
void check_limit(std::vector<std::string>& problems, std::string_view name, const IntegerLimit& limit,
                 std::uint64_t value);
void check_limit(std::vector<std::string>& problems, std::string_view name, const RealLimit& limit, double value);

// Throws std::invalid_argument with the problems joined by "; " when there are any.
void throw_if_any(const std::vector<std::string>& problems);

// A number as messages write it: shortest form that reads back exactly ("0.1", "1e+30", "nan").
std::string format_number(double value);

}  // namespace cpsf
