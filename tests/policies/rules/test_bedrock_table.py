"""Bedrock rules called directly (cdk-nag style: `ok` is a Compliance case, numbered cases Noncompliance),
asserting the exact message, so each branch of each rule is pinned by a case that needs no program."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from typing import Any

import pytest

from policies import model_inputs as mi
from policies.rules import bedrock
from tests.policies.rules.calls import provider, resource, run_one, run_resource, run_stack

KINDS = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")


def _guardrail(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"contentPolicyConfig": {"filtersConfigs": list(filters)}}


def _filter(kind: str, input_strength: str | None = "HIGH", output_strength: str | None = "HIGH") -> dict[str, Any]:
    entry: dict[str, Any] = {"type": kind}
    if input_strength is not None:
        entry["inputStrength"] = input_strength
    if output_strength is not None:
        entry["outputStrength"] = output_strength
    return entry


ALL = [_filter(kind) for kind in KINDS]


@pytest.mark.parametrize(
    ("filters", "missing"),
    [
        (ALL, None),
        ([*ALL[1:], _filter("PROMPT_ATTACK", "HIGH", "NONE")], "SEXUAL"),
        ([_filter("SEXUAL", "NONE"), *ALL[1:]], "SEXUAL"),
        ([_filter("SEXUAL", None), *ALL[1:]], "SEXUAL"),
        ([_filter("SEXUAL", "HIGH", "NONE"), *ALL[1:]], "SEXUAL"),
        ([_filter("SEXUAL", "HIGH", None), *ALL[1:]], "SEXUAL"),
        ([_filter("SEXUAL", "LOW", "LOW"), _filter("VIOLENCE", "NONE", "NONE"), *ALL[2:4]], "VIOLENCE, MISCONDUCT"),
        ([], ", ".join(KINDS)),
        (
            [
                {
                    **f,
                    "inputAction": "BLOCK",
                    "outputAction": "BLOCK",
                    "inputEnabled": True,
                    "outputEnabled": True,
                    "inputModalities": ["TEXT", "IMAGE"],
                    "outputModalities": ["TEXT"],
                }
                for f in ALL
            ],
            None,
        ),
        ([{**ALL[0], "inputAction": "NONE"}, *ALL[1:]], "SEXUAL"),
        ([{**ALL[0], "outputAction": "NONE"}, *ALL[1:]], "SEXUAL"),
        ([{**ALL[0], "inputEnabled": False}, *ALL[1:]], "SEXUAL"),
        ([{**ALL[0], "outputEnabled": "false"}, *ALL[1:]], "SEXUAL"),
        ([{**ALL[0], "inputModalities": ["IMAGE"]}, *ALL[1:]], "SEXUAL"),
        ([{**f, "inputAction": "NONE", "outputAction": "NONE"} for f in ALL], ", ".join(KINDS)),
    ],
    ids=[
        "ok",
        "bad1_left_out",
        "bad2_input_none",
        "bad3_input_unset",
        "bad4_output_none",
        "bad5_output_unset",
        "bad6_two",
        "bad7_none",
        "ok_explicit_block_enabled_text",
        "bad8_input_action_none",
        "bad9_output_action_none",
        "bad10_input_disabled",
        "bad11_output_disabled_string",
        "bad12_image_only",
        "bad13_review_guardoff_detect_only",
    ],
)
def test_content_filters(filters: list[dict[str, Any]], missing: str | None) -> None:
    reports = run_resource(bedrock.CONTENT_FILTERS, bedrock.GUARDRAIL, _guardrail(*filters), name="g")
    expected = [] if missing is None else [(f"g: the guardrail does not filter {missing} on input and output.", None)]
    assert reports == expected


@pytest.mark.parametrize(
    ("entry", "flagged"),
    [
        (_filter("PROMPT_ATTACK", "HIGH", "NONE"), False),
        (_filter("PROMPT_ATTACK", "LOW", None), False),
        (None, True),
        (_filter("PROMPT_ATTACK", "NONE", "HIGH"), True),
        (_filter("PROMPT_ATTACK", None, "HIGH"), True),
        (_filter("HATE"), True),
        ({**_filter("PROMPT_ATTACK", "HIGH", "NONE"), "inputAction": "BLOCK", "inputEnabled": True}, False),
        ({**_filter("PROMPT_ATTACK", "HIGH", "NONE"), "outputEnabled": False, "outputAction": "NONE"}, False),
        ({**_filter("PROMPT_ATTACK", "HIGH", "NONE"), "inputAction": "NONE"}, True),
        ({**_filter("PROMPT_ATTACK", "HIGH", "NONE"), "inputEnabled": False}, True),
        ({**_filter("PROMPT_ATTACK", "HIGH", "NONE"), "inputModalities": ["IMAGE"]}, True),
    ],
    ids=[
        "ok",
        "ok_low",
        "bad1_absent",
        "bad2_none",
        "bad3_unset",
        "bad4_other_kind",
        "ok_explicit_block",
        "ok_output_side_irrelevant",
        "bad5_detect_only",
        "bad6_review_guardoff_disabled",
        "bad7_image_only",
    ],
)
def test_prompt_attack(entry: dict[str, Any] | None, flagged: bool) -> None:
    props = _guardrail(*([entry] if entry else []))
    expected = [("g: the guardrail has no PROMPT_ATTACK filter on input.", None)] if flagged else []
    assert run_resource(bedrock.PROMPT_ATTACK, bedrock.GUARDRAIL, props, name="g") == expected


@pytest.mark.parametrize(
    ("config", "flagged"),
    [
        ({"piiEntitiesConfigs": [{"type": "EMAIL", "action": "ANONYMIZE"}]}, False),
        ({"regexesConfigs": [{"name": "id", "pattern": "x", "action": "BLOCK"}]}, False),
        (None, True),
        ({"piiEntitiesConfigs": [], "regexesConfigs": []}, True),
        ({"piiEntitiesConfigs": [{"type": "EMAIL", "action": "NONE"}, {"type": "NAME", "action": "BLOCK"}]}, False),
        ({"piiEntitiesConfigs": [{"type": "EMAIL", "action": "NONE", "outputAction": "ANONYMIZE"}]}, False),
        ({"piiEntitiesConfigs": [{"type": "EMAIL", "action": "BLOCK", "inputEnabled": False}]}, False),
        (
            {
                "piiEntitiesConfigs": [
                    {"type": "EMAIL", "action": "NONE"},
                    {"type": "US_SOCIAL_SECURITY_NUMBER", "action": "NONE"},
                ]
            },
            "inert",
        ),
        ({"regexesConfigs": [{"name": "id", "pattern": "x", "action": "NONE"}]}, "inert"),
        (
            {
                "piiEntitiesConfigs": [
                    {"type": "EMAIL", "action": "BLOCK", "inputEnabled": False, "outputEnabled": "false"}
                ]
            },
            "inert",
        ),
        (
            {
                "piiEntitiesConfigs": [
                    {"type": "EMAIL", "action": "ANONYMIZE", "inputAction": "NONE", "outputAction": "NONE"}
                ]
            },
            "inert",
        ),
    ],
    ids=[
        "ok_entities",
        "ok_regexes",
        "bad1_none",
        "bad2_empty",
        "ok_one_entity_acts",
        "ok_side_action_overrides",
        "ok_one_side_enabled",
        "bad3_review_guardoff_all_none",
        "bad4_regex_none",
        "bad5_both_sides_disabled",
        "bad6_side_actions_none",
    ],
)
def test_pii(config: dict[str, Any] | None, flagged: bool | str) -> None:
    props = {} if config is None else {"sensitiveInformationPolicyConfig": config}
    message = {
        True: "g: the guardrail has no sensitive-information (PII) policy.",
        "inert": "g: the guardrail's sensitive-information policy masks or blocks nothing (every PII entity and regex "
        "has action NONE or its evaluation disabled).",
    }
    expected = [(message[flagged], None)] if flagged else []
    assert run_resource(bedrock.PII_POLICY, bedrock.GUARDRAIL, props, name="g") == expected


@pytest.mark.parametrize(
    ("configs", "flagged"),
    [
        ([{"guardrailIdentifier": "gr-1", "guardrailVersion": "1"}], False),
        ([{"guardrailVersion": "1"}, {"guardrailIdentifier": "gr-1"}], False),
        (None, True),
        ([{"guardrailIdentifier": ""}], True),
    ],
    ids=["ok", "ok_second", "bad1_none", "bad2_empty_identifier"],
)
def test_agent_guardrail(configs: list[dict[str, str]] | None, flagged: bool) -> None:
    props = {} if configs is None else {"guardrailConfigurations": configs}
    expected = [("a: the agent has no guardrail (guardrailConfigurations is empty).", None)] if flagged else []
    assert run_resource(bedrock.AGENT_GUARDRAIL, bedrock.AGENT, props, name="a") == expected


@pytest.mark.parametrize(
    ("reference", "model"),
    [
        ("amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"),
        ("us.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"),
        ("eu.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"),
        ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"),
        ("usx.amazon.titan", "usx.amazon.titan"),
        ("amazon.us.model", "amazon.us.model"),
    ],
)
def test_model_id(reference: str, model: str) -> None:
    assert mi.chosen_model(reference) == model


ALLOWED = {"allowedModelIds": ["amazon.nova-pro-v1:0", "amazon.nova-lite-v1:0"]}


@pytest.mark.parametrize(
    ("type_", "props", "config", "flagged"),
    [
        (mi.AGENT, {"foundationModel": "us.amazon.nova-pro-v1:0"}, ALLOWED, None),
        (
            mi.INFERENCE_PROFILE,
            {"modelSource": {"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"}},
            ALLOWED,
            None,
        ),
        (mi.AGENT, {"foundationModel": "anthropic.claude-v2"}, {}, None),
        (mi.AGENT, {}, ALLOWED, None),
        (mi.AGENT, {"foundationModel": "anthropic.claude-v2"}, ALLOWED, "anthropic.claude-v2"),
        (mi.INFERENCE_PROFILE, {"modelSource": {"copyFrom": "meta.llama3"}}, ALLOWED, "meta.llama3"),
        (
            mi.INFERENCE_PROFILE,
            {"foundationModel": "amazon.nova-pro-v1:0", "modelSource": {"copyFrom": "meta.llama3"}},
            ALLOWED,
            "meta.llama3",
        ),
        (
            bedrock.AGENT,
            {"foundationModel": "amazon.nova-pro-v1:0", "modelSource": {"copyFrom": "meta.llama3"}},
            ALLOWED,
            None,
        ),
    ],
    ids=[
        "ok_agent",
        "ok_profile",
        "ok_no_list",
        "ok_no_model",
        "bad1_agent",
        "bad2_profile",
        "bad3_profile_reads_its_source",
        "ok_agent_reads_its_model",
    ],
)
def test_allowed_models(type_: str, props: dict[str, Any], config: dict[str, Any], flagged: str | None) -> None:
    reports = run_one(bedrock.ALLOWED_MODELS, type_, props, name="m", config=config)
    expected = (
        []
        if flagged is None
        else [
            (
                f"m: model {flagged} is not allowed in this stack (allowed: amazon.nova-pro-v1:0, amazon.nova-lite-v1:0).",
                None,
            )
        ]
    )
    assert reports == expected


INVOKE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}],
}
LOGGING = {"loggingConfig": {"cloudwatchConfig": {"logGroupName": "g", "roleArn": "r"}}}
MISSING = "no Bedrock model-invocation logging in {} (and the stack config does not say another stack provides it)."


def _logging(name: str, props: dict[str, Any]) -> Any:
    return resource(bedrock.INVOCATION_LOGGING, name, props)


def test_invocation_logging_not_applicable_without_bedrock() -> None:
    queue = resource("aws:sqs/queue:Queue", "q", {})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [queue], {"region": "us-east-1"}) == []


@pytest.mark.parametrize(
    "user",
    [
        resource("aws:bedrock/guardrail:Guardrail", "g", {}),
        resource("aws:bedrockmodel/somethingElse:Thing", "t", {}),
        resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": INVOKE}),
        resource(
            "aws:iam/policy:Policy",
            "p",
            {
                "policy": {
                    **INVOKE,
                    "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeAgent", "Resource": "*"}],
                }
            },
        ),
        resource(
            "aws:iam/policy:Policy",
            "p",
            {
                "policy": {
                    **INVOKE,
                    "Statement": [
                        {"Effect": "Allow", "Action": "bedrock:InvokeModelWithResponseStream", "Resource": "*"}
                    ],
                }
            },
        ),
    ],
    ids=["bedrock_resource", "bedrockmodel_resource", "invoke_model", "invoke_agent", "invoke_stream"],
)
def test_invocation_logging_noncompliance_1_a_user_without_logging(user: Any) -> None:
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [user], {"region": "us-east-1"}) == [
        (MISSING.format("us-east-1"), None)
    ]
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [user], {}) == [(MISSING.format("the stack region"), None)]


def test_invocation_logging_a_policy_without_model_calls_is_no_user() -> None:
    other = {**INVOKE, "Statement": [{"Effect": "Allow", "Action": "bedrock:ListFoundationModels", "Resource": "*"}]}
    reader = resource("aws:iam/policy:Policy", "p", {"policy": other})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [reader], {"region": "us-east-1"}) == []


def test_invocation_logging_compliance_in_region_or_provided_elsewhere() -> None:
    here = _logging("log", {**LOGGING, "region": "us-east-1"})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [here], {"region": "us-east-1"}) == []
    s3 = _logging("log", {"loggingConfig": {"s3Config": {"bucketName": "b"}}})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [s3], {"region": "us-east-1"}) == []
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [s3], {}) == []
    user = resource("aws:bedrock/guardrail:Guardrail", "g", {})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [user], {"providedBy": "organization"}) == []


def test_invocation_logging_noncompliance_2_no_destination() -> None:
    bare = _logging("log", {"loggingConfig": {"textDataDeliveryEnabled": True}})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [bare], {"region": "us-east-1"}) == [
        ("log: invocation logging has no CloudWatch or S3 destination.", bare.urn),
        (MISSING.format("us-east-1"), None),
    ]
    empty = _logging("log", {})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [empty], {"region": "us-east-1"})[0] == (
        "log: invocation logging has no CloudWatch or S3 destination.",
        empty.urn,
    )


def test_invocation_logging_noncompliance_3_in_another_region() -> None:
    own = _logging("log", {**LOGGING, "region": "eu-west-1"})
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [own], {"region": "us-east-1"}) == [
        (MISSING.format("us-east-1"), None)
    ]


@pytest.mark.parametrize(("provider_region", "flagged"), [("us-east-1", False), ("eu-west-1", True), (None, False)])
def test_invocation_logging_region_of_its_provider(provider_region: str | None, flagged: bool) -> None:
    """A resource without its own region is in its provider's, else in the stack's."""
    props = {} if provider_region is None else {"region": provider_region}
    logging = resource(bedrock.INVOCATION_LOGGING, "log", LOGGING, provider=provider(props))
    expected = [(MISSING.format("us-east-1"), None)] if flagged else []
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [logging], {"region": "us-east-1"}) == expected


@pytest.mark.parametrize(
    ("flags", "flagged"),
    [
        ({}, False),
        ({"textDataDeliveryEnabled": True, "imageDataDeliveryEnabled": False}, False),
        ({flag: False for flag in bedrock.DATA_DELIVERY if flag != "embeddingDataDeliveryEnabled"}, False),
        (dict.fromkeys(bedrock.DATA_DELIVERY, False), True),
        (dict.fromkeys(bedrock.DATA_DELIVERY, "false"), True),
    ],
    ids=["ok_defaults", "ok_text_on", "ok_embeddings_on", "bad1_review_invlog_all_off", "bad2_all_off_strings"],
)
def test_invocation_logging_noncompliance_4_no_data_delivered(flags: dict[str, Any], flagged: bool) -> None:
    logging = _logging("log", {"loggingConfig": {**LOGGING["loggingConfig"], **flags}})
    expected = (
        [
            (
                "log: invocation logging delivers no data (text, image, embedding and video delivery all off), so it "
                "records no prompt or completion.",
                logging.urn,
            ),
            (MISSING.format("us-east-1"), None),
        ]
        if flagged
        else []
    )
    assert run_stack(bedrock.INVOCATION_LOGGING_POLICY, [logging], {"region": "us-east-1"}) == expected
