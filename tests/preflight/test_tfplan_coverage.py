"""checkov sees every resource it has checks for: types derived from the bridge's rules, links in `configuration`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.sdk import resource_class
from preflight.checkov_runner import REPO_ROOT, run_checkov
from preflight.engine import synthesize
from preflight.tfplan import graph_to_tfplan, tf_type_of
from preflight.tfplan.derive import (
    TABLE_FILE,
    TF_EXCEPTIONS,
    UNMAPPABLE,
    checkov_tf_types,
    derive,
    rule_names,
    sdk_resource_tokens,
)
from tests.policies.conftest import synth
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

CHECKOV_PYTHON = REPO_ROOT / ".venv-checkov" / "bin" / "python"


def _table() -> dict[str, object]:
    data: dict[str, object] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


@pytest.mark.usefixtures("checkov_present")
def test_every_type_checkov_checks_is_mapped_or_listed_unmappable() -> None:
    version, checked = checkov_tf_types(CHECKOV_PYTHON)
    mapped, missing = derive(checked, sdk_resource_tokens())
    table = _table()
    assert missing == []  # every checked type: a rule, an exception, or UNMAPPABLE with its reason
    assert set(checked) == set(mapped) | (set(checked) & set(UNMAPPABLE))
    # The stored table is what the installed checkov and SDK give (python -m preflight.tfplan.derive --write).
    assert (table["checkov_version"], table["checked_types"], table["mapped"]) == (version, sorted(checked), mapped)


def test_stored_table_names_real_tokens_and_covers_the_issue_types() -> None:
    mapped = _table()["mapped"]
    assert isinstance(mapped, dict) and len(mapped) > 250
    assert all(resource_class(token) is not None for token in mapped.values())
    assert all(len(reason) > 30 for reason in UNMAPPABLE.values())
    # The types issue 11 found unscanned, with the Terraform names bridge-metadata.json gives them.
    for token, tf_type in {
        "aws:rds/instance:Instance": "aws_db_instance",
        "aws:rds/cluster:Cluster": "aws_rds_cluster",
        "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
        "aws:ecs/service:Service": "aws_ecs_service",
        "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
        "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
        "aws:eks/cluster:Cluster": "aws_eks_cluster",
        "aws:redshift/cluster:Cluster": "aws_redshift_cluster",
        "aws:glue/job:Job": "aws_glue_job",
        "aws:appsync/graphQLApi:GraphQLApi": "aws_appsync_graphql_api",
        "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
        "aws:autoscaling/group:Group": "aws_autoscaling_group",
        "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
        "aws:acm/certificate:Certificate": "aws_acm_certificate",
        "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
        "aws:ec2/instance:Instance": "aws_instance",
    }.items():
        assert tf_type_of(token) == tf_type, token


def test_rules_and_their_precedence() -> None:
    assert rule_names("aws:apigateway/restApi:RestApi") == ((1, "aws_api_gateway_rest_api"),)
    assert rule_names("aws:ec2/instance:Instance") == ((1, "aws_ec2_instance"), (2, "aws_instance"))
    assert rule_names("aws:rds/instance:Instance") == ((1, "aws_rds_instance"), (1, "aws_db_instance"))
    tokens = [
        "aws:ec2/instance:Instance",
        "aws:lightsail/instance:Instance",  # unprefixed names belong to the legacy modules only
        "aws:ec2/route:Route",
        "aws:ec2transitgateway/route:Route",
        "aws:elb/loadBalancerPolicy:LoadBalancerPolicy",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lightsail/lb:Lb",
    ]
    mapped, missing = derive(
        ["aws_instance", "aws_route", "aws_load_balancer_policy", "aws_lb", "aws_made_up", "aws_db_security_group"],
        tokens,
    )
    assert mapped == {
        "aws_instance": "aws:ec2/instance:Instance",
        "aws_route": "aws:ec2/route:Route",
        "aws_load_balancer_policy": "aws:elb/loadBalancerPolicy:LoadBalancerPolicy",
        "aws_lb": TF_EXCEPTIONS["aws_lb"],  # an exception wins over any rule (`aws_lb` is not `lightsail/lb`)
    }
    assert missing == ["aws_made_up"]  # reported; the UNMAPPABLE one is not


PROGRAM = """
import pulumi_aws as aws

vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
web = aws.ec2.SecurityGroup("web", vpc_id=vpc.id, description="web")
svc = aws.ec2.SecurityGroup("svc", vpc_id=vpc.id, description="svc")
idle = aws.ec2.SecurityGroup("idle", vpc_id=vpc.id, description="attached to nothing")
server = aws.ec2.Instance("server", ami="ami-0abcdef1234567890", instance_type="t3.micro",
                          vpc_security_group_ids=[web.id])
aws.ec2.Eip("server-ip", instance=server.id, domain="vpc")
aws.ec2.Eip("spare-ip", domain="vpc")
aws.ecs.Service("app", cluster="c", task_definition="t",
                network_configuration={"subnets": ["subnet-1"], "security_groups": [svc.id]})
