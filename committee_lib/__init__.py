"""Large-K tree committee machines (Baldassi, Malatesta, Zecchina 2019): theory and simulation.

``theory``: the replica theory; ``simulation``: the Monte Carlo engine and the learners; beside them
the shared infrastructure: the result cache (``cache``), errors (``errors``), root finding (``roots``),
the numba decorator (``jit``), the command line (``cli``), every printed value and how to compare with it
(``published``), progress reports (``progress``), text helpers for the notebooks (``report``) and the
disk-cached entry points the chapters call (``chapters``).

Every large-K energetic term is the perceptron's with each overlap q replaced by the
normalised activation kernel kappa(q) (book chapter "Theory", section "Kernel substitution").
"""

__version__ = "0.1.0"
