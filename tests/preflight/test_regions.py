"""Regions decided offline as Pulumi and the AWS providers decide them (preflight/regions.py, issue 11): fabricated
outputs in each resource's own region, a provider whose region the program does not state judged the same whatever
the gate's environment, and said so in the notes and by `allowed-regions`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from preflight.engine import synthesize
from preflight.errors import ProgramError
from preflight.graph import ResourceGraph, ResourceNode
from tests.policies.conftest import flagged, run_one
from tests.preflight.programs import REPO_ROOT, write_program

#: A CloudFront site in eu-west-1 whose certificate must live in us-east-1 (ACM for CloudFront: "you must request
#: the certificate in the US East (N. Virginia) Region"), its bucket replicated to eu-central-1, a queue placed in
#: ap-southeast-2 by pulumi-aws v7's per-resource `region`, and data sources read through each provider.
_MULTI_REGION = """
import pulumi
import pulumi_aws as aws

use1 = aws.Provider("use1", region="us-east-1")
replica_region = aws.Provider("replica-region", region="eu-central-1")
cert = aws.acm.Certificate("cert", domain_name="example.com", validation_method="DNS",
                           opts=pulumi.ResourceOptions(provider=use1))
site = aws.s3.Bucket("site")
replica = aws.s3.Bucket("replica", opts=pulumi.ResourceOptions(provider=replica_region))
aws.cloudfront.Distribution("cdn", enabled=True, default_root_object="index.html",
    origins=[{"domain_name": site.bucket_regional_domain_name, "origin_id": "s3"}],
    default_cache_behavior={"allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                            "target_origin_id": "s3", "viewer_protocol_policy": "redirect-to-https",
                            "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"acm_certificate_arn": cert.arn, "ssl_support_method": "sni-only"})
queue = aws.sqs.Queue("placed", region="ap-southeast-2")
aws.sqs.Queue("here")
aws.sqs.Queue("regions", tags={"read": pulumi.Output.all(
    aws.get_region_output(opts=pulumi.InvokeOptions(provider=use1)).name,
    aws.get_region_output(opts=pulumi.InvokeOptions(provider=replica_region)).name,
    aws.get_region_output().name,
).apply(",".join)})
"""


def _node(graph: ResourceGraph, name: str) -> ResourceNode:
    return next(n for n in graph.resources if n.name == name)


@pytest.fixture(autouse=True)
def _no_region_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a machine without AWS_REGION/AWS_DEFAULT_REGION (tests/functions sets them for the
    whole process); a test that wants them sets them itself."""
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="module")
def multi_region(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    root = write_program(tmp_path_factory.mktemp("multi"), _MULTI_REGION, config={"aws:region": "eu-west-1"})
    with pytest.MonkeyPatch.context() as env:  # other suites (tests/functions) leave AWS_REGION set in the process
        for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            env.delenv(variable, raising=False)
        return synthesize(root, "dev")


def test_outputs_are_fabricated_in_each_resources_region(multi_region: ResourceGraph) -> None:
    cert = _node(multi_region, "cert").outputs["arn"]
    assert cert.startswith("arn:aws:acm:us-east-1:123456789012:certificate/"), cert
    # The distribution is given the certificate's ARN as the program wires it.
    assert _node(multi_region, "cdn").inputs["viewerCertificate"]["acmCertificateArn"] == cert
    assert _node(multi_region, "site").outputs["bucketRegionalDomainName"].endswith(".s3.eu-west-1.amazonaws.com")
    assert _node(multi_region, "replica").outputs["bucketRegionalDomainName"].endswith(".s3.eu-central-1.amazonaws.com")
    placed = _node(multi_region, "placed").outputs
    assert placed["arn"].startswith("arn:aws:sqs:ap-southeast-2:"), placed["arn"]
    assert placed["url"].startswith("https://sqs.ap-southeast-2.amazonaws.com/"), placed["url"]
    assert _node(multi_region, "here").outputs["arn"].startswith("arn:aws:sqs:eu-west-1:")


def test_data_sources_read_their_providers_region(multi_region: ResourceGraph) -> None:
    assert _node(multi_region, "regions").inputs["tags"]["read"] == "us-east-1,eu-central-1,eu-west-1"


def test_stated_regions_leave_no_note(multi_region: ResourceGraph) -> None:
    assert [n for n in multi_region.notes if n.startswith("region:")] == []


_UNSTATED = """
import pulumi
import pulumi_aws as aws

bare = aws.Provider("bare")
aws.sqs.Queue("q", opts=pulumi.ResourceOptions(provider=bare))
"""
_REGIONS = {"allowedRegions": ["eu-west-1"]}


def test_the_gates_own_region_variables_do_not_reach_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An explicit provider without a region: under AWS_REGION=eu-west-1 the SDK would give it eu-west-1 at program
    time (pulumi_aws provider.py L779-L781) and `allowed-regions` would pass on that machine only."""
    root = write_program(tmp_path / "p", _UNSTATED, config={"aws:region": "eu-west-1"})
    clean = synthesize(root, "dev")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    under_env = synthesize(root, "dev")
    assert "region" not in _node(under_env, "bare").inputs
    assert [n.to_dict() for n in under_env.resources] == [n.to_dict() for n in clean.resources]
    assert flagged(clean, "allowed-regions", _REGIONS) == flagged(under_env, "allowed-regions", _REGIONS) == {"bare"}
    hidden = [n for n in under_env.notes if n not in clean.notes]
    assert len(hidden) == 1 and hidden[0].startswith(
        "region: AWS_DEFAULT_REGION=eu-west-1, AWS_REGION=eu-west-1 is set where the gate runs; the program ran "
        "without it"
    ), under_env.notes
    import os  # noqa: PLC0415 (the variables are the gate's again after the run)

    assert os.environ["AWS_REGION"] == "eu-west-1"


def test_an_unstated_provider_region_is_a_note_and_fabricated_in_the_default(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path / "p", _UNSTATED, config={"aws:region": "eu-west-1"}), "dev")
    assert _node(graph, "q").outputs["arn"].startswith("arn:aws:sqs:us-east-1:")
    assert [n for n in graph.notes if n.startswith("region:")] == [
        "region: provider bare (pulumi:providers:aws) states no region, so it deploys to the deploying environment's "
        "region: AWS_REGION or AWS_DEFAULT_REGION where the program runs, else the AWS profile's shared config; "
        "offline its resources' ARNs and endpoints are fabricated in us-east-1"
    ]


def test_the_default_provider_without_aws_region(tmp_path: Path) -> None:
    root = write_program(tmp_path / "p", 'import pulumi_aws as aws\naws.sqs.Queue("q")\n')
    (root / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"sample:x": "y"}}), encoding="utf-8")
    graph = synthesize(root, "dev")
    assert [n for n in graph.notes if n.startswith("region:")] == [
        "region: the stack config has no aws:region, so the default aws provider deploys to the deploying "
        "environment's region: AWS_REGION or AWS_DEFAULT_REGION where the program runs, else the AWS profile's "
        "shared config; offline its resources' ARNs and endpoints are fabricated in us-east-1"
    ]
    # The default provider is the engine's, not a resource of the graph: a stack-wide finding naming it.
    found = run_one(graph, "allowed-regions", _REGIONS)
    assert [(f.resource, f.message.split(",")[0]) for f in found] == [
        ("", "default: the stack config has no aws:region")
    ]
    assert run_one(graph, "allowed-regions") == []  # nothing allowed said: the note only


def test_aws_native_resources_take_the_aws_native_region(tmp_path: Path) -> None:
    """aws-native's default provider reads `aws-native:region`, not `aws:region` (pulumi_aws_native config/vars.py)."""
    body = (
        "import pulumi\nimport pulumi_aws_native as aws_native\n"
        'aws_native.sqs.Queue("native")\n'
        'west = aws_native.Provider("west", region="us-west-2")\n'
        'aws_native.sqs.Queue("native_west", opts=pulumi.ResourceOptions(provider=west))\n'
    )
    root = write_program(tmp_path / "p", body, config={"aws:region": "eu-west-1", "aws-native:region": "eu-north-1"})
    graph = synthesize(root, "dev")
    assert _node(graph, "native").outputs["queueUrl"].startswith("https://sqs.eu-north-1.amazonaws.com/")
    assert _node(graph, "native_west").outputs["queueUrl"].startswith("https://sqs.us-west-2.amazonaws.com/")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_templates_own_stacks_state_every_providers_region(stack: str) -> None:
    """The template's Greengrass resources (components/devices.py) are aws-native's: its default provider reads
    `aws-native:region`, which the stack files did not set, so they deployed to the CI runner's AWS_REGION."""
    graph = synthesize(REPO_ROOT, stack)
    assert [n for n in graph.notes if n.startswith("region:")] == []
    assert flagged(graph, "allowed-regions", {"allowedRegions": ["us-east-1"]}) == set()


def test_an_aws_native_provider_without_region_fails_as_the_sdk_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pulumi_aws_native provider.py L519-L522 raises when neither `region` nor the variables give one: with the
    gate's AWS_REGION left out, the program fails here as on a deploying machine without it (exit 2, its line)."""
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    body = "import pulumi_aws_native as aws_native\naws_native.Provider('native')\n"
    with pytest.raises(ProgramError, match=r"__main__\.py:2: TypeError: Missing required property 'region'"):
        synthesize(write_program(tmp_path / "p", body), "dev")
