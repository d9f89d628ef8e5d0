"""A guard made into a function of the facts (`truth_of`) answers as `evaluate` does, whatever the guard and the facts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter import model as m
from interpreter.conditions import evaluate, truth_of

_FACTS = ("p", "q", "kind", "age")


def _ref(name: str) -> m.Ref:
    return m.Ref(name)


_ATOMS = st.one_of(
    st.builds(m.FactHolds, st.sampled_from(_FACTS).map(_ref), st.booleans()),
    st.builds(m.FactIs, st.sampled_from(_FACTS).map(_ref), st.sampled_from(["a", "b", "c"]).map(_ref), st.booleans()),
    st.builds(
        m.FactIn,
        st.sampled_from(_FACTS).map(_ref),
        st.lists(st.sampled_from(["a", "b", "c"]).map(_ref), min_size=1, max_size=3).map(tuple),
        st.booleans(),
    ),
    st.builds(m.FactCompare, st.sampled_from(_FACTS).map(_ref), st.sampled_from(["<", "<=", ">", ">=", "="]), st.integers(-2, 20)),
)
_GUARDS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.builds(m.Not, inner),
        st.builds(m.All, st.lists(inner, min_size=1, max_size=4).map(tuple)),
        st.builds(m.AnyOf, st.lists(inner, min_size=1, max_size=4).map(tuple)),
    ),
    max_leaves=10,
)
# Unknown (missing, or None), yes/no, a choice, a number; and the odd value a fact of
# another type would hold, so that the two agree even where the types do not match.
_VALUES = st.one_of(st.none(), st.booleans(), st.sampled_from(["a", "b", "c", "d"]), st.integers(-3, 22))
_FACT_VALUES = st.dictionaries(st.sampled_from(_FACTS), _VALUES)


@settings(max_examples=2000, deadline=None)
@given(_GUARDS, _FACT_VALUES)
def test_a_guard_made_into_a_function_answers_as_evaluating_it_does(guard, facts):
    assert truth_of(guard)(facts) is evaluate(guard, facts)[0]


def test_an_unknown_fact_keeps_and_open_unless_another_operand_decides_it():
    unknown_and_false = m.All((m.FactHolds(_ref("p")), m.FactHolds(_ref("q"))))
    assert truth_of(unknown_and_false)({"q": False}) is False
    assert truth_of(unknown_and_false)({"q": True}) is None
    unknown_or_true = m.AnyOf((m.FactHolds(_ref("p")), m.FactHolds(_ref("q"))))
    assert truth_of(unknown_or_true)({"q": True}) is True
    assert truth_of(unknown_or_true)({"q": False}) is None
