"""Timing helper shared by the benchmark scripts (run as `python benchmarks/<script>.py`)."""

import statistics
import time


def median_seconds(func, repeats):
    """(median wall time in seconds, result of the last call) over `repeats` calls of func()."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
