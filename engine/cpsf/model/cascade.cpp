#include "cpsf/model/cascade.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
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
        rhs(static_cast<Eigen::Index>(c.members_.size())),
        per_beyond(static_cast<Eigen::Index>(c.members_.size())),
        per_all(static_cast<Eigen::Index>(c.members_.size())) {}
  std::vector<double> time, direct_days;
  std::vector<std::uint8_t> in_shock;
  std::vector<std::uint8_t> marked;  // in `touched`
  // Bit k of the words: link k is active. Packed words, not a byte per link: a smaller
  // key to compare, and std::less of byte vectors (a memcmp) draws a false
  // -Wstringop-overread from GCC 12 when inlined here.
  std::vector<std::uint64_t> active;
  std::vector<std::uint32_t> touched;
  Eigen::VectorXd rhs, q;
  // Attribution: each customer's cascade loss per unit of the inoperability it split by
  // (beyond its own shock; or, in the degenerate case, all of it), and their transposed solve.
  Eigen::VectorXd per_beyond, per_all, z;
  std::map<std::vector<std::uint64_t>, Solver> patterns;  // factorisations by active-link pattern
};

namespace {

// Largest |λ| by Eigen's EigenSolver (all eigenvalues: about 25 n³ operations).
std::optional<double> largest_eigenvalue_modulus(const Eigen::MatrixXd& a) {
  const Eigen::EigenSolver<Eigen::MatrixXd> eigen(a, /*computeEigenvectors=*/false);
  if (eigen.info() != Eigen::Success) return std::nullopt;
  return eigen.eigenvalues().cwiseAbs().maxCoeff();
}

// The Perron root ρ of an irreducible non-negative matrix by Noda's inverse iteration
// (T. Noda, Numer. Math. 17, 1971; quadratically convergent, L. Elsner, Numer. Math. 26,
// 1976): solve (σ I − A) y = x for the current upper bound σ, whose inverse is positive.
// For any positive y the Collatz–Wielandt quotients (A y)_i / y_i = σ − x_i / y_i bracket
// ρ (their least ≤ ρ ≤ their largest), and the largest is the next σ. Returns when the
// bracket has closed to rounding, in a few dense LU factorisations (2/3 n³ each), so
// the result is certified rather than an iterate; nothing if it does not close.
std::optional<double> perron_root(const Eigen::MatrixXd& a) {
  const Eigen::Index n = a.rows();
  Eigen::VectorXd x = Eigen::VectorXd::Ones(n);
  double lo = 0.0, hi = std::numeric_limits<double>::infinity();
  // A start closer to the Perron vector saves factorisations: power iteration on A + I
  // (primitive, as A is irreducible), n² per step.
  for (int step = 0; step < 32; ++step) {
    const Eigen::VectorXd ax = a * x;
    const Eigen::ArrayXd q = ax.array() / x.array();
    lo = std::max(lo, q.minCoeff());
    hi = std::min(hi, q.maxCoeff());
    x = (ax + x) / (ax + x).maxCoeff();
  }
  for (int step = 0; step < 64; ++step) {
    if (hi - lo <= 1e-14 * hi) return 0.5 * (lo + hi);
    const Eigen::MatrixXd shifted = hi * Eigen::MatrixXd::Identity(n, n) - a;
    const Eigen::VectorXd y = Eigen::PartialPivLU<Eigen::MatrixXd>(shifted).solve(x);
    if (!(y.minCoeff() > 0.0) || !y.allFinite()) return std::nullopt;  // positivity lost to rounding
    const Eigen::ArrayXd q = x.array() / y.array();
    const double sigma = hi;
    lo = std::max(lo, sigma - q.maxCoeff());
    hi = std::min(hi, sigma - q.minCoeff());
    x = y / y.maxCoeff();
  }
  return std::nullopt;
}

// Up to this many enterprises a cycle's block goes straight to EigenSolver; beyond, the
// Perron root iteration is far cheaper (about 25 n³ against a few times 2/3 n³).
constexpr std::size_t kEigenSolverUpTo = 32;

// ρ(A*) of the non-negative matrix the links make, over the enterprises in `member`
// order (`members` of them). Ordered by its strongly connected components A* is block
// triangular, so its eigenvalues are those of the diagonal blocks, and a block of one
// enterprise is 0 (no enterprise depends on itself): only the cycles of dependencies
// need eigenvalues, each group on its own block, whose ρ is its Perron root. A supply
// tree costs O(links). Nothing when the eigenvalues cannot be computed.
std::optional<double> spectral_radius_of(std::size_t members, const std::vector<std::int32_t>& member,
                                         const std::vector<SupplyLink>& links) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(members);
  for (const auto& l : links) {
    if (l.share > 0) boost::add_edge(member[l.customer], member[l.supplier], g);
  }
  std::vector<std::size_t> component(members);
  const std::size_t components = boost::strong_components(g, component.data());
  std::vector<std::size_t> size(components, 0);
  std::vector<Eigen::Index> position(members);  // in its component's block
  for (std::size_t v = 0; v < members; ++v) position[v] = static_cast<Eigen::Index>(size[component[v]]++);
  std::vector<std::vector<const SupplyLink*>> inside(components);  // the links within each component
  for (const auto& l : links) {
    const std::size_t c = component[static_cast<std::size_t>(member[l.customer])];
    if (l.share > 0 && c == component[static_cast<std::size_t>(member[l.supplier])]) inside[c].push_back(&l);
  }
  double rho = 0.0;
  for (std::size_t c = 0; c < components; ++c) {
    if (size[c] < 2) continue;
    const auto n = static_cast<Eigen::Index>(size[c]);
    Eigen::MatrixXd block = Eigen::MatrixXd::Zero(n, n);
    for (const SupplyLink* l : inside[c]) {
      block(position[static_cast<std::size_t>(member[l->customer])],
            position[static_cast<std::size_t>(member[l->supplier])]) += l->share;
    }
    std::optional<double> r;
    if (size[c] > kEigenSolverUpTo) r = perron_root(block);
    if (!r) r = largest_eigenvalue_modulus(block);
    if (!r) return std::nullopt;
    rho = std::max(rho, *r);
  }
  return rho;
}

}  // namespace

