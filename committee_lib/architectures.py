"""The architectures of a committee machine, one list for the theory and the simulations.

tree: each of the K hidden units sees its own N/K inputs (the paper's); fully-connected: every unit
sees all the inputs (book: fully_connected).
"""

from .errors import ParameterError

ARCHITECTURES = ("tree", "fully-connected")


def check_architecture_name(architecture):
    """The architecture, one of ARCHITECTURES; a one-line ParameterError otherwise."""
    if architecture not in ARCHITECTURES:
        raise ParameterError(f"architecture must be one of {', '.join(ARCHITECTURES)} (got {architecture!r})")
    return architecture
