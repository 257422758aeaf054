#include "cpsf/sim/run_statistics.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "cpsf/base/bytes.hpp"

namespace cpsf {

namespace {

void put(std::vector<std::uint8_t>& bytes, const auto& value) { put_bytes(bytes, value); }

template <class T>
T take(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  return take_bytes<T>(bytes, at, "run statistics");
}

void put_moments(std::vector<std::uint8_t>& bytes, const MomentAccumulator& m) {
  put(bytes, m.n);
  put(bytes, m.mean);
  put(bytes, m.m2);
}

MomentAccumulator take_moments(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  MomentAccumulator m;
  m.n = take<std::uint64_t>(bytes, at);
  m.mean = take<double>(bytes, at);
  m.m2 = take<double>(bytes, at);
  return m;
}

void put_loss(std::vector<std::uint8_t>& bytes, const LossStatistics& s) {
  put_moments(bytes, s.moments);
  s.histogram.write(bytes);
}

LossStatistics take_loss(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  LossStatistics s;
  s.moments = take_moments(bytes, at);
  s.histogram.read(bytes, at);
  return s;
}

std::uint64_t take_count(const std::vector<std::uint8_t>& bytes, std::size_t& at, std::size_t item_bytes) {
  return cpsf::take_count(bytes, at, item_bytes, "run statistics");
}

}  // namespace

MomentAccumulator moments_of(std::span<const double> values) {
  MomentAccumulator total;
  for (std::size_t begin = 0; begin < values.size(); begin += kRoundTrials) {
    MomentAccumulator round;
    const std::size_t end = std::min<std::size_t>(values.size(), begin + kRoundTrials);
    for (std::size_t j = begin; j < end; ++j) round.add(values[j]);
    total.merge(round);
  }
  return total;
}

LossStatistics loss_statistics_of(std::span<const double> values) {
  LossStatistics s;
  s.moments = moments_of(values);
  for (const double x : values) s.histogram.add(x);
  return s;
}

RunStatistics::RunStatistics(std::size_t slots, std::size_t enterprises, std::size_t tracked)
    : view_loss(slots),
      enterprise_loss(enterprises),
      enterprise_direct(enterprises),
      enterprise_cascade(enterprises),
      enterprise_inherent(enterprises),
      tracked_arrival(tracked) {}

void RunStatistics::check_shape(const RunStatistics& other) const {
  if (other.view_loss.size() != view_loss.size() || other.enterprise_loss.size() != enterprise_loss.size() ||
      other.tracked_arrival.size() != tracked_arrival.size()) {
    throw std::invalid_argument("run statistics of different runs cannot be merged");
  }
}

template <class Self, class F>
void RunStatistics::each_moments(Self& s, const F& f) {
  for (auto& v : s.view_loss) f(v.moments);
  f(s.removed);
  for (std::size_t e = 0; e < s.enterprise_loss.size(); ++e) {
    f(s.enterprise_loss[e].moments);
    f(s.enterprise_direct[e]);
    f(s.enterprise_cascade[e]);
    f(s.enterprise_inherent[e]);
  }
  f(s.chain_cascade);
  for (auto& c : s.cells) f(c);
  f(s.annual_residual.moments);
  f(s.annual_inherent.moments);
}

template <class Self, class F>
void RunStatistics::each_histogram(Self& s, const F& f) {
  for (auto& v : s.view_loss) f(v.histogram);
  for (auto& e : s.enterprise_loss) f(e.histogram);
  for (auto& h : s.tracked_arrival) f(h);
  f(s.annual_residual.histogram);
  f(s.annual_inherent.histogram);
}

void RunStatistics::merge(const RunStatistics& other) {
  merge_moments(other);
  merge_histograms(other);
}

void RunStatistics::merge_moments(const RunStatistics& other) {
  check_shape(other);
  std::vector<const MomentAccumulator*> moments;
  std::vector<const CoMomentAccumulator*> cells;
  each_moments(other, [&](const auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, MomentAccumulator>) {
      moments.push_back(&m);
    } else {
      cells.push_back(&m);
    }
  });
  std::size_t i = 0, c = 0;
  each_moments(*this, [&](auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, MomentAccumulator>) {
      m.merge(*moments[i++]);
    } else {
      m.merge(*cells[c++]);
    }
  });
}

