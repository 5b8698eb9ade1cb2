"""The architectures of a committee machine, one list for the theory and the simulations.

tree: each of the K hidden units sees its own N/K inputs (the paper's); fully-connected: every unit
sees all the inputs (book: fully_connected).
"""

from numbers import Integral

from .errors import ParameterError

ARCHITECTURES = ("tree", "fully-connected")


def check_architecture_name(architecture):
    """The architecture, one of ARCHITECTURES; a one-line ParameterError otherwise."""
    if architecture not in ARCHITECTURES:
        raise ParameterError(f"architecture must be one of {', '.join(ARCHITECTURES)} (got {architecture!r})")
    return architecture


def inputs_per_unit(architecture, K, inputs, name="inputs"):
    """The inputs each unit sees from the input dimension N = inputs: N/K for the tree (N a multiple
    of K), N for the fully connected machine; None when inputs is None (the default machine)."""
    if inputs is None:
        return None
    tree = check_architecture_name(architecture) == "tree"
    if isinstance(inputs, bool) or not isinstance(inputs, Integral) or inputs < 1 or (tree and inputs % K):
        raise ParameterError(f"{name} must be a positive integer{' multiple of K' if tree else ''} "
                             f"(got {inputs!r} with K = {K})")
    return inputs // K if tree else inputs
