"""Security groups: no ingress from the internet except to HTTPS (P187, P186).

Why the pack judges this itself rather than leaving it to checkov (review s11 3 #2): checkov 3.3.30's
`AbsSecurityGroupUnrestrictedIngress` (CKV_AWS_24 port 22, CKV_AWS_25 3389, CKV_AWS_260 80, CKV_AWS_277 all)
misses most of the ways a program opens a group: on `aws_vpc_security_group_ingress_rule` it iterates `cidr_ipv6`, a
string there, character by character (so `::/0` never matches), reads `protocol` where that type says `ip_protocol`,
and passes a rule without `from_port`/`to_port` (how `ip_protocol="-1"` is written); on every type it matches only
the literal `0.0.0.0/0`, so `0.0.0.0/1` + `128.0.0.0/1` (the whole internet in two halves) passes; and a rule with
prefix lists beside its CIDRs is passed whatever the CIDRs (checkov/terraform/checks/resource/aws/
AbsSecurityGroupUnrestrictedIngress.py, `contains_violation`). The pack must not depend on it.

What is judged: every ingress permission of the stack, wherever it is written: `aws.ec2.SecurityGroup` and
`aws.ec2.DefaultSecurityGroup` (a VPC's default group, adopted and rewritten; review s11 4 #3) `ingress` blocks,
`aws.ec2.SecurityGroupRule` of `type="ingress"` and `aws.vpc.SecurityGroupIngressRule` (pulumi-aws 7 input names:
`protocol`/`ipProtocol`, `fromPort`, `toPort`, `cidrBlocks`/`cidrIpv4`, `ipv6CidrBlocks`/`cidrIpv6`,
`prefixListIds`/`prefixListId`). Permissions are joined per security group, and again per set of groups one
network interface carries together (an ENI, instance, launch template, Lambda or ECS service naming several:
`INTERFACE_KEYS`), since AWS evaluates the rules of every group of an interface as one allow list (botocore ec2
`NetworkInterface.Groups`; review s11 4 #1's sgtwogroups).

What "the internet" is (review s11 4 #1): a union of admitted CIDRs is open to the internet when it holds more
public addresses than a /8 does (2**24 for IPv4, 2**120 for IPv6): 1/256 of the version's space, more than any
ordinary organisation's allocation, so a corporate range or a VPC's private blocks pass while 0.0.0.0/0, ::/0, a
/7 or shorter, 0.0.0.0/1 alone, or "0.0.0.0/0 minus 10.0.0.0/8" do not. Public is what the special-use registries
leave: for IPv4 everything but RFC 6890's special-purpose blocks (rfc-editor.org/rfc/rfc6890.txt, section 2.2.2:
this-network, RFC 1918 private, RFC 6598 shared, loopback, link-local, IETF protocol, documentation, benchmarking,
reserved, broadcast) and multicast 224.0.0.0/4 (RFC 5771; never a packet's source); for IPv6 the global-unicast
2000::/3 (RFC 4291 section 2.4; IANA's IPv6 address space registry reserves the rest) less the documentation
prefix 2001:db8::/32 (RFC 3849). A prefix list the stack defines (`aws.ec2.ManagedPrefixList` `entries` and
`aws.ec2.ManagedPrefixListEntry`; review s11 4 #2) admits its CIDRs; a list the stack does not define (an
AWS-managed `pl-...` such as S3's or CloudFront's origin-facing list, from `get_prefix_list`) holds AWS's own
service ranges, which the program cannot widen, so it neither excuses nor counts; neither do referenced groups
and `self`.

AWS's meaning of the values (botocore ec2 2016-11-15 `IpPermission`): `IpProtocol` "-1" is every protocol, and "-1
or a protocol number other than tcp, udp, icmp, or icmpv6 allows traffic on all ports, regardless of any port range
you specify"; for ICMP/ICMPv6 `FromPort` is the ICMP type and `ToPort` the code, -1 every type (review s11 4 #8). A
permission for one ICMP type is one kind of control message (type 3 code 4, "fragmentation needed", is the
path-MTU-discovery rule the Kubernetes AWS cloud provider adds to ELB groups, kubernetes/kubernetes#24254), not a
service, so it passes; ICMP of every type is judged like any protocol. pulumi-aws's `ProtocolType` adds "all"
(SecurityGroupRule). Port ranges are inclusive.

Why only TCP 443 by default: the template's entry points are API Gateway and CloudFront; a group open to the
internet on any other port (SSH, RDP, databases, all traffic) exposes the data behind it without the edge's
authentication, TLS and WAF (P187: data protection; P186: access controls). A stack may open further TCP ports
through `publicTcpPorts`, which adds to 443. Egress is not judged here.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.lib import Pending, as_list, get, is_list, refers_to, report_on, resources_of, text
from policies.spec import Category, Kind, PolicySpec

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
#: The groups themselves: they carry `ingress` blocks, and the rules name them by `securityGroupId`.
GROUPS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
TYPES = (*GROUPS, SECURITY_GROUP_RULE, INGRESS_RULE)
#: Inputs, at any depth of any resource, listing the groups one network interface carries together (pulumi-aws 7:
#: NetworkInterface `securityGroups`, Instance/LaunchTemplate `vpcSecurityGroupIds`, LaunchTemplate
#: `networkInterfaces[].securityGroups`, Lambda `vpcConfig.securityGroupIds`, ECS service
#: `networkConfiguration.securityGroups`).
INTERFACE_KEYS = ("securityGroups", "vpcSecurityGroupIds", "securityGroupIds")
#: The blocks (one or many) those lists sit in below the top level.
INTERFACE_BLOCKS = ("networkInterfaces", "vpcConfig", "networkConfiguration")

#: TCP ports the internet may always reach (HTTPS); the stack's `publicTcpPorts` adds to them.
DEFAULT_PUBLIC_TCP_PORTS = (443,)
#: Every protocol (botocore ec2 IpPermission: "-1"; pulumi-aws ProtocolType: "all").
ALL = "all"
#: Protocol numbers AWS also accepts for the named protocols (IANA: 6 tcp, 17 udp, 1 icmp, 58 icmpv6).
_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
#: The protocols whose permissions carry a port range (the rest admit every port: botocore IpPermission).
_PORTED = ("tcp", "udp")
#: The protocols whose FromPort is a message type, -1 every type (botocore IpPermission).
_ICMP = ("icmp", "icmpv6")
_WHOLE = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}
_TOP = 65535

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Blocks no internet host sends from: RFC 6890 section 2.2.2's IPv4 special-purpose registry
#: (rfc-editor.org/rfc/rfc6890.txt; 192.88.99.0/24, 6to4 relay anycast, is globally reachable there and stays
#: public) and multicast (RFC 5771).
_SPECIAL_V4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
)


def _public_v4() -> tuple[Network, ...]:
    blocks: list[Network] = [_WHOLE[4]]
    for special in map(ipaddress.ip_network, _SPECIAL_V4):
        blocks = [part for block in blocks for part in _without(block, special)]
    return tuple(blocks)


def _without(block: Network, special: Network) -> Iterable[Network]:
    if not block.overlaps(special):
        return (block,)
    if block.subnet_of(special):  # type: ignore[arg-type]  # one version
        return ()
    return block.address_exclude(special)  # type: ignore[arg-type]  # special lies inside block


#: The public address space of each IP version (module docstring): IPv6 global unicast 2000::/3 (RFC 4291 section
#: 2.4) less documentation 2001:db8::/32 (RFC 3849).
PUBLIC: Mapping[int, tuple[Network, ...]] = {
    4: _public_v4(),
    6: tuple(ipaddress.IPv6Network("2000::/3").address_exclude(ipaddress.IPv6Network("2001:db8::/32"))),
}
#: More public addresses than a /8 holds is "the internet" (module docstring).
INTERNET_SHARE_PREFIX = 8


@dataclass(frozen=True, eq=False)
class Permission:
    """One ingress permission: who wrote it, what it admits (protocol, inclusive port range) and from where."""

    resource: PolicyResource
    protocol: str
    low: int
    high: int
    networks: tuple[Network, ...]


def _protocol(value: Any) -> str:
    """The protocol as AWS reads it: "all" for -1/all, the name for a known number, else the text itself."""
    spelled = str(value).strip().lower()
    if spelled in {"-1", ALL}:
        return ALL
    return _NUMBERS.get(spelled, spelled)


def _port(value: Any) -> int | None:
    """A port number as the engine passes it (an int, or a float from JSON), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None
    return int(value)


