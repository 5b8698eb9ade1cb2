"""Speed of the k-step and full-RSB capacities (issue targets: one kRSB capacity for k <= 3
under 2 s, one full-RSB capacity under 60 s, after JIT, on one core).

Each k-step capacity is timed on its own, given the (k-1)-step optimum (as alpha_c_krsb is
called in a sequence); the full-RSB capacity (frsb.alpha_c_frsb, which includes its own k <= 3
sequence) for the default and the cheap step sets; the finite-load Parisi solution from scratch.  Pin to one core with `taskset -c 0`.  Reports only.

    taskset -c 0 python benchmarks/bench_krsb.py [--activation relu] [--repeats N]
"""

import argparse
import os
import sys

from timing import median_seconds  # benchmarks/timing.py
from committee_lib.theory.krsb import alpha_c_krsb
from committee_lib.theory.frsb import alpha_c_frsb
from committee_lib.theory.parisi import solve_parisi


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"cores available to this process: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.2f}")
    previous = None
    for k in (1, 2, 3):  # warm-up (JIT) and the seeds
        previous = alpha_c_krsb(args.activation, k, previous=previous) if k > 1 else alpha_c_krsb(args.activation, 1)
        if k == 1:
            one = previous
        elif k == 2:
            two = previous
    print(f"{'quantity':<44} {'median s':>9} {'alpha_c':>14}")
    rows = [("1RSB (k = 1)", lambda: alpha_c_krsb(args.activation, 1)),
            ("2RSB from the 1RSB optimum", lambda: alpha_c_krsb(args.activation, 2, previous=one)),
            ("3RSB from the 2RSB optimum", lambda: alpha_c_krsb(args.activation, 3, previous=two))]
    for name, func in rows:
        seconds, result = median_seconds(func, args.repeats)
        print(f"{name:<44} {seconds:9.2f} {result.alpha_c:14.10f}")
    for steps in ((4,), (4, 5, 6)):
        seconds, result = median_seconds(lambda: alpha_c_frsb(args.activation, 0.0, steps), 1)
        label = f"full RSB, K = 1, 2, 3 + {','.join(map(str, steps))}"
        print(f"{label:<44} {seconds:9.2f} {result.alpha_c:14.10f} +- {result.error:.1e}")
    seconds, result = median_seconds(lambda: solve_parisi(2.1, args.activation, 0.0, 8), 1)
    print(f"{'finite-load Parisi, alpha 2.1, 8 steps':<44} {seconds:9.2f} {result.free_entropy:14.10f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
