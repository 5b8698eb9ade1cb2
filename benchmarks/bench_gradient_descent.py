"""Speed of the spherical learner (gradient_descent.py): descent steps per second and the cost of
the algorithms chapter's largest-solved-load bisections.

For each shape (K, N/K) of the algorithms chapter (paper profile) and each activation, it times
`descend` for a fixed number of steps at alpha = 2 (no early stop: a margin no weights reach) and
reports steps per second and proposals-equivalent multiply-adds per second (p N per step for the
fields); then one `largest_solved_load` per shape and activation (seed 0, the chapter's settings),
whose sum is the chapter's gradient-descent cost per training set.  Kernels are timed after a
warm-up call (compilation); times are the median of a few calls (timing.median_seconds).  It
reports; it never fails on a missed target.

    python benchmarks/bench_gradient_descent.py [--repeats R] [--steps S] [--json]
"""

import argparse
import json
import time

from timing import median_seconds

from committee_lib.simulation import gradient_descent as gd

SHAPES = [(8, 16), (16, 16), (32, 16), (16, 8), (16, 32)]
ACTIVATIONS = ["relu", "erf", "tanh"]
SETTINGS = gd.Descent(steps=1000, rate=0.05, momentum=0.9, margin=0.1)


def step_rate(activation, K, n, steps, repeats):
    """(steps per second, multiply-adds per second) of `descend` at alpha = 2 without early stop."""
    machine = gd.random_spherical_machine(activation, K, 2.0, 0, n)
    W0 = gd.initial_weights(K, n, 0)

    def run():
        return gd.descend(machine.xi, machine.sigma, machine.c, W0.copy(), machine.code, machine.scale, 1e9, 2.0,
                          0.05, 0.9, steps)

    run()
    seconds, _ = median_seconds(run, repeats)
    return steps / seconds, steps * machine.p * machine.N / seconds


def bisection_seconds(activation, K, n):
    """CPU seconds of one largest_solved_load of the chapter (seed 0, bracket [1.0, 2.6], resolution 0.04)."""
    start = time.process_time()
    gd.largest_solved_load(activation, K, 0, SETTINGS, n, 1.0, 2.6, 0.04)
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    gd.largest_solved_load("relu", 8, 0, gd.Descent(steps=5), 8, 1.0, 2.6, 0.5)  # compile
    out = {}
    for act in ACTIVATIONS:
        for K, n in SHAPES:
            steps_per_s, madds = step_rate(act, K, n, args.steps, args.repeats)
            out[f"{act} K={K} n={n}"] = {"steps_per_s": steps_per_s, "multiply_adds_per_s": madds,
                                         "bisection_cpu_s": bisection_seconds(act, K, n)}
    total = sum(v["bisection_cpu_s"] for v in out.values())
    if args.json:
        print(json.dumps({"shapes": out, "bisections_cpu_s": total}))
        return
    print(f"{'shape':>20} {'steps/s':>10} {'madd/s':>10} {'bisection CPU s':>16}")
    for name, v in out.items():
        print(f"{name:>20} {v['steps_per_s']:10.1f} {v['multiply_adds_per_s']:10.3g} {v['bisection_cpu_s']:16.2f}")
    print(f"one training set of every shape and activation: {total:.1f} CPU s")


if __name__ == "__main__":
    main()
