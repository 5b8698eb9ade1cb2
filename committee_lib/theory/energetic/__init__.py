"""Perceptron-form energetic terms, written once in terms of the effective overlap kappa.

Every function takes kernel values kappa = kappa(q) (theory_capacity: kernel substitution), the
margin k and Gauss-Legendre reference nodes; the activation never appears here.  They are Gaussian
averages of ln Phi(t) and of the Mills ratio R = phi/Phi of the perceptron channel, one module per
calculation: the capacity (``capacity``: RS, 1RSB, the frozen and k-step limits), the local entropy
(``local_entropy``: the energetic envelope), the finite-y large deviations (``large_deviations``),
the Franz-Parisi potential (``franz_parisi``) and the stability distributions (``stabilities``).
"""

from .capacity import (frozen_energetic, krsb_energetic, log_jamming_step, rs_energetic, rsb_energetic,
                       rsb_inner)
from .franz_parisi import fp_energetic, log_ndtr_mills
from .large_deviations import tilted_output
from .local_entropy import energetic_envelope, envelope_cuts, x_star
from .stabilities import (group_density_kernel, group_log_norms, group_moments_kernel, group_outer,
                          group_outer_nodes, limit_density_kernel, limit_moments_kernel, reference_mixture,
                          tilted_peaks, typical_density_kernel)

__all__ = ["energetic_envelope", "envelope_cuts", "fp_energetic", "frozen_energetic", "group_density_kernel",
           "group_log_norms", "group_moments_kernel", "group_outer", "group_outer_nodes", "krsb_energetic",
           "limit_density_kernel", "limit_moments_kernel", "log_jamming_step", "log_ndtr_mills", "reference_mixture",
           "rs_energetic", "rsb_energetic", "rsb_inner", "tilted_output", "tilted_peaks", "typical_density_kernel",
           "x_star"]
