"""Every pulumi-aws input that says who may act on a resource: a permission document or a grantee (review s10 #3).

A resource is public through more than `policy`: an EventBridge permission's `principal` "*" lets any account
PutEvents, a snapshot's `shared_accounts` ["all"] lets any account restore it, a multi-region access point's
`details.policy` and an ECR repository creation template's `repository_policy` are whole resource policies. The
pack reads what it knows by name; what it does not know must not pass silently. So the installed SDK is scanned
(`scan`) for every input, top-level or nested in an Args block, whose name speaks of a policy, a principal, a
permission or a share (`NAME_PATTERN`), and every name found is classified here once (`DOCUMENT_NAMES`,
`GRANTEE_NAMES`, `CONTAINER_NAMES`, `NOT_GRANTS`); tests/policies/test_grant_inputs.py fails on a name the scan
finds that none of them holds, and on a grantee input no rule judges and no reason excuses.

Where each kind is judged:
- a grantee input (who the resource is shared with) by `resource-policy-not-public` (policies.rules.
  resource_policies `SHARE_INPUTS`: the value AWS documents as "everyone"), or excused per type in
  `NAMED_GRANTEES` (the input names one member, never everyone);
- a document by the rule that reads its type (policies.rules.coverage `READ_POLICY_TYPES`), or excused per type
  (coverage `NOT_PERMISSION_POLICIES`); any other document that a program sets is a `resource-not-judged`
  finding naming the input (P148), and one left unset is nothing to read.

The paths of both kinds per type are stored in `grant_inputs.json` (`python -m policies.grant_inputs --write`),
like policies/sdk_inputs.json: the pack judges without importing the SDK per type, and
tests/policies/test_grant_inputs.py keeps the table equal to the installed SDK.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from policies.lib import get, is_list

TABLE_FILE = Path(__file__).with_name("grant_inputs.json")
#: Input names (snake_case) the scan collects: the brief's `*policy*`, `principal*`, `*permission*`,
#: `shared_accounts`, and the `group`/`user_groups` of launch permissions, whose value "all" is everyone
#: (EC2 API LaunchPermission `Group`: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html).
NAME_PATTERN = re.compile(r"polic|principal|permission|shared_accounts|^group$|^user_groups$")

#: Names that hold a permission document in IAM's grammar (Version/Statement/Principal/Action).
DOCUMENT_NAMES = frozenset(
    {
        "policy",
        "policy_document",
        "access_policy",
        "access_policies",
        "resource_policy",
        "repository_policy",
        "assume_role_policy",
        "inline_policy",
        "session_policy",
        "delivery_destination_policy",
        "kms_policy_document",
        "s3_policy_document",
        "sts_policy_document",
        "policy_template",
    }
)
#: Names that say who is granted or shared with (an account, a principal ARN, a group such as "all").
GRANTEE_NAMES = frozenset(
    {
        "principal",
        "principal_arn",
        "principals",
        "allowed_principals",
        "shared_accounts",
        "share_principals",
        "grantee_principal",
        "retiring_principal",
        "group",
        "user_groups",
        "iam_principal",
        "match_principals",
        "service_principal",
        "aws_service_access_principals",
        "platform_principal",
        "kerberos_principal",
        "data_lake_principal_identifier",
        "principal_id",
        "allow_external_principals",
    }
)
#: Names of blocks that hold documents or grantees; the scan judges what is inside them, not the block.
CONTAINER_NAMES = frozenset(
    {
        "inline_policies",
        "permissions",
        "create_database_default_permissions",
        "create_table_default_permissions",
        "principal_role",
        "creation_permissions",
        "custom_policy_details",
        "launch_permission",
    }
)
#: Names that match the pattern but grant nothing, by why.
NOT_GRANTS: dict[str, frozenset[str]] = {
    "a switch that blocks public policies or detaches policies (read where it matters by the S3 rules)": (
        frozenset({"block_public_policy", "force_detach_policies", "bypass_policy_lockout_safety_check"})
    ),
    "an S3 ACL, read by s3-no-public-acl and its neighbours (policies/rules/s3.py reads accessControlPolicy.grants)": (
        frozenset({"access_control_policy"})
    ),
    "what is granted (READ, INSTANCE-ATTACH, ENABLED, a permission list), never who: the grantee is its own input": (
        frozenset({"permission", "permissions_with_grant_options", "overwrite_child_resource_permissions_with_default"})
    ),
    "a reference to a boundary, role or policy engine judged on its own resource": (
        frozenset({"permissions_boundary", "permissions_config", "policy_engine_configuration"})
    ),
    "a behaviour setting named a policy (deployment, capacity, language, routing, header, lifecycle, signing)": (
        frozenset(
            {
                "blue_green_update_policy",
                "excess_capacity_termination_policy",
                "language_selection_policy",
                "scaling_policy_update_behavior",
                "routing_http_response_content_security_policy_header_value",
                "delete_all_policy_resources",
                "policy_details",
                "policy_rule",
                "policies",
                "iam_policy_constraints",
            }
        )
    ),
    "a secret of a Kerberos realm, not a grant": frozenset({"cross_realm_trust_principal_password"}),
    "a rule language other than IAM (AWS Config Guard, CloudFormation stack policy, a mail or network policy)": (
        frozenset({"policy_text", "policy_body", "policy_statements", "base_policy_document", "create_base_policy"})
    ),
}
#: A name ending so is a reference (ARN, id, name, type) to something the pack judges on its own resource, a
#: numeric or label setting; checked after the explicit sets above, so `principal_arn` stays a grantee.
_REFERENCE_SUFFIX = re.compile(
    r"(_arns?|_ids?|_names?|_types?|_labels?|_version|_revision|_number|_period_in_minutes|_seconds|_in_ms|_url"
    r"|_claim|_tags|_org_id|_language|_runtime|_option|_scope|_mode|_model|_level|_variables|_regions"
    r"|_reference|_references|_attributes|_change_protection|_check)$"
)
#: A behaviour setting: a `*_policy` whose first word says what it governs (none is a permission document).
_SETTING_POLICY = re.compile(
    r"^(action_failure|alpn|archive|auto|auto_export|auto_import|auto_scaling|auto_termination|autoscaling|backup"
    r"|blue_green|browser|cidr_routing|client|configuration|content|content_security|contextual_grounding"
    r"|data_deletion|default|delete_propagation|delivery|dns|dns_record_client_routing|enterprise|excess_capacity"
    r"|failover_routing|fair_share|filter|game_server_protection|geolocation_routing|geoproximity_routing|https"
    r"|idle|image_pull|instance_lifecycle|instance_maintenance|instance_reuse|latency_routing|lf_tag|lifecycle"
    r"|mixed_instances|multivalue_answer_routing|network_acl_common|network_firewall|new_game_session_protection"
    r"|notification|origin_protocol|padding|password|permission|pit|player_latency|predictive_scaling|protocol"
    r"|pull_request_build|recrawl|redrive|redrive_allow|referrer|replay|resource_creation_limit|restart"
    r"|retention|retry|rolling_update|routing|scale_in|scale_out|scaling|schema_change|security|security_service"
    r"|sensitive_information|sign_in|sizing|snapshot|ssl|step_scaling|stream_exception|target_tracking_scaling"
    r"|termination|third_party_firewall|tiering|tls|tls_security|topic|update|upgrade|user_context"
    r"|viewer_protocol|web_app_endpoint|weighted_routing|word|firewall|lf_tag|content_config|thumbnail_config"
    r"|posix|ec2_inbound|self_service|bootstrap_cluster_creator_admin|row_level|column_level|excess)"
    r"_(policy|policies|policy_config|policy_configuration|permissions?|policy_data|policy_rule|policy_details"
    r"|permission_rules|permission_data_set|permission_tag_configuration)$"
)


#: A name that holds managed policy ARNs (`managed_policy_arns`, `policy_arn`, `guardrail_policy_arns`): not a
#: reference to a resource judged on its own (an AWS managed policy is no resource of the program), so it is
#: classified before `_REFERENCE_SUFFIX`; policies.rules.iam MANAGED_POLICY_ARN_INPUTS judges each per type or
#: NOT_GRANTING_POLICY_ARN_INPUTS says why not (tests/policies/test_managed_policy_inputs.py, review2 s10 #2).
MANAGED_ARN_NAME = re.compile(r"policy_arns?$|managed_polic")


def name_kind(name: str) -> str | None:
    """`document`, `grantee`, `container`, `managed` or `setting` for an input name the scan found; None when
    unclassified."""
    if MANAGED_ARN_NAME.search(name):
        return "managed"
    for kind, names in (("document", DOCUMENT_NAMES), ("grantee", GRANTEE_NAMES), ("container", CONTAINER_NAMES)):
        if name in names:
            return kind
    if any(name in names for names in NOT_GRANTS.values()):
        return "setting"
    if _REFERENCE_SUFFIX.search(name) or _SETTING_POLICY.match(name):
        return "setting"
    return None


def camel(name: str) -> str:
    """The engine-side name of a snake_case SDK input (`repository_policy` -> `repositoryPolicy`)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# ------------------------------------------------------------------------------------------- the SDK scan

