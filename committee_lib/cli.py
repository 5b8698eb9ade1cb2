"""The `committee` command: numbers without a notebook::

    committee capacity --weights {binary,spherical} --activation NAME [--margin K] [--frsb-steps 4,5,6]
        [--architecture {tree,fully-connected}] --json
    committee ld --weights {binary,spherical} --activation NAME --alpha A --q1 Q [--y Y] --json
    committee anneal --activation {sign,relu} --K K --alpha A --y Y --q1 Q --seed S [--sweeps T]
        [--architecture {tree,fully-connected} --inputs N] --json
        (the run, and the sample's stability moments: replica_stability_mean, replica_stability_var,
        reference_stability_mean, reference_stability_var, reference_error_fraction)
    committee fp --weights {binary,spherical} --activation NAME --alpha A [--points N] --json
    committee learn --algorithm {gd,sa,rsa} --activation NAME --K K --alpha A --seed S [--budget T]
        [--architecture {tree,fully-connected} --inputs N] --json

Capacities are per weight (p = alpha N for the tree of N weights, p = alpha K N for the fully connected
machine of K N weights); a capacity that diverges (sign on the sphere) or does not apply is null (JSON)
or "n/a"; a linear activation in the fully connected machine has no large-K kernel (capacity 2/K per
weight, 0 at large K) and is refused with a one-line error.

Exit status: 0 on success, 2 for bad input, 3 when a solver does not converge, 1 when an anneal
ends unsolved or a learner ends without a solution (its final state is printed all the same).
"""

import argparse
import json
import sys

from . import __version__
from .simulation.annealing import Schedule, anneal
from .architectures import ARCHITECTURES, inputs_per_unit
from .theory.capacity import capacity
from .errors import ConvergenceError, ParameterError
from .theory.franz_parisi import DEFAULT_QUAD_ORDER as FP_QUAD_ORDER
from .theory.franz_parisi import fp_summary
from .theory.frsb import FRSB_STEPS
from .theory.kernels import ACTIVATIONS
from .theory.large_deviations import ld
from .simulation.learners import ALGORITHMS, learn
from .simulation.observables import sample_moments
from .theory.model import DEFAULT_QUAD_ORDER, MARGIN_MAX, MARGIN_MIN


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message and exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _steps(text):
    """--frsb-steps: comma-separated increasing integers, each above 3."""
    try:
        steps = tuple(int(k) for k in text.split(","))
    except ValueError:
        steps = ()
    if not steps or steps[0] <= 3 or any(b <= a for a, b in zip(steps, steps[1:])) or steps[-1] > 40:
        raise argparse.ArgumentTypeError(f"must be increasing integers in [4, 40], comma-separated (got {text!r})")
    return steps


def _print(result, as_json):
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {'n/a (diverges or does not apply)' if value is None else value}")


