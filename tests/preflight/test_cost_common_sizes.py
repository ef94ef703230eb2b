"""The common sizes real programs use are priced; what still has no figure is a finding (issue 11 §4).

The public programs reproduced in `public_programs.py` run RDS db.t3.micro (MySQL, MariaDB), EC2 t2.micro
and t2.medium, a Redshift ra3.xlplus cluster and provisioned DynamoDB tables; each used to be reported as
unpriced. The expected figures below are AWS's own (cited in `policies/cost/prices.yaml`), written out as
literals so a table that drifts from its source fails here, not only a formula that does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.cost.estimator import PricedResource, estimate
from policies.cost.prices import load_prices
from policies.rules import cost
from preflight.cost.idle import idle_cost
from preflight.engine import synthesize
from preflight.gate import run_gate
from tests.preflight.cost_helpers import res
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS
from tests.preflight.test_cost_policies import resource, run_stack

HOURS = load_prices().hours_per_month
RDS = "aws:rds/instance:Instance"
TABLE = "aws:dynamodb/table:Table"


@pytest.mark.parametrize(
    ("resource_", "expected"),
    [
        (res("aws:ec2/instance:Instance", "web", instanceType="t2.micro"), 0.0116 * 730),
        (res("aws:ec2/instance:Instance", "big", instanceType="t2.medium"), 0.0464 * 730),
        (res(RDS, "mysql", engine="mysql", instanceClass="db.t3.micro", allocatedStorage=20), 0.017 * 730 + 20 * 0.115),
        (res(RDS, "pg", engine="postgres", instanceClass="db.t3.micro", allocatedStorage=20), 0.018 * 730 + 20 * 0.115),
        (res(RDS, "maria", engine="mariadb", instanceClass="db.t3.micro", allocatedStorage=10), 0.017 * 730 + 1.15),
        (
            res(RDS, "ha", engine="mysql", instanceClass="db.t3.micro", allocatedStorage=20, multiAz=True),
            2 * (0.017 * 730 + 20 * 0.115),
        ),
        (
            res(RDS, "gp3", engine="mysql", instanceClass="db.t3.micro", allocatedStorage=100, storageType="gp3"),
            0.017 * 730 + 100 * 0.115,
        ),
        (res("aws:redshift/cluster:Cluster", "dw", nodeType="ra3.xlplus", numberOfNodes=2), 2 * 1.086 * 730),
        (res(TABLE, "t", readCapacity=125, writeCapacity=45), (100 * 0.00013 + 20 * 0.00065) * 730),
    ],
    ids=lambda v: v.name if isinstance(v, PricedResource) else "",
)
def test_common_sizes_are_priced_at_awss_figures(resource_: PricedResource, expected: float) -> None:
    cost = estimate([resource_])
    assert cost.unpriced == ()
    (item,) = cost.items
    assert item.monthly_usd == pytest.approx(expected)


def test_provisioned_dynamodb_counts_its_indexes_and_shares_one_free_tier() -> None:
    indexed = res(
        TABLE,
        "orders",
        readCapacity=20,
        writeCapacity=20,
        globalSecondaryIndexes=[{"name": "by-user", "readCapacity": 10, "writeCapacity": 10}],
    )
    second = res(TABLE, "users", readCapacity=5, writeCapacity=5)
    figures = {i.resource: i.monthly_usd for i in estimate([indexed, second]).items}
    # 30 + 30 units on the first table: 25 + 25 free, 5 + 5 billed; the second table has no free tier left.
    assert figures == {
        "orders": pytest.approx((5 * 0.00013 + 5 * 0.00065) * 730),
        "users": pytest.approx((5 * 0.00013 + 5 * 0.00065) * 730),
    }
    (without,) = estimate([second], free_tier=False).items
    assert without.monthly_usd == pytest.approx((5 * 0.00013 + 5 * 0.00065) * HOURS)
    (small,) = estimate([res(TABLE, "tiny", readCapacity=1, writeCapacity=1)]).items
    assert small.monthly_usd == 0.0
    assert "in the free tier of 25 each" in small.basis


@pytest.mark.parametrize(
    ("resource_", "named"),
    [
        (res(TABLE, "ia", readCapacity=5, writeCapacity=5, tableClass="STANDARD_INFREQUENT_ACCESS"), "INFREQUENT"),
        (res(TABLE, "global", readCapacity=5, writeCapacity=5, replicas=[{"regionName": "eu-west-1"}]), "replicated"),
        (res(TABLE, "unknown"), "capacity are not known"),
        (
            res(TABLE, "gsi", readCapacity=5, writeCapacity=5, globalSecondaryIndexes=[{"name": "g"}]),
            "its index g",
        ),
    ],
    ids=lambda v: v.name if isinstance(v, PricedResource) else "",
)
def test_provisioned_dynamodb_without_a_figure_stays_unpriced(resource_: PricedResource, named: str) -> None:
    cost = estimate([resource_])
    assert cost.items == ()
    (ref,) = cost.unpriced
    assert named in ref.reason


def test_the_public_programs_leave_nothing_unpriced(tmp_path: Path) -> None:
    """The reproduced programs that used to report unpriced capacity are now priced in full."""
    for key in ("config-module", "ecs-on-ec2", "export-resources", "redshift-glue", "wordpress-fargate-rds"):
        program = PROGRAMS[key]
        directory = write_program(
            tmp_path / key, program.main, name=program.name, config=program.config, files=program.files
        )
        cost = idle_cost(synthesize(directory, "dev", timeout=120))
        assert cost.unpriced == (), (key, [r.reason for r in cost.unpriced])
        assert cost.idle_monthly_usd > 0, key


# ---------------------------------------------------------------- policies: priced counts, unpriced is a finding

MYSQL_MICRO = {"engine": "mysql", "instanceClass": "db.t3.micro", "allocatedStorage": 20}


def test_compliance_newly_priced_types_are_not_unpriced_findings() -> None:
    resources = [
        resource(RDS, "db", MYSQL_MICRO),
        resource("aws:redshift/cluster:Cluster", "dw", {"nodeType": "ra3.xlplus", "numberOfNodes": 1}),
        resource(TABLE, "t", {"readCapacity": 5, "writeCapacity": 5}),
        resource("aws:autoscaling/group:Group", "asg", {"desiredCapacity": 1, "launchConfiguration": "lc"}),
        resource("aws:ec2/launchConfiguration:LaunchConfiguration", "lc", {"name": "lc", "instanceType": "t2.micro"}),
    ]
    assert run_stack(cost.UNPRICED, resources) == []


def test_newly_priced_types_count_against_the_idle_budget() -> None:
    (message, _), *_ = run_stack(cost.IDLE_BUDGET, [resource(RDS, "db", MYSQL_MICRO)])
    assert message.startswith("the stack's idle cost is $14.71/month, over its idle budget of $5.00/month")
    assert "db $14.71/month" in message
    assert run_stack(cost.IDLE_BUDGET, [resource(RDS, "db", MYSQL_MICRO)], {"maxMonthlyUsd": 20}) == []


@pytest.mark.parametrize(
    ("case", "type_", "props", "expected"),
    [
        (1, RDS, {"engine": "postgres", "instanceClass": "db.t3.small"}, "db.t3.small RDS instance (postgres)"),
        (2, RDS, {"engine": "mariadb", "instanceClass": "db.t4g.micro"}, "db.t4g.micro RDS instance (mariadb)"),
        (3, "aws:redshift/cluster:Cluster", {"nodeType": "ra3.16xlarge"}, "ra3.16xlarge Redshift cluster"),
        (
            4,
            TABLE,
            {"readCapacity": 5, "writeCapacity": 5, "tableClass": "STANDARD_INFREQUENT_ACCESS"},
            "provisioned DynamoDB table (STANDARD_INFREQUENT_ACCESS)",
        ),
        (
            5,
            TABLE,
            {"readCapacity": 5, "writeCapacity": 5, "replicas": [{"regionName": "eu-west-1"}]},
            "provisioned DynamoDB global table",
        ),
    ],
    ids=lambda v: f"noncompliance-{v}" if isinstance(v, int) else None,
)
def test_noncompliance_still_unpriced_always_on(case: int, type_: str, props: dict[str, Any], expected: str) -> None:
    ((message, urn),) = run_stack(cost.UNPRICED, [resource(type_, "x", props)])
    assert message.startswith(f"x: {expected}: runs around the clock, but ")
    assert urn == f"urn:pulumi:dev::x::{type_}::x"


FOREIGN = """
import pulumi_aws as aws

aws.rds.Instance("priced", engine="mysql", instance_class="db.t3.micro", allocated_storage=20,
                 username="app", manage_master_user_password=True, skip_final_snapshot=True)
aws.rds.Instance("unpriced", engine="postgres", instance_class="db.t3.small", allocated_storage=20,
                 username="app", manage_master_user_password=True, skip_final_snapshot=True)
"""


def test_a_foreign_dev_stack_reports_the_unpriced_one_and_budgets_the_priced_one(tmp_path: Path) -> None:
    report = run_gate(write_program(tmp_path, FOREIGN, name="foreign"), "dev", checkov=False)
    unpriced = [f for f in report.mandatory if f.policy == "cost-unpriced-idle-resource"]
    assert [f.resource for f in unpriced] == ["unpriced"]
    assert "db.t3.small RDS instance (postgres)" in unpriced[0].message
    (budget,) = [f for f in report.mandatory if f.policy == "cost-idle-budget"]
    assert "priced $14.71/month" in budget.message
