"""Every entry of provider_calls.yaml has been read against the provider's source, or says why not (issue 9 §2).

The CI roles are generated from provider_calls.yaml, so an entry nobody checked against the provider's source
grants what someone believed the provider calls. `verified: <path>@<commit>` records that its calls were read
in that file at that commit (test_deploy_roles.py keeps the field well formed). This test keeps every entry
verified except the few named below, each with the reason, so a new resource type cannot join unread and a
read entry cannot lose its mark.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from .provider_calls import bridged, oracle

#: Entries not (yet) read against a pinned version of their source, and why. Shrink it; never grow it silently.
NOT_VERIFIED: dict[str, str] = {
    "pulumi:providers:aws": "a provider resource makes no API call: there is nothing to read",
}


def test_every_entry_is_verified_or_named_with_a_reason() -> None:
    unverified = {token for token, entry in oracle().items() if "verified" not in entry}
    assert unverified == set(NOT_VERIFIED)


def test_the_exceptions_name_real_entries() -> None:
    """A renamed or removed type cannot linger here, excusing nothing."""
    assert set(NOT_VERIFIED) <= set(oracle())


def test_bridged_names_the_pulumi_aws_the_programs_run() -> None:
    """Upgrading pulumi-aws makes `bridged` stale: this fails until someone re-reads what the new one bridges."""
    assert bridged()["pulumi-aws"] == version("pulumi_aws")
    assert bridged()["upstream"] == "hashicorp/terraform-provider-aws"


def _terraform_entries() -> dict[str, dict[str, object]]:
    return {t: e for t, e in oracle().items() if t.startswith("aws:") and "verified" in e}


def not_read_at(commit: str) -> list[str]:
    """The terraform-provider-aws entries read at another commit than `commit` that do not say why."""
    return sorted(
        token
        for token, entry in _terraform_entries().items()
        if str(entry["verified"]).rpartition("@")[2] != commit and not str(entry.get("verified_why", "")).strip()
    )


def test_every_entry_was_read_at_the_bridged_commit_or_says_why_not() -> None:
    """One upstream version decides what the provider calls: each entry was read there, or justifies another.

    While the bridged commit cannot be pinned (`upstream_commit: null`), `why_unpinned` must say why and
    `upstream_at_least` bound it; once it is pinned, an entry read at any other commit needs `verified_why`.
    """
    info = bridged()
    commit = info["upstream_commit"]
    if commit is None:
        assert str(info["why_unpinned"]).strip()
        assert re.fullmatch(r"v6\.\d+\.\d+", str(info["upstream_at_least"]))
    else:
        assert re.fullmatch(r"[0-9a-f]{40}", str(commit))
        assert not_read_at(str(commit)) == []


def test_pinning_the_bridged_commit_flags_the_entries_read_elsewhere() -> None:
    """The check above bites once the commit is pinned: entries read at another commit are named, not the others."""
    function = "aws:lambda/function:Function"
    read_at = str(oracle()[function]["verified"]).rpartition("@")[2]
    assert function in not_read_at("0" * 40)
    assert function not in not_read_at(read_at)
    assert "aws:iam/policy:Policy" in not_read_at(read_at)


def test_a_verified_why_justifies_a_version_that_was_read() -> None:
    """`verified_why` explains the version an entry was read at: it needs that version and a real sentence."""
    reasons = {t: e["verified_why"] for t, e in oracle().items() if "verified_why" in e}
    assert reasons  # the entries read only at an older stored version say so (apigateway/account, ...)
    for token, why in reasons.items():
        assert "verified" in oracle()[token], token
        assert isinstance(why, str) and len(why.split()) >= 5, token


def test_an_entry_read_in_a_copy_names_a_declared_copy() -> None:
    """`read_in` names a fork holding the upstream tree: one that `bridged.copies` describes, era and evidence."""
    copies = bridged()["copies"]
    read_in = {token: entry["read_in"] for token, entry in oracle().items() if "read_in" in entry}
    assert read_in  # the entries re-read for issue 9 §2
    assert set(read_in.values()) <= set(copies)
    assert all("verified" in oracle()[token] for token in read_in)
    for repo, info in copies.items():
        assert isinstance(info["v6"], bool), repo
        assert len(str(info["why"]).split()) >= 10, repo


def read_before_v6_without_a_reason(entries: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The entries read in a copy older than v6 that do not say why that version stands."""
    copies = bridged()["copies"]
    return sorted(
        token
        for token, entry in entries.items()
        if "read_in" in entry and not copies[entry["read_in"]]["v6"] and not str(entry.get("verified_why", "")).strip()
    )


def test_an_entry_read_in_a_pre_v6_copy_says_why() -> None:
    assert read_before_v6_without_a_reason(oracle()) == []


def test_dropping_the_reason_of_a_pre_v6_read_is_caught() -> None:
    """The check above can fail: an entry read in the v5.8x copy without `verified_why` is named."""
    alias = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    assert oracle()[alias]["read_in"] == "isometry/terraform-provider-aws"
    entries = {**oracle(), alias: {k: v for k, v in oracle()[alias].items() if k != "verified_why"}}
    assert read_before_v6_without_a_reason(entries) == [alias]
    role = "aws:iam/role:Role"  # read in the v6 copy: no reason needed
    assert bridged()["copies"][oracle()[role]["read_in"]]["v6"] is True
    assert "verified_why" not in oracle()[role]


