"""Random numbers inside the kernels: xoshiro256** with its state in a uint64[4] array.

The state travels with the kernel state, so a run is reproducible in any process or thread
(numba's own np.random state is per thread and hidden).  Seed it with four words drawn from
numpy.random.default_rng(seed); it must not be all zero.
"""

import numpy as np

from ..jit import jit


@jit
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@jit
def next_u64(s):
    """xoshiro256** (Blackman & Vigna): next 64 random bits; s is its uint64[4] state."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@jit
def uniform(s):
    """Uniform double in [0, 1) from the top 53 bits."""
    return (next_u64(s) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit
def below(s, bound):
    """Uniform integer in [0, bound), bound < 2^32, exact (Lemire's multiply-and-reject)."""
    r = np.uint64(bound)
    low32 = np.uint64(0xFFFFFFFF)
    m = (next_u64(s) >> np.uint64(32)) * r
    if (m & low32) < r:
        threshold = (np.uint64(1 << 32) - r) % r
        while (m & low32) < threshold:
            m = (next_u64(s) >> np.uint64(32)) * r
    return np.int64(m >> np.uint64(32))
