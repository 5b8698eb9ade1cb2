"""Speed of the Franz-Parisi solver (issue target: one 60-point F_FP curve < 2 s on one core).

The process is pinned to one core (os.sched_setaffinity, where available).  After a JIT
warm-up (compilation or cache load of every kernel), each case is timed REPEATS times with
time.perf_counter and the median is reported, with the number of saddle-point evaluations of
the last run.  Kernel rows time one call of the numba kernels at the default quadrature order.

This script reports; it never fails on a missed target (exit status 0).

    python benchmarks/bench_franz_parisi.py [--repeats N] [--points N]
"""

import argparse
import os
import sys

from timing import median_seconds  # benchmarks/timing.py
from committee_lib.theory import franz_parisi as fp
from committee_lib.theory.energetic import fp_energetic
from committee_lib.theory.gaussian import legendre
from committee_lib.theory.kernels import get_kernel
from committee_lib.theory.priors.binary import fp_binary_entropic

TARGET_S = 2.0


def _pin_one_core():
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned (no sched_setaffinity)"




def curve_cases(points):
    cases = []
    for weights, alpha in (("binary", 0.6), ("spherical", 1.0)):
        for activation in (("sign", "relu", "linear") if weights == "binary" else ("sign", "relu")):
            cases.append((f"curve {weights} {activation} alpha={alpha:g}",
                          lambda w=weights, a=activation, al=alpha: fp.fp_curve(al, a, w, n_points=points)))
    return cases


def kernel_cases():
    k = get_kernel("relu")
    ref = fp.reference(0.6, "relu", "binary")
    kq, kt, ks, kp = k.kappa(ref.q), k.kappa(0.30), k.kappa(0.8), k.kappa(0.7)
    c2 = kp - kt * kt / kq - (ks - kt) ** 2 / (1.0 - kq)
    nodes = legendre(fp.DEFAULT_QUAD_ORDER)
    return [
        ("kernel fp_energetic (one call)", lambda: fp_energetic(kq, kt, ks, c2, 1.0 - kp, *nodes)),
        ("kernel fp_binary_entropic (one call)", lambda: fp_binary_entropic(0.5, 0.6, 0.9, 1.3, *nodes)),
        ("d* binary relu alpha=0.6", lambda: fp.d_star(0.6, "relu")),
    ]


def run(repeats, points):
    rows = []
    for name, func in curve_cases(points) + kernel_cases():
        func()  # warm-up: JIT compilation or cache load
        seconds, result = median_seconds(func, repeats)
        if isinstance(result, dict):
            meets = "yes" if seconds < TARGET_S else "NO"
            rows.append((name, seconds, str(result["evaluations"]), f"{len(result['d'])}", meets))
        else:
            rows.append((name, seconds, "", "", "n/a"))
    return rows


def print_table(rows, repeats, pinned):
    print(f"bench_franz_parisi: quad_order={fp.DEFAULT_QUAD_ORDER}, median of {repeats} runs, {pinned}, "
          f"target: one curve < {TARGET_S:g} s")
    width = max(len(r[0]) for r in rows)
    print(f"| {'case':<{width}} | {'median s':>10} | {'evaluations':>11} | {'points':>6} | {'meets target':>12} |")
    print(f"|{'-' * (width + 2)}|{'-' * 12}|{'-' * 13}|{'-' * 8}|{'-' * 14}|")
    for name, seconds, evals, points, meets in rows:
        shown = f"{seconds:10.3f}" if seconds >= 0.01 else f"{seconds * 1e3:8.3f}ms"
        print(f"| {name:<{width}} | {shown} | {evals:>11} | {points:>6} | {meets:>12} |")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per case (>= 1)")
    parser.add_argument("--points", type=int, default=60, help="points per curve")
    args = parser.parse_args(argv)
    try:
        pinned = _pin_one_core()
        print_table(run(max(1, args.repeats), args.points), max(1, args.repeats), pinned)
    except Exception as exc:  # a report, not a test: say what broke and carry on
        print(f"bench_franz_parisi: failed: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