def _ports(protocol: str, low: Any, high: Any) -> tuple[int, int] | None:
    """The inclusive port range a permission admits: the whole range for every protocol but TCP and UDP (AWS
    ignores the range there), and for a TCP/UDP range left unset (pulumi-aws requires it; unset means unknowable);
    None for ICMP of one type (FromPort; -1 or unset is every type), which opens no service (module docstring)."""
    start, end = _port(low), _port(high)
    if protocol in _ICMP:
        return None if start is not None and start >= 0 else (0, _TOP)
    if protocol not in _PORTED or start is None or end is None:
        return 0, _TOP
    return max(start, 0), min(end, _TOP)


def _networks(values: Any, pending: Pending) -> tuple[Network, ...]:
    """The CIDR blocks among `values` (one or many); an unknown one is noted, a malformed one (AWS rejects it) left
    out. Read by position, so one unknown block does not hide the known ones beside it."""
    items = values if is_list(values) else as_list(values)
    found = []
    for index in range(len(items)):
        value = pending.read(lambda i=index: items[i])  # type: ignore[misc]
        try:
            found.append(ipaddress.ip_network(text(value), strict=False))
        except ValueError:
            continue
    return tuple(found)


def _read(props: Any, pending: Pending, *path: str | int) -> Any:
    return pending.read(lambda: get(props, *path))


