"""Where a whole anneal spends its CPU time: per phase of the schedule and per kind of proposal.

One anneal at the paper's sizes (alpha = 0.4, y = 20, q1 = 0.85, K = 32 relu / 33 sign, N = K^2)
runs through annealing.anneal itself; its kernel calls (run_schedule) are split at the tenths of
the ramp and the start of the patience tail and timed (CPU time of this process).  Per phase:
the proposals, split into those rejected early by the coupling test (a solved replica), those
whose dE was evaluated and rejected, and those accepted (from the kernel's state.tally); the
CPU seconds and the proposal rate.  The cost of one proposal of each kind is estimated by a
least-squares fit of the phases' times on their three counts.  "Python" is the CPU time of
anneal outside the kernel calls (set-up, the returns between chunks, the final checks).

    python benchmarks/profile_annealing.py [--only relu|sign] [--sweeps T] [--beta0 B] [--q-start Q]
"""

import argparse
import dataclasses
import sys
import time

import numpy as np

from committee_lib.simulation import annealing
from committee_lib.simulation.annealing import Schedule

SIZES = {"relu": 32, "sign": 33}
ALPHA, Y, Q1 = 0.4, 20, 0.85
PARTS = 10


def profile(activation, schedule, seed):
    """(rows, anneal CPU seconds, result); a row per phase: name, beta at its end, sweeps, proposals,
    early, evaluated-rejected, accepted, CPU seconds."""
    s = schedule.checked(Q1)
    edges = np.linspace(0, s.sweeps, PARTS + 1).astype(int)
    names = [f"{t0 / s.sweeps:.1f}" for t0 in edges[:-1]] + ["tail"]
    phases = {name: np.zeros(5) for name in names}  # sweeps, proposals, evaluated, accepted, cpu
    kernel = annealing.run_schedule
    beta = {}

    def timed(problem, state, control, ramp, t0, t1):
        cuts = sorted({t0, t1, *(int(e) for e in edges if t0 < e < t1)})
        for u0, u1 in zip(cuts[:-1], cuts[1:]):
            phase = names[min(np.searchsorted(edges, u0, side="right") - 1, PARTS)]
            tally, cpu = state.tally.copy(), time.process_time()
            done = kernel(problem, state, control, ramp, u0, u1)
            cpu = time.process_time() - cpu
            swept = (u1 if done < 0 else done) - u0
            phases[phase] += [swept, swept * problem.unit.size * problem.y, *(state.tally - tally), cpu]
            beta[phase] = control[2]
            if done >= 0:
                return done
        return -1

    annealing.run_schedule = timed
    try:
        start = time.process_time()
        result = annealing.anneal(activation, SIZES[activation], ALPHA, Y, Q1, seed, s)
        total = time.process_time() - start
    finally:
        annealing.run_schedule = kernel
    rows = [(name, beta[name], *phases[name]) for name in names if phases[name][0] > 0]
    return rows, total, result


def per_kind_cost(rows):
    """Least-squares seconds per proposal of each kind (early, evaluated-rejected, accepted)."""
    counts = np.array([[prop - ev, ev - acc, acc] for _, _, _, prop, ev, acc, _ in rows])
    cpu = np.array([r[-1] for r in rows])
    return np.linalg.lstsq(counts, cpu, rcond=None)[0]


def report(activation, rows, total, result):
    print(f"\n{activation} K={SIZES[activation]}: {result.sweeps} sweeps, solved={result.solved}, q={result.q:.4f}")
    print(f"| {'phase':>5} | {'beta':>6} | {'sweeps':>6} | {'proposals':>9} | {'early %':>7} | {'eval-rej %':>10} "
          f"| {'accept %':>8} | {'cpu s':>7} | {'cpu %':>5} | {'proposals/s':>11} |")
    kernel = sum(r[-1] for r in rows)
    for name, beta, sweeps, prop, ev, acc, cpu in rows:
        print(f"| {name:>5} | {beta:6.2f} | {sweeps:6.0f} | {prop:9.3g} | {100 * (prop - ev) / prop:7.1f} "
              f"| {100 * (ev - acc) / prop:10.2f} | {100 * acc / prop:8.3f} | {cpu:7.2f} | {100 * cpu / total:5.1f} "
              f"| {prop / cpu:11.3g} |")
    prop, ev, acc = (sum(r[k] for r in rows) for k in (3, 4, 5))
    print(f"| {'all':>5} | {'':>6} | {sum(r[2] for r in rows):6.0f} | {prop:9.3g} | {100 * (prop - ev) / prop:7.1f} "
          f"| {100 * (ev - acc) / prop:10.2f} | {100 * acc / prop:8.3f} | {kernel:7.2f} | {100 * kernel / total:5.1f} "
          f"| {prop / kernel:11.3g} |")
    costs = per_kind_cost(rows)
    shares = costs * np.array([prop - ev, ev - acc, acc]) / kernel
    print("estimated cost per proposal (ns) and share of kernel time: "
          + ", ".join(f"{k} {1e9 * c:.1f} ({100 * f:.0f}%)"
                      for k, c, f in zip(("early", "eval-rej", "accepted"), costs, shares)))
    print(f"Python outside the kernel (set-up, between chunks, final checks): {total - kernel:.2f} s "
          f"({100 * (total - kernel) / total:.1f}% of {total:.1f} s); whole anneal {prop / total:.3g} proposals/s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SIZES), action="append")
    parser.add_argument("--sweeps", type=int, default=Schedule.sweeps)
    parser.add_argument("--beta0", type=float, default=Schedule.beta0)
    parser.add_argument("--q-start", type=float, default=Schedule.q_start)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    schedule = dataclasses.replace(Schedule(), sweeps=args.sweeps, beta0=args.beta0, q_start=args.q_start)
    print(f"profile_annealing: alpha={ALPHA}, y={Y}, q1={Q1}, N = K^2, seed {args.seed}; "
          f"schedule {dataclasses.asdict(schedule.checked(Q1))}; CPU time of this process")
    annealing.anneal("relu", 4, 0.4, 2, Q1, 0, Schedule(sweeps=2, patience=0))  # compiled before timing
    for activation in args.only or ["relu", "sign"]:
        report(activation, *profile(activation, schedule, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
