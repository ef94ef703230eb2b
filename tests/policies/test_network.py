"""security-group-no-internet-ingress: compliant cases and numbered non-compliant ones (review s11 3 #2).

Every input form a program opens a group with (pulumi-aws 7.51.1: `aws.ec2.SecurityGroup` `ingress`,
`aws.ec2.SecurityGroupRule`, `aws.vpc.SecurityGroupIngressRule`), IPv4 and IPv6, protocol -1/"all"/numbers, port
ranges covering admin ports, and CIDRs whose union is the whole internet; several are shapes checkov 3.3.30's
CKV_AWS_24/25/260/277 pass (bad2, bad3, bad4, bad5, bad6, bad7, bad11, bad12: the review's sgv6only and sgsplit).
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

POLICY = "security-group-no-internet-ingress"
VPC = 'vpc_id="vpc-0123456789abcdef0"'


def _group(name: str, ingress: str = "") -> str:
    return f'{name} = aws.ec2.SecurityGroup("{name}", description="app", {VPC}{", ingress=[" + ingress + "]" if ingress else ""})\n'


def _rule(name: str, group: str, **inputs: object) -> str:
    given = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return f'aws.vpc.SecurityGroupIngressRule("{name}", security_group_id={group}.id, description="r", {given})\n'


def _sg_rule(name: str, group: str, **inputs: object) -> str:
    given = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return f'aws.ec2.SecurityGroupRule("{name}", security_group_id={group}.id, description="r", {given})\n'


PROGRAM = "".join(
    [
        # Compliant
        _group(
            "good_https",
            '{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]}',
        ),
        _group("good_private", '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]}'),
        _group("g_half"),
        _rule("good_half_internet_alone", "g_half", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="0.0.0.0/1"),
        _group("g_egress"),
        _sg_rule(
            "good_egress", "g_egress", type="egress", protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"]
        ),
        _group("g_v6https"),
        _rule("good_https6", "g_v6https", ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv6="::/0"),
        _group("g_ref"),
        _rule("good_referenced_group", "g_ref", ip_protocol="-1", referenced_security_group_id="sg-0123456789abcdef0"),
        # Non-compliant
        _group("g1"),
        _rule("bad1_ssh4", "g1", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="0.0.0.0/0"),
        _group("g2"),
        _rule("bad2_ssh6", "g2", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv6="::/0"),
        _group("g3"),
        _rule("bad3_all6", "g3", ip_protocol="-1", cidr_ipv6="::/0"),
        _group("g4"),
        _rule("bad4_all4", "g4", ip_protocol="-1", cidr_ipv4="0.0.0.0/0"),
        _group(
            "bad5_split_inline",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"]}',
        ),
        _group("g6"),
        _sg_rule(
            "bad6_split_rule",
            "g6",
            type="ingress",
            protocol="tcp",
            from_port=3389,
            to_port=3389,
            cidr_blocks=["0.0.0.0/1", "128.0.0.0/1"],
        ),
        _group("g7"),
        _rule("bad7a_split_across_rules", "g7", ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ipv4="0.0.0.0/1"),
        _rule(
            "bad7b_split_across_rules", "g7", ip_protocol="tcp", from_port=5400, to_port=5500, cidr_ipv4="128.0.0.0/1"
        ),
        _group("g16"),
        _rule("bad16a_all_traffic_beside", "g16", ip_protocol="-1", cidr_ipv4="0.0.0.0/0"),
        _rule(
            "bad16b_ssh_beside_all_traffic", "g16", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="0.0.0.0/0"
        ),
        _rule(
            "good_private_beside_all_traffic",
            "g16",
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_ipv4="10.0.0.0/8",
        ),
        _group("g17"),
        _rule("bad17a_half_all_traffic", "g17", ip_protocol="-1", cidr_ipv4="0.0.0.0/1"),
        _rule("bad17b_other_half_ssh", "g17", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="128.0.0.0/1"),
        _group("g8"),
        _sg_rule(
            "bad8_every_tcp_port",
            "g8",
            type="ingress",
            protocol="tcp",
            from_port=0,
            to_port=65535,
            cidr_blocks=["0.0.0.0/0"],
        ),
        _group(
            "bad9_protocol_number", '{"protocol": "6", "from_port": 22, "to_port": 22, "ipv6_cidr_blocks": ["::/0"]}'
        ),
        _group("bad10_udp", '{"protocol": "udp", "from_port": 53, "to_port": 53, "cidr_blocks": ["0.0.0.0/0"]}'),
        _group(
            "bad11_prefix_list_beside",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "prefix_list_ids": ["pl-0123456789abcdef0"]}',
        ),
        _group("g12"),
        _sg_rule(
            "bad12_all_keyword",
            "g12",
            type="ingress",
            protocol="all",
            from_port=0,
            to_port=0,
            ipv6_cidr_blocks=["0:0:0:0:0:0:0:0/0"],
        ),
        _group("bad13_icmp", '{"protocol": "icmp", "from_port": -1, "to_port": -1, "cidr_blocks": ["0.0.0.0/0"]}'),
        _group(
            "bad14_other_protocol_all_ports",
            '{"protocol": "47", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}',
        ),
        _group(
            "bad15_https_and_ssh",
            '{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}, {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}',
        ),
    ]
)
GOOD = {
    "good_https",
    "good_private",
    "good_half_internet_alone",
    "good_egress",
    "good_https6",
    "good_referenced_group",
    "good_private_beside_all_traffic",
    "g_half",
    "g_egress",
    "g_v6https",
    "g_ref",
}
BAD = {
    "bad1_ssh4",
    "bad2_ssh6",
    "bad3_all6",
    "bad4_all4",
    "bad5_split_inline",
    "bad6_split_rule",
    "bad7a_split_across_rules",
    "bad7b_split_across_rules",
    "bad8_every_tcp_port",
    "bad9_protocol_number",
    "bad10_udp",
    "bad11_prefix_list_beside",
    "bad12_all_keyword",
    "bad13_icmp",
    "bad14_other_protocol_all_ports",
    "bad15_https_and_ssh",
    "bad16a_all_traffic_beside",
    "bad16b_ssh_beside_all_traffic",
    "bad17a_half_all_traffic",
    "bad17b_other_half_ssh",
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("network"), PROGRAM, stack="prod")


def test_each_group_open_to_the_internet_is_flagged_and_no_other(graph: ResourceGraph) -> None:
    found = flagged(graph, POLICY)
    assert found == BAD, f"flagged {sorted(found)}"
    assert not GOOD & found


def test_messages_name_what_is_open_and_from_where(graph: ResourceGraph) -> None:
    said = {f.resource: f.message for f in run_one(graph, POLICY)}
    assert "all traffic from ::/0" in said["bad3_all6"]
    assert "tcp 22 from ::/0" in said["bad2_ssh6"]
    assert "tcp 0-442 from 0.0.0.0/0; tcp 444-65535 from 0.0.0.0/0" in said["bad8_every_tcp_port"]
    assert "tcp 5432 from 0.0.0.0/0" in said["bad7a_split_across_rules"]
    assert "tcp 5432 from 0.0.0.0/0" in said["bad7b_split_across_rules"]
    assert "tcp 5400" not in said["bad7b_split_across_rules"]  # only the port both halves admit
    assert (
        "gre" not in said["bad14_other_protocol_all_ports"]
        and "47 (every port)" in said["bad14_other_protocol_all_ports"]
    )
    assert "tcp 443" not in said["bad15_https_and_ssh"] and "tcp 22 from 0.0.0.0/0" in said["bad15_https_and_ssh"]
    assert said["bad16a_all_traffic_beside"].count("from") == 1  # said once, not once per port range beside it
    assert (
        "tcp 22 from 0.0.0.0/0" in said["bad17a_half_all_traffic"]
        and "all traffic" not in said["bad17a_half_all_traffic"]
    )


def test_public_tcp_ports_are_configurable(graph: ResourceGraph) -> None:
    found = flagged(graph, POLICY, {"publicTcpPorts": [22, 443]})
    assert "bad1_ssh4" not in found and "bad5_split_inline" not in found and "bad15_https_and_ssh" not in found
    assert "good_https" in flagged(graph, POLICY, {"publicTcpPorts": [22]})  # the setting replaces the default
    assert {"bad3_all6", "bad6_split_rule", "bad10_udp"} <= found
