"""Derive which pulumi-aws type each Terraform resource type checkov checks is, from the bridge's naming rules.

Why: a hand-picked table leaves whole services unscanned (RDS, ECS, load balancers, EKS, Redshift,
Glue, AppSync...). pulumi-aws is generated from the Terraform AWS provider by the Pulumi Terraform
bridge, and its tokens follow rules (pulumi/pulumi-aws `provider/resources.go`, which computes
tokens from Terraform names with `MustComputeTokens`/`KnownModules`; the result is recorded per
token in `provider/cmd/pulumi-resource-aws/bridge-metadata.json`, `renames.resources`):

1. `aws_<prefix>_<rest>` is `aws:<module>/<camel(rest)>:<Pascal(rest)>`, where `<prefix>` is the
   module's name or one of its Terraform prefixes (`MODULE_PREFIXES`: `aws_api_gateway_*` lives in
   `apigateway`, `aws_config_*` in `cfg`, `aws_db_*` in `rds`, `aws_prometheus_*` in `amp`);
2. the legacy unprefixed resources (`aws_instance`, `aws_vpc`, `aws_security_group`) are
   `aws:<module>/<camel(name)>` in the few modules that hold them (`UNPREFIXED_MODULES`);
3. the rest are exceptions, listed in `TF_EXCEPTIONS` as bridge-metadata.json records them.

`derive()` applies the rules to the tokens of the installed SDK and the resource types of the
installed checkov's checks (listed by `CHECKOV_TYPES_SCRIPT`, run with checkov's own interpreter);
`python -m preflight.tfplan.derive --write` stores the result in `checkov_types.json`, which the
bridge reads (no checkov import at gate time), and a test keeps the file in step with both.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from policies import stored_tables
from preflight import derived_tables
from preflight.errors import PreflightError

#: Where the derived table lives, next to this module.
TABLE_FILE = Path(__file__).with_name("checkov_types.json")

#: Terraform name prefixes of pulumi-aws modules whose prefix is not the module's own name
#: (pulumi/pulumi-aws provider/resources.go module table; e.g. bridge-metadata.json
#: `"aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api"`, `"aws:cfg/rule:Rule": "aws_config_config_rule"`,
#: `"aws:amp/workspace:Workspace": "aws_prometheus_workspace"`, `"aws:rds/instance:Instance": "aws_db_instance"`).
MODULE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "apigateway": ("api_gateway",),
    "cfg": ("config",),
    "amp": ("prometheus",),
    "rds": ("rds", "db"),
    "ec2clientvpn": ("ec2_client_vpn",),
}

#: Modules holding Terraform's unprefixed legacy resources (`aws_instance` is `aws:ec2/instance:Instance`,
#: `aws_load_balancer_policy` is `aws:elb/loadBalancerPolicy:LoadBalancerPolicy`), in order of precedence.
UNPREFIXED_MODULES: tuple[str, ...] = ("ec2", "elb")

#: Terraform types whose token follows neither rule (bridge-metadata.json `renames.resources`).
TF_EXCEPTIONS: Mapping[str, str] = {
    "aws_alb": "aws:alb/loadBalancer:LoadBalancer",
    "aws_lb": "aws:lb/loadBalancer:LoadBalancer",
    "aws_elb": "aws:elb/loadBalancer:LoadBalancer",
    "aws_appsync_graphql_api": "aws:appsync/graphQLApi:GraphQLApi",
    "aws_cloudtrail": "aws:cloudtrail/trail:Trail",
    "aws_codepipeline": "aws:codepipeline/pipeline:Pipeline",
    "aws_config_configuration_recorder": "aws:cfg/recorder:Recorder",
    "aws_config_configuration_recorder_status": "aws:cfg/recorderStatus:RecorderStatus",
    "aws_config_config_rule": "aws:cfg/rule:Rule",
    "aws_ec2_transit_gateway": "aws:ec2transitgateway/transitGateway:TransitGateway",
    "aws_elastic_beanstalk_environment": "aws:elasticbeanstalk/environment:Environment",
    "aws_fsx_openzfs_file_system": "aws:fsx/openZfsFileSystem:OpenZfsFileSystem",
    "aws_s3_bucket_replication_configuration": "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws_bedrockagent_agent": "aws:bedrock/agentAgent:AgentAgent",
    "aws_s3_object": "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws_docdbelastic_cluster": "aws:docdb/elasticCluster:ElasticCluster",
    "aws_ec2_instance_connect_endpoint": "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint",
    "aws_opensearchserverless_vpc_endpoint": "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint",
    "aws_route53_hosted_zone_dnssec": "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec",
}

#: Terraform types checkov checks that no pulumi-aws resource is, with the reason.
UNMAPPABLE: Mapping[str, str] = {
    "aws_db_security_group": "EC2-Classic DB security group: removed from the Terraform AWS provider (v5) "
    "and from pulumi-aws (v6); no program can declare it",
    "aws_elasticache_security_group": "EC2-Classic ElastiCache security group: removed from the Terraform AWS "
    "provider (v5) and from pulumi-aws (v6)",
    "aws_redshift_security_group": "EC2-Classic Redshift security group: removed from the Terraform AWS "
    "provider (v5) and from pulumi-aws (v6)",
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def sdk_resource_tokens() -> tuple[str, ...]:
    """Every resource token of the installed pulumi-aws."""
    return derived_tables.sdk_resource_tokens("pulumi_aws")


def rule_names(token: str) -> tuple[tuple[int, str], ...]:
    """(rule, Terraform name) pairs the bridge's rules give a token: rule 1 prefixed, rule 2 unprefixed."""
    module, name = token.split(":")[1].split("/", 1)
    rest = snake_case(name)
    names = [(1, f"aws_{prefix}_{rest}") for prefix in MODULE_PREFIXES.get(module, (module,))]
    if module in UNPREFIXED_MODULES:
        names.append((2, f"aws_{rest}"))
    return tuple(names)


