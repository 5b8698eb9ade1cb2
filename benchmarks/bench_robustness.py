"""Speed of the input- and weight-noise experiments (robustness.py) against plain numpy.

At the paper's sizes (alpha = 0.4, K = 32 relu / 33 sign, N = K^2) for one sample: n_w = 21
random +-1 weight vectors (the y = 20 replicas and the reference of an anneal; the kernels do
the same work whatever the weights), 50 perturbations per pattern, 26 input-noise levels eta in
[0, 0.5] and 21 weight-noise fractions f in [0, 0.2].  The kernels are timed after a warm-up
call (compilation); times are the median wall time of a few calls (timing.median_seconds), and
the CPU time of this process per call is shown next to it (other load on the machine does not
count there).

The numpy baseline is a straightforward vectorized implementation of the same experiments: per
perturbation round one random order per pattern (argsort of uniforms) or one shared order of the
weights, and for every level the perturbed patterns or weights are built and classified with a
batched matmul over the K units.  It runs a few rounds and is extrapolated to 50.

Projection: 20 samples x 2 activations, both experiments, samples spread over 2 cores (wall
time per sample, so the figure includes whatever else loads the machine).  Target (issue): the
whole robustness notebook under 2 minutes on 2 cores.  This script reports; it never fails on a
missed target.

    python benchmarks/bench_robustness.py [--repeats R] [--numpy-rounds T] [--seed S] [--only relu|sign]
"""

import argparse
import sys
import time

import numpy as np
from timing import median_seconds

from committee_lib.simulation import committee
from committee_lib.simulation.robustness import input_noise, weight_noise

SIZES = {"relu": 32, "sign": 33}
ALPHA, N_W, T = 0.4, 21, 50
ETAS = np.linspace(0.0, 0.5, 26)
FRACTIONS = np.linspace(0.0, 0.2, 21)
SAMPLES, CORES, TARGET = 20, 2, 120.0


# ----------------------------------------------------------------------------- numpy baseline
def numpy_wrong(machine, x, V):
    """wrong[mu, w]: margin <= 0 for patterns x (p, N) and weights V (n_w, N), batched over units."""
    K, n = machine.K, machine.n
    xk = x.reshape(-1, K, n).transpose(1, 0, 2).astype(float)  # (K, p, n)
    Vk = V.reshape(-1, K, n).transpose(1, 2, 0).astype(float)  # (K, n, n_w)
    h = np.matmul(xk, Vk)  # (K, p, n_w), exact integers
    g = np.sign(h) if machine.activation == "sign" else np.maximum(h, 0)
    return machine.sigma[:, None] * np.einsum("k,kpw->pw", machine.c.astype(float), g) <= 0


def numpy_input_noise(machine, W, etas, rounds, rng):
    """counts (n_w, n_eta) over `rounds` perturbations per pattern, nested prefixes of one order each."""
    flips = np.rint(np.asarray(etas) * machine.N).astype(int)
    counts = np.zeros((len(W), len(flips)), np.int64)
    rows = np.arange(machine.p)[:, None]
    for _ in range(rounds):
        order = rng.random((machine.p, machine.N)).argsort(axis=1)
        for k, m in enumerate(flips):
            x = machine.xi.copy()
            x[rows, order[:, :m]] *= -1
            counts[:, k] += numpy_wrong(machine, x, W).sum(axis=0)
    return counts


def numpy_weight_noise(machine, W, fractions, rounds, rng):
    """counts (n_w, n_f) over `rounds` perturbations, one order of the weights shared by every vector."""
    flips = np.rint(np.asarray(fractions) * machine.N).astype(int)
    counts = np.zeros((len(W), len(flips)), np.int64)
    for _ in range(rounds):
        order = rng.permutation(machine.N)
        for k, m in enumerate(flips):
            V = W.copy()
            V[:, order[:m]] *= -1
            counts[:, k] += numpy_wrong(machine, machine.xi, V).sum(axis=0)
    return counts


# ----------------------------------------------------------------------------- timing
def timed(func, args, repeats):
    """(median wall seconds, CPU seconds of this process per call) of func(*args)."""
    cpu = time.process_time()
    wall, _ = median_seconds(lambda: func(*args), repeats)
    return wall, (time.process_time() - cpu) / repeats


def bench(activation, seed, repeats, rounds):
    """Rows (experiment, wall s, cpu s, numpy s extrapolated, ratio) for one sample of `activation`."""
    rng = np.random.default_rng(seed)
    machine = committee.random_machine(activation, SIZES[activation], ALPHA, rng)
    W = (2 * rng.integers(0, 2, size=(N_W, machine.N)) - 1).astype(np.int8)
    rows = []
    for name, kernel, baseline, levels in (("input noise", input_noise, numpy_input_noise, ETAS),
                                           ("weight noise", weight_noise, numpy_weight_noise, FRACTIONS)):
        kernel(machine, W, levels, 1, seed)  # compiled (or loaded) before timing
        wall, cpu = timed(kernel, (machine, W, levels, T, seed), repeats)
        numpy_wall, _ = timed(baseline, (machine, W, levels, rounds, rng), 1)
        numpy_seconds = numpy_wall * T / rounds
        rows.append((f"{activation} K={machine.K} p={machine.p} {name}", wall, cpu, numpy_seconds,
                     numpy_seconds / wall))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per experiment (median)")
    parser.add_argument("--numpy-rounds", type=int, default=2, help="perturbation rounds of the numpy baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=sorted(SIZES), action="append")
    args = parser.parse_args(argv)
    print(f"bench_robustness: alpha={ALPHA}, N = K^2, n_w={N_W}, {T} perturbations per pattern; "
          f"{ETAS.size} etas in [{ETAS[0]:g}, {ETAS[-1]:g}], {FRACTIONS.size} fractions in "
          f"[{FRACTIONS[0]:g}, {FRACTIONS[-1]:g}]; seed {args.seed}; numpy: {args.numpy_rounds} rounds, extrapolated")
    activations = args.only or ["relu", "sign"]
    rows = [row for a in activations for row in bench(a, args.seed, args.repeats, args.numpy_rounds)]
    header = ("case", "wall s/sample", "cpu s/sample", "numpy s/sample", "ratio")
    width = max(len(r[0]) for r in rows)
    print(f"| {header[0]:<{width}} | {' | '.join(f'{h:>14}' for h in header[1:])} |")
    print(f"|{'-' * (width + 2)}|{'|'.join('-' * 16 for _ in header[1:])}|")
    for name, wall, cpu, numpy_seconds, ratio in rows:
        print(f"| {name:<{width}} | {wall:>14.3f} | {cpu:>14.3f} | {numpy_seconds:>14.2f} | {ratio:>14.0f} |")
    per_sample = sum(r[1] for r in rows) / len(activations)
    projected = SAMPLES * 2 * per_sample / CORES
    print(f"projected notebook: {SAMPLES} samples x 2 activations, both experiments, on {CORES} cores: "
          f"{projected:.1f} s (target < {TARGET:.0f} s: {'yes' if projected < TARGET else 'NO'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