void RunStatistics::merge_histograms(const RunStatistics& other) {
  check_shape(other);
  std::vector<const LogHistogram*> theirs;
  each_histogram(other, [&](const LogHistogram& h) { theirs.push_back(&h); });
  std::size_t i = 0;
  each_histogram(*this, [&](LogHistogram& h) { h.merge(*theirs[i++]); });
}

void RunStatistics::write_moments(std::vector<std::uint8_t>& bytes) const {
  each_moments(*this, [&](const auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, MomentAccumulator>) {
      put_moments(bytes, m);
    } else {
      put_moments(bytes, m.x);
      put_moments(bytes, m.y);
      put(bytes, m.cxy);
    }
  });
}

void RunStatistics::read_moments(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  each_moments(*this, [&](auto& m) {
    if constexpr (std::is_same_v<std::decay_t<decltype(m)>, MomentAccumulator>) {
      m = take_moments(bytes, at);
    } else {
      m.x = take_moments(bytes, at);
      m.y = take_moments(bytes, at);
      m.cxy = take<double>(bytes, at);
    }
  });
}

void RunStatistics::write(std::vector<std::uint8_t>& bytes) const {
  put(bytes, static_cast<std::uint64_t>(view_loss.size()));
  for (const auto& s : view_loss) put_loss(bytes, s);
  put_moments(bytes, removed);
  put(bytes, static_cast<std::uint64_t>(enterprise_loss.size()));
  for (std::size_t e = 0; e < enterprise_loss.size(); ++e) {
    put_loss(bytes, enterprise_loss[e]);
    put_moments(bytes, enterprise_direct[e]);
    put_moments(bytes, enterprise_cascade[e]);
    put_moments(bytes, enterprise_inherent[e]);
  }
  put_moments(bytes, chain_cascade);
  put(bytes, static_cast<std::uint64_t>(tracked_arrival.size()));
  for (const auto& h : tracked_arrival) h.write(bytes);
  for (const auto& c : cells) {
    put_moments(bytes, c.x);
    put_moments(bytes, c.y);
    put(bytes, c.cxy);
  }
  put_loss(bytes, annual_residual);
  put_loss(bytes, annual_inherent);
}

void RunStatistics::read(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  constexpr std::size_t kMinLoss = 24 + 24;  // moments and an empty histogram
  view_loss.resize(take_count(bytes, at, kMinLoss));
  for (auto& s : view_loss) s = take_loss(bytes, at);
  removed = take_moments(bytes, at);
  const std::uint64_t enterprises = take_count(bytes, at, kMinLoss + std::size_t{3} * 24);
  enterprise_loss.resize(enterprises);
  enterprise_direct.resize(enterprises);
  enterprise_cascade.resize(enterprises);
  enterprise_inherent.resize(enterprises);
  for (std::size_t e = 0; e < enterprises; ++e) {
    enterprise_loss[e] = take_loss(bytes, at);
    enterprise_direct[e] = take_moments(bytes, at);
    enterprise_cascade[e] = take_moments(bytes, at);
    enterprise_inherent[e] = take_moments(bytes, at);
  }
  chain_cascade = take_moments(bytes, at);
  tracked_arrival.resize(take_count(bytes, at, 24));
  for (auto& h : tracked_arrival) h.read(bytes, at);
  for (auto& c : cells) {
    c.x = take_moments(bytes, at);
    c.y = take_moments(bytes, at);
    c.cxy = take<double>(bytes, at);
  }
  annual_residual = take_loss(bytes, at);
  annual_inherent = take_loss(bytes, at);
}

}  // namespace cpsf
