"""Agent: guardrail, alias, encryption, scoped role, model from allowed tiers, action groups."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from components.agent import agent_tier
from components.settings import ModelTier
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.guardrail import Guardrail
from components.knowledge_base import KnowledgeBase
from components.function import Function, FunctionArgs
from components.agent import Agent, AgentArgs, ActionGroup, ActionFunction
key = StackKey("key", settings)
guardrail = Guardrail("guardrail", settings, key=key)
kb = KnowledgeBase("knowledge", settings, key=key)
tool_args = FunctionArgs(handler="functions.actions.handler.lambda_handler", code_root={str(REPO_ROOT)!r})
tool = Function("tool", settings, tool_args, key=key)
submit = ActionFunction("submit", "Submit", {{"prompt": ("string", True)}})
group = ActionGroup("requests", "Submit a request", tool, (submit,))
Agent("assistant", settings, AgentArgs(action_groups=(group,)), key=key, guardrail=guardrail, knowledge_base=kb)
"""


def test_agent_defaults(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    agent = only(graph, "aws:bedrock/agentAgent:AgentAgent").inputs
    assert agent["foundationModel"] == "amazon.nova-lite-v1:0"  # dev allows micro+lite
    assert agent["customerEncryptionKeyArn"].startswith("arn:aws:kms:")
    (guard,) = agent["guardrailConfigurations"]
    assert guard["guardrailIdentifier"] and guard["guardrailVersion"] == "1"
    assert only(graph, "aws:bedrock/agentAgentAlias:AgentAgentAlias").inputs["agentAliasName"] == "live"
    assert only(graph, "aws:bedrock/agentAgentKnowledgeBaseAssociation:AgentAgentKnowledgeBaseAssociation")
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.name == "assistant-role")
    condition = policy_of(role, "assumeRolePolicy")["Statement"][0]["Condition"]
    assert condition["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert condition["ArnLike"]["aws:SourceArn"] == "arn:aws:bedrock:us-east-1:123456789012:agent/*"
    policies = {n.name: policy_of(n)["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")}
    (invoke,) = policies["assistant-invoke-model"]
    assert invoke["Resource"] == ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"]
    (retrieve,) = policies["assistant-retrieve"]
    assert retrieve["Action"] == ["bedrock:Retrieve"]


def test_action_group_function_invocable_only_by_the_agent(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    group = only(graph, "aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup").inputs
    assert group["actionGroupExecutor"]["lambda"].endswith(":function:agentic-platform-dev-tool")
    permission = only(graph, "aws:lambda/permission:Permission").inputs
    assert permission["principal"] == "bedrock.amazonaws.com"
    assert ":agent/" in permission["sourceArn"]


def test_premier_uses_the_inference_profile(run_program: RunProgram) -> None:
    graph = run_program(
        PROGRAM.replace("AgentArgs(action_groups=(group,))", "AgentArgs(tier=ModelTier.PREMIER)").replace(
            "from components.agent import", "from components.settings import ModelTier\nfrom components.agent import"
        ),
        stack="prod",
    )
    agent = only(graph, "aws:bedrock/agentAgent:AgentAgent").inputs
    assert agent["foundationModel"].endswith(":inference-profile/us.amazon.nova-2-lite-v1:0")


def test_tier_outside_allowed_is_rejected() -> None:
    settings = SimpleNamespace(allowed_model_tiers=[ModelTier.MICRO])
    assert agent_tier(settings, None) == ModelTier.MICRO  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allowedModelTiers"):
        agent_tier(settings, ModelTier.PRO)  # type: ignore[arg-type]


def test_action_group_takes_a_function_schema_or_an_openapi_schema_never_both() -> None:
    from components.agent import ActionFunction, ActionGroup  # noqa: PLC0415

    submit = ActionFunction("submit", "Submit")
    assert ActionGroup("g", "d", object(), api_schema='{"openapi": "3.0.3"}').functions == ()
    with pytest.raises(ValueError, match="either functions or api_schema"):
        ActionGroup("g", "d", object())
    with pytest.raises(ValueError, match="either functions or api_schema"):
        ActionGroup("g", "d", object(), (submit,), api_schema="{}")


def test_openapi_action_group_sends_the_payload(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM.replace("tool, (submit,))", 'tool, api_schema=\'{"openapi": "3.0.3"}\')'))
    group = only(graph, "aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup").inputs
    assert group["apiSchema"] == {"payload": '{"openapi": "3.0.3"}'}
    assert "functionSchema" not in group
