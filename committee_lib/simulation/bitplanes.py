"""Bit-parallel integer counters over the training patterns.

Pattern mu lives in bit mu % 64 of word mu // 64, so a set of patterns is a row of uint64 words
and its size is a popcount.  The words come in blocks of lanes.WIDTH = 8 (512 bits, one vector
register of the kernel, lanes.py): a set is an array (..., blocks, 8), p patterns filling
blocks(p) of them, the bits past p invalid.  A signed integer per pattern (a hidden field, an
output margin, shifted so that the sets the kernel needs sit at 0 and -1) is stored bit-sliced in
two's complement: plane b of a block holds bit b of its 512 patterns' values, and the B planes of
one block are contiguous (layout (..., blocks, B, 8)).  Adding +1 to some values and -1 to others
is one pass over the planes with a pending block (`step_bit`, three vector operations per plane): a
value stays pending while it carries (+1 past a 1 bit) or borrows (-1 past a 0 bit); the sets
{v < 0} (the top plane), {v = 0} and {v = -1} are read off the same pass (`step`).  So the
annealing kernel updates and tests 512 counters in a few dozen vector operations instead of 512
scalar ones.
"""

import numpy as np

from ..jit import jit
from .lanes import WIDTH, load, splat, store

ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
ZERO = np.uint64(0)


def blocks(p):
    """Number of blocks of WIDTH uint64 words holding p patterns (the paper's p = 410, 436: one)."""
    return max(1, -(-p // (64 * WIDTH)))


def pack(bits):
    """Boolean array (..., p) -> uint64 blocks (..., blocks(p), WIDTH), pattern mu in bit mu % 64 of word mu // 64."""
    bits = np.asarray(bits, bool)
    p = bits.shape[-1]
    padded = np.zeros((*bits.shape[:-1], 64 * WIDTH * blocks(p)), bool)
    padded[..., :p] = bits
    words = np.packbits(padded, axis=-1, bitorder="little").view("<u8").astype(np.uint64)
    return words.reshape(*bits.shape[:-1], blocks(p), WIDTH)


def signed_bits(low, high):
    """Planes B of the two's-complement counters that hold every integer in [low, high]."""
    return max(int(low).bit_length(), int(high).bit_length(), int(-low - 1).bit_length(), int(-high - 1).bit_length()) + 1


def to_planes(values, n_bits):
    """Integers (..., p) in [-2^(n_bits-1), 2^(n_bits-1)) -> two's-complement planes (..., blocks(p), n_bits, WIDTH)."""
    values = np.asarray(values, np.int64)
    if values.size and (values.min() < -(1 << (n_bits - 1)) or values.max() >= 1 << (n_bits - 1)):
        raise ValueError(f"values must lie in [-2^{n_bits - 1}, 2^{n_bits - 1})")
    return np.stack([pack((values >> b) & 1) for b in range(n_bits)], axis=-2)


def from_planes(planes, p):
    """Two's-complement planes (..., blocks, B, WIDTH) -> integers (..., p) (the inverse of to_planes)."""
    *lead, n_blocks, B, width = planes.shape
    by_plane = np.ascontiguousarray(np.moveaxis(planes, -2, -3), dtype="<u8").reshape(*lead, B, n_blocks * width)
    bits = np.unpackbits(by_plane.view(np.uint8), axis=-1, bitorder="little")[..., :p].astype(np.int64)
    return sum(bits[..., b, :] << b for b in range(B - 1)) - (bits[..., B - 1, :] << (B - 1))


@jit
def step_bit(x, pending, up):
    """One plane, from the bottom, of +1 on `up` and -1 elsewhere for the values in `pending`:
    (new plane, values still pending).  A +1 carries past a 1 bit, a -1 borrows past a 0."""
    return x ^ pending, pending & ~(x ^ up)


@jit
def step(planes, row, c, pending, up):
    """planes[row, c] += 1 on `up` and -= 1 elsewhere, for the values in `pending`, in one pass
    from the bottom plane; returns block c of {v < 0} (the top plane), {v = 0} and {v = -1} of
    the new values, read off the planes as they are written."""
    x, any_one, all_ones = splat(ZERO), splat(ZERO), splat(ONES)
    for b in range(planes.shape[2]):
        x, pending = step_bit(load(planes, (row, c, b)), pending, up)
        store(planes, (row, c, b), x)
        any_one |= x
        all_ones &= x
    return x, ~any_one, all_ones
