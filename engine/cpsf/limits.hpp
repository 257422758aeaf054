// The largest numbers a scenario may hold, and why (docs/scenario-format.md, Limits).
// validate() refuses a number above its limit; the engine relies on the limits so that
// every sum it forms stays finite and exact without a test in the trial loop.
#pragma once

namespace cpsf {

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

}  // namespace cpsf
