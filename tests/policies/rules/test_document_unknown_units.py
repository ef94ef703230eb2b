"""iam-document-unknown and security-value-unknown called directly (bench/MUTATION.md run J): the table of judged
documents as `_must_be_known` builds it (at import, so only a direct call lets a mutant of it show), hidden
secrets, several unknown documents in one message, and both messages word for word."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import document_unknown as du
from policies.rules.devices import IOT_POLICY_INPUTS
from policies.rules.iam import MANAGED_POLICY_ARN_INPUTS
from policies.rules.resource_policies import POLICY_INPUTS, SHARE_KEYS
from tests.policies.rules.calls import run_resource

ROLE = "aws:iam/role:Role"
QUEUE = "aws:sqs/queue:Queue"
#: A security-value-unknown type and input (policies.security_values).
METHOD = "aws:apigateway/method:Method"


def test_the_table_names_each_judged_input_once_sorted() -> None:
    table = du._must_be_known()
    assert table == du.MUST_BE_KNOWN
    assert list(table) == sorted(table)
    # a document of policies.documents, its inline policies and its managed policies: one role entry
    assert table[ROLE] == ("assumeRolePolicy", "inlinePolicies", "managedPolicyArns")
    # in DOCUMENT_INPUTS and POLICY_INPUTS alike: merged, not replaced
    assert table[QUEUE] == ("policy",)
    assert table["aws:iam/rolePolicy:RolePolicy"] == ("policy",)
    assert table["aws:iot/policy:Policy"] == ("policy",)
    assert table["aws:lambda/layerVersionPermission:LayerVersionPermission"] == ("principal",)
    assert table["aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"] == ("managedPolicyArn",)
    assert table["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"] == ("policyArns",)
    for inputs in (POLICY_INPUTS, IOT_POLICY_INPUTS, SHARE_KEYS, MANAGED_POLICY_ARN_INPUTS):
        for type_, key in inputs.items():
            assert key.split(".")[0] in table[type_], (type_, key)  # a nested document is judged by its top input
    assert all(isinstance(keys, tuple) for keys in table.values())


def _document(names: str) -> str:
    return (
        f"r: policy document {names} is unknown, so no IAM rule judged it (offline: built from an output the engine "
        "does not fabricate)."
    )


def _hidden(names: str) -> str:
    return (
        f'r: policy document {names} is a secret the file shows as "[secret]", so no IAM rule judged it (judge the '
        "program itself, or a `pulumi stack export --show-secrets` file)."
    )


def test_unknown_documents_in_one_message_word_for_word() -> None:
    props = {
        "assumeRolePolicy": UNKNOWN_STRING_VALUE,
        "managedPolicyArns": ["arn:aws:iam::aws:policy/x", UNKNOWN_STRING_VALUE],
    }
    assert run_resource(du.DOCUMENT_UNKNOWN_POLICY, ROLE, props) == [
        (_document("assumeRolePolicy, managedPolicyArns"), None)
    ]


def test_hidden_documents_are_named_apart_from_unknown_ones() -> None:
    props = {"assumeRolePolicy": "[secret]", "inlinePolicies": [{"name": "p", "policy": "[secret]"}]}
    assert run_resource(du.DOCUMENT_UNKNOWN_POLICY, ROLE, props) == [
        (_hidden("assumeRolePolicy, inlinePolicies"), None)
    ]
    props["managedPolicyArns"] = [UNKNOWN_STRING_VALUE]
    assert run_resource(du.DOCUMENT_UNKNOWN_POLICY, ROLE, props) == [
        (_hidden("assumeRolePolicy, inlinePolicies"), None),
        (_document("managedPolicyArns"), None),
    ]


def test_a_hidden_secret_is_no_unknown_security_value() -> None:
    assert du.unknown_values(METHOD, {"authorization": "[secret]", "httpMethod": "GET"}) == {}
    assert du.unknown_values(METHOD, {"authorization": UNKNOWN_STRING_VALUE}) == {
        "authorization": (UNKNOWN_STRING_VALUE, ("authorization",))
    }


def test_an_unknown_security_value_word_for_word() -> None:
    props = {"authorization": UNKNOWN_STRING_VALUE, "httpMethod": "GET"}
    assert run_resource(du.VALUE_UNKNOWN_POLICY, METHOD, props) == [
        (
            "r: authorization is unknown, so no rule judged it (the rules judged the rest of the resource; offline: "
            "built from an output the engine does not fabricate, such as an unstated StackReference output).",
            None,
        )
    ]
