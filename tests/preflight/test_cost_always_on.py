"""Idle cost of always-on capacity in programs this template did not write (issue 11 §4).

Each case is a small pulumi-aws program, synthesised offline; the expected figure is computed from the
price table (`policies/cost/prices.yaml`), so a changed figure moves both sides and a wrong formula fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.cost.always_on import EKS_STANDARD_SUPPORT_ENDS
from policies.cost.estimator import PricedResource, estimate
from policies.cost.prices import load_prices
from preflight.cost.idle import idle_cost
from preflight.engine import synthesize
from tests.preflight.cost_helpers import res
from tests.preflight.programs import write_program

PRICES = load_prices()
HOURS = PRICES.hours_per_month


def by_type(key: str, kind: str) -> float:
    rate = PRICES[key].of(kind)
    assert rate is not None, f"{key}[{kind}] missing from the table"
    return rate


def run(tmp_path: Path, program: str) -> dict[str, float]:
    """{resource name: monthly USD} of the priced items, after checking nothing is unpriced."""
    cost = idle_cost(synthesize(write_program(tmp_path, program), "dev"))
    assert cost.unpriced == (), [r.reason for r in cost.unpriced]
    return {i.resource: i.monthly_usd for i in cost.items}


RDS = """
import pulumi_aws as aws

aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                 username="app", manage_master_user_password=True, skip_final_snapshot=True)
aws.rds.Instance("ha", engine="mysql", instance_class="db.t3.medium", allocated_storage=100, storage_type="gp3",
                 multi_az=True, username="app", manage_master_user_password=True, skip_final_snapshot=True)
"""


def test_rds_instances_by_class_engine_storage_and_multi_az(tmp_path: Path) -> None:
    figures = run(tmp_path, RDS)
    gp2, gp3 = by_type("rds_storage_gb_month", "gp2"), by_type("rds_storage_gb_month", "gp3")
    assert figures == {
        "db": pytest.approx(by_type("rds_instance_hour", "postgres:db.t4g.micro") * HOURS + 20 * gp2),
        "ha": pytest.approx(2 * by_type("rds_instance_hour", "mysql:db.t3.medium") * HOURS + 2 * 100 * gp3),
    }
    assert figures["db"] == pytest.approx(0.016 * 730 + 20 * 0.115)


AURORA = """
import pulumi_aws as aws

cluster = aws.rds.Cluster("aurora", engine="aurora-postgresql", master_username="app",
                          manage_master_user_password=True, skip_final_snapshot=True,
                          serverlessv2_scaling_configuration={"min_capacity": 0.5, "max_capacity": 4})
aws.rds.ClusterInstance("writer", cluster_identifier=cluster.id, instance_class="db.serverless",
                        engine=cluster.engine)
aws.rds.ClusterInstance("reader", cluster_identifier=cluster.id, instance_class="db.t4g.medium",
                        engine="aurora-postgresql")
"""


def test_aurora_serverless_v2_floor_and_provisioned_instances(tmp_path: Path) -> None:
    cost = idle_cost(synthesize(write_program(tmp_path, AURORA), "dev"))
    figures = {i.resource: i.monthly_usd for i in cost.items}
    assert figures == {
        "writer": pytest.approx(0.5 * by_type("aurora_serverless_v2_acu_hour", "aurora") * HOURS),
        "reader": pytest.approx(by_type("aurora_instance_hour", "aurora-postgresql:db.t4g.medium") * HOURS),
    }
    assert "aurora" in [r.resource for r in cost.pay_per_use]


EKS = """
import pulumi_aws as aws

