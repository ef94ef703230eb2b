"""security-group-no-internet-ingress: compliant cases and numbered non-compliant ones (review s11 3 #2, 4 #1-3, #8).

Every input form a program opens a group with (pulumi-aws 7.51.1: `aws.ec2.SecurityGroup` `ingress`,
`aws.ec2.SecurityGroupRule`, `aws.vpc.SecurityGroupIngressRule`), IPv4 and IPv6, protocol -1/"all"/numbers, port
ranges covering admin ports, and CIDRs whose union is the whole internet; several are shapes checkov 3.3.30's
CKV_AWS_24/25/260/277 pass (bad2, bad3, bad4, bad5, bad6, bad7, bad11, bad12: the review's sgv6only and sgsplit).
Review 4's shapes: more public addresses than a /8 without the whole space (bad18-20, sgnearly), /8s joined by one
interface (bad21-22, sgtwogroups), prefix lists the stack fills (bad23-25, sgprefix), the default group (bad26,
sgdefault2), one ICMP type (good_icmp_pmtud, sgweb) and publicTcpPorts adding to 443.
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


class Raw(str):
    """An input written as Python code (a reference to another resource), not as a literal."""

    def __repr__(self) -> str:
        return str(self)


def _rule(name: str, group: str, **inputs: object) -> str:
    given = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return f'aws.vpc.SecurityGroupIngressRule("{name}", security_group_id={group}.id, description="r", {given})\n'


def _sg_rule(name: str, group: str, **inputs: object) -> str:
    given = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return f'aws.ec2.SecurityGroupRule("{name}", security_group_id={group}.id, description="r", {given})\n'


PROGRAM = "".join(
    [
        "import ipaddress\n",
        # Compliant
        _group(
            "good_https",
            '{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]}',
        ),
        _group("good_private", '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]}'),
        _group("g_org"),
        _rule("good_one_slash8_alone", "g_org", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="18.0.0.0/8"),
        _group(
            "good_private_blocks",
            '{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"], "ipv6_cidr_blocks": ["fc00::/7"]}',
        ),
        _group(
            "good_icmp_pmtud",
            '{"protocol": "icmp", "from_port": 3, "to_port": 4, "cidr_blocks": ["0.0.0.0/0"]}, {"protocol": "58", "from_port": 2, "to_port": 0, "ipv6_cidr_blocks": ["::/0"]}',
        ),
        _group(
            "good_aws_prefix_list",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_ids": ["pl-0123456789abcdef0"]}',
        ),
        'private_list = aws.ec2.ManagedPrefixList("private_list", address_family="IPv4", max_entries=1, entries=[{"cidr": "10.0.0.0/8"}])\n',
        _group(
            "good_own_private_list",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_ids": [private_list.id]}',
        ),
        'good_default_closed = aws.ec2.DefaultSecurityGroup("good_default_closed", vpc_id="vpc-0123456789abcdef0")\n',
        # two /8 groups, each on its own interface: no interface admits more than a /8
        _group("good_org_a", '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["20.0.0.0/8"]}'),
        _group("good_org_b", '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["21.0.0.0/8"]}'),
        'aws.ec2.NetworkInterface("eni_a", subnet_id="subnet-0123456789abcdef0", security_groups=[good_org_a.id, good_https.id])\n',
        'aws.ec2.NetworkInterface("eni_b", subnet_id="subnet-0123456789abcdef0", security_groups=[good_org_b.id])\n',
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
        _group("g_half"),
        _rule("bad18_half_internet", "g_half", ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv4="0.0.0.0/1"),
        # review s11 4 #1's sgnearly: the internet less the VPC's own 10.0.0.0/8 (the 8 blocks address_exclude gives)
        _group(
            "bad19_internet_minus_private",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [str(n) for n in ipaddress.ip_network("0.0.0.0/0").address_exclude(ipaddress.ip_network("10.0.0.0/8"))]}',
        ),
        _group(
            "bad20_ipv6_global_unicast",
            '{"protocol": "tcp", "from_port": 3389, "to_port": 3389, "ipv6_cidr_blocks": ["2000::/3"]}',
        ),
        # review s11 4 #1's sgtwogroups: /8s each passing alone, carried together by one ENI and one launch template
        _group(
            "bad21a_org_on_one_eni",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["30.0.0.0/8"]}',
        ),
        _group(
            "bad21b_org_on_one_eni",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["31.0.0.0/8"]}',
        ),
        'aws.ec2.NetworkInterface("eni_ab", subnet_id="subnet-0123456789abcdef0", security_groups=[bad21a_org_on_one_eni.id, bad21b_org_on_one_eni.id])\n',
        _group(
            "bad22a_org_in_template", '{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["40.0.0.0/8"]}'
        ),
        _group(
            "bad22b_org_in_template", '{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["41.0.0.0/8"]}'
        ),
        'aws.ec2.LaunchTemplate("lt", image_id="ami-0123456789abcdef0", network_interfaces=[{"device_index": 0, "security_groups": [bad22a_org_in_template.id, bad22b_org_in_template.id]}])\n',
        # review s11 4 #2's sgprefix: a prefix list the stack fills with the two halves, inline and through entries
        'halves = aws.ec2.ManagedPrefixList("halves", address_family="IPv4", max_entries=2, entries=[{"cidr": "0.0.0.0/1"}, {"cidr": "128.0.0.0/1"}])\n',
        _group(
            "bad23_own_prefix_list",
            '{"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_ids": [halves.id]}',
        ),
        _group("g24"),
        _rule("bad24_own_prefix_list_rule", "g24", ip_protocol="-1", prefix_list_id=Raw("halves.id")),
        'filled = aws.ec2.ManagedPrefixList("filled", address_family="IPv4", max_entries=1)\n',
        'aws.ec2.ManagedPrefixListEntry("filled_entry", prefix_list_id=filled.id, cidr="0.0.0.0/0")\n',
        _group("g25"),
        _sg_rule(
            "bad25_prefix_list_by_entries",
            "g25",
            type="ingress",
            protocol="tcp",
            from_port=5432,
            to_port=5432,
            prefix_list_ids=Raw("[filled.id]"),
        ),
        # review s11 4 #3's sgdefault2: the default VPC's default group, rewritten open
        'aws.ec2.DefaultSecurityGroup("bad26_default_group", vpc_id="vpc-0123456789abcdef0", ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])\n',
    ]
)
GOOD = {
    "good_https",
    "good_private",
    "good_one_slash8_alone",
    "good_private_blocks",
    "good_icmp_pmtud",
    "good_aws_prefix_list",
    "good_own_private_list",
    "good_default_closed",
    "good_org_a",
    "good_org_b",
    "g_org",
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
    "bad18_half_internet",
    "bad19_internet_minus_private",
    "bad20_ipv6_global_unicast",
    "bad21a_org_on_one_eni",
    "bad21b_org_on_one_eni",
    "bad22a_org_in_template",
    "bad22b_org_in_template",
    "bad23_own_prefix_list",
    "bad24_own_prefix_list_rule",
    "bad25_prefix_list_by_entries",
    "bad26_default_group",
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
    # a half of the internet is more than a /8 of it (review s11 4 #1): the rest of the range is open too
    assert "tcp 5400-5431 from most of the public IPv4 space" in said["bad7b_split_across_rules"]
    assert (
        "gre" not in said["bad14_other_protocol_all_ports"]
        and "47 (every port)" in said["bad14_other_protocol_all_ports"]
    )
    assert "tcp 443" not in said["bad15_https_and_ssh"] and "tcp 22 from 0.0.0.0/0" in said["bad15_https_and_ssh"]
    assert said["bad16a_all_traffic_beside"].count("from") == 1  # said once, not once per port range beside it
    # half the internet on all traffic is open on its own; with the other half on SSH, port 22 is the whole space
    assert said["bad17a_half_all_traffic"].endswith(
        "all traffic from most of the public IPv4 space (only TCP 443 may be public)."
    )
    assert "tcp 22 from 0.0.0.0/0" in said["bad17b_other_half_ssh"]


def test_messages_say_how_the_internet_is_admitted(graph: ResourceGraph) -> None:
    said = {f.resource: f.message for f in run_one(graph, POLICY)}
    assert "icmp (every type) from 0.0.0.0/0" in said["bad13_icmp"]
    assert "tcp 22 from most of the public IPv4 space" in said["bad19_internet_minus_private"]
    assert "tcp 3389 from most of the public IPv6 space" in said["bad20_ipv6_global_unicast"]
    assert "tcp 22 from most of the public IPv4 space" in said["bad21a_org_on_one_eni"]  # the ENI's two groups
    assert "all traffic from 0.0.0.0/0" in said["bad24_own_prefix_list_rule"]  # the list's two halves
    assert "all traffic from 0.0.0.0/0" in said["bad26_default_group"]


def test_public_tcp_ports_add_to_https(graph: ResourceGraph) -> None:
    found = flagged(graph, POLICY, {"publicTcpPorts": [22]})
    assert "bad1_ssh4" not in found and "bad5_split_inline" not in found and "bad15_https_and_ssh" not in found
    assert "good_https" not in found and "good_https6" not in found  # the setting adds to 443 (review s11 4 #8)
    assert {"bad3_all6", "bad6_split_rule", "bad10_udp"} <= found
    said = {f.resource: f.message for f in run_one(graph, POLICY, {"publicTcpPorts": [22]})}
    assert "only TCP 22, 443 may be public" in said["bad3_all6"]
