"""The interface of a weight prior: every entropic term the theory uses (theory chapter, "kernel substitution").

The entropic terms do not know the activation.  A prior gives them for each calculation; the theory
modules (rs, rsb/krsb/parisi for spherical weights, local_entropy, large_deviations, franz_parisi,
stabilities) call these methods and never ask which prior they hold.
"""


class Prior:
    """Base of Binary and Spherical: the attributes and methods each defines.

    name: 'binary' or 'spherical'.  q_max: largest RS overlap the prior's numerics resolve.
    discrete: the weights take finitely many values, so an entropy counts configurations and
    F = 0 marks where solutions end (the binary RS capacity, Franz-Parisi's d*).
    rsb_capacity: the q -> 1 entropic limits (frozen_entropy, krsb_entropy, parisi_entropy) exist,
    so the 1RSB, k-step and full-RSB capacities apply.  rs_entropy_alpha0: the RS entropy with no
    patterns (ln 2, 0).  fp_exact_start: Franz-Parisi unknowns beyond (t, w) at the exact point S = q~.
    alpha_star_range, alpha_star_guess: the loads searched for the large-deviation crossing alpha*
    of ReLU and sign, and the first guess (the prior sets the scale of the capacities).
    """

    name = None
    q_max = None
    discrete = None
    rsb_capacity = None
    rs_entropy_alpha0 = None
    fp_exact_start = None
    alpha_star_range = None
    alpha_star_guess = None

    def __repr__(self):
        return f"{type(self).__name__}()"

    # RS (theory_capacity)
    def rs_terms(self, q, quad_order):
        """(qhat, G_S, gamma_S) at the RS overlap q."""
        raise NotImplementedError

    # y -> infinity local entropy (local_entropy)
    def local_entropy_alpha0(self, q1):
        """The alpha = 0 local entropy."""
        raise NotImplementedError

    def local_entropy_alpha0_slope(self, q1):
        """Its derivative in q1 (the slope in the flat region)."""
        raise NotImplementedError

    def envelope_gamma_hat_alpha0(self, q1):
        """The entropic conjugate gamma_hat at alpha = 0 (None if the prior has none)."""
        raise NotImplementedError

    def check_envelope_form(self, stein):
        """ParameterError if the Stein form of the Gamma_q equation does not apply."""
        raise NotImplementedError

    def envelope_entropic(self, q1, qhat, gamma_hat, gamma_q, nodes):
        """The entropic part of the y -> infinity functional at arbitrary order parameters."""
        raise NotImplementedError

    def envelope_equation(self, q1, qhat, one, gh_guess, nodes, stein=False):
        """(residual of the Gamma_q equation or None, gamma_hat, entropic part)."""
        raise NotImplementedError

    def envelope_entropic_slope(self, q1, qhat, gamma_hat, gamma_q):
        """Explicit d/dq1 of the entropic part (envelope theorem)."""
        raise NotImplementedError

    # finite y (large_deviations)
    def ld_entropic(self, q0, q1, qhat0, qhat1, y, psi):
        """G_S of the finite-y measure at a solved point (psi: the prior's own group average or None)."""
        raise NotImplementedError

    def finite_y_alpha0(self, q1, y, quad_order):
        """F_LD(alpha = 0)/y."""
        raise NotImplementedError

    def ld_solve(self, problem, start, what):
        """Solve the finite-y saddle point of `problem` (large_deviations._FiniteY); sets problem.last."""
        raise NotImplementedError

    # Franz-Parisi (franz_parisi)
    def fp_entropy_alpha0(self, d):
        """F_FP at alpha = 0 for an array of distances d."""
        raise NotImplementedError

    def fp_entropic(self, ref, S, x, t, p, one_minus_p, that, phat, nodes):
        """{res, shat, g_s, columns (exact Jacobian columns of the extra unknowns)} or None outside the domain."""
        raise NotImplementedError

    def fp_first_start(self, saddle, x):
        """A start [t, w, ...] near the exact point completed with the extra unknowns, or None."""
        raise NotImplementedError

    # stabilities
    def majority_overlaps(self, point, quad_order):
        """(rho_a, rho_0) of a group's majority vote at an LDPoint."""
        raise NotImplementedError
