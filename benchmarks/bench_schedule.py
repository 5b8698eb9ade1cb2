"""Where an anneal spends its time along the ramp, and what starting the ramp later saves.

At the paper's sizes (alpha = 0.4, y = 20, q1 = 0.85, K = 33 sign / 32 relu, N = K^2), one anneal
is run with the default ramp (beta from 0.2, target overlap from 0.5) and one with the same ramp
started at beta0 (default 1.0) with the target overlap the default ramp has there, over the
corresponding tail of the sweeps.  For each, the CPU time of every tenth of the ramp is printed
with beta, the summed loss of the replicas at its end, and the proposal rate: the hot start of
the default ramp (replicas far from solutions, most proposals accepted and applied) is the
slowest part per sweep.  Whether the later start still equilibrates is not measured here: that is
the ramp-doubling check of the stabilities chapter.  This script reports; it never fails.

    python benchmarks/bench_schedule.py [--sweeps T] [--beta0 B] [--only sign|relu] [--seed S]
"""

import argparse
import dataclasses
import math
import sys
import time

import numpy as np

from committee_lib.simulation import committee
from committee_lib.simulation.annealing import (
    Schedule,
    build_problem,
    initial_state,
    mean_overlap,
    replicas_around_center,
    run_schedule,
)

SIZES = {"sign": 33, "relu": 32}
ALPHA, Y, Q1 = 0.4, 20, 0.85
PARTS = 10


def tail_schedule(default, beta0):
    """The default ramp from the sweep where it reaches beta0: same beta(t) and target(t) after."""
    x = math.log(beta0 / default.beta0) / math.log(default.beta1 / default.beta0)  # fraction of the ramp
    q_start = default.q_start + (Q1 - default.q_start) * x
    return dataclasses.replace(default, sweeps=round((1 - x) * default.sweeps), beta0=beta0, q_start=q_start)


def profile(activation, s, seed):
    """[(fraction, beta, E, cpu seconds, proposals/s)] per tenth of the ramp, and whether it ended solved."""
    rng = np.random.default_rng(seed)
    machine = committee.random_machine(activation, SIZES[activation], ALPHA, rng)
    s = s.checked(Q1)
    W = replicas_around_center(rng, Y, machine.N, s.gamma0)
    problem = build_problem(machine, Y)
    state = initial_state(machine, problem, W, rng.integers(1, 2**63, size=4))
    control = np.array([s.gamma0, mean_overlap(state.S, Y), s.beta0])
    edges = np.linspace(0, s.sweeps, PARTS + 1).astype(int)
    rows, done = [], -1
    for t0, t1 in zip(edges[:-1], edges[1:]):
        start = time.process_time()
        run_schedule(problem, state, control, s.ramp(Q1), t0, t1)
        cpu = time.process_time() - start
        rows.append((t0 / s.sweeps, control[2], int(state.E.sum()), cpu, (t1 - t0) * machine.N * Y / cpu))
    start = time.process_time()
    done = run_schedule(problem, state, control, s.ramp(Q1), s.sweeps, s.sweeps + s.patience)
    tail = time.process_time() - start
    return rows, tail, done >= 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=20000, help="default ramp length (default 20000)")
    parser.add_argument("--beta0", type=float, default=1.0, help="start of the shortened ramp (default 1.0)")
    parser.add_argument("--only", choices=sorted(SIZES), action="append")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    default = Schedule(sweeps=args.sweeps)
    later = tail_schedule(default, args.beta0)
    print(f"bench_schedule: alpha={ALPHA}, y={Y}, q1={Q1}, N = K^2, seed {args.seed}; CPU time of this process")
    for activation in args.only or ["sign", "relu"]:
        totals = {}
        for name, s in (("default", default), (f"from beta0={args.beta0:g}", later)):
            rows, tail, solved = profile(activation, s, args.seed)
            totals[name] = sum(r[3] for r in rows) + tail
            print(f"\n{activation} K={SIZES[activation]}, {name}: {s.sweeps} sweeps, beta0={s.beta0:g}, "
                  f"q_start={s.q_start:.4f}; solved={solved}")
            print(f"| {'part':>5} | {'beta':>6} | {'E':>6} | {'cpu s':>7} | {'proposals/s':>11} |")
            for frac, beta, E, cpu, rate in rows:
                print(f"| {frac:5.2f} | {beta:6.2f} | {E:6d} | {cpu:7.2f} | {rate:11.3g} |")
            print(f"| {'tail':>5} | {'':>6} | {'':>6} | {tail:7.2f} | {'':>11} |  total {totals[name]:.2f} s")
        (a, ta), (b, tb) = totals.items()
        print(f"{activation}: {b} costs {tb / ta:.2f} of {a} ({ta / tb:.2f}x faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