class PrefixLists:
    """The CIDRs of the prefix lists the stack defines, by their id (review s11 4 #2): a `ManagedPrefixList`'s
    `entries` and every `ManagedPrefixListEntry` pointing at it. A list the stack does not define is not here."""

    def __init__(self, args: StackValidationArgs, pending: Pending) -> None:
        self.by_id: dict[str, list[Network]] = {}
        for plist in resources_of(args, PREFIX_LIST):
            blocks = [
                n
                for index in range(len(as_list(_read(plist.props, pending, "entries"))))
                for n in _networks(_read(plist.props, pending, "entries", index, "cidr"), pending)
            ]
            for entry in resources_of(args, PREFIX_LIST_ENTRY):
                if refers_to(entry, "prefixListId", plist):
                    blocks.extend(_networks(_read(entry.props, pending, "cidr"), pending))
            try:  # a new list's id is unknown in a preview; a group naming it is then unknown too, and noted there
                named = text(get(plist.props, "id"))
            except UnknownValueError:
                continue
            if named:
                self.by_id[named] = blocks

    def networks(self, values: Any, pending: Pending) -> tuple[Network, ...]:
        """The CIDRs the prefix list ids among `values` (one or many) hold, where the stack defines the list."""
        items = values if is_list(values) else as_list(values)
        found: list[Network] = []
        for index in range(len(items)):
            found.extend(self.by_id.get(text(pending.read(lambda i=index: items[i])), ()))  # type: ignore[misc]
        return tuple(found)


def _permission(
    resource: PolicyResource, props: Any, keys: tuple[str, str, str, str], lists: PrefixLists, pending: Pending
) -> Permission | None:
    """The permission `props` write (`keys`: protocol, IPv4, IPv6 and prefix-list inputs), None for one ICMP type."""
    protocol_key, v4, v6, prefix = keys
    protocol = _protocol(_read(props, pending, protocol_key) or "")
    ports = _ports(protocol, _read(props, pending, "fromPort"), _read(props, pending, "toPort"))
    if ports is None:
        return None
    networks = tuple(n for key in (v4, v6) for n in _networks(_read(props, pending, key), pending))
    listed = lists.networks(_read(props, pending, prefix), pending)
    return Permission(resource, protocol, *ports, networks + listed)


_BLOCK_KEYS = ("protocol", "cidrBlocks", "ipv6CidrBlocks", "prefixListIds")
_RULE_KEYS = ("ipProtocol", "cidrIpv4", "cidrIpv6", "prefixListId")


def _permissions(resource: PolicyResource, lists: PrefixLists, pending: Pending) -> Iterator[Permission]:
    """The ingress permissions one resource writes (an unknown value is noted in `pending` and left out)."""
    props = resource.props
    found: list[Permission | None] = []
    if resource.resource_type in GROUPS:
        for index in range(len(as_list(_read(props, pending, "ingress")))):
            block = _read(props, pending, "ingress", index)
            if isinstance(block, Mapping):
                found.append(_permission(resource, block, _BLOCK_KEYS, lists, pending))
    elif resource.resource_type == SECURITY_GROUP_RULE:
        if text(_read(props, pending, "type")).lower() == "ingress":
            found.append(_permission(resource, props, _BLOCK_KEYS, lists, pending))
    else:
        found.append(_permission(resource, props, _RULE_KEYS, lists, pending))
    yield from (p for p in found if p is not None)


