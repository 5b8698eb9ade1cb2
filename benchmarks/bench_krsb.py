"""Speed of the k-step and many-step RSB capacities (issue targets: one kRSB capacity for k <= 3
under 2 s, one full-RSB capacity under 60 s, after JIT, on one core).

Each k-step capacity is timed on its own, given the (k-1)-step optimum (as alpha_c_krsb is
called in a sequence); the many-step grid solutions are timed from the 3-step optimum; the
finite-load Parisi solution from scratch.  Pin to one core with `taskset -c 0`.  Reports only.

    taskset -c 0 python benchmarks/bench_krsb.py [--activation relu] [--repeats N]
"""

import argparse
import os
import sys

from timing import median_seconds  # benchmarks/timing.py
from committee_lib.krsb import alpha_c_krsb
from committee_lib.parisi import jamming_sequence, solve_parisi


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
    three = previous
    print(f"{'quantity':<44} {'median s':>9} {'alpha_c':>14}")
    rows = [("1RSB (k = 1)", lambda: alpha_c_krsb(args.activation, 1)),
            ("2RSB from the 1RSB optimum", lambda: alpha_c_krsb(args.activation, 2, previous=one)),
            ("3RSB from the 2RSB optimum", lambda: alpha_c_krsb(args.activation, 3, previous=two))]
    for name, func in rows:
        seconds, result = median_seconds(func, args.repeats)
        print(f"{name:<44} {seconds:9.2f} {result.alpha_c:14.10f}")
    for spacing in (0.01, 0.005):
        for steps in ((4,), (4, 6)):
            seconds, result = median_seconds(lambda: jamming_sequence(args.activation, 0.0, steps, spacing, three), 1)
            label = f"{'+'.join(map(str, steps))} steps on the grid, spacing {spacing:g}"
            print(f"{label:<44} {seconds:9.2f} {result[-1].alpha_c:14.10f}")
    seconds, result = median_seconds(lambda: solve_parisi(2.1, args.activation, 0.0, 8), 1)
    print(f"{'finite-load Parisi, alpha 2.1, 8 steps':<44} {seconds:9.2f} {result.free_entropy:14.10f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
