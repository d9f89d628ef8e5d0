"""Generate N .case files for the README's example procedure (sin_example.proc), for the peer comparison.

Usage: python3 gen_sin_cases.py N OUTDIR [SEED]
Each case: the one fact (abuse_or_neglect, yes with probability 0.6), `on DATE aware` on a random
date in 2024-2025, and, when abuse or neglect is suspected, `on DATE submit_sin done` 0-9 calendar
days later and `on DATE rapid_review_report done` 0-30 days after that (so some are late and fire
their escalations). `as of 2026-06-30`: every case has ended. Plain one-item-a-line shape, the
shape safeproc's batch reader takes quickly. Run with any Python 3.
"""

import random
import sys
from datetime import date, timedelta
from pathlib import Path

n, out = int(sys.argv[1]), Path(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261203)
out.mkdir(parents=True, exist_ok=True)
yes = 0
for i in range(n):
    abuse = rng.random() < 0.6
    yes += abuse
    aware = date(2024, 1, 1) + timedelta(days=rng.randint(0, 730))
    lines = [
        f'case "Generated SIN case {i}"',
        "  as of 2026-06-30",
        "end",
        "facts",
        f"  abuse_or_neglect is {'yes' if abuse else 'no'}",
        "end",
        f"on {aware.isoformat()} aware",
    ]
    if abuse:
        sin = aware + timedelta(days=rng.randint(0, 9))
        report = sin + timedelta(days=rng.randint(0, 30))
        lines += [f"on {sin.isoformat()} submit_sin done", f"on {report.isoformat()} rapid_review_report done"]
    (out / f"sin-{i:06d}.case").write_text("\n".join(lines) + "\n")
print(f"{n} cases in {out}: {yes} with abuse or neglect suspected, {n - yes} without")
