"""preflight.jsontext.dumps_indented writes exactly what `json.dumps(value, indent=2)` writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.cfn.convert import graph_to_cfn
from preflight.engine import synthesize
from preflight.jsontext import dumps_indented
from preflight.tfplan.convert import graph_to_tfplan

ROOT = Path(__file__).resolve().parents[2]

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # every code point: ensure_ascii escapes, surrogates, control characters
)
_KEYS = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple) | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_any_json_value_is_written_as_json_writes_it(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        [float("nan"), float("inf"), -float("inf"), 1e300, -0.0, 0.1],
        {float("nan"): 1, float("inf"): 2, 1.5: 3, True: 4, False: 5, None: 6, 7: 8, "é": "\u2028\x00"},
        {"a": [], "b": {}, "c": [[]], "d": ({},)},
        [True, 1, 2**70, "x"],
    ],
)
def test_the_cases_json_spells_its_own_way(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{"a": {1, 2}}, [object()], {("a", "b"): 1}, {"a": b"bytes"}])
def test_what_json_refuses_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value, indent=2)
    with pytest.raises(TypeError):
        dumps_indented(value)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_templates_exported_plan_and_template_are_the_same_text(stack: str) -> None:
    judged = synthesize(ROOT, stack).judged()
    plan, template = graph_to_tfplan(judged), graph_to_cfn(judged)
    assert plan.to_json() == json.dumps(plan.plan, indent=2)
    assert template.to_json() == json.dumps(template.template, indent=2) + "\n"
