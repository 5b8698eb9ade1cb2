"""Speed of the large-deviation solvers (issue target: one Fig. 2 panel, 6 alphas x 40 q1, < 30 s).

For each case: JIT warm-up (one call), then the median wall time (time.perf_counter) of REPEATS
calls on one core.  "One Fig. 2 panel" is what the notebook computes for one weight prior: sign
and ReLU curves at 6 loads, 40 values of q1 each (480 solutions, continuation in q1).  The other
rows are reported for information.

This script reports; it never fails on a missed target (exit status 0).

    python benchmarks/bench_large_deviations.py [--repeats N] [--quad-order N]
"""

import argparse
import sys
import time

import numpy as np

from timing import median_seconds  # benchmarks/timing.py
from committee_lib.theory.large_deviations import (alpha_breakup, alpha_star_fixed_q1, alpha_star_level, fig2_left, fig2_right,
                                                   ld_finite_y)
from committee_lib.theory.local_entropy import local_entropy
from committee_lib.theory.rs import DEFAULT_QUAD_ORDER

PANEL_TARGET_S = 30.0
Q1S = 1.0 - np.geomspace(1e-3, 0.5, 40)
ALPHAS = {"binary": [0.3, 0.5, 0.6, 0.7, 0.8, 0.9], "spherical": [0.5, 0.8, 1.0, 1.2, 1.4, 1.6]}


def cases(n):
    """(name, call, target in seconds or None); every call uses quad_order n."""
    return [
        ("Fig. 2 panel, binary (2 x 6 x 40)", lambda: fig2_left(ALPHAS["binary"], Q1S, quad_order=n),
         PANEL_TARGET_S),
        ("Fig. 2 panel, spherical (2 x 6 x 40)",
         lambda: fig2_right(ALPHAS["spherical"], Q1S, quad_order=n), PANEL_TARGET_S),
        ("local_entropy, one cold solve (binary sign)", lambda: local_entropy(0.4, 0.85, "sign", "binary", quad_order=n),
         None),
        ("ld_finite_y, y = 20 (binary sign)", lambda: ld_finite_y(0.4, 0.85, 20, "sign", "binary", quad_order=n), None),
        ("ld_finite_y, y = 320 (binary sign)", lambda: ld_finite_y(0.4, 0.85, 320, "sign", "binary", quad_order=n), None),
        ("alpha* at fixed q1 = 0.95 (binary)", lambda: alpha_star_fixed_q1(0.95, "binary", quad_order=n), None),
        ("alpha* at level delta = 1e-2 (binary)", lambda: alpha_star_level(1e-2, "binary", quad_order=n), None),
        ("break-up alpha (perceptron, binary)",
         lambda: alpha_breakup("linear", "binary", [0.6, 0.7, 0.8, 0.9], quad_order=n), None),
    ]




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per case")
    parser.add_argument("--quad-order", type=int, default=DEFAULT_QUAD_ORDER)
    args = parser.parse_args(argv)
    repeats = max(1, args.repeats)
    rows = []
    try:
        for name, func, target in cases(args.quad_order):
            start = time.perf_counter()
            func()  # warm-up: JIT compilation or numba cache load
            first = time.perf_counter() - start
            seconds = median_seconds(func, repeats)[0]
            meets = "n/a" if target is None else ("yes" if seconds < target else "NO")
            rows.append((name, first, seconds, "—" if target is None else f"< {target:g} s", meets))
    except Exception as exc:  # a report, not a test: say what broke and carry on
        print(f"bench_large_deviations: failed: {type(exc).__name__}: {exc}")
    print(f"bench_large_deviations: quad_order={args.quad_order}, median of {repeats} calls after one warm-up call")
    width = max([len(r[0]) for r in rows] + [4])
    print(f"| {'case':<{width}} | first call s | median s | target | meets |")
    print(f"|{'-' * (width + 2)}|--------------|----------|--------|-------|")
    for name, first, seconds, target, meets in rows:
        print(f"| {name:<{width}} | {first:12.3f} | {seconds:8.3f} | {target:>6} | {meets:>5} |")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
