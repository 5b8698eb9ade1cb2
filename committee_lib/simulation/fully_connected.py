"""Tree and fully connected machines side by side (book: fully_connected): the simulations of the
chapter, and the tables and summary numbers it draws from them.

Replicated annealing.  Both machines have K hidden units of n weights each, K n weights in all, and
a training set of p = round(alpha K n) patterns: the tree's units see disjoint inputs (K n of them),
the fully connected machine's units all see the same n inputs.  At the same load per weight and the
same number of weights the two are annealed with the same ramp, on training sets with the same seeds:

* `pair_groups`: the Tasks of the comparison, keyed (activation, architecture): the replicated
  anneals, the same training sets again with the ramp of the convergence check (at least 4x apart,
  observables.check_ramp_factor), and plain annealing (y = 1) with the same ramp;
* `moments_against_theory`: the stability moments over training sets beside the large-K theory
  (stabilities.fig3_left, with the architecture's kernel); `moments_table` for both architectures;
* `ramp_check_table`: the convergence check of those moments, training set by training set;
* `annealed_read_out`: the read-out ``|v|^2 / n`` of the annealed fully connected machines;
* `claim_verdict`: a one-word verdict on "curve a lies above curve b" from robustness.compare_curves;
  `noise_claims`: the verdicts on the paper's robustness claims, for both architectures.

Gradient descent (spherical weights).  `descent_summary`: the largest solved load of every shape
against the theory's capacities, and the division of labour measured on the solutions
(learners.division_of_labour against theory.fully_connected.unit_correlation).

Binary thresholds.  `threshold_comparison`: the algorithmic thresholds of plain and replicated
annealing (thresholds.fit_or_reason) on both architectures, and the verdict "replicated beats plain".

A Table is the rows of one of the chapter's tables and the values its text cites (glued by name).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..architectures import ARCHITECTURES  # the two architectures, in the order of the chapter's tables
from ..report import LABELS, format_estimate
from ..theory.fully_connected import unit_correlation
from .finite_size import ramp
from .gradient_descent import output_weights, unit_overlaps
from .learners import division_of_labour, largest_by_shape
from .observables import Estimate, over_samples, ramp_check, stability_moments
from .robustness import compare_curves, significantly_above
from .samples import Task
from .thresholds import beats_verdict, compare_thresholds, format_threshold

TREE, FC = ARCHITECTURES
#: how the chapter names each architecture in its tables, and the tag of its glued names
ARCHITECTURE_NAMES = {TREE: "tree", FC: "fully connected"}
ARCHITECTURE_TAGS = {TREE: "tree", FC: "fc"}

#: the moments compared with the theory: (observable of observables.stability_moments, theory kind, summary field)
MOMENTS = (("replica mean", "replica", "mean"), ("replica variance", "replica", "variance"),
           ("reference mean", "reference", "mean"), ("reference variance", "reference", "variance"),
           ("reference errors", "reference", None))
#: their names, in the order of the tables
OBSERVABLES = tuple(name for name, _, _ in MOMENTS)


class Table(NamedTuple):
    """The rows of one table of the chapter and {name: value} of the numbers and phrases its text cites."""

    rows: list
    values: dict


def _label(activation):
    return LABELS.get(activation, activation)


def _tag(activation, architecture):
    """The glued names' tag of one machine: "sign_fc", "relu_tree", ..."""
    return f"{activation}_{ARCHITECTURE_TAGS[architecture]}"


# ----------------------------------------------------------------------------- replicated annealing
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


def moments_table(annealed, theory, activations):
    """The Table of the stability moments against the theory: a row (activation, architecture, observable,
    theory value or None, "mean ± error") per activation, architecture and MOMENTS; values
    sim_<tag>_<observable> and sim_<tag>_<observable>_err (the Estimate), th_<tag>_<observable> and
    dev_<tag>_<observable> (relative deviation from the theory) where there is a theory value.
    annealed: {(activation, architecture): runs}; theory: {architecture: fig3_left(...)}."""
    rows, values = [], {}
    for act in activations:
        for arch in ARCHITECTURES:
            tag = _tag(act, arch)
            for name, theory_value, est in moments_against_theory(annealed[act, arch], theory[arch][act]["summaries"]):
                key = name.replace(" ", "_")
                values.update({f"sim_{tag}_{key}": est.mean, f"sim_{tag}_{key}_err": est.error})
                if theory_value is not None:
                    values.update({f"th_{tag}_{key}": theory_value,
                                   f"dev_{tag}_{key}": (est.mean - theory_value) / theory_value})
                rows.append([_label(act), ARCHITECTURE_NAMES[arch], name, theory_value, format_estimate(est)])
    return Table(rows, values)


