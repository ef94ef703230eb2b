"""aws-native resources are judged as their pulumi-aws views (policies/native.py) or reported (F2 of the s2 review).

cdk-nag style: each numbered Noncompliance case (`badN_*`) is an aws-native resource the F2 repro showed
passing; each must now be flagged by the policy named, and each Compliance case (`ok_*`) not. Names are
checked against the installed SDKs: every input a view reads is an input of the aws-native class, and every
input a view writes is an input of its pulumi-aws twin.
"""

from __future__ import annotations

import importlib
import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import native
from policies.profile import level_for
from policies.registry import all_policies, by_name
from policies.rules import s3
from policies.rules.coverage import not_judged
from policies.sdk import output_names
from preflight.findings import Level
from preflight.gate import run_gate
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.conftest import custom_node, flagged, synth

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NATIVE_PROVIDER = "urn:pulumi:dev::p::pulumi:providers:aws-native::default"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document as aws-native takes it: an object, not JSON text."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


_SFN = json.dumps(
    {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True}},
    }
)
_SFN_SAFE = json.dumps(
    {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "${Fn}",
                "End": True,
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
            },
            "B": {"Type": "Fail"},
        },
    }
)
_LOGS = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/vendedlogs/states/flow"
ADMIN = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
PUBLIC_TRUST = _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
LAMBDA_TRUST = _doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
READ_TABLE = _doc(
    {
        "Effect": "Allow",
        "Action": "dynamodb:GetItem",
        "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/sessions",
    }
)


def _node(name: str, type_: str, inputs: dict[str, Any], provider: str = NATIVE_PROVIDER) -> ResourceNode:
    return custom_node(type_, name, inputs, stack="dev", provider=provider)


def _flagged(policy: str, nodes: list[ResourceNode]) -> set[str]:
    run = run_policies(
        ResourceGraph("p", "dev", nodes), policies=[by_name()[policy]], config={policy: PolicySetting(Level.MANDATORY)}
    )
    assert not run.undetermined, run.undetermined
    return {f.resource for f in run.findings}


# ------------------------------------------------------------------ the cases, policy by policy