cluster = aws.eks.Cluster("eks", role_arn="arn:aws:iam::123456789012:role/eks",
                          vpc_config={"subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]})
old = aws.eks.Cluster("old", role_arn="arn:aws:iam::123456789012:role/eks", version="1.30",
                      vpc_config={"subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]})
aws.eks.NodeGroup("nodes", cluster_name=cluster.name, node_role_arn="arn:aws:iam::123456789012:role/node",
                  subnet_ids=["subnet-0123456789abcdef0"], instance_types=["t3.large"],
                  scaling_config={"desired_size": 2, "min_size": 1, "max_size": 3})
aws.eks.NodeGroup("default", cluster_name=cluster.name, node_role_arn="arn:aws:iam::123456789012:role/node",
                  subnet_ids=["subnet-0123456789abcdef0"],
                  scaling_config={"desired_size": 1, "min_size": 1, "max_size": 1})
"""


def test_eks_control_plane_support_tiers_and_node_groups(tmp_path: Path) -> None:
    figures = run(tmp_path, EKS)
    assert figures == {
        "eks": pytest.approx(by_type("eks_cluster_hour", "standard") * HOURS),
        "old": pytest.approx(by_type("eks_cluster_hour", "extended") * HOURS),
        "nodes": pytest.approx(2 * by_type("ec2_instance_hour", "t3.large") * HOURS),
        "default": pytest.approx(by_type("ec2_instance_hour", "t3.medium") * HOURS),
    }


def test_eks_standard_support_policy_and_the_support_calendar() -> None:
    standard = res("aws:eks/cluster:Cluster", version="1.30", upgradePolicy={"supportType": "STANDARD"})
    older = res("aws:eks/cluster:Cluster", version="1.27")
    newer = res("aws:eks/cluster:Cluster", version="1.40")
    rates = [estimate([r]).items[0].monthly_usd for r in (standard, older, newer)]
    assert rates == [pytest.approx(0.10 * HOURS), pytest.approx(0.60 * HOURS), pytest.approx(0.10 * HOURS)]
    # the calendar is judged on the table's date: a version whose standard support ends later is standard
    as_of = PRICES["eks_cluster_hour"].date
    assert any(end > as_of for end in EKS_STANDARD_SUPPORT_ENDS.values())


LOAD_BALANCERS = """
import pulumi_aws as aws

subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=subnets)
aws.lb.LoadBalancer("nlb", load_balancer_type="network", subnets=subnets)
aws.lb.LoadBalancer("gwlb", load_balancer_type="gateway", subnets=subnets)
aws.ec2.Eip("ip", domain="vpc")
"""


def test_load_balancers_by_type_and_every_elastic_ip(tmp_path: Path) -> None:
    figures = run(tmp_path, LOAD_BALANCERS)
    assert figures == {
        "alb": pytest.approx(0.0225 * HOURS),
        "nlb": pytest.approx(0.0225 * HOURS),
        "gwlb": pytest.approx(by_type("load_balancer_hour", "gateway") * HOURS),
        "ip": pytest.approx(PRICES.usd("public_ipv4_hour") * HOURS),
    }


NATIVE_LOAD_BALANCERS = """
import pulumi_aws_native as aws_native

subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
aws_native.elasticloadbalancingv2.LoadBalancer("alb", subnets=subnets)
aws_native.elasticloadbalancingv2.LoadBalancer("gwlb", type="gateway", subnets=subnets)
"""


def test_aws_native_load_balancers_bill_their_hours_too(tmp_path: Path) -> None:
    """An aws-native load balancer (joshuamkite/pulumi-python-aws-asg-ec2-webserver@14a383a8:__main__.py) bills
    the same hours as a pulumi-aws one; it was listed as pay-per-use. Its kind is `type`, default application."""
    assert run(tmp_path, NATIVE_LOAD_BALANCERS) == {
        "alb": pytest.approx(0.0225 * HOURS),
        "gwlb": pytest.approx(by_type("load_balancer_hour", "gateway") * HOURS),
    }


FARGATE = """
import json
import pulumi_aws as aws

cluster = aws.ecs.Cluster("cluster")
task = aws.ecs.TaskDefinition("task", family="web", cpu="512", memory="1024", network_mode="awsvpc",
                              requires_compatibilities=["FARGATE"],
                              runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
                              container_definitions=json.dumps([{"name": "web", "image": "nginx", "essential": True}]))
aws.ecs.Service("web", cluster=cluster.arn, task_definition=task.arn, desired_count=3, launch_type="FARGATE",
                network_configuration={"subnets": ["subnet-0123456789abcdef0"]})
aws.ecs.Service("idle", cluster=cluster.arn, task_definition=task.arn, launch_type="FARGATE",
                network_configuration={"subnets": ["subnet-0123456789abcdef0"]})
"""


def test_fargate_service_is_desired_count_times_task_size(tmp_path: Path) -> None:
    figures = run(tmp_path, FARGATE)
    hourly = 0.5 * by_type("fargate_vcpu_hour", "ARM64") + 1.0 * by_type("fargate_gb_hour", "ARM64")
    assert figures == {"web": pytest.approx(3 * hourly * HOURS), "idle": 0.0}


ASG = """
import pulumi_aws as aws

template = aws.ec2.LaunchTemplate("tmpl", image_id="ami-0123456789abcdef0", instance_type="m7g.large")
aws.autoscaling.Group("asg", min_size=1, max_size=4, desired_capacity=2,
                      vpc_zone_identifiers=["subnet-0123456789abcdef0"],
                      launch_template={"id": template.id, "version": "$Latest"})
aws.autoscaling.Group("floor", min_size=1, max_size=4, vpc_zone_identifiers=["subnet-0123456789abcdef0"],
                      launch_template={"id": template.id, "version": "$Latest"})
aws.ec2.Instance("vm", ami="ami-0123456789abcdef0", instance_type="t4g.small")
aws.ec2.NatGateway("nat", subnet_id="subnet-0123456789abcdef0")
"""


def test_auto_scaling_groups_read_their_launch_template(tmp_path: Path) -> None:
    figures = run(tmp_path, ASG)
    m7g = by_type("ec2_instance_hour", "m7g.large")
    assert figures == {
        "asg": pytest.approx(2 * m7g * HOURS),
        "floor": pytest.approx(1 * m7g * HOURS),
        "vm": pytest.approx(by_type("ec2_instance_hour", "t4g.small") * HOURS),
        "nat": pytest.approx(PRICES.usd("nat_gateway_hour") * HOURS),
    }


REDSHIFT = """
import pulumi_aws as aws

aws.redshift.Cluster("dw", cluster_identifier="dw", node_type="dc2.large", cluster_type="multi-node",
                     number_of_nodes=2, master_username="admin", manage_master_password=True,
                     skip_final_snapshot=True)
aws.redshiftserverless.Namespace("ns", namespace_name="ns")
aws.redshiftserverless.Workgroup("wg", namespace_name="ns", workgroup_name="wg", base_capacity=8)
"""


def test_redshift_provisioned_nodes_and_serverless_pays_only_in_use(tmp_path: Path) -> None:
    cost = idle_cost(synthesize(write_program(tmp_path, REDSHIFT), "dev"))
    assert {i.resource: i.monthly_usd for i in cost.items} == {
        "dw": pytest.approx(2 * by_type("redshift_node_hour", "dc2.large") * HOURS)
    }
    assert "wg" in [r.resource for r in cost.pay_per_use]
    assert cost.unpriced == ()


@pytest.mark.parametrize(
    ("resource", "named"),
    [
        (res("aws:rds/instance:Instance", "big", engine="postgres", instanceClass="db.r6g.4xlarge"), "db.r6g.4xlarge"),
        (res("aws:rds/instance:Instance", "maria", engine="mariadb", instanceClass="db.t4g.micro"), "mariadb"),
        (
            res(
                "aws:rds/instance:Instance",
                "io",
                engine="postgres",
                instanceClass="db.t4g.micro",
                allocatedStorage=100,
                storageType="io1",
            ),
            "io1",
        ),
        (
            res("aws:rds/clusterInstance:ClusterInstance", "x", engine="aurora-mysql", instanceClass="db.r5.24xlarge"),
            "db.r5.24xlarge",
        ),
        (res("aws:rds/cluster:Cluster", "v1", engine="aurora-mysql", engineMode="serverless"), "Serverless v1"),
        (res("aws:redshift/cluster:Cluster", "ra3", nodeType="ra3.16xlarge"), "ra3.16xlarge"),
        (
            res("aws:eks/nodeGroup:NodeGroup", "n", instanceTypes=["p5.48xlarge"], scalingConfig={"desiredSize": 1}),
            "p5.48xlarge",
        ),
        (res("aws:eks/nodeGroup:NodeGroup", "s", capacityType="SPOT", scalingConfig={"desiredSize": 1}), "Spot"),
        (
            res("aws:ecs/service:Service", "f", launchType="FARGATE", desiredCount=1, taskDefinition="missing"),
            "task definition",
        ),
        (
            res("aws:autoscaling/group:Group", "g", desiredCapacity=1, launchTemplate={"name": "elsewhere"}),
            "launch template",
        ),
        (res("aws:ec2/instance:Instance", "vm", instanceType="x2iedn.32xlarge"), "x2iedn.32xlarge"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_unknown_classes_are_unpriced_with_their_name(resource: PricedResource, named: str) -> None:
    cost = estimate([resource])
    assert cost.items == ()
    (ref,) = cost.unpriced
    assert named in ref.reason
    assert ": runs around the clock, but " in ref.reason


def test_the_unpriced_message_is_plain_english() -> None:
    cost = estimate([res("aws:rds/instance:Instance", "big", engine="postgres", instanceClass="db.r6g.4xlarge")])
    assert cost.unpriced[0].reason == (
        "db.r6g.4xlarge RDS instance (postgres): runs around the clock, but the price table has no figure for this "
        "instance class and engine; add it to policies/cost/prices.yaml with its source"
    )


def test_eks_standard_support_ends_on_aws_release_calendar_dates() -> None:
    """AWS's "Amazon EKS Kubernetes release calendar" (awsdocs/amazon-eks-user-guide kubernetes-versions.adoc)."""
    aws_calendar = {
        "1.29": "2025-03-23",
        "1.30": "2025-07-23",
        "1.31": "2025-11-26",
        "1.32": "2026-03-23",
        "1.33": "2026-07-29",
        "1.34": "2026-12-02",
    }
    assert {v: EKS_STANDARD_SUPPORT_ENDS[v] for v in aws_calendar} == aws_calendar