"""


def test_lists_and_blocks_that_hold_references_are_references_in_configuration(tmp_path: Path) -> None:
    plan = graph_to_tfplan(synth(tmp_path, PROGRAM)).plan  # the policy tests' synth: a mutation run reads it back
    configs = {r["address"]: r["expressions"] for r in plan["configuration"]["root_module"]["resources"]}
    values = {r["address"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert configs["aws_instance.server"]["vpc_security_group_ids"] == {
        "references": ["aws_security_group.web.id", "aws_security_group.web"]
    }
    assert values["aws_instance.server"]["vpc_security_group_ids"] == [None]  # known after apply, as Terraform
    assert configs["aws_ecs_service.app"]["network_configuration"] == [
        {"security_groups": {"references": ["aws_security_group.svc.id", "aws_security_group.svc"]}}
    ]
    assert values["aws_ecs_service.app"]["network_configuration"][0]["subnets"] == ["subnet-1"]  # constants stay
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_instance.server")
    assert change["change"]["after_unknown"]["vpc_security_group_ids"] == [True]


@pytest.mark.usefixtures("checkov_present")
def test_checkov_graph_checks_see_attachments(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, PROGRAM), "dev")
    failed = {(f.check_id, f.address) for f in run_checkov(graph, tmp_path).failed}
    attached = {"aws_security_group.web", "aws_security_group.svc"}
    assert {a for c, a in failed if c == "CKV2_AWS_5"} == {"aws_security_group.idle"}  # only the unattached one
    assert not attached & {a for c, a in failed if c == "CKV2_AWS_5"}
    assert {a for c, a in failed if c == "CKV2_AWS_19"} == {"aws_eip.spare_ip"}


@pytest.mark.parametrize("key", sorted(PROGRAMS))
def test_checkov_sees_every_resource_of_the_public_programs(tmp_path: Path, key: str) -> None:
    program = PROGRAMS[key]
    directory = write_program(tmp_path, program.main, name=program.name, config=program.config, files=program.files)
    graph = synthesize(directory, "dev")
    plan = graph_to_tfplan(graph)
    # Every AWS resource is scanned; another provider's (pulumi_random, pulumi_command, docker, mysql, dynamic
    # providers: no checkov check) is listed as not scanned, never dropped silently. Components
    # (`custom:resource:VPC`) and providers deploy nothing themselves.
    others = {n.type for n in graph.custom_resources if not n.type.startswith(("aws:", "pulumi:providers:"))}
    assert others <= set(program.types)
    assert plan.not_scanned == sorted(others)
    assert len(plan.addresses) == sum(n for t, n in program.types.items() if t.startswith("aws:"))


NAMES = """
import pulumi_aws as aws

template = aws.ec2.LaunchTemplate("lt", image_id="ami-0abcdef1234567890", instance_type="t3.micro",
    network_interfaces=[{"deviceIndex": 0, "associatePublicIpAddress": True, "subnetId": "subnet-1"}],
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_size": 8, "encrypted": "true"}}])
aws.autoscaling.Group("asg", vpc_zone_identifiers=["subnet-1", "subnet-2"], min_size=1, max_size=1,
                      launch_template={"id": template.id, "version": "$Latest"})
aws.opensearch.Domain("search", engine_version="OpenSearch_2.11",
    log_publishing_options=[{"log_type": "AUDIT_LOGS",
                             "cloudwatch_log_group_arn": "arn:aws:logs:us-east-1:123456789012:log-group:a"}])
balancer = aws.lb.LoadBalancer("web", subnets=["subnet-1", "subnet-2"])
aws.route53.Record("www", zone_id="Z0123456789ABCDEFGHIJ", name="www.example.com", type="A",
    aliases=[{"name": balancer.dns_name, "zone_id": balancer.zone_id, "evaluate_target_health": True}])
"""


def test_block_and_list_names_are_terraforms_own(tmp_path: Path) -> None:
    """Terraform's names where the bridge's plural is not the singular plus "s" (`alias`, `vpc_zone_identifier`) or
    where Terraform's own block name is plural on that type only (`network_interfaces` of aws_launch_template,
    `log_publishing_options`; aws_instance's block is `network_interface`): a wrong name is an attribute checkov
    never reads."""
    plan = graph_to_tfplan(synthesize(write_program(tmp_path, NAMES), "dev")).plan
    values = {r["address"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert values["aws_launch_template.lt"]["network_interfaces"][0]["associate_public_ip_address"] is True
    assert values["aws_launch_template.lt"]["block_device_mappings"][0]["device_name"] == "/dev/xvda"
    assert values["aws_autoscaling_group.asg"]["vpc_zone_identifier"] == ["subnet-1", "subnet-2"]
    assert values["aws_opensearch_domain.search"]["log_publishing_options"][0]["log_type"] == "AUDIT_LOGS"
    assert values["aws_route53_record.www"]["alias"][0]["evaluate_target_health"] is True
    configs = {r["address"]: r["expressions"] for r in plan["configuration"]["root_module"]["resources"]}
    assert configs["aws_route53_record.www"]["alias"] == [
        {
            "zone_id": {"references": ["aws_lb.web.id", "aws_lb.web"]},
            "name": {"references": ["aws_lb.web.dns_name", "aws_lb.web"]},
        }
    ]


@pytest.mark.usefixtures("checkov_present")
def test_checkov_reads_the_launch_templates_public_ip_and_the_records_alias(tmp_path: Path) -> None:
    """CKV_AWS_88 reads `network_interfaces/[0]/associate_public_ip_address` of a launch template (missed while the
    block was exported as `network_interface`); CKV2_AWS_23 passes an A record whose `alias` names a load balancer
    (failed while the block was `aliase`)."""
    graph = synthesize(write_program(tmp_path, NAMES), "dev")
    failed = {(f.check_id, f.address) for f in run_checkov(graph, tmp_path).failed}
    assert ("CKV_AWS_88", "aws_launch_template.lt") in failed
    assert ("CKV2_AWS_23", "aws_route53_record.www") not in failed
