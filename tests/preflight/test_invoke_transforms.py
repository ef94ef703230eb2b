"""Stack invoke transforms (`pulumi.runtime.register_invoke_transform`) run offline as the engine runs them.

The engine runs every registered invoke transform, in registration order, on each invoke's token, args and
options before the provider sees them (pulumi/pulumi@1b5949891b3c pkg/resource/deploy/source_eval.go,
`resmon.Invoke`); the SDK's mock monitor only records them. A transform that widens a policy document must
reach the judged resource (review s10 finding 4).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.cli import main
from preflight.engine import synthesize
from preflight.errors import ProgramError
from tests.preflight.programs import write_program

ROLE = """
role = aws.iam.Role("r", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
"""

WIDEN = (
    """
import json
import pulumi
import pulumi_aws as aws


def widen(args):
    if args.token == "aws:iam/getPolicyDocument:getPolicyDocument":
        statements = [{**s, "actions": ["*"]} for s in args.args.get("statements", [])]
        return pulumi.InvokeTransformResult(args={**args.args, "statements": statements}, opts=args.opts)
    return pulumi.InvokeTransformResult(args=args.args, opts=args.opts)


pulumi.runtime.register_invoke_transform(widen)
"""
    + ROLE
    + """
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sqs:SendMessage"], resources=["arn:aws:sqs:us-east-1:123456789012:q"])])
aws.iam.RolePolicy("plain", role=role.id, policy=doc.json)
lazy = aws.iam.get_policy_document_output(statements=[{"actions": ["sqs:SendMessage"],
    "resources": ["arn:aws:sqs:us-east-1:123456789012:q"]}])
aws.iam.RolePolicy("output", role=role.id, policy=lazy.json)
"""
)


def _statements(program: Path, name: str, *, shortcuts: bool = True) -> list[dict[str, Any]]:
    node = next(n for n in synthesize(program, "dev", shortcuts=shortcuts) if n.name == name)
    return list(json.loads(node.inputs["policy"])["Statement"])


@pytest.mark.parametrize("shortcuts", [True, False])
@pytest.mark.parametrize("name", ["plain", "output"])
def test_a_widening_invoke_transform_reaches_the_judged_document(tmp_path: Path, name: str, shortcuts: bool) -> None:
    statements = _statements(write_program(tmp_path, WIDEN), name, shortcuts=shortcuts)
    assert [s["Action"] for s in statements] == ["*"]


def test_the_gate_judges_the_transformed_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--program", str(write_program(tmp_path, WIDEN)), "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    wildcard = {v["resource"] for v in data["violations"] if v["policy"] == "iam-no-wildcard-action"}
    assert code == 1 and wildcard == {"plain", "output"}


CHAIN = (
    """
import json
import pulumi
import pulumi_aws as aws


def replace(args):
    statements = [{**s, "actions": ["sqs:ReceiveMessage"]} for s in args.args["statements"]]
    return pulumi.InvokeTransformResult(args={**args.args, "statements": statements}, opts=args.opts)


def untouched(args):
    return None


async def later(args):
    statements = [{**s, "actions": [*s["actions"], "sqs:DeleteMessage"]} for s in args.args["statements"]]
    return pulumi.InvokeTransformResult(args={**args.args, "statements": statements}, opts=args.opts)


pulumi.runtime.register_invoke_transform(replace)
pulumi.runtime.register_invoke_transform(untouched)
pulumi.runtime.register_invoke_transform(later)
"""
    + ROLE
    + """
doc = aws.iam.get_policy_document(statements=[{"actions": ["sqs:SendMessage"],
    "resources": ["arn:aws:sqs:us-east-1:123456789012:q"]}])
aws.iam.RolePolicy("p", role=role.id, policy=doc.json)
"""
)


def test_several_transforms_run_in_order_each_on_the_previous_result(tmp_path: Path) -> None:
    """The first replaces the actions, the last (async: awaited, as the SDK's callback does) adds one, and one
    returning None between them leaves the args as they were; the other order would leave one action."""
    statements = _statements(write_program(tmp_path, CHAIN), "p")
    assert sorted(statements[0]["Action"]) == ["sqs:DeleteMessage", "sqs:ReceiveMessage"]


OPTIONS = (
    """
import json
import pulumi
import pulumi_aws as aws


def pin(args):
    return pulumi.InvokeTransformResult(args=args.args, opts=pulumi.InvokeOptions(version="6.0.0",
        provider=args.opts.provider))


def report(args):
    provider = "explicit" if args.opts.provider is not None else "none"
    sid = f"{provider}{args.opts.version}".replace(".", "")
    statements = [{**s, "sid": sid} for s in args.args["statements"]]
    return pulumi.InvokeTransformResult(args={**args.args, "statements": statements}, opts=args.opts)


pulumi.runtime.register_invoke_transform(pin)
pulumi.runtime.register_invoke_transform(report)
east = aws.Provider("east", region="us-east-1")
"""
    + ROLE
    + """
statements = [{"actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:us-east-1:123456789012:q"]}]
doc = aws.iam.get_policy_document(statements=statements, opts=pulumi.InvokeOptions(provider=east))
aws.iam.RolePolicy("explicit", role=role.id, policy=doc.json)
bare = aws.iam.get_policy_document(statements=statements)
aws.iam.RolePolicy("bare", role=role.id, policy=bare.json)
"""
)


def test_a_transform_sees_the_invokes_options_and_the_previous_transforms(tmp_path: Path) -> None:
    program = write_program(tmp_path, OPTIONS)
    assert _statements(program, "explicit")[0]["Sid"] == "explicit600"
    assert _statements(program, "bare")[0]["Sid"] == "none600"


def test_a_transform_that_raises_fails_the_program_at_its_line(tmp_path: Path) -> None:
    main_py = """
    import pulumi
    import pulumi_aws as aws


    def refuse(args):
        raise ValueError("no invokes here")


    pulumi.runtime.register_invoke_transform(refuse)
    aws.iam.get_policy_document(statements=[{"actions": ["sqs:SendMessage"], "resources": ["*"]}])
    """
    with pytest.raises(ProgramError, match=r"^__main__\.py:7: ValueError: no invokes here$"):
        synthesize(write_program(tmp_path, main_py), "dev")


@pytest.mark.parametrize("register", ["register_resource_transform", "register_stack_transform"])
def test_both_names_of_the_stack_resource_transform_are_applied(tmp_path: Path, register: str) -> None:
    """`register_stack_transform` is the SDK's deprecated alias of `register_resource_transform` (pulumi
    runtime/stack.py); both reach the monitor's RegisterStackTransform."""
    main_py = f"""
    import pulumi
    import pulumi_aws as aws


    def stamp(args):
        return pulumi.ResourceTransformResult({{**args.props, "tags": {{"stamped": "yes"}}}}, args.opts)


    pulumi.runtime.{register}(stamp)
    aws.sqs.Queue("q")
    """
    queue = next(n for n in synthesize(write_program(tmp_path, main_py), "dev") if n.name == "q")
    assert queue.inputs["tags"] == {"stamped": "yes"}
