"""The replica theory of large-K committee machines, tree and fully connected (book: the theory chapters).

Building blocks: the activation kernel (``kernels``), the architecture (``architecture``: the fully
connected machine's kernel), the weight prior (``priors``), Gaussian quadrature (``gaussian``), the
perceptron-form energetic terms (``energetic``) and the set-up that binds a kernel, a prior, a margin,
a quadrature order and an architecture (``model.Model``).  Calculations,
one module each: RS and the AT line (``rs``), 1RSB (``rsb``), k-step RSB (``krsb``), the Parisi
functional and full RSB (``parisi``, ``frsb``), all capacities of one set-up (``capacity``), the
Franz-Parisi potential (``franz_parisi``), the fully connected machine's checks (``fully_connected``), large deviations (``large_deviations``,
``local_entropy``) and stability distributions (``stabilities``).
"""
