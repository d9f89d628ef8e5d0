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


def structured_procedure(steps: int = 1_000, decisions: int = 50, parallels: int = 20) -> str:
    """A procedure of about `steps` steps along one spine, with `decisions` decisions (each on a
    fact of its own, its two branches meeting again) and `parallels` parallel blocks (two
    branches and a join), spread evenly: the shape the soundness check's benchmark asks for."""
    blocks = decisions + parallels
    # The two kinds spread evenly along the spine: a parallel block after every few decisions.
    order = [("parallel" if (i * parallels) % blocks < parallels else "decision") for i in range(blocks)]
    spine = max(1, (steps - 4 * blocks) // (blocks + 1))
    lines = ['procedure "Structured procedure"', "  calendar england-and-wales", "end", 'role team "Team"', 'event opened "Opened"']
    lines += [f'fact fact_{i} "Fact {i}" is yes or no' for i in range(decisions)]
    body: list[str] = []

    def step(name: str, following: str, anchor: str | None = None) -> None:
        body.append(f'step {name} "{name}"\n  must be done by team')
        if anchor:
            body.append(f'  within 10 working days after {anchor}\n  if late notify team "late"')
        body.append(f"  next {following}\nend")

    names = [f"b{i}" for i in range(blocks + 1)]
    lines.append(f"start at {names[0]}_0")
    facts_used = 0
    for index in range(blocks + 1):
        prefix = names[index]
        after = f"{names[index + 1]}_0" if index < blocks else "finished"
        into = f"{prefix}_block" if index < blocks else after
        for k in range(spine):
            following = f"{prefix}_{k + 1}" if k + 1 < spine else into
            step(f"{prefix}_{k}", following, "opened" if index == 0 and k == 0 else f"{prefix}_{k - 1}" if k else None)
        if index == blocks:
            break
        if order[index] == "decision":
            fact = f"fact_{facts_used}"
            facts_used += 1
            body.append(
                f'decision {prefix}_block "Decision {index}?"\n  by team\n  when {fact} -> {prefix}_yes\n  otherwise -> {prefix}_no\nend'
            )
            step(f"{prefix}_yes", f"{prefix}_yes_2")
            step(f"{prefix}_yes_2", after)
            step(f"{prefix}_no", after)
        else:
            body.append(f'parallel {prefix}_block "Parallel {index}"\n  -> {prefix}_left\n  -> {prefix}_right\nend')
            step(f"{prefix}_left", f"{prefix}_join")
            step(f"{prefix}_right", f"{prefix}_right_2")
            step(f"{prefix}_right_2", f"{prefix}_join")
            body.append(f'join {prefix}_join "Join {index}"\n  waits for all\n  next {after}\nend')
    return "\n".join(lines + body) + '\noutcome finished "Finished"\n'
