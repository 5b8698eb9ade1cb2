"""The set-up of a calculation: activation kernel, weight prior, margin, quadrature order and architecture.

A public theory function takes the set-up by name (activation="relu", weights="binary", margin,
quad_order: plain values, so that the disk cache can key on them) or as a ready `Model` (keyword
`model=`).  The architecture (tree, or fully connected) is part of the kernel: `Model.of(...,
architecture="fully-connected")` puts the large-K kernel of the fully connected machine in place of the
activation's (architecture.py), and every calculation runs unchanged.  Either way it is validated and resolved once, by `resolve`, and then passed down as one
object: no function below the public one turns a name back into a kernel or a prior, and results
carry the Model they were computed for (book: theory_capacity, "kernel substitution").
"""

from dataclasses import dataclass, replace

from ..errors import ParameterError, check_range
from .architecture import architecture_kernel
from .gaussian import legendre
from .kernels import Kernel, get_kernel
from .priors import Prior, get_prior

DEFAULT_QUAD_ORDER = 64
#: margins of the capacity code (RS, AT, 1RSB, kRSB, fRSB; negative: non-convex problems) and of the
#: geometry chapters (Franz-Parisi, large deviations, stabilities)
MARGIN_MIN, MARGIN_MAX = -2.0, 4.0
CAPACITY_MARGINS, GEOMETRY_MARGINS = (MARGIN_MIN, MARGIN_MAX), (0.0, MARGIN_MAX)


@dataclass(frozen=True, repr=False)
class Model:
    """A validated set-up: build it with Model.of (or resolve), not by hand."""

    kernel: Kernel
    prior: Prior
    margin: float
    quad_order: int
    architecture: str = "tree"

    @classmethod
    def of(cls, activation="relu", weights="spherical", margin=0.0, quad_order=DEFAULT_QUAD_ORDER,
           margins=CAPACITY_MARGINS, architecture="tree"):
        """Check every parameter (one-line ParameterError naming it) and resolve the names."""
        legendre(quad_order)  # quad_order: an integer in [4, 2000]
        kernel = architecture_kernel(get_kernel(activation), architecture)
        return cls(kernel, get_prior(weights), check_margin(margin, margins), int(quad_order), architecture)

    @property
    def activation(self):
        return self.kernel.name

    @property
    def weights(self):
        return self.prior.name

    @property
    def nodes(self):
        """Gauss-Legendre (nodes, weights) of quad_order points per panel."""
        return legendre(self.quad_order)

    def at_order(self, quad_order):
        """The same set-up at another quadrature order (the convergence checks double it)."""
        legendre(quad_order)
        return replace(self, quad_order=int(quad_order))

    def __repr__(self):
        tail = "" if self.architecture == "tree" else f", architecture={self.architecture!r}"
        return (f"Model(activation={self.activation!r}, weights={self.weights!r}, margin={self.margin!r}, "
                f"quad_order={self.quad_order}{tail})")


def _from_model(name):
    return property(lambda self: getattr(self.model, name), doc=f"The {name} of the result's Model.")


class ModelResult:
    """Mixin of the result dataclasses that carry their Model in a field `model`: the set-up by name."""

    activation, weights, margin, quad_order, architecture = map(
        _from_model, ("activation", "weights", "margin", "quad_order", "architecture"))

    def as_dict(self):
        """The fields, with the model as its names (activation, weights, margin, quad_order, architecture): JSON-ready."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "model"}
        out.update(activation=self.activation, weights=self.weights, margin=self.margin, quad_order=self.quad_order,
                   architecture=self.architecture)
        return out


def check_margin(margin, margins=CAPACITY_MARGINS):
    """The margin k of the output stability, in [margins[0], margins[1]]."""
    return check_range("margin", margin, *margins)


def resolve(model, activation, weights, margin, quad_order, margins=CAPACITY_MARGINS, fixed_weights=False):
    """`model` when a public function was given one, else Model.of(activation, weights, margin, quad_order).

    A given model is checked against what the function accepts: its margin in `margins` and, for a
    function of one weight type (fixed_weights), its prior that one.
    """
    if model is None:
        return Model.of(activation, weights, margin, quad_order, margins)
    if not isinstance(model, Model):
        raise ParameterError(f"model must be a Model (got {type(model).__name__})")
    check_margin(model.margin, margins)
    if fixed_weights and model.weights != weights:
        raise ParameterError(f"model must have {weights} weights here (got {model.weights})")
    return model


def resolve_spherical(model, activation, margin, quad_order):
    """resolve for the calculations of spherical weights only (1RSB, k-step and full RSB)."""
    return resolve(model, activation, "spherical", margin, quad_order, fixed_weights=True)