def build_parser():
    parser = _Parser(prog="committee", description="Replica theory of large-K committee machines (tree and fully connected).")
    parser.add_argument("--version", action="version", version=f"committee_lib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cap = sub.add_parser("capacity", help="critical capacities: RS, AT line, 1RSB, 2RSB, 3RSB, full RSB")
    cap.add_argument("--weights", required=True, choices=["binary", "spherical"])
    cap.add_argument("--activation", required=True, choices=sorted(ACTIVATIONS))
    cap.add_argument("--margin", type=float, default=0.0,
                     help=f"output margin k in [{MARGIN_MIN:g}, {MARGIN_MAX:g}] (default 0; negative: non-convex)")
    cap.add_argument("--quad-order", type=int, default=DEFAULT_QUAD_ORDER, help="Gauss-Legendre nodes per panel")
    cap.add_argument("--frsb-steps", type=_steps, default=FRSB_STEPS, metavar="K,K,...",
                     help="grid steps beyond 3 of the full-RSB extrapolation, increasing, each > 3 "
                          f"(default {','.join(map(str, FRSB_STEPS))}; about 40 s for ReLU)")
    cap.add_argument("--architecture", default="tree", choices=ARCHITECTURES,
                     help="tree (default: K units, N/K inputs each) or fully-connected (K units seeing all N inputs, "
                          "large-K limit); capacities per weight")
    cap.add_argument("--json", action="store_true", help="print one JSON object")
    cap.set_defaults(run=lambda a: capacity(a.weights, a.activation, a.margin, a.quad_order, a.frsb_steps,
                                            a.architecture))
    ldp = sub.add_parser("ld", help="large-deviation (local) entropy, eq. (8): y -> infinity or finite y")
    ldp.add_argument("--weights", required=True, choices=["binary", "spherical"])
    ldp.add_argument("--activation", required=True, choices=sorted(ACTIVATIONS))
    ldp.add_argument("--alpha", required=True, type=float, help="load alpha > 0")
    ldp.add_argument("--q1", required=True, type=float, help="mutual overlap of the y replicas, in (0, 1)")
    ldp.add_argument("--y", type=float, default=None, help="number of replicas (integer >= 2; default: y -> infinity)")
    ldp.add_argument("--margin", type=float, default=0.0, help="output margin k >= 0 (default 0)")
    ldp.add_argument("--quad-order", type=int, default=DEFAULT_QUAD_ORDER, help="Gauss-Legendre nodes per panel")
    ldp.add_argument("--json", action="store_true", help="print one JSON object")
    ldp.set_defaults(run=lambda a: ld(a.weights, a.activation, a.alpha, a.q1, a.y, a.margin, a.quad_order))
    ann = sub.add_parser("anneal", help="replicated simulated annealing of one sample (K^2 weights by default)")
    ann.add_argument("--activation", required=True, choices=["sign", "relu"])
    ann.add_argument("--K", required=True, type=int, help="hidden units (odd for sign, even for relu)")
    ann.add_argument("--alpha", required=True, type=float, help="load alpha > 0")
    ann.add_argument("--y", required=True, type=int, help="number of replicas >= 1 (1: plain annealing)")
    ann.add_argument("--q1", required=True, type=float, help="target mean overlap of the replicas, in (0, 1)")
    ann.add_argument("--seed", required=True, type=int, help="seed of patterns, labels and Monte Carlo")
    ann.add_argument("--sweeps", type=int, default=Schedule.sweeps, help=f"beta ramp length (default {Schedule.sweeps})")
    ann.add_argument("--architecture", default="tree", choices=ARCHITECTURES,
                     help="tree (default: unit l sees its own N/K inputs) or fully-connected (every unit sees all N)")
    ann.add_argument("--inputs", type=int, default=None,
                     help="input dimension N (default: K^2 for the tree, K for the fully connected machine; "
                          "either way K^2 weights); the tree needs a multiple of K")
    ann.add_argument("--json", action="store_true", help="print one JSON object")
    ann.set_defaults(run=lambda a: anneal_summary(anneal(a.activation, a.K, a.alpha, a.y, a.q1, a.seed,
                                                         Schedule(sweeps=a.sweeps), unit_inputs(a),
                                                         architecture=a.architecture)))
    fpp = sub.add_parser("fp", help="Franz-Parisi entropy around a typical solution: d*, d_typ and the curve")
    fpp.add_argument("--weights", required=True, choices=["binary", "spherical"])
    fpp.add_argument("--activation", required=True, choices=sorted(ACTIVATIONS))
    fpp.add_argument("--alpha", required=True, type=float, help="load alpha > 0 (binary: below the capacity)")
    fpp.add_argument("--points", type=int, default=60, help="points on the curve F_FP(d) (default 60)")
    fpp.add_argument("--quad-order", type=int, default=FP_QUAD_ORDER, help="Gauss-Legendre nodes per panel")
    fpp.add_argument("--json", action="store_true", help="print one JSON object")
    fpp.set_defaults(run=lambda a: fp_summary(a.weights, a.activation, a.alpha, a.points, a.quad_order))
    lrn = sub.add_parser("learn", help="one learner on one training set: gradient descent (spherical weights), "
                                       "plain or replicated annealing (binary weights)")
    lrn.add_argument("--algorithm", required=True, choices=ALGORITHMS,
                     help="gd: gradient descent, spherical weights; sa: simulated annealing (y = 1); rsa: replicated "
                          "annealing (y replicas); binary weights")
    lrn.add_argument("--activation", required=True, help="sign or relu (sa, rsa); relu, erf, tanh, ... (gd)")
    lrn.add_argument("--K", required=True, type=int, help="hidden units")
    lrn.add_argument("--inputs-per-unit", type=int, default=None, help="N/K (default K)")
    lrn.add_argument("--alpha", required=True, type=float, help="load alpha > 0")
    lrn.add_argument("--seed", required=True, type=int, help="seed of the training set and of the learner")
    lrn.add_argument("--budget", type=int, default=None,
                     help="gd: gradient steps (default 2000); sa, rsa: sweeps x replicas (default 20000)")
    lrn.add_argument("--y", type=int, default=10, help="rsa: replicas (default 10)")
    lrn.add_argument("--q1", type=float, default=0.85, help="rsa: target overlap of the replicas (default 0.85)")
    lrn.add_argument("--architecture", default="tree", choices=ARCHITECTURES,
                     help="tree (default) or fully-connected (every unit sees all N inputs)")
    lrn.add_argument("--inputs", type=int, default=None,
                     help="input dimension N instead of --inputs-per-unit (the tree needs a multiple of K)")
    lrn.add_argument("--json", action="store_true", help="print one JSON object")
    lrn.set_defaults(run=lambda a: learn(a.algorithm, a.activation, a.K, a.alpha, a.seed, a.budget,
                                         a.inputs_per_unit if a.inputs is None else unit_inputs(a), a.y, a.q1,
                                         a.architecture))
    return parser


def unit_inputs(args):
    """The inputs each unit sees, from --inputs N: N/K for the tree, N for the fully connected machine."""
    return inputs_per_unit(args.architecture, args.K, args.inputs, "--inputs")


def anneal_summary(result):
    """The run (AnnealResult.summary) and its stability moments (observables.sample_moments)."""
    return {**result.summary(), **sample_moments(result)}


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except (ParameterError, ConvergenceError) as exc:
        parser.exit(2 if isinstance(exc, ParameterError) else 3, f"committee {args.command}: error: {exc}\n")
    _print(result, args.json)
    if args.command == "anneal":
        return 0 if result["solved"] else 1
    if args.command == "learn":
        return 0 if result["found_solution"] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