_ARGS = re.compile(r"\b(\w+Args)\b")
_SKIPPED = frozenset({"__self__", "self", "resource_name", "opts", "resource_options", "__props__", "tags"})


def _walk(cls: Any, module: Any, path: tuple[str, ...], seen: frozenset[str], found: list[tuple[str, ...]]) -> None:
    """Every input path of `cls` (a resource or an Args block) whose last name matches NAME_PATTERN; documents
    are leaves (a typed PolicyDocument's `statement.principal` is part of the document, judged with it)."""
    init = getattr(cls, "_internal_init", None) or cls.__init__
    for name, parameter in inspect.signature(init).parameters.items():
        if name in _SKIPPED:
            continue
        here = (*path, name)
        if NAME_PATTERN.search(name):
            found.append(here)
            if name_kind(name) in ("document", "grantee", "setting", "managed"):
                continue
        for block in sorted(set(_ARGS.findall(str(parameter.annotation)))):
            inner = getattr(module, block, None)
            if inspect.isclass(inner) and block not in seen and len(here) < 6:
                _walk(inner, module, here, seen | {block}, found)


def scan() -> dict[str, list[tuple[str, ...]]]:
    """type token -> the (snake_case) paths NAME_PATTERN matches, for every resource of the installed pulumi-aws
    (imports all of it: slow; the test and `--write` only)."""
    from policies.sdk import _sdk_resource_tokens, resource_class  # noqa: PLC0415

    result: dict[str, list[tuple[str, ...]]] = {}
    for token in _sdk_resource_tokens():
        cls = resource_class(token)
        if cls is None:
            continue
        found: list[tuple[str, ...]] = []
        _walk(cls, sys.modules[cls.__module__], (), frozenset(), found)
        if found:
            result[token] = found
    return result


