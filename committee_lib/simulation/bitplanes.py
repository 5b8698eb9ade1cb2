"""Bit-parallel integer counters over the training patterns.

Pattern mu lives in bit mu % 64 of word mu // 64, so a set of patterns is a row of uint64 words
and its size is a popcount.  A signed integer per pattern (a hidden field, an output margin,
shifted so that the sets the kernel needs sit at 0 and -1) is stored bit-sliced in two's
complement: plane b holds bit b of every pattern's value, and the B planes of one word are
contiguous (layout (..., words, B)).  Adding +1 to some of 64 values and -1 to others is one
pass over the planes with a pending word (`step_bit`, three word operations per plane): a value
stays pending while it carries (+1 past a 1 bit) or borrows (-1 past a 0 bit); the sets {v < 0} (the top plane), {v = 0} and
{v = -1} come from one pass too (`levels`).  So the annealing kernel updates and tests p
counters in a few dozen word operations instead of p scalar ones.  The plane loops live in the
kernel (annealing.flip), where numba inlines these one-plane steps.
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
    """Number of uint64 words holding p patterns; from 5 words up a multiple of 8, so that a row
    is whole 512-bit vectors and the kernel's loops over the words of a set vectorize with no
    scalar remainder (the dE loop of the paper's p = 410, 436: 7 words padded to 8, a third
    faster)."""
    n = (p + 63) // 64
    return n if n <= 4 else 8 * ((n + 7) // 8)


def pack(bits):
    """Boolean array (..., p) -> uint64 words (..., words(p)), pattern mu in bit mu % 64."""
    bits = np.asarray(bits, bool)
    p = bits.shape[-1]
    padded = np.zeros((*bits.shape[:-1], 64 * words(p)), bool)
    padded[..., :p] = bits
    return np.packbits(padded, axis=-1, bitorder="little").view("<u8").astype(np.uint64)


def signed_bits(low, high):
    """Planes B of the two's-complement counters that hold every integer in [low, high]."""
    return max(int(low).bit_length(), int(high).bit_length(), int(-low - 1).bit_length(), int(-high - 1).bit_length()) + 1


def to_planes(values, n_bits):
    """Integers (..., p) in [-2^(n_bits-1), 2^(n_bits-1)) -> two's-complement planes (..., words(p), n_bits)."""
    values = np.asarray(values, np.int64)
    if values.size and (values.min() < -(1 << (n_bits - 1)) or values.max() >= 1 << (n_bits - 1)):
        raise ValueError(f"values must lie in [-2^{n_bits - 1}, 2^{n_bits - 1})")
    return np.stack([pack((values >> b) & 1) for b in range(n_bits)], axis=-1)


def from_planes(planes, p):
    """Two's-complement planes (..., words, B) -> integers (..., p) (the inverse of to_planes)."""
    B = planes.shape[-1]
    by_plane = np.ascontiguousarray(np.moveaxis(planes, -1, -2), dtype="<u8")
    bits = np.unpackbits(by_plane.view(np.uint8), axis=-1, bitorder="little")[..., :p].astype(np.int64)
    return sum(bits[..., b, :] << b for b in range(B - 1)) - (bits[..., B - 1, :] << (B - 1))


@jit
def step_bit(x, pending, up):
    """One plane, from the bottom, of +1 on `up` and -1 elsewhere for the values in `pending`:
    (new plane word, values still pending).  A +1 carries past a 1 bit, a -1 borrows past a 0."""
    return x ^ pending, pending & ~(x ^ up)


@jit
def levels(planes, row, k):
    """Word k of {v < 0}, {v = 0}, {v = -1} of the counters planes[row, k, :] (one pass)."""
    any_one, all_ones = ZERO, ONES
    for b in range(planes.shape[2]):
        any_one |= planes[row, k, b]
        all_ones &= planes[row, k, b]
    return planes[row, k, planes.shape[2] - 1], ~any_one, all_ones
