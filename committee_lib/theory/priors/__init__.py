"""Weight priors: the entropic terms of binary and spherical weights (base.Prior is the interface).

The entropic terms do not know the activation (theory chapter, "kernel substitution").
Each prior gives, at an RS overlap q, the conjugate qhat, the entropic term G_S at its
saddle point and the replicon factor gamma_S whose inverse is minus the entropic replicon
eigenvalue (book: theory_capacity, the RS sections and the replicon), and the entropic terms of
the other calculations (1RSB/kRSB, large deviations, Franz-Parisi, stabilities).
"""

from ...errors import ParameterError
from .base import Prior
from .binary import Binary, binary_conjugate, binary_moments
from .spherical import Spherical

PRIORS = {"binary": Binary(), "spherical": Spherical()}


def get_prior(weights):
    """The prior for weights in {'binary', 'spherical'}."""
    if not isinstance(weights, str) or weights not in PRIORS:
        raise ParameterError(
            f"weights must be one of binary, spherical (got {weights!r})")
    return PRIORS[weights]


__all__ = ["PRIORS", "Binary", "Prior", "Spherical", "binary_conjugate", "binary_moments", "get_prior"]
