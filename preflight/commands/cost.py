"""`preflight cost`: the stack's idle monthly cost, and optionally the token cost of a stated load."""

from __future__ import annotations

import argparse
import json
from typing import Any

from policies.cost.estimator import IdleCost
from preflight.commands.common import add_format_option, add_program_options, program_timeout, write_output
from preflight.cost.fleet import FleetError, FleetEstimate, fleet_estimate
from preflight.cost.idle import idle_cost
from preflight.cost.usage import Load, UsageError, UsageEstimate, parse_tier_mix, usage_estimate
from preflight.errors import PreflightError
from preflight.load import load_graph

DEFAULT_TIER_MIX = "micro=0.6,lite=0.3,pro=0.1"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cost",
        help="idle monthly cost of the stack (and token cost of a stated load)",
        description="Price every resource's fixed monthly charge when no request arrives (P014), from the "
        "price table in policies/cost/prices.yaml. With --requests-per-day, also estimate the Amazon Nova "
        "token cost of that load with tiered routing against always using Pro (P015).",
    )
    add_program_options(parser)
    add_format_option(parser, ("text", "json"))
    parser.add_argument("--output", metavar="FILE", help="write the result to FILE instead of stdout")
    parser.add_argument("--no-free-tier", action="store_true", help="do not apply the account free tiers")
    usage = parser.add_argument_group("usage estimate")
    usage.add_argument("--requests-per-day", type=float, metavar="N", help="requests per day")
    usage.add_argument("--tokens-in", type=float, metavar="N", help="input tokens per request")
    usage.add_argument("--tokens-out", type=float, metavar="N", help="output tokens per request")
    usage.add_argument(
        "--tier-mix", metavar="MIX", help=f"share of requests per tier, summing to 1 (default: {DEFAULT_TIER_MIX})"
    )
    fleet = parser.add_argument_group("device fleet estimate")
    fleet.add_argument(
        "--core-devices",
        metavar="N",
        help="Greengrass core devices that connect each month (features.deviceFleet): price them per use",
    )
    parser.set_defaults(func=run)


def _load(args: argparse.Namespace) -> Load | None:
    given = [args.requests_per_day, args.tokens_in, args.tokens_out]
    if all(v is None for v in given) and args.tier_mix is None:
        return None
    if any(v is None for v in given):
        raise PreflightError("the usage estimate needs --requests-per-day, --tokens-in and --tokens-out together")
    try:
        return Load(
            requests_per_day=args.requests_per_day,
            tokens_in=args.tokens_in,
            tokens_out=args.tokens_out,
            tier_mix=parse_tier_mix(args.tier_mix or DEFAULT_TIER_MIX),
        )
    except UsageError as exc:
        raise PreflightError(str(exc)) from None


def _fleet(args: argparse.Namespace) -> FleetEstimate | None:
    if args.core_devices is None:
        return None
    try:
        count = float(args.core_devices)
    except ValueError:  # one line naming the flag, not argparse's usage and error (review finding R4)
        raise PreflightError(f"--core-devices: {args.core_devices!r} is not a number of devices") from None
    try:
        return fleet_estimate(count)
    except FleetError as exc:
        raise PreflightError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    load = _load(args)  # validate the flags before spending a second on the program
    fleet = _fleet(args)
    graph = load_graph(args.program, args.stack, timeout=program_timeout(args))
    cost = idle_cost(graph, free_tier=not args.no_free_tier)
    usage = None
    if load is not None:
        try:
            usage = usage_estimate(load)
        except UsageError as exc:
            raise PreflightError(str(exc)) from None
    if args.format == "json":
        data: dict[str, Any] = cost.to_dict()
        if usage is not None:
            data["usage"] = usage.to_dict()
        if fleet is not None:
            data["fleet"] = fleet.to_dict()
        write_output(json.dumps(data, indent=2, sort_keys=True), args.output)
    else:
        write_output(render_text(cost, usage, fleet), args.output)
    return 0


def render_text(cost: IdleCost, usage: UsageEstimate | None = None, fleet: FleetEstimate | None = None) -> str:
    """A plain, deterministic terminal report."""
    lines = [f"Idle cost of stack {cost.stack} ({cost.region}): ${cost.idle_monthly_usd:,.2f}/month", ""]
    if cost.items:
        width = max(len(i.resource) for i in cost.items)
        lines.append("Fixed monthly charges:")
        for item in sorted(cost.items, key=lambda i: (-i.monthly_usd, i.resource)):
            lines.append(f"  {item.resource:<{width}}  {item.monthly_usd:>9,.2f}  {item.basis}")
        lines.append("")
    if cost.unpriced:
        lines.append("Unpriced (idle charge, no figure in the price table):")
        lines.extend(f"  {r.resource} ({r.type}): {r.reason}" for r in cost.unpriced)
        lines.append("")
    lines.append(f"Pay-per-use (no idle charge): {len(cost.pay_per_use)} resources")
    lines.append("")
    lines.append("Assumptions:")
    lines.extend(f"  - {a}" for a in cost.assumptions)
    if usage is not None:
        load = usage.load
        lines += [
            "",
            f"Usage estimate: {load.requests_per_day:,.0f} requests/day, {load.tokens_in:,.0f} input + "
            f"{load.tokens_out:,.0f} output tokens each, {usage.days_per_month:.2f} days/month",
        ]
        for tier in usage.per_tier:
            lines.append(f"  {tier.tier:<8} {tier.share:>6.1%}  ${tier.monthly_usd:>12,.2f}/month")
        lines += [
            f"  tiered routing       ${usage.monthly_usd:>12,.2f}/month",
            f"  always {usage.baseline_tier:<13} ${usage.baseline_monthly_usd:>12,.2f}/month",
            f"  saving               ${usage.saving_usd:>12,.2f}/month ({usage.saving_pct:.1f}%)",
        ]
    if fleet is not None:
        n = f"{fleet.core_devices:,}"
        rows = [
            ("Greengrass core devices", f"{n} x ${fleet.greengrass_usd_per_device:g}", fleet.greengrass_monthly_usd),
            (
                "IoT Core connection",
                f"{n} x {fleet.connection_minutes_per_device:,.0f} min x "
                f"${fleet.connection_usd_per_million_minutes:g}/1M min",
                fleet.connection_monthly_usd,
            ),
            ("total", "messages are extra, per million", fleet.monthly_usd),
        ]
        lines += [
            "",
            f"Device fleet estimate: {n} Greengrass core devices, each connecting every month, online all month",
        ]
        lines.extend(f"  {label:<24} {how:<40} ${usd:>12,.2f}/month" for label, how, usd in rows)
        if fleet.note:
            lines.append(f"  note: {fleet.note}")
    return "\n".join(lines)
