"""The simulations' memory guard: a size whose arrays would not fit in memory is refused with a
one-line ParameterError naming K and the range of K that fits (README, "Command line"), instead of
a numpy MemoryError or "array is too big" deep inside the set-up."""

import os

from ..errors import ParameterError

GIB = 2**30


def available_memory():
    """Bytes of memory available to this process (Linux MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits(need, K, smallest, step, sizes, otherwise, available=None):
    """Raise ParameterError unless need(K) bytes fit in `available` (default: available_memory()).

    need(k): the bytes of arrays with k hidden units, increasing in k; K runs over smallest,
    smallest + step, ...; sizes: what K means here ("N = ..., p = ..."); otherwise: the culprit
    and its remedy when not even the smallest K fits ("y = 20 replicas", "lower y").
    """
    available = available_memory() if available is None else available
    if need(K) <= available:
        return
    room = f"more than the {available / GIB:.3g} GiB of memory available"
    if need(smallest) > available:
        culprit, remedy = otherwise
        raise ParameterError(f"{culprit} need about {need(smallest) / GIB:.3g} GiB of arrays even at "
                             f"K = {smallest}, {room}: {remedy}")
    low, high = 0, (K - smallest) // step  # indices of K: need fits at low, not at high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if need(smallest + mid * step) <= available else (low, mid)
    parity = {1: "", 2: "odd, " if smallest % 2 else "even, "}[step]
    raise ParameterError(f"K = {K} needs about {need(K) / GIB:.3g} GiB of arrays ({sizes}), {room}: K must be {parity}from {smallest} to "
                         f"{smallest + low * step} here")
