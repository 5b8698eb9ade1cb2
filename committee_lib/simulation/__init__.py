"""The Monte Carlo engine: finite committee machines on a computer (book: Simulations, Algorithms).

The machine (``committee``) on bit planes (``bitplanes``) with its RNG (``xoshiro``); replicated
simulated annealing (``annealing``) and its cached batches of samples (``samples``); what is
measured on the solutions (``observables``, ``robustness``); the learners and their thresholds
(``gradient_descent``, ``learners``, ``thresholds``).  The simulation side reads the theory only
for the activation kernel (``theory.kernels``).
"""
