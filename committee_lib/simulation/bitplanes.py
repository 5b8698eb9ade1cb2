"""Bit-parallel integer counters over the training patterns.

Pattern mu lives in bit mu % 64 of word mu // 64, so a set of patterns is a row of uint64 words
and its size is a popcount.  A non-negative integer per pattern (a hidden field, an output
margin) is stored bit-sliced: plane b holds bit b of every pattern's value.  Adding +-1 to 64
values at once is a ripple-carry add run plane by plane on one word (`add_bit`, about five word
operations per plane), and a comparison with a constant is one pass over the planes from the
top (`compare_bit`), so the annealing kernel updates and tests p fields in a few dozen word
operations instead of p scalar ones.  The plane loops live in the kernel (annealing.flip), where
numba inlines these one-plane steps.
"""

import numpy as np
from numba import types
from numba.core.extending import intrinsic

from ..jit import jit

ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
ZERO = np.uint64(0)
ONE = np.uint64(1)


@intrinsic
def popcount(typingctx, word):
    """Number of set bits of a uint64 (LLVM ctpop: one popcnt instruction on x86-64)."""
    if word != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


def words(p):
    """Number of uint64 words holding p patterns."""
    return (p + 63) // 64


def pack(bits):
    """Boolean array (..., p) -> uint64 words (..., words(p)), pattern mu in bit mu % 64."""
    bits = np.asarray(bits, bool)
    p = bits.shape[-1]
    padded = np.zeros((*bits.shape[:-1], 64 * words(p)), bool)
    padded[..., :p] = bits
    return np.packbits(padded, axis=-1, bitorder="little").view("<u8").astype(np.uint64)


def to_planes(values, n_bits):
    """Non-negative integers (..., p) -> bit planes (..., n_bits, words(p))."""
    values = np.asarray(values, np.int64)
    if values.size and (values.min() < 0 or values.max() >= 1 << n_bits):
        raise ValueError(f"values must lie in [0, 2^{n_bits})")
    return np.stack([pack((values >> b) & 1) for b in range(n_bits)], axis=-2)


@jit
def add_bit(x, d, carry):
    """One plane of a ripple-carry add: (sum word, carry word) of plane word x, addend bit d."""
    return x ^ d ^ carry, (x & d) | (carry & (x ^ d))


@jit
def compare_bit(x, bit, below, equal):
    """One plane, from the top, of a comparison with a constant whose bit here is `bit`:
    updates (below, equal), the patterns already known smaller and those equal so far."""
    if bit:
        return below | (equal & ~x), equal & x
    return below, equal & ~x