def derive(tf_types: Iterable[str], tokens: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Terraform type -> token for each of `tf_types`, and the types no rule or exception maps."""
    by_name: dict[str, list[tuple[int, int, str]]] = {}
    for token in tokens:
        module = token.split(":")[1].split("/", 1)[0]
        order = UNPREFIXED_MODULES.index(module) if module in UNPREFIXED_MODULES else 0
        for rule, name in rule_names(token):
            by_name.setdefault(name, []).append((rule, order, token))
    known = set(tokens)
    mapped: dict[str, str] = {}
    missing: list[str] = []
    for tf_type in sorted(set(tf_types)):
        exception = TF_EXCEPTIONS.get(tf_type)
        if exception is not None and exception in known:
            mapped[tf_type] = exception
            continue
        candidates = sorted(by_name.get(tf_type, []))
        if candidates:
            mapped[tf_type] = candidates[0][2]  # prefixed before unprefixed, then module precedence
        elif tf_type not in UNMAPPABLE:
            missing.append(tf_type)
    return mapped, missing


def checkov_tf_types(checkov_python: Path) -> tuple[str, list[str]]:
    """checkov's version and the AWS Terraform types its checks read, from checkov's own interpreter."""
    return derived_tables.checkov_checked_types(checkov_python, derived_tables.TERRAFORM)


def table(checkov_python: Path) -> dict[str, object]:
    listing = derived_tables.checkov_listing(checkov_python, derived_tables.TERRAFORM)
    version, tf_types = str(listing["checkov_version"]), list(listing["types"])
    mapped, missing = derive(tf_types, sdk_resource_tokens())
    return {
        "generated_by": "python -m preflight.tfplan.derive --write",
        "checkov_version": version,
        "pulumi_aws_version": pulumi_aws_version(),
        "checked_types": sorted(tf_types),
        "mapped": mapped,
        "unmapped": missing,
        "inspected": derived_tables.inspected(listing["inspected"], mapped),
    }


def pulumi_aws_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("pulumi_aws")


@functools.cache
def derived_types() -> Mapping[str, str]:
    """pulumi-aws token -> Terraform type, from the stored table (first Terraform name wins for aliases)."""
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for tf_type, token in sorted(data["mapped"].items()):
        out.setdefault(token, tf_type)
    return out


@functools.cache
def _sdk_token_set() -> frozenset[str]:
    return frozenset(sdk_resource_tokens())


@functools.cache
def inspected_attributes() -> Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]:
    """Terraform type -> check id -> `paths` and `words` it reads, from the stored table (`inspected`)."""
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return {
        tf_type: {
            check_id: {"paths": tuple(entry["paths"]), "words": tuple(entry["words"])}
            for check_id, entry in checks.items()
        }
        for tf_type, checks in data.get("inspected", {}).items()
    }


@functools.cache
def checked_types() -> frozenset[str]:
    """The Terraform types the installed checkov's checks read (resource checks, and graph checks' resource and
    connected types), from the stored table: a plan resource of any other type has no checks, not a gap."""
    return frozenset(json.loads(TABLE_FILE.read_text(encoding="utf-8"))["checked_types"])


def ruled_type(token: str) -> str | None:
    """The Terraform name rule 1 gives any other pulumi-aws token, so checkov sees every resource.

    Never a type checkov checks (those come from the derived table alone): a rule that misfires on a
    type checkov has no checks for costs nothing, one that misfires onto a checked type would mislead.
    """
    parts = token.split(":")
    if len(parts) != 3 or parts[1].startswith("index/") or token not in _sdk_token_set():
        return None
    names = [name for rule, name in rule_names(token) if rule == 1]
    return names[0] if names and names[0] not in checked_types() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.tfplan.derive", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_FILE.name}")
    parser.add_argument(
        "--checkov-python", default=str(derived_tables.DEFAULT_CHECKOV_PYTHON), help="checkov's interpreter"
    )
    args = parser.parse_args(argv)
    try:
        data = table(Path(args.checkov_python))
    except PreflightError as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
    stored_tables.emit(data, TABLE_FILE, write=args.write, indent=2)
    return 1 if data["unmapped"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
