"""The soundness check: for every assignment of the facts the decisions test, does every case
finish properly?

After van der Aalst's soundness of workflow nets (what Woflan and PM4Py check), in the
language's own terms. For any facts a case could have:
- it finishes: it reaches an outcome, and not only branch ends (P215);
- it finishes once: no two branches reach different outcomes (P213), unless an
  outcome that `ends the whole case` settles it;
- every step can be reached by some case (P216): a step no facts lead to, although a
  path in the graph does, is a rule the procedure never applies.
(A decision with facts no branch takes is P204, from the decision analysis.)

It explores the states a case can be in, as the simulator moves it when every step
is done as soon as it can be: where its branches stand, which arrows have reached
each join, and which values of the facts are still possible. Facts are only split
where a decision tests them, and a state forgets the facts no decision ahead of it
tests, so paths that agree on what still matters merge: the work grows with the
shape of the procedure, not with the number of fact combinations. A bound on the
number of states says plainly when it was reached (P218).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator

import networkx as nx
from attrs import evolve, frozen

from interpreter import model as m
from interpreter.conditions import Assignment, FactSpace, Truth, described_assignment, example, truth_of, well_formed
from interpreter.diagnostics import Diagnostic, Label, error, note, warning
from interpreter.graph import reachable_avoiding, reachable_from
from interpreter.resolve import ResolvedProcedure
from interpreter.wording import described

# States explored, and combinations of facts tried at one decision, before the check stops and says so.
MOST_STATES = 100_000
MOST_COMBINATIONS = 20_000
# More branches standing at once than any procedure has parallel work: they are multiplying.
MOST_BRANCHES_AT_ONCE = 64


@frozen
class _State:
    tokens: tuple[str, ...]  # where the case's branches stand (sorted; a name may appear more than once)
    arrived: frozenset[tuple[str, str]]  # (join, the node its arrow came from) for joins not yet opened
    opened_any: frozenset[str]  # `waits for any` joins already opened: later arrivals are absorbed
    outcomes: tuple[str, ...]  # the outcomes reached so far
    possible: frozenset[Assignment]  # the values still possible of the facts that decisions ahead test


@frozen
class _Choice:
    """A decision taken on the way to a state: which branch, so that an example can be found."""

    decision: str
    target: str


class _Explorer:
    def __init__(self, resolved: ResolvedProcedure, graph: nx.DiGraph):
        self.procedure = resolved.procedure
        self.nodes = {n.name: n for n in resolved.procedure.nodes if resolved.names.get(n.name) is n and graph.has_node(n.name)}
        self.graph = graph
        self.space = FactSpace.of(resolved.procedure)
        facts = {f.name: f for f in resolved.procedure.facts if resolved.names.get(f.name) is f}
        self.tested = {
            name: frozenset(f for b in node.branches for f in m.facts_tested(b.guard))
            for name, node in self.nodes.items()
            if isinstance(node, m.Decision)
        }
        self.well_formed = all(
            well_formed(b.guard, facts) for node in self.nodes.values() if isinstance(node, m.Decision) for b in node.branches
        )
        # Each decision's branches in order, each guard made once into a function of the facts.
        self.routes: dict[str, tuple[tuple[tuple[Truth, str], ...], str | None]] = {
            name: (tuple((truth_of(b.guard), b.target.name) for b in node.branches), node.otherwise.name if node.otherwise else None)
            for name, node in self.nodes.items()
            if isinstance(node, m.Decision)
        }
        self.flow = {name: [t for t, data in graph.succ[name].items() if data["kind"] in ("next", "fork")] for name in self.nodes}
        self.onward = {
            name: [t for t, data in graph.succ[name].items() if data["kind"] in ("next", "fork", "branch", "otherwise")]
            for name in self.nodes
        }
        self.predecessors = {
            name: frozenset(s for s, data in graph.pred[name].items() if data["kind"] != "escalation")
            for name, node in self.nodes.items()
            if isinstance(node, m.Join)
        }
        self.facts_ahead = self._facts_ahead()
        self.visited: set[str] = set()
        self.parents: dict[_State, tuple[_State | None, _Choice | None]] = {}
        self.findings: dict[tuple[str, ...], Diagnostic] = {}
        self.bounded = False
        self.multiplying = False  # branches standing at once grew past MOST_BRANCHES_AT_ONCE
        # `this branch ends` where no parallel split leads (P211): finishing without an outcome is that mistake.
        self.ends_off_branches = False

    def _facts_ahead(self) -> dict[str, frozenset[str]]:
        """For each node, the facts tested by the decisions a case there could still reach (itself included).

        Worked out once over the strongly connected parts of the flow, latest first, so
        that it costs one pass over the graph rather than one walk from every node.
        """
        ahead: dict[str, frozenset[str]] = {}
        for part in _parts_latest_first(self.onward, self.nodes):
            found = set(itertools.chain.from_iterable(self.tested.get(name, ()) for name in part))
            for name in part:
                found.update(*(ahead[after] for after in self.onward[name] if after in ahead))
            # Nodes whose facts ahead are the same share one set: at 100,000 steps they are most of them.
            shared = frozenset(found)
            for name in part:
                ahead[name] = shared
        return ahead

    # -- exploring --

    def explore(self, start: str) -> None:
        first = self._settle(_State((start,), frozenset(), frozenset(), (), frozenset({()})), None, None)
        queue = deque(first)
        while queue:
            state = queue.popleft()
            if len(self.parents) > MOST_STATES:
                self.bounded = True
                return
            decision = next((t for t in state.tokens if isinstance(self.nodes.get(t), m.Decision)), None)
            if decision is None:
                continue
            for target, possible in self._branches(decision, state.possible):
                moved = list(state.tokens)
                moved.remove(decision)
                # A branch into a join arrives there, as any arrow does: it is not a branch standing at it.
                arrived, opened_any = set(state.arrived), set(state.opened_any)
                entered = self._enter(decision, target, arrived, opened_any)
                nxt = evolve(
                    state,
                    tokens=tuple(sorted([*moved, *entered])),
                    arrived=frozenset(arrived),
                    opened_any=frozenset(opened_any),
                    possible=possible,
                )
                for settled in self._settle(nxt, state, _Choice(decision, target)):
                    queue.append(settled)

    def _branches(self, name: str, possible: frozenset[Assignment]) -> Iterable[tuple[str, frozenset[Assignment]]]:
        """Each branch of a decision some of the possible facts take, with the facts that take it."""
        node = self.nodes[name]
        assert isinstance(node, m.Decision)
        new_facts = sorted(self.tested[name] - self._named(possible))
        if len(possible) * self.space.size(new_facts) > MOST_COMBINATIONS:
            self.bounded = True  # too many combinations to try here: say so rather than take minutes
            return []
        by_target: dict[str, set[Assignment]] = {}
        # Where the decision goes depends only on the facts it tests: many assignments share them.
        tested = sorted(self.tested[name])
        taken: dict[tuple, str | None] = {}
        for known in possible:
            for extra in self.space.assignments(new_facts):
                values = dict(known)
                values.update(extra)
                key = tuple(values.get(fact) for fact in tested)
                if key in taken:
                    target = taken[key]
                else:
                    target = taken[key] = self.where_to(name, values)
                if target is not None:
                    by_target.setdefault(target, set()).add(tuple(sorted(values.items())))
        return [(target, frozenset(found)) for target, found in by_target.items()]

    def where_to(self, decision: str, values: dict[str, m.Value]) -> str | None:
        """Where a decision sends a case with these facts: its first branch that holds, else `otherwise`."""
        branches, otherwise = self.routes[decision]
        return next((target for truth, target in branches if truth(values) is True), otherwise)

    @staticmethod
    def _named(possible: frozenset[Assignment]) -> set[str]:
        return {name for assignment in possible for name, _ in assignment}

    def _settle(self, state: _State, parent: _State | None, choice: _Choice | None) -> list[_State]:
        """Move every branch that can move without a decision; the states where only decisions are left."""
        tokens = list(state.tokens)
        arrived = set(state.arrived)
        opened_any = set(state.opened_any)
        outcomes = list(state.outcomes)
        ended = False
        # An outcome that ends the whole case is taken only once nothing else can move: the
        # other branches may get anywhere first, so what they reach is explored whatever the order.
        ending: list[str] = []
        moving = [t for t in tokens if not isinstance(self.nodes.get(t), m.Decision)]
        waiting = [t for t in tokens if isinstance(self.nodes.get(t), m.Decision)]
        stuck: list[str] = []  # at a dead end (P203 reports it): the branch stays there
        self.visited.update(waiting)
        passed: set[str] = set()  # nodes a branch has moved through in this settling
        while True:
            while moving and not ended:
                name = moving.pop()
                node = self.nodes.get(name)
                if node is None:
                    continue
                if name in passed and not isinstance(node, (m.Decision, m.Outcome)):
                    stuck.append(name)  # round a loop with no decision on it: it never ends (P203 says so)
                    continue
                passed.add(name)
                self.visited.add(name)
                match node:
                    case m.Decision():
                        waiting.append(name)
                    case m.Outcome():
                        if node.ends_case:
                            ending.append(name)
                            continue
                        others = [o for o in outcomes if o != name]
                        if others:
                            self._two_outcomes(state, parent, choice, others[0], name)
                        outcomes.append(name)
                    case m.Step() | m.Parallel():
                        if not self.flow[name] and not (isinstance(node, m.Step) and node.ends_branch):
                            stuck.append(name)
                        for target in self.flow[name]:
                            moving.extend(self._enter(name, target, arrived, opened_any))
                    case m.Join():
                        if not self.flow[name] and not node.ends_branch:
                            stuck.append(name)
                        for target in self.flow[name]:
                            moving.extend(self._enter(name, target, arrived, opened_any))
            released = self._release(waiting, arrived)
            if not released:
                if ending and not waiting:
                    outcomes.append(ending[0])
                    ended = True
                    waiting, stuck = [], []
                    arrived = set()
                break
            for join in released:
                arrived = {a for a in arrived if a[0] != join}
                moving.append(join)
        relevant = frozenset(itertools.chain.from_iterable(self.facts_ahead.get(t, ()) for t in [*waiting, *(j for j, _ in arrived)]))
        possible = frozenset(tuple((f, v) for f, v in assignment if f in relevant) for assignment in state.possible)
        # An ending outcome still waiting for a decision elsewhere stays a branch of the state.
        pending = ending if not ended else []
        settled = _State(
            tuple(sorted([*waiting, *stuck, *pending])), frozenset(arrived), frozenset(opened_any), tuple(sorted(set(outcomes))), possible
        )
        if settled in self.parents:
            if settled.tokens and self._is_ancestor(settled, parent):
                self._round_for_ever(settled, parent, choice)
            return []
        if len(settled.tokens) > MOST_BRANCHES_AT_ONCE:
            # A loop back into a parallel split starts its branches again while the
            # last ones still stand: no two states are alike, and the search would never end.
            self.bounded = self.multiplying = True
            return []
        self.parents[settled] = (parent, choice)
        if not settled.tokens and not settled.arrived and not settled.outcomes and not self.ends_off_branches:
            self._no_outcome(settled)
        return [settled] if settled.tokens else []

    def _enter(self, source: str, target: str, arrived: set[tuple[str, str]], opened_any: set[str]) -> list[str]:
        """A branch moving from source to target: into a join it arrives; anywhere else it stands there."""
        node = self.nodes.get(target)
        if not isinstance(node, m.Join):
            return [target]
        self.visited.add(target)
        if node.mode == m.JoinMode.ANY:
            if target in opened_any:
                return []
            opened_any.add(target)
            return [target]
        arrived.add((target, source))
        if self.predecessors[target] <= {s for j, s in arrived if j == target}:
            arrived.difference_update({a for a in arrived if a[0] == target})
            return [target]
        return []

    def _release(self, waiting: list[str], arrived: set[tuple[str, str]]) -> list[str]:
        """Joins whose missing arrows no branch still standing can bring (dead-path elimination)."""
        if waiting:
            return []  # a decision still to take may yet send an arrow
        joins = sorted({j for j, _ in arrived})
        released = []
        for join in joins:
            others = [j for j in joins if j != join]
            reachable = reachable_avoiding(self.onward, others, join)
            missing = self.predecessors[join] - {s for j, s in arrived if j == join}
            if not missing & reachable:
                released.append(join)
        return released

    # -- what it found --

    def _path(self, state: _State | None, last: _Choice | None = None) -> list[_Choice]:
        choices = [last] if last else []
        while state is not None:
            parent, choice = self.parents.get(state, (None, None))
            if choice is not None:
                choices.append(choice)
            state = parent
        return list(reversed(choices))

    def _is_ancestor(self, state: _State, start: _State | None) -> bool:
        steps = 0
        while start is not None and steps < 10_000:
            if start == state:
                return True
            start = self.parents.get(start, (None, None))[0]
            steps += 1
        return False

    def _round_for_ever(self, state: _State, parent: _State | None, choice: _Choice | None) -> None:
        key = ("P219", *state.tokens)
        if key in self.findings:
            return
        path = self._path(parent, None)
        where = self.nodes[choice.decision] if choice is not None else self.nodes[state.tokens[0]]
        self.findings[key] = error(
            "P219",
            "a case can go round in a loop for ever: the facts that send it back do not change",
            where.span,
            label="for these facts, this sends the case back to where it has already been",
            notes=self._words(path) + ((f"then `{choice.decision}` → `{choice.target}` again, for ever",) if choice else ()),
            help="a case's facts are fixed once known: give the loop a way out that does not depend on them, "
            "or count the rounds with another step",
        )

    def _example(self, path: list[_Choice]) -> dict[str, m.Value] | None:
        requirements: list[tuple[m.Guard, bool]] = []
        for choice in path:
            node = self.nodes[choice.decision]
            assert isinstance(node, m.Decision)
            for branch in node.branches:
                if branch.target.name == choice.target:
                    requirements.append((branch.guard, True))
                    break
                requirements.append((branch.guard, False))
        return example(self.space, requirements)

    def _words(self, path: list[_Choice]) -> tuple[str, ...]:
        found = self._example(path)
        notes = []
        if path:
            notes.append("the path: " + "; ".join(f"`{c.decision}` → `{c.target}`" for c in path))
        if found:
            notes.append(f"for example when {described_assignment(found)}")
        return tuple(notes)

    def _two_outcomes(self, state: _State, parent: _State | None, choice: _Choice | None, first: str, second: str) -> None:
        key = ("P213", *sorted((first, second)))
        if key in self.findings:
            return
        path = self._path(parent, choice)
        earlier, later = self.nodes[first], self.nodes[second]
        self.findings[key] = warning(
            "P213",
            f"a case can reach two outcomes, `{first}` and `{second}`, on parallel branches",
            earlier.span,
            label="reached on one branch ...",
            labels=(Label(later.span, "... while another branch goes on to this one"),),
            notes=self._words(path),
            help=f'if reaching `{first}` settles the case, mark it `outcome {first} "..." ends the whole case`; '
            "if its branch only runs alongside, end that branch with `this branch ends` instead",
        )

    def _no_outcome(self, state: _State) -> None:
        key = ("P215",)
        if key in self.findings:
            return
        path = self._path(state)
        start = self.procedure.start
        self.findings[key] = error(
            "P215",
            "a case can finish without reaching an outcome: every branch it is on ends",
            start.span if start else None,
            label="a case that starts here",
            notes=self._words(path),
            help="lead one branch of each parallel split to an outcome; `this branch ends` is for the branches that only run alongside",
        )

    def dead_steps(self, reachable: set[str], static_dead_targets: set[tuple[str, str]]) -> list[Diagnostic]:
        found = []
        for name, node in self.nodes.items():
            if name in self.visited or name not in reachable:
                continue
            sources = [s for s, data in self.graph.pred[name].items() if data["kind"] != "escalation" and s in self.visited]
            if not sources:
                continue  # downstream of another step reported here
            if all((s, name) in static_dead_targets for s in sources):
                continue  # the decision analysis already says that branch is never taken (P212)
            found.append(
                warning(
                    "P216",
                    f"no case reaches {described(node)}: on every path to it, the facts already decided rule it out",
                    node.span,
                    label="a path leads here, but no facts do",
                    labels=tuple(Label(self.nodes[s].span, "the branch from here is never taken") for s in sources if s in self.nodes),
                    help="look for a decision earlier on the path that tests the same fact the other way",
                )
            )
        return found


def _parts_latest_first(onward: dict[str, list[str]], nodes: dict[str, m.FlowNode]) -> Iterator[list[str]]:
    """The strongly connected parts of the flow, each after every part it leads to (Tarjan's order), without recursion.

    Made from the lists of where each node leads, rather than as a networkx graph of its
    own: at 100,000 steps that graph and its condensation were 200 MB for a moment.
    """
    index_of: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in nodes:
        if root in index_of:
            continue
        index_of[root] = lowest[root] = len(index_of)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter([t for t in onward[root] if t in nodes]))]
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index_of:
                    index_of[target] = lowest[target] = len(index_of)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter([t for t in onward[target] if t in nodes])))
                    break
                if target in on_stack:
                    lowest[node] = min(lowest[node], index_of[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowest[parent] = min(lowest[parent], lowest[node])
                if lowest[node] == index_of[node]:
                    part = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.append(member)
                        if member == node:
                            break
                    yield part


def check_soundness(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    start = graph.graph.get("start")
    if start is None:
        return []
    explorer = _Explorer(resolved, graph)
    if not explorer.well_formed:
        return []  # a condition the resolver rejected means nothing yet
    splits = [name for name, node in explorer.nodes.items() if isinstance(node, m.Parallel)]
    on_branches = set().union(*(reachable_from(graph, s, include_escalations=False) for s in splits))
    explorer.ends_off_branches = any(
        isinstance(node, (m.Step, m.Join)) and node.ends_branch and name not in on_branches for name, node in explorer.nodes.items()
    )
    explorer.explore(start)

    diagnostics = list(explorer.findings.values())
    if explorer.multiplying:
        diagnostics.append(
            note(
                "P218",
                f"the soundness check stopped early: more than {MOST_BRANCHES_AT_ONCE} branches can stand at once, "
                "so a loop must lead back into a parallel split while its branches still run; what it found so far is shown",
                resolved.procedure.start.span if resolved.procedure.start else None,
                help="join the parallel branches before the loop goes back, or end the loop at a decision outside the split",
            )
        )
    elif explorer.bounded:
        diagnostics.append(
            note(
                "P218",
                "the soundness check stopped early: the procedure has too many ways through it to try them all here; "
                "what it found so far is shown",
                resolved.procedure.start.span if resolved.procedure.start else None,
                help="the procedure has very many ways through it, or a decision tests very many facts; what lies beyond was not checked",
            )
        )
    else:
        diagnostics.extend(explorer.dead_steps(reachable_from(graph, start, include_escalations=False), _never_taken(explorer)))
    return diagnostics


def _never_taken(explorer: _Explorer) -> set[tuple[str, str]]:
    """(decision, target) for branches no facts lead down, whatever came before: the decision analysis reports those."""
    found = set()
    for name, node in explorer.nodes.items():
        if not isinstance(node, m.Decision):
            continue
        facts = sorted(explorer.tested[name])
        if explorer.space.size(facts) > MOST_COMBINATIONS:
            continue
        taken = {explorer.where_to(name, values) for values in explorer.space.assignments(facts)}
        # Only `when` branches: the decision analysis says when one is never taken; an
        # `otherwise` never taken leaves its step to P216.
        for target in [b.target.name for b in node.branches]:
            if target not in taken and target != (node.otherwise.name if node.otherwise else None):
                found.add((name, target))
    return found