def _group_of(resource: PolicyResource, groups: Sequence[PolicyResource]) -> str:
    """The key of the security group a permission belongs to: the group's URN when the stack's own group, else
    the group id it names, else the resource itself (nothing to join it with)."""
    if resource.resource_type in GROUPS:
        return resource.urn
    for group in groups:
        if refers_to(resource, "securityGroupId", group):
            return group.urn
    try:
        named = text(get(resource.props, "securityGroupId"))
    except UnknownValueError:
        named = ""
    return f"id:{named}" if named else resource.urn


def _listed_groups(props: Any, ids: Mapping[str, str]) -> Iterator[frozenset[str]]:
    """Each set of group keys (`_group_of`'s) one `INTERFACE_KEYS` list of `props` (at the top or in an
    `INTERFACE_BLOCKS` block) names together; an unknown part is skipped (joining only widens: every group is still
    judged alone). Only these inputs are read, so the rule reads no other resource's settings."""
    holders = [props]
    for block in INTERFACE_BLOCKS:
        try:
            holders.extend(as_list(get(props, block)))
        except UnknownValueError:
            continue
    for holder in holders:
        for key in INTERFACE_KEYS:
            try:
                listed: Any = get(holder, key) if isinstance(holder, Mapping) else None
                named = {text(listed[i]) for i in range(len(listed))} if is_list(listed) else set()
            except UnknownValueError:
                continue
            yield frozenset(ids.get(n, f"id:{n}") for n in named - {""})


def interfaces(args: StackValidationArgs, groups: Sequence[PolicyResource]) -> set[frozenset[str]]:
    """The sets of two or more groups that one network interface of the stack carries together."""
    ids: dict[str, str] = {}
    for group in groups:
        try:
            named = text(get(group.props, "id"))
        except UnknownValueError:
            continue
        if named:
            ids[named] = group.urn
    joined: set[frozenset[str]] = set()
    for resource in args.resources:
        if resource.resource_type not in TYPES:
            joined.update(s for s in _listed_groups(resource.props, ids) if len(s) > 1)
    return joined


def _cuts(permissions: Sequence[Permission], ports: Sequence[int]) -> list[tuple[int, int]]:
    """The elementary port ranges over which the set of permissions covering a port does not change, each of
    `ports` a range of its own (so a public port is told apart from the range around it)."""
    marks = {*(p.low for p in permissions), *(p.high + 1 for p in permissions), *ports, *(p + 1 for p in ports)}
    bounds = sorted({0, _TOP + 1, *(m for m in marks if 0 <= m <= _TOP + 1)})
    return [(low, high - 1) for low, high in itertools.pairwise(bounds) if low <= _TOP]


def public_addresses(networks: Sequence[Network], version: int) -> int:
    """How many public addresses (`PUBLIC`) of IP `version` the union of `networks` holds."""
    mine = list(ipaddress.collapse_addresses([n for n in networks if n.version == version]))  # type: ignore[type-var]
    total = 0
    for block in mine:
        for public in PUBLIC[version]:
            if public.subnet_of(block):  # type: ignore[arg-type]  # one version
                total += public.num_addresses
            elif block.subnet_of(public):  # type: ignore[arg-type]
                total += block.num_addresses
    return total


def is_internet(networks: Sequence[Network], version: int) -> bool:
    """Whether `networks` of IP `version` together admit the internet: more public addresses than a /8 holds."""
    width = 32 if version == 4 else 128
    return public_addresses(networks, version) > 2 ** (width - INTERNET_SHARE_PREFIX)


def _attributed(permissions: Sequence[Permission], version: int) -> list[Permission]:
    """The permissions to blame when `permissions` together admit the IP `version` internet (none when they do
    not): each that does so alone, or, when none does, every one adding a block of that version to the union."""
    if not is_internet([n for p in permissions for n in p.networks], version):
        return []
    alone = [p for p in permissions if is_internet(p.networks, version)]
    return alone or [p for p in permissions if any(n.version == version for n in p.networks)]


def _source(permissions: Sequence[Permission], version: int) -> str:
    """How the message names the admitted sources: the whole space when it is, else "public IPv<n> space"."""
    mine = [n for p in permissions for n in p.networks if n.version == version]
    if list(ipaddress.collapse_addresses(mine)) == [_WHOLE[version]]:  # type: ignore[type-var]  # one version
        return str(_WHOLE[version])
    return f"most of the public IPv{version} space"


