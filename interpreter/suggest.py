"""Suggestions for misspelt names, by edit distance (as Elm and rustc make them)."""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours costs one), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def nearest(name: str, candidates: Iterable[str], limit: int | None = None) -> list[str]:
    """The candidates closest to name, best first; none if nothing is close."""
    if limit is None:
        limit = max(1, len(name) // 3)
    lowered = name.lower()
    scored = []
    for candidate in set(candidates):
        distance = edit_distance(lowered, candidate.lower(), limit)
        if distance <= limit:
            scored.append((distance, candidate))
    scored.sort()
    return [candidate for _, candidate in scored[:3]]


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    found = nearest(name, candidates)
    if not found:
        return None
    if len(found) == 1:
        return f"did you mean `{found[0]}`?"
    return "did you mean " + ", ".join(f"`{c}`" for c in found[:-1]) + f" or `{found[-1]}`?"
