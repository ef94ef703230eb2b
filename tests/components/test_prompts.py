"""Prompts: every template version becomes one encrypted Bedrock prompt."""

from __future__ import annotations

from tests.components.conftest import REPO_ROOT, RunProgram, only

PROGRAM = f"""
from components.kms import StackKey
from components.prompts import Prompts, PromptsArgs
key = StackKey("key", settings)
Prompts("prompts", settings, PromptsArgs(root={str(REPO_ROOT / "prompts")!r}), key=key)
"""


def test_prompt_per_template_version(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    prompt = only(graph, "aws:bedrock/agentPrompt:AgentPrompt").inputs
    assert prompt["name"] == "agentic-platform-dev-answer-v1"
    assert prompt["customerEncryptionKeyArn"].startswith("arn:aws:kms:")
    (variant,) = prompt["variants"]
    assert variant["templateType"] == "CHAT"
    assert variant["modelId"] == "amazon.nova-micro-v1:0"  # the cheapest allowed tier
    chat = variant["templateConfiguration"]["chat"]
    assert sorted(v["name"] for v in chat["inputVariables"]) == ["language", "question"]
    assert "{{question}}" in chat["messages"][0]["content"]["text"]
