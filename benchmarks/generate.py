"""Generated procedures of any size, shaped like real ones, for the benchmarks."""

from __future__ import annotations


def generated_procedure(steps: int, deadlines_per_step: int = 1) -> str:
    """A procedure of `steps` steps: a chain with a decision every tenth step.

    Each step has an owner, a citation, `deadlines_per_step` deadlines counted
    from the step before (or from the opening event), an escalation and a `next`; decisions branch forward on a fact,
    so every step is reachable and every path ends in an outcome.
    """
    roles = max(3, steps // 50)
    lines = [
        'procedure "Generated procedure"',
        '  source "benchmarks/generate.py"',
        "  calendar england-and-wales",
        "end",
        "",
    ]
    lines += [f'role role_{i} "Role number {i}"' for i in range(roles)]
    lines += [
        'fact urgent "The case is urgent" is yes or no',
        'fact route "The route taken" is one of fast, slow, other',
        'event opened "The case is opened"',
        "start at step_0",
        "",
    ]
    for i in range(steps):
        anchor = "opened" if i == 0 else f"step_{i - 1}"
        following = f"step_{i + 1}" if i + 1 < steps else "finished"
        timing = [f"  within {5 + k} working days after {anchor}" for k in range(deadlines_per_step)]
        timing.append(f'  if late notify role_{(i + 1) % roles} "the reason for the delay"')
        if i % 10 == 9 and i + 2 < steps:
            lines += [
                f'decision step_{i} "Decision number {i}?"',
                f"  must be done by role_{i % roles}",
                *timing,
                f"  cites {1 + i // 100}.{i % 100}.1",
                f"  when urgent and route is fast -> step_{i + 2}",
                f"  when not urgent or route is slow -> {following}",
                f"  otherwise -> {following}",
                "end",
            ]
            continue
        lines += [
            f'step step_{i} "Step number {i}"',
            f"  must be done by role_{i % roles}",
            *timing,
            f"  cites {1 + i // 100}.{i % 100}.1",
            f'  produces "Document {i}"',
            f"  next {following}",
            "end",
        ]
    lines.append('outcome finished "Finished"')
    return "\n".join(lines) + "\n"
