"""`jit`, the single numba decorator of the package (theory and simulation kernels alike).

`cache=True` stores the machine code on disk, and `error_model="numpy"` makes 1/0 give inf
instead of raising inside kernels (solvers check their inputs before calling them).  Numba does
not invalidate a cached caller when a helper in another file changes, so unless NUMBA_CACHE_DIR
is set the cache goes to a folder named by the package's source hash (as the result cache does):
any edit starts afresh.
"""

import os

from numba import config, njit

from .cache import cache_root, source_hash

if not os.environ.get("NUMBA_CACHE_DIR"):
    config.CACHE_DIR = str(cache_root() / "numba" / source_hash())

jit = njit(cache=True, error_model="numpy", fastmath=False)

#: the same, inlined into its callers by numba (for a kernel step called from the hot loop, whose
#: arguments, named tuples of arrays, would otherwise be passed flattened on every call)
inlined_jit = njit(cache=True, error_model="numpy", fastmath=False, inline="always")
