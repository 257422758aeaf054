#include "cpsf/cascade.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cpsf {

namespace {

// Dense matrices hold only the enterprises that take part in some link; beyond this the
// dense factorisation would take too much memory and time.
constexpr std::size_t kMaxLinkedEnterprises = 4096;
constexpr std::size_t kMaxCachedPatterns = 256;

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

}  // namespace

struct Cascade::Solver {
  Eigen::PartialPivLU<Eigen::MatrixXd> lu;
};

class Cascade::Workspace {
 public:
  explicit Workspace(const Cascade& c)
      : time(c.enterprises(), 0.0),
        direct_days(c.enterprises(), 0.0),
        in_shock(c.enterprises(), 0),
        marked(c.enterprises(), 0),
        active((c.links_.size() + 63) / 64, 0),
        rhs(static_cast<Eigen::Index>(c.members_.size())) {}
  std::vector<double> time, direct_days;
  std::vector<std::uint8_t> in_shock;
  std::vector<std::uint8_t> marked;  // in `touched`
  // Bit k of the words: link k is active. Packed words, not a byte per link: a smaller
  // key to compare, and std::less of byte vectors (a memcmp) draws a false
  // -Wstringop-overread from GCC 12 when inlined here.
  std::vector<std::uint64_t> active;
  std::vector<std::uint32_t> touched;
  Eigen::VectorXd rhs, q;
  std::map<std::vector<std::uint64_t>, Solver> patterns;  // factorisations by active-link pattern
};

std::optional<std::string> interdependency_problem(std::size_t enterprises, const std::vector<SupplyLink>& links,
                                                   double* spectral_radius) {
  if (links.empty()) return std::nullopt;
  std::vector<std::int32_t> member(enterprises, -1);
  std::vector<std::uint32_t> members;
  for (const auto& l : links) {
    for (const std::uint32_t e : {l.customer, l.supplier}) {
      if (e >= enterprises) return "a dependency names an unknown enterprise";
      if (member[e] < 0) {
        member[e] = static_cast<std::int32_t>(members.size());
        members.push_back(e);
      }
    }
  }
  if (members.size() > kMaxLinkedEnterprises) {
    return std::to_string(members.size()) + " enterprises take part in dependencies; the cascade supports at most " +
           std::to_string(kMaxLinkedEnterprises);
  }
  const auto n = static_cast<Eigen::Index>(members.size());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  for (const auto& l : links) a(member[l.customer], member[l.supplier]) += l.share;
  // A* is non-negative, so ρ(A*) ≤ its largest row sum; only when that bound is not
  // below 1 are the eigenvalues needed.
  double rho = a.rowwise().sum().maxCoeff();
  if (rho >= 1.0) {
    const Eigen::EigenSolver<Eigen::MatrixXd> eigen(a, /*computeEigenvectors=*/false);
    if (eigen.info() != Eigen::Success) return "the eigenvalues of the dependency matrix could not be computed";
    rho = eigen.eigenvalues().cwiseAbs().maxCoeff();
  }
  if (spectral_radius) *spectral_radius = rho;
  if (!(rho < 1.0 - 1e-9)) {
    return "the dependency matrix A* has spectral radius " + number(rho) +
           " (at least 1): I − A* is singular or a shock would grow without bound around a cycle of dependencies";
  }
  return std::nullopt;
}

Cascade::Cascade(std::vector<double> daily_output, std::vector<SupplyLink> links)
    : output_(std::move(daily_output)), links_(std::move(links)) {
  if (auto problem = interdependency_problem(output_.size(), links_, &spectral_radius_)) {
    throw std::invalid_argument(*problem);
  }
  member_of_.assign(output_.size(), -1);
  for (const auto& l : links_) {
    for (const std::uint32_t e : {l.customer, l.supplier}) {
      if (member_of_[e] < 0) {
        member_of_[e] = static_cast<std::int32_t>(members_.size());
        members_.push_back(e);
      }
    }
  }
  if (!links_.empty()) {
    const auto n = static_cast<Eigen::Index>(members_.size());
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
    for (const auto& l : links_) m(member_of_[l.customer], member_of_[l.supplier]) -= l.share;
    full_ = std::make_unique<Solver>(Solver{Eigen::PartialPivLU<Eigen::MatrixXd>(m)});
  }
}

