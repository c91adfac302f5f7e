// The optimiser on the decision stages' problems:
//   BM_AllocationCold/I/J/M one cold CLP solve (dual simplex after presolve, a fresh model) of
//                           the allocation LP (algorithms/optimize/allocation.h; I + J rows) at
//                           a batch: demand ±10 % around its base, the previous allocation in
//                           place. M = 0: no move cost, the transportation LP (I J + J
//                           columns); M = 1: move cost 0.1, the LP in moves (2 I J + J);
//   BM_AllocationWarm/I/J/M one Allocator::decide after a ±10 % demand change, re-solved from
//                           the last basis;
//   BM_AutoscaleMip/J       the auto-scaling MIP for J services under a budget and shared
//                           capacity, CBC to a proven 1 % gap.
// Counters: simplex iterations (and MIP nodes) per solve. The side-by-side against SciPy's
// HiGHS on the same models is bench/compare_lp_scipy.py.
//
//   bench_optimize [--benchmark_* flags]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <random>
#include <vector>

#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/autoscale.h"
#include "algorithms/optimize/solve.h"

namespace {

using namespace streamml;

struct AllocationCase {
  AllocationSettings settings;
  Eigen::VectorXd base;                  // demand per service
  std::vector<Eigen::VectorXd> demands;  // base ±10 %, one per batch
};

// I servers whose capacities add up to 1.1 x the total base demand, costs in [1, 10], base
// demands in [10, 100] requests/s.
const AllocationCase& allocation_case(int I, int J, bool moves) {
  static std::map<std::tuple<int, int, bool>, AllocationCase> cases;
  auto it = cases.find({I, J, moves});
  if (it != cases.end()) return it->second;
  AllocationCase c;
  c.settings.move_cost = moves ? 0.1 : 0.0;
  std::mt19937_64 rng(std::uint64_t(I) * 1000 + std::uint64_t(J));
  std::uniform_real_distribution<double> u(0, 1);
  c.base.resize(J);
  for (int j = 0; j < J; ++j) c.base[j] = 10 + 90 * u(rng);
  c.settings.services = J;
  for (int i = 0; i < I; ++i) c.settings.capacity.push_back(1.1 * c.base.sum() / I * (0.8 + 0.4 * u(rng)));
  for (int k = 0; k < I * J; ++k) c.settings.cost.push_back(1 + 9 * u(rng));
  for (int b = 0; b < 64; ++b) {
    Eigen::VectorXd d = c.base;
    for (int j = 0; j < J; ++j) d[j] *= 0.9 + 0.2 * u(rng);
    c.demands.push_back(d);
  }
  return cases.emplace(std::make_tuple(I, J, moves), std::move(c)).first->second;
}

void BM_AllocationCold(benchmark::State& state) {
  const AllocationCase& c = allocation_case(int(state.range(0)), int(state.range(1)), state.range(2) != 0);
  Allocator a(c.settings);
  a.decide(c.base);
  const LpModel model = allocation_lp(c.settings, a.last_decision().x, c.demands[0]);
  std::int64_t iterations = 0;
  for (auto _ : state) {
    const SolveResult r = solve_lp(model);
    if (r.status != SolveStatus::Optimal) state.SkipWithError(r.message.c_str());
    iterations += r.iterations;
  }
  state.counters["columns"] = double(model.cols());
  state.counters["iterations"] = benchmark::Counter(double(iterations), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_AllocationCold)
    ->ArgsProduct({{50}, {200}, {0, 1}})
    ->ArgsProduct({{100}, {1000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_AllocationWarm(benchmark::State& state) {
  const AllocationCase& c = allocation_case(int(state.range(0)), int(state.range(1)), state.range(2) != 0);
  Allocator a(c.settings);
  a.decide(c.base);
  std::size_t b = 0;
  std::int64_t iterations = 0;
  for (auto _ : state) {
    const AllocationDecision& d = a.decide(c.demands[b++ % c.demands.size()]);
    iterations += d.iterations;
    benchmark::DoNotOptimize(d.objective);
  }
  state.counters["iterations"] = benchmark::Counter(double(iterations), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_AllocationWarm)
    ->ArgsProduct({{50}, {200}, {0, 1}})
    ->ArgsProduct({{100}, {1000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// J services, instance costs in [1, 3] and cpu in [1, 4], arrivals whose DS2 counts cost about
// 1.3 x the budget (so the budget binds) and use about 1.2 x the shared capacity.
void BM_AutoscaleMip(benchmark::State& state) {
  const int J = int(state.range(0));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  AutoscaleSettings s;
  s.services = J;
  s.max_instances = 60;
  s.mip_rel_gap = 0.01;
  Eigen::VectorXd arrivals(J), rates(J);
  std::vector<std::int64_t> current(static_cast<std::size_t>(J));
  double cost = 0, cpu = 0;
  for (int j = 0; j < J; ++j) {
    s.instance_cost.push_back(1 + 2 * u(rng));
    s.instance_cpu.push_back(1 + 3 * u(rng));
    rates[j] = 10 + 40 * u(rng);
    arrivals[j] = rates[j] * s.target_utilization * (2 + 30 * u(rng));
    const auto n = double(ds2_instances(arrivals[j], rates[j], s.target_utilization));
    cost += s.instance_cost.back() * n;
    cpu += s.instance_cpu.back() * n;
    current[std::size_t(j)] = std::int64_t(n * (0.8 + 0.4 * u(rng)));
  }
  s.budget = cost / 1.3;
  s.cpu_capacity = cpu / 1.2;
  const LpModel m = autoscale_mip(s, arrivals, rates, current, false);
  SolveSettings ss;
  ss.mip_rel_gap = 0.01;
  std::int64_t nodes = 0;
  double gap = 0;
  for (auto _ : state) {
    const SolveResult r = solve_mip(m, ss);
    if (r.status != SolveStatus::Optimal) state.SkipWithError(r.message.c_str());
    nodes += r.nodes;
    gap = r.gap;
  }
  state.counters["nodes"] = benchmark::Counter(double(nodes), benchmark::Counter::kAvgIterations);
  state.counters["gap"] = gap;
}
BENCHMARK(BM_AutoscaleMip)->Arg(50)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
