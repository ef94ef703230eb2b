"""Real public Pulumi programs (reproduced in tests/preflight/public_programs.py) synthesise, deterministically."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.engine import synthesize
from preflight.graph import STACK_TYPE, UNKNOWN
from preflight.layers import LAYERS
from tests.policies.test_pack import leaks
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS, PublicProgram


def _write(root: Path, program: PublicProgram) -> Path:
    return write_program(root, program.main, name=program.name, config=program.config, files=program.files)


@pytest.mark.parametrize("key", sorted(PROGRAMS))
def test_public_program_synthesises_like_its_original(tmp_path: Path, key: str) -> None:
    program = PROGRAMS[key]
    directory = _write(tmp_path / key, program)
    first = synthesize(directory, "dev", timeout=120)
    second = synthesize(directory, "dev", timeout=120)
    assert first.to_json() == second.to_json()  # deterministic: same graph, byte for byte
    types = Counter(node.type for node in first if node.type != STACK_TYPE)
    assert dict(types) == program.types  # what the original synthesises to
    # Every dependency names a resource of the graph or one it reads (`Resource.get`, a StackReference).
    urns = {node.urn for node in first} | {read.urn for read in first.reads}
    dangling = {d for node in first for d in node.dependencies if d not in urns}
    assert not dangling, dangling
    assert [(r.type, r.id) for r in first.reads] == program.reads  # what the original reads, with its id


def test_a_dozen_or_more_programs_cover_the_idioms() -> None:
    assert len(PROGRAMS) >= 46  # 13 of the first round, 9 of the second, 10 of the third, 6 of the fourth, 8 more
    every = Counter(t for p in PROGRAMS.values() for t in p.types)
    for needed in (
        "aws:ec2/instance:Instance",
        "aws:ecs/service:Service",
        "aws:eks/cluster:Cluster",
        "aws:redshift/cluster:Cluster",
        "aws:glue/job:Job",
        "aws:apigateway/restApi:RestApi",
        "aws:apigatewayv2/api:Api",
        "aws:sfn/stateMachine:StateMachine",
        "aws:cloudfront/distribution:Distribution",
        "pulumi:providers:aws",
        # second round: another provider's resources, RDS, AppSync, a separate rule, provisioned concurrency
        "random:index/randomPassword:RandomPassword",
        "aws:rds/instance:Instance",
        "aws:appsync/graphQLApi:GraphQLApi",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        # third round: a dynamic provider, commands, docker images, another provider fed by RDS, components
        # built by their plugin (remote), transit-gateway networking
        "pulumi-python:dynamic:Resource",
        "command:remote:Command",
        "command:local:Command",
        "docker-build:index:Image",
        "docker:index/image:Image",
        "pulumi:providers:mysql",
        "awsx:ec2:Vpc",
        "awsx:ecs:FargateService",
        "aws-apigateway:index:RestAPI",
        "aws:ec2transitgateway/transitGateway:TransitGateway",
        # fourth round: serverless and data services outside pulumi/examples (queues with a dead-letter queue and
        # a mapping, topic subscriptions, function URLs, S3 notifications, Firehose, Cognito identity pools)
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:lambda/functionUrl:FunctionUrl",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "aws:cognito/identityPool:IdentityPool",
        # fourth round (containers, networking, databases): aws-native load balancers beside pulumi-aws, EKS node
        # groups behind NAT gateways, ElastiCache, service auto scaling, launch templates in auto scaling groups
        "aws-native:elasticloadbalancingv2:LoadBalancer",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:ec2/natGateway:NatGateway",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:appautoscaling/policy:Policy",
        "aws:ec2/launchTemplate:LaunchTemplate",
        # fifth round: Pinpoint into Firehose, Glue crawlers and Athena, budgets, an OIDC provider trust, an aws-native
        # Express state machine, a CLOUDFRONT-scope web ACL and an origin access control, a SageMaker endpoint
        "aws:pinpoint/eventStream:EventStream",
        "aws:glue/crawler:Crawler",
        "aws:athena/workgroup:Workgroup",
        "aws:budgets/budget:Budget",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws-native:stepfunctions:StateMachine",
        "aws:wafv2/webAcl:WebAcl",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:iam/accessKey:AccessKey",
    ):
        assert every[needed], needed
    assert {p.repo.split("@")[0] for p in PROGRAMS.values()} == {
        "pulumi/examples",
        "pulumi/templates",
        "pulumi/training",
        "pulumi/workshops",
        "jaxxstorm/pulumi-examples",
        "mohdizzy/pulumi-python-lambda",
        "sebastianczech/learn-pulumi-aws-python",
        "nuage-studio/pulumi-aws-tracking-pipeline",
        "omdv/options-advisor",
        "osw282/pulumi-aws-eks-hello-world-demo",
        "joshuamkite/pulumi-python-aws-asg-ec2-webserver",
        "kaniak274/scheduled-ecs-pulumi-python",
        "svodwood/pulumi-eks-cilium-demo-webstore",
        "alendwahida/iac-deploy-ecs-aws-with-pulumi-py",
        "JManzur/aws-pulumi-python-linux-bastion",
        "CharlesSieg/pul-py-config-telemetry-pipeline",
        "Wayasay/AWS-Budget-Alert-System-Pulumi-Python-Template",
        "nizarakbarm/oidc-github-pulumi-py",
        "pulumi/docs",
        "0xChaser/cloud_module",
    }


def test_explicit_provider_is_recorded_on_its_resources(tmp_path: Path) -> None:
    graph = synthesize(_write(tmp_path, PROGRAMS["static-website"]), "dev")
    east = next(n for n in graph if n.type == "pulumi:providers:aws")
    certificate = next(n for n in graph if n.type == "aws:acm/certificate:Certificate")
    assert certificate.provider.startswith(east.urn + "::")
    assert east.inputs["region"] == "us-east-1"


def test_stack_reference_outputs_are_unknown_not_invented(tmp_path: Path) -> None:
    """Another stack's outputs cannot be known offline: they stay unknown, as in a preview without access."""
    graph = synthesize(_write(tmp_path, PROGRAMS["stackreference-team"]), "dev")
    tags = next(n for n in graph if n.name == "tagged").inputs["tags"]
    assert tags["team"] == "web" and tags["Managed By"] == "Pulumi"
    assert tags["company"] in (UNKNOWN, None)