CASES: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {
    "iam-trust-not-public": {
        "bad1_role_trusts_everyone": ("aws-native:iam:Role", {"assumeRolePolicyDocument": PUBLIC_TRUST}),
        "ok_role_trusts_lambda": ("aws-native:iam:Role", {"assumeRolePolicyDocument": LAMBDA_TRUST}),
    },
    "iam-no-wildcard-action": {
        "bad2_role_inline_admin": (
            "aws-native:iam:Role",
            {"assumeRolePolicyDocument": LAMBDA_TRUST, "policies": [{"policyName": "all", "policyDocument": ADMIN}]},
        ),
        "bad3_managed_policy_admin": ("aws-native:iam:ManagedPolicy", {"policyDocument": ADMIN}),
        "bad29_permission_set_inline_admin": ("aws-native:sso:PermissionSet", {"name": "ops", "inlinePolicy": ADMIN}),
        "bad4_user_inline_admin": (
            "aws-native:iam:User",
            {"userName": "u", "policies": [{"policyName": "all", "policyDocument": ADMIN}]},
        ),
        "bad5_role_policy_admin": (
            "aws-native:iam:RolePolicy",
            {"policyName": "p", "roleName": "r", "policyDocument": json.dumps(ADMIN)},
        ),
        "bad6_group_policy_admin": (
            "aws-native:iam:GroupPolicy",
            {"policyName": "p", "groupName": "g", "policyDocument": ADMIN},
        ),
        "ok_role_inline_scoped": (
            "aws-native:iam:Role",
            {
                "assumeRolePolicyDocument": LAMBDA_TRUST,
                "policies": [{"policyName": "read", "policyDocument": READ_TABLE}],
            },
        ),
        "ok_managed_policy_scoped": ("aws-native:iam:ManagedPolicy", {"policyDocument": READ_TABLE}),
    },
    "iam-no-admin-managed-policies": {
        "bad7_role_administrator_access": (
            "aws-native:iam:Role",
            {
                "assumeRolePolicyDocument": LAMBDA_TRUST,
                "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
        ),
        "bad8_group_s3_full_access": (
            "aws-native:iam:Group",
            {"groupName": "g", "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]},
        ),
        # review2 s10 #7: an SSO permission set's ManagedPolicies, as the ssoadmin exclusive attachment
        "bad28_permission_set_administrator_access": (
            "aws-native:sso:PermissionSet",
            {
                "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                "name": "ops",
                "managedPolicies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            },
        ),
        "ok_permission_set_read_only": (
            "aws-native:sso:PermissionSet",
            {"name": "ro", "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        ),
        "ok_role_read_only": (
            "aws-native:iam:Role",
            {
                "assumeRolePolicyDocument": LAMBDA_TRUST,
                "managedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            },
        ),
    },
    "iam-action-exists": {
        "bad9_managed_policy_unknown_action": (
            "aws-native:iam:ManagedPolicy",
            {"policyDocument": _doc({"Effect": "Allow", "Action": "dynamodb:GetItems", "Resource": "*"})},
        ),
        "ok_managed_policy_real_action": ("aws-native:iam:ManagedPolicy", {"policyDocument": READ_TABLE}),
    },
    "iam-federated-trust-conditioned": {
        "bad10_role_any_github_repository": (
            "aws-native:iam:Role",
            {
                "assumeRolePolicyDocument": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
                        },
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
                    }
                )
            },
        ),
        "ok_role_trusts_lambda_federated": ("aws-native:iam:Role", {"assumeRolePolicyDocument": LAMBDA_TRUST}),
    },
    "s3-no-public-policy": {
        "bad11_bucket_policy_public": (
            "aws-native:s3:BucketPolicy",
            {
                "bucket": "b",
                "policyDocument": _doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
            },
        ),
        "ok_bucket_policy_account": (
            "aws-native:s3:BucketPolicy",
            {
                "bucket": "b",
                "policyDocument": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::b/*",
                    }
                ),
            },
        ),
    },
    "resource-policy-not-public": {
        "bad12_queue_policy_public_send": (
            "aws-native:sqs:QueueInlinePolicy",
            {
                "queue": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "policyDocument": _doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage"}),
            },
        ),
        "bad13_topic_policy_public_publish": (
            "aws-native:sns:TopicPolicy",
            {
                "topics": [f"arn:aws:sns:us-east-1:{ACCOUNT}:t"],
                "policyDocument": _doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish"}),
            },
        ),
        "bad14_secret_policy_public_read": (
            "aws-native:secretsmanager:ResourcePolicy",
            {
                "secretId": "s",
                "resourcePolicy": _doc(
                    {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
                ),
            },
        ),
        "bad15_log_group_policy_public_write": (
            "aws-native:logs:LogGroup",
            {
                "retentionInDays": 30,
                "kmsKeyId": KEY_ARN,
                "resourcePolicyDocument": json.dumps(
                    _doc({"Effect": "Allow", "Principal": "*", "Action": "logs:PutLogEvents", "Resource": "*"})
                ),
            },
        ),
        "ok_queue_policy_from_topic": (
            "aws-native:sqs:QueueInlinePolicy",
            {
                "queue": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                "policyDocument": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}},
                    }
                ),
            },
        ),
    },
    "kms-key-rotation": {
        "bad16_key_without_rotation": ("aws-native:kms:Key", {"description": "k"}),
        "ok_key_rotates": ("aws-native:kms:Key", {"enableKeyRotation": True}),
        "ok_asymmetric_key": ("aws-native:kms:Key", {"keySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}),
    },
    "kms-key-no-wildcard-principal": {
        "bad17_key_policy_everyone": (
            "aws-native:kms:Key",
            {
                "enableKeyRotation": True,
                "keyPolicy": _doc({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
            },
        ),
        "ok_key_policy_account": (
            "aws-native:kms:Key",
            {
                "enableKeyRotation": True,
                "keyPolicy": _doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ),
            },
        ),
    },
    "lambda-no-public-access": {
        "bad18_permission_for_everyone": (
            "aws-native:lambda:Permission",
            {"action": "lambda:InvokeFunction", "functionName": "f", "principal": "*"},
        ),
        "bad19_url_without_auth": ("aws-native:lambda:Url", {"authType": "NONE", "targetFunctionArn": "f"}),
        "ok_permission_for_api_gateway": (
            "aws-native:lambda:Permission",
            {
                "action": "lambda:InvokeFunction",
                "functionName": "f",
                "principal": "apigateway.amazonaws.com",
                "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/*",
            },
        ),
        "ok_url_with_iam_auth": ("aws-native:lambda:Url", {"authType": "AWS_IAM", "targetFunctionArn": "f"}),
    },
    "dynamodb-table-kms-encryption": {
        "bad20_table_aws_owned_key": ("aws-native:dynamodb:Table", {"tableName": "t"}),
        "bad21_table_aws_managed_key": ("aws-native:dynamodb:Table", {"sseSpecification": {"sseEnabled": True}}),
        "ok_table_customer_key": (
            "aws-native:dynamodb:Table",
            {"sseSpecification": {"sseEnabled": True, "sseType": "KMS", "kmsMasterKeyId": KEY_ARN}},
        ),
    },
    "log-group-retention": {
        "bad22_log_group_kept_forever": ("aws-native:logs:LogGroup", {"kmsKeyId": KEY_ARN}),
        "ok_log_group_30_days": ("aws-native:logs:LogGroup", {"kmsKeyId": KEY_ARN, "retentionInDays": 30}),
    },
    "log-group-kms-encryption": {
        "bad23_log_group_unencrypted": ("aws-native:logs:LogGroup", {"retentionInDays": 30}),
        "ok_log_group_customer_key": ("aws-native:logs:LogGroup", {"kmsKeyId": KEY_ARN, "retentionInDays": 30}),
    },
    "sqs-queue-kms-encryption": {
        "bad24_queue_unencrypted": ("aws-native:sqs:Queue", {}),
        "bad25_queue_sqs_managed_sse": ("aws-native:sqs:Queue", {"sqsManagedSseEnabled": True}),
        "ok_queue_customer_key": ("aws-native:sqs:Queue", {"kmsMasterKeyId": KEY_ARN}),
    },
    "sns-topic-kms-encryption": {
        "bad26_topic_unencrypted": ("aws-native:sns:Topic", {"topicName": "t"}),
        "ok_topic_customer_key": ("aws-native:sns:Topic", {"kmsMasterKeyId": KEY_ARN}),
    },
    "lambda-environment-kms-encryption": {
        "bad27_function_environment_without_key": (
            "aws-native:lambda:Function",
            {"environment": {"variables": {"TABLE": "t"}}, "role": "r"},
        ),
        "ok_function_environment_customer_key": (
            "aws-native:lambda:Function",
            {"environment": {"variables": {"TABLE": "t"}}, "kmsKeyArn": KEY_ARN, "role": "r"},
        ),
    },
    # AWS::StepFunctions::StateMachine (pulumi/docs@5cdf476 aws-lambda-stepfunctions-jsonhelper-python: an EXPRESS
    # machine with no logging was `resource-not-judged`, its function a false lambda-failure-destination)
    "state-machine-logging": {
        "bad30_state_machine_logging_off": ("aws-native:stepfunctions:StateMachine", {"definitionString": _SFN}),
        "ok_state_machine_logs_errors": (
            "aws-native:stepfunctions:StateMachine",
            {
                "definitionString": _SFN,
                "loggingConfiguration": {
                    "level": "ERROR",
                    "includeExecutionData": True,
                    "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{_LOGS}:*"}}],
                },
            },
        ),
    },
    "state-machine-task-retry-catch": {
        "bad31_state_machine_definition_in_s3": (
            "aws-native:stepfunctions:StateMachine",
            {"definitionS3Location": {"bucket": "b", "key": "flow.json"}},
        ),
        "bad32_state_machine_task_without_retry": (
            "aws-native:stepfunctions:StateMachine",
            {"definition": json.loads(_SFN)},
        ),
        "ok_state_machine_substituted_definition": (
            "aws-native:stepfunctions:StateMachine",
            {"definitionString": _SFN_SAFE, "definitionSubstitutions": {"Fn": "arn:aws:lambda:us-east-1:1:function:f"}},
        ),
    },
}


@pytest.mark.parametrize("policy", sorted(CASES))
def test_aws_native_resources_are_judged_as_their_pulumi_aws_twin(policy: str) -> None:
    cases = CASES[policy]
    nodes = [_node(name, type_, inputs) for name, (type_, inputs) in cases.items()]
    bad = {name for name in cases if name.startswith("bad")}
    assert _flagged(policy, nodes) == bad


def test_case_numbers_are_unique_and_consecutive() -> None:
    numbers = sorted(int(n.split("_", 1)[0][3:]) for c in CASES.values() for n in c if n.startswith("bad"))
    assert numbers == list(range(1, len(numbers) + 1))


# ------------------------------------------------------------------------ not judged: reported

COVERAGE_CASES: dict[str, ResourceNode] = {
    "bad1_native_instance": _node("bad1_native_instance", "aws-native:ec2:Instance", {}),
    "bad2_other_cloud": _node(
        "bad2_other_cloud",
        "gcp:storage/bucket:Bucket",
        {"location": "EU"},
        provider="urn:pulumi:dev::p::pulumi:providers:gcp::default",
    ),
    "ok_native_bucket_twin": _node("ok_native_bucket_twin", "aws-native:s3:Bucket", {}),
    "ok_native_key_twin": _node("ok_native_key_twin", "aws-native:kms:Key", {"enableKeyRotation": True}),
    "ok_native_function_twin": _node("ok_native_function_twin", "aws-native:lambda:Function", {}),
    "ok_greengrass_own_rules": _node("ok_greengrass_own_rules", "aws-native:greengrassv2:Deployment", {}),
    "ok_classic": _node("ok_classic", "aws:sqs/queue:Queue", {}, provider="urn:pulumi:dev::p::pulumi:providers:aws::d"),
    "ok_random": _node(
        "ok_random",
        "random:index/randomId:RandomId",
        {"byteLength": 4},
        provider="urn:pulumi:dev::p::pulumi:providers:random::default",
    ),
    "ok_component": _node("ok_component", "acme:storage:Bucket", {}, provider=""),
}


def test_resources_no_rule_judges_are_reported() -> None:
    assert _flagged("resource-not-judged", list(COVERAGE_CASES.values())) == {
        name for name in COVERAGE_CASES if name.startswith("bad")
    }


def test_a_twin_is_judged_by_resource_and_stack_rules_alike() -> None:
    assert not_judged("aws-native:lambda:Function", all_policies()) is False  # stack rules see its views too
    assert not_judged("aws-native:s3:Bucket", all_policies()) is False  # the S3 stack rules see its views
    assert not_judged("aws-native:ec2:Instance", all_policies()) is True
    assert not_judged("aws-native:kms:Key", all_policies()) is False


def test_not_judged_is_mandatory_in_production_and_advisory_elsewhere() -> None:
    policy = by_name()["resource-not-judged"]
    assert level_for(policy, "prod") == "mandatory"
    assert level_for(policy, "dev") == "advisory"


# ----------------------------------------------------------------------- unknown values and views


def test_an_unknown_input_is_cannot_tell_and_the_known_views_are_still_judged() -> None:
    user = _node(
        "user",
        "aws-native:iam:User",
        {
            "userName": "u",
            "policies": [
                {"policyName": "later", "policyDocument": UNKNOWN},
                {"policyName": "all", "policyDocument": ADMIN},
            ],
        },
    )
    policy = "iam-no-wildcard-action"
    run = run_policies(
        ResourceGraph("p", "dev", [user]), policies=[by_name()[policy]], config={policy: PolicySetting(Level.MANDATORY)}
    )
    assert {f.resource for f in run.findings} == {"user"}
    assert len(run.undetermined) == 1


@pytest.mark.parametrize("type_", ["aws-native:iam:Role", "aws-native:iam:User"])
def test_unknown_inline_policies_are_cannot_tell_not_none(type_: str) -> None:
    role = _node("principal", type_, {"assumeRolePolicyDocument": LAMBDA_TRUST, "policies": UNKNOWN})
    policy = "iam-no-wildcard-action"
    run = run_policies(
        ResourceGraph("p", "dev", [role]), policies=[by_name()[policy]], config={policy: PolicySetting(Level.MANDATORY)}
    )
    assert run.findings == []
    assert len(run.undetermined) == 1


def test_a_view_keeps_the_unknown_marker_for_the_rule_to_meet() -> None:
    args = ResourceValidationArgs(
        "aws-native:sqs:Queue", unknown_checking_proxy({"kmsMasterKeyId": UNKNOWN}), "urn", "q", None, None, {}
    )  # type: ignore[arg-type]
    (view,) = native.native_args(args, {"aws:sqs/queue:Queue"})
    with pytest.raises(UnknownValueError):
        _ = view.props["kmsMasterKeyId"]


# ------------------------------------------------------------------------- names against the SDKs


def _native_module(type_token: str) -> ModuleType:
    _, service, _ = type_token.split(":")
    package = f"{service}_" if keyword.iskeyword(service) else service  # `lambda` is `pulumi_aws_native.lambda_`
    return importlib.import_module(f"pulumi_aws_native.{package}")


#: A nested input type in a getter's annotation: `ForwardRef('TableSseSpecificationArgs')`, or one of the
#: package root's (`ForwardRef('_root_inputs.TagArgs')`).
_ARGS_REF = re.compile(r"ForwardRef\('(?:(_root_inputs)\.)?(\w+Args)'\)")


@dataclass(frozen=True)
class InputType:
    """One `pulumi.input_type` class of pulumi-aws-native, by camelCase input name: a nested InputType (and
    whether the input is a list of them), or None for a value (string, number, bool, JSON, map)."""

    fields: Mapping[str, tuple[InputType | None, bool]]


def _input_type(cls: type, module: ModuleType, depth: int = 0) -> InputType:
    """The input names of an Args class, read from its getters' `_pulumi_name`, nested types walked too."""
    fields: dict[str, tuple[InputType | None, bool]] = {}
    for member in vars(cls).values():
        getter = getattr(member, "fget", None)
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        annotation = repr(getattr(getter, "__annotations__", {}).get("return"))
        ref = _ARGS_REF.search(annotation)
        nested = None
        if ref is not None and depth < 6:  # deep enough for every path native.py reads; stops recursive types
            home = importlib.import_module("pulumi_aws_native._inputs") if ref.group(1) else module
            nested = _input_type(getattr(home, ref.group(2)), module, depth + 1)
        fields[name] = (nested, ref is not None and annotation.startswith("typing.Union[typing.Sequence["))
    return InputType(fields)


def _native_inputs(type_token: str) -> InputType:
    """The inputs of an aws-native resource: its `<Type>Args` class, nested input types included.

    The Args class is taken from the resource's own module: where an input type has the same name
    (`pulumi_aws_native.iam.UserPolicyArgs` is the `Policies` item of AWS::IAM::User), the SDK names the
    resource's arguments `<Type>InitArgs` (pulumi_aws_native/iam/user_policy.py)."""
    module = _native_module(type_token)
    name = type_token.rsplit(":", 1)[1]
    own = importlib.import_module(getattr(module, name).__module__)
    args = getattr(own, f"{name}InitArgs", None) or getattr(own, f"{name}Args")
    return _input_type(args, module)


class _Recording(dict[str, Any]):
    """Inputs shaped as the SDK's input types (nested objects, lists of them), remembering every dotted path a
    view read, present or not (a misspelt nested name is read and found missing)."""

    def __init__(self, shape: InputType, read: set[str], prefix: str = "") -> None:
        super().__init__({name: self._value(name, shape.fields[name], read, prefix) for name in shape.fields})
        self.read = read
        self.prefix = prefix

    @staticmethod
    def _value(name: str, field: tuple[InputType | None, bool], read: set[str], prefix: str) -> Any:
        nested, is_list = field
        if nested is None:
            return f"<{prefix}{name}>"
        value = _Recording(nested, read, f"{prefix}{name}.")
        return [value] if is_list else value

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(self.prefix + key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(self.prefix + key)
        return super().__getitem__(key)


def _paths(shape: InputType, prefix: str = "") -> set[str]:
    found = set()
    for name, (nested, _) in shape.fields.items():
        found.add(prefix + name)
        if nested is not None:
            found |= _paths(nested, f"{prefix}{name}.")
    return found


@pytest.mark.parametrize("type_token", sorted(native.TWINS))
def test_views_read_real_aws_native_inputs_and_write_real_pulumi_aws_inputs(type_token: str) -> None:
    shape = _native_inputs(type_token)
    read: set[str] = set()
    views = native.views(type_token, _Recording(shape, read))
    assert read, type_token
    names = _paths(shape)
    assert read <= names, f"{type_token}: not inputs of pulumi-aws-native 1.84.0: {sorted(read - names)}"
    assert views, type_token
    for twin, props in views:
        assert twin in native.twin_types(type_token), f"{type_token}: undeclared twin {twin}"
        classic = set(output_names(twin))
        assert classic, f"{twin}: not a pulumi-aws type"
        assert set(props) <= classic, f"{twin}: not inputs of pulumi-aws: {sorted(set(props) - classic)}"


def test_nested_input_names_are_walked() -> None:
    """The walk reaches nested input types, so a nested name such as sseSpecification.sseEnabled is checked."""
    read: set[str] = set()
    native.views("aws-native:dynamodb:Table", _Recording(_native_inputs("aws-native:dynamodb:Table"), read))
    assert {"sseSpecification.sseEnabled", "sseSpecification.kmsMasterKeyId"} <= read
    read.clear()
    native.views("aws-native:s3:Bucket", _Recording(_native_inputs("aws-native:s3:Bucket"), read))
    assert {
        "publicAccessBlockConfiguration.restrictPublicBuckets",
        "versioningConfiguration.status",
        "bucketEncryption.serverSideEncryptionConfiguration.serverSideEncryptionByDefault.kmsMasterKeyId",
        "loggingConfiguration.destinationBucketName",
        "lifecycleConfiguration.rules.expirationInDays",
        "lifecycleConfiguration.rules.transitions.transitionInDays",
        "lifecycleConfiguration.rules.noncurrentVersionTransitions.transitionInDays",
    } <= read
    role = _paths(_native_inputs("aws-native:iam:Role"))
    assert {"policies.policyName", "policies.policyDocument"} <= role


def test_every_declared_twin_is_a_pulumi_aws_type_some_rule_judges() -> None:
    named = {t for p in all_policies() for t in p.resource_types} | set(s3.COMPANIONS)  # joined to buckets
    for type_token, twin in native.TWINS.items():
        assert twin.types, type_token
        for classic in twin.types:
            assert output_names(classic), classic
            assert classic in named, f"{type_token}: no rule judges its twin {classic}"


def test_plain_takes_every_proxy_off() -> None:
    wrapped = unknown_checking_proxy({"a": [{"b": UNKNOWN}], "c": {"d": 1}})
    unwrapped: Mapping[str, Any] = native.plain(wrapped)
    assert unwrapped == {"a": [{"b": UNKNOWN}], "c": {"d": 1}}
    assert type(unwrapped["a"]) is list
    assert type(unwrapped["c"]) is dict


# ------------------------------------------------------------ stack rules see the views, synthesised

STACK_PROGRAM = """
import pulumi_aws_native as native
ROLE = "arn:aws:iam::123456789012:role/fn"
CODE = {"zip_file": "def handler(event, context):\\n    return None\\n"}
def fn(name, **kw):
    return native.lambda_.Function(name, role=ROLE, code=CODE, runtime="python3.12", handler="index.handler",
                                   function_name=name, **kw)
dlq = native.sqs.Queue("dlq")
traced = {"mode": "Active"}
custom = native.logs.LogGroup("custom", log_group_name="/custom/ok", retention_in_days=30)
aws.cloudwatch.LogGroup("classic", name="/aws/lambda/ok_classic_log_group", retention_in_days=30)
fn("bad1_untraced", logging_config={"log_group": custom.log_group_name}, dead_letter_config={"target_arn": dlq.arn})
fn("bad2_no_log_group", tracing_config=traced, dead_letter_config={"target_arn": dlq.arn})
fn("bad3_no_failure_destination", tracing_config=traced, logging_config={"log_group": custom.log_group_name})
fn("ok_native_log_group_and_dlq", tracing_config=traced, logging_config={"log_group": custom.log_group_name},
   dead_letter_config={"target_arn": dlq.arn})
fn("ok_classic_log_group", tracing_config=traced, dead_letter_config={"target_arn": dlq.arn})
target = fn("ok_on_failure_destination", tracing_config=traced, logging_config={"log_group": custom.log_group_name})
native.lambda_.EventInvokeConfig("invoke", function_name=target.function_name, qualifier="$LATEST",
                                 destination_config={"on_failure": {"destination": dlq.arn}})
step = fn("ok_only_a_native_state_machine_invokes_it", tracing_config=traced,
          logging_config={"log_group": custom.log_group_name})
native.stepfunctions.StateMachine("flow", role_arn=ROLE, state_machine_type="EXPRESS",
    definition_string='{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": true}}}',
    definition_substitutions={"Fn": step.arn})
"""

STACK_CASES = {
    "lambda-active-tracing": {"bad1_untraced"},
    "lambda-log-group": {"bad2_no_log_group"},
    "lambda-failure-destination": {"bad3_no_failure_destination"},
}


@pytest.fixture(scope="module")
def stack_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("native-stack"), STACK_PROGRAM)


@pytest.mark.parametrize("policy", sorted(STACK_CASES))
def test_stack_rules_judge_aws_native_functions_through_their_views(stack_graph: ResourceGraph, policy: str) -> None:
    assert flagged(stack_graph, policy) == STACK_CASES[policy]


def test_stack_views_keep_the_native_resource_and_its_arn() -> None:
    resource = PolicyResource(
        "aws-native:lambda:Function",
        unknown_checking_proxy({"functionName": "f", "arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}),
        "urn:pulumi:dev::p::aws-native:lambda:Function::f",
        "f",
        None,  # type: ignore[arg-type]
        None,
        None,
        [],
        {},
    )
    (view,) = native.stack_views(resource, {"aws:lambda/function:Function"})
    assert (view.resource_type, view.urn, view.name) == ("aws:lambda/function:Function", resource.urn, "f")
    assert dict(view.props) == {"name": "f", "arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    assert list(native.stack_views(resource, {"aws:sqs/queue:Queue"})) == []


# ---------------------------------------------------------------- the F2 repro, synthesised


F2_REPRO = """
import pulumi_aws_native as native
admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
native.iam.Role("nrole", assume_role_policy_document={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]},
    policies=[native.iam.RolePolicyArgs(policy_name="all", policy_document=admin)],
    managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
nb = native.s3.Bucket("nbucket")
native.s3.BucketPolicy("nbpol", bucket=nb.id, policy_document={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
native.sqs.Queue("nqueue")
"""

COMPLIANT = """
import pulumi_aws_native as native
key = native.kms.Key("key", enable_key_rotation=True, key_policy={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]})
native.sqs.Queue("queue", kms_master_key_id=key.arn)
native.logs.LogGroup("logs", retention_in_days=30, kms_key_id=key.arn)
native.iam.Role("role", assume_role_policy_document={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    policies=[native.iam.RolePolicyArgs(policy_name="read", policy_document={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:GetItem",
         "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"}]})])
"""

#: Policies about the account or stack as a whole, not about the program's own resources.
_STACK_WIDE = {"cost-budget-present", "cloudtrail-enabled", "config-recorder-enabled"}


def _own_findings(graph: ResourceGraph, stack: str) -> set[tuple[str, str, str]]:
    run = run_policies(graph, program_dir=Path("/nonexistent"), production=stack == "prod")
    return {(f.resource, f.policy, f.level.value) for f in run.findings if f.policy not in _STACK_WIDE}


def test_the_f2_repro_fails_in_dev_and_prod(tmp_path: Path) -> None:
    graph = synth(tmp_path, F2_REPRO)
    dev = _own_findings(graph, "dev")
    assert {
        ("nrole", "iam-trust-not-public", "mandatory"),
        ("nrole", "iam-no-wildcard-action", "mandatory"),
        ("nrole", "iam-no-admin-managed-policies", "mandatory"),
        ("nbpol", "s3-no-public-policy", "mandatory"),
        ("nqueue", "sqs-queue-kms-encryption", "mandatory"),
        ("nbucket", "s3-public-access-blocked", "mandatory"),  # judged through its views, no longer "not judged"
        ("nbucket", "s3-bucket-kms-encryption", "mandatory"),
    } <= dev
    assert not {f for f in dev if f[1] == "resource-not-judged"}
    assert ("nbucket", "s3-data-bucket-versioning", "mandatory") in _own_findings(graph, "prod")


def test_a_compliant_aws_native_program_passes(tmp_path: Path) -> None:
    """Everything the rules judge passes, the queue's and the log group's keys included: the engine fabricates
    the ARN of the program's own aws-native key (preflight.fabricate.native_outputs, issue 11), so the key is
    judged offline as at `pulumi up`, where that ARN is known."""
    graph = synth(tmp_path, COMPLIANT)
    assert _own_findings(graph, "prod") == set()


# ------------------------------------------- issue 11: whose key ARN the gate can see, and what it says otherwise

_ROTATING = "enable_key_rotation=True"
#: Numbered cases: the program, and the `security-value-unknown` findings (resource names) expected in prod.
KEY_SOURCES: dict[str, tuple[str, set[str]]] = {
    # 1. The program's own aws-native key: its ARN is fabricated offline, the rules judge it, and it passes.
    "case1_own_aws_native_key": (
        f"import pulumi_aws_native as native\nkey = native.kms.Key('key', {_ROTATING})\n"
        "native.sqs.Queue('queue', kms_master_key_id=key.arn)\n",
        set(),
    ),
    # 2. A key from another stack, not stated offline: no rule judged it, so it is a finding, as at `up`.
    "case2_stack_reference_key": (
        "import pulumi_aws_native as native\nref = pulumi.StackReference('acme/keys/prod')\n"
        "native.sqs.Queue('queue', kms_master_key_id=ref.get_output('key_arn'))\n",
        {"queue"},
    ),
    # 3. A pulumi-aws key (fabricated all along): judged, passes.
    "case3_pulumi_aws_key": (
        "import pulumi_aws_native as native\nkey = aws.kms.Key('key', enable_key_rotation=True)\n"
        "native.sqs.Queue('queue', kms_master_key_id=key.arn)\n",
        set(),
    ),
}


@pytest.mark.parametrize("case", sorted(KEY_SOURCES))
def test_a_queue_keys_source_decides_whether_it_is_judged_offline(tmp_path: Path, case: str) -> None:
    program, expected = KEY_SOURCES[case]
    findings = _own_findings(synth(tmp_path, program), "prod")
    assert {f[0] for f in findings if f[1] == "security-value-unknown"} == expected, findings
    assert not {f for f in findings if f[1] != "security-value-unknown"}, findings


_REPLICA = (
    "import pulumi_aws_native as native\n"
    "replica = native.kms.ReplicaKey('replica', key_policy={'Version': '2012-10-17', 'Statement': [{'Effect': "
    "'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:root'}, 'Action': 'kms:*', 'Resource': '*'}]}, "
    "primary_key_arn='arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab')\n"
)
_FROM_SNS = (
    "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'sns.amazonaws.com'}, "
    "'Action': 'sqs:SendMessage', 'Resource': '*', 'Condition': {'ArnEquals': {'aws:SourceArn': %s}}}]}"
)
#: Numbered cases through the gate: the program, and the resources whose unknown-input finding stays a violation
#: (the others are notes naming the resource they are built from).
GATE_CASES: dict[str, tuple[str, set[tuple[str, str]]]] = {
    # 4. A key the engine does not fabricate (aws-native:kms:ReplicaKey's arn), the program's own: a note.
    "case4_own_unfabricated_key": (_REPLICA + "native.sqs.Queue('queue', kms_master_key_id=replica.arn)\n", set()),
    # 5. The same for a policy document built from that output: iam-document-unknown had the same gap.
    "case5_own_unfabricated_document": (
        _REPLICA + "q = native.sqs.Queue('queue', kms_master_key_id='arn:aws:kms:us-east-1:123456789012:key/k')\n"
        f"native.sqs.QueueInlinePolicy('qpol', queue=q.queue_url, policy_document={_FROM_SNS % 'replica.arn'})\n",
        set(),
    ),
    # 6. Case 2 through the gate: a StackReference's output is no gap of the engine, it stays a finding.
    "case6_stack_reference_key": (KEY_SOURCES["case2_stack_reference_key"][0], {("queue", "security-value-unknown")}),
    # 7. Own and foreign together: one input from a StackReference keeps the resource's findings.
    "case7_own_and_stack_reference": (
        _REPLICA + "ref = pulumi.StackReference('acme/keys/prod')\n"
        "native.sqs.QueueInlinePolicy('qpol', queue=ref.get_output('queue_url'), "
        f"policy_document={_FROM_SNS % 'replica.arn'})\n",
        {("qpol", "iam-document-unknown")},
    ),
}


@pytest.mark.parametrize("case", sorted(GATE_CASES))
def test_the_gate_notes_what_only_its_own_gaps_left_unknown(tmp_path: Path, case: str) -> None:
    program, expected = GATE_CASES[case]
    synth(tmp_path, program, stack="prod")
    report = run_gate(tmp_path, "prod", checkov=False)
    unknown = {"security-value-unknown", "iam-document-unknown"}
    assert {(f.resource, f.policy) for f in report.violations if f.policy in unknown} == expected
    noted = [n for n in report.notes if "not judged offline" in n]
    if expected:
        assert not noted, noted
    else:
        replica = "urn:pulumi:prod::policytest::aws-native:kms:ReplicaKey::replica"
        assert noted and all(f"built from {replica}'s output" in n for n in noted), noted