def table() -> dict[str, object]:
    """The stored form: per kind (`documents`, `grantees`), type token -> the engine-side dotted paths."""
    from importlib.metadata import version  # noqa: PLC0415

    kinds: dict[str, dict[str, list[str]]] = {"documents": {}, "grantees": {}}
    for token, paths in scan().items():
        for path in paths:
            kind = name_kind(path[-1])
            if kind in ("document", "grantee"):
                kinds[f"{kind}s"].setdefault(token, []).append(".".join(camel(step) for step in path))
    return {
        "generated_by": "python -m policies.grant_inputs --write",
        "pulumi_aws_version": version("pulumi_aws"),
        **{kind: {t: sorted(set(p)) for t, p in sorted(by_type.items())} for kind, by_type in kinds.items()},
    }


@functools.cache
def _stored() -> dict[str, Any]:
    return dict(json.loads(TABLE_FILE.read_text(encoding="utf-8")))


def document_paths(resource_type: str) -> tuple[str, ...]:
    """The engine-side paths of a pulumi-aws type's permission documents (the stored table)."""
    return tuple(_stored()["documents"].get(resource_type, ()))


def documents_by_type() -> dict[str, tuple[str, ...]]:
    return {t: tuple(p) for t, p in _stored()["documents"].items()}


def grantees_by_type() -> dict[str, tuple[str, ...]]:
    return {t: tuple(p) for t, p in _stored()["grantees"].items()}


# ------------------------------------------------------------------------------------------ reading values


def values_at(props: Any, path: str) -> Iterator[Any]:
    """Every value at a dotted path, lists walked through (`distributions.amiDistributionConfiguration...`);
    an unknown value raises UnknownValueError as `get` does."""
    yield from _values(props, path.split("."))


def _values(current: Any, steps: list[str]) -> Iterator[Any]:
    if not steps:
        if is_list(current):
            yield from (item for item in current if item is not None)
        elif current is not None:
            yield current
        return
    if is_list(current):
        for item in current:
            yield from _values(item, steps)
        return
    value = get(current, steps[0])
    if value is not None:
        yield from _values(value, steps[1:])


def is_set(value: Any) -> bool:
    """A value a rule would have to read: not absent, not an empty string, list or map."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, dict) or is_list(value):
        return len(value) > 0
    return True


def set_paths(props: Any, paths: tuple[str, ...], on_unknown: Callable[[UnknownValueError], None]) -> list[str]:
    """The paths among `paths` that carry a set value; an unknown one goes to `on_unknown` (judged by the
    unknown-value rules) and is not counted."""
    result = []
    for path in paths:
        try:
            if any(is_set(value) for value in values_at(props, path)):
                result.append(path)
        except UnknownValueError as error:
            on_unknown(error)
    return result


def main(argv: list[str] | None = None) -> int:
    from policies.stored_tables import write_command  # noqa: PLC0415

    return write_command(
        "python -m policies.grant_inputs", "Write the stored grant inputs table.", table, TABLE_FILE, 1, argv=argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
