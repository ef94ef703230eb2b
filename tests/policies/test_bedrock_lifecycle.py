"""Models as they are today: end-of-life models fail the stack, legacy ones are flagged, on any program."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

from datetime import date

import pytest

from policies import model_lifecycle
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

PROGRAM = """
def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
role = aws.iam.Role("base_role", assume_role_policy=trust)
agent_role = "arn:aws:iam::123456789012:role/agent"

# ---- compliance
aws.iam.RolePolicy("good_invoke_active", role=role.id, policy=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel",
    "Resource": ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
                 "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0",
                 "arn:aws:bedrock:*::foundation-model/amazon.nova-2-lite-v1:0"]}))
aws.iam.RolePolicy("good_unknown_model", role=role.id, policy=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel",
    "Resource": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"}))
aws.iam.RolePolicy("good_deny_premier", role=role.id, policy=doc({"Effect": "Deny", "Action": "bedrock:InvokeModel",
    "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-premier-v1:0"}))
aws.bedrock.AgentAgent("good_agent", agent_name="a", agent_resource_role_arn=agent_role, foundation_model="amazon.nova-pro-v1:0",
    instruction="You answer questions about the platform and nothing else, politely.")

# ---- bedrock-model-not-end-of-life, noncompliance 1..4
aws.iam.RolePolicy("bad_eol_1_invoke_profile", role=role.id, policy=doc({"Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
    "Resource": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-premier-v1:0"}))
aws.iam.Role("bad_eol_2_inline_grant", assume_role_policy=trust, inline_policies=[{"name": "models", "policy": doc({"Effect": "Allow",
    "Action": "bedrock:InvokeModel", "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-premier-v1:0"})}])
aws.bedrock.AgentAgent("bad_eol_3_agent", agent_name="b", agent_resource_role_arn=agent_role, foundation_model="us.amazon.nova-premier-v1:0",
    instruction="You answer questions about the platform and nothing else, politely.")
aws.bedrock.AgentPrompt("bad_eol_4_prompt", name="p", default_variant="v", variants=[{"name": "v", "model_id": "amazon.nova-premier-v1:0",
    "template_type": "TEXT", "template_configuration": {"text": {"text": "Answer: {{q}}"}}}])

# ---- bedrock-model-not-legacy, noncompliance 1..2 (legacy on the test date, not yet end of life)
aws.iam.RolePolicy("bad_legacy_1_invoke", role=role.id, policy=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel",
    "Resource": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0"}))
aws.bedrock.AgentAgent("bad_legacy_2_agent", agent_name="c", agent_resource_role_arn=agent_role, foundation_model="amazon.nova-reel-v1:1",
    instruction="You answer questions about the platform and nothing else, politely.")
"""

#: Between the Legacy dates and the end of Canvas and Reel, after Nova Premier's end of life.
AS_OF = {"asOf": "2026-09-20"}

CASES = [
    (
        "bedrock-model-not-end-of-life",
        {"bad_eol_1_invoke_profile", "bad_eol_2_inline_grant", "bad_eol_3_agent", "bad_eol_4_prompt"},
    ),
    ("bedrock-model-not-legacy", {"bad_legacy_1_invoke", "bad_legacy_2_agent"}),
]
GOOD = {"good_invoke_active", "good_unknown_model", "good_deny_premier", "good_agent", "base_role"}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("lifecycle"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad"), CASES, ids=[c[0] for c in CASES])
def test_flags_exactly_the_noncompliant_resources(graph: ResourceGraph, policy: str, bad: set[str]) -> None:
    found = flagged(graph, policy, AS_OF)
    assert found == bad
    assert not found & GOOD


def test_the_date_decides(graph: ResourceGraph) -> None:
    before_premier_eol = {"asOf": "2026-09-13"}
    assert flagged(graph, "bedrock-model-not-end-of-life", before_premier_eol) == set()
    assert "bad_eol_3_agent" in flagged(graph, "bedrock-model-not-legacy", before_premier_eol)
    after_all = {"asOf": "2026-10-01"}
    assert flagged(graph, "bedrock-model-not-legacy", after_all) == set()
    assert {"bad_legacy_1_invoke", "bad_legacy_2_agent"} <= flagged(graph, "bedrock-model-not-end-of-life", after_all)


def test_message_names_model_and_date(graph: ResourceGraph) -> None:
    messages = [
        f.message for f in run_one(graph, "bedrock-model-not-end-of-life", AS_OF) if f.resource == "bad_eol_3_agent"
    ]
    assert messages == [
        "Nova Premier (amazon.nova-premier-v1:0, via us.amazon.nova-premier-v1:0) reached end of life on 2026-09-14; "
        "every request to it fails."
    ]


def test_today_is_the_default_date() -> None:
    row = model_lifecycle.lifecycle("us.amazon.nova-premier-v1:0")
    assert row is not None
    assert row.status(date.today()) is model_lifecycle.Lifecycle.END_OF_LIFE
    assert model_lifecycle.lifecycle("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0") is not None
    assert model_lifecycle.lifecycle("anthropic.claude-v2") is None