def _describe(protocol: str, low: int, high: int) -> str:
    if protocol == ALL:
        return "all traffic"
    if protocol in _ICMP:
        return f"{protocol} (every type)"
    if protocol not in _PORTED or (low, high) == (0, _TOP):
        return f"{protocol} (every port)"
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def open_ranges(permissions: Sequence[Permission], public_tcp: Sequence[int]) -> Iterator[tuple[str, Permission]]:
    """(what is open, to whom) for each protocol and port range a group (or an interface's groups) admits from the
    IPv4 or IPv6 internet (`is_internet`), other than the TCP ports in `public_tcp`: one entry per permission to
    blame (`_attributed`), so each rule opening it is named, not only the widest."""
    protocols = sorted({p.protocol for p in permissions if p.protocol != ALL})
    every = [p for p in permissions if p.protocol == ALL]
    for version in (4, 6):
        everything = _attributed(every, version)
        for blamed in everything:
            yield f"all traffic from {_source(every, version)}", blamed
        for protocol in protocols:
            own = [p for p in permissions if p.protocol == protocol]
            for low, high in _cuts(own, public_tcp if protocol == "tcp" else ()):
                covering = [p for p in own if p.low <= low and high <= p.high]
                if not covering or (protocol == "tcp" and all(port in public_tcp for port in range(low, high + 1))):
                    continue
                for blamed in _attributed(covering + every, version):
                    if blamed not in everything:  # an all-traffic rule open on its own is said once, above
                        source = _source(covering + every, version)
                        yield f"{_describe(protocol, low, high)} from {source}", blamed


def public_tcp_ports(config: Mapping[str, Any]) -> tuple[int, ...]:
    """443 and the stack's `publicTcpPorts`, which add to it (the setting's documented meaning; review s11 4 #8)."""
    extra = (int(p) for p in as_list(config.get("publicTcpPorts")))
    return tuple(sorted({*DEFAULT_PUBLIC_TCP_PORTS, *extra}))


def _validate_ingress(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    public_tcp = public_tcp_ports(args.get_config())
    pending = Pending()
    lists = PrefixLists(args, pending)
    groups = resources_of(args, *GROUPS)
    by_group: dict[str, list[Permission]] = {}
    for resource in resources_of(args, *TYPES):
        key = _group_of(resource, groups)
        by_group.setdefault(key, []).extend(_permissions(resource, lists, pending))
    judged = [*by_group.values()]
    judged += [[p for key in sorted(keys) for p in by_group.get(key, ())] for keys in interfaces(args, groups)]
    opened: dict[str, tuple[PolicyResource, list[str]]] = {}
    for permissions in judged:
        for what, permission in open_ranges(permissions, public_tcp):
            resource, said = opened.setdefault(permission.resource.urn, (permission.resource, []))
            if what not in said:
                said.append(what)
    for resource, said in opened.values():
        report_on(
            report_violation,
            resource,
            f"the security group admits the internet: {'; '.join(said)} (only TCP "
            f"{', '.join(str(p) for p in public_tcp)} may be public).",
        )
    pending.settle()


SECURITY_GROUP_INGRESS = PolicySpec(
    name="security-group-no-internet-ingress",
    description="No security group admits the internet (IPv4 or IPv6) except to TCP 443.",
    explanation=(
        "A group open to 0.0.0.0/0 or ::/0, or to more public addresses than a /8 holds (in one rule, across rules "
        "of one group, across the groups of one network interface, or through a prefix list the stack fills), "
        "exposes SSH, RDP, databases or everything behind it, bypassing the API's and the edge's authentication, "
        "TLS and WAF. Fix: admit the callers' CIDRs, an AWS-managed prefix list or a referenced security group; "
        "put public HTTPS behind CloudFront or API Gateway; list further public TCP ports (beside 443) in the "
        "policy's `publicTcpPorts` setting only for a reviewed internet-facing service."
    ),
    principles=("P187", "P186"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.STACK,
    validate=_validate_ingress,
    resource_types=(*TYPES, PREFIX_LIST, PREFIX_LIST_ENTRY),
    config_schema={"publicTcpPorts": {"type": "array", "items": {"type": "integer"}}},
)

POLICIES = [SECURITY_GROUP_INGRESS]
