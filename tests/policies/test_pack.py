"""The pack as a whole: registry, CrossGuard objects, the generated profile, unknown-value tolerance."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from components.models import EMBEDDING_MODEL_ID
from policies import profile
from policies.registry import NAME, all_policies, by_name
from policies.spec import Category, Kind
from preflight.findings import Level
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import PolicySetting, load_policy_config, run_policies
from tests.policies import (
    test_bedrock_lifecycle,
    test_compute,
    test_devices,
    test_edge,
    test_encryption,
    test_hardened,
    test_iam,
    test_iam_validity,
    test_interface_inference,
    test_s3,
)
from tests.shared_files import shared_path

REPO = Path(__file__).resolve().parents[2]
PRINCIPLES = shared_path("principles.yaml")
#: Policies tested by dedicated functions (test_governance, test_interface_inference, test_review_bypasses).
TESTED_ELSEWHERE = {
    "cloudtrail-enabled",
    "config-recorder-enabled",
    "bedrock-invocation-logging",
    "required-tags",
    "allowed-regions",
    "session-table-ttl",
    "bedrock-allowed-models",
    # tests/policies/test_review_bypasses.py FEDERATED_CASES: 7 compliant and 10 numbered non-compliant cases.
    "iam-federated-trust-conditioned",
    # tests/policies/test_s3_account_and_objects.py: 1 compliant and 3 numbered non-compliant account blocks.
    "s3-account-public-access-blocked",
    # tests/policies/test_network.py: 19 compliant and 26 numbered non-compliant security-group shapes.
    "security-group-no-internet-ingress",
    # tests/policies/test_account_sharing.py: 5 compliant and 5 numbered non-compliant account-wide blocks.
    "account-public-sharing-blocked",
    # tests/policies/test_native.py COVERAGE_CASES: 5 compliant and 3 numbered non-compliant cases.
    "resource-not-judged",
    # tests/policies/test_document_unknown.py CASES: 3 compliant and 9 numbered non-compliant cases.
    "iam-document-unknown",
    # tests/policies/test_security_values.py CASES: 3 compliant and 7 numbered non-compliant cases.
    "security-value-unknown",
    # tests/policies/rules/test_container_environment_table.py: 8 compliant and 13 numbered non-compliant cases;
    # tests/policies/rules/test_container_environment_native.py (aws-native): 7 compliant and 12 numbered ones.
    "container-no-secrets-in-environment",
    # tests/policies/test_provider_credentials.py CASES: 1 compliant and 4 numbered non-compliant providers.
    "provider-no-hard-coded-credentials",
    # tests/policies/test_provider_credentials.py KEY_CASES: 2 compliant and 2 numbered non-compliant access keys.
    "iam-no-user-access-keys",
}


def test_names_are_unique_kebab_case() -> None:
    names = [p.name for p in all_policies()]
    assert len(names) == len(set(names))
    assert all(NAME.match(n) for n in names)


def test_every_policy_has_metadata_and_builds_a_crossguard_policy() -> None:
    for policy in all_policies():
        assert policy.description and policy.explanation and policy.principles, policy.name
        built = policy.to_crossguard()
        expected = StackValidationPolicy if policy.kind is Kind.STACK else ResourceValidationPolicy
        assert isinstance(built, expected)


def test_every_non_cost_policy_has_good_and_bad_cases() -> None:
    tables = [
        test_bedrock_lifecycle.CASES,
        test_compute.CASES,
        test_encryption.CASES,
        test_hardened.CASES,
        test_iam.CASES,
        test_iam_validity.CASES,
        test_interface_inference.CASES,
        test_s3.CASES,
        test_edge.CASES,
        test_devices.CASES,
    ]
    covered = {case[0] for table in tables for case in table if case[1]} | TESTED_ELSEWHERE
    covered.add("log-bucket-lifecycle")  # test_s3.test_log_bucket_without_lifecycle
    covered.add("s3-lifecycle-expiration-after-transitions")  # test_s3.test_lifecycle_expiration_comes_after_...
    covered.add("s3-setting-managed-once")  # test_s3_one_per_bucket: nine numbered bad buckets, two good
    ours = {p.name for p in all_policies() if p.category is not Category.COST}
    assert ours - covered == set()


def test_principle_levels_match_the_shared_file() -> None:
    levels = {p["id"]: p["level"] for p in yaml.safe_load(PRINCIPLES.read_text())["principles"]}
    for pid, level in profile.PRINCIPLE_LEVELS.items():
        assert levels[pid] == level, pid
    cited = {pid for p in all_policies() for pid in p.principles}
    assert cited <= set(profile.PRINCIPLE_LEVELS), cited - set(profile.PRINCIPLE_LEVELS)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_config_equals_generated(stack: str) -> None:
    committed = (profile.CONFIG_DIR / f"{stack}.json").read_text()
    assert committed == profile.render(profile.build_config(stack)), "run python -m policies.profile --write"


def test_profile_levels() -> None:
    policies = by_name()
    assert profile.level_for(policies["bedrock-agent-guardrail"], "dev") == "mandatory"  # NEVER
    assert profile.level_for(policies["lambda-active-tracing"], "dev") == "advisory"  # HIGH only
    assert profile.level_for(policies["lambda-active-tracing"], "prod") == "mandatory"
    # session-table-ttl took over the retired checkov CKV_AGP_5 (mandatory in prod) with its HIGH P063/P107.
    assert profile.level_for(policies["session-table-ttl"], "prod") == "mandatory"
    assert profile.level_for(policies["session-table-ttl"], "dev") == "advisory"
    cost = next(p for p in all_policies() if p.category is Category.COST)
    assert profile.level_for(cost, "dev") == "mandatory"
    assert profile.level_for(cost, "prod") == "advisory"


def test_config_matches_stack_files() -> None:
    """prod references the singletons dev owns; regions and models follow Pulumi.<stack>.yaml."""
    for stack in ("dev", "prod"):
        settings = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())["config"]
        config = json.loads((profile.CONFIG_DIR / f"{stack}.json").read_text())
        owns = settings["agentic-platform:owns"]
        assert config["cloudtrail-enabled"]["providedElsewhere"] is (not owns["cloudtrail"])
        assert config["config-recorder-enabled"]["providedElsewhere"] is (not owns["configRecorder"])
        assert config["bedrock-invocation-logging"]["providedElsewhere"] is (not owns["bedrockInvocationLogging"])
        assert config["allowed-regions"]["allowedRegions"] == settings["agentic-platform:allowedRegions"]
        tiers = settings["agentic-platform:allowedModelTiers"]
        embedding = (
            [EMBEDDING_MODEL_ID] if settings.get("agentic-platform:features", {}).get("knowledgeBase", True) else []
        )
        assert config["bedrock-allowed-models"]["allowedModelIds"] == [
            *(profile.MODEL_IDS_BY_TIER[t] for t in tiers),
            *embedding,
        ]
    prod = json.loads((profile.CONFIG_DIR / "prod.json").read_text())
    assert prod["cloudtrail-enabled"]["providedElsewhere"] is True


def test_load_policy_config_rejects_unknown_names(tmp_path: Path) -> None:
    from preflight.errors import ConfigError  # noqa: PLC0415

    (tmp_path / "policies" / "config").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "dev.json").write_text('{"no-such-policy": "mandatory"}')
    with pytest.raises(ConfigError, match="no-such-policy"):
        load_policy_config("dev", tmp_path)
    (tmp_path / "policies" / "config" / "dev.json").write_text('{"kms-key-rotation": "sometimes"}')
    with pytest.raises(ConfigError, match="unknown enforcement level"):
        load_policy_config("dev", tmp_path)


def _node(name: str, type_: str, inputs: dict[str, object]) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(
        urn=urn, type=type_, name=name, custom=True, parent="", provider="", inputs=inputs, outputs=inputs
    )


def test_unknown_values_mean_cannot_tell_not_violation() -> None:
    unknown = UNKNOWN_STRING_VALUE
    graph = ResourceGraph(
        "p",
        "dev",
        [
            _node("queue", "aws:sqs/queue:Queue", {"kmsMasterKeyId": unknown}),
            _node("policy", "aws:iam/policy:Policy", {"policy": unknown}),
            _node("machine", "aws:sfn/stateMachine:StateMachine", {"definition": unknown}),
            _node("fn", "aws:lambda/function:Function", {"name": unknown, "deadLetterConfig": unknown}),
            _node("bad_queue", "aws:sqs/queue:Queue", {}),
        ],
    )
    config = {p.name: PolicySetting(Level.MANDATORY) for p in all_policies()}
    run = run_policies(graph, config=config)
    names = {(f.policy, f.resource) for f in run.findings}
    assert ("sqs-queue-kms-encryption", "bad_queue") in names
    undecided = {
        ("sqs-queue-kms-encryption", "queue"),
        ("iam-no-wildcard-action", "policy"),
        ("state-machine-task-retry-catch", "machine"),
        ("lambda-failure-destination", "fn"),
    }
    assert not undecided & names
    assert any("sqs-queue-kms-encryption: queue: cannot tell" in u for u in run.undetermined)
    assert any("state-machine-task-retry-catch: machine" in u for u in run.undetermined)


def test_disabled_policies_do_not_run() -> None:
    graph = ResourceGraph("p", "dev", [_node("bad_queue", "aws:sqs/queue:Queue", {})])
    spec = by_name()["sqs-queue-kms-encryption"]
    run = run_policies(graph, policies=[spec], config={spec.name: PolicySetting(Level.DISABLED)})
    assert run.findings == []
    run = run_policies(graph, policies=[spec], config={spec.name: PolicySetting(Level.ADVISORY)})
    assert [f.level for f in run.findings] == [Level.ADVISORY]


def test_load_policy_config_all_sets_the_base_level(tmp_path: Path) -> None:
    (tmp_path / "policies" / "config").mkdir(parents=True)
    path = tmp_path / "policies" / "config" / "dev.json"
    path.write_text(
        json.dumps(
            {
                "all": "advisory",
                "kms-key-rotation": "mandatory",
                "required-tags": {"enforcementLevel": "disabled"},
                "cloudtrail-enabled": {"providedElsewhere": True},
            }
        )
    )
    config, source = load_policy_config("dev", tmp_path)
    assert source == str(path)
    assert config["kms-key-rotation"].level is Level.MANDATORY
    assert config["required-tags"].level is Level.DISABLED
    assert config["cloudtrail-enabled"].level is Level.ADVISORY
    assert config["cloudtrail-enabled"].settings == {"providedElsewhere": True}
    others = {n: s.level for n, s in config.items() if n not in {"kms-key-rotation", "required-tags"}}
    assert set(others.values()) == {Level.ADVISORY}
    path.write_text(json.dumps({"all": {"enforcementLevel": "disabled"}, "kms-key-rotation": "remediate"}))
    config, _ = load_policy_config("dev", tmp_path)
    assert config["kms-key-rotation"].level is Level.MANDATORY
    assert {s.level for n, s in config.items() if n != "kms-key-rotation"} == {Level.DISABLED}


@pytest.mark.parametrize("value", ['"sometimes"', '{"enforcementLevel": "loud"}', "3", '{"x": 1}'])
def test_load_policy_config_rejects_a_bad_all(tmp_path: Path, value: str) -> None:
    from preflight.errors import ConfigError  # noqa: PLC0415

    (tmp_path / "policies" / "config").mkdir(parents=True)
    path = tmp_path / "policies" / "config" / "dev.json"
    path.write_text(f'{{"all": {value}}}')
    with pytest.raises(ConfigError, match=r"dev\.json: all: ") as info:
        load_policy_config("dev", tmp_path)
    assert "\n" not in str(info.value)


#: Words that only make sense inside this template (its components, its settings file keys).
TEMPLATE_ONLY = (
    "components.",
    "components/",
    "owns.",
    "Pulumi.<stack>.yaml",
    "budget.idleUsd",
    "allowedModelTiers",
    "settings.",
)
REPO = Path(__file__).resolve().parents[2]


def leaks(text: str) -> list[str]:
    """The words of TEMPLATE_ONLY in `text`."""
    return [word for word in TEMPLATE_ONLY if word in text]


def test_fix_hints_are_generic_for_any_program() -> None:
    """A foreign program's report never tells it to call this template's helpers or edit its settings."""
    for policy in all_policies():
        leaked = leaks(policy.explanation) + leaks(policy.description)
        assert not leaked, f"{policy.name}: {leaked}"


def _report_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module that is not a docstring: what its findings, fixes,
    notes and violation messages are built from (an f-string's literal parts; adjacent literals are one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_every_text_the_gate_and_the_pack_print_is_generic_for_any_program() -> None:
    """Issue 11 §2: beside the explanations, every text a foreign program's report can carry: the gate's own
    findings (their messages and fixes: preflight/), the pack's violation messages and its custom checkov checks'
    names and guidelines (policies/, policies/checkov/), and the reasons policies/checkov_principles.yaml gives
    for the checks it skips in every report."""
    modules = sorted([*(REPO / "preflight").rglob("*.py"), *(REPO / "policies").rglob("*.py")])
    assert len(modules) > 100  # the scan reads the code, not an empty folder
    leaked = [
        f"{path.relative_to(REPO)}:{line}: {leaks(text)}"
        for path in modules
        for line, text in _report_texts(path)
        if leaks(text)
    ]
    principles = yaml.safe_load((REPO / "policies" / "checkov_principles.yaml").read_text(encoding="utf-8"))
    owned = principles["owned_by_policies"]
    assert owned  # the skips every report prints
    leaked += [
        f"checkov_principles.yaml {check}: {leaks(e['reason'])}" for check, e in owned.items() if leaks(e["reason"])
    ]
    assert not leaked, leaked