Cascade::~Cascade() = default;
Cascade::Cascade(Cascade&&) noexcept = default;
Cascade& Cascade::operator=(Cascade&&) noexcept = default;

Cascade::WorkspacePtr Cascade::workspace() const { return WorkspacePtr(new Workspace(*this)); }
void Cascade::WorkspaceDeleter::operator()(Workspace* w) const { delete w; }

double Cascade::propagate(const std::vector<Shock>& shock, double* own, double* cascade, Workspace& ws) const {
  double total = 0.0;
  if (links_.empty()) {
    for (const auto& s : shock) {
      const double loss = output_[s.enterprise] * s.inoperability * s.days;
      if (own) own[s.enterprise] += loss;
      total += loss;
    }
    return total;
  }
  // Disruption times: longest buffered path from a directly hit enterprise. Times only
  // fall along a link, so this settles after at most (members) sweeps.
  for (const std::uint32_t e : ws.touched) {
    ws.time[e] = 0.0;
    ws.marked[e] = 0;
  }
  ws.touched.clear();
  const auto touch = [&ws](std::uint32_t e) {
    if (!ws.marked[e]) {
      ws.marked[e] = 1;
      ws.touched.push_back(e);
    }
  };
  for (const auto& s : shock) {
    ws.time[s.enterprise] = s.days;
    touch(s.enterprise);
  }
  for (std::size_t sweep = 0; sweep <= members_.size(); ++sweep) {
    bool changed = false;
    for (const auto& l : links_) {
      const double t = ws.time[l.supplier] - l.buffer_days;
      if (t > ws.time[l.customer] && ws.time[l.supplier] > l.buffer_days) {
        touch(l.customer);
        ws.time[l.customer] = t;
        changed = true;
      }
    }
    if (!changed) break;
  }
  bool all_active = true;
  std::fill(ws.active.begin(), ws.active.end(), 0);
  for (std::size_t k = 0; k < links_.size(); ++k) {
    const auto& l = links_[k];
    if (ws.time[l.supplier] > l.buffer_days) {
      ws.active[k / 64] |= std::uint64_t{1} << (k % 64);
    } else {
      all_active = false;
    }
  }
  const Solver* solver = full_.get();
  if (!all_active) {
    auto it = ws.patterns.find(ws.active);
    if (it == ws.patterns.end()) {
      const auto n = static_cast<Eigen::Index>(members_.size());
      Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
      for (std::size_t k = 0; k < links_.size(); ++k) {
        if ((ws.active[k / 64] >> (k % 64)) & 1) m(member_of_[links_[k].customer], member_of_[links_[k].supplier]) -= links_[k].share;
      }
      if (ws.patterns.size() >= kMaxCachedPatterns) ws.patterns.clear();
      it = ws.patterns.emplace(ws.active, Solver{Eigen::PartialPivLU<Eigen::MatrixXd>(m)}).first;
    }
    solver = &it->second;
  }
  ws.rhs.setZero();
  for (const auto& s : shock) {
    const std::int32_t i = member_of_[s.enterprise];
    if (i >= 0) ws.rhs[i] = s.inoperability;
  }
  ws.q = solver->lu.solve(ws.rhs);
  for (const auto& s : shock) {
    const double loss = output_[s.enterprise] * s.inoperability * s.days;
    if (own) own[s.enterprise] += loss;
    total += loss;
    ws.direct_days[s.enterprise] = s.inoperability * s.days;  // c·D, subtracted below
    ws.in_shock[s.enterprise] = 1;
  }
  for (const std::uint32_t e : ws.touched) {
    const std::int32_t i = member_of_[e];
    if (i < 0) continue;
    const double q = std::clamp(ws.q[i], 0.0, 1.0);
    const double own_part = ws.in_shock[e] ? ws.direct_days[e] : 0.0;
    const double extra = output_[e] * std::max(0.0, q * ws.time[e] - own_part);
    if (cascade) cascade[e] += extra;
    total += extra;
  }
  for (const auto& s : shock) {
    ws.in_shock[s.enterprise] = 0;
    ws.direct_days[s.enterprise] = 0.0;
  }
  return total;
}

}  // namespace cpsf