#: The platform's serverless core (issue 9 §2): its Lambda, Step Functions, Cognito, API Gateway V2 and Bedrock
#: types. Each is read at a v6 version of its file, or its `verified_why` says why the version read stands: the
#: roles grant what the provider the programs run calls, not what an older one did (P120, P067: dated, cited).
SERVERLESS_CORE = ("aws:lambda/", "aws:sfn/", "aws:cognito/", "aws:apigatewayv2/", "aws:bedrock/")

#: What dates a stored version of terraform-provider-aws to v6 by its own text: the IBM header (late 2025 on), a
#: resource identity annotation or v6 pre-identity version, or the framework's per-resource region model (v6.0).
V6_MARKER = re.compile(
    r'"Copyright IBM Corp\. 2014, 20(2[5-9]|[3-9]\d)"|@IdentityAttribute|@ArnIdentity'
    r'|preIdentityVersion="v?6\.|framework\.WithRegionModel'
)


def read_at_v6(entry: Mapping[str, Any]) -> bool:
    """Read in a v6 copy (`read_in`), or at a hashicorp version whose `v6_evidence` quotes a v6 marker."""
    if "read_in" in entry:
        return bool(bridged()["copies"][entry["read_in"]]["v6"])
    return bool(V6_MARKER.search(str(entry.get("v6_evidence", ""))))


def core_not_read_at_v6(entries: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The serverless-core entries read at no v6 version that do not say why."""
    return sorted(
        token
        for token, entry in entries.items()
        if token.startswith(SERVERLESS_CORE)
        and not read_at_v6(entry)
        and not str(entry.get("verified_why", "")).strip()
    )


def test_the_serverless_core_is_read_at_v6_or_says_why() -> None:
    core = [t for t in oracle() if t.startswith(SERVERLESS_CORE)]
    assert len(core) >= 20  # function, permission, state machine, user pool, the API's parts, the agent's parts
    assert core_not_read_at_v6(oracle()) == []


def test_v6_evidence_quotes_a_v6_marker_of_the_version_read() -> None:
    """`v6_evidence` dates the version named by `verified`: it must quote what makes it v6, not just assert it."""
    evidence = {t: e["v6_evidence"] for t, e in oracle().items() if "v6_evidence" in e}
    assert evidence  # the function, the state machine, the integration, the knowledge base, ...
    for token, text in evidence.items():
        assert "verified" in oracle()[token], token
        assert "read_in" not in oracle()[token], token  # a fork's era is described once, in bridged.copies
        assert V6_MARKER.search(str(text)), token


def test_dropping_the_v6_evidence_of_a_core_entry_is_caught() -> None:
    """The check above can fail: a core entry without its evidence (and no reason) is named; the old header is no
    marker."""
    machine = "aws:sfn/stateMachine:StateMachine"
    assert read_at_v6(oracle()[machine])
    bare = {k: v for k, v in oracle()[machine].items() if k != "v6_evidence"}
    assert core_not_read_at_v6({**oracle(), machine: bare}) == [machine]
    old_header = {**bare, "v6_evidence": '"Copyright (c) HashiCorp, Inc."'}
    assert core_not_read_at_v6({**oracle(), machine: old_header}) == [machine]


#: The core entries still read at no v6 version (2026-12-02): no v6 text of their files is in the index (each
#: `verified_why` says what was searched). Shrink it as copies turn up; an entry joining it is a regression.
CORE_BEFORE_V6 = frozenset(
    {
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:apigatewayv2/authorizer:Authorizer",
        "aws:apigatewayv2/integrationResponse:IntegrationResponse",
        "aws:apigatewayv2/routeResponse:RouteResponse",
        "aws:apigatewayv2/stage:Stage",
        "aws:cognito/userPool:UserPool",
        "aws:cognito/userPoolClient:UserPoolClient",
    }
)


def core_read_before_v6(entries: Mapping[str, Mapping[str, Any]]) -> set[str]:
    return {token for token, entry in entries.items() if token.startswith(SERVERLESS_CORE) and not read_at_v6(entry)}


def test_the_core_entries_left_before_v6_are_exactly_the_named_ones() -> None:
    """The Bedrock agent, its action group, the prompt and the guardrail are read at v6 copies (bridged.copies); the
    rest of the core that is not is named, so a v6 read cannot be lost unnoticed (P120, P067)."""
    assert core_read_before_v6(oracle()) == CORE_BEFORE_V6
    for token in CORE_BEFORE_V6:
        assert str(oracle()[token].get("verified_why", "")).strip(), token


def test_an_entry_back_at_a_pre_v6_version_joins_the_named_ones() -> None:
    """The check above can fail: the agent cited at its pre-v6 hashicorp version (no `read_in`) is named."""
    agent = "aws:bedrock/agentAgent:AgentAgent"
    assert bridged()["copies"][oracle()[agent]["read_in"]]["v6"] is True
    old = {k: v for k, v in oracle()[agent].items() if k != "read_in"}
    old["verified"] = "internal/service/bedrockagent/agent.go@8ed1d3846d0535d065f74c051a73d04f2e403317"
    assert core_read_before_v6({**oracle(), agent: old}) == CORE_BEFORE_V6 | {agent}