def ramp_check_table(annealed, check_samples, activations):
    """The Table of the convergence check: per activation and architecture, the moments of the first
    check_samples training sets (key (activation, architecture)) against the same training sets annealed
    with the check ramp (key (activation, architecture, "check")), observables.ramp_check: a row
    (activation, architecture, "<solved> of <check_samples>" check runs solved, z of each OBSERVABLES, max |z|,
    "converged" or "not converged"); values z_max_<tag> and converged_<tag> ("passes" or "fails")."""
    rows, values = [], {}
    for act in activations:
        for arch in ARCHITECTURES:
            tag, check_runs = _tag(act, arch), annealed[act, arch, "check"]
            base = {k: v[:check_samples] for k, v in stability_moments(annealed[act, arch]).items()}
            check = ramp_check(base, stability_moments(check_runs), OBSERVABLES)
            values.update({f"z_max_{tag}": check.z_max, f"converged_{tag}": "passes" if check.converged else "fails"})
            rows.append([_label(act), ARCHITECTURE_NAMES[arch], f"{sum(r.solved for r in check_runs)} of {check_samples}",
                         *[check.z[name] for name in OBSERVABLES], check.z_max,
                         "converged" if check.converged else "not converged"])
    return Table(rows, values)


def annealed_read_out(runs, K, n):
    """The read-out M = |v|^2/n (gradient_descent.unit_overlaps) of fully connected annealed runs of K units of
    n weights: {"replicas": M averaged over every replica of every run, "reference": over their references,
    "correlation": the replicas' unit correlation (M - 1)/(K - 1) it implies for weights ±1, "theory": the
    large-K value -1/(K - 1) (theory.fully_connected.unit_correlation)}."""
    c = runs[0].machine().c
    mean = {kind: np.mean([unit_overlaps(np.reshape(w, (K, n)), c)[2] for r in runs
                           for w in (r.W if kind == "replicas" else [r.reference])])
            for kind in ("replicas", "reference")}
    return {**mean, "correlation": (mean["replicas"] - 1) / (K - 1), "theory": unit_correlation(K)}  # |w_k|^2 = n


def claim_verdict(comparison):
    """The verdict on a claim "a lies above b" (robustness.CurveComparison of a against b, within its mask), to
    follow "the claim": "holds" where a is significantly above b somewhere and never below, "is contradicted" in
    the opposite case, "is mixed" when both happen, "is not resolved" when no level differs significantly."""
    above, below = bool(np.any(comparison.a_above)), bool(np.any(comparison.b_above))
    return {(True, False): "holds", (False, True): "is contradicted", (True, True): "is mixed",
            (False, False): "is not resolved"}[above, below]


def noise_claims(noise, predictions, mask):
    """The paper's robustness claims on each architecture, decided on the noise levels of `mask` (claim_verdict;
    counts of the levels where one curve is significantly above the other, robustness.significantly_above):
    relu_over_sign_<arch> (ReLU's reference below sign's: more robust), n_relu_better_<arch>, n_sign_better_<arch>;
    per activation ref_over_rep_<tag>, n_ref_better_<tag>, n_rep_better_<tag>; and gap_T_<tag>, the reference's
    largest gap (simulation minus theory) within the mask.  noise: {(activation, architecture):
    {"reference": Estimate curve, "replica": Estimate curve}} for sign and ReLU (misclassified perturbed patterns);
    predictions: {(activation, architecture): the reference's curve by eq. (T)}."""
    values = {}
    for arch in ARCHITECTURES:
        short = ARCHITECTURE_TAGS[arch]
        sign_ref, relu_ref = noise["sign", arch]["reference"], noise["relu", arch]["reference"]
        values[f"relu_over_sign_{short}"] = claim_verdict(compare_curves(sign_ref, relu_ref, mask))
        for act in ("sign", "relu"):
            tag = _tag(act, arch)
            rep, ref = noise[act, arch]["replica"], noise[act, arch]["reference"]
            values.update({f"ref_over_rep_{tag}": claim_verdict(compare_curves(rep, ref, mask)),
                           f"n_ref_better_{tag}": int(significantly_above(rep, ref, mask).sum()),
                           f"n_rep_better_{tag}": int(significantly_above(ref, rep, mask).sum())})
        values.update({f"n_relu_better_{short}": int(significantly_above(sign_ref, relu_ref, mask).sum()),
                       f"n_sign_better_{short}": int(significantly_above(relu_ref, sign_ref, mask).sum())})
    for (act, arch), prediction in predictions.items():
        gap = (noise[act, arch]["reference"].mean - prediction)[mask]
        values[f"gap_T_{_tag(act, arch)}"] = float(gap[np.argmax(np.abs(gap))])
    return values


