// What the verbs share about their options. Every number an option takes is read here,
// strictly, against the engine's limits (cpsf/limits.hpp): a malformed or out-of-range
// value is a usage error (exit 2) whose message names the option and says what it takes.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/base/limits.hpp"

namespace cpsf::cli {

// An integer written plainly ("1000000") or in decimal or scientific notation whose
// value is a whole number ("1e6", "2.5e3", "1000.0"), read exactly; nullopt for anything
// else ("1.5", "1e-3", "abc", "", "0x10", " 1") and for values outside [0, 2^64).
// A sign is allowed: "+5"; "-0" is 0 and any other negative value is nullopt.
std::optional<std::uint64_t> parse_integer(std::string_view text);

// A finite number in decimal or scientific notation; nullopt for anything else ("abc",
// "", "nan", "inf", "1e999", "0x1p3").
std::optional<double> parse_number(std::string_view text);

// CLI11 checks for an option's value, to add with Option::transform (the integer check
// rewrites "1e6" as "1000000" for CLI11 to store).
CLI::Validator integer_in(const IntegerLimit& limit);
CLI::Validator number_in(const RealLimit& limit);

// Prints the engine's option problems (RunOptions::problems, ...) as errors of `verb`;
// returns kExitUsage when there are any, else kExitOk.
int refuse(const char* verb, const std::vector<std::string>& problems);

// When the process cannot start `threads` threads (0: every core), says so on stderr: the
// run goes on with fewer, which changes no number (parallel.hpp: startable_threads).
void warn_if_fewer_threads(const char* verb, unsigned threads);

}  // namespace cpsf::cli
