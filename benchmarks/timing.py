"""Timing for the benchmarks: the best of several runs, since this machine is small and shared."""

from __future__ import annotations

import time


def best_of(runs: int, action) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best