# ----------------------------------------------------------------------------- gradient descent
@dataclass(frozen=True)
class DescentWidth:
    """Gradient descent on the machines of one shape (activation, K units of `inputs` weights): the
    largest solved load over the training sets (Estimate), the theory's capacities per weight
    ({name: value}, in the order of the table) and `against`, the name of the one the load is compared
    with; the overlaps of different units on the solutions at each training set's largest solved load
    (learners.division_of_labour: pairs with equal and with opposite output weights, the read-out
    |v|^2/N; None where fewer than two training sets were solved or no pair has such output weights)."""

    activation: str
    K: int
    inputs: int
    largest: Estimate
    capacities: dict
    against: str
    equal: Estimate | None = None
    opposite: Estimate | None = None
    read_out: Estimate | None = None

    @property
    def share(self):
        """The largest solved load over the capacity `against`."""
        return self.largest.mean / self.capacities[self.against]

    @property
    def theory_equal(self):
        """The theory's w_k . w_l / N for units with equal output weights, -1/(K - 1) (v = 0)."""
        return unit_correlation(self.K)

    @property
    def theory_opposite(self):
        """The same for opposite output weights, +1/(K - 1); None when every output weight has one sign."""
        return -unit_correlation(self.K) if np.any(output_weights(self.activation, self.K) < 0) else None

    def scaled(self):
        """(equal, opposite): the pair overlaps in units of 1/(K - 1), with the sign of c_k c_l (the
        theory: -1 for both); None where not measured."""
        return tuple(None if e is None else e.mean * (self.K - 1) * sign
                     for e, sign in ((self.equal, 1), (self.opposite, -1)))


@dataclass(frozen=True)
class DescentSummary:
    """The DescentWidths of a batch of gradient-descent brackets, in task order (descent_summary)."""

    widths: tuple

    def of(self, activation):
        """The widths of one activation."""
        return [w for w in self.widths if w.activation == activation]

    def measured(self, activation):
        """The widths of one activation whose read-out was measured (two solved training sets or more)."""
        return [w for w in self.of(activation) if w.read_out is not None]

    def reach(self, activation):
        """The largest solved load over the capacity `against`, width by width."""
        return [w.share for w in self.of(activation)]

    def read_outs(self, activation):
        """The mean read-out |v|^2/N of the solutions, width by width where measured."""
        return [w.read_out.mean for w in self.measured(activation)]

    def pair_scaled(self):
        """[(activation, "equal" or "opposite", [pair overlap x (K - 1) x c_k c_l, width by width where
        measured])], in the order of the activations, the lists that have at least one value."""
        out = []
        for act in dict.fromkeys(w.activation for w in self.widths):
            for j, which in enumerate(("equal", "opposite")):
                scaled = [s[j] for s in (w.scaled() for w in self.of(act)) if s[j] is not None]
                if scaled:
                    out.append((act, which, scaled))
        return out

    def capacity_rows(self):
        """Rows (activation, K, weights, "largest load ± error", the capacities..., load over `against`)."""
        return [[_label(w.activation), w.K, w.K * w.inputs, format_estimate(w.largest, ".3f"),
                 *w.capacities.values(), w.share] for w in self.widths]

    def overlap_rows(self):
        """Rows (activation, K, equal pairs, theory, opposite pairs, theory, read-out); None where not measured."""
        def shown(e):
            return None if e is None else format_estimate(e)

        return [[_label(w.activation), w.K, shown(w.equal), w.theory_equal, shown(w.opposite), w.theory_opposite,
                 shown(w.read_out)] for w in self.widths]


def descent_summary(tasks, brackets, capacities, against="full RSB"):
    """The DescentSummary of learners.descent_brackets(tasks): per (activation, K, inputs per unit), the
    largest solved load (learners.largest_by_shape) against capacities[activation] ({name: capacity per
    weight}; against: the name of the one it is compared with) and the division of labour on the solutions
    (learners.division_of_labour; None where fewer than two training sets were solved)."""
    labour = division_of_labour(tasks, brackets)
    return DescentSummary(tuple(
        DescentWidth(act, K, n, largest, dict(capacities[act]), against, *labour.get((act, K, n), (None, None, None)))
        for (act, K, n), largest in largest_by_shape(tasks, brackets).items()))


# ----------------------------------------------------------------------------- algorithmic thresholds
def threshold_comparison(fits, units):
    """The Table of the algorithmic thresholds of plain ("sa") and replicated ("rsa") annealing on both
    architectures.  fits: {(activation, architecture, algorithm): thresholds.fit_or_reason(...)}; units:
    {activation: K} (machines of K^2 weights).  Rows (activation, architecture, weights, plain, replicated,
    "replicated beats plain" verdict); values <tag>_sa, <tag>_rsa (format_threshold), <tag>_verdict
    (thresholds.beats_verdict) and <activation>_<algorithm>_gap (fully connected minus tree, compare_thresholds)."""
    rows, values = [], {}
    for act, K in units.items():
        for arch in ARCHITECTURES:
            sa, rsa = fits[act, arch, "sa"], fits[act, arch, "rsa"]
            tag, verdict = _tag(act, arch), beats_verdict(rsa, sa)
            rows.append([_label(act), ARCHITECTURE_NAMES[arch], K ** 2, format_threshold(sa, "not bracketed"),
                         format_threshold(rsa, "not bracketed"), verdict])
            values.update({f"{tag}_sa": format_threshold(sa), f"{tag}_rsa": format_threshold(rsa),
                           f"{tag}_verdict": verdict})
        for alg in ("sa", "rsa"):
            values[f"{act}_{alg}_gap"] = compare_thresholds(fits[act, FC, alg], fits[act, TREE, alg])
    return Table(rows, values)
