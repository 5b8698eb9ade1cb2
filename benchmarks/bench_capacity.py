"""Speed and accuracy of the capacity solvers (issue target: < 10 ms at 1e-8 accuracy).

For each quantity: JIT warm-up, then the median wall time (time.perf_counter) of REPEATS calls
at the default quad order, and the achieved accuracy |value(default) - value(quad_order=128)|.
The target applies to alpha_c (binary RS), alpha_AT and alpha_c^1RSB; capacity() for a Hermite
activation is reported for information (it runs alpha_AT and alpha_c^1RSB together, with the
Hermite kernel already built and cached by the warm-up).

This script reports; it never fails on a missed target (exit status 0).

    python benchmarks/bench_capacity.py [--repeats N] [--quad-order N]
"""

import argparse
import sys

from timing import median_seconds  # benchmarks/timing.py
from committee_lib.theory.capacity import capacity
from committee_lib.theory.rs import DEFAULT_QUAD_ORDER, alpha_at, alpha_c_binary_rs
from committee_lib.theory.rsb import alpha_c_1rsb

TARGET_MS = 10.0
TARGET_ACCURACY = 1e-8
REFERENCE_ORDER = 128


def _capacity_numbers(n):
    r = capacity("spherical", "tanh", quad_order=n)
    return [r["alpha_c_rs"], r["alpha_at"], r["alpha_c_1rsb"]]


# (name, function of quad_order returning a float or a list of floats, has a target)
CASES = [
    ("alpha_c binary RS (sign)", lambda n: alpha_c_binary_rs("sign", quad_order=n), True),
    ("alpha_c binary RS (relu)", lambda n: alpha_c_binary_rs("relu", quad_order=n), True),
    ("alpha_AT spherical relu", lambda n: alpha_at("relu", "spherical", quad_order=n), True),
    ("alpha_AT spherical sign", lambda n: alpha_at("sign", "spherical", quad_order=n), True),
    ("alpha_AT binary relu", lambda n: alpha_at("relu", "binary", quad_order=n), True),
    ("alpha_c 1RSB spherical relu", lambda n: alpha_c_1rsb("relu", quad_order=n).alpha_c, True),
    ("capacity() spherical tanh", _capacity_numbers, False),
]


def _max_abs_diff(a, b):
    a = a if isinstance(a, list) else [a]
    b = b if isinstance(b, list) else [b]
    return max(abs(x - y) for x, y in zip(a, b) if x is not None and y is not None)




def run(repeats, quad_order):
    rows = []
    for name, func, has_target in CASES:
        value = func(quad_order)  # warm-up: JIT compilation / cache load, kernel construction
        func(quad_order)
        ms = 1e3 * median_seconds(lambda: func(quad_order), repeats)[0]
        diff = _max_abs_diff(value, func(REFERENCE_ORDER))
        if has_target:
            meets = "yes" if ms < TARGET_MS and diff < TARGET_ACCURACY else "NO"
        else:
            meets = "n/a"
        rows.append((name, ms, diff, meets))
    return rows


def print_table(rows, quad_order, repeats):
    print(f"bench_capacity: quad_order={quad_order}, median of {repeats} calls, "
          f"target < {TARGET_MS:g} ms and |diff| < {TARGET_ACCURACY:g} vs n={REFERENCE_ORDER}")
    header = ("name", "median ms", f"|diff| vs n={REFERENCE_ORDER}", "meets target")
    width = max(len(r[0]) for r in rows)
    print(f"| {header[0]:<{width}} | {header[1]:>9} | {header[2]:>15} | {header[3]:>12} |")
    print(f"|{'-' * (width + 2)}|{'-' * 11}|{'-' * 17}|{'-' * 14}|")
    for name, ms, diff, meets in rows:
        print(f"| {name:<{width}} | {ms:9.2f} | {diff:15.1e} | {meets:>12} |")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per case (>= 20)")
    parser.add_argument("--quad-order", type=int, default=DEFAULT_QUAD_ORDER)
    args = parser.parse_args(argv)
    repeats = max(20, args.repeats)
    try:
        print_table(run(repeats, args.quad_order), args.quad_order, repeats)
    except Exception as exc:  # a report, not a test: say what broke and carry on
        print(f"bench_capacity: failed: {type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