std::optional<std::string> interdependency_problem(std::size_t enterprises, const std::vector<SupplyLink>& links,
                                                   double* spectral_radius) {
  if (spectral_radius) *spectral_radius = 0.0;
  if (links.empty()) return std::nullopt;
  std::vector<std::int32_t> member(enterprises, -1);
  std::size_t members = 0;
  std::vector<double> row_sum;
  for (const auto& l : links) {
    for (const std::uint32_t e : {l.customer, l.supplier}) {
      if (e >= enterprises) return "a dependency names an unknown enterprise";
      if (member[e] < 0) member[e] = static_cast<std::int32_t>(members++);
    }
    row_sum.resize(members, 0.0);
    row_sum[static_cast<std::size_t>(member[l.customer])] += l.share;
  }
  if (members > kMaxLinkedEnterprises) {
    return std::to_string(members) + " enterprises take part in dependencies; the cascade supports at most " +
           std::to_string(kMaxLinkedEnterprises);
  }
  constexpr double kBelowOne = 1.0 - 1e-9;
  // A* is non-negative, so ρ(A*) ≤ its largest row sum: when only the check is wanted,
  // a bound below 1 settles it.
  if (!spectral_radius && *std::max_element(row_sum.begin(), row_sum.end()) < kBelowOne) return std::nullopt;
  const std::optional<double> rho = spectral_radius_of(members, member, links);
  if (!rho) return "the eigenvalues of the dependency matrix could not be computed";
  if (spectral_radius) *spectral_radius = *rho;
  if (!(*rho < kBelowOne)) {
    return "the dependency matrix A* has spectral radius " + number(*rho) +
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

// Disruption times: longest buffered path from a directly hit enterprise. Times only
// fall along a link, so this settles after at most (members) sweeps. Leaves the
// enterprises with a time in ws.touched.
void Cascade::disruption_times(const std::vector<Shock>& shock, Workspace& ws) const {
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
}

// The factorisation of I − A_active for the links active at the disruption times: the
// full one when every link is, else one from the workspace's cache, made on first use.
const Cascade::Solver& Cascade::solver_for_active_links(Workspace& ws) const {
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
  if (all_active) return *full_;
  auto it = ws.patterns.find(ws.active);
  if (it == ws.patterns.end()) {
    const auto n = static_cast<Eigen::Index>(members_.size());
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
    for (std::size_t k = 0; k < links_.size(); ++k) {
      if ((ws.active[k / 64] >> (k % 64)) & 1)
        m(member_of_[links_[k].customer], member_of_[links_[k].supplier]) -= links_[k].share;
    }
    if (ws.patterns.size() >= kMaxCachedPatterns) ws.patterns.clear();
    it = ws.patterns.emplace(ws.active, Solver{Eigen::PartialPivLU<Eigen::MatrixXd>(m)}).first;
  }
  return it->second;
}

double Cascade::propagate(const std::vector<Shock>& shock, double* own, double* cascade, Workspace& ws,
                          double* caused) const {
  double total = 0.0;
  if (links_.empty()) {
    for (const auto& s : shock) {
      const double loss = own_loss(s);
      if (own) own[s.enterprise] += loss;
      total += loss;
    }
    return total;
  }
  disruption_times(shock, ws);
  const Solver& solver = solver_for_active_links(ws);
  ws.rhs.setZero();
  for (const auto& s : shock) {
    const std::int32_t i = member_of_[s.enterprise];
    if (i >= 0) ws.rhs[i] = s.inoperability;
  }
  ws.q = solver.lu.solve(ws.rhs);
  for (const auto& s : shock) {
    const double loss = own_loss(s);
    if (own) own[s.enterprise] += loss;
    total += loss;
    ws.direct_days[s.enterprise] = s.inoperability * s.days;  // c·D, subtracted below
    ws.in_shock[s.enterprise] = 1;
  }
  if (caused) {
    ws.per_beyond.setZero();
    ws.per_all.setZero();
  }
  for (const std::uint32_t e : ws.touched) {
    const std::int32_t i = member_of_[e];
    if (i < 0) continue;
    const double q = std::clamp(ws.q[i], 0.0, 1.0);
    const double own_part = ws.in_shock[e] ? ws.direct_days[e] : 0.0;
    const double extra = output_[e] * std::max(0.0, q * ws.time[e] - own_part);
    if (cascade) cascade[e] += extra;
    total += extra;
    if (caused && extra > 0.0) {
      // q_i − c_i (rhs holds c at the enterprises hit, 0 elsewhere): what the others and
      // the feedback round a cycle added. Only rounding can leave it at 0 with a loss to
      // split; then the loss goes by every term of q_i, i's own included.
      const double beyond = ws.q[i] - ws.rhs[i];
      if (beyond > 1e-12 * ws.q[i]) {
        ws.per_beyond[i] = extra / beyond;
      } else {
        ws.per_all[i] = extra / ws.q[i];
      }
    }
  }
  for (const auto& s : shock) {
    ws.in_shock[s.enterprise] = 0;
    ws.direct_days[s.enterprise] = 0.0;
  }
  if (caused) attribute(shock, solver, ws, caused);
  return total;
}

// The cascade loss each enterprise's shock caused. With M = (I − A_active)⁻¹ and y_i the
// cascade loss of customer i per unit of the inoperability it is split by, j's part is
// Σ_i y_i (M − I)_ij c_j = c_j ((Mᵀ y)_j − y_j): one transposed solve for every j. The
// parts add up to Σ_i y_i (q_i − c_i), the cascade loss, because q = M c.
void Cascade::attribute(const std::vector<Shock>& shock, const Solver& solver, Workspace& ws, double* caused) const {
  ws.z = solver.lu.transpose().solve(ws.per_beyond + ws.per_all);
  for (const auto& s : shock) {
    const std::int32_t i = member_of_[s.enterprise];
    if (i >= 0) caused[s.enterprise] += s.inoperability * (ws.z[i] - ws.per_beyond[i]);
  }
}

}  // namespace cpsf
