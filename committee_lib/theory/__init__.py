"""The replica theory of large-K tree committee machines (book: the theory chapters).

Building blocks: the activation kernel (``kernels``), the weight prior (``priors``), Gaussian
quadrature (``gaussian``), the perceptron-form energetic terms (``energetic``) and the set-up that
binds a kernel, a prior, a margin and a quadrature order (``model.Model``).  Calculations,
one module each: RS and the AT line (``rs``), 1RSB (``rsb``), k-step RSB (``krsb``), the Parisi
functional and full RSB (``parisi``, ``frsb``), all capacities of one set-up (``capacity``), the
Franz-Parisi potential (``franz_parisi``), large deviations (``large_deviations``,
``local_entropy``) and stability distributions (``stabilities``).
"""
