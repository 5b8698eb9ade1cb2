"""Replica theory of large-K tree committee machines (Baldassi, Malatesta, Zecchina 2019).

Every large-K energetic term is the perceptron's with each overlap q replaced by the
normalised activation kernel kappa(q) (book chapter "Theory", section "Kernel substitution").
"""

__version__ = "0.1.0"
