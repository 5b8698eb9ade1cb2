"""The 512-bit block type of the annealing kernel (simulation/lanes.py) against numpy on random words."""

import numpy as np
from numba import njit

from committee_lib.simulation.lanes import WIDTH, load, popcount, splat, store


@njit
def lanewise(a, b, out, word):
    x, y = load(a, (1, 2)), load(b, 0)
    store(out, (0,), x & y)
    store(out, (1,), x | y)
    store(out, (2,), x ^ y)
    store(out, (3,), ~x)
    z = x
    z &= y
    z |= splat(word)
    z ^= x
    store(out, (4,), z)
    return popcount(x), popcount(splat(word))


def test_lanes_match_numpy_words():
    rng = np.random.default_rng(5)
    a = rng.integers(0, 2**64, size=(3, 4, WIDTH), dtype=np.uint64)
    b = rng.integers(0, 2**64, size=(2, WIDTH), dtype=np.uint64)
    word = np.uint64(0xF0F0_0000_0000_0011)
    out = np.zeros((5, WIDTH), np.uint64)
    ones_x, ones_word = lanewise(a, b, out, word)
    x, y = a[1, 2], b[0]
    np.testing.assert_array_equal(out, [x & y, x | y, x ^ y, ~x, ((x & y) | word) ^ x])
    assert ones_x == sum(bin(int(v)).count("1") for v in x)
    assert ones_word == WIDTH * 10
    np.testing.assert_array_equal(a[1, 2], x)  # loads leave the array as it was
