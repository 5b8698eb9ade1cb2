"""Replicated annealing on tree and fully connected machines side by side (book: fully_connected).

Both machines have K hidden units of n weights each, K n weights in all, and a training set of
p = round(alpha K n) patterns: the tree's units see disjoint inputs (K n of them), the fully connected
machine's units all see the same n inputs.  At the same load per weight and the same number of
weights the two are annealed with the same ramp, on training sets with the same seeds:

* `pair_groups`: the Tasks of the comparison, keyed (activation, architecture): the replicated
  anneals, the same training sets again with the ramp of the convergence check (at least 4x apart,
  observables.check_ramp_factor), and plain annealing (y = 1) with the same ramp;
* `moments_against_theory`: the stability moments over training sets beside the large-K theory
  (stabilities.fig3_left, with the architecture's kernel);
* `claim_verdict`: a one-word verdict on "curve a lies above curve b" from robustness.compare_curves.
"""

import numpy as np

from ..architectures import ARCHITECTURES  # the two architectures, in the order of the chapter's tables
from .finite_size import ramp
from .observables import over_samples, stability_moments
from .samples import Task

#: the moments compared with the theory: (observable of observables.stability_moments, theory kind, summary field)
MOMENTS = (("replica mean", "replica", "mean"), ("replica variance", "replica", "variance"),
           ("reference mean", "reference", "mean"), ("reference variance", "reference", "variance"),
           ("reference errors", "reference", None))


def pair_groups(shapes, alpha, y, q1, seeds, schedules, check_samples, check_factor):
    """{key: [Task]} for every activation of `shapes` ({activation: (K, n)}) and architecture: key
    (activation, architecture) the replicated anneals on `seeds` with schedules[activation]; (activation,
    architecture, "check") the first check_samples of them with the ramp check_factor times as long;
    (activation, architecture, "y = 1") plain annealing of one machine with the same ramp."""
    groups = {}
    for act, (K, n) in shapes.items():
        for arch in ARCHITECTURES:
            def tasks(replicas, schedule, on):
                return [Task(act, K, alpha, replicas, q1, int(s), schedule, n, arch).canonical() for s in on]

            groups[act, arch] = tasks(y, schedules[act], seeds)
            groups[act, arch, "check"] = tasks(y, ramp(schedules[act], check_factor), seeds[:check_samples])
            groups[act, arch, "y = 1"] = tasks(1, schedules[act], seeds)
    return groups


def moments_against_theory(runs, summaries):
    """[(observable, theory value or None, Estimate over the training sets)] for one group of annealed
    runs and the theory's summaries of its activation and architecture (fig3_left(...)[act]["summaries"];
    the reference's training error has no large-K value here: None)."""
    moments = stability_moments(runs)
    return [(name, None if field is None else getattr(summaries[kind], field), over_samples(moments[name]))
            for name, kind, field in MOMENTS]


def claim_verdict(comparison):
    """The verdict on a claim "a lies above b" (robustness.CurveComparison of a against b, within its mask), to
    follow "the claim": "holds" where a is significantly above b somewhere and never below, "is contradicted" in
    the opposite case, "is mixed" when both happen, "is not resolved" when no level differs significantly."""
    above, below = bool(np.any(comparison.a_above)), bool(np.any(comparison.b_above))
    return {(True, False): "holds", (False, True): "is contradicted", (True, True): "is mixed",
            (False, False): "is not resolved"}[above, below]