def test_remote_components_of_the_originals_are_named_for_the_report(tmp_path: Path) -> None:
    """Every multi-language component a reproduction registers is in `remote_components` (reported as not
    judged by preflight/unseen.py), and no other component is."""
    for key in ("hub-and-spoke", "container-service", "apigateway-routes-component"):
        graph = synthesize(_write(tmp_path / key, PROGRAMS[key]), "dev", timeout=120)
        remote = {n.urn for n in graph if n.type.split(":")[0] in ("awsx", "aws-apigateway")}
        assert remote and set(graph.remote_components) == remote, key


@pytest.mark.usefixtures("checkov_present")
@pytest.mark.parametrize("key", ["serverless-raw", "slackbot"])
def test_a_public_programs_report_and_plan_carry_nothing_of_this_template(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 §2, end to end: every report the gate writes for a real foreign program (its findings' messages
    and fixes, checkov's guidance, notes, the diagram) and its `plan` name none of this template's helpers,
    settings or layers."""
    directory = _write(tmp_path / key, PROGRAMS[key])
    out = tmp_path / "out"
    assert main(["check", "--program", str(directory), "--stack", "dev", "--output-dir", str(out)]) in {0, 1}
    reports = {path.name: path.read_text(encoding="utf-8") for path in sorted(out.glob("report.*"))}
    assert {"report.json", "report.md", "report.sarif", "report.txt"} <= set(reports)
    assert '"fix"' in reports["report.json"]  # findings with their fixes were written
    assert "flowchart LR" in reports["report.md"]
    leaked = {name: leaks(text) for name, text in reports.items() if leaks(text)}
    assert not leaked, leaked
    # Layer names as the diagram and `plan` would label them (a check's prose may say "Edge", so whole labels)
    diagram = reports["report.md"].split("```mermaid", 1)[1].split("```", 1)[0]
    assert not [layer for layer in LAYERS if f'"{layer}"' in diagram or f"_{layer}" in diagram], diagram
    capsys.readouterr()
    assert main(["plan", "--program", str(directory), "--stack", "dev"]) == 0
    plan = capsys.readouterr().out
    assert not [layer for layer in LAYERS if layer in plan], plan
