// The supply-chain cascade (docs/design.md §5, docs/methods.md §8): how an outage at one
// enterprise stops production at its customers, through the interdependency matrix A*
// of the Inoperability Input-Output Model (IIM; Haimes & Jiang 2001, Santos & Haimes 2004).
//
// It is part of the compiled model, not of the simulation: its links (SupplyLink) are
// what compile() makes of the scenario's dependencies, its matrix, spectral radius and
// factorisations are functions of the model alone (no random number, no trial state),
// and propagate() is a pure function of one attack's shock. Both validate/
// (interdependency_problem) and sim/ (a Cascade per run, propagate per attack) use it,
// so it sits below both.
//
// Per attack (one trial of one view):
//  - direct shock: enterprise j's inoperability c_j = min(1, Σ operations_share) over its
//    compromised availability-critical assets, lasting D_j = the longest of their
//    outage days;
//  - disruption time: T_i = max(D_i, max over suppliers j of T_j − buffer_ij), the
//    inventory buffer absorbing the first buffer_ij days of a supplier's outage; a
//    dependency is active when T_j > buffer_ij;
//  - inoperability: q = (I − A_active)⁻¹ c, clamped to [0, 1];
//  - production loss of i = output_i × q_i × T_i, of which output_i × c_i × D_i is its own
//    (direct) loss and the rest is cascade loss caused by its suppliers;
//  - attribution (on request): i's cascade loss is split among the enterprises hit, j, in
//    proportion to their terms in q_i − c_i = Σ_j ((I − A_active)⁻¹ − I)_ij c_j, the
//    inoperability i suffers beyond its own shock (docs/methods.md §8.1). One transposed
//    solve gives every j's part at once.
// I − A* is factorised once per scenario (and once per other pattern of active
// dependencies, cached); each attack is one triangular solve.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpsf {

// One supply dependency in enterprise indices: a*_{customer, supplier} = share.
struct SupplyLink {
  std::uint32_t customer = 0;
  std::uint32_t supplier = 0;
  double share = 0.0;
  double buffer_days = 0.0;
};

// Why an interdependency matrix cannot be used, or nothing when it can: (I − A*) must be
// invertible with a spectral radius of A* below 1, or the IIM has no meaningful solution
// (a shock would amplify without bound). `spectral_radius`, when given, receives ρ(A*)
// itself (0 without a cycle of dependencies); without it, a largest row sum below 1
// settles the check.
std::optional<std::string> interdependency_problem(std::size_t enterprises, const std::vector<SupplyLink>& links,
                                                   double* spectral_radius = nullptr);

class Cascade {
 public:
  // Throws std::invalid_argument with interdependency_problem()'s message.
  Cascade(std::vector<double> daily_output, std::vector<SupplyLink> links);
  ~Cascade();
  Cascade(Cascade&&) noexcept;
  Cascade& operator=(Cascade&&) noexcept;

  [[nodiscard]] std::size_t enterprises() const { return output_.size(); }
  [[nodiscard]] bool has_links() const { return !links_.empty(); }
  [[nodiscard]] double spectral_radius() const { return spectral_radius_; }

  // Per-thread working memory (the cache of factorisations for buffer patterns).
  class Workspace;
  struct WorkspaceDeleter {
    void operator()(Workspace* w) const;
  };
  using WorkspacePtr = std::unique_ptr<Workspace, WorkspaceDeleter>;
  [[nodiscard]] WorkspacePtr workspace() const;

  // Production losses of one attack. `shock` holds c and D of the enterprises hit
  // (enterprise index, c in [0, 1], D ≥ 0 days), each index at most once. Adds each
  // enterprise's own loss to own[i] and its cascade loss to cascade[i] (both sized
  // enterprises(), or null when not wanted). Returns the sum of both.
  // `caused`, when given (sized enterprises()), receives at each enterprise hit the part
  // of the cascade loss (everyone's) that its shock caused: Σ caused = Σ cascade, up to
  // rounding (docs/methods.md §8.1).
  struct Shock {
    std::uint32_t enterprise;
    double inoperability;
    double days;
  };
  double propagate(const std::vector<Shock>& shock, double* own, double* cascade, Workspace& ws,
                   double* caused = nullptr) const;
  // An enterprise's own production loss from its shock: output × c × D.
  [[nodiscard]] double own_loss(const Shock& s) const { return output_[s.enterprise] * s.inoperability * s.days; }

 private:
  struct Solver;
  void disruption_times(const std::vector<Shock>& shock, Workspace& ws) const;
  const Solver& solver_for_active_links(Workspace& ws) const;
  void attribute(const std::vector<Shock>& shock, const Solver& solver, Workspace& ws, double* caused) const;
  std::vector<double> output_;
  std::vector<SupplyLink> links_;
  // Enterprises that take part in some link, and their positions in the matrix.
  std::vector<std::uint32_t> members_;
  std::vector<std::int32_t> member_of_;
  std::unique_ptr<Solver> full_;  // I − A* with every link active
  double spectral_radius_ = 0.0;
  friend class Workspace;
};

}  // namespace cpsf
