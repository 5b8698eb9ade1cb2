"""Critical capacities in one call: RS, de Almeida-Thouless, 1RSB, k-step and full RSB (capacity chapters)."""

import math

from .model import DEFAULT_QUAD_ORDER, Model
from .rs import alpha_at, alpha_c_rs
from .frsb import FRSB_STEPS, alpha_c_frsb
from .krsb import KRSB_QUAD_ORDER, alpha_c_krsb_sequence
from .rsb import alpha_c_1rsb


def _finite_or_none(value):
    return value if value is not None and math.isfinite(value) else None


def capacity(weights="spherical", activation="relu", margin=0.0, quad_order=DEFAULT_QUAD_ORDER, frsb_steps=FRSB_STEPS,
             architecture="tree"):
    """alpha_c_rs, alpha_at and (spherical) alpha_c_1rsb, _2rsb, _3rsb, _frsb (with alpha_c_frsb_error), per weight;
    None where it diverges or does not apply.  architecture "fully-connected": the large-K fully connected
    machine (its kernel, architecture.py), "tree" (default) the paper's.

    binary: alpha_c_rs from the zero of the RS free entropy (paper eq. 5), RSB not applicable;
    spherical: alpha_c_rs = kappa'(1)/J(k) (eq. 6), alpha_c_1rsb = min of S/(-E) (eq. T23),
    alpha_c_2rsb and alpha_c_3rsb the k-step minima (eq. T32), each seeded from the one before,
    alpha_c_frsb their limit in the number of steps (eq. T33; grid steps frsb_steps beyond 3).
    """
    model = Model.of(activation, weights, margin, quad_order, architecture=architecture)
    result = {"weights": model.weights, "activation": model.activation, "margin": model.margin,
              "quad_order": model.quad_order, "architecture": model.architecture}
    result["alpha_c_rs"] = _finite_or_none(alpha_c_rs(model=model))
    if not model.prior.rsb_capacity:  # no q -> 1 entropic limits: the RSB capacities do not apply
        for key in ("alpha_c_1rsb", "alpha_c_2rsb", "alpha_c_3rsb", "alpha_c_frsb", "alpha_c_frsb_error"):
            result[key] = None
    else:
        result["alpha_c_1rsb"] = _finite_or_none(alpha_c_1rsb(model=model).alpha_c)
        nested = model.at_order(KRSB_QUAD_ORDER)
        _, two, three = alpha_c_krsb_sequence(k_max=3, model=nested)
        result["alpha_c_2rsb"], result["alpha_c_3rsb"] = _finite_or_none(two.alpha_c), _finite_or_none(three.alpha_c)
        full = alpha_c_frsb(steps=frsb_steps, model=nested)
        result["alpha_c_frsb"] = _finite_or_none(full.alpha_c)
        result["alpha_c_frsb_error"] = full.error if result["alpha_c_frsb"] is not None else None
    result["alpha_at"] = _finite_or_none(alpha_at(model=model))
    return result
