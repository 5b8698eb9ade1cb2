"""The energetic term of the large-deviation measure at finite y (theory_large_deviations: the measure as one-step RSB).

G_E = E_z0 ln E_z1 Phi(x/eps)^y, x = sqrt(k0) z0 + sqrt(k1 - k0) z1 - k, eps = sqrt(1 - k1): the 1RSB
energetic term (capacity.rsb_energetic) with m = y, on outer panels that stay valid at large y.
"""

import math

from ..gaussian import L, clamped_sorted, gauss_nodes, jit, log_ndtr, log_sum_exp, mills, split_nodes, tilted_log_nodes
from .local_entropy import envelope_cuts


@jit
def tilted_output(kap0, kap1, y, margin, x_ref, w_ref):
    """(E_z0 ln E_z1 Phi(x/eps)^y, E_z0 <g>^2) with x = sqrt(k0) z0 + sqrt(k1-k0) z1 - k, eps = sqrt(1-k1).

    The first is y * rsb_energetic; <g> is the average of g = d/dx ln Phi(x/eps) = R(x/eps)/eps
    under the tilted measure Phi^y Dz1 (gaussian.tilted_log_nodes: panels at the peak, valid for any y).
    """
    s0 = math.sqrt(kap0)
    b = math.sqrt(max(kap1 - kap0, 0.0))
    eps = math.sqrt(1.0 - kap1)
    if s0 > 0.0:
        # outer panels as in the y -> infinity limit (envelope_cuts with Gamma = y b^2): the
        # integrand ~ y M_E(x0) changes on the scale eps right of x0 = 0 and (Gamma + eps^2)/eps left
        zo, wo = split_nodes(clamped_sorted(envelope_cuts(s0, eps, y * b * b, margin), -L, L), x_ref, w_ref)
    else:
        zo, wo = gauss_nodes(math.inf, x_ref, w_ref)
    lz = 0.0
    g2 = 0.0
    for io in range(zo.size):
        if wo[io] == 0.0:
            continue
        a = s0 * zo[io] - margin
        if b == 0.0:
            t = a / eps
            lz += wo[io] * y * log_ndtr(t)
            g = mills(t) / eps
            g2 += wo[io] * g * g
            continue
        z, lw = tilted_log_nodes(a, b, eps, y, x_ref, w_ref)
        log_norm = log_sum_exp(lw)
        gs = 0.0
        for i in range(z.size):
            gs += math.exp(lw[i] - log_norm) * mills((a + b * z[i]) / eps)
        lz += wo[io] * log_norm
        g = gs / eps
        g2 += wo[io] * g * g
    return lz, g2
